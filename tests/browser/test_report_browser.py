"""The item analysis report in headless chromium, offline: every figure shown, no console error.

The report is made from a synthetic class (test_report.synthetic_class) over two checks.
test-artifacts/report.png and report-check.png show the page as an instructor sees it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from course_tools import REPO, make_course
from test_report import PLAN_05, course_environment, synthetic_class

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from oud_course.report import write_report

    course = make_course(tmp_path_factory.mktemp("report-browser") / "course")
    with course_environment():
        synthetic_class(course, "03-dependence-cycle", 220, seed=3)
        synthetic_class(course, "05-signs-symptoms-withdrawal", 220, seed=5, plan=PLAN_05)
        out = write_report(course, ["03-dependence-cycle", "05-signs-symptoms-withdrawal"], course / "report")
    return out / "index.html"


def test_report_shows_every_figure_without_errors(browser, report):
    """Does the page load only itself, show every figure (naturalWidth > 0) and log no console error?"""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    refused, errors = [], []

    def route(request_route):
        if request_route.request.url.startswith(("file://", "data:")):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.as_uri(), wait_until="load")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    images = page.evaluate("""() => Array.from(document.images, i => ({
        complete: i.complete, width: i.naturalWidth, alt: i.alt}))""")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"))
    page.locator("#check-05-signs-symptoms-withdrawal").screenshot(path=str(ARTIFACTS / "report-check.png"))
    page.close()
    assert len(images) == 2 + 2 * 2  # the course's two figures, then a histogram and an item map per check
    assert all(i["complete"] and i["width"] > 0 for i in images), images
    assert all(i["alt"] for i in images)
    assert refused == [] and errors == []
