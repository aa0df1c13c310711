"""The term's settings (flavour, due dates, extensions) and late penalties on the whole score, on a temporary gradebook."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from course_tools import BIN
from nbgrader.api import Gradebook
from term_tools import add_check, add_submission

from oud_course import term
from oud_course.grade import Outcome, write_report
from oud_course.grading.plugins import PercentPerDayLate

DUE = datetime(2026, 12, 1, 13, 0, tzinfo=timezone.utc)
SETTINGS = {
    "ASSIGNMENTS": ["01-a", "03-c"],
    "CHECKS": {"01-a": {"flavour": "practice"}, "03-c": {"flavour": "credit", "due": DUE.isoformat()}},
    "EXTENSIONS": {"03-c": {"ext": "2 days", "short": "12 hours"}},
    "DUE_DATES": {"01-a": "2026-11-01T09:00:00-05:00", "03-c": "2000-01-01T00:00:00+00:00"},
}


def test_flavour_comes_from_checks_and_defaults_to_practice():
    """Is a credit check credit, a practice check practice, and a check the class was not given practice (as release/)?"""
    assert term.flavour(SETTINGS, "03-c") == "credit"
    assert term.flavour(SETTINGS, "01-a") == "practice"
    assert term.flavour({"CHECKS": {}}, "03-c") == "practice"


def test_due_date_from_checks_before_due_dates():
    """Does CHECKS' due date win over DUE_DATES, and a check without one in CHECKS fall back to DUE_DATES?"""
    assert term.due_date(SETTINGS, "03-c") == DUE
    assert term.due_date(SETTINGS, "01-a") == datetime(2026, 11, 1, 14, 0, tzinfo=timezone.utc)
    assert term.due_date({"CHECKS": {}}, "01-a") is None


def test_a_due_date_without_a_utc_offset_is_refused():
    """Is a due date without its UTC offset (which would be read in the grader's time zone) an error naming the check?"""
    with pytest.raises(ValueError, match="03-c needs a UTC offset"):
        term.due_date({"CHECKS": {"03-c": {"due": "2026-12-01T13:00"}}}, "03-c")


@pytest.mark.parametrize("text, hours", [("2 days", 48), ("36 hours", 36), ("1 day 12 hours", 36), ("90 minutes", 1.5),
                                         ("1 week", 168), ("2 Days", 48)])
def test_extension_lengths(text, hours):
    assert term.parse_duration(text) == timedelta(hours=hours)


@pytest.mark.parametrize("text", ["two days", "2", "2 days and a bit", ""])
def test_an_unreadable_extension_is_refused(text):
    with pytest.raises(ValueError):
        term.parse_duration(text)


def test_settings_mistakes_are_named():
    """Does a check not in source/, a flavour that is not one, or an unreadable extension each get a line?"""
    problems = term.check_settings({"ASSIGNMENTS": ["03-c"], "CHECKS": {"04-x": {}, "03-c": {"flavour": "graded"}},
                                    "EXTENSIONS": {"03-c": {"ana": "soon"}}})
    assert any("04-x, which is not a check in source/" in p for p in problems)
    assert any('"flavour": "practice" or "credit"' in p for p in problems)
    assert any('EXTENSIONS["03-c"]["ana"]' in p for p in problems)
    assert term.check_settings(SETTINGS) == []


