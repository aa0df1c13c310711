"""``python -m oud_course.grading.cli``: nbgrader's command line, quicker to start and kinder to the database.

Three changes, all for the grading workflow's processes only:

- Importing nbformat imports jsonschema, which imports rfc3987_syntax when it is installed; that
  module builds some 35 Earley parsers for the ``iri`` formats at import
  (python-jsonschema/jsonschema#1428), about 1.4 s of every nbgrader start here. No notebook or
  gradebook schema uses those formats, and jsonschema goes on without them when the import fails.
- nbgrader opens a new ``Gradebook`` (a new SQLAlchemy engine, so a new database connection) in
  each step: 11 connections for one submission's autograde. On PostgreSQL each costs a server
  process, a password exchange and cold catalogue caches, about 19 ms of the server's CPU. Here
  every ``Gradebook`` of the process shares one engine per URL and its connection pool.
- nbgrader checks each cell's nbgrader metadata with ``jsonschema.validate``, which first checks
  the schema itself against its metaschema: some 55 ms per notebook, twice per submission. Here
  the schema is checked once per process, and each cell is validated as before.
"""

import atexit
import sys
import warnings

# The nbgrader versions whose internals the two patches below were written against (tests/test_grading_cli.py
# fails when the installed nbgrader is not one of them, or when a patched name has moved).
PATCHED_NBGRADER = ("0.9.",)


def patches_fit() -> bool:
    """Is the installed nbgrader one the patches were written for? If not, nbgrader runs unpatched (slower, same grades)."""
    import nbgrader

    if nbgrader.__version__.startswith(PATCHED_NBGRADER):
        return True
    warnings.warn(f"nbgrader {nbgrader.__version__} is not {PATCHED_NBGRADER}: grading runs without the launcher's "
                  "speed-ups until oud_course/grading/cli.py is checked against it", stacklevel=2)
    return False


def skip_iri_grammars() -> None:
    """Let jsonschema, once imported in this process, go without rfc3987_syntax's slow IRI grammars."""
    sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules makes the import raise ImportError


def share_gradebook_engines() -> None:
    """Make every nbgrader ``Gradebook`` in this process reuse one engine (and pooled connections) per URL."""
    from nbgrader import api
    from sqlalchemy import create_engine

    if getattr(api.create_engine, "shared", False):
        return
    engines: dict = {}

    def shared_engine(url, **options):
        key = (str(url), tuple(sorted(options.items())))
        if key not in engines:
            engines[key] = create_engine(url, **options)
        return engines[key]

    shared_engine.shared = True
    api.create_engine = shared_engine
    # A Gradebook's close ends its session, which hands the connection back to the pool; the pool
    # itself is closed once, when the process ends.
    api.Gradebook.close = lambda self: self.db.remove()
    atexit.register(lambda: [engine.dispose() for engine in engines.values()])


def check_metadata_schema_once() -> None:
    """Make nbgrader's cell-metadata validation check its (unchanging) schema once, not once per cell."""
    import json
    from types import SimpleNamespace

    import jsonschema
    from nbgrader.nbgraderformat import common

    validators: dict = {}

    def validate(instance, schema):
        key = json.dumps(schema, sort_keys=True)
        if key not in validators:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validators[key].iter_errors(instance))
        if error is not None:
            raise error  # the error jsonschema.validate raises

    common.jsonschema = SimpleNamespace(validate=validate)  # nbgrader's only use of the module there


def prepare_process() -> None:
    """The three changes above, for a process about to run nbgrader (the grading workflow's only)."""
    skip_iri_grammars()
    if patches_fit():
        share_gradebook_engines()
        check_metadata_schema_once()


def main() -> None:
    prepare_process()
    from nbgrader.apps.nbgraderapp import main as nbgrader_main

    nbgrader_main()


if __name__ == "__main__":
    main()
