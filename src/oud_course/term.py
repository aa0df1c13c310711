"""The class's term: which checks were given, in which flavour, when each is due, who has more time.

Every command reads these settings of ``course_config.py`` through this module, so they agree:

- ``CHECKS``: the checks given to the class, ``{"03-dependence-cycle": {"flavour": "credit", "due": "..."}}``;
  flavour "practice" (self-check on, as ``release/``) or "credit" (self-check off, checked when graded);
- ``EXTENSIONS``: more time for one student on one check, ``{"03-dependence-cycle": {"ada": "2 days"}}``;
- ``DUE_DATES``: due dates of checks graded without an entry in ``CHECKS``.

``make release`` records each class check in the class gradebook and keeps a copy of the source it
released (``oud_course.releases``); ``make grade`` grades against that record, never against whatever
``source/`` holds that day. Late penalties are computed here from each submission's current
score (autograded and manual), whichever command ran last.

``python -m oud_course.term hand-out|feedback|export ...`` runs the term's other steps (``make help``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

FLAVOURS = ("practice", "credit")
_UNITS = {"week": 7 * 86_400, "day": 86_400, "hour": 3_600, "minute": 60}


def load(root: Path) -> dict:
    """The settings of ``root/course_config.py``, checked (a mistake there stops every command with the reason)."""
    from oud_course.build import course_settings

    settings = course_settings(root)
    problems = check_settings(settings)
    if problems:
        raise SystemExit("course_config.py: " + "; ".join(problems))
    return settings


def check_settings(settings: dict) -> list[str]:
    """What is wrong with CHECKS, EXTENSIONS and DUE_DATES, one line each."""
    known = set(settings.get("ASSIGNMENTS", []))
    problems = []
    for assignment, entry in settings.get("CHECKS", {}).items():
        if assignment not in known:
            problems.append(f"CHECKS names {assignment}, which is not a check in source/")
        if not isinstance(entry, dict) or entry.get("flavour", "practice") not in FLAVOURS:
            problems.append(f'CHECKS["{assignment}"] needs "flavour": "practice" or "credit"')
    for assignment in settings.get("CHECKS", {}):
        try:
            due_date(settings, assignment)
        except ValueError as error:
            problems.append(str(error))
    for assignment, students in settings.get("EXTENSIONS", {}).items():
        if assignment not in known:
            problems.append(f"EXTENSIONS names {assignment}, which is not a check in source/")
        for student, text in (students or {}).items():
            try:
                parse_duration(text)
            except ValueError as error:
                problems.append(f'EXTENSIONS["{assignment}"]["{student}"]: {error}')
    return problems


def flavour(settings: dict, assignment: str) -> str:
    """"practice" or "credit", as CHECKS gives it (a check not listed is practice, like release/)."""
    return (settings.get("CHECKS", {}).get(assignment) or {}).get("flavour", "practice")


def due_date(settings: dict, assignment: str) -> datetime | None:
    """The check's due date (aware), from CHECKS, else DUE_DATES; None when it has none."""
    text = (settings.get("CHECKS", {}).get(assignment) or {}).get("due") or settings.get("DUE_DATES", {}).get(assignment)
    if not text:
        return None
    try:
        due = datetime.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"due date of {assignment} is not ISO 8601: {text!r}") from None
    if due.tzinfo is None:
        raise ValueError(f"due date of {assignment} needs a UTC offset (for example -05:00): {text!r}")
    return due


