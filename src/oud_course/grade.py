"""Grade a class with nbgrader: collect, autograde every submission, write feedback, export grades.

Usage: ``python -m oud_course.grade [ASSIGNMENT ...] [--collect exchange|zip|none] [--workers N]``
(default: every check released to the class, in course order).

Each check is graded against what ``make release`` recorded in the gradebook (oud_course.term), never
regenerated from today's source/. Submissions are autograded by nbgrader processes, so a submission that
crashes nbgrader is recorded with its reason and the batch goes on. Every run appends its rows to
grading-report.csv, under the run's start time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from oud_course import lms, releases, term
from oud_course.grading import extract, feedback_writer, intake, preflight
from oud_course.grading.cli import skip_iri_grammars

STUDENT_TIMEOUT = 1800  # seconds for one submission, however many cells time out inside it


@dataclass
class Outcome:
    """What became of one student's submission of one assignment."""

    assignment: str
    student: str
    status: str  # "graded" or "failed"
    reason: str = ""
    seconds: float = 0.0


def nbgrader(root: Path, *args: str, timeout: float = STUDENT_TIMEOUT) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course folder, capturing its log (through the quicker-starting launcher)."""
    return subprocess.run([sys.executable, "-m", "oud_course.grading.cli", *args], cwd=root, capture_output=True, text=True,
                          timeout=timeout, check=False)


def failure(done: subprocess.CompletedProcess) -> str:
    """Why an nbgrader command failed, for a person: its exit status and the last lines of its log."""
    tail = [line for line in (done.stdout + done.stderr).strip().splitlines() if line.strip()][-3:]
    return f"exit status {done.returncode}" + (f"; its log ends: {' / '.join(tail)}"[:600] if tail else "")


def _result(line: str) -> dict | None:
    """One result line of oud_course.grading.batch, or None for a line cut short by a process that was killed."""
    try:
        found = json.loads(line)
    except ValueError:
        return None
    return found if isinstance(found, dict) and {"student", "reason"} <= found.keys() else None


def run_autograde(root: Path, assignment: str, students: list[str], everyone: list[str],
                  timeout: float, env: dict | None = None) -> tuple[dict[str, str], str]:
    """Autograde ``students`` in one nbgrader process.

    Returns each student the process reached, with why their submission failed ("" if it did not), and why
    the process stopped before the others (oud_course.grading.batch writes one result per submission).
    """
    handle, results = tempfile.mkstemp(prefix="oud-grading-", suffix=".jsonl")
    os.close(handle)
    try:
        try:
            done = subprocess.run([sys.executable, "-m", "oud_course.grading.batch", "autograde", assignment,
                                   "--results", results, "--force", *_only(students, everyone)],
                                  cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False)
            stopped = failure(done)
        except subprocess.TimeoutExpired:
            stopped = f"grading took over {timeout:.0f} s"
        lines = [line for line in map(_result, Path(results).read_text(encoding="utf-8").splitlines()) if line]
    finally:
        os.unlink(results)
    reached = {line["student"]: line["reason"] for line in lines if line["student"] in set(students)}
    stopped = next((line["reason"] for line in lines if line["student"] is None), stopped)
    return reached, stopped


def prepare(root: Path, assignment: str, settings: dict) -> None:
    """Release ``assignment`` as source/ holds it now (record it in the gradebook in its flavour, with its due date)."""
    releases.record(root, assignment, settings)
    # The synthetic classes of tests/test_report.py (and test_regrade.py, through them) read the student version here.
    copy = Path(root) / "build" / "release-for-grading" / assignment
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(releases.folder(root, settings, assignment) / assignment, copy)


def collect(root: Path, assignment: str, how: str) -> list[str]:
    """Bring submissions into submitted/: from nbgrader's exchange, or from an LMS zip download; returns what the
    instructor should know (what the extractor left out of a download)."""
    if how == "exchange":
        done = nbgrader(root, "collect", assignment, "--update")
    elif how == "zip":
        done = nbgrader(root, "zip_collect", assignment, "--force")
    else:
        return []
    if done.returncode != 0:
        raise SystemExit(f"nbgrader {how} collection of {assignment} failed: {failure(done)}")
    return [f"{assignment} download: {note}" for note in extract.read_notes(root, assignment)] if how == "zip" else []


def _only(students: list[str], everyone: list[str]) -> list[str]:
    """nbgrader arguments that limit a command to ``students`` out of ``everyone``."""
    others = ",".join(s for s in everyone if s not in set(students))
    return [f"--CourseDirectory.student_id_exclude={others}"] if others else []


def _groups(students: list[str], workers: int) -> list[list[str]]:
    """``students`` dealt out to ``workers`` groups, none empty."""
    return [group for group in (students[i::max(1, workers)] for i in range(max(1, workers))) if group]


def feedback_batch(root: Path, assignment: str, students: list[str]) -> str:
    """Write ``students``' feedback in one nbgrader process (its SettleLatePenalties step settles each one's late
    penalty first); why any page failed, or ""."""
    return feedback_writer.write(root, {assignment: students}, workers=1)[assignment]


def autograde_batch(root: Path, assignment: str, students: list[str], everyone: list[str]) -> list[Outcome]:
    """Autograde ``students`` in one nbgrader process (one start-up for many submissions), each with its outcome.

    A submission that stops nbgrader's whole process (it is killed, or runs past the time limit) leaves
    the students after it unreached: they are graded again on their own.
    """
    start = time.monotonic()
    reached, stopped = run_autograde(root, assignment, students, everyone, STUDENT_TIMEOUT * max(1, len(students)))
    each = (time.monotonic() - start) / max(1, len(reached))
    outcomes = [Outcome(assignment, s, "failed" if reached[s] else "graded", reached[s], each)
                for s in students if s in reached]
    unreached = [s for s in students if s not in reached]
    if len(students) == 1:
        return outcomes + [Outcome(assignment, s, "failed", stopped, time.monotonic() - start) for s in unreached]
    return outcomes + [o for s in unreached for o in autograde_batch(root, assignment, [s], everyone)]


def submission_notes(root: Path, assignment: str, student: str) -> str:
    """What an instructor should know about a submission that was graded all the same."""
    expected = {p.name for p in (root / "source" / assignment).glob("*.ipynb")}
    folder = root / "submitted" / student / assignment
    present = {p.name for p in folder.glob("*.ipynb")}
    notes = intake.read_notes(root, assignment, student)
    notes += [f"missing {name} (scored zero)" for name in sorted(expected - present)]
    notes += [f"ignored unexpected notebook {name}" for name in sorted(present - expected)]
    if not os.path.lexists(folder / "timestamp.txt"):
        notes.append("no timestamp.txt: counted as on time")
    return "; ".join(notes)


def _real_folder(path: Path) -> bool:
    return not intake.kind(os.lstat(path).st_mode) and path.is_dir()


def students_of(root: Path, assignment: str) -> list[str]:
    """Students with a submission folder of ``assignment`` (a real folder under a real one: links are not followed)."""
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.parent.name for p in submitted.glob(f"*/{assignment}")
                  if _real_folder(p.parent) and _real_folder(p))


def set_aside_unsafe(root: Path, assignment: str, folder_name: str, students: list[str], max_file_bytes: int) -> None:
    """Move links, devices, hard links and oversized files out of each student's folder, noting each in the report."""
    for student in students:
        folder = root / folder_name / student / assignment
        if not os.path.lexists(folder):
            continue
        aside = root / intake.NOTES_FOLDER / assignment / "set-aside" / folder_name / student
        dropped = intake.set_aside(folder, aside, max_file_bytes)
        intake.add_notes(root, assignment, student, [intake.describe(dropped)] if dropped else [])


