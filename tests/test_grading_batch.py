"""Each submission's outcome comes from the exception that stopped it (oud_course.grading.batch), not from nbgrader's log."""

from __future__ import annotations

import inspect

import nbformat
import pytest
from class_simulation import answer_cells, key_code
from course_tools import CHECKS, REPO, course_env, make_course, read_nb

from oud_course.grading import batch

ASSIGNMENT = CHECKS[0].parent.name
NOTEBOOK = CHECKS[0].name


def test_the_converter_steps_batch_overrides_are_nbgraders():
    """Are the steps Recording wraps still methods of nbgrader's converters, with the arguments it passes?"""
    from nbgrader.converters.base import BaseConverter

    for name in ("init_destination", "init_assignment", "convert_single_notebook", "set_permissions",
                 "run_post_convert_hook"):
        ours = list(inspect.signature(getattr(batch.Recording, name)).parameters)
        theirs = list(inspect.signature(getattr(BaseConverter, name)).parameters)
        assert ours == theirs, (name, theirs)
    source = inspect.getsource(BaseConverter.convert_notebooks)
    # The order Recording relies on: a submission starts at init_destination and ends at run_post_convert_hook.
    order = [source.index(step) for step in ("self.init_destination(", "self.init_assignment(",
                                             "self.convert_single_notebook(", "self.set_permissions(",
                                             "self.run_post_convert_hook(")]
    assert order == sorted(order)


def test_describe_gives_the_type_and_first_line():
    assert batch.describe(ValueError("no such cell\nTraceback ...")) == "ValueError: no such cell"
    assert batch.describe(KeyError()) == "KeyError"
    assert len(batch.describe(RuntimeError("x" * 2000))) == batch.REASON_CHARS
    assert batch.describe(ValueError("\x1b]0;owned\x07 \x1b[2J")) == "ValueError: ?]0;owned? ?[2J"


@pytest.fixture
def course(tmp_path, monkeypatch):
    from oud_course import term
    from oud_course.grade import prepare
    from oud_course.grading.sandbox import sandbox_available

    if sandbox_available():
        from course_tools import missing
        missing(sandbox_available())
    for key, value in course_env().items():
        monkeypatch.setenv(key, value)
    folder = make_course(tmp_path / "course")
    prepare(folder, ASSIGNMENT, term.load(folder))
    nb = read_nb(REPO / "release" / ASSIGNMENT / NOTEBOOK)
    keys = {item: key_code(cell) for item, cell in answer_cells(read_nb(CHECKS[0])).items()}
    for item, cell in answer_cells(nb).items():
        cell.source = keys[item]
    for student in ("ana", "ben", "cy"):
        (folder / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(nb, folder / "submitted" / "ana" / ASSIGNMENT / NOTEBOOK)
    (folder / "submitted" / "ben" / ASSIGNMENT / NOTEBOOK).write_text('{"cells": [ not json')
    nbformat.write(nb, folder / "submitted" / "cy" / ASSIGNMENT / NOTEBOOK)
    return folder


@pytest.mark.slow
def test_a_batch_names_each_failure_and_grades_the_rest(course):
    """In one nbgrader process, is the broken submission failed with its own exception, and are the others graded?"""
    from oud_course.grade import autograde_batch, feedback_batch

    everyone = ["ana", "ben", "cy"]
    outcomes = {o.student: o for o in autograde_batch(course, ASSIGNMENT, everyone, everyone)}
    assert {s: o.status for s, o in outcomes.items()} == {"ana": "graded", "ben": "failed", "cy": "graded"}
    assert outcomes["ben"].reason.startswith("NotJSONError: Notebook does not appear to be JSON")
    assert (course / "autograded" / "ana" / ASSIGNMENT / NOTEBOOK).is_file()
    assert not (course / "autograded" / "ben" / ASSIGNMENT).exists()

    assert feedback_batch(course, ASSIGNMENT, ["ana", "cy"]) == ""
    assert (course / "feedback" / "cy" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).is_file()
    # nbgrader makes no feedback without an autograded notebook, so never reaches ben: he is named, not skipped.
    assert feedback_batch(course, ASSIGNMENT, ["ben"]) == "ben: nbgrader did not reach this submission"


@pytest.mark.slow
def test_a_run_that_stops_before_any_submission_says_why(course):
    """When nbgrader cannot start on the batch at all, is its exception the reason given for everyone?"""
    from oud_course.grade import autograde_batch

    (course / "gradebook.db").write_text("not a database")
    outcomes = autograde_batch(course, ASSIGNMENT, ["ana"], ["ana", "cy"])
    assert [(o.student, o.status) for o in outcomes] == [("ana", "failed")]
    assert "DatabaseError" in outcomes[0].reason or "file is not a database" in outcomes[0].reason, outcomes[0].reason


def test_a_result_line_cut_short_is_ignored():
    """A batch killed while writing leaves half a line: it is read as no result, not as a crash of the whole run."""
    from oud_course.grade import _result

    assert _result('{"student": "ana", "ok": true, "reason": ""}') == {"student": "ana", "ok": True, "reason": ""}
    assert _result('{"student": "ben", "ok": fa') is None
    assert _result("[1, 2]") is None and _result("") is None
