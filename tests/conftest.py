"""pytest set-up: fixtures over the helpers in course_tools.py (a plain module, so any test can import it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from course_tools import BIN, make_course

pytest_plugins = ["postgres"]


def pytest_collection_modifyitems(items):
    """Mark what each test needs from its fixtures, so `make check` can leave out servers it would start."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def course(tmp_path) -> Path:
    """A fresh course folder with this repository's config and source/, and its own SQLite gradebook."""
    return make_course(tmp_path / "course")


@pytest.fixture(scope="session", autouse=True)
def _venv_on_path():
    """nbgrader runs `alembic` by name when it creates a gradebook, as `make` and `oud-course` let it (venv first on PATH)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


@pytest.fixture(scope="session", autouse=True)
def _progress_file_in_tmp(tmp_path_factory):
    """Self-checks run by the tests (and their kernels) record progress in a temporary file, not in ~."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OUD_COURSE_PROGRESS", str(tmp_path_factory.mktemp("progress") / "oud-course-progress.json"))
        yield