def parse_duration(text) -> timedelta:
    """``"2 days"``, ``"36 hours"``, ``"1 day 12 hours"``, ``"90 minutes"``, ``"1 week"`` as a timedelta."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*(week|day|hour|minute)s?\b", str(text).lower())
    rest = re.sub(r"(\d+(?:\.\d+)?)\s*(week|day|hour|minute)s?\b", "", str(text).lower()).strip(" ,and")
    if not parts or rest:
        raise ValueError(f"{text!r} is not a length of time such as '2 days' or '36 hours'")
    return timedelta(seconds=sum(float(n) * _UNITS[unit] for n, unit in parts))


def extension(settings: dict, assignment: str, student: str) -> timedelta | None:
    """The extra time ``student`` has on ``assignment`` (EXTENSIONS), or None."""
    text = (settings.get("EXTENSIONS", {}).get(assignment) or {}).get(student)
    return parse_duration(text) if text else None


def explanations_open(settings: dict, assignment: str, now: datetime | None = None) -> bool:
    """Whether feedback may show each item's explanation: at once for practice; for credit, once the due date
    and every extension on it have passed (a credit check without a due date keeps them back)."""
    if flavour(settings, assignment) == "practice":
        return True
    due = due_date(settings, assignment)
    if due is None:
        return False
    longest = max((parse_duration(t) for t in (settings.get("EXTENSIONS", {}).get(assignment) or {}).values()),
                  default=timedelta(0))
    return (now or datetime.now(timezone.utc)) >= due + longest


def _naive_utc(moment: datetime | None) -> datetime | None:
    """A datetime as nbgrader stores it (naive UTC)."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment else None


def late_plugin(root: Path):
    """The course's late-penalty plugin, configured from nbgrader_config.py as autograding configures it."""
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    return AssignLatePenalties(config=config).plugin_class(config=config)


def settle(gradebook, settings: dict, plugin, assignments: list[str] | None = None,
           students: list[str] | None = None) -> None:
    """Write each submission's due date, extension and late penalty into ``gradebook`` from the settings and
    its current score (autograded and manual), so the formgrader, feedback and every export agree."""
    from nbgrader.api import MissingEntry

    for assignment in gradebook.assignments:
        if assignments is not None and assignment.name not in assignments:
            continue
        assignment.duedate = _naive_utc(due_date(settings, assignment.name))
        submissions = assignment.submissions  # every one, or only those asked for (one page's feedback: one lookup)
        if students is not None:
            submissions = []
            for student in students:
                try:
                    submissions.append(gradebook.find_submission(assignment.name, student))
                except MissingEntry:
                    pass
        for submission in submissions:
            submission.extension = extension(settings, assignment.name, submission.student_id)
            seconds = submission.total_seconds_late
            for notebook in submission.notebooks:
                penalty = plugin.late_submission_penalty(submission.student_id, notebook.score, seconds) if seconds > 0 else None
                notebook.late_submission_penalty = None if penalty is None else min(max(0.0, penalty), notebook.score)
    gradebook.db.commit()


