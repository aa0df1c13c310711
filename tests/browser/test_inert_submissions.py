"""Script in a submission runs nowhere: not in its feedback page, not in the instructor's formgrader page."""

from __future__ import annotations

import lab
import nbformat
import pytest
from course_tools import CHECKS, make_course, nbgrader, read_nb
from nbgrader.api import Gradebook
from test_grading_roundtrip import points, submission

pytestmark = pytest.mark.browser
ASSIGNMENT = "03-dependence-cycle"
NOTEBOOK = f"{ASSIGNMENT}-check"
MARK = "window.__pwned = (window.__pwned || 0) + 1; document.title = 'PWNED'"
PAYLOAD_HTML = (f'<img src="x" onerror="{MARK}"><script>{MARK}</script>'
                f'<svg xmlns="http://www.w3.org/2000/svg" onload="{MARK}"><script>{MARK}</script></svg>'
                f'<a href="javascript:{MARK}">link</a><iframe srcdoc="<script>parent.{MARK}</script>"></iframe>')
SVG_PAYLOAD = f'<svg xmlns="http://www.w3.org/2000/svg"><script>{MARK}</script></svg>'
PAYLOAD_CODE = f'''from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML({PAYLOAD_HTML!r}))
display(SVG({SVG_PAYLOAD!r}))
display(Javascript({MARK!r}))
display(Markdown({PAYLOAD_HTML!r}))
'''


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory):
    """A course where one submission of check 03 carries script in outputs and in its written answer, graded with feedback."""
    course = make_course(tmp_path_factory.mktemp("inert") / "course")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    source_nb = read_nb(next(p for p in CHECKS if p.parent.name == ASSIGNMENT))
    release_nb = read_nb(course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    nb = submission(release_nb, source_nb, {i: "key" for i in points(source_nb)})
    first_answer = next(c for c in nb.cells if "item" in c.metadata.get("oud_course", {}))
    first_answer.source = PAYLOAD_CODE + first_answer.source
    written = next(c for c in nb.cells if c.cell_type == "markdown" and "Write your answer here" in c.source)
    written.source = PAYLOAD_HTML + "\n\nMy written answer."
    folder = course / "submitted" / "mallory" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    nbgrader(course, "autograde", ASSIGNMENT)
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    return course


def assert_inert(page) -> None:
    page.wait_for_timeout(1_500)  # an onerror or onload handler fires as the page settles
    assert page.evaluate("window.__pwned") is None, "a script from the submission ran"
    assert page.title() != "PWNED"


def test_feedback_page_runs_no_script_from_the_submission(browser, hostile_course):
    """Opened in a browser, does the feedback page show the written answer but run none of its script?"""
    page = lab.new_page(browser)
    try:
        html = hostile_course / "feedback" / "mallory" / ASSIGNMENT / f"{NOTEBOOK}.html"
        page.goto(html.as_uri())
        page.wait_for_selector("text=My written answer.")
        assert_inert(page)
    finally:
        page.context.close()


def test_formgrader_submission_view_runs_no_script_from_the_submission(browser, start_lab, hostile_course, tmp_path_factory):
    """In the instructor's logged-in formgrader page for the submission, does none of its script run?"""
    with Gradebook(f"sqlite:///{hostile_course / 'gradebook.db'}") as gradebook:
        submission_id = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, "mallory").id
    with start_lab(hostile_course, tmp_path_factory.mktemp("inert-lab")) as server:
        page = lab.new_page(browser)
        try:
            page.goto(f"{server.url}/lab?token={server.token}")  # logs the page in, as an instructor would be
            page.wait_for_selector(".jp-LabShell", timeout=60_000)
            page.goto(f"{server.url}/formgrader/submissions/{submission_id}")
            page.wait_for_selector("text=My written answer.", timeout=60_000)
            assert_inert(page)
            lab.screenshot(page, "formgrader-inert-submission")
        finally:
            page.context.close()
