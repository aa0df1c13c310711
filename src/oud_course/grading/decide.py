"""DecideGrades: after execution, decide each item's test from its written-out answer, in a clean process.

Plain nbgrader scores a test cell by whether the student's kernel raised an error there, and the
student's code can interfere with that kernel. Here the hidden test's expectation is read from
the instructor's cells in the gradebook (StripExpectations keeps it out of the notebook the
kernel runs), the answer from the cell's JSON output, and the verdict from a separate
interpreter; the cell's outputs are then replaced by that verdict, so nbgrader's own
SaveAutoGrades records it and feedback shows no hidden code.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from oud_course.answers import MIME_TYPE

# Stored answers live in the course folder, outside every submission's folder (which its kernel could write
# to or link from) and outside feedback/, and they survive ClearMetadataPreprocessor: report and regrade read them.
ANSWERS_DIR = "answers"
_MAX_STORED = 64_000  # characters of one stored readout; a longer answer can match no key of any item kind


def answers_path(root: str | Path, assignment: str, student: str) -> Path:
    """Where one student's answers to one assignment are stored: ``answers/<assignment>/<student>.json``."""
    return Path(root) / ANSWERS_DIR / assignment / f"{student}.json"


def store_answers(root: str | Path, info: dict, cases: list[dict], timestamp: str | None) -> Path:
    """Write one notebook's cases (item, readout, why) into the student's answer file, atomically.

    The submission's timestamp goes with them, so a regrade can tell answers of an older submission.
    """
    path = answers_path(root, info["assignment"], info["student"])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    items = {}
    for case in cases:
        readout = case["readout"]
        if readout is not None and len(json.dumps(readout)) > _MAX_STORED:
            readout = {**{k: v for k, v in readout.items() if k != "answer"}, "answer": {"$unreadable": "answer too long"}}
        items[case["item"]] = {"readout": readout, **({"why": case["why"]} if readout is None else {})}
    notebooks = stored.get("notebooks", {}) if isinstance(stored.get("notebooks"), dict) else {}
    notebooks[info["notebook"]] = {"timestamp": timestamp, "items": items}
    data = {"assignment": info["assignment"], "student": info["student"], "notebooks": notebooks}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".answers-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, sort_keys=True)
    os.replace(temporary, path)
    return path


def _submission_timestamp(info: dict) -> str | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(info["db_url"]) as gradebook:
        try:
            stamp = gradebook.find_submission(info["assignment"], info["student"]).timestamp
        except MissingEntry:
            return None
    return stamp.isoformat() if stamp else None


_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def hidden_call(source: str) -> tuple[str, dict | None] | None:
    """Find the hidden test's ``grade(item, {...})`` call in a cell source: (item, expectation or None)."""
    match = _HIDDEN.search(source)
    if not match or "grade(" not in match.group(1):
        return None  # no hidden test, or an ordinary nbgrader one that is not an item of ours
    try:
        for node in ast.walk(ast.parse(match.group(1))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "grade":
                item = ast.literal_eval(node.args[0])
                expect = ast.literal_eval(node.args[1]) if len(node.args) > 1 else None
                if isinstance(item, str) and (expect is None or isinstance(expect, dict)):
                    return item, expect
    except (SyntaxError, ValueError, IndexError):
        pass
    # Failing closed: a test we cannot read must not fall back to the student's kernel's verdict.
    raise ValueError("a hidden test calls grade() but cannot be read")


def is_item_test(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def hidden_expectation(cell: NotebookNode) -> tuple[str, dict] | None:
    """Return (item, expectation) written in a test cell's hidden ``grade(item, {...})`` call, if any."""
    found = hidden_call(cell.source) if is_item_test(cell) else None
    return found if found and found[1] is not None else None


class StripExpectations(NbGraderPreprocessor):
    """Sanitize step, after OverwriteCells: leave only ``grade(item)`` in the notebook the kernel runs.

    The expected answer stays in the gradebook: a submission's code can read its own notebook
    file and every cell's source, so nothing it could read may hold the answer.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        found = hidden_expectation(cell)
        if found:
            body = f"from oud_course.checks import grade\ngrade({found[0]!r})\n"
            cell.source = _HIDDEN.sub(lambda m: f"### BEGIN HIDDEN TESTS\n{body}### END HIDDEN TESTS", cell.source)
        return cell, resources


def expectations_from_gradebook(resources: dict) -> dict[str, tuple[str, dict]] | None:
    """grade_id -> (item, expectation), from the instructor's cells saved in the gradebook."""
    info = resources.get("nbgrader", {})
    if not info.get("db_url") or not info.get("notebook"):
        return None
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(info["db_url"]) as gradebook:
        notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
        for cell in notebook.source_cells:
            call = hidden_call(cell.source)
            if call and call[1] is not None:
                found[cell.name] = call
    return found


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
    store = Bool(True, help="Store each item's answer in answers/<assignment>/<student>.json for report and regrade.").tag(config=True)
    timeout = Integer(60, help="Seconds the clean grading process may take for one notebook.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        known = expectations_from_gradebook(resources)
        if known is None:  # validating a notebook outside a course: its cells hold the expectations
            tests = [(cell, *found) for cell in nb.cells if (found := hidden_expectation(cell))]
        else:
            tests = [(cell, *known[cell.metadata["nbgrader"]["grade_id"]]) for cell in nb.cells
                     if is_item_test(cell) and cell.metadata["nbgrader"].get("grade_id") in known]
        if not tests:
            return nb, resources
        cases = [
            {"item": item, "expect": expect, "readout": _readout(cell, item), "why": _why_missing(cell)}
            for cell, item, expect in tests
        ]
        verdicts = self._evaluate(cases)
        info = resources.get("nbgrader", {})
        if known is not None and self.store and info.get("student"):
            root = self.config.CourseDirectory.get("root") or os.getcwd()
            store_answers(root, info, cases, _submission_timestamp(info))
        for (cell, item, _), verdict in zip(tests, verdicts):
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
