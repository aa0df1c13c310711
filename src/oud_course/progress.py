"""The learner's self-check progress, kept in a small JSON file they can download.

Every self-check (``oud_course.checks.feedback``) records its outcome here, under the check it
belongs to (:func:`current_check`: ``03-dependence-cycle``, or ``00-welcome`` for the welcome
lesson's practice item) and the item id, in ``~/oud-course-progress.json`` (env ``OUD_COURSE_PROGRESS`` names
another file). A Binder session, and its home folder, vanishes when it ends, so
:func:`download_link` offers the file as a download and :func:`show_progress` prints where the
learner stands in every check.

Nothing here may raise into a learner's notebook: a home that cannot be written (read-only, full,
or none at all) prints one short note per session, and the session's records are kept in memory,
so the summary and the download link still have them. The file holds outcomes only ("right",
"not right", ...), never an answer. Two kernels saving at the same instant can lose one of the two
updates; the next self-check of that item records it again.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

FILENAME = "oud-course-progress.json"
ENV_VAR = "OUD_COURSE_PROGRESS"  # a file path that replaces ~/oud-course-progress.json (tests, shared homes)
ABOUT = "Self-check progress in the course Understanding Opioid Dependence: outcomes only, never answers."
NOT_ANSWERED = "not answered"
ASSIGNMENT_ID = re.compile(r"\d\d-[a-z0-9]+(?:-[a-z0-9]+)*")  # NN-kebab-case, as every check's folder is named

_unsaved: dict[str, dict[str, dict]] = {}  # records this session could not write: check -> item -> record
_noted = False  # whether the one-line "could not save" note was printed


def path() -> Path:
    """Where the progress file lives: ``$OUD_COURSE_PROGRESS``, or ``oud-course-progress.json`` in the home folder."""
    override = os.environ.get(ENV_VAR)
    return Path(override).expanduser() if override else Path.home() / FILENAME


def current_check() -> str:
    """The check a self-check run now belongs to: the check's folder, else the notebook's name.

    A check runs in its own folder, named after its assignment (``release/03-dependence-cycle/``).
    A lesson's practice item runs in ``notebooks/``, which names no check: there it is the
    notebook's name (``00-welcome``), from the path jupyter_server gives every kernel it starts
    for a notebook (``JPY_SESSION_NAME``). Without either, the folder's name.
    """
    try:
        folder = Path.cwd().name
    except OSError:  # the folder was deleted under the running kernel
        folder = ""
    if ASSIGNMENT_ID.fullmatch(folder):
        return folder
    notebook = os.environ.get("JPY_SESSION_NAME")
    return Path(notebook).stem if notebook else folder or "unnamed"


def _empty() -> dict:
    return {"about": ABOUT, "checks": {}}


def _read_file() -> dict:
    """The file's contents; an empty progress if it is missing. Raises OSError or ValueError if unreadable."""
    try:
        text = path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return _empty()
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("checks"), dict):
        raise ValueError(f"{path()} is not a course progress file")
    return data


def _merge_unsaved(data: dict) -> dict:
    for check, records in _unsaved.items():
        data["checks"].setdefault(check, {}).update(records)
    return data


def load() -> dict:
    """The progress so far (the file plus anything this session could not save); never raises."""
    try:
        data = _read_file()
    except Exception:  # noqa: BLE001 - a damaged or unreadable file must not stop the learner
        data = _empty()
    return _merge_unsaved(data)


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``target``, then rename it over ``target`` in one step."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _note(reason: str) -> None:
    global _noted
    if not _noted:
        _noted = True
        print(f"(Your progress could not be saved to a file ({reason}); this session still remembers it.)")


def _updated(earlier: dict | None, outcome: str, now: str) -> dict | None:
    """The item's new record, or None to keep ``earlier`` (a blank answer never erases an outcome)."""
    if earlier is not None and outcome == NOT_ANSWERED:
        return None
    tries = (earlier or {}).get("tries", 0) + (outcome != NOT_ANSWERED)
    return {"outcome": outcome, "tries": tries, "updated": now}


def record(check: str, item: str, outcome: str) -> None:
    """Record ``outcome`` ("right", "not right", "not answered", ...) of ``item`` in ``check``; never raises.

    ``check`` names the assignment or notebook the item belongs to. The item's record keeps its last
    outcome, how many answered tries it had and when; "not answered" (a blank answer, as after
    Run All on a fresh copy) is recorded only for an item with no record yet.
    """
    try:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        target = path()
        try:
            try:
                data = _merge_unsaved(_read_file())
            except ValueError:  # damaged (hand-edited?): set it aside and start again
                target.replace(target.with_name(target.name + ".damaged"))
                data = _merge_unsaved(_empty())
            new = _updated(data["checks"].get(check, {}).get(item), outcome, now)
            if new is None:
                return
            data["checks"].setdefault(check, {})[item] = new
            data["updated"] = now
            _write_atomically(target, _dumps(data))
        except OSError as error:
            new = _updated(_unsaved.get(check, {}).get(item), outcome, now)
            if new is None:
                return
            _unsaved.setdefault(check, {})[item] = new
            _note(error.strerror or type(error).__name__)
        else:
            _unsaved.clear()  # everything this session held is in the file now
    except Exception as error:  # noqa: BLE001 - e.g. no home folder at all; never break the notebook
        _note(type(error).__name__)


def download_text() -> str:
    """The progress file's text as it would be downloaded (the file itself if it holds everything)."""
    if not _unsaved:
        try:
            return path().read_text(encoding="utf-8")
        except Exception:  # noqa: BLE001
            pass
    return _dumps(load())


def download_link():
    """An ipywidgets.HTML link that saves the progress as oud-course-progress.json (works on Binder too)."""
    import ipywidgets

    data = base64.b64encode(download_text().encode("utf-8")).decode("ascii")
    link = html.escape(f"data:application/json;base64,{data}", quote=True)
    style = "color: var(--jp-content-link-color, #0d47a1); text-decoration: underline"  # widgets unstyle links
    widget = ipywidgets.HTML(f'<a download="{FILENAME}" href="{link}" style="{style}">Download your progress ({FILENAME})</a>')
    widget.add_class("oud-progress-download")
    return widget


def show_progress() -> None:
    """Print a table: each check, how many of its self-checked items are right, and which are not yet."""
    checks = load()["checks"]
    if not checks:
        print("No self-checks recorded yet: answer an item in a check and run the cell below it.")
        return
    try:
        where = f"saved in {path()}"
    except RuntimeError:  # no home folder
        where = "not saved to a file"
    print(f"Your self-check progress ({where}):")
    width = max(len("check"), *map(len, checks))
    print(f"  {'check':<{width}}  right  checked  still to do")
    for check in sorted(checks):
        records = checks[check]
        right = sum(r.get("outcome") == "right" for r in records.values())
        todo = ", ".join(f"{item} ({r.get('outcome')})" for item, r in sorted(records.items()) if r.get("outcome") != "right")
        print(f"  {check:<{width}}  {right:>5}  {len(records):>7}  {todo or '-'}")
