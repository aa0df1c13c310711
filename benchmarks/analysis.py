"""Items 8a and 8b: regrade from stored answers and the item analysis report, on a class of 500 × every check.

The class is written straight into a gradebook with tests/test_report.synthetic_class (nbgrader's
models, the stored answers, autograded notebooks with their verdicts; no kernel). Item 8a then
corrects one choice item's key in the first check's source/ and times ``oud_course.regrade`` over
every check (recording the declarations, deciding, gradebook, verdicts, feedback of the changed
submissions, grades.csv), each phase and the CPU time it used; with ``worst`` (``python -m benchmarks.analysis 500 --worst``), it then
corrects a key in every other check too and times that as well (about ten times as long). Its reference, in the same run: a full re-autograde of the same class,
estimated from grading a sample of real submissions of every check with ``oud_course.grade``'s
whole workflow (prepare, autograde, feedback, export), serially. Item 8b times ``python -m
oud_course.report`` for the same class, as an instructor runs it.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Row, fmt_num, patched_environ, ratio_line, say, venv_path, verdict

REGRADE_TARGET_S, REPORT_TARGET_S = 60.0, 30.0


def _correct_a_key(course: Path, assignment: str) -> tuple[str, str, str]:
    """Change the first choice item's key in ``assignment``'s source/ to its first other option."""
    import nbformat

    path = next((course / "source" / assignment).glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        spec = cell.metadata.get("oud_course", {})
        if spec.get("kind") == "choice":
            item = spec["item"]
            old = cell.source.split("### BEGIN SOLUTION\n", 1)[1].split("\n", 1)[0]
            key = old.split('"')[1]
            new = next(o for o in spec["options"] if o != key)
            cell.source = cell.source.replace(old, f'{item} = "{new}"', 1)
            nbformat.write(nb, path)
            return item, key, new
    raise ValueError(f"{assignment} has no choice item")


def _cpu_of_this_process_and_children() -> float:
    """CPU seconds used so far by this process and the child processes it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _reference(work: Path, assignments: list[str], sample: int) -> tuple[float, float]:
    """Seconds per submission of a full autograde (whole workflow, serial), from ``sample`` per check."""
    from course_tools import make_course

    from benchmarks.grading import write_correct_class
    from oud_course.grade import grade

    course = make_course(work / "reference")
    write_correct_class(course, sample)
    start = time.perf_counter()
    outcomes = grade(course, assignments, "none", 1)
    seconds = time.perf_counter() - start
    graded = sum(1 for o in outcomes if o.status == "graded")
    return seconds / max(1, graded), seconds


