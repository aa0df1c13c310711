"""DecideGrades: after execution, decide each item's test from its written-out answer, in a clean process.

Plain nbgrader scores a test cell by whether the student's kernel raised an error there, and the
student's code can interfere with that kernel. Here the hidden test's expectation is read from
the cell source that nbgrader restored from the gradebook, the answer from the cell's JSON
output, and the verdict from a separate interpreter; the cell's outputs are then replaced by
that verdict, so nbgrader's own SaveAutoGrades records it and feedback shows no hidden code.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

from oud_course.answers import MIME_TYPE

_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def hidden_expectation(cell: NotebookNode) -> tuple[str, dict] | None:
    """Return (item, expectation) from a test cell's hidden ``grade(item, {...})`` call, if it has one."""
    if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
        return None
    match = _HIDDEN.search(cell.source)
    if not match:
        return None
    if "grade(" not in match.group(1):
        return None  # an ordinary nbgrader hidden test, not one of our items
    try:
        for node in ast.walk(ast.parse(match.group(1))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "grade":
                item, expect = ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1])
                if isinstance(item, str) and isinstance(expect, dict):
                    return item, expect
    except (SyntaxError, ValueError, IndexError):
        pass
    # Failing closed: a test we cannot read must not fall back to the student's kernel's verdict.
    raise ValueError(f"cell {cell.metadata['nbgrader'].get('grade_id')}: its hidden test calls grade() but cannot be read")


def _readout(cell: NotebookNode, item: str) -> dict | None:
    """The last answer this cell wrote out for ``item`` (an answer for another item does not count)."""
    found = None
    for output in cell.get("outputs", []):
        data = output.get("data", {}).get(MIME_TYPE) if output.get("output_type") == "display_data" else None
        if isinstance(data, dict) and data.get("item") == item:
            found = data
    return found


def _why_missing(cell: NotebookNode) -> str:
    errors = [o.get("ename", "an error") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        return f"The cell stopped with {errors[-1]} before the answer was written out."
    if cell.get("execution_count") is not None:
        return "The cell ran, but its hidden test did not write out an answer (code in the notebook may have stopped it)."
    return "The cell did not run (the kernel stopped, timed out or was interrupted before it)."


class DecideGrades(NbGraderPreprocessor):
    """Autograde step, right after Execute: replace each item test's outcome with a clean-process verdict."""

    python = Unicode(sys.executable, help="Interpreter that runs the clean grading process.").tag(config=True)
    timeout = Integer(60, help="Seconds the clean grading process may take for one notebook.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        tests = [(cell, *found) for cell in nb.cells if (found := hidden_expectation(cell))]
        if not tests:
            return nb, resources
        cases = [
            {"item": item, "expect": expect, "readout": _readout(cell, item), "why": _why_missing(cell)}
            for cell, item, expect in tests
        ]
        for (cell, item, _), verdict in zip(tests, self._evaluate(cases)):
            kept = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stdout"]
            if verdict["passed"]:
                result = {"output_type": "stream", "name": "stdout", "text": f"Graded: {verdict['message']}\n"}
            else:
                result = {"output_type": "error", "ename": "NotRight", "evalue": verdict["message"],
                          "traceback": [f"Graded: {verdict['message']}"]}
            cell.outputs = kept + [from_dict(result)]
            self.log.debug("%s: %s", item, verdict["message"])
        return nb, resources

    def _evaluate(self, cases: list[dict]) -> list[dict]:
        completed = subprocess.run(
            [self.python, "-I", "-m", "oud_course.grading.evaluate"], input=json.dumps(cases), capture_output=True,
            text=True, timeout=self.timeout, check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"the clean grading process failed: {completed.stderr.strip()[-2000:]}")
        return json.loads(completed.stdout)
