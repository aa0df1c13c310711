"""DecideGrades: after execution, decide each item's test from its written-out answer, in a clean process.

Plain nbgrader scores a test cell by whether the student's kernel raised an error there, and the
student's code can interfere with that kernel. Here each item's expectation is read from the
gradebook (oud_course.grading.contract: no notebook ever holds one), the answer from the test
cell's JSON output, and the verdict from a separate interpreter; the cell's outputs are then replaced by that verdict, so nbgrader's own
SaveAutoGrades records it and feedback shows no hidden code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Dict, Integer, Unicode

from oud_course.answers import MIME_TYPE
from oud_course.grading import contract

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


def verdict_output(verdict: dict) -> dict:
    """The test cell output that records a verdict (nbgrader's SaveAutoGrades scores an error as 0, a pass as full)."""
    if verdict["passed"]:
        return {"output_type": "stream", "name": "stdout", "text": f"Graded: {verdict['message']}\n"}
    return {"output_type": "error", "ename": "NotRight", "evalue": verdict["message"],
            "traceback": [f"Graded: {verdict['message']}"]}


def is_item_test(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


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
    expectations = Dict(help="item -> expectation, for deciding a notebook outside a course's gradebook (tests, validation).").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        info = resources.get("nbgrader", {})
        in_course = bool(info.get("db_url") and info.get("notebook"))
        if in_course:  # the one place an expectation is read (oud_course.grading.contract)
            known = {item: entry["expect"] for item, entry in
                     contract.load(info["db_url"], info["assignment"], info["notebook"]).items()}
        else:
            known = dict(self.expectations)
        tests = [(cell, cell.metadata["nbgrader"]["grade_id"]) for cell in nb.cells
                 if is_item_test(cell) and cell.metadata["nbgrader"].get("grade_id") in known]
        tests = [(cell, item, known[item]) for cell, item in tests]
        if not tests:
            return nb, resources
        cases = [
            {"item": item, "expect": expect, "readout": _readout(cell, item), "why": _why_missing(cell)}
            for cell, item, expect in tests
        ]
        verdicts = self._evaluate(cases)
        if in_course and self.store and info.get("student"):
            root = self.config.CourseDirectory.get("root") or os.getcwd()
            store_answers(root, info, cases, _submission_timestamp(info))
        for (cell, item, _), verdict in zip(tests, verdicts):
            kept = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stdout"]
            cell.outputs = kept + [from_dict(verdict_output(verdict))]
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
