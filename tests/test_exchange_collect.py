"""Collecting from nbgrader's exchange: no link is followed, and lateness comes from when the exchange got the work."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import nbformat
import pytest
from class_simulation import answer_cells, key_code
from course_tools import CHECKS, REPO, course_env, make_course, read_nb

from oud_course.grading.sandbox import sandbox_available

ASSIGNMENT = CHECKS[0].parent.name
NOTEBOOK = CHECKS[0].name


def _answered(source_nb):
    nb = read_nb(REPO / "release" / ASSIGNMENT / NOTEBOOK)
    keys = {item: key_code(cell) for item, cell in answer_cells(source_nb).items()}
    for item, cell in answer_cells(nb).items():
        cell.source = keys[item]
    return nb


def _submit(inbound, student, claimed: datetime, nb) -> os.PathLike:
    """Lay a submission in the exchange's inbound folder as `nbgrader submit` would, claiming time ``claimed``."""
    stamp = claimed.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder = inbound / f"{student}+{ASSIGNMENT}+{stamp}"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / NOTEBOOK)
    (folder / "timestamp.txt").write_text(stamp)
    return folder


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    if sandbox_available():
        from course_tools import missing
        missing(sandbox_available())
    course = make_course(tmp_path_factory.mktemp("exchange") / "course")
    due = datetime.now(timezone.utc) - timedelta(hours=20)  # so the real hand-in is one started day late
    with open(course / "course_config.py", "a") as config:
        config.write(f"\nDUE_DATES[{ASSIGNMENT!r}] = {due.isoformat()!r}\n")
    source_nb = read_nb(CHECKS[0])
    inbound = course / "exchange" / "oud-course" / "inbound"
    # Claims to have handed in an hour before the due date; really hands in now, with a link to the gradebook.
    forger = _submit(inbound, "forger", due - timedelta(hours=1), _answered(source_nb))
    os.symlink(course / "gradebook.db", forger / "stolen.db")
    os.symlink(course / "source", forger / "answers")
    # A whole inbound entry that is a link into the course.
    os.symlink(course / "source" / ASSIGNMENT, inbound / f"linker+{ASSIGNMENT}+2026-01-01 00:00:00.000000 UTC")
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", ASSIGNMENT, "--root", str(course), "--collect", "exchange"],
                          env=course_env(), capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with open(course / "grading-report.csv") as handle:
        report = {row["student"]: row for row in csv.DictReader(handle)}
    with open(course / "grades.csv") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    return course, report, grades, source_nb


@pytest.mark.slow
def test_links_in_an_exchange_submission_are_not_collected(collected):
    """Does collect copy the notebook but neither the gradebook nor source/ that the student's links point at?"""
    course, report, _, _ = collected
    folder = course / "submitted" / "forger" / ASSIGNMENT
    assert sorted(p.name for p in folder.iterdir()) == [NOTEBOOK, "timestamp.txt"]
    assert "set aside stolen.db (a symbolic link)" in report["forger"]["reason"]
    assert "set aside answers (a symbolic link)" in report["forger"]["reason"]


@pytest.mark.slow
def test_an_inbound_entry_that_is_a_link_is_not_collected(collected):
    """Is an exchange entry that links into the course left where it is, with nothing of it in submitted/?"""
    course, _, grades, _ = collected
    assert not os.path.lexists(course / "submitted" / "linker" / ASSIGNMENT / NOTEBOOK)
    assert "linker" not in grades


@pytest.mark.slow
def test_a_forged_timestamp_does_not_escape_the_late_penalty(collected):
    """Is the submission dated by when the exchange received it (a day late: 10 % off), not by the time it claimed?"""
    _, report, grades, source_nb = collected
    full = sum(float(c.metadata["nbgrader"]["points"]) for c in source_nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code")
    assert float(grades["forger"][ASSIGNMENT]) == pytest.approx(full * 0.9)
    assert "the exchange received it at" in report["forger"]["reason"]
