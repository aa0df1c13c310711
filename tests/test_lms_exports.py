"""The grade export (grades.csv, its detail, Canvas's and Moodle's imports), LMS download names and feedback zips."""

from __future__ import annotations

import csv
import os
import re
import shutil
import zipfile
from datetime import datetime, timedelta

import pytest
from course_tools import BIN, make_course
from nbgrader.api import Gradebook
from term_tools import add_check, add_submission, configure, mark_released

from oud_course import lms
from oud_course.grading.plugins import LmsFileNameCollector, WideCsvExport, download_names

DUE = datetime(2026, 12, 1, 13, 0)  # naive UTC, as nbgrader stores it
ROSTER = [("ana", "Ana", "Lima", "ana@example.edu", "1001"), ("bea", "Bea", "Okafor", "bea@example.edu", "1002"),
          ("cal", "Cal", "Reyes", "cal@example.edu", "1003")]


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A class with 01 (practice) and 03 (credit, due) released, 02 recorded in the gradebook but never released."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader runs alembic by name
        course = make_course(tmp_path_factory.mktemp("lms") / "course")
        configure(course, 'CHECKS.update({"01-opioids-and-the-body": {"flavour": "practice"}, '
                          '"03-dependence-cycle": {"flavour": "credit", "due": "2026-12-01T13:00:00+00:00", '
                          '"lms_column": "Check 3 (4711)"}})\n'
                          'EXTENSIONS.update({"03-dependence-cycle": {"cal": "3 days"}})')
        mark_released(course, {"01-opioids-and-the-body": "practice", "03-dependence-cycle": "credit"})
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
            for assignment in ("03-dependence-cycle", "02-dependence-addiction-oud", "01-opioids-and-the-body"):
                add_check(gradebook, assignment)  # recorded out of course order, as nbgrader lists them by due date
            for sid, first, last, email, lms_id in ROSTER:
                gradebook.add_student(sid, first_name=first, last_name=last, email=email, lms_user_id=lms_id)
            add_submission(gradebook, "03-dependence-cycle", "ana", DUE - timedelta(hours=1), auto=10, manual=2)
            add_submission(gradebook, "03-dependence-cycle", "bea", DUE + timedelta(hours=30), auto=4, manual=1)
            add_submission(gradebook, "03-dependence-cycle", "cal", DUE + timedelta(hours=30), auto=6, manual=0)
            add_submission(gradebook, "01-opioids-and-the-body", "ana", None, auto=7, manual=None)
    return course


@pytest.fixture
def course(template, tmp_path, monkeypatch):
    """A fresh copy of the template class, the working folder inside it."""
    monkeypatch.delenv("COURSE_DB_URL", raising=False)
    course = tmp_path / "course"
    shutil.copytree(template, course)
    monkeypatch.chdir(course)
    return course


def export(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
        WideCsvExport(to=str(course / "grades.csv")).export(gradebook)


def test_grades_csv_has_only_released_checks_in_course_order_after_late_penalties(course):
    """01 and 03 (not the unreleased 02), in course order; Bea 20 % off 5, Cal on time by his extension."""
    export(course)
    rows = read(course / "grades.csv")
    assert rows[0] == ["student_id", "last_name", "first_name", "email", "01-opioids-and-the-body",
                       "03-dependence-cycle", "total", "max_total"]
    assert rows[1:] == [["ana", "Lima", "Ana", "ana@example.edu", "7", "12", "19", "24"],
                        ["bea", "Okafor", "Bea", "bea@example.edu", "0", "4", "4", "24"],
                        ["cal", "Reyes", "Cal", "cal@example.edu", "0", "6", "6", "24"]]


def test_detail_shows_raw_score_penalty_and_result(course):
    """Does grades-detail.csv say why Bea's 5 points are 4: raw 5, penalty 1, 30 hours late, and Cal's extension?"""
    export(course)
    rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(open(course / "grades-detail.csv"))}
    bea = rows["bea", "03-dependence-cycle"]
    assert (bea["autograded"], bea["manual"], bea["raw_score"], bea["late_penalty"], bea["score"]) == ("4", "1", "5", "1", "4")
    assert bea["late_by"] == "1 d 6 h" and bea["flavour"] == "credit" and bea["due"] == "2026-12-01T13:00:00+00:00"
    cal = rows["cal", "03-dependence-cycle"]
    assert cal["extension_hours"] == "72" and cal["late_by"] == "" and cal["late_penalty"] == "0"
    assert rows["bea", "01-opioids-and-the-body"]["submitted"] == "no"


