"""The learner's progress file: written and updated atomically, never raising, downloadable as the same JSON."""

from __future__ import annotations

import base64
import json
import os
import re

import pytest

from oud_course import checks, progress
from oud_course.selfcheck import derive_salt, make_key

SPEC = {"item": "q1", "kind": "choice", "options": ["a", "b", "c"], "hint": "Think again.", "explanation": "Because."}


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    """A fresh progress file path (not yet written) and fresh module state."""
    target = tmp_path / "home" / "oud-course-progress.json"
    monkeypatch.setenv("OUD_COURSE_PROGRESS", str(target))
    monkeypatch.setattr(progress, "_unsaved", {})
    monkeypatch.setattr(progress, "_noted", False)
    monkeypatch.setattr(checks, "results", {})
    return target


def saved(target) -> dict:
    return json.loads(target.read_text(encoding="utf-8"))["checks"]


def test_default_file_is_in_the_home_folder(monkeypatch, tmp_path):
    """Without the override, is the file oud-course-progress.json in the home folder?"""
    monkeypatch.delenv("OUD_COURSE_PROGRESS")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert progress.path() == tmp_path / "oud-course-progress.json"


def test_record_writes_the_file(progress_file):
    """Does one record create the file, with the outcome under its check and item, and no answer?"""
    progress.record("03-dependence-cycle", "q1", "not right")
    assert saved(progress_file) == {"03-dependence-cycle": {"q1": {"outcome": "not right", "tries": 1,
                                                                   "updated": saved(progress_file)["03-dependence-cycle"]["q1"]["updated"]}}}
    assert "about" in json.loads(progress_file.read_text())


def test_record_updates_and_keeps_other_items(progress_file):
    """Does a later outcome replace the earlier one, count the try, and leave other items and checks alone?"""
    progress.record("03-dependence-cycle", "q1", "not right")
    progress.record("03-dependence-cycle", "q2", "right")
    progress.record("04-causes-and-risk-factors", "q1", "malformed")
    progress.record("03-dependence-cycle", "q1", "right")
    data = saved(progress_file)
    assert data["03-dependence-cycle"]["q1"]["outcome"] == "right"
    assert data["03-dependence-cycle"]["q1"]["tries"] == 2
    assert data["03-dependence-cycle"]["q2"]["outcome"] == "right"
    assert data["04-causes-and-risk-factors"]["q1"]["outcome"] == "malformed"


def test_blank_answer_does_not_erase_an_outcome(progress_file):
    """After Run All on a fresh copy (every item None), does an item answered before keep its outcome?"""
    progress.record("03-dependence-cycle", "q1", "not answered")
    assert saved(progress_file)["03-dependence-cycle"]["q1"]["tries"] == 0
    progress.record("03-dependence-cycle", "q1", "right")
    progress.record("03-dependence-cycle", "q1", "not answered")
    assert saved(progress_file)["03-dependence-cycle"]["q1"]["outcome"] == "right"


def test_write_is_atomic(progress_file, monkeypatch, capsys):
    """If writing fails half way, is the old file intact, no temporary file left, and nothing raised?"""
    progress.record("03-dependence-cycle", "q1", "right")
    before = progress_file.read_bytes()

    def crash(fd):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as disk_full:
        disk_full.setattr(os, "fsync", crash)
        progress.record("03-dependence-cycle", "q2", "right")
    assert progress_file.read_bytes() == before
    assert sorted(p.name for p in progress_file.parent.iterdir()) == ["oud-course-progress.json"]
    assert "No space left on device" in capsys.readouterr().out
    assert progress.load()["checks"]["03-dependence-cycle"]["q2"]["outcome"] == "right"  # kept in memory

    # The disk has room again: the next record also saves what was held back.
    progress.record("03-dependence-cycle", "q3", "not right")
    assert set(saved(progress_file)["03-dependence-cycle"]) == {"q1", "q2", "q3"}


def test_write_goes_through_a_rename(progress_file, monkeypatch):
    """Is the file replaced in one step (os.replace of a temporary file beside it), never written in place?"""
    renames = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renames.append((src, dst)), real_replace(src, dst)))
    progress.record("03-dependence-cycle", "q1", "right")
    [(src, dst)] = renames
    assert os.path.dirname(src) == str(progress_file.parent) and dst == progress_file