def settle_penalties(root: Path, settings: dict, assignments: list[str] | None = None,
                     students: list[str] | None = None) -> None:
    """``settle`` on the class gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        settle(gradebook, settings, late_plugin(root), assignments, students)


def one_account_warning(settings: dict, assignment: str) -> str:
    """A warning when every exchange submission of ``assignment`` was made from one OS account, else ""."""
    inbound = Path(settings["c"].Exchange.root) / settings["COURSE_ID"] / "inbound"
    try:
        entries = [inbound / name for name in os.listdir(inbound) if f"+{assignment}+" in name]
        owners = {os.lstat(entry).st_uid for entry in entries}
    except OSError:
        return ""
    if len(entries) < 2 or len(owners) != 1:
        return ""
    try:
        import pwd
        account = pwd.getpwuid(owners.pop()).pw_name
    except (ImportError, KeyError):
        account = "one account"
    return (f"every exchange submission of {assignment} ({len(entries)}) was made from one OS account ({account}): "
            "nbgrader files each submission under the name of the account that made it, so on one machine each "
            "student needs an account of their own, or hands in through the LMS (COLLECT=zip); "
            "see docs/instructor-guide.md, section 1")


# The term's other steps, for `make hand-out`, `make feedback` and `make export`.

def hand_out(root: Path, assignment: str) -> str:
    """Put ``assignment``'s student version, in the flavour it was released in, in nbgrader's exchange."""
    from oud_course import releases
    from oud_course.grade import failure, nbgrader

    settings = load(root)
    if assignment not in releases.recorded(root):
        raise SystemExit(f"{assignment} has not been released: add it to CHECKS and run `make release` first")
    folder = releases.folder(root, settings, assignment)
    done = nbgrader(root, "release_assignment", assignment, "--force", f"--CourseDirectory.release_directory={folder}")
    if done.returncode != 0:
        raise SystemExit(f"nbgrader release_assignment {assignment} failed: {failure(done)}")
    return f"{assignment} is in the exchange ({releases.released_flavour(root, settings, assignment)}, from {folder.relative_to(root)}/)"


def feedback(root: Path, assignments: list[str]) -> list[str]:
    """Write each check's feedback again (late penalties settled first), zip it for the LMS, and release it through the
    exchange to the students who submitted there; returns what the instructor should know."""
    from oud_course.grade import failure, lms_feedback_zips, nbgrader, students_of
    from oud_course.grading import feedback_writer

    settings = load(root)
    settle_penalties(root, settings, assignments)
    graded = {a: sorted(p.parent.name for p in (Path(root) / "autograded").glob(f"*/{a}") if p.is_dir()) for a in assignments}
    problems = feedback_writer.write(root, graded, os.cpu_count() or 1)
    lines = [f"{a}: feedback not written for {problems[a]}" for a in assignments if problems[a]]
    for assignment in assignments:
        lines += [n for n in [lms_feedback_zips(root, assignment)] if n]
        pages = Path(root) / "feedback"
        students = sorted({p.parent.parent.name for p in pages.glob(f"*/{assignment}/*.html")})
        # release_feedback needs the secret an exchange submission carries; LMS or hand-placed submissions have none.
        exchange = [s for s in students if (pages / s / assignment / "submission_secret.txt").is_file()]
        others = [s for s in students if s not in exchange]
        if exchange:
            everyone = sorted(set(students) | set(students_of(root, assignment)))
            excluded = ",".join(s for s in everyone if s not in exchange)
            done = nbgrader(root, "release_feedback", assignment,
                            *([f"--CourseDirectory.student_id_exclude={excluded}"] if excluded else []))
            if done.returncode != 0:
                raise SystemExit(f"nbgrader release_feedback {assignment} failed: {failure(done)}")
            lines.append(f"{assignment}: feedback released through the exchange to {len(exchange)} student(s) "
                         "(they fetch it in the Assignment List)")
        if others:
            lines.append(f"{assignment}: {len(others)} student(s) did not submit through the exchange "
                         f"({', '.join(others)}): upload their feedback to the LMS from build/feedback-zips/ "
                         f"({assignment}-canvas.zip or -moodle.zip, else {assignment}-by-student.zip)")
    return lines


def export(root: Path, to: Path | None = None) -> list[str]:
    """``nbgrader export`` (late penalties settled from today's scores first); returns the files written."""
    from oud_course import lms
    from oud_course.grade import failure, nbgrader

    target = Path(to or Path(root) / "grades.csv")
    done = nbgrader(root, "export", "--to", str(target))
    if done.returncode != 0:
        raise SystemExit(f"export failed: {failure(done)}")
    return [str(path) for path in lms.export_paths(target).values()]


def main(argv: list[str] | None = None) -> int:
    from oud_course import releases

    parser = argparse.ArgumentParser(prog="python -m oud_course.term", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["hand-out", "feedback", "export"])
    parser.add_argument("assignments", nargs="*", help="check ids (feedback: default every released check)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (holds course_config.py)")
    parser.add_argument("--to", type=Path, help="export: the grade CSV (default: grades.csv in the course folder)")
    args = parser.parse_args(argv)
    from oud_course.grading.cli import skip_iri_grammars

    skip_iri_grammars()
    root = args.root.resolve()
    os.chdir(root)
    if args.step == "hand-out":
        if len(args.assignments) != 1:
            parser.error("hand-out takes one check: make hand-out ASSIGNMENT=03-dependence-cycle")
        print(hand_out(root, args.assignments[0]))
    elif args.step == "feedback":
        for line in feedback(root, args.assignments or releases.released(root, load(root))):
            print(line)
    else:
        print("wrote " + ", ".join(export(root, args.to)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