def test_explanations_open_for_practice_at_once_and_for_credit_after_every_extension():
    """Practice: at once. Credit: only once the due date and the longest extension have passed; never without a due date."""
    assert term.explanations_open(SETTINGS, "01-a", now=DUE - timedelta(days=30))
    assert not term.explanations_open(SETTINGS, "03-c", now=DUE + timedelta(days=1))
    assert term.explanations_open(SETTINGS, "03-c", now=DUE + timedelta(days=2))
    assert not term.explanations_open({"CHECKS": {"03-c": {"flavour": "credit"}}}, "03-c")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A gradebook with one credit check and five submissions, made once (creating a gradebook takes seconds)."""
    path = tmp_path_factory.mktemp("term") / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader runs alembic by name
        with Gradebook(f"sqlite:///{path}") as gradebook:
            add_check(gradebook, "03-c")
            for student in ("ontime", "late", "ext", "short", "blank"):
                gradebook.add_student(student)
            naive = DUE.replace(tzinfo=None)
            add_submission(gradebook, "03-c", "ontime", naive - timedelta(hours=1), auto=10, manual=2)
            add_submission(gradebook, "03-c", "late", naive + timedelta(hours=30), auto=4, manual=None)
            add_submission(gradebook, "03-c", "ext", naive + timedelta(hours=30), auto=10, manual=1)
            add_submission(gradebook, "03-c", "short", naive + timedelta(hours=30), auto=6, manual=None)
            add_submission(gradebook, "03-c", "blank", naive + timedelta(hours=30), auto=0, manual=0)
    return path


@pytest.fixture
def gradebook(template, tmp_path):
    shutil.copyfile(template, tmp_path / "gradebook.db")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        yield gradebook


def _net(gradebook, student):
    submission = gradebook.find_submission("03-c", student)
    return round(submission.score - sum(n.late_submission_penalty or 0 for n in submission.notebooks), 6)


def test_late_penalty_is_taken_from_the_whole_score_after_hand_grading(gradebook):
    """Two started days late is 20 % of autograded plus manual points, whichever was entered last."""
    plugin = PercentPerDayLate()
    term.settle(gradebook, SETTINGS, plugin)
    assert _net(gradebook, "late") == 3.2  # 4 autograded, 20 % off
    grade = gradebook.find_grade("task", "03-c-check", "03-c", "late")
    grade.manual_score = 1.0  # the short answer graded in the formgrader afterwards
    gradebook.db.commit()
    term.settle(gradebook, SETTINGS, plugin)
    assert _net(gradebook, "late") == 4.0  # 20 % of 5, not of the autograded 4 (which would give 4.2)
    assert _net(gradebook, "ontime") == 12.0
    assert _net(gradebook, "blank") == 0.0


def test_extensions_move_the_due_date_for_one_student(gradebook):
    """Is a student with 2 days more on time at 30 hours late, and one with 12 hours more one started day late?"""
    term.settle(gradebook, SETTINGS, PercentPerDayLate())
    assert _net(gradebook, "ext") == 11.0
    assert _net(gradebook, "short") == 5.4  # 18 hours past the extended due date: one day, 10 % of 6
    submission = gradebook.find_submission("03-c", "ext")
    assert submission.extension == timedelta(days=2) and submission.total_seconds_late == 0
    assert gradebook.find_assignment("03-c").duedate == DUE.replace(tzinfo=None)


def test_settle_touches_only_the_students_named(gradebook):
    term.settle(gradebook, SETTINGS, PercentPerDayLate(), ["03-c"], ["short"])
    assert _net(gradebook, "late") == 4.0 and _net(gradebook, "short") == 5.4


def test_one_account_on_the_exchange_is_warned_about(tmp_path):
    """Two submissions made from one OS account: warned. From two accounts, or just one submission: no warning."""
    settings = {"COURSE_ID": "c", "c": type("C", (), {"Exchange": type("E", (), {"root": str(tmp_path)})})}
    inbound = tmp_path / "c" / "inbound"
    first = inbound / "root+03-c+2026-12-01 10:00:00.000000 UTC"
    first.mkdir(parents=True)
    assert term.one_account_warning(settings, "03-c") == ""
    second = inbound / "root+03-c+2026-12-01 11:00:00.000000 UTC"
    second.mkdir()
    assert "was made from one OS account" in term.one_account_warning(settings, "03-c")
    if os.geteuid() == 0:
        os.chown(second, 65534, 65534)
        assert term.one_account_warning(settings, "03-c") == ""


def test_grading_report_keeps_every_run(tmp_path):
    """Does a second run add its rows under its own run time, keeping the first run's?"""
    path = tmp_path / "grading-report.csv"
    path.write_text("assignment,student,status,seconds,reason\n03-c,x,graded,1.0,\n")  # a report without runs
    write_report(path, [Outcome("01-a", "ana", "graded", "", 1.0)], run="2026-12-01T10:00:00+00:00")
    write_report(path, [Outcome("03-c", "ana", "failed", "Timeout", 2.0)], run="2026-12-02T10:00:00+00:00")
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["run"], r["assignment"], r["status"]) for r in rows] == [
        ("2026-12-01T10:00:00+00:00", "01-a", "graded"), ("2026-12-02T10:00:00+00:00", "03-c", "failed")]


def test_grading_report_carries_no_control_characters_a_submission_chose(tmp_path):
    """A notebook named with a terminal escape reaches the report (and the terminal) as '?', not as an escape."""
    path = tmp_path / "grading-report.csv"
    write_report(path, [Outcome("01-a", "ana", "failed", "ignored unexpected notebook \x1b[2J\x1b]0;x\x07.ipynb", 1.0)])
    text = path.read_text()
    assert "\x1b" not in text and "\x07" not in text
    assert "ignored unexpected notebook ?[2J?]0;x?.ipynb" in text
