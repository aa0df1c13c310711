"""A class of thirty over two checks, honest and hostile, graded by `make grade`'s workflow."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from class_simulation import DUE_DATE, roster, write_submission
from course_tools import CHECKS, REPO, course_env, make_course, read_nb

from oud_course.grading.sandbox import sandbox_available

ASSIGNMENTS = [p.parent.name for p in CHECKS[:2]]


def run_grading(course, env, workers: int = 1) -> tuple[dict, dict]:
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", *ASSIGNMENTS, "--root", str(course),
                           "--workers", str(workers)], env=env, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with open(course / "grades.csv") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    with open(course / "grading-report.csv") as handle:
        report = {(row["assignment"], row["student"]): row for row in csv.DictReader(handle)}
    return grades, report


def set_up_class(course) -> dict:
    """Write every student's submissions; return (assignment, student) -> Student."""
    with open(course / "course_config.py", "a") as config:
        config.write("\nc.Execute.timeout = 5  # the endless loop costs 5 s here, not a minute\n")
        config.write(f"DUE_DATES.update({{a: {DUE_DATE!r} for a in {ASSIGNMENTS!r}}})\n")
    plan = {}
    for assignment in ASSIGNMENTS:
        source = next(p for p in CHECKS if p.parent.name == assignment)
        release_nb, source_nb = read_nb(REPO / "release" / assignment / source.name), read_nb(source)
        for student in roster(source_nb):
            write_submission(student, release_nb, source_nb, course / "submitted" / student.name / assignment, source.name)
            plan[assignment, student.name] = student
    return plan


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class graded twice on SQLite: (plan, first grades, first report, second grades, course)."""
    if len(ASSIGNMENTS) < 2:
        pytest.fail("the class simulation needs two checks in source/")
    if sandbox_available():
        from course_tools import missing
        missing(sandbox_available())
    course = make_course(tmp_path_factory.mktemp("hostile") / "course")
    plan = set_up_class(course)
    honest_before = (course / "submitted" / "honest-01").rglob("*.ipynb")
    snapshot = {p: p.read_bytes() for p in honest_before}
    env = course_env()
    grades, report = run_grading(course, env)
    again, _ = run_grading(course, env)
    return plan, grades, report, again, course, snapshot


@pytest.mark.slow
def test_every_student_gets_exactly_what_they_earned(graded_class):
    """Does each of the thirty students get, per check, exactly the points their answers earned?"""
    plan, grades, _, _, _, _ = graded_class
    wrong = {}
    for (assignment, name), student in plan.items():
        got = float(grades[name][assignment]) if name in grades else 0.0
        if abs(got - student.expected) > 1e-6:
            wrong[f"{name}/{assignment}"] = (got, student.expected)
    assert wrong == {}, "got vs expected"
    assert len({name for _, name in plan}) >= 30


@pytest.mark.slow
def test_faults_are_reported_with_a_reason(graded_class):
    """Is every submission graded or recorded as failed, each fault with a reason an instructor can act on?"""
    plan, _, report, _, _, _ = graded_class
    assert set(report) == set(plan), "every submission appears in the report"
    for key, student in plan.items():
        row = report[key]
        assert row["status"] == student.status, (key, row)
        assert student.reason in row["reason"], (key, row["reason"])


@pytest.mark.slow
def test_nothing_outside_a_submission_was_touched(graded_class):
    """After the attack on the gradebook, source and other students' files, are they all intact?"""
    _, _, _, _, course, snapshot = graded_class
    assert (course / "gradebook.db").stat().st_size > 0
    assert (course / "source" / ASSIGNMENTS[0]).is_dir()
    for path, data in snapshot.items():
        assert path.read_bytes() == data, f"{path} was changed"


@pytest.mark.slow
def test_grading_again_gives_the_same_grades(graded_class):
    """Does a second run of the whole batch give the same grade for every student?"""
    _, grades, _, again, _, _ = graded_class
    assert again == grades


@pytest.fixture(scope="module")
def graded_on_postgres(tmp_path_factory, postgres_server, graded_class):
    """The same class graded once on a PostgreSQL gradebook by two parallel workers."""
    course = make_course(tmp_path_factory.mktemp("hostile-pg") / "course")
    set_up_class(course)
    env = course_env(COURSE_DB_URL=postgres_server.new_database("hostile_class"))
    return run_grading(course, env, workers=2)


@pytest.mark.slow
def test_parallel_grading_on_postgres_matches_serial_sqlite(graded_class, graded_on_postgres):
    """On PostgreSQL with two workers, does every student get the grade the serial SQLite run gave?"""
    _, grades, report, _, _, _ = graded_class
    pg_grades, pg_report = graded_on_postgres
    assert pg_grades == grades
    assert {k: r["status"] for k, r in pg_report.items()} == {k: r["status"] for k, r in report.items()}
    assert not any("lock" in r["reason"].lower() or "OperationalError" in r["reason"] for r in pg_report.values())
