"""Lesson 09 in a real browser: the notebook runs cleanly, and the myth-or-fact sorter answers the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; each test then starts the sorter again
and answers statements, asserting that the feedback text and the score change as they should.
"""

from __future__ import annotations

import re

import lab
import pytest

from oud_course.data import load

pytestmark = pytest.mark.browser

LESSON = "notebooks/09-prevention-recovery-stigma.ipynb"
STATEMENTS = load("myths.json")["statements"]
LABELS = load("myths.json")["verdicts"]  # verdict -> button label


def part(root, name: str):
    """One part of the sorter: "statement", "feedback" or "score"."""
    return root.locator(f".oud-myth-{name}").first


def text_of(root, name: str) -> str:
    """The text of one part of the sorter: "statement", "feedback" or "score"."""
    return lab.text(part(root, name))


def wait_for_text(root, name: str, matches) -> str:
    """Wait until the text of part ``name`` passes ``matches``; return it once settled and the kernel is idle."""
    return lab.wait_for_change(part(root, name), None, matches)


def shown_statement(root) -> dict:
    """The data entry of the statement on show, found from its "Statement N of M" heading."""
    found = re.search(r"Statement (\d+) of (\d+)", text_of(root, "statement"))
    assert found, f"no statement number in {text_of(root, 'statement')!r}"
    assert int(found.group(2)) == len(STATEMENTS)
    return STATEMENTS[int(found.group(1)) - 1]


def wrong_label(entry: dict) -> str:
    """The label of an answer button that is not the entry's verdict."""
    return next(label for verdict, label in LABELS.items() if verdict != entry["verdict"])


@pytest.fixture
def sorter(lesson):
    """The MythOrFact sorter, scrolled into view and started again from the first statement (by mouse)."""
    root = lab.widget(lesson, ".oud-myth-or-fact")
    lab.button(root, "Start again").click()
    wait_for_text(root, "score", lambda t: "Score: 0 right out of 0 answered" in t)
    wait_for_text(root, "statement", lambda t: t.startswith("Statement 1 of"))
    return root


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 09 run without tracebacks or stderr, showing the sorter?"""
    assert lab.error_outputs(lesson) == []
    assert lesson.locator(".oud-myth-or-fact").count() == 1


def test_sorter_has_its_controls(sorter):
    """Does the sorter show a statement, the three answer buttons, Next statement, Start again and a score?"""
    for name in (*LABELS.values(), "Next statement", "Start again"):
        assert lab.button(sorter, name).is_visible(), f"no {name} button"
    assert lab.button(sorter, "Next statement").is_disabled(), "Next statement is enabled before an answer"
    assert STATEMENTS[0]["statement"] in text_of(sorter, "statement")
    assert "Press Myth, Fact or Partly true" in text_of(sorter, "feedback")


def test_answering_by_mouse_shows_feedback_and_scores(sorter):
    """Does clicking the right answer show "Right", the evidence and source, and raise the score to 1 of 1?"""
    entry = shown_statement(sorter)
    lab.button(sorter, LABELS[entry["verdict"]]).click()
    feedback = wait_for_text(sorter, "feedback", lambda t: "Right:" in t)
    assert "The evidence:" in feedback and "Source:" in feedback
    assert entry["evidence"][:40] in feedback
    assert "Score: 1 right out of 1 answered" in text_of(sorter, "score")
    for label in LABELS.values():
        assert lab.button(sorter, label).is_disabled(), f"{label} still enabled after answering"


def test_a_wrong_answer_by_mouse_counts_without_scoring(sorter):
    """Does clicking a wrong answer say "Not quite", name the real verdict, and leave the score at 0 of 1?"""
    entry = shown_statement(sorter)
    lab.button(sorter, wrong_label(entry)).click()
    feedback = wait_for_text(sorter, "feedback", lambda t: "Not quite:" in t)
    assert LABELS[entry["verdict"]].lower() in feedback.lower()
    assert "Score: 0 right out of 1 answered" in text_of(sorter, "score")


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_answering_and_moving_on_by_keyboard(sorter, key):
    """With Enter or Space on focused buttons: answer rightly, go to the next statement, answer wrongly; do feedback and score follow?"""
    page = sorter.page
    entry = shown_statement(sorter)
    lab.button(sorter, LABELS[entry["verdict"]]).focus()
    page.keyboard.press(key)
    wait_for_text(sorter, "feedback", lambda t: "Right:" in t)
    assert "Score: 1 right out of 1 answered" in wait_for_text(sorter, "score", lambda t: "out of 1 answered" in t)

    lab.button(sorter, "Next statement").focus()
    page.keyboard.press(key)
    wait_for_text(sorter, "statement", lambda t: t.startswith("Statement 2 of"))
    assert "Press Myth, Fact or Partly true" in wait_for_text(sorter, "feedback", lambda t: "Press Myth" in t)

    entry = shown_statement(sorter)
    assert entry is STATEMENTS[1]
    lab.button(sorter, wrong_label(entry)).focus()
    page.keyboard.press(key)
    wait_for_text(sorter, "feedback", lambda t: "Not quite:" in t)
    assert "Score: 1 right out of 2 answered" in wait_for_text(sorter, "score", lambda t: "out of 2 answered" in t)


def test_start_again_by_keyboard_clears_the_score(sorter):
    """After an answer, does Enter on Start again go back to statement 1 with a score of 0 of 0?"""
    entry = shown_statement(sorter)
    lab.button(sorter, LABELS[entry["verdict"]]).click()
    wait_for_text(sorter, "score", lambda t: "out of 1 answered" in t)
    lab.button(sorter, "Next statement").click()
    wait_for_text(sorter, "statement", lambda t: t.startswith("Statement 2 of"))
    lab.button(sorter, "Start again").focus()
    sorter.page.keyboard.press("Enter")
    wait_for_text(sorter, "score", lambda t: "Score: 0 right out of 0 answered" in t)
    assert text_of(sorter, "statement").startswith("Statement 1 of")
    assert "Press Myth, Fact or Partly true" in text_of(sorter, "feedback")
