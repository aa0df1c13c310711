"""Lesson 10 in a real browser: the notebook runs cleanly, and the overdose walk-through answers the mouse and the keyboard.

JupyterLab is opened and the notebook run once per module; each test starts the walk-through again and
follows it, asserting that the story, the feedback and the text version change as they should.
"""

from __future__ import annotations

import lab
import pytest

from oud_course.data import load

pytestmark = pytest.mark.browser

LESSON = "notebooks/10-harm-reduction-special-situations.ipynb"
STEPS = load("overdose_response.json")["steps"]
MENU = "Marisol's action:"


def label(step: str, key: str) -> str:
    """The menu label of action ``key`` at ``step``."""
    return next(c["label"] for c in STEPS[step]["choices"] if c["key"] == key)


def part(root, name: str):
    """One part of the walk-through: "story", "feedback" or "text"."""
    return root.locator(f".oud-walkthrough-{name}").first


def wait_for_text(root, name: str, matches) -> str:
    """Wait until the text of part ``name`` passes ``matches``; return it once settled."""
    return lab.wait_for_change(part(root, name), None, matches)


@pytest.fixture
def walk(lesson):
    """The OverdoseWalkthrough, scrolled into view and started again (by mouse)."""
    root = lab.widget(lesson, ".oud-overdose-walkthrough")
    lab.button(root, "Start again").click()
    wait_for_text(root, "story", lambda t: t.startswith("Step 1: Finding Yusuf"))
    wait_for_text(root, "feedback", lambda t: "Pick an action" in t)
    return root


def choose_with_mouse(root, step: str, key: str) -> None:
    """Pick action ``key`` in the menu with the mouse and press Choose this."""
    lab.dropdown(root, MENU).select_option(label=label(step, key))
    wait_for_text(root, "feedback", lambda t: "Picked:" in t)
    lab.button(root, "Choose this").click()


def test_lesson_runs_without_errors(lesson):
    """Does every cell of lesson 10 run without tracebacks or stderr, showing the walk-through?"""
    lesson.locator(".oud-overdose-walkthrough").first.wait_for(state="visible")
    assert lab.error_outputs(lesson) == []


def test_walkthrough_has_its_controls(walk):
    """Does the walk-through show its menu, its four buttons and the Show as text toggle?"""
    assert lab.dropdown(walk, MENU).is_visible()
    for name in ("Choose this", "Next step", "Go back", "Start again", "Show as text"):
        assert lab.button(walk, name).is_visible()
    assert lab.options(lab.dropdown(walk, MENU))[1:] == [c["label"] for c in STEPS["find"]["choices"]]


def test_a_wrong_choice_explains_and_go_back_clears_it_by_mouse(walk):
    """Does a wrong action, clicked, show why it is not safe and keep the step, and Go back clear it?"""
    choose_with_mouse(walk, "find", "sleep")
    feedback = wait_for_text(walk, "feedback", lambda t: "✗" in t)
    assert "Snoring" in feedback and lab.text(part(walk, "story")).startswith("Step 1:")
    lab.button(walk, "Next step").click()
    wait_for_text(walk, "feedback", lambda t: "cannot go on" in t)
    lab.button(walk, "Go back").click()
    wait_for_text(walk, "feedback", lambda t: "✗" not in t and "Pick an action" in t)


def test_the_whole_path_by_mouse_reaches_the_end(walk):
    """Clicking actions that work (naloxone first at step 2), does the story reach Help arrives at step 6?"""
    path = [("find", "wake"), ("no-response", "naloxone-first"), ("gave-first", "call-now"),
            ("first-dose", "second-dose"), ("breathing", "recovery")]
    for number, (step, key) in enumerate(path, start=1):
        wait_for_text(walk, "story", lambda t, n=number, s=step: t.startswith(f"Step {n}: {STEPS[s]['title']}"))
        choose_with_mouse(walk, step, key)
        wait_for_text(walk, "feedback", lambda t: "✓" in t)
        lab.button(walk, "Next step").click()
    wait_for_text(walk, "story", lambda t: t.startswith("Step 6: Help arrives"))
    lab.button(walk, "Go back").click()
    wait_for_text(walk, "story", lambda t: t.startswith("Step 5:"))


def test_the_walkthrough_works_from_the_keyboard(walk):
    """With the keyboard alone (menu list opened with Alt+Down, Enter and Space on buttons), does a learner
    choose calling 911 first and reach its own next step, 911 is on the way?"""
    page = walk.page
    menu = lab.dropdown(walk, MENU)
    lab.choose_option(menu, label("find", "wake"))
    wait_for_text(walk, "feedback", lambda t: "Picked:" in t)
    lab.button(walk, "Choose this").focus()
    page.keyboard.press("Enter")
    wait_for_text(walk, "feedback", lambda t: "✓" in t)
    page.keyboard.press("Tab")  # Next step follows Choose this in Tab order
    page.keyboard.press("Space")
    wait_for_text(walk, "story", lambda t: t.startswith("Step 2: He does not wake up"))
    lab.choose_option(menu, label("no-response", "call-first"))
    wait_for_text(walk, "feedback", lambda t: "Picked:" in t)
    lab.button(walk, "Choose this").focus()
    page.keyboard.press("Space")
    wait_for_text(walk, "feedback", lambda t: "✓" in t)
    lab.button(walk, "Next step").focus()
    page.keyboard.press("Enter")
    wait_for_text(walk, "story", lambda t: t.startswith("Step 3: 911 is on the way"))


def test_show_as_text_by_keyboard_shows_every_step(walk):
    """Does Space on Show as text reveal the whole walk-through as text, every step title in it, and hide it again?"""
    toggle = lab.button(walk, "Show as text")
    toggle.focus()
    walk.page.keyboard.press("Space")
    text = wait_for_text(walk, "text", lambda t: "The whole walk-through as text" in t)
    assert all(step["title"] in text for step in STEPS.values())
    walk.page.keyboard.press("Space")
    walk.page.wait_for_function("(e) => e.innerText.trim() === ''", arg=part(walk, "text").element_handle())
