"""Self-study on Binder: with oud_course.self_study's config, JupyterLab shows no instructor tools, and Validate works.

The self-study server reads a copy of this environment's Jupyter config that the module has
changed, as Binder's postBuild changes the real one; the instructor server (``lab_server``) reads
the environment's config as it is, as ``make lab`` does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import lab
import pytest
from course_tools import course_env

from oud_course.self_study import default_config_dir

pytestmark = pytest.mark.browser

CHECK = "release/03-dependence-cycle/03-dependence-cycle-check.ipynb"
# What Binder's checkout holds that Validate needs: the checks and nbgrader's config (which reads source/).
BINDER_FILES = ("notebooks", "release", "source", "course_config.py", "nbgrader_config.py")
COMMANDS = ("nbgrader:open-formgrader", "nbgrader:open-formgrader-local", "nbgrader:open-course-list",
            "nbgrader:open-assignment-list", "nbgrader:open-create-assignment")
LABELS = ("Formgrader", "Formgrader (local config)", "Course List", "Assignment List", "Create assignment")  # commands
TEXTS = ("Nbgrader", "Formgrader", "Course List", "Assignment List", "Create Assignment")  # anywhere on the page
URLS = ("formgrader", "formgraders", "assignments")  # the formgrader, course_list and assignment_list extensions
VALIDATE_TIMEOUT_MS = 240_000  # Validate runs the whole check in a fresh kernel; slow on a busy machine

# The instructor tools in the page: menus, commands (palette, shortcuts), side panels, launcher cards, any text.
_TOOLS_JS = """([commands, texts]) => {
    const app = window.jupyterapp;
    const shown = (text) => texts.filter(label => text.includes(label));
    const sides = ['left', 'right'].flatMap(area => Array.from(app.shell.widgets(area), w => w.id));
    return {
        menus: Array.from(document.querySelectorAll('.lm-MenuBar-itemLabel'), e => e.textContent)
            .filter(text => shown(text).length),
        commands: commands.filter(id => app.commands.hasCommand(id)),
        panels: sides.filter(id => id.startsWith('nbgrader')),
        launcher: Array.from(document.querySelectorAll('.jp-LauncherCard-label'), e => e.textContent)
            .filter(text => /grader|assignment|course/i.test(text)),
        text: shown(document.body.innerText),
    };
}"""


def instructor_tools(page) -> dict:
    """Every trace of nbgrader's instructor tools on the page, the command palette's included."""
    page.evaluate("() => window.jupyterapp.commands.execute('launcher:create')")
    page.locator(".jp-LauncherCard").first.wait_for()
    found = page.evaluate(_TOOLS_JS, [list(COMMANDS), list(TEXTS)])
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:activate-command-palette')")
    search = page.locator(".lm-CommandPalette-input")
    search.fill("nbgrader")
    page.wait_for_timeout(300)  # the palette filters on the next animation frame
    items = page.locator(".lm-CommandPalette-item .lm-CommandPalette-itemLabel").all_inner_texts()
    search.press("Escape")
    found["palette"] = sorted(set(items) & set(LABELS))
    return found


def status(server, path: str) -> int:
    """The HTTP status of GET ``path`` on the server, logged in with its token."""
    request = urllib.request.Request(f"{server.url}/{path}", headers={"Authorization": f"token {server.token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def self_study_lab(start_lab, tmp_path_factory):
    """JupyterLab on a copy of the course, reading a Jupyter config that `python -m oud_course.self_study` set up."""
    base = tmp_path_factory.mktemp("self-study")
    config = base / "etc-jupyter"
    shutil.copytree(default_config_dir(), config)
    done = subprocess.run([sys.executable, "-m", "oud_course.self_study", "--config-dir", str(config)],
                          capture_output=True, text=True, env=course_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    root = base / "root"
    root.mkdir()
    for name in BINDER_FILES:
        source = lab.REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copy(source, root / name)
    # This config folder first, as the environment's comes first on Binder.
    env = {"JUPYTER_CONFIG_DIR": str(config), "JUPYTER_PREFER_ENV_PATH": "0"}
    with start_lab(root, base, env=env) as server:
        yield server


def opened(request, browser, server):
    """A page with the check open in ``server``; screenshotted if the test fails."""
    page = lab.new_page(browser)
    lab.open_notebook(page, server, CHECK)
    yield page
    if lab.has_failed(request):
        lab.screenshot(page, request.node.name)
    page.context.close()


@pytest.fixture
def self_study_page(request, browser, self_study_lab):
    yield from opened(request, browser, self_study_lab)


@pytest.fixture
def instructor_page(request, browser, lab_server):
    yield from opened(request, browser, lab_server)


def validate_button(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar .validate-button")


def test_self_study_lab_shows_no_instructor_tools(self_study_page, self_study_lab):
    """On Binder, are the Nbgrader menu, formgrader, course and assignment lists and Create Assignment gone everywhere?"""
    assert validate_button(self_study_page).is_visible()  # first: instructor_tools() opens a launcher over the notebook
    assert instructor_tools(self_study_page) == {"menus": [], "commands": [], "panels": [], "launcher": [], "text": [],
                                                 "palette": []}
    assert {path: status(self_study_lab, path) for path in URLS} == dict.fromkeys(URLS, 404)


def test_validate_works_in_the_self_study_lab(self_study_page):
    """On Binder, does the learner's Validate button save the check, run it on the server and show the result?"""
    validate_button(self_study_page).click()
    message = self_study_page.locator("#validation-message")
    message.wait_for(timeout=VALIDATE_TIMEOUT_MS)
    assert lab.text(message) == "Success! Your notebook passes all the tests."


def test_instructor_lab_keeps_the_tools(instructor_page, lab_server):
    """In an instructor's own lab (`make lab`), are the Nbgrader menu, formgrader, lists and Create Assignment all there?"""
    assert validate_button(instructor_page).is_visible()
    found = instructor_tools(instructor_page)
    assert found["menus"] == ["Nbgrader"]
    assert found["commands"] == list(COMMANDS)
    assert found["panels"] == ["nbgrader-create_assignemnt"]  # nbgrader's spelling
    assert {"Formgrader", "Course List", "Assignment List", "Create assignment"} <= set(found["palette"])
    assert [path for path in URLS if status(lab_server, path) == 404] == []
    assert re.search(r"\bCreate Assignment\b", instructor_page.evaluate("() => document.body.innerText"))