def test_canvas_import_file(course):
    """Canvas's header, a Points Possible row, the Canvas user id and login per student, and the check's Canvas title."""
    export(course)
    rows = read(course / "grades-canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01-opioids-and-the-body", "Check 3 (4711)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "12", "12"]
    assert rows[2:] == [["Lima, Ana", "1001", "", "ana", "", "7", "12"], ["Okafor, Bea", "1002", "", "bea", "", "0", "4"],
                        ["Reyes, Cal", "1003", "", "cal", "", "0", "6"]]
    # As canvas-lms's GradebookImporter checks a header: Student, ID, then SIS User ID, SIS Login ID, and Section last.
    header = rows[0]
    assert "Student" in header[0] and "ID" in header[1] and re.match(r"SIS\s+User\s+ID", header[2])
    assert re.match(r"SIS\s+Login\s+ID", header[3]) and "Section" in header[4]


def test_canvas_login_can_be_the_email(course):
    configure(course, 'LMS_LOGIN = "email"')
    export(course)
    assert [r[3] for r in read(course / "grades-canvas.csv")[2:]] == ["ana@example.edu", "bea@example.edu", "cal@example.edu"]


def test_moodle_import_file(course):
    """Moodle: username, email address and names to map a user by, then one column per check."""
    export(course)
    rows = read(course / "grades-moodle.csv")
    assert rows[0] == ["Username", "Email address", "First name", "Last name", "01-opioids-and-the-body", "Check 3 (4711)"]
    assert rows[1:] == [["ana", "ana@example.edu", "Ana", "Lima", "7", "12"], ["bea", "bea@example.edu", "Bea", "Okafor", "0", "4"],
                        ["cal", "cal@example.edu", "Cal", "Reyes", "0", "6"]]


def test_export_settles_penalties_in_the_gradebook(course):
    """After the export, does the gradebook (what the formgrader and feedback read) hold the same penalty?"""
    export(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
        bea = gradebook.find_submission("03-dependence-cycle", "bea")
        assert sum(n.late_submission_penalty or 0 for n in bea.notebooks) == 1.0


@pytest.mark.parametrize("lms_name, name, expected", [
    ("canvas", "limaana_1001_555_03-dependence-cycle-check.ipynb", ("1001", "03-dependence-cycle-check")),
    ("canvas", "limaana_LATE_1001_556_03-dependence-cycle-check-1.ipynb", ("1001", "03-dependence-cycle-check")),
    ("moodle", "Ana Lima_77_assignsubmission_file_03-dependence-cycle-check.ipynb", ("Ana Lima", "03-dependence-cycle-check")),
    ("moodle", "Ana Lima_77_assignsubmission_file/03-dependence-cycle-check.ipynb", ("Ana Lima", "03-dependence-cycle-check")),
    ("generic", "ana_20261201T120000Z_03-dependence-cycle-check.ipynb", ("ana", "03-dependence-cycle-check.ipynb")),
])
def test_download_name_patterns(lms_name, name, expected):
    """Does each LMS's pattern find the student and the notebook in that LMS's download names?"""
    match = re.match(lms.DOWNLOAD_NAMES[lms_name], f"/x/downloaded/03/extracted/{name}")
    who = match.group("lms_user_id" if lms_name == "canvas" else "full_name" if lms_name == "moodle" else "student_id")
    assert (who, match.group("file_id")) == expected


def test_collector_finds_students_in_the_roster(course):
    """Canvas user id 1002 is Bea; Moodle's "Cal Reyes" is Cal; an unknown id keeps the id the name gives."""
    db = f"sqlite:///{course / 'gradebook.db'}"
    canvas = LmsFileNameCollector(named_regexp=lms.DOWNLOAD_NAMES["canvas"], db_url=db)
    assert canvas.collect("/d/extracted/okaforbea_1002_9_03-dependence-cycle-check.ipynb")["student_id"] == "bea"
    assert canvas.collect("/d/extracted/newstudent_4242_9_03-dependence-cycle-check.ipynb")["student_id"] == "4242"
    moodle = LmsFileNameCollector(named_regexp=lms.DOWNLOAD_NAMES["moodle"], db_url=db)
    assert moodle.collect("/d/extracted/Cal Reyes_31_assignsubmission_file_03-dependence-cycle-check.ipynb")["student_id"] == "cal"


def test_feedback_names_as_each_lms_reads_them():
    """Canvas: the downloaded name (user id, file id) as .html; Moodle: <name>_<participant>_assignfeedback_file/."""
    assert lms.canvas_name("limaana_1001_555_03-dependence-cycle-check.ipynb", "03-dependence-cycle-check") == \
        "limaana_1001_555_03-dependence-cycle-check.html"
    assert lms.canvas_name("ana_20261201T120000Z_03-dependence-cycle-check.ipynb", "x") is None
    assert lms.moodle_name("Ana Lima_77_assignsubmission_file/03-dependence-cycle-check.ipynb", "03-dependence-cycle-check") == \
        "Ana Lima_77_assignfeedback_file/03-dependence-cycle-check.html"
    assert lms.moodle_name("limaana_1001_555_03.ipynb", "x") is None


def test_feedback_zips(course):
    """One file per student in each zip: Canvas and Moodle names from the download, and a by-student zip for the rest."""
    assignment, notebook = "03-dependence-cycle", "03-dependence-cycle-check"
    for student in ("ana", "bea", "cal"):
        (course / "feedback" / student / assignment).mkdir(parents=True)
        (course / "feedback" / student / assignment / f"{notebook}.html").write_text(f"<p>{student}</p>")
    downloads = {"ana": f"limaana_1001_555_{notebook}.ipynb", "bea": f"Bea Okafor_12_assignsubmission_file/{notebook}.ipynb"}
    written, unnamed = lms.feedback_zips(course, assignment, downloads, course / "out")
    assert sorted(p.name for p in written) == [f"{assignment}-by-student.zip", f"{assignment}-canvas.zip", f"{assignment}-moodle.zip"]
    assert unnamed == ["cal"]
    with zipfile.ZipFile(course / "out" / f"{assignment}-canvas.zip") as bundle:
        assert bundle.namelist() == [f"limaana_1001_555_{notebook}.html"] and bundle.read(bundle.namelist()[0]) == b"<p>ana</p>"
    with zipfile.ZipFile(course / "out" / f"{assignment}-moodle.zip") as bundle:
        assert bundle.namelist() == [f"Bea Okafor_12_assignfeedback_file/{notebook}.html"]
    with zipfile.ZipFile(course / "out" / f"{assignment}-by-student.zip") as bundle:
        assert sorted(bundle.namelist()) == [f"{s}/{notebook}.html" for s in ("ana", "bea", "cal")]


def test_download_names_read_back_what_zip_collect_took(course):
    """Are each student's downloaded file names found again from downloaded/<check>/extracted with the course's pattern?"""
    configure(course, 'LMS = "canvas"\nc.FileNameCollectorPlugin.named_regexp = DOWNLOAD_NAMES[LMS]')
    extracted = course / "downloaded" / "03-dependence-cycle" / "extracted" / "lms-download"
    extracted.mkdir(parents=True)
    (extracted / "limaana_1001_555_03-dependence-cycle-check.ipynb").write_text("{}")
    (extracted / "reyescal_LATE_1003_556_03-dependence-cycle-check.ipynb").write_text("{}")
    assert download_names(course, "03-dependence-cycle") == {
        "ana": "lms-download/limaana_1001_555_03-dependence-cycle-check.ipynb",
        "cal": "lms-download/reyescal_LATE_1003_556_03-dependence-cycle-check.ipynb"}


def test_feedback_step_settles_the_late_penalty_first(course):
    """Run before GetGrades, does the feedback step give Bea's page the penalty of her whole current score?"""
    import nbformat

    from oud_course.grading.plugins import SettleLatePenalties

    db = f"sqlite:///{course / 'gradebook.db'}"
    resources = {"nbgrader": {"db_url": db, "assignment": "03-dependence-cycle", "student": "bea",
                              "notebook": "03-dependence-cycle-check"}}
    SettleLatePenalties().preprocess(nbformat.v4.new_notebook(), resources)
    with Gradebook(db, "oud-course") as gradebook:
        assert [n.late_submission_penalty for n in gradebook.find_submission("03-dependence-cycle", "bea").notebooks] == [1.0]
        assert [n.late_submission_penalty for n in gradebook.find_submission("03-dependence-cycle", "cal").notebooks] == [None]


def test_release_record_checks(course):
    """A released check the gradebook lost stops grading; one the gradebook holds unreleased is adopted and said so;
    a released one without a kept source copy is graded without a word."""
    from oud_course import releases, term

    mark_released(course, {"01-opioids-and-the-body": "practice", "03-dependence-cycle": "credit",
                           "04-causes-and-risk-factors": "practice"})
    settings = term.load(course)
    assert releases.check(course, "03-dependence-cycle", settings) == ([], "")
    notes, stop = releases.check(course, "04-causes-and-risk-factors", settings)
    assert notes == [] and "has no record of it" in stop
    notes, stop = releases.check(course, "02-dependence-addiction-oud", settings)
    assert stop == "" and "graded against the gradebook's record, which has no release record" in notes[0]
    assert releases.released(course, settings) == ["01-opioids-and-the-body", "02-dependence-addiction-oud",
                                                   "03-dependence-cycle", "04-causes-and-risk-factors"]


def test_plain_make_grade_with_nothing_released_says_what_to_do(course, capsys):
    """With no check released, does `make grade` grade nothing (not every check in source/) and say how to release one?"""
    from oud_course.grade import main

    (course / "build" / "class" / "releases.json").unlink()
    assert main(["--root", str(course)]) == 2
    err = capsys.readouterr().err
    assert "No check has been released to the class" in err and "make release" in err
    assert "01-opioids-and-the-body is in CHECKS but was not released" in err
    assert not (course / "autograded").exists()
