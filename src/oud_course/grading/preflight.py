"""Know the grader works before grading anyone: grade the answer key as a submission, in a scratch course.

The key (the source notebook, every solution in place) goes through the same launcher, sandbox
and settings as the class, into a throwaway gradebook. Anything short of full marks means the
grading itself is broken (a kernel that cannot import the course, a sandbox that cannot start),
and no student's grade should be written until it is fixed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

STUDENT = "preflight-answer-key"


def _grader_messages(notebook: Path) -> list[str]:
    """The verdicts of the item tests that did not pass, as the autograder wrote them."""
    messages = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                messages.append(str(output.get("evalue", "")) or str(output.get("ename", "")))
    return messages


def _decided_by_the_course(folder: Path) -> str:
    """"" when DecideGrades gave the verdicts (so the course's pipeline ran, not nbgrader's defaults), else why not."""
    for notebook in sorted(folder.glob("*.ipynb")):
        text = "".join(str(output.get("text", "")) for cell in nbformat.read(notebook, as_version=4).cells
                       for output in cell.get("outputs", []))
        if "Graded: " not in text:
            return "the answer key was graded without the course's pipeline (did course_config.py fail to load?)"
    return ""


def check(root: Path, assignment: str, graded: bool, timeout: float = 900) -> str:
    """Grade the answer key of ``assignment``; return "" at full marks, else why not."""
    from nbgrader.api import Gradebook, MissingEntry

    from oud_course.grade import run_autograde  # the path every submission takes

    scratch = Path(tempfile.mkdtemp(prefix="oud-preflight-"))
    try:
        # The instructor's own files: trusted, and a student's hard link to one must not stop grading.
        for name in ("course_config.py", "nbgrader_config.py"):
            shutil.copyfile(root / name, scratch / name)
        shutil.copytree(root / "source" / assignment, scratch / "source" / assignment)
        db_url = f"sqlite:///{scratch / 'gradebook.db'}"
        env = {**os.environ, "COURSE_DB_URL": db_url}
        built = subprocess.run([sys.executable, "-m", "oud_course.build", "release", "--root", str(scratch), "--only", assignment,
                                "--out", str(scratch / "release"), "--db-url", db_url, *(["--graded"] if graded else [])],
                               cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        if built.returncode != 0:
            return "the assignment could not be generated from source/: " + built.stderr.strip()[-600:]
        submission = scratch / "submitted" / STUDENT / assignment
        submission.mkdir(parents=True)
        for notebook in sorted((scratch / "source" / assignment).glob("*.ipynb")):
            shutil.copy(notebook, submission / notebook.name)
        reached, stopped = run_autograde(scratch, assignment, [STUDENT], [STUDENT], timeout, env)
        if reached.get(STUDENT, stopped):
            return "the answer key could not be autograded: " + reached.get(STUDENT, stopped)
        with Gradebook(db_url) as gradebook:
            try:
                result = gradebook.find_submission(assignment, STUDENT)
            except MissingEntry:
                return "the answer key was not recorded in the gradebook"
            score, best = result.code_score, result.max_code_score
        if abs(score - best) < 1e-9:
            return _decided_by_the_course(scratch / "autograded" / STUDENT / assignment)
        messages = []
        for notebook in sorted((scratch / "autograded" / STUDENT / assignment).glob("*.ipynb")):
            messages += _grader_messages(notebook)
        return f"the answer key scored {score:g} of {best:g}: " + (" | ".join(messages[:3]) or "no message")[:600]
    except subprocess.TimeoutExpired:
        return f"generating the answer key's assignment took over {timeout:g} s"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
