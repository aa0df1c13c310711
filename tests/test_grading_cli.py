"""The grading workflow's nbgrader launcher: nbgrader's own command line, quicker, deciding exactly as nbgrader does."""

import os
import subprocess
import sys
from pathlib import Path

from course_tools import REPO

PROBE = """
import sys
from oud_course.grading import cli
sys.argv = ["nbgrader", "--version"]
try:
    cli.main()
except SystemExit as done:
    assert not done.code, done.code
import nbformat
nb = nbformat.read(NOTEBOOK, as_version=4)
nbformat.validate(nb)
print("iri grammars built:", sys.modules.get("rfc3987_syntax") is not None)
"""


def test_launcher_runs_nbgrader_and_validates_notebooks_without_the_iri_grammars():
    """Does the launcher run nbgrader's command line, still validate notebooks, and skip rfc3987_syntax?"""
    notebook = next((REPO / "source").glob("01-*/*.ipynb"))
    code = PROBE.replace("NOTEBOOK", repr(str(notebook)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    import nbgrader

    assert nbgrader.__version__ in done.stdout
    assert "iri grammars built: False" in done.stdout


def _metadata_cells() -> list[tuple[str, dict]]:
    """(cell type, nbgrader metadata) of every cell of every source notebook, and broken copies of some."""
    from course_tools import read_nb

    good = [(c.cell_type, dict(c.metadata["nbgrader"])) for path in sorted((REPO / "source").glob("*/*.ipynb"))
            for c in read_nb(path).cells if "nbgrader" in c.metadata]
    graded = next(m for kind, m in good if m.get("grade") and kind == "code")
    broken = [{**graded, "points": "two"}, {**graded, "grade": "yes"}, {k: v for k, v in graded.items() if k != "grade_id"},
              {**graded, "points": -1}, {**graded, "locked": None},
              {**good[0][1], "task": True}]  # a task in a code cell: nbgrader's own rule, not the schema's
    return good + [("code", m) for m in broken]


def _outcome(validator, cell_type: str, metadata: dict) -> str:
    import nbformat

    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make(metadata={"nbgrader": metadata})
    try:
        validator.validate_cell(cell)
    except Exception as error:  # noqa: BLE001 - the test compares whatever is raised
        return f"{type(error).__name__}: {error}"
    return "valid"


def test_metadata_checks_decide_as_nbgrader_does(monkeypatch):
    """Does the launcher's once-checked schema accept and reject the same cell metadata, with the same errors?"""
    from nbgrader.nbgraderformat import common
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    from oud_course.grading.cli import check_metadata_schema_once

    cells = _metadata_cells()
    plain = [_outcome(MetadataValidatorV3(), *c) for c in cells]
    monkeypatch.setattr(common, "jsonschema", common.jsonschema)  # restored after the test
    check_metadata_schema_once()
    assert common.jsonschema.validate is not __import__("jsonschema").validate
    launched = [_outcome(MetadataValidatorV3(), *c) for c in cells]
    assert launched == plain
    assert plain.count("valid") == len(cells) - 6 and all(o.startswith("ValidationError") for o in plain[-6:])


def test_gradebooks_of_one_process_share_an_engine(monkeypatch, tmp_path):
    """Do the launcher's Gradebooks reuse one engine, each seeing what the one before committed?"""
    from nbgrader import api

    from oud_course.grading.cli import share_gradebook_engines

    monkeypatch.setattr(api, "create_engine", api.create_engine)  # both restored after the test
    monkeypatch.setattr(api.Gradebook, "close", api.Gradebook.close)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # alembic, by name
    share_gradebook_engines()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    engines = []
    for n in range(3):
        with api.Gradebook(url, "oud-course") as gradebook:
            gradebook.update_or_create_student(f"learner{n}")
            engines.append(gradebook.engine)
    with api.Gradebook(url, "oud-course") as gradebook:
        assert sorted(s.id for s in gradebook.students) == ["learner0", "learner1", "learner2"]
    assert len({id(e) for e in engines}) == 1
    assert engines[0].pool.checkedout() == 0  # every closed Gradebook gave its connection back


def test_the_launcher_patches_fit_the_installed_nbgrader():
    """Is the installed nbgrader one the patches were written for, with every name they replace where they expect it?"""
    import inspect

    from nbgrader import api
    from nbgrader.nbgraderformat import common

    from oud_course.grading import cli

    assert cli.patches_fit(), "nbgrader changed: check share_gradebook_engines and check_metadata_schema_once in cli.py"
    assert "create_engine(" in inspect.getsource(api.Gradebook.__init__)  # the engine every Gradebook makes
    assert "jsonschema.validate(" in inspect.getsource(common)  # the one validation call replaced
    assert callable(api.Gradebook.close)
