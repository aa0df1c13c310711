"""A tour of the whole course in JupyterLab: every lesson and every released check runs top to bottom.

A learner's first move is Run All. Each notebook is opened in a real JupyterLab, run, and must show
no error and no stderr output at all: an unanswered check item says "not answered yet", it does not
raise. A screenshot of each, test-artifacts/tour-<name>.png, shows what the learner sees.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import lab
import pytest

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(
    [path.relative_to(lab.REPO).as_posix() for path in lab.REPO.glob("notebooks/*.ipynb")]
    + [path.relative_to(lab.REPO).as_posix() for path in lab.REPO.glob("release/*/*.ipynb")]
)


def _name(relpath: str) -> str:
    return relpath.rsplit("/", 1)[-1].removesuffix(".ipynb")


def _shut_down_kernel(server, relpath: str) -> None:
    """End the kernel of ``relpath``'s session, so twenty kernels do not pile up during the tour."""
    headers = {"Authorization": f"token {server.token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server.url}/api/sessions", headers=headers), timeout=10) as r:
        sessions = json.load(r)
    for session in sessions:
        if session.get("path") == relpath:
            request = urllib.request.Request(f"{server.url}/api/sessions/{session['id']}", headers=headers, method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()


def test_the_course_has_notebooks_to_tour():
    """Did the tour find the lessons and the released checks (a moved folder would skip it silently)?"""
    assert any(p.startswith("notebooks/") for p in NOTEBOOKS) and any(p.startswith("release/") for p in NOTEBOOKS)


@pytest.mark.parametrize("relpath", NOTEBOOKS, ids=_name)
def test_notebook_runs_all_without_errors(lab_server, page, relpath):
    """Does Run All on this notebook reach the end with no error output and no widget that failed to show?"""
    lab.open_notebook(page, lab_server, relpath)
    try:
        lab.run_all_cells(page)
        errors = lab.error_outputs(page)
        lab.screenshot(page, f"tour-{_name(relpath)}")
        assert errors == [], f"{relpath} shows error output after Run All:\n" + "\n---\n".join(errors)
        if relpath.startswith("release/"):
            text = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").all_inner_texts()
            assert any("not answered yet" in t for t in text), f"{relpath}: no check cell said 'not answered yet'"
    finally:
        _shut_down_kernel(lab_server, relpath)


def test_summary_link_downloads_the_progress_file(lab_server, page):
    """In the welcome lesson, does the summary's link save oud-course-progress.json with the practice item in it?"""
    relpath = "notebooks/00-welcome.ipynb"
    lab.open_notebook(page, lab_server, relpath)
    try:
        lab.run_all_cells(page)
        link = page.locator(".oud-progress-download a")
        link.scroll_into_view_if_needed()
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == "oud-course-progress.json"
        saved = json.loads(Path(download.path()).read_text(encoding="utf-8"))
        assert saved["checks"]["00-welcome"]["practice"]["outcome"] in ("not answered", "right", "not right")
    finally:
        _shut_down_kernel(lab_server, relpath)
