"""The TreatmentTable widget in the browser, shared by the lesson 07 (medications) and 08 (care options) tests.

The widget has a Question menu, a Sort by menu, two checkboxes and an accessible HTML table. The
tests read its output as text: the answer line (the text alternative) and the table as rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import lab

if TYPE_CHECKING:
    from playwright.sync_api import Locator

ROOT = ".oud-treatment-table"
HIGHLIGHT = "Highlight where options differ"
SOURCES = "Show sources"
SOURCES_HEADING = "Sources (the numbers in the table)"


def controls(root: Locator) -> dict[str, Locator]:
    """The widget's four controls by name: the Question and Sort by menus and the two checkboxes."""
    return {
        "Question:": lab.dropdown(root, "Question:"),
        "Sort by:": lab.dropdown(root, "Sort by:"),
        HIGHLIGHT: lab.checkbox(root, HIGHLIGHT),
        SOURCES: lab.checkbox(root, SOURCES),
    }


def state(root: Locator) -> str:
    """What the widget shows in words: the answer line and the whole table, as rendered text."""
    return root.evaluate(
        """(root) => ['.oud-text-alternative', '.oud-table-view']
            .map(s => { const e = root.querySelector(s); return e ? e.innerText : ''; }).join('\\n')"""
    )


def row_headers(root: Locator) -> list[str]:
    """The table's row headers (the options on show), in display order."""
    return [" ".join(t.split()) for t in root.locator('.oud-table-view th[scope="row"]').all_inner_texts()]


def wait_for_change(root: Locator, before: str, matches: Callable[[str], bool] = lambda text: True) -> str:
    """Wait until the widget's words and table differ from ``before`` and pass ``matches``; return them settled."""
    return lab.wait_for_change(root, before, matches, read=state)


def choose(root: Locator, menu: str, option: str, matches: Callable[[str], bool]) -> str:
    """Choose ``option`` in the menu labelled ``menu`` by keyboard; wait until the words and table pass ``matches``."""
    before = state(root)
    lab.choose_option(lab.dropdown(root, menu), option)
    return wait_for_change(root, before, matches)


def tick(root: Locator, name: str, ticked: bool, marker: str) -> str:
    """Tick (or untick) the checkbox ``name`` with Space; wait until ``marker`` shows in (or leaves) words and table."""
    before = state(root)
    assert lab.toggle_by_keyboard(lab.checkbox(root, name)) == ticked, f"the {name!r} box was already so"
    return wait_for_change(root, before, lambda text: (marker in text) == ticked)


def show_sources(root: Locator) -> str:
    """Tick Show sources with Space (untick it first if need be); return the words and table once they list sources."""
    if lab.checkbox(root, SOURCES).is_checked():
        tick(root, SOURCES, False, "Sources (the numbers")
    return tick(root, SOURCES, True, SOURCES_HEADING)


def source_marks(root: Locator) -> tuple[int, int]:
    """How many table cells there are, and how many of them carry a source number."""
    cells = root.locator(".oud-table-view td")
    return cells.count(), root.locator(".oud-table-view td sup.oud-source-mark").count()
