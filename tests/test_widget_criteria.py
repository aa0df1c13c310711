"""CriteriaChecker and its counting rules, through plain functions, traits and state."""

import pytest

from oud_course.data import load
from oud_course.widgets import CriteriaChecker
from oud_course.widgets.criteria import (
    NOT_COUNTED_UNDER_SUPERVISION,
    assess,
    count_criteria,
    counted_criteria,
    severity,
)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "none"), (1, "none"), (2, "mild"), (3, "mild"), (4, "moderate"), (5, "moderate"), (6, "severe"),
     (11, "severe")],
)
def test_severity_bands(count, expected):
    """Are the DSM-5-TR bands right at every edge: under 2 none, 2-3 mild, 4-5 moderate, 6 or more severe?"""
    assert severity(count) == expected


@pytest.mark.parametrize("count", [-1, 12, 2.0, True, "3"])
def test_severity_refuses_impossible_counts(count):
    """Is a count that is not a whole number from 0 to 11 refused rather than given a band?"""
    with pytest.raises(ValueError):
        severity(count)


def test_every_met_criterion_counts_without_supervision():
    """Without medical supervision, do tolerance and withdrawal count like any other criterion?"""
    assert counted_criteria({4, 10, 11}, supervised=False) == [4, 10, 11]
    assert count_criteria([1, 2, 4, 10, 11], supervised=False) == 5


def test_tolerance_and_withdrawal_do_not_count_under_supervision():
    """Under medical supervision, are tolerance (10) and withdrawal (11) set aside, and only they?"""
    assert counted_criteria({4, 10, 11}, supervised=True) == [4]
    assert count_criteria({10, 11}, supervised=True) == 0
    assert count_criteria(set(range(1, 10)), supervised=True) == 9


def test_assess_names_what_was_set_aside():
    """Does an assessment list the counted and the set-aside criteria, with the severity of the count?"""
    result = assess([11, 4, 10, 2], supervised=True)
    assert (result.met, result.counted, result.set_aside, result.count, result.severity) == (
        (2, 4, 10, 11), (2, 4), (10, 11), 2, "mild")


def test_supervision_alone_never_makes_oud():
    """With only tolerance and withdrawal, is the severity 'none' under supervision but 'mild' without it?"""
    assert assess({10, 11}, supervised=True).severity == "none"
    assert assess({10, 11}, supervised=False).severity == "mild"


@pytest.mark.parametrize("met", [{0}, {12}, {"4"}, {True}])
def test_counting_refuses_unknown_criteria(met):
    """Are numbers that name no criterion refused?"""
    with pytest.raises(ValueError, match="numbered 1 to 11"):
        count_criteria(met, supervised=False)


def test_criteria_data_has_eleven_criteria_with_sources():
    """Does the data file hold criteria 1 to 11, each with short and full text and a source, and flag 10 and 11?"""
    criteria = load("dsm5_criteria.json")["criteria"]
    assert [c["number"] for c in criteria] == list(range(1, 12))
    assert all(c["short"] and c["full"] and c["source"] for c in criteria)
    assert {c["number"] for c in criteria if c["not_counted_under_supervision"]} == NOT_COUNTED_UNDER_SUPERVISION
    assert [c["short"] for c in criteria if c["number"] in (4, 10, 11)] == ["Craving", "Tolerance", "Withdrawal"]


def test_vignettes_cover_every_teaching_case():
    """Are there mild, moderate and severe cases and a supervised case with dependence but no OUD, each consistent?"""
    vignettes = load("vignettes.json")["vignettes"]
    assert len(vignettes) >= 4
    for case in vignettes:
        met = [m["criterion"] for m in case["met"]]
        assert case["facts"] and case["supervision_reason"] and all(m["reason"] for m in case["met"])
        assert len(met) == len(set(met))
        assert assess(met, case["medical_supervision"]).severity == case["severity"], case["key"]
    assert {"mild", "moderate", "severe"} <= {c["severity"] for c in vignettes}
    assert any(c["medical_supervision"] and c["severity"] == "none" and {10, 11} <= {m["criterion"] for m in c["met"]}
               for c in vignettes)


@pytest.fixture
def checker():
    return CriteriaChecker()


