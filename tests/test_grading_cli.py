"""The grading workflow's nbgrader launcher: nbgrader's own command line, minus one slow import."""

import subprocess
import sys

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
