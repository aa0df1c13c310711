"""Lesson 01 in a real browser: the notebook runs cleanly, and the receptor explorer answers the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use every control of the
ReceptorExplorer in turn, each asserting that the figure's bytes and its text alternative changed as they should.
"""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/01-opioids-and-the-body.ipynb"
# What the text alternative says while each curve is shown (and does not say while it is hidden).
CURVE_WORDS = {
    "Full agonist": "full agonist (morphine",
    "Partial agonist": "partial agonist (buprenorphine)",
    "Antagonist": "antagonist (naloxone, naltrexone)",
    "Add an antagonist to the full agonist": "with an antagonist added",
}


@pytest.fixture
def explorer(lesson):
    """The ReceptorExplorer widget, scrolled into view."""
    return lab.widget(lesson, ".oud-receptor-explorer")


def amount_slider(root):
    """The handle of the Amount (relative units) slider."""
    return lab.labelled(root, "slider", "Amount (relative units)").get_by_role("slider")


def marker_amount(text: str) -> float:
    """The amount a ReceptorExplorer text alternative says the marker is at."""
    found = re.search(r"Marker at ([\d,.]+) relative unit", text)
    assert found, f"the text alternative names no marker amount: {text!r}"
    return float(found.group(1).replace(",", ""))


def toggle(explorer, name: str, how: str) -> tuple[lab.FigureState, lab.FigureState]:
    """Flip the checkbox ``name`` by mouse click or by Space; wait until the words show or hide its curve."""
    box = lab.checkbox(explorer, name)
    words = CURVE_WORDS[name]
    before = lab.figure_state(explorer)
    was_shown = words in before.text.lower()
    assert box.is_checked() == was_shown, f"the {name!r} box and the text alternative disagree"
    if how == "mouse":
        box.click()
    else:
        lab.toggle_by_keyboard(box)
    after = lab.wait_for_figure_change(explorer, before, lambda text: (words in text.lower()) != was_shown)
    assert box.is_checked() != was_shown
    return before, after


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 01 run without tracebacks or stderr, showing the receptor explorer?"""
    assert lab.error_outputs(lesson) == []
    assert lesson.locator(".oud-receptor-explorer").count() >= 1, ".oud-receptor-explorer is not shown"


def test_explorer_has_its_controls(explorer):
    """Does the explorer show its four checkboxes, the Amount slider, a figure and its words?"""
    for name in CURVE_WORDS:
        assert lab.checkbox(explorer, name).is_visible(), f"no {name!r} checkbox"
    assert amount_slider(explorer).is_visible()
    assert lab.figure(explorer).is_visible()
    text = lab.text_alternative(explorer).inner_text()
    assert "Teaching illustration, not pharmacology data" in text


@pytest.mark.parametrize("key", ["ArrowRight", "ArrowLeft"])
def test_amount_slider_moves_the_marker_by_keyboard(explorer, key):
    """Does moving the Amount slider with the arrow keys move the marker and redraw the figure and its words?"""
    before = lab.figure_state(explorer)
    start = marker_amount(before.text)
    handle = amount_slider(explorer)
    handle.focus()
    for _ in range(3):
        handle.press(key)
    moved = (lambda a: a > start) if key == "ArrowRight" else (lambda a: a < start)
    after = lab.wait_for_figure_change(explorer, before, lambda text: moved(marker_amount(text)))
    lab.assert_redrawn(before, after)


def test_partial_agonist_box_by_mouse(explorer):
    """Does clicking the Partial agonist box hide (or show) its curve and its ceiling, and redraw the figure?"""
    before, after = toggle(explorer, "Partial agonist", "mouse")
    lab.assert_redrawn(before, after)
    assert ("ceiling" in after.text) != ("ceiling" in before.text)


def test_partial_agonist_box_by_keyboard(explorer):
    """Does pressing Space on the focused Partial agonist box flip it back and redraw the figure?"""
    before, after = toggle(explorer, "Partial agonist", "keyboard")
    lab.assert_redrawn(before, after)


@pytest.mark.parametrize("how", ["keyboard", "mouse"])
def test_full_agonist_box(explorer, how):
    """Does the Full agonist box, by Space or by click, hide or show the full agonist's curve?"""
    before, after = toggle(explorer, "Full agonist", how)
    lab.assert_redrawn(before, after)


@pytest.mark.parametrize("how", ["keyboard", "mouse"])
def test_antagonist_box(explorer, how):
    """Does the Antagonist box, by Space or by click, hide or show the antagonist's flat curve?"""
    before, after = toggle(explorer, "Antagonist", how)
    lab.assert_redrawn(before, after)


def test_adding_an_antagonist_shifts_the_full_agonist(explorer):
    """Does ticking 'Add an antagonist to the full agonist' draw the shifted curve and say the response drops?"""
    name = "Add an antagonist to the full agonist"
    if lab.checkbox(explorer, name).is_checked():
        toggle(explorer, name, "mouse")
    before, after = toggle(explorer, name, "keyboard")
    lab.assert_redrawn(before, after)
    assert re.search(r"response at this amount drops from \d+% to \d+%", after.text), after.text
    before, after = toggle(explorer, name, "mouse")
    lab.assert_redrawn(before, after)
    assert "drops from" not in after.text
