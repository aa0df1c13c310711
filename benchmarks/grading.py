"""Items 1, 2 and 7b: grading overhead per notebook, class throughput serial vs parallel, grading worker memory.

Item 1 autogrades N correct submissions of every check with the grading workflow's own step
(``oud_course.grade.autograde_batch``: one ``nbgrader autograde`` process per check, the course's
sandboxed SafeExecute, DecideGrades, gradebook writes), and, in the same run, executes exactly the
same submitted notebooks with nbclient, each in a fresh python3 kernel, with nbgrader's
``NBGRADER_EXECUTION=autograde`` set as nbgrader sets it. Both are divided by the notebooks graded.
While grading, the memory of the nbgrader process and every process under it (the sandboxed
kernel, the clean grading process) is sampled: that is item 7b.

Item 2 grades a class (at least 100 students, two checks) with ``python -m oud_course.grade``
once serially on SQLite and once with parallel workers (3 by default) on a real PostgreSQL
server, and compares the two grades.csv files.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from benchmarks.common import (REPO, Row, TreeMemory, children_of_this_process, fmt_num, fmt_spread, patched_environ,
                               ratio_line, say, summary, venv_path, verdict)

OVERHEAD_TARGET = 1.2
CPU_SECONDS: dict[int, float] = {}  # workers -> CPU seconds the last class grading with that many workers used
WORKER_MEMORY_TARGET_MB = 400
THROUGHPUT_TARGET = 0.6


@contextmanager
def _in_folder(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _grading_env():
    """The environment ``make grade`` gives: the venv first on PATH, no gradebook URL or self-check switch from outside."""
    return patched_environ(PATH=venv_path(), COURSE_DB_URL=None, COURSE_SELF_CHECK=None, NBGRADER_EXECUTION=None)


def _checks():
    from course_tools import CHECKS

    return CHECKS


def write_correct_class(course: Path, n: int) -> dict[str, list[str]]:
    """N correct submissions of every check in course/submitted; returns assignment -> students."""
    from class_simulation import Student, item_points, write_submission
    from course_tools import read_nb

    plan = {}
    for source in _checks():
        assignment = source.parent.name
        source_nb, release_nb = read_nb(source), read_nb(REPO / "release" / assignment / source.name)
        points = item_points(source_nb)
        plan[assignment] = []
        for k in range(n):
            student = Student(f"bench-{k:02d}", {i: "key" for i in points}, sum(points.values()))
            write_submission(student, release_nb, source_nb, course / "submitted" / student.name / assignment, source.name)
            plan[assignment].append(student.name)
    return plan


def _reference_execute(path: Path) -> float:
    """Execute one submitted notebook with nbclient in a fresh kernel, as nbgrader would run it; seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            extra_arguments=["--HistoryManager.hist_file=:memory:"],
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with patched_environ(NBGRADER_EXECUTION="autograde"):
        client.execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _phase_breakdown(course: Path, assignment: str, student: str) -> list[str]:
    """Where one submission's autograde spends its time: nbgrader's debug log, timestamped line by line."""
    marks = [
        ("process start to first log line (imports, config)", None),
        ("to SafeExecute (gradebook, copy, sanitize)", "Applying preprocessor: SafeExecute"),
        ("SafeExecute (sandboxed kernel start, cells)", "Applying preprocessor: DecideGrades"),
        ("DecideGrades (gradebook read, clean process)", "Applying preprocessor: IgnorePattern"),
        ("to SaveAutoGrades", "Applying preprocessor: SaveAutoGrades"),
        ("SaveAutoGrades (gradebook write)", "Applying preprocessor: AssignLatePenalties"),
    ]
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "oud_course.grading.cli", "autograde", assignment, "--student", student,
                                "--force", "--debug"], cwd=course, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    stamps: dict[str, float] = {}
    first = None
    for line in process.stdout:
        now = time.perf_counter() - start
        if first is None and "[AutogradeApp" in line:
            first = now
        for _, needle in marks:
            if needle and needle in line and needle not in stamps:
                stamps[needle] = now
    process.wait()
    total = time.perf_counter() - start
    rows = ["| phase of one submission's `nbgrader autograde --student` | seconds |", "|---|---|"]
    previous = 0.0
    points = [("process start to first log line (imports, config)", first)] + [
        (label, stamps.get(needle)) for label, needle in marks[1:]]
    for label, at in points:
        if at is None:
            continue
        rows.append(f"| {label} | {at - previous:.2f} |")
        previous = at
    rows.append(f"| the rest (late penalty, write, exit) | {total - previous:.2f} |")
    rows.append(f"| **total** | **{total:.2f}** |")
    return rows


