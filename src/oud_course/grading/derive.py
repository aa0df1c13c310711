"""DeriveItemChecks: write each item's self-check cell and hidden test from its one declaration.

An item is declared once, on its answer cell: ``metadata["oud_course"]`` holds the id, kind,
options, points, hint and explanation; the solution region holds the answer. The check cell
after it is generated, so nothing is typed twice.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

from oud_course import COURSE_ID
from oud_course.grading.decide import hidden_expectation
from oud_course.items import check_declaration, normalise
from oud_course.selfcheck import derive_salt, make_key

_EXPECT_FIELDS = ("kind", "options", "labels", "digits", "whole")
CHECK_CELL_TEMPLATE = """\
# Self-check: tells you whether your answer is right and why, never the answer itself.
from oud_course.checks import check
check({item!r}, {key!r})
### BEGIN HIDDEN TESTS
from oud_course.checks import grade
grade({item!r}, {expect})
### END HIDDEN TESTS"""


def declared_answer(cell: NotebookNode, item: str):
    """Run the answer cell's source (the instructor's, solution included) and return ``item``."""
    namespace: dict = {"__name__": "__answer__"}
    exec(compile(cell.source, f"<answer cell {item}>", "exec"), namespace)  # noqa: S102 - instructor code
    if item not in namespace:
        raise ValueError(f"{item}: the answer cell's solution does not set the variable {item}")
    return namespace[item]


def check_cell_for(spec: dict, answer, assignment: str, course_id: str, self_check: bool, old: NotebookNode | None) -> NotebookNode:
    """Build the check cell (self-check call plus hidden test) for one declared item."""
    item = spec["item"]
    expect = {k: spec[k] for k in _EXPECT_FIELDS if k in spec}
    expect["answer"] = normalise(spec, answer)
    key = make_key(spec, answer, derive_salt(course_id, assignment, item), self_check)
    cell = from_dict(
        {
            "cell_type": "code",
            "id": old.get("id") if old is not None and old.get("id") else f"{item}-check",
            "metadata": {
                "deletable": False,
                "editable": False,
                "nbgrader": {
                    "grade": True, "grade_id": item, "locked": True, "points": spec["points"],
                    "schema_version": 3, "solution": False, "task": False,
                },
            },
            "execution_count": None,
            "outputs": [],
            "source": CHECK_CELL_TEMPLATE.format(item=item, key=key, expect=repr(expect)),
        }
    )
    if hidden_expectation(cell) != (item, expect):  # the grader must read back exactly what was written
        raise ValueError(f"{item}: the derived hidden test does not read back as declared")
    return cell


def _is_check_cell(cell: NotebookNode, item: str) -> bool:
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") == item


def derive_checks(nb: NotebookNode, assignment: str, course_id: str = COURSE_ID, self_check: bool = True,
                  for_release: bool = False) -> NotebookNode:
    """Regenerate every declared item's check cell in ``nb`` (in place) and return ``nb``.

    With ``for_release`` the declarations are reduced to the item id, so the hint and the
    explanation (which may give the answer away) never reach a student's notebook.
    """
    cells = nb.cells
    index = 0
    while index < len(cells):
        cell = cells[index]
        spec = cell.metadata.get("oud_course")
        if cell.cell_type == "code" and spec and "kind" in spec:
            check_declaration(spec)
            if not cell.metadata.get("nbgrader", {}).get("solution"):
                raise ValueError(f"{spec['item']}: the declared answer cell must be an nbgrader solution cell")
            answer = declared_answer(cell, spec["item"])
            following = cells[index + 1] if index + 1 < len(cells) else None
            has_check = following is not None and _is_check_cell(following, spec["item"])
            new = check_cell_for(spec, answer, assignment, course_id, self_check, following if has_check else None)
            if has_check:
                cells[index + 1] = new
            else:
                cells.insert(index + 1, new)
            if for_release:
                cell.metadata["oud_course"] = {"item": spec["item"]}
            index += 1
        index += 1
    return nb


class DeriveItemChecks(NbGraderPreprocessor):
    """Generate step: derive check cells from declarations before nbgrader saves and strips them."""

    self_check = Bool(True, help="Write self-check keys into the release (off for classes graded for credit).").tag(config=True)
    course_id = Unicode(COURSE_ID, help="Course id that item salts are derived from.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        assignment = resources.get("nbgrader", {}).get("assignment", "")
        return derive_checks(nb, assignment, self.course_id, self.self_check, for_release=True), resources
