"""RestoreDeletedCells and the clean evaluator, on synthetic cells and a temporary gradebook (nbgrader's own test style)."""

from __future__ import annotations

import os

import pytest
from course_tools import BIN
from nbformat import from_dict
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.api import Gradebook

from oud_course.answers import encode
from oud_course.grading.evaluate import evaluate
from oud_course.grading.restore import NOTICE, RestoreDeletedCells


def nbgrader(grade_id: str, **meta) -> dict:
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "grade": False, "solution": False, "locked": False,
                         "task": False, **meta}}


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


@pytest.fixture
def gradebook_url(tmp_path, monkeypatch):
    """A gradebook holding one released notebook: an intro, an answer cell, its test cell and a task."""
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader runs alembic by name
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment("a1")
        gradebook.add_notebook("nb", "a1")
        for name, cell_type, source, locked in [("intro", "markdown", "Read this.", True), ("q1-answer", "code", "q1 = None", False),
                                                 ("q1", "code", "check('q1', q1, 'key')", True),
                                                 ("q2-task", "markdown", "Explain.", True)]:
            gradebook.add_source_cell(name, "nb", "a1", cell_type=cell_type, source=source, locked=locked, checksum="x")
        gradebook.add_solution_cell("q1-answer", "nb", "a1")
        gradebook.add_grade_cell("q1", "nb", "a1", max_score=1, cell_type="code")
        gradebook.add_task_cell("q2-task", "nb", "a1", max_score=2, cell_type="markdown")
    return url


def restore(url, cells):
    nb = new_notebook(cells=cells)
    RestoreDeletedCells().preprocess(nb, {"nbgrader": {"db_url": url, "notebook": "nb", "assignment": "a1", "student": "s"}})
    return nb


def test_deleted_answer_and_test_cells_come_back_in_their_place(gradebook_url):
    """With the answer and its test deleted, are both put back, as released, right after the released cell before them?"""
    kept_intro = new_markdown_cell("Read this.", metadata=nbgrader("intro", locked=True))
    kept_task = new_markdown_cell("Explain.", metadata=nbgrader("q2-task", task=True, locked=True, points=2))
    nb = restore(gradebook_url, [kept_intro, new_markdown_cell("my own note"), kept_task])
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids == ["intro", "q1-answer", "q1", None, "q2-task"]
    answer, test = nb.cells[1], nb.cells[2]
    assert answer.source.endswith("q1 = None") and NOTICE in answer.source and answer.metadata["nbgrader"]["solution"]
    assert test.metadata["nbgrader"]["grade"] and test.metadata["nbgrader"]["points"] == 1


def test_a_complete_submission_is_left_as_it_is(gradebook_url):
    """Is a notebook with every released cell left unchanged (nothing added, nothing moved)?"""
    cells = [new_markdown_cell("Read this.", metadata=nbgrader("intro", locked=True)),
             new_code_cell("q1 = 'b'", metadata=nbgrader("q1-answer", solution=True)),
             new_code_cell("check('q1', q1, 'key')", metadata=nbgrader("q1", grade=True, locked=True, points=1)),
             new_markdown_cell("Explain.", metadata=nbgrader("q2-task", task=True, locked=True, points=2))]
    nb = restore(gradebook_url, [from_dict(c) for c in cells])
    assert [c.source for c in nb.cells] == [c.source for c in cells]


SPEC = {"kind": "choice", "options": ["a", "b", "c"], "answer": "b"}


@pytest.mark.parametrize("readout, passed, message", [
    ({"item": "q1", "defined": True, "answer": encode("b")}, True, "q1: right."),
    ({"item": "q1", "defined": True, "answer": encode("c")}, False, "q1: not right."),
    ({"item": "q1", "defined": True, "answer": encode(None)}, False, "q1: not answered."),
    ({"item": "q1", "defined": False, "answer": None}, False, "q1: not answered (the variable q1 was not defined)."),
    ({"item": "q1", "defined": True, "answer": encode(AlwaysEqual("b"))}, False,
     "q1: the answer is a AlwaysEqual object, not a plain value, so it cannot be right."),
    (None, False, "q1: not graded, because the notebook never wrote out an answer for it. It stopped."),
])
def test_the_clean_evaluator_decides_from_plain_values_only(readout, passed, message):
    """Does the evaluator decide right, wrong, blank, undefined, unreadable and missing answers, each with its message?"""
    assert evaluate({"item": "q1", "expect": SPEC, "readout": readout, "why": "It stopped."}) == {"passed": passed, "message": message}
