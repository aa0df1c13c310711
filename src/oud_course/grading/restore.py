"""RestoreDeletedCells: put back every nbgrader cell a student deleted, as it was released.

nbgrader's own ``add_missing_cells`` re-adds test cells only, and fails with a KeyError when a
test cell and the answer cell before it are both gone. Run before OverwriteCells, this puts
back answer, test, task and read-only cells in their source order, so a deleted answer simply
scores zero and the rest of the submission is graded.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

NOTICE = "This cell was missing from the submission; it was put back as it was released."


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


class RestoreDeletedCells(NbGraderPreprocessor):
    """Sanitize step: re-insert deleted nbgrader cells from the gradebook's copy of the release."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            grades = {c.name: c.max_score for c in notebook.grade_cells}
            solutions = {c.name for c in notebook.solution_cells}
            tasks = {c.name: c.max_score for c in notebook.task_cells}
            released = [(c.name, c.cell_type, c.source, c.locked, c.checksum) for c in notebook.source_cells]
        present = {_grade_id(c) for c in nb.cells}
        position = 0
        for name, cell_type, source, locked, checksum in released:
            if name in present:
                position = next(i for i, c in enumerate(nb.cells) if _grade_id(c) == name) + 1
                continue
            comment = f"# {NOTICE}\n" if cell_type == "code" else f"*{NOTICE}*\n\n"
            cell = (new_code_cell if cell_type == "code" else new_markdown_cell)(comment + source)
            meta = {"grade": name in grades, "solution": name in solutions, "task": name in tasks, "locked": locked,
                    "grade_id": name, "schema_version": 3, "checksum": checksum}
            if name in grades or name in tasks:
                meta["points"] = grades.get(name, tasks.get(name))
            cell.metadata = {"nbgrader": meta}
            nb.cells.insert(position, cell)
            position += 1
            self.log.warning("%s: restored deleted cell %s", info.get("student"), name)
        return nb, resources