@pytest.mark.parametrize("where", ["unwritable", "no-home"])
def test_bad_home_prints_one_note_and_does_not_raise(where, progress_file, monkeypatch, capsys):
    """With a home that cannot be written (or none), does a self-check still answer, with one short note?"""
    if where == "unwritable":
        monkeypatch.delenv("OUD_COURSE_PROGRESS")
        monkeypatch.setenv("HOME", "/proc")  # no one, not even root, can create a file there
    else:
        monkeypatch.delenv("OUD_COURSE_PROGRESS")
        monkeypatch.delenv("HOME", raising=False)
        monkeypatch.setattr(progress.Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    key = make_key(SPEC, "b", derive_salt("oud-course", "03-dependence-cycle", "q1"))
    assert checks.feedback("q1", "b", key).startswith("q1: right.")
    assert checks.feedback("q1", "c", key).startswith("q1: not right yet.")
    notes = capsys.readouterr().out.strip().splitlines()
    assert len(notes) == 1 and "could not be saved" in notes[0]
    progress.show_progress()
    progress.download_link()
    checks.summary()
    out = capsys.readouterr().out
    if where == "unwritable":
        assert re.search(r"q1 \(not right\)", out)  # this session still remembers it


def test_damaged_file_is_set_aside(progress_file, capsys):
    """Is a damaged (say hand-edited) file kept beside as .damaged, and a new one started, without an error?"""
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text('{"checks": {"03": {,}}', encoding="utf-8")
    progress.record("03-dependence-cycle", "q1", "right")
    assert saved(progress_file)["03-dependence-cycle"]["q1"]["outcome"] == "right"
    assert progress_file.with_name("oud-course-progress.json.damaged").read_text().startswith('{"checks"')
    assert capsys.readouterr().out == ""


def test_download_link_decodes_to_the_same_json(progress_file):
    """Does the link download oud-course-progress.json holding exactly the file's JSON?"""
    progress.record("03-dependence-cycle", "q1", "right")
    progress.record("00-welcome", "practice", "not right")
    widget = progress.download_link()
    assert "oud-progress-download" in widget._dom_classes
    found = re.search(r'<a download="oud-course-progress.json" href="data:application/json;base64,([A-Za-z0-9+/=]+)"',
                      widget.value)
    assert found, widget.value
    assert base64.b64decode(found.group(1)) == progress_file.read_bytes()
    assert json.loads(base64.b64decode(found.group(1)))["checks"] == saved(progress_file)


def test_download_link_without_any_progress(progress_file):
    """Before any self-check, does the link still offer a valid (empty) progress file?"""
    found = re.search(r"base64,([A-Za-z0-9+/=]+)", progress.download_link().value)
    assert json.loads(base64.b64decode(found.group(1)))["checks"] == {}


def test_feedback_records_under_the_working_folder(progress_file, tmp_path, monkeypatch):
    """Does a self-check in release/03-dependence-cycle/ record under the assignment id, as its folder is named?"""
    folder = tmp_path / "release" / "03-dependence-cycle"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    key = make_key(SPEC, "b", derive_salt("oud-course", "03-dependence-cycle", "q1"))
    checks.feedback("q1", "a", key)
    checks.feedback("q1", None, key)
    assert saved(progress_file) == {"03-dependence-cycle": {"q1": {
        "outcome": "not right", "tries": 1, "updated": saved(progress_file)["03-dependence-cycle"]["q1"]["updated"]}}}


def test_show_progress_prints_a_table_per_check(progress_file, capsys):
    """Does show_progress list each check with its right count and the items still to do?"""
    progress.show_progress()
    assert "No self-checks recorded yet" in capsys.readouterr().out
    progress.record("03-dependence-cycle", "q1", "right")
    progress.record("03-dependence-cycle", "q2", "not right")
    progress.record("05-signs-symptoms-withdrawal", "q4", "not answered")
    progress.show_progress()
    lines = capsys.readouterr().out.splitlines()
    assert str(progress_file) in lines[0]
    assert re.fullmatch(r"\s+03-dependence-cycle\s+1\s+2\s+q2 \(not right\)", lines[2])
    assert re.fullmatch(r"\s+05-signs-symptoms-withdrawal\s+0\s+1\s+q4 \(not answered\)", lines[3])


def test_summary_mentions_the_progress_file(progress_file, capsys, monkeypatch):
    """Does the end-of-check summary say how to keep the progress, except while autograding?"""
    checks.results["q1"] = "right"
    checks.summary()
    assert "download it (link below)" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    checks.summary()
    assert "progress file" not in capsys.readouterr().out


@pytest.mark.parametrize(("folder", "notebook", "check"), [
    ("notebooks", "notebooks/00-welcome.ipynb", "00-welcome"),  # the welcome lesson's practice item
    ("release/03-dependence-cycle", "release/03-dependence-cycle/03-dependence-cycle-check.ipynb", "03-dependence-cycle"),
    ("03-dependence-cycle", "03-dependence-cycle/Copy of my check.ipynb", "03-dependence-cycle"),  # a renamed copy
    ("notebooks", None, "notebooks"),  # a kernel jupyter_server did not start says nothing of its notebook
])
def test_current_check_names_the_check_or_else_the_notebook(folder, notebook, check, tmp_path, monkeypatch):
    """Is a self-check filed under its check folder's assignment id, and outside one under the notebook's name?"""
    (tmp_path / folder).mkdir(parents=True)
    monkeypatch.chdir(tmp_path / folder)
    if notebook:
        monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / notebook))  # as jupyter_server sets it: a full path
    else:
        monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert progress.current_check() == check


def test_welcome_practice_is_filed_under_the_welcome_lesson(progress_file, tmp_path, monkeypatch, capsys):
    """Does the welcome lesson's practice item, run from notebooks/, show up as 00-welcome in the file and the table?"""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("JPY_SESSION_NAME", str(folder / "00-welcome.ipynb"))
    key = make_key({**SPEC, "item": "practice"}, "b", derive_salt("oud-course", "00-welcome", "practice"))
    assert checks.feedback("practice", "b", key).startswith("practice: right.")
    assert list(saved(progress_file)) == ["00-welcome"]
    progress.show_progress()
    assert re.search(r"^\s+00-welcome\s+1\s+1\s+-$", capsys.readouterr().out, re.MULTILINE)
