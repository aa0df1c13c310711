"""RiskFactorExplorer through its traits and state, without a browser."""

import re

import ipywidgets as widgets
import pytest

from oud_course.data import load
from oud_course.widgets import RiskFactorExplorer

DOMAINS = ["genetic", "medical", "psychological", "environmental", "protective"]


@pytest.fixture
def explorer():
    return RiskFactorExplorer()


def test_starts_on_first_genetic_factor(explorer):
    """Does the explorer open on the first genetic/biological factor, with both pickers in step?"""
    assert (explorer.domain, explorer.factor) == ("genetic", 0)
    assert explorer.domain_picker.value == "genetic" and explorer.factor_picker.index == 0
    assert "Highlighted: Genetic and biological, factor 1 of 2: Genes" in explorer.describe()
    assert "40 to 60%" in explorer.evidence.value


def test_offers_the_five_domains_by_name(explorer):
    """Does the Domain toggle offer the five domains, in course order, with readable labels?"""
    assert explorer.domain_picker.description == "Domain:"
    assert [value for _, value in explorer.domain_picker.options] == DOMAINS
    assert [label for label, _ in explorer.domain_picker.options] == [
        "Genetic/biological", "Medical", "Psychological", "Environmental/social", "Protective",
    ]


def test_factor_menu_is_a_labelled_dropdown(explorer):
    """Is the factor picker a Dropdown labelled "Factor:" (keyboard-operable in JupyterLab), listing the domain's factors?"""
    assert isinstance(explorer.factor_picker, widgets.Dropdown)
    assert explorer.factor_picker.description == "Factor:"
    assert list(explorer.factor_picker.options) == [f["name"] for f in explorer.factors]


def test_switching_domain_lists_its_factors_and_redraws(explorer):
    """Does choosing another domain list that domain's factors, pick the first, and redraw map and evidence?"""
    before = (explorer.view.image.value, explorer.view.text_alternative.value, explorer.evidence.value)
    explorer.domain_picker.value = "environmental"
    assert explorer.factor == 0
    assert explorer.factor_picker.options[0] == "A chaotic home environment"
    assert len(explorer.factor_picker.options) == 5
    after = (explorer.view.image.value, explorer.view.text_alternative.value, explorer.evidence.value)
    assert all(b != a for b, a in zip(before, after))
    assert "Environmental and social factor: raises risk." in explorer.evidence.value


def test_picking_a_factor_shows_its_evidence_and_source(explorer):
    """Does choosing a factor in the Factor menu highlight it and show its evidence and its source?"""
    explorer.domain = "psychological"
    before = explorer.view.image.value
    explorer.factor_picker.index = 1
    assert explorer.factor == 1
    assert explorer.view.image.value != before
    assert "Adverse childhood experiences" in explorer.view.text_alternative.value
    assert "15 times the odds" in explorer.evidence.value
    assert "Source: Swedo EA et al. J Pediatr 2020" in explorer.evidence.value


def test_keeping_the_domain_keeps_the_factor_list(explorer):
    """Does re-choosing the domain on show leave the factor where it was?"""
    explorer.factor = 1
    explorer.domain = "genetic"
    assert explorer.factor == 1 and explorer.factor_picker.index == 1


def test_from_a_late_factor_to_a_short_domain(explorer):
    """Does moving from the fifth environmental factor to a two-factor domain land on a factor that exists?"""
    explorer.domain = "environmental"
    explorer.factor = 4
    explorer.domain = "genetic"
    assert explorer.factor == 0 and explorer.factor_picker.index == 0


def test_protective_factors_are_marked_as_lowering_risk(explorer):
    """Are protective factors presented as lowering risk, and risk factors as raising it?"""
    explorer.domain = "protective"
    assert "Protective factor: lowers risk." in explorer.evidence.value
    assert "Protective (lowers risk)" in explorer.describe()
    explorer.domain = "medical"
    assert "Medical factor: raises risk." in explorer.evidence.value


def test_every_panel_says_risk_is_not_destiny(explorer):
    """Does the evidence panel always say that risk factors do not decide anyone's future?"""
    for domain in DOMAINS:
        explorer.domain = domain
        assert "do not decide anyone" in explorer.evidence.value


def test_schematic_shows_only_for_prescription_length(explorer):
    """Is the schematic chart shown with the prescription-length factor and hidden otherwise?"""
    assert explorer.schematic.layout.display == "none"
    explorer.domain = "medical"
    assert explorer.chosen["id"] == "prescription-length"
    assert explorer.schematic.layout.display != "none"
    explorer.factor = 1
    assert explorer.schematic.layout.display == "none"


