"""Lesson 03 in a real browser: the notebook runs cleanly, and its widgets answer the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use the widgets in turn,
each asserting that the widget's output (figure bytes and text alternative) changed as it should.
"""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/03-dependence-cycle.ipynb"


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
        lab.screenshot(page, "lesson_03_setup")
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
def cycle(lesson):
    """The DependenceCycle widget, scrolled into view."""
    root = lesson.locator(".oud-dependence-cycle").first
    root.scroll_into_view_if_needed()
    return root


@pytest.fixture
def simulator(lesson):
    """The ToleranceSimulator widget, scrolled into view."""
    root = lesson.locator(".oud-tolerance-simulator").first
    root.scroll_into_view_if_needed()
    return root


def highlighted_stage(text: str) -> int:
    """The 1-based stage a DependenceCycle text alternative says is highlighted."""
    found = re.search(r"\bstage (\d+)\b", text, re.IGNORECASE)
    assert found, f"the text alternative names no highlighted stage: {text!r}"
    return int(found.group(1))


def labelled(root, kind: str, label: str):
    """The widget of class ``widget-<kind>`` in ``root`` whose description label reads ``label``."""
    return root.locator(f".widget-{kind}", has=root.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))


def button(root, name: str):
    """The button named ``name`` (its accessible name may start with an icon glyph)."""
    return root.get_by_role("button", name=re.compile(rf"^\W*{re.escape(name)}$"))


def stage_options(cycle) -> list[str]:
    """The stage dropdown's option labels, in order (ipywidgets writes their spaces as no-break spaces)."""
    return [" ".join(text.split()) for text in labelled(cycle, "dropdown", "Stage:").locator("option").all_inner_texts()]


def assert_redrawn(before: lab.FigureState, after: lab.FigureState) -> None:
    """The figure's PNG bytes and its text alternative both differ from before."""
    assert after.png[:8] == b"\x89PNG\r\n\x1a\n", "the figure is not a PNG"
    assert after.png != before.png, f"the figure's bytes did not change (sha256 {after.digest})"
    assert after.text != before.text, "the text alternative did not change"


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 03 run without tracebacks or stderr, showing both widgets?"""
    for widget in (".oud-dependence-cycle", ".oud-tolerance-simulator"):
        lesson.locator(widget).first.wait_for(state="visible")  # widgets render after their cell has run
    assert lab.error_outputs(lesson) == []


def test_cycle_has_its_controls(cycle):
    """Does the DependenceCycle show Previous, Next, the Stage dropdown, both Loop toggles, a figure and its words?"""
    for name in ("Previous", "Next"):
        assert button(cycle, name).is_visible()
    assert labelled(cycle, "dropdown", "Stage:").locator("select").is_visible()
    assert labelled(cycle, "toggle-buttons", "Loop:").locator("button").count() == 2
    assert lab.figure(cycle).is_visible()
    assert lab.text_alternative(cycle).inner_text().strip()


def test_clicking_next_moves_to_the_next_stage(cycle):
    """Does clicking Next move the highlight to the next stage (stage 2 at first) and redraw the figure?"""
    before = lab.figure_state(cycle)
    expected = highlighted_stage(before.text) % len(stage_options(cycle)) + 1
    button(cycle, "Next").click()
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    assert_redrawn(before, after)
    assert f"stage {expected}" in after.text


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_next_works_from_the_keyboard(cycle, key):
    """Does pressing Enter or Space on the focused Next button advance the stage and redraw the figure?"""
    before = lab.figure_state(cycle)
    expected = highlighted_stage(before.text) % len(stage_options(cycle)) + 1
    button(cycle, "Next").focus()
    cycle.page.keyboard.press(key)
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    assert_redrawn(before, after)


def test_clicking_previous_moves_back_a_stage(cycle):
    """Does clicking Previous move the highlight back one stage and redraw the figure?"""
    before = lab.figure_state(cycle)
    count = len(stage_options(cycle))
    expected = (highlighted_stage(before.text) - 2) % count + 1
    button(cycle, "Previous").click()
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    assert_redrawn(before, after)


def test_stage_dropdown_picks_a_stage_by_keyboard(cycle):
    """Does choosing a stage in the Stage dropdown with the keyboard highlight that stage and name it?"""
    before = lab.figure_state(cycle)
    options = stage_options(cycle)
    current = highlighted_stage(before.text)
    steps = 2 if current + 2 <= len(options) else -2
    expected = current + steps
    lab.choose_by_keyboard(labelled(cycle, "dropdown", "Stage:").locator("select"), steps)
    after = lab.wait_for_figure_change(cycle, before, lambda text: highlighted_stage(text) == expected)
    assert_redrawn(before, after)
    name = options[expected - 1].split(". ", 1)[-1]
    assert name in after.text, f"the text alternative does not name stage {expected}, {name!r}"


def test_addiction_toggle_shows_the_addiction_cycle(cycle):
    """Does clicking the addiction Loop toggle redraw the diagram as the addiction cycle?"""
    before = lab.figure_state(cycle)
    assert "addiction cycle" not in before.text.lower(), "the addiction cycle is already showing"
    labelled(cycle, "toggle-buttons", "Loop:").get_by_role("button", name=re.compile("addiction", re.I)).click()
    after = lab.wait_for_figure_change(cycle, before, lambda text: "addiction cycle" in text.lower())
    assert_redrawn(before, after)


def test_simulator_has_its_controls(simulator):
    """Does the ToleranceSimulator show the Pattern dropdown, the Weeks of use slider, a figure and its words?"""
    assert labelled(simulator, "dropdown", "Pattern:").locator("select").is_visible()
    assert labelled(simulator, "slider", "Weeks of use:").get_by_role("slider").is_visible()
    assert lab.figure(simulator).is_visible()
    assert lab.text_alternative(simulator).inner_text().strip()


def test_pattern_changes_by_keyboard(simulator):
    """Does picking another use pattern with the keyboard redraw the plot and rewrite its text alternative?"""
    before = lab.figure_state(simulator)
    select = labelled(simulator, "dropdown", "Pattern:").locator("select")
    last = select.evaluate("s => s.selectedIndex === s.options.length - 1")
    lab.choose_by_keyboard(select, -1 if last else 1)
    after = lab.wait_for_figure_change(simulator, before)
    assert_redrawn(before, after)


def test_weeks_slider_moves_by_keyboard(simulator):
    """Does moving the Weeks of use slider with the arrow keys redraw the plot and rewrite its text alternative?"""
    before = lab.figure_state(simulator)
    handle = labelled(simulator, "slider", "Weeks of use:").get_by_role("slider")
    at_max = float(handle.get_attribute("aria-valuenow")) >= float(handle.get_attribute("aria-valuemax"))
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft" if at_max else "ArrowRight")
    after = lab.wait_for_figure_change(simulator, before)
    assert_redrawn(before, after)