def _seconds(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], capture_output=True, check=False)
    return time.perf_counter() - start


def _import_cost(runs: int = 3) -> list[str]:
    """What each grading process pays before it grades anything: nbgrader's start, the clean process's imports."""
    plain = [_seconds("-m", "nbgrader", "--version") for _ in range(runs)]
    launcher = [_seconds("-m", "oud_course.grading.cli", "--version") for _ in range(runs)]
    clean = [_seconds("-I", "-c", "import oud_course.grading.evaluate") for _ in range(runs)]
    return [f"Start-up, median of {runs}: `python -m nbgrader --version` {summary(plain)['median']:.2f} s; "
            f"the workflow's launcher `python -m oud_course.grading.cli --version` {summary(launcher)['median']:.2f} s "
            "(it skips building rfc3987_syntax's IRI grammars, which no notebook schema uses); the clean grading "
            f"process's imports (`import oud_course.grading.evaluate`) {summary(clean)['median']:.2f} s."]


def run_overhead(n: int = 2, runs: int = 3, max_seconds: float = 480) -> tuple[Row, Row]:
    """Item 1 and item 7b. After two runs, no further run starts once ``max_seconds`` have gone (a busy machine)."""
    from course_tools import make_course

    from oud_course.grade import autograde_batch, course_settings, prepare

    work = Path(tempfile.mkdtemp(prefix="oud-bench-grading-"))
    course = make_course(work / "course")
    plan = write_correct_class(course, n)
    notebooks = sum(len(s) for s in plan.values())
    grade_s, ref_s = [], []
    worker_rss, worker_pss, hwms = [], [], {}
    failures: list[str] = []
    with _grading_env(), _in_folder(course):
        settings = course_settings(course)
        for assignment in plan:
            prepare(course, assignment, settings)
        began = time.perf_counter()
        for r in range(runs):
            if r >= 2 and time.perf_counter() - began > max_seconds:
                say(f"  stopping after {r} runs: {time.perf_counter() - began:.0f} s gone (budget {max_seconds:.0f} s)")
                break
            graded = 0.0
            for assignment, students in plan.items():
                with TreeMemory(children_of_this_process) as memory:
                    start = time.perf_counter()
                    outcomes = autograde_batch(course, assignment, students, students)
                    graded += time.perf_counter() - start
                worker_rss.append(memory.peak_rss)
                worker_pss.append(memory.peak_pss)
                for name, peak in memory.hwm.values():
                    hwms[name] = max(hwms.get(name, 0.0), peak)
                failures += [f"{o.student}/{o.assignment}: {o.reason}" for o in outcomes if o.status != "graded"]
            reference = 0.0
            for assignment, students in plan.items():
                for student in students:
                    path = next((course / "submitted" / student / assignment).glob("*.ipynb"))
                    reference += _reference_execute(path)
            grade_s.append(graded / notebooks)
            ref_s.append(reference / notebooks)
            say(f"  run {r + 1}/{runs}: autograde {grade_s[-1]:.2f} s per notebook, nbclient {ref_s[-1]:.2f} s "
                f"per notebook: ratio {grade_s[-1] / ref_s[-1]:.2f} (target ≤ {OVERHEAD_TARGET})")
        scores = _scores(settings["DB_URL"], settings["COURSE_ID"], plan)
        breakdown = _phase_breakdown(course, next(iter(plan)), plan[next(iter(plan))][0])
    imports = _import_cost()
    full = _full_marks(plan)
    wrong = {k: (v, full[k[0]]) for k, v in scores.items() if abs(v - full[k[0]]) > 1e-6}
    g, ref = summary(grade_s)["median"], summary(ref_s)["median"]
    runs = len(grade_s)
    per_run = [a / b for a, b in zip(grade_s, ref_s)]
    ratio_line("grading overhead per notebook", g, ref, "s", f"≤ {OVERHEAD_TARGET}x")
    overhead = Row("1", "Grading overhead: autograding correct submissions of every check",
                   f"`oud_course.grade.autograde_batch` (one `nbgrader autograde` process per check, sandboxed "
                   f"kernels, DecideGrades, SQLite gradebook) over N={n} correct submissions of each of the "
                   f"{len(plan)} checks ({notebooks} notebooks), seconds per notebook; {runs} runs; reference: the "
                   "same submitted notebooks executed with nbclient, fresh python3 kernel each, in the same run",
                   target=f"≤ {OVERHEAD_TARGET}x")
    overhead.figure = f"{fmt_spread(grade_s, 's', 'range')} per notebook"
    overhead.reference = f"{fmt_spread(ref_s, 's', 'range')} per notebook"
    overhead.ratio = f"{g / ref:.2f}"
    overhead.verdict = verdict(g / ref <= OVERHEAD_TARGET) if not failures and not wrong else (
        f"error: {len(failures)} not graded, {len(wrong)} wrong scores")
    overhead.details = [f"Ratio within each run: {', '.join(f'{x:.2f}' for x in per_run)} (the table's ratio is "
                        "the figure's median over the reference's median)."] + [""] + breakdown + [""] + imports
    if failures or wrong:
        overhead.details += ["", "Problems: " + "; ".join(failures[:5] + [f"{k}: {v}" for k, v in list(wrong.items())[:5]])]
    overhead.raw = {"autograde_s_per_notebook": grade_s, "nbclient_s_per_notebook": ref_s, "n": n, "runs": runs}

    memory = Row("7b", "Memory: one grading worker (nbgrader and its kernel together)",
                 "sum over the nbgrader process and every process under it (bwrap, the sandboxed kernel, the clean "
                 f"grading process), sampled every 0.1 s during item 1's {runs * len(plan)} autograde batches; "
                 "PSS (shared pages shared out) and RSS (shared pages counted in each process)",
                 target=f"≤ {WORKER_MEMORY_TARGET_MB} MB")
    memory.figure = (f"peak PSS {fmt_spread(worker_pss, 'MB', 'range')}; peak summed RSS "
                     f"{fmt_spread(worker_rss, 'MB', 'range')} (per batch)")
    memory.reference = "absolute target (no reference)"
    peak = max(worker_pss) if worker_pss else float("nan")
    memory.ratio = f"{peak / WORKER_MEMORY_TARGET_MB:.2f} of the budget (largest batch PSS)"
    memory.verdict = verdict(peak <= WORKER_MEMORY_TARGET_MB)
    memory.details = ["Largest peak RSS (VmHWM) of each kind of process seen: "
                      + ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(hwms.items(), key=lambda x: -x[1]))]
    say(f"  -> grading worker peak PSS {peak:.0f} MB, summed RSS {max(worker_rss):.0f} MB "
        f"(target ≤ {WORKER_MEMORY_TARGET_MB} MB): ratio {peak / WORKER_MEMORY_TARGET_MB:.2f} of the budget")
    memory.raw = {"peak_pss_mb": worker_pss, "peak_rss_mb": worker_rss, "hwm_mb": hwms}
    shutil.rmtree(work, ignore_errors=True)
    return overhead, memory