def test_starts_on_first_case_with_nothing_ticked(checker):
    """Does the checker open on the first vignette with no ticks, a 'none' result and the assessment hidden?"""
    assert checker.vignette == checker.vignette_picker.value == "dana"
    assert checker.ticked == [] and not any(box.value for box in checker.checkboxes)
    assert len(checker.checkboxes) == 11
    assert "Dana" in checker.case.value
    assert "none count" in checker.describe() and "assessment is hidden" in checker.describe()


def test_ticking_boxes_counts_and_grades_severity(checker):
    """Does ticking checkboxes update the count, the severity, the table and the text alternative?"""
    words = checker.text_alternative.value
    for n in (1, 6, 8):
        checker.checkboxes[n - 1].value = True
    assert checker.ticked == [1, 6, 8]
    assert checker.text_alternative.value != words
    assert "3 of them count" in checker.describe() and "mild" in checker.describe()
    assert "Criteria that count: 3 of 11" in checker.result.value
    checker.checkboxes[5].value = False
    assert checker.ticked == [1, 8] and "2 of them count" in checker.describe()


def test_setting_ticked_moves_the_checkboxes(checker):
    """When the state is set in code, do the checkboxes follow?"""
    checker.tick(4, 10)
    assert [n for n, box in enumerate(checker.checkboxes, 1) if box.value] == [4, 10]


def test_supervised_case_sets_tolerance_and_withdrawal_aside():
    """On the supervised case, do ticked tolerance and withdrawal show as not counting, with the reason?"""
    checker = CriteriaChecker("ruth")
    checker.tick(10, 11)
    assert checker.assessment().count == 0
    assert "10 and 11 set aside under medical supervision" in checker.describe()
    assert "solely under appropriate medical supervision" in checker.result.value
    assert "physical dependence" in checker.result.value


def test_same_ticks_count_without_supervision():
    """On an unsupervised case, do tolerance and withdrawal count, giving mild rather than none?"""
    checker = CriteriaChecker("ken")
    checker.tick(10, 11)
    assert checker.assessment().count == 2 and checker.assessment().severity == "mild"
    assert "not solely under medical supervision" in checker.result.value


def test_reveal_compares_with_the_authors_assessment(checker):
    """Does showing the assessment add the author's judgement per criterion and say where the learner differs?"""
    checker.tick(1, 4)
    before = checker.result.value
    checker.reveal_button.value = True
    assert checker.revealed and checker.result.value != before
    assert "Author's judgement" in checker.result.value
    text = checker.describe()
    assert "criteria 1, 6 and 8 met" in text and "severity mild" in text
    assert "you ticked 4, which the author judges not met" in text
    assert "you did not tick 6 and 8, which the author judges met" in text
    assert "You agree on 8 of 11 criteria" in text


def test_matching_the_author_agrees_on_all(checker):
    """Ticking exactly the author's criteria: agreement on all 11?"""
    checker.tick(*[m["criterion"] for m in checker.case_data["met"]])
    checker.revealed = True
    assert "You agree on 11 of 11 criteria." in checker.describe()


def test_changing_case_clears_ticks_and_hides_assessment(checker):
    """Does choosing another vignette start afresh: no ticks, assessment hidden, new facts shown?"""
    checker.tick(1, 2)
    checker.revealed = True
    checker.vignette_picker.value = "alex"
    assert checker.vignette == "alex" and checker.ticked == [] and not checker.revealed
    assert not checker.reveal_button.value and not any(box.value for box in checker.checkboxes)
    assert "Alex" in checker.case.value and "Alex" in checker.describe()


def test_says_it_is_not_a_diagnostic_tool(checker):
    """Does the widget say plainly that it teaches and does not diagnose?"""
    assert "not a diagnostic tool" in checker.children[0].value


def test_rejects_unknown_case_and_criteria(checker):
    """Are an unknown vignette and an impossible criterion refused rather than shown?"""
    with pytest.raises(Exception, match="vignette must be one of"):
        checker.vignette = "nobody"
    with pytest.raises(Exception, match="numbered 1 to 11"):
        checker.ticked = [12]


def test_controls_are_labelled_standard_widgets(checker):
    """Are the controls a labelled Dropdown, 11 labelled Checkboxes and a labelled ToggleButton, under the CSS class?"""
    assert checker.vignette_picker.description == "Vignette:"
    assert all(box.description.startswith(f"{n}. ") for n, box in enumerate(checker.checkboxes, 1))
    assert checker.reveal_button.description == "Show the assessment"
    assert "oud-criteria-checker" in checker._dom_classes
    assert "oud-text-alternative" in checker.text_alternative._dom_classes
