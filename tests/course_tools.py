"""Helpers the tests share: the course's files, temporary nbgrader course folders, CI-aware skipping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest


REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
CHECKS = sorted((REPO / "source").glob("*/*.ipynb"))
BIN = Path(sys.executable).parent  # nbgrader calls `alembic` by name: it lives beside this Python


def in_ci() -> bool:
    """Whether this run is under CI, where anything missing is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() == "true"


def missing(reason: str) -> None:
    """Skip for a missing tool with a message saying how to get it; fail instead under CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def course_env(**extra: str) -> dict:
    """Environment for nbgrader commands: the venv first on PATH, no gradebook URL from outside."""
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_DB_URL", "COURSE_SELF_CHECK")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def make_course(folder: Path) -> Path:
    """Copy what an instructor's course folder needs (config and source/) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("course_config.py", "nbgrader_config.py"):
        shutil.copy(REPO / name, folder / name)
    shutil.copytree(REPO / "source", folder / "source")
    return folder


def nbgrader(course: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a real ``nbgrader`` command in ``course``; fail the test with its log if it fails."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env or course_env(),
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done


def read_nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def item_ids(nb) -> list[str]:
    """Ids of the autograded items declared in a source notebook."""
    return [c.metadata["oud_course"]["item"] for c in nb.cells if "kind" in c.metadata.get("oud_course", {})]


def descendants(pid: int) -> list[int]:
    """The process ids below ``pid`` (Linux /proc; elsewhere none), children first."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            for child in map(int, children.read_text().split()):
                found += [child, *descendants(child)]
        except (OSError, ValueError):
            pass
    return found
