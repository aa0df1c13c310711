"""OverdoseExplorer through its traits and state, without a browser."""

import pytest

from oud_course.widgets import OverdoseExplorer
from oud_course.widgets.overdose import load_deaths, percent_change


@pytest.fixture
def explorer():
    return OverdoseExplorer()


def test_starts_on_all_drug_deaths_with_the_change_hidden(explorer):
    """Does the widget open on all drug overdose deaths, 2016 to 2019, with the percent change not yet shown?"""
    assert (explorer.series, explorer.start, explorer.end, explorer.show_change) == ("all", 2016, 2019, False)
    assert (explorer.series_picker.value, explorer.start_picker.value, explorer.end_picker.value) == ("all", 2016, 2019)
    assert "hidden until you press Show percent change" in explorer.describe()
    assert "%" not in explorer.readout.value.replace("percent change", "")


def test_readout_shows_the_two_values_and_the_formula_not_the_answer(explorer):
    """Before the toggle, does the readout give both years' values and the formula, but no computed change?"""
    explorer.start_picker.value, explorer.end_picker.value = 2019, 2022
    text = explorer.readout.value
    assert "2019: 70,630 (final)" in text and "2022: 107,941 (final)" in text
    assert "(later value − earlier value) ÷ earlier value × 100" in text
    assert "52.8" not in text and "52.8" not in explorer.view.text_alternative.value


def test_toggle_reveals_the_change_in_readout_figure_and_words(explorer):
    """Does pressing Show percent change reveal +52.8% for 2019 to 2022, redrawing the figure and its words?"""
    explorer.start_picker.value, explorer.end_picker.value = 2019, 2022
    image, words = explorer.view.image.value, explorer.view.text_alternative.value
    explorer.change_toggle.value = True
    assert explorer.show_change
    assert "+52.8%" in explorer.readout.value and "+52.8%" in explorer.describe()
    assert explorer.view.image.value != image and explorer.view.text_alternative.value != words


def test_change_is_computed_from_the_bundled_table(explorer):
    """Does the widget's change equal the percent change of the CSV's own numbers?"""
    rows = {row.year: row.counts for row in load_deaths()}
    explorer.start, explorer.end = 2022, 2023
    assert explorer.change("all") == pytest.approx(percent_change(rows[2022]["all"], rows[2023]["all"]))
    assert round(explorer.change("all"), 1) == -2.7
    explorer.series, explorer.start, explorer.end = "opioid", 2016, 2019
    assert round(explorer.change("opioid"), 1) == 18.0


def test_series_dropdown_redraws(explorer):
    """Do the opioid-involved and both-series choices redraw the figure and name the series in words?"""
    image = explorer.view.image.value
    explorer.series_picker.value = "opioid"
    assert explorer.view.image.value != image
    assert "showing opioid-involved overdose deaths" in explorer.describe()
    assert all(not bar.get_visible() for bar in explorer._bars["all"].values())
    explorer.series_picker.value = "both"
    assert "All drug overdose deaths:" in explorer.describe() and "Opioid-involved overdose deaths:" in explorer.describe()


def test_year_dropdowns_redraw(explorer):
    """Do the From year and To year dropdowns change the figure and the readout?"""
    image, readout = explorer.view.image.value, explorer.readout.value
    explorer.end_picker.value = 2023
    assert explorer.end == 2023 and explorer.view.image.value != image and explorer.readout.value != readout
    image = explorer.view.image.value
    explorer.start_picker.value = 2020
    assert explorer.start == 2020 and explorer.view.image.value != image
    assert "Selected years: 2020 and 2023" in explorer.describe()


def test_opioid_involved_change_from_2019_to_2022_is_the_quoted_64_percent(explorer):
    """Does the opioid-involved series give +64.1% from 2019 to 2022, the figure lesson 06 teaches the learner to check?"""
    explorer.series, explorer.start, explorer.end, explorer.show_change = "opioid", 2019, 2022, True
    assert "2019: 49,860 (final)" in explorer.readout.value and "2022: 81,806 (final)" in explorer.readout.value
    assert "+64.1%" in explorer.readout.value and "+64.1%" in explorer.describe()


def test_missing_values_are_gaps_never_filled_in(explorer):
    """Is a year with no verified count drawn as a gap (no bar), said so in words, and never given a change?"""
    explorer.series, explorer.start, explorer.end, explorer.show_change = "opioid", 2019, 2023, True
    assert 2023 not in explorer._bars["opioid"] and 2024 not in explorer._bars["opioid"]
    xs = list(explorer._gaps["opioid"].get_xdata())
    assert len(xs) == sum(row.counts["opioid"] is None for row in load_deaths()) == 2
    assert list(explorer._gaps["opioid"].get_ydata()) == [0] * len(xs)
    assert explorer.change("opioid") is None
    assert "2023 no single figure (gap)" in explorer.describe()
    assert "never filled in" in explorer.describe()
    assert "cannot be computed" in explorer.readout.value
    assert "left empty rather than estimated" in explorer.readout.value  # the note says why the cell is empty


