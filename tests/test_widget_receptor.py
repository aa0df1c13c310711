"""ReceptorExplorer and its illustrative response curves, through traits and state."""

from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from oud_course.data import load
from oud_course.widgets import ReceptorExplorer
from oud_course.widgets.receptor import ACTIONS, MAX_EXPONENT, MIN_EXPONENT, response

AMOUNTS = np.logspace(MIN_EXPONENT, MAX_EXPONENT, 101)


@pytest.fixture
def explorer():
    return ReceptorExplorer()


def test_partial_agonist_has_a_ceiling_below_the_full_agonist():
    """Does the partial agonist level off well below the full agonist's maximum, however much is added?"""
    full, partial = response("full", AMOUNTS), response("partial", AMOUNTS)
    assert partial.max() < 0.5 * full.max()
    assert full.max() > 95
    assert response("partial", 10.0**MAX_EXPONENT) - response("partial", 10.0**(MAX_EXPONENT - 1)) < 1


def test_antagonist_alone_gives_no_response():
    """Does an antagonist give (about) zero response at every amount?"""
    assert np.allclose(response("antagonist", AMOUNTS), 0.0)


def test_agonist_curves_rise_with_the_amount():
    """Do the full and partial agonist's responses rise as the amount rises?"""
    for action in ("full", "partial", "blocked"):
        assert np.all(np.diff(response(action, AMOUNTS)) > 0)


def test_adding_an_antagonist_shifts_the_full_agonist_curve_right():
    """With an antagonist added, is the full agonist's response lower at every amount, and half-maximal only at a larger amount?"""
    full, blocked = response("full", AMOUNTS), response("blocked", AMOUNTS)
    assert np.all(blocked < full)
    assert AMOUNTS[np.argmax(blocked >= 50)] > 10 * AMOUNTS[np.argmax(full >= 50)]


def test_starts_with_three_curves_and_no_antagonist_added(explorer):
    """Does the widget open with the three curves ticked, the antagonist not added, and the marker at 1 unit?"""
    assert (explorer.show_full, explorer.show_partial, explorer.show_antagonist) == (True, True, True)
    assert explorer.antagonist_added is False and explorer.amount == 1.0
    assert explorer.shown == ["full", "partial", "antagonist"]
    assert all(box.value for box in (explorer.full_box, explorer.partial_box, explorer.antagonist_box))
    assert "Marker at 1 relative unit: full agonist 50%, partial agonist 31%, antagonist 0%." in explorer.describe()


def test_slider_moves_the_marker_and_redraws(explorer):
    """Does moving the Amount slider change the amount, the image bytes and the text alternative?"""
    image, words = explorer.view.image.value, explorer.view.text_alternative.value
    explorer.amount_slider.value = 100.0
    assert explorer.amount == 100.0
    assert explorer.view.image.value != image and explorer.view.text_alternative.value != words
    assert "Marker at 100 relative units: full agonist 99%, partial agonist 40%, antagonist 0%." in explorer.describe()


def test_checkboxes_hide_and_show_curves(explorer):
    """Does unticking a curve's box hide it from the figure, the words and the explanation, and ticking it show it again?"""
    image = explorer.view.image.value
    explorer.partial_box.value = False
    assert explorer.show_partial is False and "partial" not in explorer.shown
    assert explorer.view.image.value != image
    assert "partial agonist" not in explorer.describe() and "buprenorphine" not in explorer.explanation.value
    assert not explorer._curves["partial"].get_visible()
    explorer.partial_box.value = True
    assert explorer._curves["partial"].get_visible() and "ceiling" in explorer.describe()


def test_no_curves_says_so(explorer):
    """With every box unticked, does the text alternative say that nothing is shown?"""
    explorer.full_box.value = explorer.partial_box.value = explorer.antagonist_box.value = False
    assert explorer.shown == [] and explorer.describe().startswith("No curves are shown")


def test_adding_an_antagonist_redraws_and_says_the_response_drops(explorer):
    """Does ticking 'Add an antagonist' draw the shifted curve and say the full agonist's response drops?"""
    image = explorer.view.image.value
    explorer.blocked_box.value = True
    assert explorer.antagonist_added and explorer.shown[-1] == "blocked"
    assert explorer.view.image.value != image
    assert "drops from 50% to 3%" in explorer.describe()
    assert explorer._curves["blocked"].get_visible()


