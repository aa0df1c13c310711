"""Lesson 02 in a real browser: the notebook runs cleanly, and the criteria checker answers the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use every control of the
CriteriaChecker in turn, each asserting that its output (the text alternative and the result table) changed.
The checker draws no figure: its output is HTML, and its text alternative says the result in words.
"""

from __future__ import annotations

import re
import time

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/02-dependence-addiction-oud.ipynb"
COUNT = re.compile(r"(\d+) of them counts?\b|\b(none) count\b")


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
        lab.screenshot(page, "lesson_02_setup")
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
def checker(lesson):
    """The CriteriaChecker widget, scrolled into view."""
    root = lesson.locator(".oud-criteria-checker").first
    root.scroll_into_view_if_needed()
    return root


def labelled(root, kind: str, label: str):
    """The widget of class ``widget-<kind>`` in ``root`` whose description label reads ``label``."""
    return root.locator(f".widget-{kind}", has=root.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))


def reveal_button(root):
    """The 'Show the assessment' toggle button (its accessible name may start with an icon glyph)."""
    return root.get_by_role("button", name=re.compile(r"^\W*Show the assessment$"))


def checkboxes(root):
    """The eleven criterion checkboxes, in order."""
    return root.locator(".widget-checkbox input[type=checkbox]")


def checkbox(root, number: int):
    """The checkbox of criterion ``number`` (1 to 11)."""
    return checkboxes(root).nth(number - 1)


def words(root) -> str:
    """The checker's text alternative, as shown."""
    return " ".join(lab.text_alternative(root).inner_text().split())


def result(root) -> str:
    """The checker's result panel (count, severity and table), as shown."""
    return " ".join(root.locator(".oud-criteria-result").first.inner_text().split())


def settled_words(root, settle_ms: int = 300, timeout: float = 15.0) -> str:
    """The text alternative once it has stopped changing for ``settle_ms`` and the kernel is idle."""
    deadline = time.monotonic() + timeout
    last, since = words(root), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = words(root)
        if now != last:
            last, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= settle_ms and last:
            lab.wait_kernel_idle(root.page)
            if words(root) == last:
                return last
    raise AssertionError(f"the text alternative kept changing (or stayed empty) for {timeout} s")


def wait_for_words(root, before: str, matches=lambda text: True, timeout: float = 15.0) -> str:
    """Wait until the text alternative differs from ``before`` and passes ``matches``; return it settled."""
    deadline = time.monotonic() + timeout
    text = words(root)
    while time.monotonic() < deadline:
        if text != before and matches(text):
            return settled_words(root)
        time.sleep(0.05)
        text = words(root)
    raise AssertionError(f"the text alternative did not change as expected within {timeout} s\n"
                         f"  before: {before!r}\n  now:    {text!r}")


def counted(text: str) -> int:
    """How many criteria count, as the text alternative says."""
    found = COUNT.search(text)
    assert found, f"the text alternative gives no count: {text!r}"
    return 0 if found.group(2) else int(found.group(1))


def vignette_name(text: str) -> str:
    """The vignette the text alternative names ('Dana', 'Ruth', ...)."""
    found = re.search(r"Vignette: (\w+),", text)
    assert found, f"the text alternative names no vignette: {text!r}"
    return found.group(1)


def first_unticked(root) -> int:
    """The number of the first criterion whose checkbox is not ticked."""
    states = checkboxes(root).evaluate_all("boxes => boxes.map(b => b.checked)")
    assert not all(states), "every criterion is already ticked"
    return states.index(False) + 1


