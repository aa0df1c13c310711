"""Lesson 02 in a real browser: the notebook runs cleanly, and the criteria checker answers the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; the tests then use every control of the
CriteriaChecker in turn, each asserting that its output (the text alternative and the result table) changed.
The checker draws no figure: its output is HTML, and its text alternative says the result in words.
"""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

LESSON = "notebooks/02-dependence-addiction-oud.ipynb"
COUNT = re.compile(r"(\d+) of them counts?\b|\b(none) count\b")


@pytest.fixture
def checker(lesson):
    """The CriteriaChecker widget, scrolled into view."""
    return lab.widget(lesson, ".oud-criteria-checker")


def reveal_button(root):
    """The 'Show the assessment' toggle button."""
    return lab.button(root, "Show the assessment")


def checkboxes(root):
    """The eleven criterion checkboxes, in order."""
    return root.locator(".widget-checkbox input[type=checkbox]")


def criterion(root, number: int):
    """The checkbox of criterion ``number`` (1 to 11)."""
    return checkboxes(root).nth(number - 1)


def words(root) -> str:
    """The checker's text alternative, as shown."""
    return lab.text(lab.text_alternative(root))


def result(root) -> str:
    """The checker's result panel (count, severity and table), as shown."""
    return lab.text(root.locator(".oud-criteria-result").first)


def settled_words(root) -> str:
    """The text alternative once it has stopped changing and the kernel is idle."""
    return lab.settled_text(lab.text_alternative(root))


def wait_for_words(root, before: str, matches=lambda text: True) -> str:
    """Wait until the text alternative differs from ``before`` and passes ``matches``; return it settled."""
    return lab.wait_for_change(lab.text_alternative(root), before, matches)


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
    select = lab.dropdown(root, "Vignette:")
    label = next(option for option in lab.options(select) if option.startswith(f"{name},"))
    before = settled_words(root)
    if vignette_name(before) == name:
        return before
    lab.choose_option(select, label)
    return wait_for_words(root, before, lambda text: vignette_name(text) == name)


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 02 run without tracebacks or stderr, showing the criteria checker?"""
    lesson.locator(".oud-criteria-checker").first.wait_for(state="visible")  # widgets render after their cell ran
    assert lab.error_outputs(lesson) == []


def test_checker_has_its_controls(checker):
    """Does the checker show the Vignette dropdown, 11 criterion checkboxes, the reveal button and its words?"""
    assert lab.dropdown(checker, "Vignette:").is_visible()
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
    criterion(checker, number).click()
    after = wait_for_words(checker, before, lambda text: counted(text) == counted(before) + 1)
    assert criterion(checker, number).is_checked()
    assert result(checker) != table
    assert f"Criteria that count: {counted(after)} of 11" in result(checker)


def test_space_ticks_a_checkbox_from_the_keyboard(checker):
    """Does pressing Space on a focused criterion checkbox tick it and change the words?"""
    before = settled_words(checker)
    number = first_unticked(checker)
    box = criterion(checker, number)
    assert lab.toggle_by_keyboard(box)
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
    lab.choose_neighbour(lab.dropdown(checker, "Vignette:"))
    after = wait_for_words(checker, before, lambda text: vignette_name(text) != current)
    assert "You ticked no criteria" in after
    assert not any(checkboxes(checker).evaluate_all("boxes => boxes.map(b => b.checked)"))
    assert vignette_name(after) in checker.inner_text()


def test_supervised_case_sets_tolerance_and_withdrawal_aside(checker):
    """On Ruth's supervised case, do ticked tolerance and withdrawal count for nothing, with the reason shown?"""
    before = choose_vignette(checker, "Ruth")
    for number in (10, 11):
        criterion(checker, number).click()
    after = wait_for_words(checker, before, lambda text: "10 and 11 set aside" in text)
    assert counted(after) == 0 and "threshold is not met" in after
    assert "solely under appropriate medical supervision" in result(checker)


def test_same_ticks_count_on_an_unsupervised_case(checker):
    """On Ken's case, not solely supervised, do ticked tolerance and withdrawal count, giving mild?"""
    before = choose_vignette(checker, "Ken")
    for number in (10, 11):
        criterion(checker, number).click()
    after = wait_for_words(checker, before, lambda text: counted(text) == 2)
    assert "Severity: mild" in after