def lms_feedback_zips(root: Path, assignment: str) -> str:
    """Zip the check's feedback for upload (build/feedback-zips/); a note naming students no LMS zip names, or ""."""
    from oud_course.grading.plugins import download_names

    _, unnamed = lms.feedback_zips(root, assignment, download_names(root, assignment), root / "build" / "feedback-zips")
    if not unnamed or not (root / "downloaded" / assignment).is_dir() or term.load(root).get("LMS") not in ("canvas", "moodle"):
        return ""  # only a check collected from the LMS's download can be named as the LMS names it
    return (f"{assignment}: no Canvas or Moodle download name for {', '.join(unnamed)}: their feedback is only in "
            f"build/feedback-zips/{assignment}-by-student.zip")


def grade(root: Path, assignments: list[str], how: str = "none", workers: int = 1,
          to: Path | None = None, notes: list[str] | None = None) -> list[Outcome]:
    """The whole workflow for ``assignments``; returns one outcome per submission (``notes`` gets what the
    instructor should read: a changed source/, one OS account on the exchange, feedback no LMS zip names)."""
    settings = term.load(root)
    run = datetime.now(timezone.utc).isoformat(timespec="seconds")
    notes = notes if notes is not None else []
    max_file_bytes = int(settings["c"].CourseDirectory.max_file_size) * 1000
    outcomes: list[Outcome] = []
    for assignment in assignments:
        said, stop = releases.check(root, assignment, settings)
        if stop:
            raise SystemExit(f"{assignment}: not graded: {stop}")
        notes += said
        released_key = releases.preflight_root(root, assignment)
        try:
            problem = preflight.check(released_key, assignment,
                                      graded=releases.released_flavour(root, settings, assignment) == "credit")
        finally:
            shutil.rmtree(released_key, ignore_errors=True)
        if problem:
            raise SystemExit(f"{assignment}: the grader does not work, so no one was graded: {problem}")
        shutil.rmtree(intake.notes_folder(root, assignment), ignore_errors=True)
        term.settle_penalties(root, settings, [assignment], [])  # the check's due date, from today's settings
        if how == "exchange":
            notes += [w for w in [term.one_account_warning(settings, assignment)] if w]
        notes += collect(root, assignment, how)
        students = students_of(root, assignment)
        set_aside_unsafe(root, assignment, "submitted", students, max_file_bytes)
        groups = _groups(students, workers)

        def grade_group(group: list[str]) -> tuple[list[Outcome], str]:
            graded = autograde_batch(root, assignment, group, students)
            # Nothing the kernel could write reaches autograded/; this keeps feedback's copy honest if that ever changes.
            set_aside_unsafe(root, assignment, "autograded", group, max_file_bytes)
            return graded, feedback_batch(root, assignment, group)

        # Each worker writes its group's feedback as soon as it has graded the group: no waiting for the others.
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            done = list(pool.map(grade_group, groups))
        batches, problems = [batch for batch, _ in done], [problem for _, problem in done]
        for outcome in sorted((o for batch in batches for o in batch), key=lambda o: o.student):
            outcome.reason = "; ".join(r for r in (outcome.reason, submission_notes(root, assignment, outcome.student)) if r)
            outcomes.append(outcome)
        for problem in filter(None, problems):
            print(f"feedback for {assignment}: {problem}", file=sys.stderr)
        notes += [n for n in [lms_feedback_zips(root, assignment)] if n]
    export = nbgrader(root, "export", "--to", str(to or root / "grades.csv"))
    if export.returncode != 0:
        raise SystemExit(f"export failed: {failure(export)}")
    write_report(root / "grading-report.csv", outcomes, run)
    return outcomes


