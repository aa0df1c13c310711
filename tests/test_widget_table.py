"""TreatmentTable through its traits and state, without a browser, on both of its data sets."""

import html
import re

import ipywidgets as widgets
import pytest

from oud_course.widgets import TreatmentTable
from oud_course.widgets.table import DATASETS

SUBLOCADE, BRIXADI = "Buprenorphine (monthly injection, Sublocade)", "Buprenorphine (weekly or monthly injection, Brixadi)"
MEDICATIONS = ["Methadone", "Buprenorphine (under the tongue)", SUBLOCADE, BRIXADI,
               "Naltrexone (tablet)", "Naltrexone (monthly injection)"]


@pytest.fixture
def medications():
    return TreatmentTable()


@pytest.fixture
def care():
    return TreatmentTable("care_options")


def body_rows(table: TreatmentTable) -> list[str]:
    """The row headers of the rendered table, in display order."""
    return [html.unescape(t) for t in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', table.table.value)]


def test_opens_on_all_medications_in_course_order(medications):
    """Does the default table show all five medications in course order, with no question, highlight or sources?"""
    assert medications.dataset == "medications"
    assert body_rows(medications) == MEDICATIONS
    assert (medications.question, medications.sort_by, medications.highlight, medications.show_sources) == ("", "", False, False)
    assert "Showing all 6 options" in medications.answer.value


def test_table_is_accessible_html(medications):
    """Is the table a real <table> with a caption, column headers and row headers (scope set)?"""
    value = medications.table.value
    assert "<table" in value and "<caption" in value
    assert value.count('<th scope="col"') == 1 + len(medications.attributes)
    assert value.count('<th scope="row"') == len(medications.options)


@pytest.mark.parametrize("key, expected", [
    ("no-wait", ["Methadone", "Buprenorphine (under the tongue)"]),
    ("one-dose-first", [SUBLOCADE, BRIXADI]),
    ("daily-visits", ["Methadone"]),
    ("full-agonists", ["Methadone"]),
    ("partial-agonists", ["Buprenorphine (under the tongue)", SUBLOCADE, BRIXADI]),
    ("antagonists", ["Naltrexone (tablet)", "Naltrexone (monthly injection)"]),
    ("opioid-free-first", ["Naltrexone (tablet)", "Naltrexone (monthly injection)"]),
    ("monthly-injection", [SUBLOCADE, BRIXADI, "Naltrexone (monthly injection)"]),
    ("mortality", ["Methadone", "Buprenorphine (under the tongue)"]),
])
def test_medication_questions_filter_the_rows(medications, key, expected):
    """Does each question leave only the medications that answer it, and say so in words?"""
    medications.question_picker.value = key
    assert medications.question == key
    assert body_rows(medications) == expected
    count = f"{len(expected)} of 6 options {'matches' if len(expected) == 1 else 'match'}"
    assert count in medications.answer_text() and count in medications.describe()
    assert all(name in medications.answer_text() for name in expected)


@pytest.mark.parametrize("key, expected", [
    ("first-step", ["Detox (medically supervised withdrawal)"]),
    ("therapies", ["Cognitive behavioural therapy (CBT)", "Contingency management", "Motivational interviewing"]),
    ("strong", ["Contingency management"]),
    ("settings", ["Inpatient or residential care", "Partial hospitalisation", "Intensive outpatient", "Outpatient care",
                  "Telehealth"]),
    ("thinner", ["Narcotics Anonymous (NA)", "SMART Recovery"]),
    ("during-and-after", ["Narcotics Anonymous (NA)", "SMART Recovery", "Aftercare (continuing care)"]),
    ("peer-led", ["Narcotics Anonymous (NA)", "SMART Recovery"]),
])
def test_care_option_questions_filter_the_rows(care, key, expected):
    """Does each care-options question leave only the options that answer it?"""
    care.question_picker.value = key
    assert body_rows(care) == expected
    assert f"{len(expected)} of 13 options" in care.answer_text()


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_question_has_an_answer(dataset):
    """Does every question offered match at least one option, and not all of them (so it teaches something)?"""
    table = TreatmentTable(dataset)
    for question in DATASETS[dataset].questions:
        table.question = question.key
        assert 0 < len(table.matches()) < len(table.options), question.text


def test_no_question_shows_everything_again(medications):
    """Does going back to 'All options' bring every row back?"""
    medications.question = "antagonists"
    medications.question_picker.value = ""
    assert body_rows(medications) == MEDICATIONS


def test_sort_by_a_column_reorders_the_rows(medications):
    """Does sorting by Mechanism order the rows A to Z by that column's text, and say so?"""
    before = medications.table.value
    medications.sort_picker.value = "Mechanism"
    assert medications.sort_by == "Mechanism"
    rows = body_rows(medications)
    assert [r.split(" (")[0] for r in rows] == ["Naltrexone", "Naltrexone", "Methadone", "Buprenorphine", "Buprenorphine", "Buprenorphine"]
    texts = [medications.cell_value(r, "Mechanism").casefold() for r in rows]
    assert texts == sorted(texts)
    assert medications.table.value != before
    assert "sorted by Mechanism (A to Z)" in medications.describe()


def test_sort_by_name_and_back_to_course_order(care):
    """Does sorting by name put the options in alphabetical order, and course order restore the original?"""
    original = body_rows(care)
    care.sort_picker.value = "option"
    assert body_rows(care) == sorted(original, key=str.casefold)
    care.sort_picker.value = ""
    assert body_rows(care) == original


def test_sort_reads_numbers_as_numbers(medications):
    """Does sorting by the deaths column compare numbers by value, not as text?"""
    medications.sort_by = "Deaths in vs out of treatment"
    rows = body_rows(medications)
    assert rows.index("Buprenorphine (under the tongue)") < rows.index("Methadone")  # 4.3 before 11.3


def test_sort_and_question_combine(medications):
    """Does a sort apply to the rows a question leaves?"""
    medications.question = "monthly-injection"
    medications.sort_by = "Mechanism"
    assert body_rows(medications) == ["Naltrexone (monthly injection)", SUBLOCADE, BRIXADI]


def test_highlight_marks_the_columns_that_differ(medications):
    """With highlighting on, are exactly the differing columns marked in colour and in words?"""
    medications.question = "monthly-injection"
    assert "oud-differs" not in medications.table.value
    medications.highlight_box.value = True
    assert medications.highlight
    differing = medications.differing_attributes()
    assert "Mechanism" in differing and "How it is taken" in differing and "Clinic visits at first" not in differing
    value = medications.table.value
    assert value.count("(differs)</em></th>") == len(differing)
    assert value.count('<td class="oud-differs"') == len(differing) * 3
    assert "they differ in Mechanism" in medications.describe() and "alike in Clinic visits at first" in medications.describe()


def test_highlight_with_one_row_finds_no_difference(medications):
    """With a single row on show, does the highlight say nothing differs?"""
    medications.question, medications.highlight = "full-agonists", True
    assert medications.differing_attributes() == []
    assert "differ in no column" in medications.describe()


def test_show_sources_marks_every_cell(medications):
    """With sources shown, does every cell carry source numbers, each number listed under the table?"""
    assert "oud-source-mark" not in medications.table.value
    medications.sources_box.value = True
    value = medications.table.value
    assert value.count('<sup class="oud-source-mark">') == len(medications.options) * len(medications.attributes)
    sources = medications.source_list()
    assert value.count("<li>") == len(sources) >= 5
    for number in range(1, len(sources) + 1):
        assert f"[{number}]" in value
    assert any("Sordo" in s and "2017" in s for s in sources)
    assert f"{len(sources)} sources listed" in medications.describe()


def test_sources_follow_the_rows_on_show(care):
    """Does the source list shrink to the sources of the rows a question leaves?"""
    care.show_sources = True
    everything = care.source_list()
    care.question = "peer-led"
    assert set(care.source_list()) < set(everything)
    assert care.table.value.count('<sup class="oud-source-mark">') == 2 * len(care.attributes)


def test_care_options_show_their_own_data(care):
    """Does TreatmentTable("care_options") show the thirteen care options, levels of care included, and their columns?"""
    assert care.dataset == "care_options"
    assert len(body_rows(care)) == 13 and body_rows(care)[0] == "Detox (medically supervised withdrawal)"
    assert {"Intensive outpatient", "Partial hospitalisation", "Peer recovery support"} <= set(body_rows(care))
    assert care.attributes[0] == "Type" and "Evidence for OUD" in care.attributes
    assert "Detox, therapies, care settings and support table" in care.describe()


@pytest.mark.parametrize("change, expected", [
    ({"question_picker": "antagonists"}, "question"),
    ({"sort_picker": "Mechanism"}, "sort"),
    ({"highlight_box": True}, "highlight"),
    ({"sources_box": True}, "sources"),
])
def test_every_control_alone_redraws(medications, change, expected):
    """Does each control on its own rewrite the table's HTML?"""
    before = medications.table.value
    (name, value), = change.items()
    getattr(medications, name).value = value
    assert medications.table.value != before, expected


def test_controls_are_labelled_standard_widgets(medications):
    """Are the controls keyboard-operable ipywidgets with the labels the lesson names, on a classed root?"""
    assert isinstance(medications.question_picker, widgets.Dropdown) and medications.question_picker.description == "Question:"
    assert isinstance(medications.sort_picker, widgets.Dropdown) and medications.sort_picker.description == "Sort by:"
    assert isinstance(medications.highlight_box, widgets.Checkbox)
    assert medications.highlight_box.description == "Highlight where options differ"
    assert isinstance(medications.sources_box, widgets.Checkbox) and medications.sources_box.description == "Show sources"
    assert "oud-treatment-table" in medications._dom_classes


def test_rejects_unknown_dataset_question_and_sort(medications):
    """Are impossible states refused rather than shown?"""
    with pytest.raises(ValueError, match="dataset must be one of"):
        TreatmentTable("prices")
    with pytest.raises(Exception, match="question must be"):
        medications.question = "cheapest"
    with pytest.raises(Exception, match="sort_by must be"):
        medications.sort_by = "Price"


def test_constructor_arguments_set_the_state():
    """Does the constructor accept a starting question, sort, highlight and sources?"""
    table = TreatmentTable("medications", question="antagonists", sort_by="option", highlight=True, show_sources=True)
    assert table.question_picker.value == "antagonists" and table.sort_picker.value == "option"
    assert table.highlight_box.value and table.sources_box.value
    assert body_rows(table) == ["Naltrexone (monthly injection)", "Naltrexone (tablet)"]
    assert "oud-source-mark" in table.table.value