def choose_vignette(root, name: str) -> str:
    """Choose the vignette called ``name`` from the keyboard; return the settled text alternative."""
    select = labelled(root, "dropdown", "Vignette:").locator("select")
    options = [" ".join(t.split()) for t in select.locator("option").all_inner_texts()]
    target = next(i for i, option in enumerate(options) if option.startswith(f"{name},"))
    current = select.evaluate("s => s.selectedIndex")
    if target == current:
        return settled_words(root)
    before = settled_words(root)
    lab.choose_by_keyboard(select, target - current)
    return wait_for_words(root, before, lambda text: vignette_name(text) == name)


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 02 run without tracebacks or stderr, showing the criteria checker?"""
    lesson.locator(".oud-criteria-checker").first.wait_for(state="visible")  # widgets render after their cell ran
    assert lab.error_outputs(lesson) == []


def test_checker_has_its_controls(checker):
    """Does the checker show the Vignette dropdown, 11 criterion checkboxes, the reveal button and its words?"""
    assert labelled(checker, "dropdown", "Vignette:").locator("select").is_visible()
    assert checkboxes(checker).count() == 11
    assert checker.get_by_role("checkbox", name=re.compile(r"^4\. Craving$")).is_visible()
    assert reveal_button(checker).is_visible()
    assert "not a diagnostic tool" in checker.inner_text()
    assert words(checker).startswith("Result, in words:")
    assert "Criteria that count" in result(checker)


def test_clicking_a_checkbox_counts_the_criterion(checker):
    """Does clicking an unticked criterion tick it and raise the count in the words and the table?"""
    before = settled_words(checker)
    table = result(checker)
    number = first_unticked(checker)
    checkbox(checker, number).click()
    after = wait_for_words(checker, before, lambda text: counted(text) == counted(before) + 1)
    assert checkbox(checker, number).is_checked()
    assert result(checker) != table
    assert f"Criteria that count: {counted(after)} of 11" in result(checker)


def test_space_ticks_a_checkbox_from_the_keyboard(checker):
    """Does pressing Space on a focused criterion checkbox tick it and change the words?"""
    before = settled_words(checker)
    number = first_unticked(checker)
    box = checkbox(checker, number)
    box.focus()
    checker.page.keyboard.press("Space")
    wait_for_words(checker, before, lambda text: counted(text) == counted(before) + 1)
    assert box.is_checked()


def test_clicking_show_the_assessment_compares_with_the_author(checker):
    """Does clicking Show the assessment add the author's judgement, and clicking again hide it?"""
    before = settled_words(checker)
    assert "assessment is hidden" in before, "the assessment is already showing"
    table = result(checker)
    reveal_button(checker).click()
    shown = wait_for_words(checker, before, lambda text: "The author's assessment:" in text)
    assert re.search(r"You agree on \d+ of 11 criteria", shown)
    assert "Author's judgement" in result(checker) and result(checker) != table
    reveal_button(checker).click()
    wait_for_words(checker, shown, lambda text: "assessment is hidden" in text)


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_show_the_assessment_works_from_the_keyboard(checker, key):
    """Does pressing Enter or Space on the focused reveal button show the assessment, and again hide it?"""
    before = settled_words(checker)
    button = reveal_button(checker)
    button.focus()
    checker.page.keyboard.press(key)
    shown = wait_for_words(checker, before, lambda text: "The author's assessment:" in text)
    button.focus()
    checker.page.keyboard.press(key)
    wait_for_words(checker, shown, lambda text: "assessment is hidden" in text)


def test_vignette_dropdown_changes_case_by_keyboard(checker):
    """Does choosing another vignette with the keyboard show its case afresh, with no ticks?"""
    before = settled_words(checker)
    current = vignette_name(before)
    select = labelled(checker, "dropdown", "Vignette:").locator("select")
    last = select.evaluate("s => s.selectedIndex === s.options.length - 1")
    lab.choose_by_keyboard(select, -1 if last else 1)
    after = wait_for_words(checker, before, lambda text: vignette_name(text) != current)
    assert "You ticked no criteria" in after
    assert not any(checkboxes(checker).evaluate_all("boxes => boxes.map(b => b.checked)"))
    assert vignette_name(after) in checker.inner_text()


def test_supervised_case_sets_tolerance_and_withdrawal_aside(checker):
    """On Ruth's supervised case, do ticked tolerance and withdrawal count for nothing, with the reason shown?"""
    before = choose_vignette(checker, "Ruth")
    for number in (10, 11):
        checkbox(checker, number).click()
    after = wait_for_words(checker, before, lambda text: "10 and 11 set aside" in text)
    assert counted(after) == 0 and "threshold is not met" in after
    assert "solely under appropriate medical supervision" in result(checker)


def test_same_ticks_count_on_an_unsupervised_case(checker):
    """On Ken's case, not solely supervised, do ticked tolerance and withdrawal count, giving mild?"""
    before = choose_vignette(checker, "Ken")
    for number in (10, 11):
        checkbox(checker, number).click()
    after = wait_for_words(checker, before, lambda text: counted(text) == 2)
    assert "Severity: mild" in after
