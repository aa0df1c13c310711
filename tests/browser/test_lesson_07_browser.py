"""Lesson 07 in a real browser: the notebook runs cleanly, and the medication table answers the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use every control of the
TreatmentTable from the keyboard (the question and sort menus, the highlight and sources checkboxes),
each asserting that the table's text changed as it should.
"""

from __future__ import annotations

import lab
import pytest
import treatment_table as tables
from treatment_table import HIGHLIGHT, ROOT, row_headers, state

pytestmark = pytest.mark.browser

LESSON = "notebooks/07-medications-for-oud.ipynb"


@pytest.fixture
def table(lesson):
    """The TreatmentTable widget, scrolled into view."""
    return lab.widget(lesson, ROOT)


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 07 run without tracebacks or stderr, showing the table?"""
    lesson.locator(ROOT).first.wait_for(state="visible")  # widgets render after their cell has run
    assert lab.error_outputs(lesson) == []
    assert lesson.locator(ROOT).count() == 1


def test_table_has_its_controls_and_an_accessible_table(table):
    """Does the widget show both menus, both checkboxes, and a captioned table of the six medication forms?"""
    for name, control in tables.controls(table).items():
        assert control.is_visible(), f"no {name!r} control"
    assert table.locator("table caption").inner_text().startswith("Medications for opioid use disorder")
    assert table.locator('th[scope="col"]').count() == 8
    assert "Methadone" in row_headers(table) and len(row_headers(table)) == 6


def test_question_filters_by_keyboard(table):
    """Does choosing a question with the keyboard filter the rows and answer it in words?"""
    before = state(table)
    select = lab.dropdown(table, "Question:")
    at_first = select.evaluate("s => s.selectedIndex === 0")
    lab.choose_by_keyboard(select, 1 if at_first else -1)
    after = tables.wait_for_change(table, before, lambda text: "options match" in text or "options matches" in text
                                   if at_first else "Showing all" in text)
    if at_first:
        assert ("Which can start while withdrawal has not begun? 2 of 6 options match: "
                "Methadone and Buprenorphine (under the tongue).") in after
        assert row_headers(table) == ["Methadone", "Buprenorphine (under the tongue)"]


def test_question_for_monthly_injections(table):
    """Does the monthly-injection question leave exactly the three injections that come monthly?"""
    tables.choose(table, "Question:", "Which come as a monthly injection?", lambda text: "3 of 6 options match" in text)
    assert row_headers(table) == ["Buprenorphine (monthly injection, Sublocade)",
                                  "Buprenorphine (weekly or monthly injection, Brixadi)", "Naltrexone (monthly injection)"]


def test_sort_by_keyboard_reorders_the_rows(table):
    """Does choosing a sort column with the keyboard reorder the rows and say so in the caption?"""
    before, rows = state(table), row_headers(table)
    after = tables.choose(table, "Sort by:", "Mechanism (A to Z)", lambda text: "sorted by Mechanism (A to Z)" in text)
    assert "sorted by Mechanism" in table.locator("table caption").inner_text()
    assert sorted(row_headers(table)) == sorted(rows)
    assert after != before


def test_highlight_by_keyboard_marks_differences(table):
    """Does ticking "Highlight where options differ" with Space mark the differing columns, and unticking clear them?"""
    ticked = not lab.checkbox(table, HIGHLIGHT).is_checked()
    tables.tick(table, HIGHLIGHT, ticked, "(differs)")
    if ticked:
        assert table.locator("th.oud-differs").count() >= 1
    tables.tick(table, HIGHLIGHT, not ticked, "(differs)")


def test_show_sources_by_keyboard_numbers_every_cell(table):
    """Does ticking "Show sources" with Space put source numbers in every cell and list the sources?"""
    after = tables.show_sources(table)
    cells, marked = tables.source_marks(table)
    assert cells and marked == cells
    assert "[1]" in after and table.locator(".oud-sources li").count() >= 2
