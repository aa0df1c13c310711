"""Lesson 06 in a real browser: the notebook runs cleanly, and the overdose explorer answers the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use every control of the
OverdoseExplorer in turn, each asserting that the figure (PNG bytes) and its text alternative changed.
"""

from __future__ import annotations

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/06-overdose-and-health-risks.ipynb"


@pytest.fixture
def explorer(lesson):
    """The OverdoseExplorer widget, scrolled into view."""
    return lab.widget(lesson, ".oud-overdose-explorer")


def toggle(root):
    """The Show percent change toggle button."""
    return lab.button(root, "Show percent change")


def readout(root) -> str:
    """The text of the explorer's readout (the two values, then the formula or the change)."""
    return root.locator(".oud-overdose-readout").inner_text()


def choose(root, label: str, option: str) -> None:
    """Pick ``option`` in the dropdown labelled ``label`` with the keyboard (nothing happens if it is already picked)."""
    lab.choose_option(lab.dropdown(root, label), option)


def selected(root, label: str) -> str:
    """The text of the option picked in the dropdown labelled ``label``."""
    return lab.dropdown(root, label).evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ").strip()


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 06 run without tracebacks or stderr, showing the explorer?"""
    assert lab.error_outputs(lesson) == []
    assert lesson.locator(".oud-overdose-explorer").count() >= 1, "the overdose explorer is not shown"


def test_explorer_has_its_controls(explorer):
    """Does the explorer show the Series, From year and To year dropdowns, the toggle, a figure and its words?"""
    for label in ("Series:", "From year:", "To year:"):
        assert lab.dropdown(explorer, label).is_visible(), f"no {label} dropdown"
    assert toggle(explorer).is_visible()
    assert lab.figure(explorer).is_visible()
    text = lab.text_alternative(explorer).inner_text()
    assert "never filled in" in text and "hidden until you press Show percent change" in text


def test_series_dropdown_by_keyboard(explorer):
    """Does picking opioid-involved deaths with the keyboard redraw the chart and name the series and its gaps?"""
    before = lab.figure_state(explorer)
    choose(explorer, "Series:", "Opioid-involved overdose deaths")
    after = lab.wait_for_figure_change(explorer, before, lambda text: "showing opioid-involved" in text)
    lab.assert_redrawn(before, after)
    assert "no single figure (gap)" in after.text


def test_from_year_by_keyboard(explorer):
    """Does picking another From year with the keyboard move the highlight and rewrite the words and the readout?"""
    choose(explorer, "Series:", "All drug overdose deaths")
    before = lab.figure_state(explorer)
    target = "2019" if selected(explorer, "From year:") != "2019" else "2017"
    choose(explorer, "From year:", target)
    after = lab.wait_for_figure_change(explorer, before, lambda text: f"{target} and" in text or f"year {target}" in text)
    lab.assert_redrawn(before, after)
    assert f"{target}: " in readout(explorer)


def test_to_year_by_keyboard(explorer):
    """Does picking another To year with the keyboard redraw the chart and show that year's value in the readout?"""
    choose(explorer, "From year:", "2019")
    before = lab.figure_state(explorer)
    target = "2022" if selected(explorer, "To year:") != "2022" else "2023"
    choose(explorer, "To year:", target)
    after = lab.wait_for_figure_change(explorer, before, lambda text: f"and {target}" in text)
    lab.assert_redrawn(before, after)
    assert f"{target}: " in readout(explorer)


def test_readout_lets_the_learner_compute_first(explorer):
    """With 2019 to 2022 picked, does the readout give both values and the formula but not the change?"""
    choose(explorer, "To year:", "2022")
    lab.figure_state(explorer)
    text = readout(explorer)
    assert "2019: 70,630" in text and "2022: 107,941" in text
    assert "52.8" not in text and "52.8" not in lab.text_alternative(explorer).inner_text()


def test_toggle_by_click_reveals_the_change(explorer):
    """Does clicking Show percent change reveal +52.8% for all drug deaths 2019 to 2022, in the chart's words and the readout?"""
    before = lab.figure_state(explorer)
    assert "+52.8%" not in before.text, "the change is already showing"
    toggle(explorer).click()
    after = lab.wait_for_figure_change(explorer, before, lambda text: "+52.8%" in text)
    lab.assert_redrawn(before, after)
    assert "+52.8%" in readout(explorer)


@pytest.mark.parametrize("key", ["Space", "Enter"])
def test_toggle_works_from_the_keyboard(explorer, key):
    """Does pressing Space or Enter on the focused toggle hide or reveal the change, redrawing the chart?"""
    before = lab.figure_state(explorer)
    showing = "+52.8%" in before.text
    toggle(explorer).focus()
    explorer.page.keyboard.press(key)
    after = lab.wait_for_figure_change(explorer, before, lambda text: ("+52.8%" in text) != showing)
    lab.assert_redrawn(before, after)
