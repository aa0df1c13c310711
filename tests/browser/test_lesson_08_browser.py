"""Lesson 08 in a real browser: the notebook runs cleanly, and the care-options table answers the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use every control of the
TreatmentTable from the keyboard (the question and sort menus, the highlight and sources checkboxes),
each asserting that the table's text changed as it should.
"""

from __future__ import annotations

import lab
import pytest
import treatment_table as tables
from treatment_table import HIGHLIGHT, ROOT, row_headers

pytestmark = pytest.mark.browser

LESSON = "notebooks/08-detox-therapy-settings-support.ipynb"
PEER_GROUPS = ["Narcotics Anonymous (NA)", "SMART Recovery"]


@pytest.fixture
def table(lesson):
    """The TreatmentTable widget, scrolled into view."""
    return lab.widget(lesson, ROOT)


def ask_for_peer_groups(table) -> str:
    """Choose the peer-led question with the keyboard; return the words and table once two options match."""
    question = "Which are free, peer-led groups?"
    return tables.choose(table, "Question:", question, lambda text: "2 of 13 options match" in text)


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 08 run without tracebacks or stderr, showing the table?"""
    lesson.locator(ROOT).first.wait_for(state="visible")  # widgets render after their cell has run
    assert lab.error_outputs(lesson) == []
    assert lesson.locator(ROOT).count() == 1


def test_table_shows_the_care_options(table):
    """Does the widget show both menus, both checkboxes, and a captioned table of the thirteen care options?"""
    for name, control in tables.controls(table).items():
        assert control.is_visible(), f"no {name!r} control"
    assert table.locator("table caption").inner_text().startswith("Detox, therapies, care settings and support")
    assert table.locator('th[scope="col"]').count() == 6
    rows = row_headers(table)
    assert len(rows) == 13 and rows[0] == "Detox (medically supervised withdrawal)"


def test_question_by_keyboard_finds_the_first_step(table):
    """Does choosing the first-step question with the keyboard leave only detox, and say so in words?"""
    after = tables.choose(table, "Question:", "Which are only a first step, not treatment on their own?",
                          lambda text: "1 of 13 options matches" in text)
    assert "Detox (medically supervised withdrawal)." in after
    assert row_headers(table) == ["Detox (medically supervised withdrawal)"]


def test_question_by_keyboard_finds_the_peer_groups(table):
    """Does the peer-led question leave NA and SMART Recovery?"""
    ask_for_peer_groups(table)
    assert row_headers(table) == PEER_GROUPS


def test_highlight_by_keyboard_shows_where_the_groups_differ(table):
    """With NA and SMART Recovery on show, does Space on the highlight box mark only the columns where they differ?"""
    if not row_headers(table) == PEER_GROUPS:
        ask_for_peer_groups(table)
    if lab.checkbox(table, HIGHLIGHT).is_checked():
        tables.tick(table, HIGHLIGHT, False, "(differs)")
    tables.tick(table, HIGHLIGHT, True, "(differs)")
    differing = [" ".join(t.split()) for t in table.locator("th.oud-differs").all_inner_texts()]
    assert differing == ["Type (differs)", "What it is (differs)"]


def test_sort_by_keyboard_reorders_the_rows(table):
    """With all options back, does sorting by Type with the keyboard reorder the rows and say so?"""
    tables.choose(table, "Question:", "All options (no question)", lambda text: "Showing all 13 options" in text)
    rows = row_headers(table)
    tables.choose(table, "Sort by:", "Type (A to Z)", lambda text: "sorted by Type (A to Z)" in text)
    now = row_headers(table)
    assert now != rows and sorted(now) == sorted(rows)
    assert now[0] == "Cognitive behavioural therapy (CBT)"  # "Behavioural therapy" sorts first


def test_show_sources_by_keyboard_numbers_every_cell(table):
    """Does ticking "Show sources" with Space put source numbers in every cell and list the sources?"""
    after = tables.show_sources(table)
    cells, marked = tables.source_marks(table)
    assert cells and marked == cells
    assert "[1]" in after and table.locator(".oud-sources li").count() >= 5
