"""Lesson 05 in a real browser: the notebook runs cleanly, and its widgets answer the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use the WithdrawalTimeline
and the COWSScorer in turn, each asserting that the figure's bytes and its text alternative changed.
"""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/05-signs-symptoms-withdrawal.ipynb"


@pytest.fixture
def timeline(lesson):
    """The WithdrawalTimeline widget, scrolled into view."""
    return lab.widget(lesson, ".oud-withdrawal-timeline")


@pytest.fixture
def scorer(lesson):
    """The COWSScorer widget, scrolled into view."""
    return lab.widget(lesson, ".oud-cows-scorer")


def toggle(root, group: str, name: str):
    """The toggle button ``name`` in the toggle-buttons group labelled ``group``."""
    return lab.labelled(root, "toggle-buttons", group).get_by_role("button", name=re.compile(rf"^{re.escape(name)}$"))


def cows_total(text: str) -> int:
    """The total a COWSScorer text alternative reports."""
    found = re.search(r"COWS total (\d+) of 48", text)
    assert found, f"the text alternative names no COWS total: {text!r}"
    return int(found.group(1))


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 05 run without tracebacks or stderr, showing both widgets?"""
    assert lab.error_outputs(lesson) == []
    for widget in (".oud-withdrawal-timeline", ".oud-cows-scorer"):
        assert lesson.locator(widget).count() >= 1, f"{widget} is not shown"


def test_timeline_has_its_controls(timeline):
    """Does the WithdrawalTimeline show the Show and Time span toggles, the Source menu, a figure and its words?"""
    assert lab.labelled(timeline, "toggle-buttons", "Show:").locator("button").count() == 3
    assert lab.labelled(timeline, "toggle-buttons", "Time span:").locator("button").count() == 2
    assert lab.dropdown(timeline, "Source:").is_visible()
    assert lab.figure(timeline).is_visible()
    assert "Clinical overview:" in lab.text_alternative(timeline).inner_text()


def test_clicking_long_acting_shows_only_long_acting(timeline):
    """Does clicking Long-acting redraw the timeline with only the long-acting ranges?"""
    before = lab.figure_state(timeline)
    toggle(timeline, "Show:", "Long-acting").click()
    after = lab.wait_for_figure_change(
        timeline, before, lambda text: "Long-acting opioids" in text and "Short-acting opioids" not in text
    )
    lab.assert_redrawn(before, after)


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_show_toggle_works_from_the_keyboard(timeline, key):
    """Does pressing Enter or Space on a focused Show toggle switch the kind of opioid shown?"""
    before = lab.figure_state(timeline)
    target = "Short-acting" if "Short-acting opioids" not in before.text else "Long-acting"
    absent = "Long-acting opioids" if target == "Short-acting" else "Short-acting opioids"
    toggle(timeline, "Show:", target).focus()
    timeline.page.keyboard.press(key)
    after = lab.wait_for_figure_change(timeline, before, lambda text: f"{target} opioids" in text and absent not in text)
    lab.assert_redrawn(before, after)


def test_source_menu_switches_source_by_keyboard(timeline):
    """Does choosing another source in the Source menu with the keyboard redraw the ranges from that source?"""
    select = lab.dropdown(timeline, "Source:")
    select.select_option(label="Both sources")  # a known start: the last option
    before = lab.figure_state(timeline)
    lab.choose_by_keyboard(select, -1)  # up to "Secondary summaries"
    after = lab.wait_for_figure_change(timeline, before, lambda text: "Secondary summaries:" in text and "Clinical overview" not in text)
    lab.assert_redrawn(before, after)


def test_time_span_zooms_to_hours_by_keyboard(timeline):
    """Does pressing Space on First 4 days redraw the timeline in hours, and Three weeks back in days?"""
    before = lab.figure_state(timeline)
    target, unit = ("First 4 days", "in hours") if "in days" in before.text else ("Three weeks", "in days")
    toggle(timeline, "Time span:", target).focus()
    timeline.page.keyboard.press("Space")
    after = lab.wait_for_figure_change(timeline, before, lambda text: unit in text)
    lab.assert_redrawn(before, after)


def test_scorer_has_its_controls(scorer):
    """Does the COWSScorer show 11 item menus, the case menu, Reset, the live total, a figure and its words?"""
    assert scorer.locator(".widget-dropdown select").count() == 12  # 11 items and the practice-case menu
    assert lab.dropdown(scorer, "Practice case:").is_visible()
    assert lab.button(scorer, "Reset all to 0").is_visible()
    assert "of 48" in scorer.locator(".oud-cows-total").inner_text()
    assert lab.figure(scorer).is_visible()
    assert "clinician's tool" in lab.text_alternative(scorer).inner_text()


def test_item_score_changes_total_by_keyboard(scorer):
    """Does raising Resting pulse rate with the arrow keys raise the total, redraw the figure and update the live total?"""
    before = lab.figure_state(scorer)
    lab.choose_neighbour(lab.dropdown(scorer, "Resting pulse rate:"))
    old = cows_total(before.text)
    after = lab.wait_for_figure_change(scorer, before, lambda text: cows_total(text) != old)
    lab.assert_redrawn(before, after)
    assert f"Total: {cows_total(after.text)} of 48" in scorer.locator(".oud-cows-total").inner_text()


def test_practice_case_loads_by_keyboard(scorer):
    """Does choosing a practice case with the keyboard load its scores, total and band, and show its description?"""
    select = lab.dropdown(scorer, "Practice case:")
    select.select_option(index=0)
    before = lab.figure_state(scorer)
    lab.choose_by_keyboard(select, 1)  # down to "Practice case 1: Ray"
    after = lab.wait_for_figure_change(scorer, before, lambda text: text.lstrip().startswith("COWS chart, in words: Practice case 1"))
    lab.assert_redrawn(before, after)
    assert cows_total(after.text) == 9 and "mild withdrawal" in after.text
    assert "Ray (fictional)" in scorer.inner_text()


def test_reset_clears_every_score(scorer):
    """Does clicking Reset all to 0 set the total to 0 (no active withdrawal) and redraw the figure?"""
    before = lab.figure_state(scorer)
    if cows_total(before.text) == 0:  # make sure there is something to reset
        lab.dropdown(scorer, "Gooseflesh skin:").select_option(index=1)
        before = lab.wait_for_figure_change(scorer, before, lambda text: cows_total(text) == 3)
    lab.button(scorer, "Reset all to 0").click()
    after = lab.wait_for_figure_change(scorer, before, lambda text: cows_total(text) == 0)
    lab.assert_redrawn(before, after)
    assert "no active withdrawal" in after.text
