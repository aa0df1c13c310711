"""Lesson 07 in a real browser: the notebook runs cleanly, and the medication table answers the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use every control of the
TreatmentTable from the keyboard (the question and sort menus, the highlight and sources checkboxes),
each asserting that the table's text changed as it should.
"""

from __future__ import annotations

import re
import time

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/07-medications-for-oud.ipynb"
ROOT = ".oud-treatment-table"


@pytest.fixture(scope="module")
def lesson_relpath() -> str:
    """The lesson notebook, relative to the repository and to the server root."""
    if not (lab.REPO / LESSON).is_file():
        pytest.fail(f"{LESSON} is missing", pytrace=False)
    return LESSON


@pytest.fixture(scope="module")
def lesson(browser, lab_server, lesson_relpath):
    """One page with the lesson open and all its cells run, shared by the tests of this module."""
    page = lab.new_page(browser)
    try:
        lab.open_notebook(page, lab_server, lesson_relpath)
        lab.run_all_cells(page)
    except Exception:
        lab.screenshot(page, "lesson_07_setup")
        page.context.close()
        raise
    yield page
    page.context.close()


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request, lesson):
    """Save the shared page as test-artifacts/<test>.png when a test fails."""
    yield
    if lab.has_failed(request):
        lab.screenshot(lesson, request.node.name)


@pytest.fixture
def table(lesson):
    """The TreatmentTable widget, scrolled into view."""
    root = lesson.locator(ROOT).first
    root.wait_for(state="visible")
    root.scroll_into_view_if_needed()
    return root


def labelled(root, kind: str, label: str):
    """The widget of class ``widget-<kind>`` in ``root`` whose description label reads ``label``."""
    return root.locator(f".widget-{kind}", has=root.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))


def checkbox(root, name: str):
    """The checkbox whose label reads ``name`` exactly."""
    return root.get_by_role("checkbox", name=re.compile(rf"^\s*{re.escape(name)}\s*$"))


def state(root) -> str:
    """What the widget shows in words: the answer line and the whole table, as rendered text."""
    return root.evaluate(
        """(root) => ['.oud-text-alternative', '.oud-table-view']
            .map(s => { const e = root.querySelector(s); return e ? e.innerText : ''; }).join('\\n')"""
    )


def row_headers(root) -> list[str]:
    """The table's row headers (the options on show), in display order."""
    return [" ".join(t.split()) for t in root.locator('.oud-table-view th[scope="row"]').all_inner_texts()]


def wait_for_change(root, before: str, matches=lambda text: True, timeout: float = 15.0) -> str:
    """Wait until the widget's text differs from ``before`` and passes ``matches``; return it once the kernel is idle."""
    deadline = time.monotonic() + timeout
    text = state(root)
    while time.monotonic() < deadline:
        if text != before and matches(text):
            lab.wait_kernel_idle(root.page)
            return state(root)
        time.sleep(0.05)
        text = state(root)
    raise AssertionError(f"the table did not change as expected within {timeout} s; it reads {text[:400]!r}")


def choose_option(select, label: str) -> None:
    """Choose the option reading ``label`` in a <select> with the keyboard (ipywidgets writes spaces as no-break spaces)."""
    labels = [" ".join(t.split()) for t in select.locator("option").all_inner_texts()]
    assert label in labels, f"{label!r} is not among {labels}"
    lab.choose_by_keyboard(select, labels.index(label) - select.evaluate("s => s.selectedIndex"))


def toggle_by_keyboard(root, name: str) -> bool:
    """Tick or untick the checkbox ``name`` with Space; return whether it is ticked now."""
    box = checkbox(root, name)
    was = box.is_checked()
    box.focus()
    root.page.keyboard.press("Space")
    root.page.wait_for_function("([el, was]) => el.checked !== was", arg=[box.element_handle(), was])
    return not was


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 07 run without tracebacks or stderr, showing the table?"""
    lesson.locator(ROOT).first.wait_for(state="visible")  # widgets render after their cell has run
    assert lab.error_outputs(lesson) == []
    assert lesson.locator(ROOT).count() == 1


def test_table_has_its_controls_and_an_accessible_table(table):
    """Does the widget show both menus, both checkboxes, and a captioned table of the five medications?"""
    assert labelled(table, "dropdown", "Question:").locator("select").is_visible()
    assert labelled(table, "dropdown", "Sort by:").locator("select").is_visible()
    assert checkbox(table, "Highlight where options differ").is_visible()
    assert checkbox(table, "Show sources").is_visible()
    assert table.locator("table caption").inner_text().startswith("Medications for opioid use disorder")
    assert table.locator('th[scope="col"]').count() == 8
    assert "Methadone" in row_headers(table) and len(row_headers(table)) == 5


def test_question_filters_by_keyboard(table):
    """Does choosing a question with the keyboard filter the rows and answer it in words?"""
    before = state(table)
    select = labelled(table, "dropdown", "Question:").locator("select")
    at_first = select.evaluate("s => s.selectedIndex === 0")
    lab.choose_by_keyboard(select, 1 if at_first else -1)
    after = wait_for_change(table, before, lambda text: "options match" in text or "options matches" in text
                            if at_first else "Showing all" in text)
    if at_first:
        assert "Which can start while withdrawal has not begun? 1 of 5 options matches: Methadone." in after
        assert row_headers(table) == ["Methadone"]


def test_question_for_monthly_injections(table):
    """Does the monthly-injection question leave exactly the two injections?"""
    before = state(table)
    select = labelled(table, "dropdown", "Question:").locator("select")
    choose_option(select, "Which come as a monthly injection?")
    wait_for_change(table, before, lambda text: "2 of 5 options match" in text)
    assert row_headers(table) == ["Buprenorphine (monthly injection)", "Naltrexone (monthly injection)"]


def test_sort_by_keyboard_reorders_the_rows(table):
    """Does choosing a sort column with the keyboard reorder the rows and say so in the caption?"""
    before, rows = state(table), row_headers(table)
    select = labelled(table, "dropdown", "Sort by:").locator("select")
    choose_option(select, "Mechanism (A to Z)")
    after = wait_for_change(table, before, lambda text: "sorted by Mechanism (A to Z)" in text)
    assert "sorted by Mechanism" in table.locator("table caption").inner_text()
    assert sorted(row_headers(table)) == sorted(rows)
    assert after != before


def test_highlight_by_keyboard_marks_differences(table):
    """Does ticking "Highlight where options differ" with Space mark the differing columns, and unticking clear them?"""
    before = state(table)
    ticked = toggle_by_keyboard(table, "Highlight where options differ")
    after = wait_for_change(table, before, lambda text: ("(differs)" in text) == ticked)
    if ticked:
        assert table.locator("th.oud-differs").count() >= 1
    before = after
    toggle_by_keyboard(table, "Highlight where options differ")
    wait_for_change(table, before, lambda text: ("(differs)" in text) != ticked)


def test_show_sources_by_keyboard_numbers_every_cell(table):
    """Does ticking "Show sources" with Space put source numbers in every cell and list the sources?"""
    if checkbox(table, "Show sources").is_checked():
        before = state(table)
        toggle_by_keyboard(table, "Show sources")
        wait_for_change(table, before, lambda text: "Sources (the numbers" not in text)
    before = state(table)
    assert toggle_by_keyboard(table, "Show sources")
    after = wait_for_change(table, before, lambda text: "Sources (the numbers in the table)" in text)
    cells = table.locator(".oud-table-view td").count()
    assert cells and table.locator(".oud-table-view td sup.oud-source-mark").count() == cells
    assert "[1]" in after and table.locator(".oud-sources li").count() >= 2
