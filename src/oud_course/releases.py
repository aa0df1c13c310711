"""What was released to the class: each check's record in the class gradebook, and a copy of its source as released.

``make release`` records each class check (``oud_course.term``'s CHECKS) in the class gradebook in its flavour
and keeps the source it released in ``build/class/source/<check>/``, with ``build/class/releases.json``
(flavour, time). ``make grade`` grades against that record: ``check`` says, before grading, whether source/
changed since (graded as released, pointing at ``make regrade``) or the gradebook's record did (grading stops:
it would switch every student's key without a word).
"""

from __future__ import annotations

import filecmp
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from oud_course.term import _naive_utc, due_date, flavour

CLASS_FOLDER = Path("build") / "class"


def class_folder(root: Path) -> Path:
    return Path(root) / CLASS_FOLDER


def recorded(root: Path) -> dict:
    """assignment -> {"flavour", "released"} for every check released to the class."""
    try:
        return json.loads((class_folder(root) / "releases.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_releases(root: Path, done: dict) -> None:
    class_folder(root).mkdir(parents=True, exist_ok=True)
    (class_folder(root) / "releases.json").write_text(json.dumps(done, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def released(root: Path, settings: dict) -> list[str]:
    """The checks released to the class, in course order."""
    done = recorded(root)
    return [a for a in settings["ASSIGNMENTS"] if a in done]


def released_flavour(root: Path, settings: dict, assignment: str) -> str:
    """The flavour ``assignment`` was released in (what its students have), else the one CHECKS gives."""
    return recorded(root).get(assignment, {}).get("flavour") or flavour(settings, assignment)


def folder(root: Path, settings: dict, assignment: str) -> Path:
    """Where the student version of ``assignment`` in its released flavour lives."""
    graded = released_flavour(root, settings, assignment) == "credit"
    return Path(root) / ("build/release-graded" if graded else "release")


def in_class_gradebook(settings: dict, assignment: str) -> bool:
    """Whether the class gradebook holds ``assignment`` with its notebooks."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        try:
            return bool(gradebook.find_assignment(assignment).notebooks)
        except MissingEntry:
            return False


def source_unchanged(root: Path, assignment: str) -> bool:
    """Whether source/<assignment> is byte for byte the source that was released."""
    kept = class_folder(root) / "source" / assignment
    if not kept.is_dir():
        return False
    comparison = filecmp.dircmp(Path(root) / "source" / assignment, kept, ignore=[".ipynb_checkpoints"])
    _, mismatched, unreadable = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files, shallow=False)
    return not (comparison.left_only or comparison.right_only or mismatched or unreadable)


def record(root: Path, assignment: str, settings: dict, self_study_written: bool = False) -> None:
    """Release ``assignment`` as source/ holds it now: record it in the class gradebook in its flavour, write
    its student version (release/ for practice; build/release-graded/ for credit, release/ kept self-study for
    Binder), keep a copy of the source in build/class/, and record its due date."""
    from nbgrader.api import Gradebook

    from oud_course.build import generate_release

    root = Path(root)
    kind = flavour(settings, assignment)
    if kind == "credit":
        if not self_study_written:
            generate_release(root, [assignment], root / "release")
        generate_release(root, [assignment], root / "build" / "release-graded", graded=True, db_url=settings["DB_URL"])
    else:
        generate_release(root, [assignment], root / "release", db_url=settings["DB_URL"])
    kept = class_folder(root) / "source" / assignment
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(root / "source" / assignment, kept, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    done = recorded(root)
    done[assignment] = {"flavour": kind, "released": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    _write_releases(root, done)
    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=_naive_utc(due_date(settings, assignment)))


def adopt(root: Path, assignment: str, settings: dict) -> str:
    """Take a check the gradebook holds without a release record (recorded by hand, or before records were kept) as
    released in the flavour CHECKS gives; its source is kept too when source/ declares what the gradebook holds."""
    from nbgrader.api import Gradebook

    root = Path(root)
    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        differ = _declarations_differ(root, gradebook, assignment, settings)
    if differ == []:
        kept = class_folder(root) / "source" / assignment
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(root / "source" / assignment, kept, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    done = recorded(root)
    done[assignment] = {"flavour": flavour(settings, assignment), "released": "before this gradebook kept release records"}
    _write_releases(root, done)
    if differ == []:
        return f"{assignment}: the gradebook's record (no release record) matches source/: kept as the released version"
    return (f"{assignment}: graded against the gradebook's record, which has no release record"
            + (f" and differs from source/ (items {', '.join(differ)})" if differ else ""))


def preflight_root(root: Path, assignment: str) -> Path:
    """A scratch course folder holding today's settings and the source as released, for the preflight to grade
    the released answer key (the caller removes it)."""
    scratch = Path(tempfile.mkdtemp(prefix="oud-released-"))
    for name in ("course_config.py", "nbgrader_config.py"):
        shutil.copyfile(Path(root) / name, scratch / name)
    kept = class_folder(root) / "source" / assignment
    shutil.copytree(kept if kept.is_dir() else Path(root) / "source" / assignment, scratch / "source" / assignment)
    return scratch


def _gradebook_declarations(gradebook, settings: dict, assignment: str) -> dict:
    """The declarations the gradebook holds for ``assignment``, through regrade's reader (which takes the gradebook's
    URL too where the item contract is kept as data in the gradebook)."""
    import inspect

    from oud_course.regrade import declarations

    if len(inspect.signature(declarations).parameters) == 3:
        return declarations(gradebook, settings["DB_URL"], assignment)
    return declarations(gradebook, assignment)


def _declarations_differ(left_root: Path, right, assignment: str, settings: dict) -> list[str] | None:
    """Item ids whose declaration differs between the source under ``left_root`` and ``right`` (another source
    folder, or a gradebook), or None when they cannot be compared (the caller then says nothing)."""
    from oud_course.regrade import source_declarations

    try:
        left = source_declarations(left_root, assignment, settings["COURSE_ID"])
        right = (source_declarations(right, assignment, settings["COURSE_ID"]) if isinstance(right, Path)
                 else _gradebook_declarations(right, settings, assignment))
    except (OSError, ValueError, KeyError, StopIteration) as error:  # an unreadable notebook or record
        print(f"{assignment}: could not compare declarations ({error!r})", file=sys.stderr)
        return None
    return sorted({key[1] for key in set(left) | set(right) if left.get(key) != right.get(key)})


def check(root: Path, assignment: str, settings: dict) -> tuple[list[str], str]:
    """Before grading: (notes for the instructor, why grading must stop or "") about ``assignment``'s record.

    A check never released is recorded from source/ now. A source/ changed since its release is graded as
    released, with a note pointing at ``make regrade``. A gradebook record that no longer matches the release
    (nbgrader's generate run by hand) stops grading: it would switch every student's key silently.
    """
    from nbgrader.api import Gradebook

    root = Path(root)
    done = recorded(root).get(assignment)
    in_gradebook = in_class_gradebook(settings, assignment)
    kept = (class_folder(root) / "source" / assignment).is_dir()
    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        differ = (_declarations_differ(class_folder(root), gradebook, assignment, settings)
                  if done and in_gradebook and kept else None)
    if not done and not in_gradebook:
        record(root, assignment, settings)
        return [f"{assignment} had not been released with `make release`: recorded it from source/ now "
                f"({flavour(settings, assignment)})"], ""
    if not done:
        return [adopt(root, assignment, settings)], ""
    notes = []
    if not in_gradebook:
        return [], (f"{assignment} was released on {done['released']} but the gradebook ({settings['DB_URL']}) has no "
                    "record of it: is COURSE_DB_URL the class's? `make release` records it again")
    if differ:
        return [], (f"the gradebook's record of {assignment} (items {', '.join(differ)}) is not what `make release` "
                    f"recorded on {done['released']} (was nbgrader generate_assignment or the formgrader's Generate run?). "
                    "Students were given the version kept in build/class/source/. To grade against source/ as it is now, "
                    "run `make release` (it becomes the released version); to go back, copy build/class/source/"
                    f"{assignment} over source/{assignment} and run `make release`")
    if kept and not source_unchanged(root, assignment):
        items = _declarations_differ(root, class_folder(root), assignment, settings)
        what = f" (items {', '.join(items)})" if items else ("" if items is None else " (no item changed)")
        notes.append(f"source/{assignment} changed since its release on {done['released']}{what}: graded against the "
                     "released version. To grade with the change: `make regrade ASSIGNMENT=" + assignment +
                     "` (decides changed items again from the stored answers), or `make release` then `make grade`")
    if done["flavour"] != flavour(settings, assignment):
        notes.append(f"CHECKS says {assignment} is {flavour(settings, assignment)}, but it was released as "
                     f"{done['flavour']}: graded as released; `make release` releases it again")
    return notes, ""