def _scores(db_url: str, course_id: str, plan: dict) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        return {(a, s): gradebook.find_submission(a, s).score for a, students in plan.items() for s in students}


def _full_marks(plan: dict) -> dict:
    from class_simulation import item_points
    from course_tools import read_nb

    return {source.parent.name: sum(item_points(read_nb(source)).values()) for source in _checks()
            if source.parent.name in plan}


# --- item 2 -------------------------------------------------------------------------------------------

# The kinds of student in the throughput class (names from tests/class_simulation.roster): honest,
# partial and blank work and the cheap faults; the attacks that end in a cell timeout are left out,
# as they would measure the timeout, not the grading.
CLASS_KINDS = ("honest-01", "honest-02", "honest-03", "partial-01", "partial-02", "partial-03", "partial-04",
               "blank-01", "deleted-cells", "rigged-equality", "late-two-days", "missing-timestamp", "stderr-warnings")


def write_class(course: Path, students: int, assignments: list[str]) -> None:
    from class_simulation import DUE_DATE, roster, write_submission
    from course_tools import read_nb

    with open(course / "course_config.py", "a") as config:
        config.write(f"\nDUE_DATES.update({{a: {DUE_DATE!r} for a in {assignments!r}}})  # benchmark: late penalties apply\n")
    for assignment in assignments:
        source = next(p for p in _checks() if p.parent.name == assignment)
        release_nb, source_nb = read_nb(REPO / "release" / assignment / source.name), read_nb(source)
        kinds = {s.name: s for s in roster(source_nb)}
        for k in range(students):
            template = kinds[CLASS_KINDS[k % len(CLASS_KINDS)]]
            template.name = f"s{k:03d}-{CLASS_KINDS[k % len(CLASS_KINDS)]}"
            write_submission(template, release_nb, source_nb, course / "submitted" / template.name / assignment,
                             source.name)


