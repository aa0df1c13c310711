"""Course build steps: derive check cells in source/, then generate release/ with nbgrader.

Usage: ``python -m oud_course.build release [--graded] [--out DIR] [--root DIR]``
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oud_course.build", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["release"])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (holds course_config.py)")
    parser.add_argument("--out", type=Path, help="release folder (default: <root>/release)")
    parser.add_argument("--graded", action="store_true", help="self-check feedback off, for classes graded for credit")
    parser.add_argument("--only", action="append", metavar="ASSIGNMENT", help="build just this assignment (repeatable)")
    parser.add_argument("--db-url", default="", help="record the assignments in this gradebook (default: a throwaway one)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    # nbgrader runs the `alembic` command when it creates a gradebook: it lives beside this Python.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    settings = course_settings(root)
    os.chdir(root)  # nbgrader resolves course paths from here
    assignments = settings["ASSIGNMENTS"]
    unknown = sorted(set(args.only or []) - set(assignments))
    if unknown:
        parser.error(f"no such assignment in source/: {', '.join(unknown)}")
    assignments = [a for a in assignments if not args.only or a in args.only]
    for path in derive_source(root, assignments, settings["COURSE_ID"]):
        print(f"derived check cells in {path.relative_to(root)}")
    out = args.out or root / "release"
    generate_release(root, assignments, out, graded=args.graded, db_url=args.db_url)
    flavour = "graded (self-check off)" if args.graded else "self-study (self-check on)"
    print(f"release: {len(assignments)} assignment(s), {flavour}, in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
