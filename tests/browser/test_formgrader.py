"""Grading a short answer in nbgrader's formgrader, served by the course's JupyterLab, in headless chromium."""

from __future__ import annotations

import time

import lab
import nbformat
import pytest
from course_tools import CHECKS, make_course, nbgrader, read_nb
from nbgrader.api import Gradebook
from test_grading_roundtrip import points, submission

pytestmark = pytest.mark.browser
ASSIGNMENT = "03-dependence-cycle"
NOTEBOOK = f"{ASSIGNMENT}-check"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A course folder where one student's correct submission of check 03 has been autograded."""
    course = make_course(tmp_path_factory.mktemp("formgrader") / "course")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    source_nb = read_nb(next(p for p in CHECKS if p.parent.name == ASSIGNMENT))
    release_nb = read_nb(course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    folder = course / "submitted" / "alice" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(submission(release_nb, source_nb, {i: "key" for i in points(source_nb)}), folder / f"{NOTEBOOK}.ipynb")
    nbgrader(course, "autograde", ASSIGNMENT)
    return course


@pytest.fixture(scope="module")
def formgrader(start_lab, graded_course, tmp_path_factory):
    """JupyterLab (with nbgrader's formgrader) serving the graded course folder."""
    with start_lab(graded_course, tmp_path_factory.mktemp("formgrader-lab")) as server:
        yield server


def manual_grade(course) -> tuple[float | None, list[str]]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission(ASSIGNMENT, "alice").notebooks[0]
        task = next(g for g in notebook.grades if g.name.endswith("-task"))
        return task.manual_score, [c.manual_comment for c in notebook.comments if c.manual_comment]


def test_short_answer_is_graded_in_the_formgrader(browser, formgrader, graded_course):
    """Does a grader see the mark scheme in the formgrader, and do the points and comment they enter reach the gradebook?"""
    page = lab.new_page(browser)
    try:
        page.goto(f"{formgrader.url}/lab?token={formgrader.token}")  # logs the page in
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        page.goto(f"{formgrader.url}/formgrader/gradebook/{ASSIGNMENT}/{NOTEBOOK}")
        page.locator("a", has_text="Submission #").first.click(timeout=60_000)
        task = page.locator("div.panel", has=page.locator("text=Short answer")).last
        task.wait_for(timeout=60_000)
        assert "BEGIN MARK SCHEME" in task.inner_text()
        assert manual_grade(graded_course) == (None, [])
        score = task.locator("input.score")
        score.fill("2")
        score.press("Tab")
        comment = task.locator("textarea")
        comment.fill("Clear explanation of lost tolerance.")
        comment.press("Tab")
        deadline = time.monotonic() + 30
        while manual_grade(graded_course)[0] is None and time.monotonic() < deadline:
            time.sleep(0.3)
        lab.screenshot(page, "formgrader-short-answer")
        assert manual_grade(graded_course) == (2.0, ["Clear explanation of lost tolerance."])
    finally:
        page.context.close()
