"""DependenceCycle through its traits and state, without a browser."""

import pytest

from oud_course.data import load
from oud_course.widgets import DependenceCycle


@pytest.fixture
def cycle():
    return DependenceCycle()


def test_starts_on_first_stage_of_dependence_loop(cycle):
    """Does the widget open on stage 1 of the dependence loop, with the picker in step?"""
    assert (cycle.loop, cycle.stage) == ("dependence", 0)
    assert cycle.stage_picker.index == 0
    assert "Highlighted: stage 1, Use." in cycle.describe()


def test_next_redraws_and_explains(cycle):
    """Does pressing Next move the highlight, redraw the figure and change both texts?"""
    before = (cycle.view.image.value, cycle.view.text_alternative.value, cycle.explanation.value)
    cycle.next_button.click()
    assert cycle.stage == 1 and cycle.stage_picker.index == 1
    after = (cycle.view.image.value, cycle.view.text_alternative.value, cycle.explanation.value)
    assert all(b != a for b, a in zip(before, after))
    assert "Adaptation (tolerance)" in cycle.explanation.value


def test_loop_wraps_round(cycle):
    """Does Previous from the first stage go to the last, and Next from the last back to the first?"""
    cycle.previous_button.click()
    assert cycle.stage == len(cycle.stages) - 1
    cycle.next_button.click()
    assert cycle.stage == 0


def test_picking_a_stage(cycle):
    """Does choosing a stage in the dropdown highlight it?"""
    cycle.stage_picker.index = 4
    assert cycle.stage == 4
    assert "Highlighted: stage 5, Withdrawal." in cycle.view.text_alternative.value


def test_switching_loop_resets_and_redraws(cycle):
    """Does switching to the addiction cycle show its three stages from the first?"""
    cycle.stage = 2
    cycle.loop_picker.value = "addiction"
    assert cycle.stage == 0 and len(cycle.stage_picker.options) == 3
    assert "addiction cycle" in cycle.describe()
    assert "Binge and intoxication" in cycle.explanation.value


def test_rejects_unknown_loop_and_stage(cycle):
    """Are impossible states refused rather than drawn?"""
    with pytest.raises(Exception, match="loop must be one of"):
        cycle.loop = "nonsense"
    with pytest.raises(Exception, match="stage must be between"):
        cycle.stage = 9


def test_every_stage_has_an_explanation_and_a_source():
    """Does every stage of both loops name its source and avoid framing tolerance as 'damage'?"""
    for loop in load("cycle_stages.json")["loops"].values():
        for stage in loop["stages"]:
            assert stage["explanation"] and stage["source"]
            assert "damage" not in stage["explanation"].replace("not structural damage", "")


def test_built_with_one_full_draw_and_stages_redraw_only_the_highlight():
    """Does building draw the diagram once (on any loop and stage), and do Next, Previous and the Stage menu reuse it?"""
    assert DependenceCycle(loop="addiction", stage=2).view.full_draws == 1
    cycle = DependenceCycle()
    pictures = {cycle.view.image.value}
    cycle.next_button.click()
    pictures.add(cycle.view.image.value)
    cycle.stage_picker.index = 4
    pictures.add(cycle.view.image.value)
    cycle.previous_button.click()
    pictures.add(cycle.view.image.value)
    assert cycle.view.full_draws == 1 and len(pictures) == 4


def test_each_loop_is_drawn_once_and_kept(cycle):
    """Is switching loop a full drawing only the first time each loop is shown, and a single one?"""
    cycle.loop_picker.value = "addiction"
    assert cycle.view.full_draws == 2
    cycle.loop_picker.value = "dependence"
    cycle.loop_picker.value = "addiction"
    assert cycle.view.full_draws == 2


def test_blitted_picture_equals_a_full_drawing_of_the_same_state(cycle):
    """Is a highlight drawn over a kept diagram pixel-for-pixel the one a fresh widget draws in full?"""
    cycle.loop_picker.value = "addiction"
    cycle.loop_picker.value = "dependence"
    cycle.stage_picker.index = 3
    assert cycle.view.image.value == DependenceCycle(stage=3).view.image.value
    cycle.loop_picker.value = "addiction"
    cycle.next_button.click()
    assert cycle.view.image.value == DependenceCycle(loop="addiction", stage=1).view.image.value


def test_only_the_chosen_loops_diagram_is_drawn(cycle):
    """Does the diagram show the boxes of the loop on show and none of the other loop's?"""
    def boxes_shown():
        return {t.get_text() for t in cycle.view.figure.axes[0].texts if t.get_visible() and t.get_bbox_patch()}
    assert "1. Use" in boxes_shown() and "1. Reward" not in boxes_shown()
    cycle.loop_picker.value = "addiction"
    assert "1. Reward" in boxes_shown() and "1. Use" not in boxes_shown()