def run(students: int = 500, sample: int = 3, worst: bool = False) -> tuple[Row, Row]:
    from course_tools import CHECKS, make_course
    from test_report import synthetic_class

    from benchmarks.grading import _machine_cpu
    from oud_course import grade as grading
    from oud_course import regrade as regrading

    assignments = [p.parent.name for p in CHECKS]
    work = Path(tempfile.mkdtemp(prefix="oud-bench-analysis-"))
    course = make_course(work / "class")
    with patched_environ(PATH=venv_path(), COURSE_DB_URL=None, COURSE_SELF_CHECK=None):
        say(f"  writing a synthetic class of {students} × {len(assignments)} checks (no kernels) ...")
        start = time.perf_counter()
        for n, assignment in enumerate(assignments):
            synthetic_class(course, assignment, students, seed=100 + n)
        setup_s = time.perf_counter() - start
        say(f"  ({setup_s:.0f} s); report ...")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "oud_course.report", "--root", str(course)], check=True,
                       capture_output=True, text=True)
        report_s = time.perf_counter() - start
        say(f"  report: {report_s:.1f} s")
        phases = {"feedback": 0.0, "export": 0.0}
        real_feedback, real_nbgrader = regrading._feedback, grading.nbgrader

        def timed_feedback(*args, **kwargs):
            begin = time.perf_counter()
            real_feedback(*args, **kwargs)
            phases["feedback"] += time.perf_counter() - begin

        def timed_nbgrader(root, *args, **kwargs):  # the regrade's only nbgrader command is the export
            begin = time.perf_counter()
            try:
                return real_nbgrader(root, *args, **kwargs)
            finally:
                phases["export"] += time.perf_counter() - begin

        def timed_regrade() -> dict:
            phases.update(feedback=0.0, export=0.0)
            load, cpu, busy = os.getloadavg()[0], _cpu_of_this_process_and_children(), _machine_cpu()
            begin = time.perf_counter()
            done = regrading.regrade(course, assignments, workers=2)
            seconds = time.perf_counter() - begin
            return {"seconds": seconds, **phases, "results": done, "load": load,
                    "cpu": _cpu_of_this_process_and_children() - cpu, "machine_cpu": _machine_cpu() - busy}

        regrading._feedback, grading.nbgrader = timed_feedback, timed_nbgrader
        try:
            first = assignments[0]
            corrected = {first: _correct_a_key(course, first)}
            say(f"  regrade of every check after a corrected key in {first} ...")
            one = timed_regrade()
            regrade_s, one_feedback_s, results = one["seconds"], one["feedback"], one["results"]
            say(f"  regrade: {regrade_s:.1f} s, feedback {one_feedback_s:.1f} s for "
                f"{sum(len(r.feedback) for r in results)} submissions, export {one['export']:.1f} s")
            every = {"seconds": 0.0, "feedback": 0.0, "export": 0.0, "results": []}
            if worst:  # about ten times the first regrade: feedback for most of the class
                corrected.update({a: _correct_a_key(course, a) for a in assignments[1:]})
                say(f"  ({regrade_s:.0f} s); regrade of every check after a corrected key in each of the others ...")
                every = timed_regrade()
                say(f"  worst case: {every['seconds']:.0f} s, feedback {every['feedback']:.0f} s for "
                    f"{sum(len(r.feedback) for r in every['results'])} submissions")
        finally:
            regrading._feedback, grading.nbgrader = real_feedback, real_nbgrader
        every_s, every_feedback_s = every["seconds"], every["feedback"]
        say(f"  ({(every_s if worst else regrade_s):.0f} s); reference: full autograde of {sample} real submissions per check ...")
        per_submission, sample_s = _reference(work, assignments, sample)
    changed, rewritten = sum(len(r.changes) for r in results), sum(len(r.feedback) for r in results)
    every_changed = sum(len(r.changes) for r in every["results"])
    every_rewritten = sum(len(r.feedback) for r in every["results"])
    submissions = students * len(assignments)
    estimate = per_submission * students * len(assignments)
    ratio_line("regrade vs full re-autograde (estimate)", regrade_s, estimate, "s", f"≤ {REGRADE_TARGET_S:.0f} s")
    regrade_row = Row(
        "8a", "Regrade from stored answers: a class of 500 × every check",
        f"`oud_course.regrade` over all {len(assignments)} checks of a synthetic class of {students} (written straight "
        "into the gradebook with tests/test_report.synthetic_class: answers stored, autograded notebooks present), "
        f"after one choice item's key was corrected in {assignments[0]}'s source/ (everyone who gave the old or the "
        "new key moves); includes recording every check's declarations, deciding, gradebook, verdicts, the changed "
        "submissions' feedback (nbgrader's GenerateFeedback in 2 processes, each started once for every check) and "
        "grades.csv",
        figure=f"{fmt_num(regrade_s, 's')} (n=1)",
        reference=f"full re-autograde estimated {estimate / 60:.0f} min ({per_submission:.2f} s a submission × "
                  f"{submissions}, from {sample} real submissions per check graded serially, "
                  f"{sample_s:.0f} s)",
        ratio=f"{regrade_s / estimate:.3f}", target=f"≤ {REGRADE_TARGET_S:.0f} s",
        verdict=verdict(regrade_s <= REGRADE_TARGET_S),
        details=[f"{changed} submissions changed score and {rewritten} had their verdicts and feedback rewritten "
                 f"(of {submissions}). Of the {regrade_s:.1f} s: feedback (nbgrader's GenerateFeedback) "
                 f"{one_feedback_s:.1f} s ({one_feedback_s / max(1, rewritten):.3f} s of wall time a page, 2 processes), "
                 f"`nbgrader export` {one['export']:.1f} s, everything else (comparing declarations, recording the "
                 f"changed check's declarations, deciding, gradebook, autograded notebooks) "
                 f"{regrade_s - one_feedback_s - one['export']:.1f} s.",
                 f"CPU time of the regrade (its process, the feedback processes and the export): {one['cpu']:.0f} s, "
                 f"so on 2 cores it cannot take less than {one['cpu'] / 2:.0f} s; the whole machine was busy "
                 f"{one['machine_cpu']:.0f} CPU-seconds meanwhile (beyond the regrade's: other processes); load "
                 f"average at its start {one['load']:.2f}.",
                 *([] if not worst else [
                 f"Worst case, a corrected key in every other check as well (then regraded over all checks again): "
                 f"{every_s:.0f} s, {every_changed} submissions changed score and {every_rewritten} feedback files "
                 f"rewritten; feedback took {every_feedback_s:.0f} s of it "
                 f"({every_feedback_s / max(1, every_rewritten):.3f} s of wall time a page, 2 processes), `nbgrader export` "
                 f"{every['export']:.1f} s, everything else (recording declarations, deciding, gradebook, autograded "
                 f"notebooks) {every_s - every_feedback_s - every['export']:.0f} s; CPU time {every['cpu']:.0f} s, "
                 f"load average at its start {every['load']:.2f}."]),
                 "Keys corrected: " + "; ".join(f"{a} {i}: {old} → {new}" for a, (i, old, new) in corrected.items()) + ".",
                 f"The reference's per-submission figure includes each check's set-up (prepare, nbgrader start-ups) "
                 f"shared by only {sample} submissions, so it overstates the per-submission cost of a big class "
                 "somewhat; item 2 measures the cost at scale.",
                 f"Writing the synthetic class took {setup_s:.0f} s (not timed in either figure)."],
        raw={"regrade_s": regrade_s, "feedback_s": one_feedback_s, "export_s": one["export"], "cpu_s": one["cpu"],
             "machine_cpu_s": one["machine_cpu"], "load": one["load"], "estimate_s": estimate, "every_s": every_s,
             "every_feedback_s": every_feedback_s, "every_changed": every_changed, "every_rewritten": every_rewritten,
             "per_submission_s": per_submission, "sample_s": sample_s, "students": students, "changed": changed,
             "feedback_rewritten": rewritten})
    report_row = Row(
        "8b", "Item analysis report: a class of 500 × every check",
        f"`python -m oud_course.report` (a fresh process, imports included) on the same synthetic class: gradebook "
        "queries, stored answers, statistics, 20 figures, HTML and CSVs",
        figure=f"{fmt_num(report_s, 's')} (n=1)", target=f"≤ {REPORT_TARGET_S:.0f} s",
        verdict=verdict(report_s <= REPORT_TARGET_S), raw={"report_s": report_s, "students": students})
    shutil.rmtree(work, ignore_errors=True)
    return regrade_row, report_row


if __name__ == "__main__":
    for row in run(int(sys.argv[1]) if len(sys.argv) > 1 else 500, worst="--worst" in sys.argv):
        print(row.key, row.figure, row.reference, row.ratio, row.verdict, *row.details, sep="\n  ")
