"""``python -m oud_course.grading.cli``: nbgrader's command line, about 1.4 s quicker to start.

Importing nbformat imports jsonschema, which imports rfc3987_syntax when it is installed; that module
builds some 35 Earley parsers for the ``iri`` formats at import (python-jsonschema/jsonschema#1428),
about 1.4 s of every nbgrader start here. No notebook or gradebook schema uses those formats, and
jsonschema goes on without them when the import fails, so the grading workflow's processes skip it.
"""

import sys


def skip_iri_grammars() -> None:
    """Let jsonschema, once imported in this process, go without rfc3987_syntax's slow IRI grammars."""
    sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules makes the import raise ImportError


def main() -> None:
    skip_iri_grammars()
    from nbgrader.apps.nbgraderapp import main as nbgrader_main

    nbgrader_main()


if __name__ == "__main__":
    main()
