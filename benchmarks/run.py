"""Run the benchmarks and rewrite docs/performance.md with their table.

Usage: ``python -m benchmarks [--only 1,3a,...] [--skip 2,5] [--quick]`` (``make bench`` runs it all).

Items: 1 grading overhead, 2 class throughput, 3a widget response (Python), 3b widget response
(browser), 4 lesson weight, 5 environment, 6 time to first widget, 7a lesson kernel memory,
7b grading worker memory, 7c JupyterLab + lesson kernel memory, 8a regrade from stored answers,
8b item analysis report. 1 and 7b come from one
measurement, as do 4 and 7a, and 6 and 7c.

Each item's samples go to benchmarks/results.json; a partial run (--only/--skip) keeps the other
items' last results there and in the table. Text in docs/performance.md below the line
``<!-- notes -->`` is kept as it is: that is where people write what the numbers mean.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone

from benchmarks.common import REPO, Row, machine_line, say

DOC = REPO / "docs" / "performance.md"
RESULTS = REPO / "benchmarks" / "results.json"
NOTES_MARK = "<!-- notes -->"
ORDER = ["1", "2", "3a", "3b", "4", "5", "6", "7a", "7b", "7c", "8a", "8b"]
# Placeholders for items not measured (yet) in any run: what each is.
WHAT = {
    "1": "Grading overhead: autograding correct submissions of every check",
    "2": "Class throughput: serial on SQLite vs parallel workers on PostgreSQL",
    "3a": "Widget response, Python side (every control of every widget)",
    "3b": "Widget response in the browser: control change to updated image",
    "4": "Lesson weight: each lesson's headless execution less a bare kernel start",
    "5": "Environment: fresh install of the course",
    "6": "Time to first widget in the browser, from opening a lesson with a fresh kernel",
    "7a": "Memory: peak RSS of a lesson's kernel after running it",
    "7b": "Memory: one grading worker (nbgrader and its kernel together)",
    "7c": "Memory: JupyterLab plus one lesson kernel together",
    "8a": "Regrade from stored answers: a class of 500 × every check",
    "8b": "Item analysis report: a class of 500 × every check",
}
TARGETS = {
    "1": "≤ 1.2x", "2": "parallel ≤ 0.6x serial wall time, identical grades",
    "3a": "median ≤ 30 ms and p95 ≤ 60 ms for every interaction", "3b": "≤ 1.5x the reference, every widget",
    "4": "≤ 1.5 s for each lesson", "5": "≤ 5 extra distributions", "6": "≤ 1.3x the reference, every lesson",
    "7a": "≤ 1.3x the reference, every lesson", "7b": "≤ 400 MB", "7c": "< 1024 MB",
    "8a": "≤ 60 s, against a full re-autograde estimated in the same run", "8b": "≤ 30 s",
}


def _git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "notebooks", "source", "release"], cwd=REPO,
                           capture_output=True, text=True, check=False).stdout.strip()
    return (done.stdout.strip() or "unknown") + (" (with uncommitted changes to the course)" if dirty else "")


def _error_rows(keys: list[str], error: BaseException) -> list[Row]:
    text = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1][:300]
    say(f"  !! {', '.join(keys)} failed: {text}")
    return [Row(k, WHAT[k], "", figure="not measured: the benchmark failed", target=TARGETS[k],
                verdict=f"error: {text}") for k in keys]


def _step(keys: list[str], wanted: set[str], fn, *args, **kwargs) -> list[Row]:
    """Run one benchmark if any of its items is wanted; its rows, or error rows if it failed."""
    if not wanted & set(keys):
        return []
    say(f"\n== {' + '.join(keys)}: {WHAT[keys[0]]} (load average {os.getloadavg()[0]:.2f})")
    start = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - one failed benchmark must not lose the others
        traceback.print_exc()
        return _error_rows(keys, error)
    rows = list(result) if isinstance(result, (list, tuple)) else [result]
    for row in rows:
        row.raw["seconds_taken"] = round(time.perf_counter() - start, 1)
        row.raw["load_average_at_start"] = os.getloadavg()
    say(f"   ({time.perf_counter() - start:.0f} s)")
    return [r for r in rows if r.key in wanted]


def _class_estimate(rows: list[Row], students: int) -> float | None:
    """Minutes item 2 would take, from item 1's nbclient seconds per notebook.

    In a batch of a hundred, one submission's grading costs about 1.2 times a plain nbclient run of
    it (item 1's own per-notebook figure includes nbgrader's start-up, shared here by the batch);
    the parallel run takes up to 0.6 of the serial one more, and each run about a minute of set-up.
    """
    from benchmarks.common import summary

    item1 = next((r for r in rows if r.key == "1" and r.raw.get("nbclient_s_per_notebook")), None)
    if item1 is None:
        return None
    per_submission = 1.2 * summary(item1.raw["nbclient_s_per_notebook"])["median"]
    return (2 * students * per_submission * (1 + 0.6) + 2 * 60) / 60


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(rows: dict[str, dict], header: list[str], notes: str) -> str:
    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (`python -m benchmarks`); do not edit above the notes line, the next run rewrites it.",
        "Benchmarks, not tests: nothing asserts a time. Figures are medians with their spread (IQR or min–max)",
        "and n; each reference was measured side by side in the same run. Raw samples: `benchmarks/results.json`.",
        "",
        *header,
        "",
        "| # | what | how measured | figure | reference (same run) | ratio | target | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key in ORDER:
        row = rows.get(key) or Row(key, WHAT[key], "", target=TARGETS[key]).to_dict()
        lines.append(f"| {key} | {_cell(row['what'])} | {_cell(row['how'])} | {_cell(row['figure'])} | "
                     f"{_cell(row['reference'])} | {_cell(row['ratio'])} | {_cell(row['target'])} | "
                     f"{_cell(row['verdict'])} |")
    lines += ["", "## Details", ""]
    for key in ORDER:
        row = rows.get(key)
        if row and row.get("details"):
            when = row.get("measured_at", "")
            lines += [f"### {key}. {row['what']}", "", f"Measured {when}." if when else "", "", *row["details"], ""]
    lines += [NOTES_MARK, notes.strip("\n"), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated items to run (e.g. 1,3a,7b); the others keep their last results")
    parser.add_argument("--skip", default="", help="comma-separated items not to run this time")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, a class of 100 (a smoke run)")
    parser.add_argument("--students", type=int, default=100, help="class size for item 2 (at least 100: the class size its target is set for)")
    parser.add_argument("--class-workers", type=int, default=3, help="parallel workers for item 2 (default 3 on 2 cores)")
    parser.add_argument("--grading-n", type=int, default=6, help="correct submissions per check for item 1")
    parser.add_argument("--budget", type=float, default=40.0,
                        help="minutes for the whole run: item 2 is left out (not measured) when its estimate would "
                             "go past this, unless asked for with --only (default 40)")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(",")) if args.only else set(ORDER)
    wanted -= set(filter(None, args.skip.split(",")))
    unknown = wanted - set(ORDER)
    if unknown:
        parser.error(f"unknown items: {', '.join(sorted(unknown))} (known: {', '.join(ORDER)})")
    quick = args.quick
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    started = time.perf_counter()
    machine_before = machine_line()
    say(f"benchmarks: {', '.join(k for k in ORDER if k in wanted)}; {machine_before}")

    from benchmarks import analysis, browser, environment, grading, lessons, widgets

    rows: list[Row] = []
    left_out: list[Row] = []  # items the time budget left out; shown only if they have no earlier result
    # Cheapest and most load-sensitive first; then what runs many processes.
    rows += _step(["3a"], wanted, widgets.run, reps=5 if quick else 20, warmup=2, ref_reps=3 if quick else 6)
    rows += _step(["4", "7a"], wanted, lessons.run, runs=1 if quick else 3)
    rows += _step(["1", "7b"], wanted, grading.run_overhead, n=args.grading_n, runs=1 if quick else 3)
    # Five opens per lesson for item 6: one open swings by 1-2 s with what the browser happens to be doing.
    rows += _step(["3b", "6", "7c"], wanted, browser.run, reps=4 if quick else 10, runs=1 if quick else 5,
                  only=wanted)
    rows += _step(["5"], wanted, environment.run)
    rows += _step(["8a", "8b"], wanted, analysis.run, students=100 if quick else 500)
    if "2" in wanted and not args.only:
        estimate = _class_estimate(rows, args.students)
        spent = (time.perf_counter() - started) / 60
        if estimate is not None and spent + estimate > args.budget:
            say(f"\n== 2: left out: about {estimate:.0f} min more (from item 1's seconds per notebook) would pass the "
                f"{args.budget:.0f} min budget after {spent:.0f} min; run it alone with `make bench BENCH_ARGS=--only=2`")
            wanted.discard("2")
            left_out.append(Row("2", WHAT["2"], f"left out of `make bench`: about {estimate:.0f} min at this run's "
                                "grading speed; `make bench BENCH_ARGS=--only=2` runs it alone",
                                target=TARGETS["2"]))
    rows += _step(["2"], wanted, grading.run_throughput, students=args.students,
                  workers=args.class_workers)
    total = time.perf_counter() - started

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for row in rows:
        results[row.key] = {**row.to_dict(), "measured_at": stamp, "commit": _git_commit(), "quick": quick}
    for row in left_out:
        results.setdefault(row.key, {**row.to_dict(), "measured_at": "", "commit": "", "quick": quick})
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True, default=str) + "\n")

    notes = DOC.read_text().split(NOTES_MARK, 1)[1] if DOC.exists() and NOTES_MARK in DOC.read_text() else (
        "\n## What the numbers mean\n\n(Write the analysis of missed targets here; `make bench` keeps it.)\n")
    header = [
        f"Last run: {stamp}, commit {_git_commit()}, items {', '.join(k for k in ORDER if k in wanted)} "
        f"in {total / 60:.1f} min{' (--quick: fewer repetitions)' if quick else ''}.",
        f"Machine at start: {machine_before}.",
        f"Machine at end: {machine_line()}.",
        "The load average counts every process on the machine: anything else running during a run slows both a "
        "figure and its reference, which is why each ratio is taken within one run.",
    ]
    older = sorted({v["measured_at"] for k, v in results.items() if k not in wanted and v.get("measured_at")})
    if older:
        header.append(f"Items not run this time keep their results from {', '.join(older)}.")
    DOC.write_text(render(results, header, notes))
    say(f"\nwrote {DOC.relative_to(REPO)} and {RESULTS.relative_to(REPO)} in {total / 60:.1f} min")
    for key in ORDER:
        if key in results:
            r = results[key]
            say(f"  {key:3} {r['verdict']:20} ratio {r['ratio']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
