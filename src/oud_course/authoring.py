"""Build the cells of a comprehension check in memory: for authors' scripts and for tests.

The notebook file stays the single source of truth; these helpers only spare typing
nbgrader metadata by hand (compare nbgrader's own ``tests.create_grade_cell``).
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None,
              task: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": task}
    if points is not None:
        meta["points"] = points
    return meta


def text_cell(cell_id: str, source: str) -> dict:
    """A read-only markdown cell (instructions, a question), locked so nbgrader restores it."""
    cell = new_markdown_cell(source, id=cell_id)
    cell.metadata = {"deletable": False, "editable": False,
                     "nbgrader": _nbgrader(cell_id, grade=False, solution=False, locked=True)}
    return cell


def item_cells(item: str, question: str, answer: str, *, kind: str, points: float, hint: str, explanation: str,
               prompt: str = "", **spec) -> list[dict]:
    """The question and answer cells of one autograded item; ``make release`` derives its check cell.

    ``answer`` is the solution code (for example ``'"b"'``, or an expression to compute);
    ``spec`` holds the kind's fields: ``options``, ``labels``, ``digits``.
    """
    declaration = {"item": item, "kind": kind, "points": points, "hint": hint, "explanation": explanation, **spec}
    answer_cell = new_code_cell(
        f"{item} = None{'  # ' + prompt if prompt else ''}\n### BEGIN SOLUTION\n{item} = {answer}\n### END SOLUTION",
        id=f"{item}-answer",
    )
    answer_cell.metadata = {"nbgrader": _nbgrader(f"{item}-answer", grade=False, solution=True, locked=False),
                            "oud_course": declaration}
    return [text_cell(f"{item}-question", question), answer_cell]


def short_answer_cells(item: str, question: str, mark_scheme: str, *, points: float) -> list[dict]:
    """A manually graded short answer: nbgrader's task cell (question, hidden mark scheme), then room to write."""
    task = new_markdown_cell(
        f"{question}\n\n### BEGIN MARK SCHEME\n{mark_scheme}\n### END MARK SCHEME", id=f"{item}-task"
    )
    task.metadata = {"deletable": False, "editable": False,
                     "nbgrader": _nbgrader(f"{item}-task", grade=False, solution=False, locked=True, points=points,
                                           task=True)}
    return [task, new_markdown_cell("*Write your answer here (double-click this cell to edit it).*", id=f"{item}-answer")]


def check_notebook(cells: list[dict]) -> dict:
    """A check notebook (nbformat 4.5, Python 3 kernel) from its cells."""
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb
