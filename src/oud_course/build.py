"""Course build steps: derive check cells in source/, generate release/ with nbgrader, release the class's checks.

Usage: ``python -m oud_course.build release [--only ASSIGNMENT] [--root DIR]`` (``make release``): release/ for
self-study (every check; what Binder serves), then each check in course_config.py's CHECKS released to the class
(recorded in the class gradebook in its flavour; a credit check's student version in build/release-graded/).
``--out DIR [--graded] [--db-url URL]`` only generates the checks into DIR (the class is not touched).
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import tempfile
from pathlib import Path

import nbformat


def course_settings(root: Path) -> dict:
    """The constants and config object of ``course_config.py`` in ``root``."""
    return runpy.run_path(str(root / "course_config.py"))


def check_notebooks(root: Path, assignment: str) -> list[Path]:
    """The notebooks of one source assignment, sorted."""
    return sorted((root / "source" / assignment).glob("*.ipynb"))


def derive_source(root: Path, assignments: list[str], course_id: str) -> list[Path]:
    """Rewrite source notebooks whose check cells are out of step with their declarations; return those changed."""
    from oud_course.grading.derive import derive_checks

    changed = []
    for assignment in assignments:
        for path in check_notebooks(root, assignment):
            before = path.read_text(encoding="utf-8")
            nb = derive_checks(nbformat.reads(before, as_version=4), assignment, course_id, self_check=True)
            after = nbformat.writes(nb) + "\n"
            if after != before:
                path.write_text(after, encoding="utf-8")
                changed.append(path)
    return changed


def generate_release(root: Path, assignments: list[str], out: Path, graded: bool = False, db_url: str = "") -> None:
    """Run nbgrader's generate_assignment for every assignment into ``out``; raise on any failure.

    nbgrader records each generated assignment in a gradebook: ``db_url`` names it (by default
    a throwaway one, so building a release never touches a class's gradebook).
    """
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.release_directory = str(out.resolve())
    config.DeriveItemChecks.self_check = not graded
    config.DeriveItemChecks.credit = []  # this build's flavour is ``graded``, whatever CHECKS says (release/ is self-study)
    if not db_url:
        scratch = tempfile.mkdtemp(prefix="oud-release-")
        db_url = f"sqlite:///{scratch}/gradebook.db"
    config.CourseDirectory.db_url = db_url
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    for assignment in assignments:
        result = api.generate_assignment(assignment, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {assignment}:\n{result.get('error') or result.get('log')}")


def release_class(root: Path, assignments: list[str], settings: dict) -> list[str]:
    """Release the class's checks among ``assignments`` (release/ is written already); one line each on what happened."""
    from oud_course import releases, term

    done = releases.recorded(root)
    lines = []
    for assignment in (a for a in assignments if a in settings.get("CHECKS", {})):
        kind, before = term.flavour(settings, assignment), done.get(assignment)
        if (before and before["flavour"] == kind and releases.source_unchanged(root, assignment)
                and releases.in_class_gradebook(settings, assignment)):
            lines.append(f"{assignment}: released on {before['released']} ({kind}), unchanged")
            continue
        releases.record(root, assignment, settings, self_study_written=True)
        where = "build/release-graded" if kind == "credit" else "release"
        again = f"released again (was {before['flavour']}, {before['released']}); " if before else ""
        due = term.due_date(settings, assignment)
        lines.append(f"{assignment}: {again}{kind}, due {due.isoformat() if due else 'never (no late penalty)'}; "
                     f"recorded in the class gradebook; students get {where}/{assignment}/")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oud_course.build", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["release"])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (holds course_config.py)")
    parser.add_argument("--out", type=Path, help="only generate into this folder (the class's gradebook is not touched)")
    parser.add_argument("--graded", action="store_true", help="with --out: self-check off (the credit flavour)")
    parser.add_argument("--only", action="append", metavar="ASSIGNMENT", help="build just this assignment (repeatable)")
    parser.add_argument("--db-url", default="", help="with --out: record the assignments in this gradebook (default: a throwaway one)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.out is None:
        from oud_course import term
        settings = term.load(root)
    else:
        settings = course_settings(root)
    os.chdir(root)  # nbgrader resolves course paths from here
    assignments = settings["ASSIGNMENTS"]
    unknown = sorted(set(args.only or []) - set(assignments))
    if unknown:
        parser.error(f"no such assignment in source/: {', '.join(unknown)}")
    assignments = [a for a in assignments if not args.only or a in args.only]
    for path in derive_source(root, assignments, settings["COURSE_ID"]):
        print(f"derived check cells in {path.relative_to(root)}")
    if args.out is not None:
        generate_release(root, assignments, args.out, graded=args.graded, db_url=args.db_url)
        flavour = "graded (self-check off)" if args.graded else "self-study (self-check on)"
        print(f"release: {len(assignments)} assignment(s), {flavour}, in {args.out}")
        return 0
    generate_release(root, assignments, root / "release")
    print(f"release/: {len(assignments)} check(s), self-study (self-check on)")
    lines = release_class(root, assignments, settings)
    for line in lines:
        print(line)
    if not lines and not settings.get("CHECKS"):
        print("no check is given to a class (CHECKS in course_config.py is empty): release/ is for self-study")
    return 0


if __name__ == "__main__":
    sys.exit(main())
