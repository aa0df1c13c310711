"""OverdoseWalkthrough through its traits and state, without a browser."""

import html
import re

import pytest

from oud_course.data import load
from oud_course.widgets import OverdoseWalkthrough

DATA = load("overdose_response.json")


@pytest.fixture
def walk():
    return OverdoseWalkthrough()


def right_keys(step: dict) -> list[str]:
    return [c["key"] for c in step["choices"] if c["verdict"] == "right"]


def reachable_steps() -> set[str]:
    """Every step reached from the start by following actions that work."""
    seen, todo = set(), [DATA["start"]]
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo += [c["next"] for c in DATA["steps"][key]["choices"] if c["verdict"] == "right"]
    return seen


def test_starts_at_the_first_step_with_nothing_picked(walk):
    """Does the walk-through open at step 1, nothing picked or chosen, the menu on its blank entry?"""
    assert (walk.step, walk.choice, walk.chosen, walk.path, walk.notice) == (DATA["start"], "", "", [], "")
    assert walk.picker.value == "" and len(walk.picker.options) == len(walk.current["choices"]) + 1
    assert "Step 1: Finding Yusuf" in walk.story.value and "Pick an action" in walk.feedback.value


def test_every_step_is_reachable_and_every_branch_ends_at_the_last_step():
    """Can every step be reached by actions that work, and does every path of them end at a step with no choices?"""
    assert reachable_steps() == set(DATA["steps"])
    for key, step in DATA["steps"].items():
        if step["choices"]:
            assert right_keys(step), f"step {key} has no action that works"
            assert all(c["next"] in DATA["steps"] for c in step["choices"] if c["verdict"] == "right")
    assert [k for k, s in DATA["steps"].items() if not s["choices"]] == ["handover"]


def test_each_step_cites_a_source_with_organisation_title_year_and_url():
    """Does every step name its source: an organisation, a title, a four-digit year and an https URL?"""
    for key, step in DATA["steps"].items():
        source = step["source"]
        assert source["organisation"] and source["title"], key
        assert re.fullmatch(r"\d{4}", str(source["year"])), key
        assert source["url"].startswith("https://"), key


def test_every_wrong_choice_explains_why(walk):
    """Does each wrong action keep the step, show a consequence saying why, and offer Go back?"""
    for key, step in DATA["steps"].items():
        for choice in (c for c in step["choices"] if c["verdict"] == "wrong"):
            assert len(choice["consequence"]) > 40, (key, choice["key"])
    walk.choose("sleep")
    assert walk.step == "find" and walk.chosen == "sleep"
    assert "✗" in walk.feedback.value and "Go back" in walk.feedback.value
    assert "This is not safe" in walk.describe()


def test_a_wrong_choice_does_not_lead_on(walk):
    """After a wrong action, does Next step stay put and say why?"""
    walk.choose("wait")
    walk.next_step()
    assert walk.step == "find" and "not safe" in walk.notice


def test_go_back_undoes_a_wrong_choice_then_another_can_be_chosen(walk):
    """Does Go back clear the wrong action's consequence, so the learner can choose again and go on?"""
    walk.choose("sleep")
    walk.back_button.click()
    assert walk.chosen == "" and walk.choice == "" and walk.step == "find"
    walk.choose("wake")
    walk.next_button.click()
    assert walk.step == "no-response" and walk.path == ["find"]


@pytest.mark.parametrize(("branch", "middle"), [("call-first", "called"), ("naloxone-first", "gave-first")])
def test_both_orders_of_call_and_naloxone_reach_the_end(walk, branch, middle):
    """Do both right answers at step 2 (call first, naloxone first) lead through their own step to the end?"""
    walk.choose("wake")
    walk.next_step()
    walk.choose(branch)
    walk.next_step()
    assert walk.step == middle
    walk.choose(right_keys(walk.current)[0])
    walk.next_step()
    assert walk.step == "first-dose"
    for key in ("second-dose", "recovery"):
        walk.choose(key)
        walk.next_step()
    assert walk.step == "handover" and walk.finished and len(walk.path) == 5
    assert "Step 6: Help arrives" in walk.story.value


