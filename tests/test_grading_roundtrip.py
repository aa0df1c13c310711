"""A grading round trip with real nbgrader in a temporary course: each submission gets what it earned."""

from __future__ import annotations

import nbformat
import pytest
from course_tools import CHECKS, nbgrader, nbgrader_meta, read_nb
from nbgrader.api import Gradebook

# Code a student could put in an answer cell to make plain nbgrader's in-kernel tests pass.
RIGGED_EQUALITY = '''class AlwaysEqual(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
{item} = AlwaysEqual("anything")'''
DROP_ASSERTS = '''def _drop_tests(lines):
    return [line for line in lines if not line.lstrip().startswith(("assert", "grade(", "from oud_course"))]
get_ipython().input_transformers_cleanup.append(_drop_tests)
{item} = None'''


def answer_cells(nb) -> dict:
    return {c.metadata["oud_course"]["item"]: c for c in nb.cells if "item" in c.metadata.get("oud_course", {})}


def points(source_nb) -> dict:
    return {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source_nb.cells
            if nbgrader_meta(c).get("grade") and c.cell_type == "code"}


def submission(release_nb, source_nb, answers: dict) -> nbformat.NotebookNode:
    """The release with some answer cells replaced: "key" takes the source's solution, else the code given."""
    nb = nbformat.from_dict(release_nb)
    solutions = answer_cells(source_nb)
    for item, cell in answer_cells(nb).items():
        if item in answers:
            cell.source = solutions[item].source if answers[item] == "key" else answers[item].format(item=item)
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("source", CHECKS, ids=[p.parent.name for p in CHECKS])
def test_round_trip_scores_and_feedback(source, course):
    """Do correct, blank, half-right, rigged and test-dropping submissions score exactly what they earned?"""
    assignment, notebook = source.parent.name, source.name
    nbgrader(course, "generate_assignment", assignment, "--force")
    release_nb = read_nb(course / "release" / assignment / notebook)
    source_nb = read_nb(source)
    items = sorted(points(source_nb))
    half = items[: len(items) // 2]
    students = {
        "correct": {i: "key" for i in items},
        "blank": {},
        "half": {i: "key" for i in half},
        "rigged": {i: RIGGED_EQUALITY for i in items},
        "drops-tests": {items[0]: DROP_ASSERTS},
    }
    for student, answers in students.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(submission(release_nb, source_nb, answers), folder / notebook)

    nbgrader(course, "autograde", assignment)
    nbgrader(course, "generate_feedback", assignment)

    full = sum(points(source_nb).values())
    expected = {"correct": full, "blank": 0, "half": sum(points(source_nb)[i] for i in half), "rigged": 0,
                "drops-tests": 0}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
        scores = {s: gradebook.find_submission(assignment, s).code_score for s in students}
    assert scores == expected

    for student in students:
        html = (course / "feedback" / student / assignment / notebook.replace(".ipynb", ".html")).read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "grade(&#39;" not in html and "grade('" not in html
        assert "AssertionError" not in html and "&#39;answer&#39;" not in html  # no hidden test's traceback or key
        if student != "drops-tests":  # that one's own transformer breaks its own summary cell
            assert "most recent call last" not in html
    blank_feedback = (course / "feedback" / "blank" / assignment / notebook.replace(".ipynb", ".html")).read_text()
    assert blank_feedback.count("not answered") >= len(items)


@pytest.mark.slow
def test_feedback_hides_mark_schemes(course):
    """Does a student's feedback show the short-answer question but not its mark scheme or model answer?"""
    source = next(p for p in CHECKS if p.parent.name == "03-dependence-cycle")
    assignment, notebook = source.parent.name, source.name
    nbgrader(course, "generate_assignment", assignment, "--force")
    folder = course / "submitted" / "student" / assignment
    folder.mkdir(parents=True)
    nbformat.write(read_nb(course / "release" / assignment / notebook), folder / notebook)
    nbgrader(course, "autograde", assignment)
    nbgrader(course, "generate_feedback", assignment)
    html = (course / "feedback" / "student" / assignment / notebook.replace(".ipynb", ".html")).read_text()
    task = next(c for c in read_nb(source).cells if nbgrader_meta(c).get("task"))
    scheme = task.source.split("### BEGIN MARK SCHEME\n", 1)[1].split("\n", 1)[0]
    assert "Short answer" in html and scheme[:40] not in html and "Model answer" not in html
