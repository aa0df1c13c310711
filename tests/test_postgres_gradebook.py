"""The gradebook on a real PostgreSQL server: nbgrader's round trip, and parallel grading that equals serial.

The server comes from the ``postgres_server`` fixture (tests/postgres.py); nbgrader reaches it
through ``COURSE_DB_URL``, as a class at scale would (see docs/deploy-at-scale.md).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from course_tools import REPO, course_env, make_course, nbgrader, read_nb
from nbgrader.api import Gradebook
from sqlalchemy import text
from test_grading_roundtrip import DROP_ASSERTS, RIGGED_EQUALITY, points, submission

ASSIGNMENT = "03-dependence-cycle"
NOTEBOOK = f"{ASSIGNMENT}-check.ipynb"
SOURCE = REPO / "source" / ASSIGNMENT / NOTEBOOK
COURSE_ID = "oud-course"
# A class of 12: each kind of submission four times, interleaved so every worker gets each kind.
CLASS = {f"student{n:02d}": kind for n, kind in enumerate(["correct", "blank", "half"] * 4, start=1)}
ON_TIME = "2025-01-15 10:00:00.000000 UTC\n"  # with no due date set, any timestamp is on time
# What must never appear in a grading log: SQLite's "database is locked", PostgreSQL lock waits and deadlocks.
LOCK_TROUBLE = re.compile(r"\block|OperationalError|deadlock", re.I)


def answers_for(kind: str, items: list[str]) -> dict:
    half = items[: len(items) // 2]
    return {"correct": {i: "key" for i in items}, "blank": {}, "half": {i: "key" for i in half}}[kind]


def expected_score(kind: str, source_nb) -> float:
    marks = points(source_nb)
    return sum(marks[i] for i in answers_for(kind, sorted(marks)))


def test_gradebook_tables_on_postgres(postgres_server, monkeypatch):
    """Does nbgrader's Gradebook create its tables (and alembic's version row) in a fresh PostgreSQL database?"""
    monkeypatch.setenv("PATH", course_env()["PATH"])  # a new gradebook runs `alembic heads` by name
    url = postgres_server.new_database("gradebook_tables")
    with Gradebook(url, COURSE_ID) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT)
        gradebook.update_or_create_student("ada", first_name="Ada")
        version = gradebook.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version
    with Gradebook(url, COURSE_ID) as gradebook:  # a second connection sees what the first committed
        assert [a.name for a in gradebook.assignments] == [ASSIGNMENT]
        assert gradebook.find_student("ada").first_name == "Ada"


@pytest.mark.slow
def test_round_trip_on_postgres(postgres_server, course):
    """The round trip of test_grading_roundtrip, with the gradebook in PostgreSQL: the same scores."""
    url = postgres_server.new_database("round_trip")
    env = course_env(COURSE_DB_URL=url)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", env=env)
    release_nb = read_nb(course / "release" / ASSIGNMENT / NOTEBOOK)
    source_nb = read_nb(SOURCE)
    items = sorted(points(source_nb))
    half = items[: len(items) // 2]
    students = {
        "correct": {i: "key" for i in items},
        "blank": {},
        "half": {i: "key" for i in half},
        "rigged": {i: RIGGED_EQUALITY for i in items},
        "drops-tests": {items[0]: DROP_ASSERTS},
    }
    for student, answers in students.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission(release_nb, source_nb, answers), folder / NOTEBOOK)

    nbgrader(course, "autograde", ASSIGNMENT, env=env)
    nbgrader(course, "generate_feedback", ASSIGNMENT, env=env)

    full = sum(points(source_nb).values())
    expected = {"correct": full, "blank": 0, "half": sum(points(source_nb)[i] for i in half), "rigged": 0,
                "drops-tests": 0}
    with Gradebook(url, COURSE_ID) as gradebook:
        scores = {s: gradebook.find_submission(ASSIGNMENT, s).code_score for s in students}
    assert scores == expected
    assert not (course / "gradebook.db").exists(), "nbgrader wrote a SQLite gradebook instead of using COURSE_DB_URL"
    for student in students:
        html = (course / "feedback" / student / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "grade(&#39;" not in html


def sessions(server, database: str) -> int:
    """Connections ever made to ``database``, once PostgreSQL has counted every ended one (stats lag a little)."""
    counts = []
    for _ in range(50):
        counts.append(int(server.sql(f"SELECT sessions FROM pg_stat_database WHERE datname = '{database}'") or 0))
        if len(counts) >= 3 and counts[-1] == counts[-3]:
            break
        time.sleep(0.1)
    return counts[-1]


@pytest.mark.slow
def test_grading_launcher_grades_on_one_connection(postgres_server, course):
    """Does the workflow's launcher autograde a submission on one connection, where nbgrader opens one per step?"""
    url = postgres_server.new_database("connections")
    env = course_env(COURSE_DB_URL=url)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", env=env)
    release_nb, source_nb = read_nb(course / "release" / ASSIGNMENT / NOTEBOOK), read_nb(SOURCE)
    for student in ("plain", "launched"):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission(release_nb, source_nb, answers_for("correct", sorted(points(source_nb)))),
                       folder / NOTEBOOK)
    used = {}
    for student, command in (("plain", ["-m", "nbgrader"]), ("launched", ["-m", "oud_course.grading.cli"])):
        before = sessions(postgres_server, "connections")
        done = subprocess.run([sys.executable, *command, "autograde", ASSIGNMENT, "--student", student],
                              cwd=course, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-4000:]
        used[student] = sessions(postgres_server, "connections") - before
    assert used["plain"] >= 5, f"nbgrader alone opened {used['plain']} connections: the count measures nothing"
    assert used["launched"] == 1, used
    with Gradebook(url, COURSE_ID) as gradebook:
        scores = {s: gradebook.find_submission(ASSIGNMENT, s).score for s in used}
    assert scores == {s: expected_score("correct", source_nb) for s in used}


