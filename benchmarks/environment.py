"""Item 5: a fresh install of the course against installing only jupyterlab, ipywidgets, nbgrader and matplotlib.

Two new virtual environments (``python -m venv`` in a temporary folder): one gets ``pip install``
of the course (from a copy of this repository, not editable, so it installs like a user's), the
other ``pip install jupyterlab ipywidgets nbgrader matplotlib``. Both resolve from PyPI now, with
pip's cache allowed. Each is counted with ``pip list --format=json`` (less pip and setuptools that
venv puts there) and sized as the bytes under site-packages. The install times are reported but
are mostly download and cache luck.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO, Row, fmt_num, say, verdict

EXTRA_TARGET = 5
REFERENCE_PACKAGES = ["jupyterlab", "ipywidgets", "nbgrader", "matplotlib"]
SEEDED = {"pip", "setuptools", "wheel"}  # what venv itself puts there


def _venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin" / "python"


def _install(python: Path, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(args)} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - start


def _distributions(python: Path) -> dict[str, str]:
    done = subprocess.run([str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                          capture_output=True, text=True, check=True)
    return {d["name"].lower().replace("_", "-"): d["version"] for d in json.loads(done.stdout)
            if d["name"].lower() not in SEEDED}


def _size_mb(python: Path) -> float:
    site = next((python.parent.parent / "lib").glob("python*/site-packages"))
    total = 0
    for root, _, files in os.walk(site):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total / 1024 / 1024


def _course_copy(into: Path) -> Path:
    """The files a user's ``pip install .`` needs, without .venv and build leftovers."""
    target = into / "oud-course"
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "test-artifacts", "benchmarks", "node_modules"))
    return target


def run() -> Row:
    row = Row("5", "Environment: fresh install of the course",
              "`python -m venv` in a temp folder + `pip install` of the course (non-editable copy) vs of "
              f"{', '.join(REFERENCE_PACKAGES)} alone; distributions from `pip list "
              "--format=json` (less pip/setuptools), size = bytes under site-packages; PyPI, pip cache allowed; once",
              target=f"≤ {EXTRA_TARGET} extra distributions")
    work = Path(tempfile.mkdtemp(prefix="oud-bench-env-"))
    try:
        source = _course_copy(work)
        course_py = _venv(work / "course-venv")
        course_s = _install(course_py, str(source))
        ref_py = _venv(work / "reference-venv")
        ref_s = _install(ref_py, *REFERENCE_PACKAGES)
        course, reference = _distributions(course_py), _distributions(ref_py)
        course_mb, ref_mb = _size_mb(course_py), _size_mb(ref_py)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    extra = sorted(set(course) - set(reference))
    missing = sorted(set(reference) - set(course))
    differ = sorted(k for k in set(course) & set(reference) if course[k] != reference[k])
    say(f"  -> environment: {len(course)} distributions, {course_mb:.0f} MB vs reference {len(reference)}, "
        f"{ref_mb:.0f} MB: ratio {len(course) / len(reference):.2f} in count, {course_mb / ref_mb:.2f} in size; "
        f"{len(extra)} extra (target ≤ {EXTRA_TARGET})")
    row.figure = f"{len(course)} distributions, {fmt_num(course_mb, 'MB')} (n=1); {len(extra)} extra: {', '.join(extra) or 'none'}"
    row.reference = f"{len(reference)} distributions, {fmt_num(ref_mb, 'MB')} (n=1)"
    row.ratio = f"{len(course) / len(reference):.2f} in count, {course_mb / ref_mb:.2f} in size"
    row.verdict = verdict(len(extra) <= EXTRA_TARGET)
    row.details = [f"Install times (download and cache dependent): course {course_s:.0f} s, reference {ref_s:.0f} s."]
    if missing or differ:
        row.details.append("In the reference but not the course: " + (", ".join(missing) or "none") +
                           "; resolved to different versions: " +
                           (", ".join(f"{k} {course[k]} vs {reference[k]}" for k in differ) or "none") + ".")
    row.raw = {"course": course, "reference": reference, "course_mb": course_mb, "reference_mb": ref_mb,
               "course_install_s": course_s, "reference_install_s": ref_s}
    return row
