"""``oud-course``: the course's one command line (release, grade, regrade, report, hand-out, feedback, export, site).

Each command is a module's ``main``; ``oud-course COMMAND --help`` shows its options. The Makefile calls these.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

# command -> (module whose main() runs it, arguments put before the user's, one line of help)
COMMANDS = {
    "release": ("oud_course.build", ["release"], "derive check cells in source/, write release/ and record the class's checks"),
    "grade": ("oud_course.grade", [], "collect, autograde, write feedback and grades.csv"),
    "regrade": ("oud_course.regrade", [], "decide every submission again from stored answers after a key changed"),
    "report": ("oud_course.report", [], "item analysis of a graded class, as HTML and CSV"),
    "hand-out": ("oud_course.term", ["hand-out"], "put a released check in nbgrader's exchange"),
    "feedback": ("oud_course.term", ["feedback"], "release feedback to the exchange or as LMS zips"),
    "export": ("oud_course.term", ["export"], "grades.csv, its detail, and the Canvas and Moodle files"),
    "site": ("oud_course.site", [], "the lessons as a static website in build/site"),
}


def usage() -> str:
    lines = ["usage: oud-course COMMAND [options]   (oud-course COMMAND --help for its options)", "", "commands:"]
    lines += [f"  {name:<9} {help_text}" for name, (_, _, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        print(usage(), file=sys.stdout if args and args[0] in ("-h", "--help") else sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    module, fixed, _ = COMMANDS[args[0]]
    # nbgrader runs `alembic` by name when it creates a gradebook: it is installed beside this Python.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    sys.argv = [f"oud-course {args[0]}", *args[1:]]
    return import_module(module).main([*fixed, *args[1:]]) or 0


if __name__ == "__main__":
    sys.exit(main())
