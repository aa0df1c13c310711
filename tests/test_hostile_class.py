"""A class of thirty over two checks, honest and hostile, graded by `make grade`'s workflow."""

from __future__ import annotations

import csv
import os
import sqlite3
import stat
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from class_simulation import DUE_DATE, cgroups_available, roster, write_submission
from course_tools import CHECKS, REPO, course_env, make_course, read_nb

from oud_course.grading.sandbox import sandbox_available

ASSIGNMENTS = [p.parent.name for p in CHECKS[:2]]


SECRET = "grader-secret-7f3c9a"  # in the grader's environment, as a database password would be
PROTECTED = ("course_config.py", "nbgrader_config.py")


def run_grading(course, env, workers: int = 1) -> tuple[dict, dict]:
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", *ASSIGNMENTS, "--root", str(course),
                           "--workers", str(workers)], env=env, capture_output=True, text=True, timeout=3600)
    # The class has submissions that cannot be graded (not JSON, renamed): the exit status says so, after grading the rest.
    assert done.returncode == 1 and "not graded: invalid-json" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
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
    protected = [*(course / name for name in PROTECTED), *(course / "source").rglob("*"),
                 *(course / "submitted" / "honest-01").rglob("*.ipynb")]
    snapshot = {p: p.read_bytes() for p in protected if p.is_file()}
    env = course_env(PGPASSWORD=SECRET, GRADER_TOKEN=SECRET)
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
    """After the attacks on the gradebook, source, course files and other students' files, are they all intact?"""
    plan, _, _, _, course, snapshot = graded_class
    for path, data in snapshot.items():
        assert not path.is_symlink() and path.read_bytes() == data, f"{path} was changed"
        assert path.stat().st_mode & 0o222, f"{path} lost its write bits (a chmod followed a link)"
    assert os.stat("/dev/zero").st_mode & 0o666 == 0o666
    gradebook = course / "gradebook.db"
    assert not gradebook.is_symlink() and gradebook.read_bytes()[:16] == b"SQLite format 3\x00"
    with sqlite3.connect(gradebook) as db:
        students = {row[0] for row in db.execute("select id from student")}
    assert {name for _, name in plan} <= students


class _ScriptFinder(HTMLParser):
    """Collects every script element and event-handler attribute that would run the PWNED payload."""

    def __init__(self):
        super().__init__()
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        self.found += [f"{tag} {name}" for name, value in attrs
                       if name.startswith("on") or (value or "").lstrip().lower().startswith("javascript:")]

    def handle_data(self, data):
        if self._in_script and "PWNED" in data:
            self.found.append("script element")

    def handle_endtag(self, tag):
        self._in_script = False


def live_script(html: str) -> list[str]:
    finder = _ScriptFinder()
    finder.feed(html)
    return finder.found


def _files(course):
    """Every file of autograded/ and feedback/ that came from a submission (not the LMS zips the course builds)."""
    for folder in ("autograded", "feedback"):
        yield from (p for p in (course / folder).rglob("*")
                    if (not p.is_dir() or p.is_symlink()) and "_uploads" not in p.relative_to(course).parts)


@pytest.mark.slow
def test_autograded_and_feedback_hold_only_small_regular_files(graded_class):
    """Is every file graders and students get back a regular file, under its cap, with no copy of a protected file?"""
    _, _, _, _, course, _ = graded_class
    protected = {(course / name).read_bytes() for name in PROTECTED} | {(course / "gradebook.db").read_bytes()[:4096]}
    for path in _files(course):
        info = os.lstat(path)
        assert stat.S_ISREG(info.st_mode) and info.st_nlink == 1, f"{path} is not a plain regular file"
        assert info.st_size < 6_000_000, f"{path} is {info.st_size} bytes"
        data = path.read_bytes()
        assert not any(data.startswith(p) for p in protected), f"{path} is a copy of a protected file"
        assert path.suffix in (".ipynb", ".html", ".txt"), f"{path} was copied back"


@pytest.mark.slow
def test_no_secret_of_the_grader_reaches_a_submission(graded_class):
    """Does no autograded notebook or feedback page hold a value from the grader's environment?"""
    _, _, _, _, course, _ = graded_class
    leaks = [p for p in _files(course) if SECRET.encode() in p.read_bytes()]
    assert leaks == []


@pytest.mark.slow
def test_no_live_script_in_feedback_or_autograded_notebooks(graded_class):
    """Is every script, event handler and SVG a submission produced escaped or removed?"""
    _, _, _, _, course, _ = graded_class
    for student in ("injects-script", "script-in-written-answer"):
        for path in (course / "feedback" / student).rglob("*.html"):
            assert live_script(path.read_text()) == [], path
        for path in (course / "autograded" / student).rglob("*.ipynb"):
            outputs = [o for c in read_nb(path).cells for o in c.get("outputs", [])]
            mimes = {m for o in outputs for m in o.get("data", {})}
            assert not mimes & {"application/javascript", "image/svg+xml"}, mimes
            assert not any("<script" in str(o.get("data", {}).get("text/html", "")) for o in outputs)


@pytest.mark.slow
def test_limits_stop_the_submission_that_hits_them_with_the_reason(graded_class):
    """Does the memory hog's notebook say which limit stopped it, and the disk filler's that its writes were stopped?"""
    _, _, _, _, course, _ = graded_class
    hog = next((course / "autograded" / "hogs-memory").rglob("*.ipynb")).read_text()
    if cgroups_available():
        assert "KernelStopped" in hog and "memory limit of 1024 MiB reached" in hog
    else:  # the fallback's address-space limit makes the allocation fail inside the kernel
        assert "MemoryError" in hog
    filler = next((course / "autograded" / "fills-disk").rglob("*.ipynb"))
    printed = "".join(o.get("text", "") for c in read_nb(filler).cells for o in c.get("outputs", []))
    assert printed.count("stopped:") == 2, printed


@pytest.mark.slow
def test_planted_files_are_set_aside_and_named(graded_class):
    """Are links, the hard link, the FIFO and the oversized file set aside (kept for the instructor) and named in the report?"""
    _, _, report, _, course, _ = graded_class
    for assignment in ASSIGNMENTS:
        reason = report[assignment, "plants-files"]["reason"]
        for name, why in [("gradebook.db", "a symbolic link"), ("answers", "a symbolic link"), ("zero.bin", "a symbolic link"),
                          ("config-copy.py", "a hard link"), ("pipe", "a FIFO"), ("data.bin", "over 5 MB")]:
            assert f"set aside {name} ({why}" in reason, (name, reason)
            assert os.path.lexists(course / "intake" / assignment / "set-aside" / "submitted" / "plants-files" / name)
        assert (course / "feedback" / "plants-files" / assignment / "notes.txt").is_file()


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
