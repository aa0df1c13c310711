"""Lesson 00 in a real browser: the welcome notebook runs cleanly, and its practice item answers a learner.

JupyterLab is opened and the notebook run once per module; the tests then edit the practice answer
cell as a learner does (click, select all, type, Shift+Enter) and read the self-check's feedback.
"""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/00-welcome.ipynb"


def code_cell(page, starts_with: str):
    """The code cell whose source starts with ``starts_with``."""
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter(
        has=page.locator(".cm-content", has_text=re.compile("^" + re.escape(starts_with)))
    )
    assert cells.count() == 1, f"expected one code cell starting {starts_with!r}, found {cells.count()}"
    return cells.first


def check_cell(page):
    """The practice item's check cell: the code cell right after its answer cell (its source is collapsed, so unseen)."""
    answer = code_cell(page, "practice =")
    return answer.locator("xpath=following-sibling::div[contains(concat(' ', normalize-space(@class), ' '), ' jp-CodeCell ')][1]")


def output(cell):
    """The output area of a code cell."""
    return cell.locator(".jp-OutputArea")


def answer_practice(page, answer: str) -> str:
    """Type ``practice = <answer>`` into the answer cell, run it and the check cell below; return the new feedback."""
    check = check_cell(page)
    before = lab.text(output(check))
    answer_cell = code_cell(page, "practice =")
    answer_cell.scroll_into_view_if_needed()
    answer_cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(f"practice = {answer}")  # insert_text: no auto-closed quotes
    page.keyboard.press("Shift+Enter")  # runs the answer cell and selects the check cell
    lab.wait_kernel_idle(page)
    page.keyboard.press("Shift+Enter")  # runs the check cell
    return lab.wait_for_change(output(check), before, lambda text: text.startswith("practice:"), timeout=30.0)


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 00 run without tracebacks or stderr?"""
    assert lab.error_outputs(lesson) == []


def test_blank_practice_says_not_answered_yet(lesson):
    """After Run All, does the practice check say it is not answered yet, rather than showing an error?"""
    text = lab.text(output(check_cell(lesson)))
    assert "practice: not answered yet" in text


def test_wrong_answer_gets_a_hint(lesson):
    """Does answering "a" (911) and re-running the check change the feedback to 'not right yet' with a hint?"""
    feedback = answer_practice(lesson, '"a"')
    assert feedback.startswith("practice: not right yet. Hint:")
    assert "4357" not in feedback


def test_right_answer_gets_the_explanation(lesson):
    """Does answering "b" and re-running the check change the feedback to 'right' with the explanation?"""
    feedback = answer_practice(lesson, '"b"')
    assert feedback.startswith("practice: right.")
    assert "National Helpline" in feedback


def test_malformed_answer_is_explained(lesson):
    """Does an answer that is not an option get a message naming the options, and no error output?"""
    feedback = answer_practice(lesson, '"z"')
    assert "is not one of the options" in feedback
    assert lab.error_outputs(lesson) == []


def test_summary_reports_the_practice_item(lesson):
    """After a right answer, does re-running the summary cell report 1 of 1 items right?"""
    answer_practice(lesson, '"b"')
    summary = code_cell(lesson, "summary()")
    summary.scroll_into_view_if_needed()
    summary.locator(".jp-InputArea-prompt").click()  # select the cell in command mode
    lesson.keyboard.press("Shift+Enter")
    text = lab.wait_for_change(output(summary), None, lambda text: "1 of 1" in text, timeout=30.0)
    assert "practice: right" in text
