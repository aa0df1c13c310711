"""pytest set-up: fixtures over the helpers in course_tools.py (a plain module, so any test can import it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_tools import make_course

pytest_plugins = ["postgres"]


@pytest.fixture
def course(tmp_path) -> Path:
    """A fresh course folder with this repository's config and source/, and its own SQLite gradebook."""
    return make_course(tmp_path / "course")