def test_provisional_counts_are_drawn_hollow_and_hatched(explorer):
    """Is the provisional 2024 count drawn hollow and hatched, explained in the readout and in words?"""
    bar = explorer._bars["all"][2024]
    assert bar.get_hatch() and bar.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert not explorer._bars["all"][2023].get_hatch()
    assert "2024 80,391 (provisional, hollow and hatched)" in explorer.describe()
    explorer.start, explorer.end = 2023, 2024
    assert "2024: 80,391 (provisional)" in explorer.readout.value
    assert "Provisional counts change" in explorer.readout.value


def test_years_out_of_order_give_no_change(explorer):
    """If the From year is not before the To year, does the widget ask for a later To year instead of computing?"""
    explorer.show_change = True
    explorer.start, explorer.end = 2022, 2019
    assert explorer.change("all") is None
    assert "later than the" in explorer.readout.value
    assert "no change is shown" in explorer.describe()


def test_rejects_unknown_series_and_years(explorer):
    """Are impossible states refused rather than drawn?"""
    with pytest.raises(Exception, match="series must be one of"):
        explorer.series = "heroin"
    with pytest.raises(Exception, match="year must be one of"):
        explorer.start = 1999


def test_controls_have_labels_and_the_root_its_class(explorer):
    """Does every control carry the label the lesson names, and the root the CSS class browser tests find?"""
    assert explorer.series_picker.description == "Series:"
    assert explorer.start_picker.description == "From year:" and explorer.end_picker.description == "To year:"
    assert explorer.change_toggle.description == "Show percent change"
    assert "oud-overdose-explorer" in explorer._dom_classes
    assert "source" in explorer.table.value and "NCHS Data Brief 491" in explorer.table.value
    assert "<th>note</th>" in explorer.table.value and "left empty rather than estimated" in explorer.table.value


def test_picked_years_are_outlined(explorer):
    """Are exactly the bars of the two picked years outlined, and a picked year with a gap given no outline?"""
    explorer.series, explorer.start, explorer.end = "both", 2019, 2023
    outlined = {(o.get_x(), o.get_width(), o.get_height()) for o in explorer._outlines if o.get_visible()}
    bars = [explorer._bars["all"][2019], explorer._bars["opioid"][2019], explorer._bars["all"][2023]]
    assert outlined == {(b.get_x(), b.get_width(), b.get_height()) for b in bars}  # opioid 2023 is a gap
    assert sorted(t.get_text() for t in explorer._bold_years if t.get_visible()) == ["2019", "2023"]


def test_built_with_one_full_draw_and_years_redraw_only_what_moves(explorer):
    """Does building draw the chart once, do the years and the toggle reuse the saved bars, and a series its own?"""
    assert explorer.view.full_draws == 1
    pictures = {explorer.view.image.value}
    for start, end in ((2019, 2022), (2022, 2019), (2016, 2024)):
        explorer.start_picker.value, explorer.end_picker.value = start, end
        pictures.add(explorer.view.image.value)
    explorer.change_toggle.value = True
    pictures.add(explorer.view.image.value)
    assert explorer.view.full_draws == 1 and len(pictures) == 5
    explorer.series_picker.value = "both"  # other bars: drawn once
    explorer.series_picker.value = "all"  # the first series' bars are still saved
    assert explorer.view.full_draws == 2


def test_blitted_picture_equals_a_full_drawing_of_the_same_state():
    """Is a picture drawn over a saved background pixel-for-pixel the one a fresh explorer draws in full?"""
    moved = OverdoseExplorer()
    moved.series_picker.value = "both"
    moved.start_picker.value, moved.end_picker.value = 2019, 2022
    moved.change_toggle.value = True
    assert moved.view.full_draws == 2
    fresh = OverdoseExplorer(series="both", start=2019, end=2022, show_change=True)
    assert moved.view.image.value == fresh.view.image.value


def test_the_chart_keeps_its_place_when_the_change_is_shown():
    """Do the axes stay put when the title grows to a line per series, so the bars never jump?"""
    hidden = OverdoseExplorer(series="opioid", start=2022, end=2019)
    shown = OverdoseExplorer(series="both", start=2019, end=2022, show_change=True)
    assert hidden._axes.get_position().bounds == shown._axes.get_position().bounds
