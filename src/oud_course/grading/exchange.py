"""SafeExchangeCollect: nbgrader's exchange collect, copying no link and dating each submission by a clock the student cannot set.

nbgrader's collect copies a submission with ``shutil.copytree``, which follows links: a link a
student leaves in their submission would bring the gradebook (or any file the grader can read)
into ``submitted/``. Its late penalty trusts ``timestamp.txt`` and the folder name, both written by
the student's own process. Here only regular files are copied (the rest is named in the grading
report), and ``timestamp.txt`` is rewritten with the time the exchange last saw the submission
change: the latest inode change time (ctime) in it, which only the kernel's clock sets.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc

from oud_course.grading import intake

SLACK_SECONDS = 120  # clocks and copies differ by this much without anyone cheating


def received_at(folder: Path) -> datetime:
    """The latest ctime of ``folder`` and everything in it, read without following links."""
    latest = os.lstat(folder).st_ctime
    for here, folders, files in os.walk(folder, followlinks=False):
        for name in folders + files:
            latest = max(latest, os.lstat(os.path.join(here, name)).st_ctime)
    return datetime.fromtimestamp(latest, tz=timezone.utc)


def claimed_at(folder: Path) -> datetime | None:
    """The time the student's own timestamp.txt claims, if it is a readable regular file."""
    try:
        claimed = parse_utc(intake.open_regular(folder / "timestamp.txt", 1000).decode("utf-8").strip())
    except (OSError, ValueError, UnicodeDecodeError, OverflowError):
        return None
    return claimed.replace(tzinfo=timezone.utc) if claimed.tzinfo is None else claimed  # nbgrader's parse gives naive UTC


class SafeExchangeCollect(ExchangeCollect):
    """Collect from the exchange: regular files only, dated by the time they arrived."""

    def do_copy(self, src, dest, log=None):
        source, destination = Path(src), Path(dest)
        course_root = Path(self.coursedir.root)
        student = destination.parent.name
        assignment = self.coursedir.assignment_id
        if intake.kind(os.lstat(source).st_mode):
            intake.add_notes(course_root, assignment, student,
                             [f"not collected: the exchange entry is {intake.kind(os.lstat(source).st_mode)}"])
            self.log.error("%s is not a folder; not collected", source)
            return
        dropped = intake.copy_tree(source, destination, int(self.coursedir.max_file_size) * 1000)
        notes = [intake.describe(dropped)] if dropped else []
        claimed, received = claimed_at(source), received_at(source)
        stamp = received.strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        if claimed is None or abs((claimed - received).total_seconds()) > SLACK_SECONDS:
            said = claimed.isoformat(" ", "seconds") if claimed else "nothing readable"
            notes.append(f"timestamp.txt said {said}; the exchange received it at "
                         f"{received.isoformat(' ', 'seconds')}, which is used")
        timestamp = destination / "timestamp.txt"
        if os.path.lexists(timestamp):
            os.remove(timestamp)
        timestamp.write_text(stamp, encoding="utf-8")
        intake.add_notes(course_root, assignment, student, notes)
