"""Lesson 04 in a real browser: the notebook runs cleanly, and the risk factor explorer answers the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use the explorer's
controls in turn, each asserting that its output (map image bytes, text alternative, evidence) changed.
"""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/04-causes-and-risk-factors.ipynb"


@pytest.fixture
def explorer(lesson):
    """The RiskFactorExplorer widget, scrolled into view."""
    return lab.widget(lesson, ".oud-risk-factor-explorer")


def domain_button(explorer, name: str):
    """The Domain toggle button named ``name``."""
    return lab.labelled(explorer, "toggle-buttons", "Domain:").get_by_role("button", name=name, exact=True)


def factor_menu(explorer):
    """The <select> of the Factor dropdown."""
    return lab.dropdown(explorer, "Factor:")


def evidence(explorer):
    """The evidence panel."""
    return explorer.locator(".oud-evidence")


def schematic(explorer):
    """The schematic chart's container."""
    return explorer.locator(".oud-schematic")


def highlighted(text: str) -> str:
    """What a factor map's text alternative says is highlighted."""
    found = re.search(r"Highlighted: (.+?)\.?$", text.strip())
    assert found, f"the text alternative names no highlighted factor: {text!r}"
    return found.group(1)


def choose_domain(explorer, name: str, title: str) -> lab.FigureState:
    """Click the Domain button ``name`` unless it is on show; return the settled map once ``title`` is highlighted."""
    before = lab.figure_state(explorer)
    if highlighted(before.text).startswith(title):
        return before
    domain_button(explorer, name).click()
    return lab.wait_for_figure_change(explorer, before, lambda text: highlighted(text).startswith(title))


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 04 run without tracebacks or stderr, showing the explorer?"""
    assert lab.error_outputs(lesson) == []
    assert lesson.locator(".oud-risk-factor-explorer").count() >= 1, "the explorer is not shown"


def test_explorer_has_its_controls(explorer):
    """Does the explorer show five Domain buttons, the Factor menu, the map, its words and the evidence with a source?"""
    assert lab.labelled(explorer, "toggle-buttons", "Domain:").locator("button").count() == 5
    assert factor_menu(explorer).is_visible()
    assert lab.figure(explorer).is_visible()
    assert lab.text_alternative(explorer).inner_text().strip()
    assert "Source:" in lab.text(evidence(explorer))


def test_clicking_a_domain_lists_its_factors(explorer):
    """Does clicking the Environmental/social button highlight its first factor, redraw the map and list its factors?"""
    choose_domain(explorer, "Genetic/biological", "Genetic and biological")
    before = lab.figure_state(explorer)
    domain_button(explorer, "Environmental/social").click()
    after = lab.wait_for_figure_change(
        explorer, before, lambda text: highlighted(text).startswith("Environmental and social, factor 1")
    )
    lab.assert_redrawn(before, after)
    factors = lab.options(factor_menu(explorer))
    assert factors[0] == "A chaotic home environment" and len(factors) == 5
    assert "chaotic home" in lab.text(evidence(explorer)).lower()


def test_domain_buttons_work_from_the_keyboard(explorer):
    """Does pressing Enter on a focused Domain button (Protective) switch the domain and redraw the map?"""
    choose_domain(explorer, "Medical", "Medical")
    before = lab.figure_state(explorer)
    domain_button(explorer, "Protective").focus()
    explorer.page.keyboard.press("Enter")
    after = lab.wait_for_figure_change(explorer, before, lambda text: highlighted(text).startswith("Protective"))
    lab.assert_redrawn(before, after)
    lab.wait_for_change(evidence(explorer), None, lambda text: "lowers risk" in text)


def test_factor_menu_picks_a_factor_by_keyboard(explorer):
    """Does choosing the next factor in the Factor menu with the keyboard highlight it and show its evidence and source?"""
    choose_domain(explorer, "Psychological", "Psychological")
    before = lab.figure_state(explorer)
    first = lab.text(evidence(explorer))
    current = factor_menu(explorer).evaluate("s => s.selectedIndex")
    expected = lab.options(factor_menu(explorer))[current + 1]
    lab.choose_by_keyboard(factor_menu(explorer), 1)
    after = lab.wait_for_figure_change(explorer, before, lambda text: expected in highlighted(text))
    lab.assert_redrawn(before, after)
    text = lab.wait_for_change(evidence(explorer), first)
    assert expected in text and "Source:" in text


def test_factor_menu_picks_a_factor_by_mouse(explorer):
    """Does choosing the last factor in the Factor menu with the mouse highlight it and redraw the map?"""
    choose_domain(explorer, "Environmental/social", "Environmental and social")
    before = lab.figure_state(explorer)
    menu = factor_menu(explorer)
    index = menu.evaluate("s => s.options.length") - 1
    name = lab.options(menu)[index]
    menu.select_option(index=index)
    after = lab.wait_for_figure_change(explorer, before, lambda text: name in highlighted(text))
    lab.assert_redrawn(before, after)
    lab.wait_for_change(evidence(explorer), None, lambda text: name in text)


def test_schematic_appears_only_for_prescription_length(explorer):
    """Does the labelled schematic appear for the prescription-length factor, and hide again for the next factor?"""
    choose_domain(explorer, "Genetic/biological", "Genetic and biological")
    assert not schematic(explorer).is_visible()
    choose_domain(explorer, "Medical", "Medical")
    chart = schematic(explorer)
    chart.wait_for(state="visible")
    chart.scroll_into_view_if_needed()
    png = lab.image_bytes(chart.locator("img").first)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    words = chart.locator(".oud-text-alternative").inner_text()
    assert "Schematic" in words and "not data" in words and "day 31" in words
    before = lab.figure_state(explorer)
    lab.choose_by_keyboard(factor_menu(explorer), 1)
    lab.wait_for_figure_change(explorer, before, lambda text: "second prescription" in highlighted(text))
    chart.wait_for(state="hidden")
