"""WithdrawalTimeline and its data, through traits and state, without a browser."""

import pytest

from oud_course.data import load
from oud_course.widgets import WithdrawalTimeline


@pytest.fixture
def timeline():
    return WithdrawalTimeline()


def test_every_range_names_its_source_and_is_ordered():
    """Does every range in the data name its source, with low <= high, and does each lane give an end?"""
    data = load("withdrawal_timing.json")
    assert set(data["sources"]) == {"review", "other"}
    for profile in data["profiles"].values():
        assert set(profile["ranges"]) == {"review", "other"}
        for ranges in profile["ranges"].values():
            assert ranges["source"] and ranges["end_text"]
            for key in ("onset_hours", "peak_hours", "end_days"):
                if ranges.get(key) is not None:
                    low, high = ranges[key]
                    assert 0 <= low <= high, key


def test_data_matches_the_fact_sheet():
    """Are the ranges exactly the sources': 6-12 h, 24-48 h, 3-5 d; 8-24 h, 4-10 d; 30-72 h, ~10 d; 10-20 d, and no methadone peak (none has a primary source)?"""
    profiles = load("withdrawal_timing.json")["profiles"]
    short, long_ = profiles["short"]["ranges"], profiles["long"]["ranges"]
    assert (short["review"]["onset_hours"], short["review"]["peak_hours"], short["review"]["end_days"]) == ([6, 12], [24, 48], [3, 5])
    assert (short["other"]["onset_hours"], short["other"]["end_days"]) == ([8, 24], [4, 10])
    assert (long_["review"]["onset_hours"], long_["review"]["end_days"]) == ([30, 72], [10, 10])
    assert (long_["other"]["peak_hours"], long_["other"]["end_days"]) == (None, [10, 20])


def test_opens_on_both_kinds_from_both_sources(timeline):
    """Does the widget open with four lanes (both kinds of opioid, both sources) and name both sources in words?"""
    assert (timeline.show, timeline.source, timeline.span) == ("both", "both", "weeks")
    assert len(timeline.lanes) == 4
    words = timeline.describe()
    for phrase in ("Clinical overview: onset 6–12 hours", "Secondary summaries: onset 8–24 hours", "onset 30–72 hours",
                   "lasting 10–20 days", "persist for weeks"):
        assert phrase in words


def test_show_toggle_redraws_one_kind(timeline):
    """Does choosing Long-acting redraw the figure and drop the short-acting ranges from the words?"""
    before = (timeline.view.image.value, timeline.view.text_alternative.value)
    timeline.show_picker.value = "long"
    assert timeline.show == "long" and len(timeline.lanes) == 2
    assert timeline.view.image.value != before[0] and timeline.view.text_alternative.value != before[1]
    assert "Short-acting" not in timeline.describe() and "Long-acting" in timeline.describe()


def test_source_dropdown_switches_ranges(timeline):
    """Does picking one source show only its ranges, and does switching source change the figure?"""
    timeline.source_picker.value = "review"
    review = (timeline.view.image.value, timeline.describe())
    assert "Secondary summaries" not in review[1] and "easing over 3–5 days" in review[1]
    timeline.source_picker.value = "other"
    assert timeline.view.image.value != review[0]
    assert "Clinical overview" not in timeline.describe() and "lasting 4–10 days" in timeline.describe()


def test_missing_values_are_said_not_invented(timeline):
    """Where a source gives no onset or peak, does the widget say so rather than draw one?"""
    timeline.show, timeline.source = "long", "other"
    assert "onset not given" in timeline.describe() and "peak not given" in timeline.describe()
    lane = timeline._artists[("long", "other")]
    assert not lane["onset"].get_visible() and not lane["peak"].get_visible() and lane["end"].get_visible()
    assert "onset and peak not given by this source" in lane["missing"].get_text()


def test_hidden_lanes_are_not_drawn(timeline):
    """When one kind and one source are chosen, are the other three lanes' rectangles all hidden?"""
    timeline.show, timeline.source = "short", "review"
    for key, lane in timeline._artists.items():
        visible = any(artist.get_visible() for artist in lane.values())
        assert visible == (key == ("short", "review")), key


def test_time_span_switches_to_hours(timeline):
    """Does the 'First 4 days' span redraw the axis in hours?"""
    image = timeline.view.image.value
    timeline.span_picker.value = "days"
    assert timeline.view.image.value != image
    assert timeline._axes.get_xlim() == (0, 96)
    assert "Hours after the last dose" in timeline._axes.get_xlabel()
    assert "in hours" in timeline.describe()


def test_says_ranges_not_predictions_and_gives_no_doses(timeline):
    """Does the widget say its bands are ranges, not predictions, and never mention a dose unit?"""
    text = timeline.describe() + timeline.children[0].value
    assert "Ranges, not predictions" in text
    for unit in ("mg", "milligram", "mcg", "microgram", "ml "):
        assert unit not in text.lower()


def test_rejects_unknown_choices(timeline):
    """Are impossible choices refused rather than drawn?"""
    with pytest.raises(Exception, match="show must be one of"):
        timeline.show = "medium"
    with pytest.raises(Exception, match="source must be one of"):
        timeline.source = "blog"
    with pytest.raises(Exception, match="span must be one of"):
        timeline.span = "years"


def test_built_with_one_full_draw_and_lane_choices_redraw_only_the_lanes():
    """Does building draw the figure once, and do the Show and Source choices reuse the saved time axis?"""
    widget = WithdrawalTimeline()
    assert widget.view.full_draws == 1
    pictures = {widget.view.image.value}
    for show, source in (("long", "both"), ("long", "review"), ("short", "other"), ("both", "both")):
        widget.show_picker.value, widget.source_picker.value = show, source
        pictures.add(widget.view.image.value)
    assert widget.view.full_draws == 1 and len(pictures) == 4  # back at the start: the first picture again
    widget.span_picker.value = "days"  # a new time axis: drawn once
    widget.span_picker.value = "weeks"  # the three-week axis is still saved
    assert widget.view.full_draws == 2


def test_blitted_picture_equals_a_full_drawing_of_the_same_state():
    """Is a picture drawn over a saved background pixel-for-pixel the one a fresh widget draws in full?"""
    moved = WithdrawalTimeline()
    moved.span_picker.value = "days"
    moved.show_picker.value, moved.source_picker.value = "long", "other"
    assert moved.view.full_draws == 2
    assert moved.view.image.value == WithdrawalTimeline(show="long", source="other", span="days").view.image.value


def test_the_plot_keeps_its_place_whatever_is_chosen():
    """Do the axes sit in the same place for one lane in hours as for four lanes in days, so nothing jumps?"""
    few = WithdrawalTimeline(show="short", source="review", span="days")
    assert few._axes.get_position().bounds == WithdrawalTimeline()._axes.get_position().bounds