def test_go_back_returns_to_the_step_before(walk):
    """With nothing chosen, does Go back return to the previous step of the path taken?"""
    walk.choose("wake")
    walk.next_step()
    walk.choose("naloxone-first")
    walk.next_step()
    walk.go_back()
    assert walk.step == "no-response" and walk.path == ["find"] and walk.choice == ""


def test_buttons_that_do_not_apply_say_so(walk):
    """Do Choose this with nothing picked, Next step with nothing chosen and Go back at the start each explain?"""
    walk.choose_button.click()
    assert "First pick" in walk.notice
    walk.next_button.click()
    assert "Choose an action that works first" in walk.notice
    walk.back_button.click()
    assert "nothing to go back to" in walk.notice and walk.notice in walk.feedback.value


def test_no_button_is_ever_disabled(walk):
    """Are the buttons enabled in every state (a disabled button would drop a keyboard user's focus)?"""
    buttons = (walk.choose_button, walk.next_button, walk.back_button, walk.restart_button, walk.text_toggle)
    for key in ("sleep", "wake"):
        walk.choose(key)
        assert not any(b.disabled for b in buttons)
    walk.next_step()
    assert not any(b.disabled for b in buttons)


def test_the_menu_shows_the_current_steps_actions(walk):
    """Does the menu list the actions of the step on show, and does picking in it set ``choice``?"""
    walk.choose("wake")
    walk.next_step()
    labels = [label for label, _ in walk.picker.options[1:]]
    assert labels == [c["label"] for c in DATA["steps"]["no-response"]["choices"]]
    walk.picker.value = "call-first"
    assert walk.choice == "call-first" and "Picked:" in walk.feedback.value


def test_start_again_goes_back_to_the_beginning(walk):
    """Does Start again clear the path, the choice and any notice?"""
    walk.choose("wake")
    walk.next_step()
    walk.choose("no-call")
    walk.restart_button.click()
    assert (walk.step, walk.path, walk.choice, walk.chosen, walk.notice) == ("find", [], "", "", "")


def test_show_as_text_gives_every_step_and_choice(walk):
    """Does Show as text show every step, every action with its verdict and consequence, and every source?"""
    assert walk.text_view.value == ""
    walk.text_toggle.value = True
    text = walk.text_view.value
    for step in DATA["steps"].values():
        assert html.escape(step["title"]) in text and html.escape(step["source"]["url"]) in text
        for choice in step["choices"]:
            assert html.escape(choice["label"]) in text
    assert text.count("(not safe)") == sum(c["verdict"] == "wrong" for s in DATA["steps"].values() for c in s["choices"])
    walk.text_toggle.value = False
    assert walk.text_view.value == ""


def test_as_text_reads_the_walk_through_in_order(walk):
    """Does as_text() list the steps in order, each with its source?"""
    text = walk.as_text()
    positions = [text.index(step["title"]) for step in DATA["steps"].values()]
    assert positions == sorted(positions) and text.count("Source:") == len(DATA["steps"])


def test_unknown_steps_and_choices_are_refused(walk):
    """Are a step or an action that the data does not have refused?"""
    with pytest.raises(Exception):
        walk.step = "nowhere"
    with pytest.raises(ValueError):
        walk.pick("second-dose")  # an action of a later step


def test_describe_names_the_step_the_choice_and_the_source(walk):
    """Does describe() say where the learner is, what was chosen with its consequence, and the source?"""
    walk.choose("wake")
    words = walk.describe()
    assert words.startswith("Step 1, Finding Yusuf") and "This works" in words and "Source:" in words


def test_no_doses_are_given():
    """Does the walk-through name no amounts (milligrams, millilitres), only the product's steps?"""
    text = OverdoseWalkthrough().as_text()
    assert not re.search(r"\d\s*(mg|ml|mcg|milligram)", text, re.I)


def test_root_is_a_course_widget_with_labelled_controls(walk):
    """Does the root carry its CSS classes, and does every control have a description?"""
    assert "oud-overdose-walkthrough" in walk._dom_classes and "oud-widget" in walk._dom_classes
    controls = (walk.picker, walk.choose_button, walk.next_button, walk.back_button, walk.restart_button,
                walk.text_toggle)
    assert all(c.description for c in controls)