REPORT_COLUMNS = ["run", "assignment", "student", "status", "seconds", "reason"]


def write_report(path: Path, outcomes: list[Outcome], run: str | None = None) -> None:
    """Append this run's rows to the grading report (a report without the run column is started afresh)."""
    run = run or datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            keep = next(csv.reader(handle), []) == REPORT_COLUMNS
    except OSError:
        keep = False
    with open(path, "a" if keep else "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if not keep:
            writer.writerow(REPORT_COLUMNS)
        for o in outcomes:
            writer.writerow([run, o.assignment, intake.printable(o.student), o.status, f"{o.seconds:.1f}",
                             intake.printable(o.reason)])


def to_grade(root: Path, settings: dict) -> tuple[list[str], list[str]]:
    """The checks a plain `make grade` grades (those released to the class), and notes on CHECKS entries not released."""
    released = releases.released(root, settings)
    waiting = [a for a in settings["ASSIGNMENTS"] if a in settings.get("CHECKS", {}) and a not in released]
    return released, [f"{a} is in CHECKS but was not released: `make release` releases it" for a in waiting]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oud_course.grade", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every check released to the class)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (holds course_config.py)")
    parser.add_argument("--collect", choices=["none", "exchange", "zip"], default="none",
                        help="where submissions come from: already in submitted/, nbgrader's exchange, or downloaded/ zips")
    parser.add_argument("--workers", type=int, default=0, help="parallel autograders (default: 1 on SQLite, otherwise one more than the cores: "
                             "one worker keeps about three quarters of a core busy)")
    parser.add_argument("--to", type=Path, help="grade CSV (default: grades.csv in the course folder)")
    args = parser.parse_args(argv)
    skip_iri_grammars()  # this process reads the gradebook with nbgrader too
    root = args.root.resolve()
    settings = term.load(root)
    notes: list[str] = []
    assignments = args.assignments
    if not assignments:
        assignments, notes = to_grade(root, settings)
        if not assignments:
            print("No check has been released to the class, so there is nothing to grade: list the class's checks in "
                  "CHECKS in course_config.py and run `make release` (or name one: make grade ASSIGNMENT=...).",
                  *notes, sep="\n", file=sys.stderr)
            return 2
    # SQLite allows one writer at a time, so parallel autograding needs PostgreSQL.
    workers = args.workers or (1 if settings["DB_URL"].startswith("sqlite") else (os.cpu_count() or 1) + 1)
    os.chdir(root)
    outcomes = grade(root, assignments, args.collect, workers, args.to, notes)
    failed = [o for o in outcomes if o.status != "graded"]
    print(f"graded {len(outcomes) - len(failed)} of {len(outcomes)} submissions of {', '.join(assignments)}; "
          "this run's rows are at the end of grading-report.csv")
    for o in failed:
        print(f"  not graded: {intake.printable(o.student)} / {o.assignment}: {intake.printable(o.reason)}")
    for note in notes:
        print(f"note: {note}")
    return 1 if failed else 0  # so a script or CI notices a submission that was not graded


if __name__ == "__main__":
    sys.exit(main())
