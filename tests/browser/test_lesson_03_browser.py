"""Lesson 03 in a real browser: the notebook runs cleanly, and its widgets answer the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use the DependenceCycle
and the ToleranceSimulator in turn, each asserting that the figure's bytes and its words changed.
"""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/03-dependence-cycle.ipynb"


@pytest.fixture
def cycle(lesson):
    """The DependenceCycle widget, scrolled into view."""
    return lab.widget(lesson, ".oud-dependence-cycle")


@pytest.fixture
def simulator(lesson):
    """The ToleranceSimulator widget, scrolled into view."""
    return lab.widget(lesson, ".oud-tolerance-simulator")


def highlighted_stage(text: str) -> int:
    """The 1-based stage a DependenceCycle text alternative says is highlighted."""
    found = re.search(r"\bstage (\d+)\b", text, re.IGNORECASE)
    assert found, f"the text alternative names no highlighted stage: {text!r}"
    return int(found.group(1))


def stage_menu(cycle):
    """The <select> of the Stage dropdown."""
    return lab.dropdown(cycle, "Stage:")


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 03 run without tracebacks or stderr, showing both widgets?"""
    for widget in (".oud-dependence-cycle", ".oud-tolerance-simulator"):
        lesson.locator(widget).first.wait_for(state="visible")  # widgets render after their cell has run
    assert lab.error_outputs(lesson) == []


def test_cycle_has_its_controls(cycle):
    """Does the DependenceCycle show Previous, Next, the Stage dropdown, both Loop toggles, a figure and its words?"""
    for name in ("Previous", "Next"):
        assert lab.button(cycle, name).is_visible()
    assert stage_menu(cycle).is_visible()
    assert lab.labelled(cycle, "toggle-buttons", "Loop:").locator("button").count() == 2
    assert lab.figure(cycle).is_visible()
    assert lab.text_alternative(cycle).inner_text().strip()


def test_clicking_next_moves_to_the_next_stage(cycle):
    """Does clicking Next move the highlight to the next stage (stage 2 at first) and redraw the figure?"""
    before = lab.figure_state(cycle)
    expected = highlighted_stage(before.text) % len(lab.options(stage_menu(cycle))) + 1
    lab.button(cycle, "Next").click()
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    lab.assert_redrawn(before, after)
    assert f"stage {expected}" in after.text


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_next_works_from_the_keyboard(cycle, key):
    """Does pressing Enter or Space on the focused Next button advance the stage and redraw the figure?"""
    before = lab.figure_state(cycle)
    expected = highlighted_stage(before.text) % len(lab.options(stage_menu(cycle))) + 1
    lab.button(cycle, "Next").focus()
    cycle.page.keyboard.press(key)
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    lab.assert_redrawn(before, after)


def test_clicking_previous_moves_back_a_stage(cycle):
    """Does clicking Previous move the highlight back one stage and redraw the figure?"""
    before = lab.figure_state(cycle)
    count = len(lab.options(stage_menu(cycle)))
    expected = (highlighted_stage(before.text) - 2) % count + 1
    lab.button(cycle, "Previous").click()
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    lab.assert_redrawn(before, after)


def test_stage_dropdown_picks_a_stage_by_keyboard(cycle):
    """Does choosing a stage in the Stage dropdown with the keyboard highlight that stage and name it?"""
    before = lab.figure_state(cycle)
    options = lab.options(stage_menu(cycle))
    current = highlighted_stage(before.text)
    steps = 2 if current + 2 <= len(options) else -2
    expected = current + steps
    lab.choose_by_keyboard(stage_menu(cycle), steps)
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    lab.assert_redrawn(before, after)
    name = options[expected - 1].split(". ", 1)[-1]
    assert name in after.text, f"the text alternative does not name stage {expected}, {name!r}"


def test_addiction_toggle_shows_the_addiction_cycle(cycle):
    """Does clicking the addiction Loop toggle redraw the diagram as the addiction cycle?"""
    before = lab.figure_state(cycle)
    assert "addiction cycle" not in before.text.lower(), "the addiction cycle is already showing"
    lab.labelled(cycle, "toggle-buttons", "Loop:").get_by_role("button", name=re.compile("addiction", re.I)).click()
    after = lab.wait_for_figure_change(cycle, before, lambda text: "addiction cycle" in text.lower())
    lab.assert_redrawn(before, after)


def test_simulator_has_its_controls(simulator):
    """Does the ToleranceSimulator show the Pattern dropdown, the Weeks of use slider, a figure and its words?"""
    assert lab.dropdown(simulator, "Pattern:").is_visible()
    assert lab.labelled(simulator, "slider", "Weeks of use:").get_by_role("slider").is_visible()
    assert lab.figure(simulator).is_visible()
    assert lab.text_alternative(simulator).inner_text().strip()


def test_pattern_changes_by_keyboard(simulator):
    """Does picking another use pattern with the keyboard redraw the plot and rewrite its text alternative?"""
    before = lab.figure_state(simulator)
    lab.choose_neighbour(lab.dropdown(simulator, "Pattern:"))
    after = lab.wait_for_figure_change(simulator, before)
    lab.assert_redrawn(before, after)


def test_weeks_slider_moves_by_keyboard(simulator):
    """Does moving the Weeks of use slider with the arrow keys redraw the plot and rewrite its text alternative?"""
    before = lab.figure_state(simulator)
    handle = lab.labelled(simulator, "slider", "Weeks of use:").get_by_role("slider")
    at_max = float(handle.get_attribute("aria-valuenow")) >= float(handle.get_attribute("aria-valuemax"))
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft" if at_max else "ArrowRight")
    after = lab.wait_for_figure_change(simulator, before)
    lab.assert_redrawn(before, after)