def _machine_cpu() -> float:
    """CPU seconds the whole machine has been busy so far (user, nice, system, irq, softirq; Linux /proc/stat).

    Machine-wide, because the grading's CPU is spread over processes this one never waits for (the
    sandboxed kernels, which bubblewrap reaps) and over the PostgreSQL server.
    """
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _grade_class(course: Path, assignments: list[str], workers: int, db_url: str | None) -> tuple[float, str, str]:
    from course_tools import course_env

    env = course_env(**({"COURSE_DB_URL": db_url} if db_url else {}))
    cpu = _machine_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", *assignments, "--root", str(course),
                           "--workers", str(workers)], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    CPU_SECONDS[workers] = _machine_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"grading failed ({workers} workers): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    grades = (course / "grades.csv").read_text(encoding="utf-8")
    report = (course / "grading-report.csv").read_text(encoding="utf-8")
    return seconds, grades, report


@contextmanager
def postgres():
    """A throwaway PostgreSQL server, as tests/postgres.py's fixture starts it (its own helpers)."""
    import pwd

    from postgres import OS_USER, PostgresServer, free_port, postgres_bindir, postgres_driver_missing

    bindir = postgres_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install -y postgresql)")
    if postgres_driver_missing():
        raise RuntimeError(f"the PostgreSQL driver {postgres_driver_missing()} is not installed")
    as_root = os.geteuid() == 0
    if as_root:
        pwd.getpwnam(OS_USER)
    folder = Path(tempfile.mkdtemp(prefix="oud-pg-", dir="/tmp"))
    if as_root:
        shutil.chown(folder, OS_USER, OS_USER)
    server = PostgresServer(bindir=bindir, folder=folder, port=free_port(), as_root=as_root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run_throughput(students: int = 100, workers: int = 3) -> Row:
    """Item 2: the class graded serially on SQLite, then by ``workers`` workers on PostgreSQL.

    One worker keeps about three quarters of a core busy (its nbgrader process and the submission's
    kernel take turns), so on 2 cores one more worker than cores keeps both busy.
    """
    from course_tools import make_course

    assignments = [p.parent.name for p in _checks()[:2]]
    row = Row("2", "Class throughput: serial on SQLite vs parallel workers on PostgreSQL",
              f"`python -m oud_course.grade` on a class of {students} students × 2 checks ({', '.join(assignments)}; "
              f"honest, partial, blank work and cheap faults), whole workflow (prepare, autograde, feedback, export), "
              f"run once each: `--workers 1` on SQLite, then `--workers {workers}` on a local PostgreSQL server started by "
              "tests/postgres.py's helpers (fsync off, as the tests run it)",
              target=f"parallel ≤ {THROUGHPUT_TARGET}x serial wall time, identical grades")
    work = Path(tempfile.mkdtemp(prefix="oud-bench-class-"))
    serial_course = make_course(work / "serial")
    write_class(serial_course, students, assignments)
    parallel_course = make_course(work / "parallel")
    write_class(parallel_course, students, assignments)
    with _grading_env():
        say(f"  grading {students} students × {len(assignments)} checks serially on SQLite ...")
        load_serial = os.getloadavg()[0]
        serial_s, serial_grades, serial_report = _grade_class(serial_course, assignments, 1, None)
        say(f"  serial: {serial_s:.0f} s; now {workers} workers on PostgreSQL ...")
        with postgres() as server:
            url = server.new_database("bench_class")
            load_parallel = os.getloadavg()[0]
            parallel_s, parallel_grades, parallel_report = _grade_class(parallel_course, assignments, workers, url)
    same = serial_grades == parallel_grades
    statuses = lambda text: sorted((r["assignment"], r["student"], r["status"]) for r in csv.DictReader(text.splitlines()))  # noqa: E731
    same_status = statuses(serial_report) == statuses(parallel_report)
    ratio = parallel_s / serial_s
    ratio_line("class throughput, parallel vs serial wall time", parallel_s, serial_s, "s", f"≤ {THROUGHPUT_TARGET}x")
    row.figure = f"parallel ({workers} workers, PostgreSQL) {fmt_num(parallel_s, 's')} (n=1)"
    row.reference = f"serial (SQLite) {fmt_num(serial_s, 's')} (n=1)"
    row.ratio = f"{ratio:.2f}"
    row.verdict = verdict(ratio <= THROUGHPUT_TARGET and same)
    submissions = students * len(assignments)
    row.details = [f"Load average at the start of the serial run {load_serial:.2f}, of the parallel run {load_parallel:.2f} "
                   "(other jobs on the machine slow one run and not the other: this item is a single run of each).",
                   f"CPU time the machine was busy (all processes, the PostgreSQL server and sandboxed kernels included; "
                   f"/proc/stat): serial {CPU_SECONDS.get(1, float('nan')):.0f} s, parallel "
                   f"{CPU_SECONDS.get(workers, float('nan')):.0f} s, on {os.cpu_count()} cores: the serial run keeps "
                   f"{CPU_SECONDS.get(1, float('nan')) / serial_s:.0%} of one core busy, so no parallel run on "
                   f"{os.cpu_count()} cores can take less than about {CPU_SECONDS.get(1, float('nan')) / serial_s / (os.cpu_count() or 1):.2f}x "
                   "the serial wall time.",
                   f"{submissions} submissions: serial {serial_s / submissions:.2f} s each, parallel "
                   f"{parallel_s / submissions:.2f} s each; grades.csv identical: {'yes' if same else '**no**'}; "
                   f"every submission's status identical: {'yes' if same_status else '**no**'}."]
    row.raw = {"serial_s": serial_s, "parallel_s": parallel_s, "students": students, "workers": workers,
               "identical_grades": same}
    shutil.rmtree(work, ignore_errors=True)
    return row