def class_course(folder: Path, release_nb, source_nb) -> Path:
    """A course folder with the 12 submissions in submitted/, and nbgrader's log kept in nbgrader.log."""
    course = make_course(folder)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(f"c.NbGrader.logfile = {str(course / 'nbgrader.log')!r}  # test: keep every command's log\n")
    items = sorted(points(source_nb))
    for student, kind in CLASS.items():
        target = course / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(submission(release_nb, source_nb, answers_for(kind, items)), target / NOTEBOOK)
        (target / "timestamp.txt").write_text(ON_TIME)
    return course


def grade_class(course: Path, url: str, workers: int) -> tuple[str, float]:
    """Run ``python -m oud_course.grade`` (the `make grade` command) on the class; return its logs and seconds."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", ASSIGNMENT, "--workers", str(workers)],
                          cwd=course, env=course_env(COURSE_DB_URL=url), capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - start
    log = done.stdout + done.stderr + (course / "nbgrader.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, f"grading with {workers} worker(s) failed:\n{log[-6000:]}"
    return log, seconds


@pytest.mark.slow
def test_parallel_grading_equals_serial(postgres_server, tmp_path):
    """Do 2 workers on one PostgreSQL gradebook give the same grades as 1, with no lock trouble?"""
    release_nb = read_nb(REPO / "release" / ASSIGNMENT / NOTEBOOK)
    source_nb = read_nb(SOURCE)
    runs = {}
    for workers in (1, 2):
        course = class_course(tmp_path / f"course-{workers}", release_nb, source_nb)
        url = postgres_server.new_database(f"class_workers_{workers}")
        log, seconds = grade_class(course, url, workers)
        with open(course / "grading-report.csv", newline="", encoding="utf-8") as handle:
            report = list(csv.DictReader(handle))
        runs[workers] = {"course": course, "log": log, "seconds": seconds, "report": report}
        print(f"\n{len(CLASS)} submissions graded with {workers} worker(s) on PostgreSQL in {seconds:.1f} s")

        graded_in_log = {s for s in CLASS if f"/autograded/{s}/{ASSIGNMENT}/" in log}
        assert graded_in_log == set(CLASS), "nbgrader's log does not cover every submission, so it proves nothing"
        trouble = sorted({line.strip() for line in log.splitlines() if LOCK_TROUBLE.search(line)})
        assert not trouble, f"lock trouble with {workers} worker(s):\n" + "\n".join(trouble[:20])
        assert sorted(row["student"] for row in report) == sorted(CLASS)
        assert {(row["student"], row["status"], row["reason"]) for row in report} == {(s, "graded", "") for s in CLASS}
        assert not (course / "gradebook.db").exists(), "grade wrote a SQLite gradebook instead of using COURSE_DB_URL"

    serial = (runs[1]["course"] / "grades.csv").read_text(encoding="utf-8")
    parallel = (runs[2]["course"] / "grades.csv").read_text(encoding="utf-8")
    assert parallel == serial
    grades = {row["student_id"]: float(row[ASSIGNMENT]) for row in csv.DictReader(serial.splitlines())}
    assert grades == {s: expected_score(kind, source_nb) for s, kind in CLASS.items()}
