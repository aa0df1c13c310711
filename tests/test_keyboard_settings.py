"""The course's keyboard support without a browser: its JupyterLab shortcut settings, the widgets' focus ring,
and where MythOrFact sends the focus. tests/browser/test_keyboard.py drives all of it in JupyterLab."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

import ipywidgets as widgets
import json5
import pytest
from jupyterlab.commands import get_app_dir
from jupyterlab_server.settings_utils import _get_overrides

import oud_course.widgets as course_widgets
from oud_course.widgets import MythOrFact
from oud_course.widgets._keyboard import FOCUS_RING_CSS

REPO = Path(__file__).resolve().parents[1]
SETTINGS = REPO / "jupyter-config/lab/settings/overrides.d/oud-course.json5"
PLUGIN = "@jupyterlab/shortcuts-extension:shortcuts"
WIDGET_SELECTOR = ".jp-Notebook.jp-mod-commandMode .jp-OutputArea .jupyter-widgets :focus"
MODIFIERS = ("Accel", "Ctrl", "Alt", "Cmd", "Meta")


def course_shortcuts() -> list[dict]:
    return json5.loads(SETTINGS.read_text(encoding="utf-8"))[PLUGIN]["shortcuts"]


def jupyterlab_shortcuts() -> list[dict]:
    """Every default shortcut of the installed JupyterLab and its extensions, from their settings schemas."""
    share = Path(sys.prefix) / "share/jupyter"
    schemas = [*(share / "lab/schemas").rglob("*.json"), *(share / "labextensions").glob("**/schemas/**/*.json")]
    found = []
    for schema in schemas:
        found += json.loads(schema.read_text(encoding="utf-8")).get("jupyter.lab.shortcuts", [])
    return found


def test_jupyterlab_takes_single_keys_from_focused_controls():
    """Does the installed JupyterLab still bind the notebook keys the course gives back (else this file is moot)?"""
    keys = {tuple(s["keys"]) for s in jupyterlab_shortcuts() if s.get("selector", "").endswith(":focus")}
    assert {("ArrowDown",), ("A",), ("D", "D")} <= keys


def test_every_key_jupyterlab_takes_from_a_focused_control_goes_back_to_it():
    """Is every key that JupyterLab binds on any focused element (no Ctrl, Alt or Cmd with it) bound again, for a
    control inside a widget, to do nothing and let the control have the key?"""
    taken = {
        tuple(s["keys"])
        for s in jupyterlab_shortcuts()
        if s.get("keys") and all(s["keys"]) and not any(m in k for k in s["keys"] for m in MODIFIERS)
        and re.search(r"(^|\s):focus\S*$", s.get("selector", ""))
    }
    given_back = {
        tuple(s["keys"]) for s in course_shortcuts()
        if s["selector"] == WIDGET_SELECTOR and s["command"] == "notebook:enter-command-mode"
        and s.get("preventDefault") is False
    }
    assert taken - given_back == set(), f"keys JupyterLab would still take from widget controls: {taken - given_back}"


def test_escape_goes_from_a_widget_control_to_its_cell():
    """Does Escape on a widget control run edit mode then command mode, which leaves the focus on the cell?"""
    (escape,) = [s for s in course_shortcuts() if s["keys"] == ["Escape"]]
    assert escape["selector"] == WIDGET_SELECTOR and escape["command"] == "apputils:run-all-enabled"
    assert escape["args"]["commands"] == ["notebook:enter-edit-mode", "notebook:enter-command-mode"]


def test_the_package_installs_the_settings_where_jupyterlab_reads_them(tmp_path):
    """Does pyproject install the settings file where JupyterLab looks for default settings, and does
    JupyterLab's own reader (jupyterlab_server) find the course's shortcuts in it?"""
    data_files = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    (folder,) = [f for f, files in data_files.items() if SETTINGS.relative_to(REPO).as_posix() in files]
    app_settings = Path(get_app_dir()) / "settings"  # LabApp.app_settings_dir's default
    assert Path(sys.prefix) / folder == app_settings / "overrides.d"
    installed = tmp_path / "settings" / "overrides.d"
    installed.mkdir(parents=True)
    shutil.copy(SETTINGS, installed)
    overrides, error = _get_overrides(str(tmp_path / "settings"))
    assert not error and overrides[PLUGIN]["shortcuts"] == course_shortcuts()


@pytest.mark.parametrize("name", course_widgets.__all__)
def test_every_widget_rings_its_focused_control(name):
    """Does each course widget carry the class and the style sheet that draw a focus ring on its focused control?"""
    widget = getattr(course_widgets, name)()
    assert "oud-widget" in widget._dom_classes
    sheets = [child for child in widget.children if isinstance(child, widgets.HTML) and FOCUS_RING_CSS in child.value]
    assert len(sheets) == 1 and sheets[0].layout.display == "none"


def test_the_focus_ring_is_wide_and_only_for_the_keyboard():
    """Is the ring a solid line at least 2 px wide, shown only for keyboard focus (:focus-visible)?"""
    width = re.search(r":focus-visible \{ outline:\s*(\d+)px solid", FOCUS_RING_CSS)
    assert width and int(width.group(1)) >= 2


@pytest.fixture
def focus_moves(monkeypatch) -> list[str]:
    """The descriptions of the buttons that are sent the keyboard focus, in order."""
    moves: list[str] = []
    monkeypatch.setattr(widgets.Button, "focus", lambda button: moves.append(button.description))
    return moves


def test_myth_or_fact_sends_the_focus_on_from_a_button_it_disables(focus_moves):
    """After a verdict (its buttons now disabled) does the focus go to Next statement, after Next statement to
    Myth, after the last verdict to Start again, and does Start again (still enabled) keep it?"""
    sorter = MythOrFact()
    last = len(sorter.statements) - 1
    sorter.verdict_buttons["fact"].click()
    sorter.next_button.click()
    assert focus_moves == ["Next statement", "Myth"]
    sorter.position = last
    sorter.verdict_buttons["partly"].click()
    sorter.restart_button.click()
    assert focus_moves == ["Next statement", "Myth", "Start again"]
