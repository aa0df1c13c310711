"""What the benchmarks share: statistics, the result row, the tests' helpers, process memory, timing."""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
if str(TESTS) not in sys.path:  # the tests' helpers: course_tools, class_simulation, postgres
    sys.path.insert(0, str(TESTS))

from course_tools import descendants  # noqa: E402 - shared with the browser tests; after the path is set

MB = 1024 * 1024


def say(message: str) -> None:
    """Print a progress line at once (make shows it as it runs)."""
    print(message, flush=True)


# --- statistics -----------------------------------------------------------------------------------

def quantile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between order statistics."""
    data = sorted(samples)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * q
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summary(samples: list[float]) -> dict:
    """Median, quartiles, p95, min and max of ``samples``."""
    return {
        "n": len(samples),
        "median": statistics.median(samples) if samples else float("nan"),
        "q1": quantile(samples, 0.25),
        "q3": quantile(samples, 0.75),
        "p95": quantile(samples, 0.95),
        "min": min(samples) if samples else float("nan"),
        "max": max(samples) if samples else float("nan"),
    }


def fmt_num(value: float, unit: str) -> str:
    """A number with its unit, with sensible digits: seconds, ms and MB."""
    if value != value:  # NaN
        return "n/a"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.3g}{unit}"


def fmt_spread(samples: list[float], unit: str, spread: str = "iqr") -> str:
    """``median (IQR q1–q3, n=N)`` or ``median (min–max, n=N)``."""
    s = summary(samples)
    if s["n"] == 0:
        return "n/a"
    if s["n"] == 1:
        return f"{fmt_num(s['median'], unit)} (n=1)"
    if spread == "range":
        lo, hi, name = s["min"], s["max"], "min–max"
    else:
        lo, hi, name = s["q1"], s["q3"], "IQR"
    return f"{fmt_num(s['median'], unit)} ({name} {fmt_num(lo, unit).split()[0]}–{fmt_num(hi, unit)}, n={s['n']})"


def ratio_of(value: float, reference: float) -> float:
    return value / reference if reference else float("nan")


# --- results --------------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the results table (and its details below the table)."""

    key: str  # "1", "2", "3a", ... the item
    what: str
    how: str
    figure: str = "not measured yet"
    reference: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = "not measured yet"  # met / missed / not measured yet / error
    details: list[str] = field(default_factory=list)  # markdown lines for the details section
    raw: dict = field(default_factory=dict)  # every sample, for results.json

    def to_dict(self) -> dict:
        return asdict(self)


def verdict(ok: bool | None) -> str:
    return "not measured yet" if ok is None else ("met" if ok else "**missed**")


def ratio_line(name: str, value: float, reference: float, unit: str, target: str = "") -> None:
    """Print a benchmark's ratio as it runs."""
    extra = f" (target {target})" if target else ""
    say(f"  -> {name}: {fmt_num(value, unit)} vs reference {fmt_num(reference, unit)}: "
        f"ratio {ratio_of(value, reference):.2f}{extra}")


# --- environment for the course's commands ---------------------------------------------------------

@contextlib.contextmanager
def patched_environ(**changes: str | None):
    """Set (or, with None, remove) environment variables for the duration; restore them after."""
    def apply(values: dict[str, str | None]) -> None:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    saved = {k: os.environ.get(k) for k in changes}
    try:
        apply(changes)
        yield
    finally:
        apply(saved)


def venv_path() -> str:
    """PATH with this Python's bin folder first (nbgrader runs `alembic` by name)."""
    return os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


# --- process memory --------------------------------------------------------------------------------

def _proc_kb(pid: int, field_name: str, source: str = "status") -> int:
    """A "<field>: N kB" value from /proc/<pid>/status (or smaps_rollup); 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/{source}", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    return _proc_kb(pid, "VmHWM") / 1024


def rss_mb(pid: int) -> float:
    return _proc_kb(pid, "VmRSS") / 1024


def pss_mb(pid: int) -> float:
    """Proportional set size: shared pages split between the processes sharing them."""
    return _proc_kb(pid, "Pss", "smaps_rollup") / 1024


class TreeMemory:
    """Sample a set of processes' summed RSS and PSS every ``interval`` s in a thread; keep the peaks.

    ``pids`` is called at each sample for the processes to add up (they come and go). Each
    process's own peak (VmHWM) is kept too, so a short-lived one is seen at its peak even between
    samples. Summed RSS counts pages the processes share (the same libraries) once per process, so
    it overstates what they take together; PSS shares those pages out.
    """

    def __init__(self, pids, interval: float = 0.1):
        self._pids = pids
        self.interval = interval
        self.peak_rss = 0.0
        self.peak_pss = 0.0
        self.hwm: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _name(pid: int) -> str:
        """A short name for the process: what kind of course process it is."""
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return "?"
        for needle, name in (("bwrap", "bwrap (sandbox)"), ("ipykernel", "kernel"), ("grading.evaluate", "clean grading process"),
                             ("nbgrader", "nbgrader"), ("alembic", "alembic")):
            if needle in cmd:
                return name
        return cmd.split(" ")[0].rsplit("/", 1)[-1] or "?"

    def sample(self) -> None:
        total_rss = total_pss = 0.0
        for pid in self._pids():
            total_rss += rss_mb(pid)
            total_pss += pss_mb(pid)
            hwm = peak_rss_mb(pid)
            if hwm:
                self.hwm[pid] = (self._name(pid), max(hwm, self.hwm.get(pid, ("", 0.0))[1]))
        self.peak_rss = max(self.peak_rss, total_rss)
        self.peak_pss = max(self.peak_pss, total_pss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def children_of_this_process() -> list[int]:
    """Every process this benchmark started (and their descendants)."""
    return descendants(os.getpid())


def machine_line() -> str:
    """Cores, memory, Python and load, for the report's header."""
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, {mem_kb / 1024 / 1024:.0f} GiB memory, Python {sys.version.split()[0]}, "
            f"load average (1, 5, 15 min) {load}")


class Stopwatch:
    """``with Stopwatch() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._start
