"""Before grading anyone, the grader grades the answer key; a broken grader stops with the reason and writes no grade."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from class_simulation import answer_cells, key_code
from course_tools import CHECKS, REPO, course_env, make_course, read_nb

from oud_course.grading import preflight
from oud_course.grading.sandbox import sandbox_available

ASSIGNMENT = CHECKS[0].parent.name


@pytest.fixture
def course(tmp_path):
    if sandbox_available():
        from course_tools import missing
        missing(sandbox_available())
    folder = make_course(tmp_path / "course")
    nb = read_nb(REPO / "release" / ASSIGNMENT / CHECKS[0].name)
    keys = {item: key_code(cell) for item, cell in answer_cells(read_nb(CHECKS[0])).items()}
    for item, cell in answer_cells(nb).items():
        cell.source = keys[item]
    (folder / "submitted" / "ana" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(nb, folder / "submitted" / "ana" / ASSIGNMENT / CHECKS[0].name)
    return folder


@pytest.mark.slow
def test_a_working_grader_passes_the_preflight(course):
    """Does the answer key score full marks through the course's own pipeline?"""
    assert preflight.check(course, ASSIGNMENT, graded=False) == ""


@pytest.mark.slow
def test_a_grader_whose_kernels_cannot_run_stops_before_grading_anyone(course):
    """With a sandbox too small for any kernel, does `make grade` stop with the reason and write no grade at all?"""
    with open(course / "course_config.py", "a") as config:
        config.write("\nc.SafeExecute.memory_mb = 16  # no kernel starts in this\n")
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", ASSIGNMENT, "--root", str(course)],
                          env=course_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode != 0
    assert "the grader does not work, so no one was graded" in done.stderr and "answer key scored 0" in done.stderr
    assert not (course / "autograded").exists() and not (course / "grades.csv").exists()


@pytest.mark.slow
def test_a_grader_running_without_the_course_pipeline_is_caught(course):
    """If course_config.py cannot load in nbgrader (so nbgrader's defaults would grade), does the preflight say so?"""
    with open(course / "course_config.py", "a") as config:
        config.write("\nimport os\nif os.environ.get('NBGRADER_EXECUTION') is None and 'autograde' in __import__('sys').argv:\n"
                     "    raise ImportError('a broken course_config.py, as nbgrader would see it')\n")
    problem = preflight.check(course, ASSIGNMENT, graded=False)
    assert "graded without the course's pipeline" in problem
