"""ToleranceSimulator and its model, through traits and state."""

import pytest

from oud_course.widgets import ToleranceSimulator
from oud_course.widgets.simulator import DAYS_AFTER_STOPPING, PATTERNS, simulate


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_model_shapes(pattern):
    """Does tolerance build during use and blunt each use's effect, and withdrawal appear after stopping, then ease?"""
    course = simulate(pattern, 4)
    assert len(course.days) == 28 + DAYS_AFTER_STOPPING
    uses = [d for d in range(course.stop_day) if course.amount[d]]
    assert course.tolerance[uses[-1]] > course.tolerance[uses[0]]
    assert course.effect[uses[-1]] / course.amount[uses[-1]] < course.effect[uses[0]] / course.amount[uses[0]]
    after = course.withdrawal[course.stop_day:]
    assert max(after) > 0 and after[-1] < 0.2 * max(after)


def test_use_every_third_day_brings_withdrawal_between_uses():
    """Does the on-and-off pattern show withdrawal in the gaps, the withdrawal-relief loop?"""
    course = simulate("intermittent", 4)
    assert max(course.withdrawal[: course.stop_day]) > 0


def test_steady_use_gives_no_withdrawal_while_using():
    """With the same amount every day, is withdrawal zero until use stops?"""
    course = simulate("steady", 6)
    assert max(course.withdrawal[: course.stop_day]) == 0


def test_longer_use_means_more_tolerance():
    """Does twelve weeks of use build more tolerance than one week?"""
    assert max(simulate("steady", 12).tolerance) > max(simulate("steady", 1).tolerance)


def test_controls_redraw_the_figure_and_words():
    """Do the pattern and weeks controls change the image bytes and the text alternative?"""
    widget = ToleranceSimulator()
    image, words = widget.view.image.value, widget.view.text_alternative.value
    widget.weeks_slider.value = 8
    assert widget.weeks == 8 and widget.view.image.value != image and widget.view.text_alternative.value != words
    image = widget.view.image.value
    widget.pattern_picker.value = "intermittent"
    assert widget.pattern == "intermittent" and widget.view.image.value != image
    assert "Every third day for 8 weeks" in widget.describe()


def test_says_it_is_a_teaching_model_and_gives_no_doses():
    """Does the widget say it is a simplified teaching model, and never mention a dose unit?"""
    widget = ToleranceSimulator()
    text = widget.describe() + widget.children[0].value
    assert "Simplified teaching model" in text
    for unit in ("mg", "milligram", "mcg", "microgram", "ml "):
        assert unit not in text.lower()


def test_rejects_out_of_range_weeks():
    """Is a duration outside the slider's range refused?"""
    with pytest.raises(Exception, match="weeks must be between"):
        ToleranceSimulator(weeks=40)


def test_built_with_one_full_draw_and_weeks_redraw_only_the_curves():
    """Does building draw the figure once, and moving the weeks slider reuse the saved axes instead of redrawing them?"""
    widget = ToleranceSimulator()
    assert widget.view.full_draws == 1
    first = widget.view.image.value
    for weeks in (2, 4, 9):
        widget.weeks_slider.value = weeks
    assert widget.view.full_draws == 1 and widget.view.image.value != first
    widget.pattern_picker.value = "escalating"  # a new scale: the axes are drawn again
    assert widget.view.full_draws == 2


def test_blitted_picture_equals_a_full_drawing_of_the_same_state():
    """Is a picture drawn over the saved background pixel-for-pixel the one a fresh widget draws in full?"""
    moved = ToleranceSimulator()
    moved.weeks_slider.value = 9
    assert moved.view.full_draws == 1
    assert moved.view.image.value == ToleranceSimulator(weeks=9).view.image.value
