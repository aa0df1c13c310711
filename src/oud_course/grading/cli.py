"""``python -m oud_course.grading.cli``: nbgrader's command line, about 1.4 s quicker to start.

Importing nbformat imports jsonschema, which imports rfc3987_syntax when it is installed; that module
builds some 35 Earley parsers for the ``iri`` formats at import (python-jsonschema/jsonschema#1428),
about 1.4 s of every nbgrader start here. No notebook or gradebook schema uses those formats, and
jsonschema goes on without them when the import fails, so the grading workflow's processes skip it.
"""

import sys


def main() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules makes the import raise ImportError
    from nbgrader.apps.nbgraderapp import main as nbgrader_main

    nbgrader_main()


if __name__ == "__main__":
    main()
