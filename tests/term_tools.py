"""A small class written straight into a temporary nbgrader gradebook, for the term's and exports' unit tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook

# Each check: its notebook, an autograded item of 10 points and a short answer of 2 graded by hand.
POINTS = {"auto": 10.0, "task": 2.0}


def add_check(gradebook: Gradebook, assignment: str, due: datetime | None = None) -> None:
    gradebook.add_assignment(assignment, duedate=due)
    gradebook.add_notebook(f"{assignment}-check", assignment)
    gradebook.add_grade_cell("auto", f"{assignment}-check", assignment, max_score=POINTS["auto"], cell_type="code")
    gradebook.add_grade_cell("task", f"{assignment}-check", assignment, max_score=POINTS["task"], cell_type="markdown")


def add_submission(gradebook: Gradebook, assignment: str, student: str, when: datetime | None,
                   auto: float, manual: float | None = None) -> None:
    """A submission at ``when`` (naive UTC) with ``auto`` points autograded and, if given, ``manual`` by hand."""
    gradebook.add_submission(assignment, student, timestamp=when)
    grade = gradebook.find_grade("auto", f"{assignment}-check", assignment, student)
    grade.auto_score = auto
    task = gradebook.find_grade("task", f"{assignment}-check", assignment, student)
    task.manual_score = manual
    gradebook.db.commit()


def mark_released(course: Path, flavours: dict[str, str]) -> None:
    """Write the release record ``make release`` keeps, without running nbgrader."""
    folder = course / "build" / "class"
    folder.mkdir(parents=True, exist_ok=True)
    done = {a: {"flavour": f, "released": "2026-11-01T00:00:00+00:00"} for a, f in flavours.items()}
    (folder / "releases.json").write_text(json.dumps(done), encoding="utf-8")


def configure(course: Path, text: str) -> None:
    """Append settings to the course's course_config.py."""
    with open(course / "course_config.py", "a", encoding="utf-8") as config:
        config.write("\n" + text + "\n")
