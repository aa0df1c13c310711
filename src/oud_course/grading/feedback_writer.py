"""Feedback for chosen submissions of several checks, written by nbgrader's GenerateFeedback in a few processes.

``write(root, jobs, workers)`` takes ``{assignment: [students]}``, deals each check's students out to
``workers`` processes (``python -m oud_course.grading.feedback_writer``, in the course folder) and
returns ``{assignment: what failed, or ""}``. Each process starts once for all the checks it is given:
it loads the nbgrader config as ``nbgrader generate_feedback --force`` loads it (the course's
``nbgrader_config.py``, with its feedback steps), then runs nbgrader's GenerateFeedback converter once
per check over its students, as nbgrader's ``NbGraderAPI.generate_feedback`` does, so each page is the
one ``nbgrader generate_feedback`` writes. The converter is oud_course.grading.batch's recording one
(each submission's outcome from the exception that stopped it), and the grading launcher's speed-ups
(oud_course.grading.cli) apply as in every grading process.

Protocol: the jobs as JSON on stdin; one JSON line per check on stdout, ``{"assignment": ..., "failed": {student:
why}}`` naming each of its students whose page was not written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SECONDS_PER_SUBMISSION = 600  # the time limit of a process, per page it writes (a page takes well under a second)


def deal(jobs: dict[str, list[str]], workers: int) -> list[dict[str, list[str]]]:
    """Each check's students dealt out in turn to at most ``workers`` shares (every share gets about as many)."""
    shares: list[dict[str, list[str]]] = [{} for _ in range(max(1, workers))]
    turn = 0
    for assignment, students in jobs.items():
        for student in students:
            shares[turn % len(shares)].setdefault(assignment, []).append(student)
            turn += 1
    return [share for share in shares if share]


def _problems(share: dict[str, list[str]], told: dict[str, dict], stopped: str) -> dict[str, str]:
    """assignment -> "student: why; ..." for the students of ``share`` whose page was not written (a check the
    process never reported on: all its students, with why the process stopped)."""
    found = {}
    for assignment, students in share.items():
        failed = told[assignment]["failed"] if assignment in told else {s: stopped for s in students}
        found[assignment] = "; ".join(f"{s}: {failed[s]}" for s in students if failed.get(s))
    return found


def write(root: Path, jobs: dict[str, list[str]], workers: int) -> dict[str, str]:
    """Write the feedback of ``jobs`` (assignment -> students) in ``workers`` processes; what failed per check, or ""."""
    from oud_course.grade import failure

    def run(share: dict[str, list[str]]) -> dict[str, str]:
        limit = SECONDS_PER_SUBMISSION * sum(len(students) for students in share.values())
        try:
            done = subprocess.run([sys.executable, "-m", "oud_course.grading.feedback_writer"], cwd=root,
                                  input=json.dumps(share), capture_output=True, text=True, timeout=limit, check=False)
        except subprocess.TimeoutExpired:
            return _problems(share, {}, f"writing feedback took over {limit} s")
        told = {entry["assignment"]: entry for entry in
                (json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"assignment": '))}
        return _problems(share, told, failure(done))

    problems = {assignment: [] for assignment in jobs}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for told in pool.map(run, deal(jobs, workers)):
            for assignment, problem in told.items():
                problems[assignment] += [problem] if problem else []
    return {assignment: "; ".join(found) for assignment, found in problems.items()}


def _serve(root: Path, share: dict[str, list[str]]) -> None:
    """In the worker process: write each check's feedback for its students; print one result line per check."""
    from oud_course.grading import batch, cli  # batch first: it keeps nbformat's import quick (see cli)

    cli.prepare_process()
    from nbgrader.apps.generatefeedbackapp import GenerateFeedbackApp

    app = GenerateFeedbackApp()
    app.initialize(["--force"])  # the config `nbgrader generate_feedback --force` runs with
    for assignment, students in share.items():
        wanted = set(students)
        app.coursedir.assignment_id = assignment
        app.coursedir.student_id_exclude = ",".join(sorted(
            p.parent.name for p in (root / "autograded").glob(f"*/{assignment}") if p.parent.name not in wanted))
        converter = batch.RecordingFeedback(coursedir=app.coursedir, parent=app)
        stopped = batch.convert(converter)  # this check's outcome; the next check goes on
        failed = {s: reason for s, reason in converter.outcomes.items() if reason}
        failed.update({s: stopped or "nbgrader did not reach this submission" for s in students
                       if s not in converter.outcomes})
        print(json.dumps({"assignment": assignment, "failed": failed}), flush=True)


if __name__ == "__main__":
    _serve(Path.cwd(), json.loads(sys.stdin.read()))
