"""DeriveItemChecks: write each item's check cell from its one declaration, and record its expectation at release.

An item is declared once, on its answer cell: ``metadata["oud_course"]`` holds the id, kind,
options, points, hint, explanation and any other accepted answers; the solution region holds the
answer. The check cell after it is generated, so nothing is typed twice; what it hands the
grader, and where the expectation lives, is oud_course.grading.contract.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, List, Unicode

from oud_course import COURSE_ID
from oud_course.grading import contract
from oud_course.items import check_declaration
from oud_course.selfcheck import derive_salt, make_key

SELF_CHECK_LINE = "# Self-check: tells you whether your answer is right and why, never the answer itself."
GRADED_LINE = "# Answer check: tells you whether your answer has the right form; your instructor grades it."


def check_cell_for(spec: dict, answer, assignment: str, course_id: str, self_check: bool, old: NotebookNode | None,
                   config=None) -> NotebookNode:
    """Build the check cell (self-check call plus hidden test) for one declared item.

    Its source is collapsed (JupyterLab's ``source_hidden``): the learner sees the verdict, not the key's characters.
    """
    item = spec["item"]
    key = make_key(spec, answer, derive_salt(course_id, assignment, item), self_check)
    lines = [SELF_CHECK_LINE if self_check else GRADED_LINE, "from oud_course.checks import check",
             f"check({item!r}, {item}, {key!r})", contract.hidden_test(item, config)]
    return from_dict(
        {
            "cell_type": "code",
            "id": old.get("id") if old is not None and old.get("id") else f"{item}-check",
            "metadata": {
                "deletable": False,
                "editable": False,
                "jupyter": {"source_hidden": True},
                "nbgrader": {
                    "grade": True, "grade_id": item, "locked": True, "points": spec["points"],
                    "schema_version": 3, "solution": False, "task": False,
                },
                "tags": ["oud-check"],
            },
            "execution_count": None,
            "outputs": [],
            "source": "\n".join(lines),
        }
    )


def _is_check_cell(cell: NotebookNode, item: str) -> bool:
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") == item


def derive_checks(nb: NotebookNode, assignment: str, course_id: str = COURSE_ID, self_check: bool = True,
                  for_release: bool = False, config=None) -> NotebookNode:
    """Regenerate every declared item's check cell in ``nb`` (in place) and return ``nb``.

    With ``for_release`` the declarations are reduced to the item id, so the hint and the
    explanation (which may give the answer away) never reach a student's notebook.
    """
    for index, spec in reversed(contract.declarations(nb)):
        cell = nb.cells[index]
        check_declaration(spec)
        if not cell.metadata.get("nbgrader", {}).get("solution"):
            raise ValueError(f"{spec['item']}: the declared answer cell must be an nbgrader solution cell")
        answer = contract.declared_answer(cell, spec["item"])
        following = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
        has_check = following is not None and _is_check_cell(following, spec["item"])
        new = check_cell_for(spec, answer, assignment, course_id, self_check, following if has_check else None, config)
        if has_check:
            nb.cells[index + 1] = new
        else:
            nb.cells.insert(index + 1, new)
        if for_release:
            cell.metadata["oud_course"] = {"item": spec["item"]}
    return nb


class DeriveItemChecks(NbGraderPreprocessor):
    """Generate step: derive check cells from declarations, and record each item's expectation in the gradebook."""

    self_check = Bool(True, help="Write self-check keys into the release (off for classes graded for credit).").tag(config=True)
    course_id = Unicode(COURSE_ID, help="Course id that item salts are derived from.").tag(config=True)
    credit = List(Unicode(), help="Checks graded for credit: released with self-check off whatever self_check says.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        info = resources.get("nbgrader", {})
        self_check = self.self_check and info.get("assignment", "") not in self.credit
        if info.get("db_url") and info.get("notebook"):  # the one place an expectation is written
            contract.save(info["db_url"], info["assignment"], info["notebook"], contract.expectations_of(nb),
                          contract.explanations_of(nb))
        return derive_checks(nb, info.get("assignment", ""), self.course_id, self_check, for_release=True,
                             config=self.config), resources