def test_marker_values_match_the_model(explorer):
    """Does each marker sit on its curve at the chosen amount?"""
    explorer.antagonist_added = True
    explorer.amount = 10.0
    for action in ACTIONS:
        x, y = explorer._markers[action].get_data()
        assert x[0] == pytest.approx(1.0) and y[0] == pytest.approx(response(action, 10.0))


def test_state_round_trips_through_the_controls(explorer):
    """Do the traits drive the controls as well as the other way round?"""
    explorer.show_antagonist = False
    explorer.amount = 0.1
    assert explorer.antagonist_box.value is False and explorer.amount_slider.value == pytest.approx(0.1)
    state = explorer.amount_slider.get_state()
    assert state["description"] == "Amount (relative units)" and state["min"] == MIN_EXPONENT


def test_says_it_is_a_teaching_illustration_and_gives_no_doses(explorer):
    """Does the widget say it is a teaching illustration, not pharmacology data, and never mention a dose unit?"""
    explorer.antagonist_added = True
    text = explorer.describe() + explorer.children[0].value + explorer.explanation.value
    assert "Teaching illustration, not pharmacology data" in text
    for unit in ("mg", "milligram", "mcg", "microgram", "ml "):
        assert unit not in text.lower()


def test_every_action_has_examples_and_a_source():
    """Does every receptor action in the data name examples, an explanation and its source?"""
    actions = load("receptor_actions.json")["actions"]
    assert set(actions) == set(ACTIONS)
    assert all(a["label"] and a["examples"] and a["explanation"] and a["source"] for a in actions.values())


def test_root_has_its_css_class_and_keyboard_controls(explorer):
    """Does the root carry the oud-receptor-explorer class, with labelled standard controls?"""
    assert "oud-receptor-explorer" in explorer._dom_classes
    labels = [c.description for c in (explorer.full_box, explorer.partial_box, explorer.antagonist_box,
                                       explorer.blocked_box, explorer.amount_slider)]
    assert all(labels)


def test_rejects_out_of_range_amount():
    """Is an amount outside the slider's range refused?"""
    with pytest.raises(Exception, match="amount must be between"):
        ReceptorExplorer(amount=1e6)


def test_built_with_one_full_draw_and_every_control_redraws_only_what_moves(explorer):
    """Does building draw the figure once, and do the slider and every checkbox reuse the saved axes?"""
    assert explorer.view.full_draws == 1
    pictures = {explorer.view.image.value}
    explorer.amount_slider.value = 100.0
    pictures.add(explorer.view.image.value)
    for box in (explorer.full_box, explorer.partial_box, explorer.antagonist_box, explorer.blocked_box):
        box.value = not box.value
        pictures.add(explorer.view.image.value)
    assert explorer.view.full_draws == 1 and len(pictures) == 6


def test_blitted_picture_equals_a_full_drawing_of_the_same_state(explorer):
    """Is a picture drawn over the saved axes pixel-for-pixel the one a fresh widget draws in full?"""
    explorer.amount_slider.value = 100.0
    explorer.blocked_box.value = True
    explorer.partial_box.value = False
    explorer.partial_box.value = True
    assert explorer.view.image.value == ReceptorExplorer(amount=100.0, antagonist_added=True).view.image.value


def test_hidden_curves_leave_the_legend(explorer):
    """With every curve unticked, is the legend's place blank, and does ticking one bring its entry back?"""
    def legend_colours():
        figure = explorer.view.figure
        box = figure.axes[0].get_legend().get_window_extent(figure.canvas.get_renderer())
        picture = Image.open(BytesIO(explorer.view.image.value)).convert("RGB")
        top = picture.height - box.y1  # matplotlib counts pixels from the bottom, PIL from the top
        return {colour for _, colour in picture.crop((box.x0, top, box.x1, top + box.height)).getcolors(1 << 16)}

    assert len(legend_colours()) > 1
    explorer.full_box.value = explorer.partial_box.value = explorer.antagonist_box.value = False
    assert legend_colours() == {(255, 255, 255)}
    explorer.partial_box.value = True
    assert len(legend_colours()) > 1
