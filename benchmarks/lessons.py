"""Items 4 and 7a: each lesson's headless execution time less a bare kernel start, and its kernel's peak memory.

Every run executes, each in a fresh python3 kernel with nbclient (as tests/test_lessons.py does):
an empty notebook (the bare kernel start: start, kernel_info, shut down), the memory reference
(import ipywidgets and matplotlib, draw one figure with pyplot) and every lesson. The lesson's
weight is its wall time less the bare start of the same run. The kernel's peak resident memory
(VmHWM, which never goes down) is read just before the kernel is shut down.
"""

from __future__ import annotations

import subprocess
import time

import nbformat
from nbclient import NotebookClient

from benchmarks.common import REPO, Row, fmt_num, fmt_spread, peak_rss_mb, ratio_line, say, summary, verdict

LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
WEIGHT_TARGET_S = 1.5
MEMORY_TARGET = 1.3
MEMORY_REFERENCE = "import ipywidgets\nimport matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [0, 1, 4])\nplt.show()"


class MeasuredClient(NotebookClient):
    """nbclient that reads its kernel's peak RSS just before shutting it down."""

    peak_mb: float = 0.0

    async def _async_cleanup_kernel(self) -> None:
        provisioner = getattr(self.km, "provisioner", None) if self.km is not None else None
        process = getattr(provisioner, "process", None)
        if process is not None:
            self.peak_mb = peak_rss_mb(process.pid)
        await super()._async_cleanup_kernel()


def execute(nb, cwd: str) -> tuple[float, float, list[str]]:
    """Run ``nb`` in a fresh kernel; return (seconds, kernel peak MB, error outputs)."""
    client = MeasuredClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": cwd}})
    start = time.perf_counter()
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's start-up warnings are noise here
    seconds = time.perf_counter() - start
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    return seconds, client.peak_mb, errors


def _notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def run(runs: int = 3) -> tuple[Row, Row]:
    """Return the rows for item 4 (lesson weight) and item 7a (lesson kernel memory)."""
    bare_s: list[float] = []
    ref_mb: list[float] = []
    times: dict[str, list[float]] = {p.stem: [] for p in LESSONS}
    weights: dict[str, list[float]] = {p.stem: [] for p in LESSONS}
    peaks: dict[str, list[float]] = {p.stem: [] for p in LESSONS}
    problems: set[str] = set()
    for r in range(runs):
        bare, _, _ = execute(_notebook(), str(REPO / "notebooks"))
        bare_s.append(bare)
        _, ref_peak, errors = execute(_notebook(MEMORY_REFERENCE), str(REPO / "notebooks"))
        ref_mb.append(ref_peak)
        problems.update(f"memory reference: {e}" for e in errors)
        say(f"  run {r + 1}/{runs}: bare kernel start {bare:.2f} s; reference kernel peak {ref_peak:.0f} MB")
        for path in LESSONS:
            seconds, peak, errors = execute(nbformat.read(path, as_version=4), str(path.parent))
            problems.update(f"{path.stem}: {e}" for e in errors)
            times[path.stem].append(seconds)
            weights[path.stem].append(seconds - bare)
            peaks[path.stem].append(peak)
            say(f"    {path.stem}: {seconds:.2f} s, weight {seconds - bare:.2f} s (target ≤ {WEIGHT_TARGET_S} s), "
                f"kernel peak {peak:.0f} MB, ratio {peak / ref_peak:.2f} to the reference kernel (target ≤ {MEMORY_TARGET})")

    bare_med = summary(bare_s)["median"]
    ref_med = summary(ref_mb)["median"]
    heaviest = max(weights, key=lambda k: summary(weights[k])["median"])
    over = [k for k in weights if summary(weights[k])["median"] > WEIGHT_TARGET_S]
    weight = Row("4", "Lesson weight: each lesson's headless execution less a bare kernel start",
                 f"nbclient, fresh python3 kernel per run, start to shutdown; minus an empty notebook run the same "
                 f"way in the same run; {runs} runs of each of the {len(LESSONS)} lessons",
                 target=f"≤ {WEIGHT_TARGET_S} s for each lesson")
    weight.figure = (f"heaviest: {heaviest} {fmt_spread(weights[heaviest], 's')}; "
                     f"{len(over)} of {len(LESSONS)} lessons over target")
    weight.reference = f"bare kernel start {fmt_spread(bare_s, 's')}"
    heaviest_total = summary(times[heaviest])["median"]
    weight.ratio = f"{heaviest_total / bare_med:.2f} (heaviest lesson's whole run to a bare start)"
    weight.verdict = verdict(not over)
    ratio_line(f"heaviest lesson {heaviest}, whole run", heaviest_total, bare_med, "s")
    weight.details = ["| lesson | execution (start to shutdown) | weight (less bare start) | ratio to bare start | target ≤ 1.5 s |",
                      "|---|---|---|---|---|"]
    for stem in times:
        w = summary(weights[stem])["median"]
        weight.details.append(f"| {stem} | {fmt_spread(times[stem], 's', 'range')} | {fmt_spread(weights[stem], 's', 'range')} | "
                              f"{summary(times[stem])['median'] / bare_med:.2f} | {'met' if w <= WEIGHT_TARGET_S else '**missed**'} |")
    if problems:
        weight.details += ["", "Errors while executing: " + "; ".join(sorted(problems))]
    weight.raw = {"bare_s": bare_s, "times_s": times, "weights_s": weights}

    biggest = max(peaks, key=lambda k: summary(peaks[k])["median"])
    ratios = {k: summary(v)["median"] / ref_med for k, v in peaks.items()}
    memory = Row("7a", "Memory: peak RSS of a lesson's kernel after running it",
                 f"VmHWM of the kernel process just before shutdown, {runs} runs per lesson (the same runs as item 4); "
                 f"reference: a kernel that imports ipywidgets and matplotlib and draws one pyplot figure",
                 target=f"≤ {MEMORY_TARGET}x the reference, every lesson")
    memory.figure = f"largest: {biggest} {fmt_spread(peaks[biggest], 'MB', 'range')}"
    memory.reference = fmt_spread(ref_mb, "MB", "range")
    memory.ratio = f"{ratios[biggest]:.2f} (largest lesson)"
    memory.verdict = verdict(all(r <= MEMORY_TARGET for r in ratios.values()))
    ratio_line(f"largest lesson kernel {biggest}", summary(peaks[biggest])["median"], ref_med, "MB",
               f"≤ {MEMORY_TARGET}x")
    memory.details = ["| lesson | kernel peak RSS | ratio to reference | target ≤ 1.3x |", "|---|---|---|---|"]
    for stem, values in peaks.items():
        memory.details.append(f"| {stem} | {fmt_spread(values, 'MB', 'range')} | {ratios[stem]:.2f} | "
                              f"{'met' if ratios[stem] <= MEMORY_TARGET else '**missed**'} |")
    memory.raw = {"reference_mb": ref_mb, "peaks_mb": peaks}
    say(f"  -> bare kernel start median {fmt_num(bare_med, 's')}")
    return weight, memory
