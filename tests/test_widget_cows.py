"""COWSScorer, its data and the pure cows_band function, through traits and state."""

import pytest

from oud_course.data import load
from oud_course.widgets import COWSScorer
from oud_course.widgets.cows import BANDS, ITEMS, MAX_TOTAL, cows_band

# The fact sheet's allowed range for each item (section 2); the form's score values lie inside it.
FACT_SHEET_RANGES = {
    "pulse": (0, 4), "sweating": (0, 4), "restlessness": (0, 5), "pupils": (0, 5), "aches": (0, 4), "nose": (0, 4),
    "gi": (0, 5), "tremor": (0, 4), "yawning": (0, 4), "anxiety": (0, 4), "gooseflesh": (0, 5),
}


@pytest.fixture
def scorer():
    return COWSScorer()


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "none"), (4, "none"), (5, "mild"), (12, "mild"), (13, "moderate"), (24, "moderate"),
     (25, "moderately-severe"), (36, "moderately-severe"), (37, "severe"), (48, "severe")],
)
def test_cows_band_boundaries(total, band):
    """Does cows_band put each boundary total in the fact sheet's band (<5, 5-12, 13-24, 25-36, >36)?"""
    assert cows_band(total).key == band


@pytest.mark.parametrize("bad", [-1, 49, 12.5, "12", True, None])
def test_cows_band_refuses_impossible_totals(bad):
    """Is a total that COWS cannot give (negative, over 48, not a whole number) refused?"""
    with pytest.raises((TypeError, ValueError)):
        cows_band(bad)


def test_bands_cover_every_total_once():
    """Do the five bands cover 0 to 48 with no gap or overlap?"""
    covered = [t for band in BANDS for t in range(band.low, band.high + 1)]
    assert covered == list(range(MAX_TOTAL + 1))


def test_items_match_the_fact_sheet():
    """Are there 11 items, with scores inside the fact sheet's ranges, pulse 0/1/2/4, gooseflesh 0/3/5, and a maximum of 48?"""
    assert [item["key"] for item in ITEMS] == list(FACT_SHEET_RANGES)
    for item in ITEMS:
        scores = [s["score"] for s in item["scores"]]
        low, high = FACT_SHEET_RANGES[item["key"]]
        assert scores == sorted(set(scores)) and scores[0] == low and scores[-1] == high, item["key"]
    by_key = {item["key"]: item for item in ITEMS}
    assert [s["score"] for s in by_key["pulse"]["scores"]] == [0, 1, 2, 4]
    assert [s["anchor"] for s in by_key["pulse"]["scores"]] == ["80 or below", "81–100", "101–120", "more than 120"]
    assert [s["score"] for s in by_key["gooseflesh"]["scores"]] == [0, 3, 5]
    assert MAX_TOTAL == 48
    assert not any("craving" in item["name"].lower() for item in ITEMS)


def test_unverified_wording_shows_numbers_only(scorer):
    """Does an item without checked wording offer bare numbers, and the others number plus wording?"""
    assert [label for label, _ in scorer.pickers["nose"].options] == ["0", "1", "2", "4"]
    assert scorer.pickers["sweating"].options[4][0] == "4: sweat streaming off face"


def test_starts_at_zero_with_no_active_withdrawal(scorer):
    """Does the scorer open with every item at 0, a total of 0 and the 'no active withdrawal' band?"""
    assert scorer.total == 0 and scorer.band.key == "none"
    assert "Total: 0 of 48" in scorer.total_text.value
    assert "COWS total 0 of 48: no active withdrawal" in scorer.view.text_alternative.value


def test_picking_a_score_updates_total_band_and_figure(scorer):
    """Does choosing scores in the dropdowns update the total, the band, the figure and the words?"""
    image = scorer.view.image.value
    scorer.pickers["pulse"].value = 4
    scorer.pickers["gooseflesh"].value = 3
    assert scorer.scores["pulse"] == 4 and scorer.total == 7 and scorer.band.key == "mild"
    assert scorer.view.image.value != image
    assert "Total: 7 of 48" in scorer.total_text.value and "Mild withdrawal" in scorer.total_text.value
    assert "Resting pulse rate 4 of 4" in scorer.describe()


@pytest.mark.parametrize(("case", "total", "band"), [("ray", 9, "mild"), ("tasha", 23, "moderate"),
                                                      ("ken", 28, "moderately-severe")])
def test_practice_cases_load_their_scores(scorer, case, total, band):
    """Does each practice case set all 11 dropdowns, and give the total and band its scores add up to?"""
    scorer.case_picker.value = case
    expected = load("cows.json")["cases"]
    scores = next(c["scores"] for c in expected if c["key"] == case)
    assert {key: picker.value for key, picker in scorer.pickers.items()} == scores
    assert scorer.total == sum(scores.values()) == total and scorer.band.key == band
    assert "(fictional)" in scorer.case_text.value


def test_editing_a_case_is_said_and_reset_clears(scorer):
    """After a case is edited, do the words say so; and does Reset clear the case and every score?"""
    scorer.case_picker.value = "tasha"
    scorer.pickers["tremor"].value = 4
    assert "Practice case 2: Tasha (scores edited)" in scorer.describe() and scorer.total == 26
    scorer.reset_button.click()
    assert scorer.case == "" and scorer.case_picker.value == "" and scorer.total == 0
    assert all(picker.value == 0 for picker in scorer.pickers.values()) and scorer.case_text.value == ""


def test_rejects_scores_the_scale_does_not_allow(scorer):
    """Is a score the item does not offer (gooseflesh 4) or an unknown item refused?"""
    with pytest.raises(Exception, match="allows the scores"):
        scorer.scores = {**scorer.scores, "gooseflesh": 4}
    with pytest.raises(Exception, match="not a COWS item"):
        scorer.scores = {**scorer.scores, "craving": 2}


def test_says_it_is_a_clinicians_tool(scorer):
    """Does the widget say COWS is a clinician's tool, not a self-test, with no craving item and no doses?"""
    text = scorer.describe() + scorer.children[0].value
    assert "clinician's tool" in text and "not for assessing yourself" in text and "no item for craving" in text
    for unit in ("mg", "milligram", "mcg", "microgram"):
        assert unit not in text.lower()


def test_built_with_one_full_draw_and_scores_redraw_only_what_moves():
    """Does building draw the chart once, and do scores, cases and Reset reuse the saved scale and bands?"""
    scorer = COWSScorer(case="tasha")
    assert scorer.view.full_draws == 1
    first = scorer.view.image.value
    scorer.pickers["pulse"].value = 4
    scorer.case_picker.value = "ray"
    scorer.reset_button.click()
    assert scorer.view.full_draws == 1 and scorer.view.image.value != first


def test_reset_redraws_once(scorer, monkeypatch):
    """Does Reset all to 0 redraw the chart once, although it clears both the case and the scores?"""
    scorer.case_picker.value = "ken"
    shown = []
    draw = scorer.view.show
    monkeypatch.setattr(scorer.view, "show", lambda *args, **kwargs: (shown.append(args[0]), draw(*args, **kwargs)))
    scorer.reset_button.click()
    assert len(shown) == 1 and "COWS total 0 of 48" in shown[0] and "Ken" not in shown[0]


def test_blitted_picture_equals_a_full_drawing_of_the_same_state():
    """Is a picture drawn over the saved scale pixel-for-pixel the one a fresh scorer draws in full?"""
    moved = COWSScorer()
    moved.pickers["pulse"].value = 4
    moved.case_picker.value = "ken"
    assert moved.view.full_draws == 1
    assert moved.view.image.value == COWSScorer(case="ken").view.image.value