def test_schematic_is_labelled_and_marks_days_3_5_and_31(explorer):
    """Does the schematic say it is a schematic, show no values on its vertical axis, and mark days 3, 5 and 31?"""
    axes = explorer.schematic.figure.axes[0]
    assert axes.get_title().startswith("SCHEMATIC")
    assert list(axes.get_yticks()) == []
    labels = " ".join(text.get_text() for text in axes.texts)
    for day in ("day 3", "day 5", "day 31"):
        assert day in labels
    words = explorer.schematic.text_alternative.value
    assert "not data" in words and "no values" in words


def test_schematic_is_drawn_once(explorer):
    """Does changing the factor leave the schematic's image alone (it is static)?"""
    image = explorer.schematic.image.value
    explorer.domain = "medical"
    explorer.factor = 2
    assert explorer.schematic.image.value == image


def test_rejects_unknown_domain_and_factor(explorer):
    """Are impossible states refused rather than drawn?"""
    with pytest.raises(Exception, match="domain must be one of"):
        explorer.domain = "astrology"
    with pytest.raises(Exception, match="factor must be between"):
        explorer.factor = 7


def test_asks_nothing_about_the_learner(explorer):
    """Does the explorer hold only pickers of research findings: no text boxes, checkboxes, sliders or score?"""
    def controls(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from controls(child)
    found = list(controls(explorer))
    assert not [w for w in found if isinstance(w, (widgets.Text, widgets.Textarea, widgets.Checkbox,
                                                   widgets.IntSlider, widgets.FloatSlider, widgets.IntText))]
    assert not re.search(r"\b(your risk|risk score|your score)\b", explorer.describe() + explorer.evidence.value, re.I)


def test_every_factor_has_evidence_and_a_source():
    """Does every factor name its domain's effect, its evidence and its source, in person-first words?"""
    data = load("risk_factors.json")
    assert list(data["domains"]) == DOMAINS
    for domain in data["domains"].values():
        assert domain["effect"] in ("risk", "protective")
        for factor in domain["factors"]:
            assert factor["id"] and factor["name"] and factor["short"]
            assert len(factor["evidence"]) > 40 and factor["source"]
            assert not re.search(r"\b(addicts?|abusers?|junkies?|clean|dirty)\b", factor["evidence"], re.I)


def test_genetic_figure_is_not_claimed_for_opioids():
    """Does the genetics entry say its 40-60% is for addiction in general, with no opioid-specific figure?"""
    genes = load("risk_factors.json")["domains"]["genetic"]["factors"][0]
    assert "40 to 60%" in genes["evidence"] and "no opioid-specific figure" in genes["evidence"]


def test_prescription_findings_are_about_long_term_use_not_oud():
    """Do both prescription findings say they measured long-term use, not opioid use disorder?"""
    medical = {f["id"]: f for f in load("risk_factors.json")["domains"]["medical"]["factors"]}
    for key in ("prescription-length", "second-prescription"):
        assert "not opioid use disorder" in medical[key]["evidence"]


def test_built_with_one_full_draw_of_each_figure():
    """Does building draw the map once and the schematic once, whichever domain and factor it opens on?"""
    for explorer in (RiskFactorExplorer(), RiskFactorExplorer(domain="environmental", factor=3)):
        assert (explorer.view.full_draws, explorer.schematic.full_draws) == (1, 1)


def test_domains_and_factors_redraw_only_the_highlight(explorer):
    """Do the Domain buttons and the Factor menu move the highlight over the kept map, never drawing it again?"""
    pictures = {explorer.view.image.value}
    for domain in DOMAINS[1:]:
        explorer.domain_picker.value = domain
        pictures.add(explorer.view.image.value)
        explorer.factor_picker.index = 1
        pictures.add(explorer.view.image.value)
    assert (explorer.view.full_draws, explorer.schematic.full_draws) == (1, 1)
    assert len(pictures) == 1 + 2 * (len(DOMAINS) - 1)


def test_blitted_picture_equals_a_full_drawing_of_the_same_state(explorer):
    """Is a highlight drawn over the kept map pixel-for-pixel the one a fresh explorer draws in full?"""
    explorer.domain_picker.value = "protective"
    explorer.factor_picker.index = 1
    assert explorer.view.image.value == RiskFactorExplorer(domain="protective", factor=1).view.image.value
