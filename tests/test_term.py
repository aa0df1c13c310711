"""A whole term, as an instructor runs it on one machine: every number the class sees equals one worked out here.

Check 01 is practice and goes through nbgrader's exchange, each student submitting from an OS account of their
own; check 03 is for credit and comes back as a Canvas download. Five students: all right, half right, blank, late
(no extension) and late with an extension. Then: short answers marked through nbgrader's API, feedback, export,
a wrong key fixed in 03 and regraded. grades.csv, its detail, the Canvas and Moodle files and each feedback page
are compared with the scores computed from the item points.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from class_simulation import answer_cells, item_points, key_code
from course_tools import course_env, make_course, missing, read_nb

from oud_course.grading.sandbox import sandbox_available

PRACTICE, CREDIT = "01-opioids-and-the-body", "03-dependence-cycle"
# OS account = nbgrader id -> first name, last name, Canvas user id
STUDENTS = {"oudt-right": ("Right", "Oudt", "2001"), "oudt-half": ("Half", "Oudt", "2002"),
            "oudt-blank": ("Blank", "Oudt", "2003"), "oudt-late": ("Late", "Oudt", "2004"),
            "oudt-ext": ("Ext", "Oudt", "2005")}
FIXED_ITEM, OLD_KEY, NEW_KEY = "q5", "c", "a"  # the credit check's wrong key, fixed mid-term
MANUAL = {(PRACTICE, "oudt-right"): 3.0, (PRACTICE, "oudt-late"): 2.0,
          (CREDIT, "oudt-right"): 2.0, (CREDIT, "oudt-half"): 1.0, (CREDIT, "oudt-ext"): 2.0}
LATE_PERCENT = 10  # one started day late (grace set to 0 here)


def _notebook(assignment):
    return f"{assignment}-check"


def plan(assignment: str, student: str, items: list[str]) -> dict:
    """item -> "key" or code, for what each student answers."""
    if student == "oudt-blank":
        return {}
    if student == "oudt-half":
        return {i: "key" for i in items[: len(items) // 2]}
    answers = {i: "key" for i in items}
    if assignment == CREDIT and student == "oudt-late":
        answers[FIXED_ITEM] = f'{FIXED_ITEM} = "{NEW_KEY}"'  # wrong under the old key, right under the fixed one
    return answers


def answered(release_nb, source_nb, answers: dict):
    nb = nbformat.from_dict(release_nb)
    keys = {item: key_code(cell) for item, cell in answer_cells(source_nb).items()}
    for item, cell in answer_cells(nb).items():
        if item in answers:
            cell.source = keys[item] if answers[item] == "key" else answers[item]
    return nb


def hand_computed(points: dict, fixed: bool) -> dict:
    """(assignment, student) -> (raw, penalty, score), from item points, the plans, the manual marks and lateness."""
    out = {}
    for assignment, item_pts in points.items():
        items = sorted(item_pts)
        for student in STUDENTS:
            auto = 0.0
            for item, how in plan(assignment, student, items).items():
                right = how == "key"
                if assignment == CREDIT and item == FIXED_ITEM and fixed:
                    right = how != "key"  # the key moved from OLD_KEY to NEW_KEY
                auto += item_pts[item] if right else 0.0
            raw = auto + MANUAL.get((assignment, student), 0.0)
            late = assignment == PRACTICE and student == "oudt-late"
            penalty = round(raw * LATE_PERCENT / 100, 2) if late else 0.0
            out[assignment, student] = (raw, penalty, raw - penalty)
    return out


def run(args, env, cwd=None, timeout=1800) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _reachable_by_all(path: str) -> bool:
    """Whether any OS account may run the file at ``path`` (every folder on the way searchable by all)."""
    real = Path(os.path.realpath(path))
    if not real.is_file():
        return False
    return all(os.stat(folder).st_mode & 0o001 for folder in real.parents) and bool(os.stat(real).st_mode & 0o001)


class Accounts:
    """Students' OS accounts, created for the test and removed after it."""

    def __init__(self):
        if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"):
            missing("the exchange with one OS account per student needs root and useradd/runuser (run the tests as root)")
        self.made = []
        # A Python of this version that any account can run (the venv's may sit under /root), with the venv's packages.
        version = f"python3.{sys.version_info.minor}"
        candidates = [sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"]
        self.python = next((p for p in candidates if _reachable_by_all(p)), None)
        if self.python is None:
            missing(f"no {version} that other OS accounts may run (tried {', '.join(candidates)})")
        self.site = sysconfig.get_paths()["purelib"]

    def add(self, name: str) -> None:
        subprocess.run(["userdel", "-r", name], capture_output=True)
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True, capture_output=True)
        self.made.append(name)

    def nbgrader(self, name: str, *args: str) -> subprocess.CompletedProcess:
        home = f"/home/{name}"
        boot = (f"import site, sys; site.addsitedir({self.site!r}); sys.argv[0] = 'nbgrader'; "
                "from nbgrader.apps.nbgraderapp import main; main()")
        done = subprocess.run(["runuser", "-u", name, "--", "env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin",
                               self.python, "-c", boot, *args], cwd=home, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{name}: nbgrader {' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        return done

    def remove(self) -> None:
        for name in self.made:
            subprocess.run(["userdel", "-r", name], capture_output=True)


def exchange_args(exchange: Path) -> list[str]:
    return ["--course", "oud-course", f"--Exchange.root={exchange}"]


def snapshot(course: Path) -> dict:
    """What the class and the instructor see: grades.csv, its detail, the Canvas and Moodle files, feedback pages."""
    def rows(name):
        with open(course / name, newline="", encoding="utf-8") as handle:
            return list(csv.reader(handle))
    pages = {}
    for page in (course / "feedback").glob("*/*/*.html"):
        html = page.read_text(encoding="utf-8")
        total = re.search(r"\(Score: ([\d.]+) / ([\d.]+)\)</h4>", html)
        late = re.search(r"Late submission penalty \(Score: -([\d.]+)\)", html)
        pages[page.parent.name, page.parent.parent.name] = (float(total.group(1)), float(total.group(2)),
                                                             float(late.group(1)) if late else 0.0)
    return {"grades": rows("grades.csv"), "detail": rows("grades-detail.csv"), "canvas": rows("grades-canvas.csv"),
            "moodle": rows("grades-moodle.csv"), "feedback": pages}


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """Run the term; returns the course, item points, what was seen before and after the key fix, and command output."""
    if sandbox_available():
        missing(sandbox_available())
    accounts = Accounts()
    exchange = Path(tempfile.mkdtemp(prefix="oud-term-exchange-"))
    os.chmod(exchange, 0o755)  # the students' accounts reach the course's inbound and outbound folders through it
    course = make_course(tmp_path_factory.mktemp("term") / "course")
    env = course_env(COURSE_EXCHANGE_ROOT=str(exchange))
    py = [sys.executable]
    with open(course / "course_config.py", "a", encoding="utf-8") as config:
        config.write(f'\nCHECKS.update({{"{PRACTICE}": {{"flavour": "practice"}}, "{CREDIT}": {{"flavour": "credit", '
                     f'"due": "2026-12-01T13:00:00+00:00", "lms_column": "Check 3 (4711)"}}}})\n'
                     f'EXTENSIONS.update({{"{PRACTICE}": {{"oudt-ext": "2 days"}}}})\n'
                     'LMS = "canvas"\nc.FileNameCollectorPlugin.named_regexp = DOWNLOAD_NAMES[LMS]\n'
                     "c.PercentPerDayLate.grace_minutes = 0  # seconds late count here\n")
    out = {}
    try:
        # 1. Release (make release) and the roster (nbgrader db student import).
        out["release"] = run(py + ["-m", "oud_course.build", "release", "--root", str(course),
                                   "--only", PRACTICE, "--only", CREDIT], env).stdout
        with open(course / "roster.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
            for sid, (first, last, lms_id) in STUDENTS.items():
                writer.writerow([sid, first, last, f"{sid}@example.edu", lms_id])
        run(py + ["-m", "nbgrader", "db", "student", "import", "roster.csv"], env, cwd=course)
        sources = {a: read_nb(course / "source" / a / f"{_notebook(a)}.ipynb") for a in (PRACTICE, CREDIT)}
        points = {a: item_points(nb) for a, nb in sources.items()}  # autograded items; the short answer apart
        maxima = {a: sum(points[a].values()) + sum(float(c.metadata["nbgrader"]["points"]) for c in nb.cells
                                                   if c.metadata.get("nbgrader", {}).get("task")) for a, nb in sources.items()}

        # 2. The practice check through the exchange: each student fetches and submits from their own account.
        out["hand-out"] = run(py + ["-m", "oud_course.term", "hand-out", PRACTICE, "--root", str(course)], env).stdout
        release_nb = read_nb(course / "release" / PRACTICE / f"{_notebook(PRACTICE)}.ipynb")
        for student in STUDENTS:
            accounts.add(student)
            accounts.nbgrader(student, "fetch_assignment", PRACTICE, *exchange_args(exchange))
            path = Path(f"/home/{student}/{PRACTICE}/{_notebook(PRACTICE)}.ipynb")
            nbformat.write(answered(release_nb, sources[PRACTICE], plan(PRACTICE, student, sorted(points[PRACTICE]))), path)
            shutil.chown(path, student, student)
        for student in ("oudt-right", "oudt-half", "oudt-blank"):
            accounts.nbgrader(student, "submit", PRACTICE, *exchange_args(exchange))
        due = datetime.now(timezone.utc) + timedelta(seconds=2)
        with open(course / "course_config.py", "a", encoding="utf-8") as config:
            config.write(f'CHECKS["{PRACTICE}"]["due"] = "{due.isoformat()}"  # after three submissions, before two\n')
        time.sleep(max(0.0, (due - datetime.now(timezone.utc)).total_seconds()) + 2)
        for student in ("oudt-late", "oudt-ext"):
            accounts.nbgrader(student, "submit", PRACTICE, *exchange_args(exchange))

        # 3. The credit check comes back as Canvas's submission download.
        graded_nb = read_nb(course / "build" / "release-graded" / CREDIT / f"{_notebook(CREDIT)}.ipynb")
        archive = course / "downloaded" / CREDIT / "archive"
        archive.mkdir(parents=True)
        with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
            for n, (student, (first, last, lms_id)) in enumerate(STUDENTS.items()):
                nb = answered(graded_nb, sources[CREDIT], plan(CREDIT, student, sorted(points[CREDIT])))
                bundle.writestr(f"{last.lower()}{first.lower()}_{lms_id}_{9000 + n}_{_notebook(CREDIT)}.ipynb",
                                nbformat.writes(nb))

        # 4. make grade, once per way in; a plain make grade would grade exactly these two.
        out["grade-exchange"] = run(py + ["-m", "oud_course.grade", PRACTICE, "--collect", "exchange", "--root", str(course)], env).stdout
        out["grade-zip"] = run(py + ["-m", "oud_course.grade", CREDIT, "--collect", "zip", "--root", str(course)], env).stdout

        # 5. Short answers marked by hand, through nbgrader's API (as the formgrader saves them).
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
            for (assignment, student), mark in MANUAL.items():
                task = next(c for c in sources[assignment].cells if c.metadata.get("nbgrader", {}).get("task"))
                grade = gradebook.find_grade(task.metadata["nbgrader"]["grade_id"], _notebook(assignment), assignment, student)
                grade.manual_score = mark
            gradebook.db.commit()

        # 6. Feedback (released through the exchange where it can be) and the export.
        out["feedback"] = run(py + ["-m", "oud_course.term", "feedback", "--root", str(course)], env).stdout
        accounts.nbgrader("oudt-late", "fetch_feedback", PRACTICE, *exchange_args(exchange))
        out["fetched"] = sorted(p.name for p in Path("/home/oudt-late").rglob("*.html"))
        out["fetched-html"] = next(Path("/home/oudt-late").rglob("*.html")).read_text() if out["fetched"] else ""
        run(py + ["-m", "oud_course.term", "export", "--root", str(course)], env)
        before = snapshot(course)
        with zipfile.ZipFile(course / "build" / "feedback-zips" / f"{CREDIT}-canvas.zip") as bundle:
            out["canvas-zip"] = {name: bundle.read(name).decode() for name in bundle.namelist()}

        # 7. The credit check's key was wrong: fix it in source/, regrade, write its feedback again.
        path = course / "source" / CREDIT / f"{_notebook(CREDIT)}.ipynb"
        nb = read_nb(path)
        cell = answer_cells(nb)[FIXED_ITEM]
        cell.source = cell.source.replace(f'{FIXED_ITEM} = "{OLD_KEY}"', f'{FIXED_ITEM} = "{NEW_KEY}"', 1)
        nbformat.write(nb, path)
        from oud_course import releases, term
        settings = term.load(course)
        out["check-after-fix"] = releases.check(course, CREDIT, settings)
        out["regrade"] = run(py + ["-m", "oud_course.regrade", CREDIT, "--root", str(course)], env).stdout
        out["check-after-regrade"] = releases.check(course, CREDIT, term.load(course))
        out["feedback-after"] = run(py + ["-m", "oud_course.term", "feedback", CREDIT, "--root", str(course)], env).stdout
        after = snapshot(course)

        # 8. nbgrader's generate run by hand on the released check, after another edit: grading must stop, not switch keys.
        nb = read_nb(path)
        cell = answer_cells(nb)[FIXED_ITEM]
        cell.source = cell.source.replace(f'{FIXED_ITEM} = "{NEW_KEY}"', f'{FIXED_ITEM} = "b"', 1)
        nbformat.write(nb, path)
        run(py + ["-m", "nbgrader", "generate_assignment", CREDIT, "--force"], env, cwd=course)
        out["switched"] = subprocess.run(py + ["-m", "oud_course.grade", CREDIT, "--root", str(course)], env=env,
                                         capture_output=True, text=True, timeout=900)
        out["grades-after-switch"] = (course / "grades.csv").read_text()
        from oud_course.grade import to_grade
        out["to-grade"] = to_grade(course, term.load(course))
        with open(course / "grading-report.csv", newline="") as handle:
            out["report"] = list(csv.DictReader(handle))
        yield course, points, maxima, before, after, out
    finally:
        accounts.remove()
        shutil.rmtree(exchange, ignore_errors=True)


def _check_all(seen: dict, expected: dict, maxima: dict) -> None:
    students = sorted(STUDENTS)
    grades = {row[0]: row for row in seen["grades"][1:]}
    assert seen["grades"][0][4:] == [PRACTICE, CREDIT, "total", "max_total"]
    assert sorted(grades) == students
    detail = {(r[0], r[1]): r for r in seen["detail"][1:]}
    for student in students:
        for column, assignment in ((4, PRACTICE), (5, CREDIT)):
            raw, penalty, score = expected[assignment, student]
            assert float(grades[student][column]) == pytest.approx(score), (student, assignment)
            row = detail[student, assignment]
            assert [float(row[9]), float(row[11]), float(row[12])] == pytest.approx([raw, penalty, score]), (student, assignment)
            page = seen["feedback"][assignment, student]
            assert page == pytest.approx((score, maxima[assignment], penalty)), (student, assignment)
        total = expected[PRACTICE, student][2] + expected[CREDIT, student][2]
        assert float(grades[student][6]) == pytest.approx(total)
        assert float(grades[student][7]) == pytest.approx(maxima[PRACTICE] + maxima[CREDIT])
    canvas = {row[3]: row for row in seen["canvas"][2:]}
    assert seen["canvas"][0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", PRACTICE, "Check 3 (4711)"]
    assert [float(x) for x in seen["canvas"][1][5:]] == [maxima[PRACTICE], maxima[CREDIT]]
    moodle = {row[0]: row for row in seen["moodle"][1:]}
    for student, (first, last, lms_id) in STUDENTS.items():
        scores = [expected[PRACTICE, student][2], expected[CREDIT, student][2]]
        assert canvas[student][:2] == [f"{last}, {first}", lms_id]
        assert [float(x) for x in canvas[student][5:]] == pytest.approx(scores)
        assert moodle[student][:4] == [student, f"{student}@example.edu", first, last]
        assert [float(x) for x in moodle[student][4:]] == pytest.approx(scores)


@pytest.mark.slow
def test_every_number_before_the_key_fix_is_the_hand_computed_one(term):
    """grades.csv, its detail, Canvas, Moodle and every feedback page: late 10 % of the whole score, the extension honoured."""
    _, points, maxima, before, _, _ = term
    _check_all(before, hand_computed(points, fixed=False), maxima)


@pytest.mark.slow
def test_every_number_after_the_key_fix_is_the_hand_computed_one(term):
    """After the fixed key is regraded, do exactly the students who gave the old or the new key move, everywhere?"""
    _, points, maxima, before, after, _ = term
    _check_all(after, hand_computed(points, fixed=True), maxima)
    old = {row[0]: row for row in before["grades"][1:]}
    assert {row[0] for row in after["grades"][1:] if row != old[row[0]]} == {"oudt-right", "oudt-late", "oudt-ext"}


@pytest.mark.slow
def test_the_instructor_is_told_what_happened(term):
    """Release, hand-out, grading, feedback and the key fix each say what they did; no one-account warning here."""
    out = term[-1]
    assert f"{CREDIT}: credit" in out["release"] and f"students get build/release-graded/{CREDIT}/" in out["release"]
    assert f"{PRACTICE} is in the exchange (practice" in out["hand-out"]
    assert "one OS account" not in out["grade-exchange"] and "graded 5 of 5" in out["grade-exchange"]
    assert "graded 5 of 5" in out["grade-zip"]
    assert "feedback released through the exchange to 5 student(s)" in out["feedback"]
    assert "did not submit through the exchange" in out["feedback"] and f"{CREDIT}-canvas.zip" in out["feedback"]
    notes, stop = out["check-after-fix"]
    assert stop == "" and any(f"source/{CREDIT} changed since its release" in n and FIXED_ITEM in n and "make regrade" in n
                              for n in notes)
    assert out["check-after-regrade"] == ([], "")
    assert out["to-grade"] == ([PRACTICE, CREDIT], [])


@pytest.mark.slow
def test_feedback_reaches_students_through_the_exchange_and_the_lms_zip(term):
    """The late student fetches their feedback from the exchange; Canvas's zip names each file as Canvas reads it."""
    out = term[-1]
    assert out["fetched"] == [f"{_notebook(PRACTICE)}.html"]
    assert "Late submission penalty" in out["fetched-html"]
    names = sorted(out["canvas-zip"])
    assert names == sorted(f"{last.lower()}{first.lower()}_{lms_id}_{9000 + n}_{_notebook(CREDIT)}.html"
                           for n, (first, last, lms_id) in enumerate(STUDENTS.values()))
    ids = {tuple(p for p in name.split("_") if p.isdigit())[:2] for name in names}  # what Canvas reads: user id, file id
    assert ids == {(lms_id, str(9000 + n)) for n, (_, _, lms_id) in enumerate(STUDENTS.values())}


@pytest.mark.slow
def test_every_run_is_in_the_grading_report(term):
    """Does grading-report.csv hold both runs' rows, each under its own run time?"""
    out = term[-1]
    runs = {}
    for row in out["report"]:
        runs.setdefault(row["run"], set()).add((row["assignment"], row["student"]))
    assert sorted(len(v) for v in runs.values()) == [5, 5]
    assert {a for rows in runs.values() for a, _ in rows} == {PRACTICE, CREDIT}


@pytest.mark.slow
def test_grading_stops_when_the_gradebooks_record_was_switched(term):
    """After nbgrader's generate rewrote the released check's record from an edited source/, does make grade grade
    no one and say which item's key would have switched?"""
    course, _, _, _, after, out = term
    done = out["switched"]
    assert done.returncode != 0
    assert f"the gradebook's record of {CREDIT} (items {FIXED_ITEM})" in done.stderr and "make release" in done.stderr
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == after["grades"]
