"""The comparison tables' data files: their shape, their values, and a named source for every value."""

import re

import pytest

from oud_course.data import load, names

COLUMNS = ["option", "attribute", "value", "category", "source"]
FILES = ["treatments.csv", "care_options.csv"]
# A citation is "Organisation, Document, Year"; a cell with several joins them with " | ".
CITATION = re.compile(r"(?P<organisation>[^,|]+?), (?P<document>[^|]+?), (?P<year>\d{4})")
STIGMATIZING = re.compile(r"\b(addicts?|junkies?|abusers?|clean|dirty)\b", re.I)
DOSE_UNITS = re.compile(r"\b\d+\s*(mg|milligrams?|mcg|micrograms?|ml)\b", re.I)


@pytest.fixture(scope="module", params=FILES)
def rows(request):
    return load(request.param)


@pytest.mark.parametrize("name", FILES)
def test_is_shipped_with_the_package(name):
    """Is the file among the package's data files, loadable by name?"""
    assert name in names()


def test_columns_are_exactly_the_documented_ones(rows):
    """Does every row have exactly the columns option, attribute, value, category, source?"""
    assert rows and all(list(row) == COLUMNS for row in rows)


def test_every_cell_is_filled_text(rows):
    """Is every cell a non-empty string without stray spaces at either end?"""
    for row in rows:
        for column, text in row.items():
            assert isinstance(text, str) and text and text == text.strip(), f"{row['option']} / {column}: {text!r}"


def test_categories_are_lower_case_slugs(rows):
    """Is every category a lower-case slug (the filters and highlights compare these, not the wording)?"""
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["category"]) for row in rows)


def test_every_option_has_every_attribute_exactly_once(rows):
    """Is the table a full grid: one value for each option under each attribute, none twice?"""
    options = list(dict.fromkeys(r["option"] for r in rows))
    attributes = list(dict.fromkeys(r["attribute"] for r in rows))
    pairs = [(r["option"], r["attribute"]) for r in rows]
    assert len(pairs) == len(set(pairs)) == len(options) * len(attributes)


def test_every_source_names_organisation_document_and_year(rows):
    """Does every row's source name, for each citation, an organisation, a document and a plausible year?"""
    for row in rows:
        for citation in row["source"].split(" | "):
            found = CITATION.fullmatch(citation)
            assert found, f"{row['option']} / {row['attribute']}: {citation!r} is not 'Organisation, Document, Year'"
            assert len(found["organisation"]) >= 3 and len(found["document"]) >= 10
            assert 1984 <= int(found["year"]) <= 2025


def test_no_doses_and_person_first_language(rows):
    """Is no value a dose, and is every value free of stigmatizing words?"""
    for row in rows:
        assert not DOSE_UNITS.search(row["value"]), row["value"]
        assert not STIGMATIZING.search(row["value"]), row["value"]


def test_medications_carry_the_fact_sheet_numbers():
    """Do the medication rows carry Sordo 2017's and X:BOT's numbers exactly as the fact sheet gives them?"""
    rows = {(r["option"], r["attribute"]): r for r in load("treatments.csv")}
    deaths = "Deaths in vs out of treatment"
    methadone, buprenorphine = rows[("Methadone", deaths)], rows[("Buprenorphine (under the tongue)", deaths)]
    for number in ("11.3", "36.1", "2.6", "12.7"):
        assert number in methadone["value"]
    for number in ("4.3", "9.5", "1.4", "4.6"):
        assert number in buprenorphine["value"]
    assert "Sordo" in methadone["source"] and "2017" in methadone["source"]
    xbot = rows[("Naltrexone (monthly injection)", "Other key evidence")]
    assert "72%" in xbot["value"] and "94%" in xbot["value"] and "2018" in xbot["source"]
    assert "7 to 10 days" in rows[("Naltrexone (tablet)", "What starting requires")]["value"]
    assert "29 Dec 2022" in rows[("Buprenorphine (under the tongue)", "Who can provide it")]["value"]


def test_medication_mechanisms_are_the_three_kinds():
    """Is methadone the full agonist, buprenorphine the partial agonist and naltrexone the antagonist?"""
    mechanism = {r["option"]: r["category"] for r in load("treatments.csv") if r["attribute"] == "Mechanism"}
    assert {o.split(" (")[0]: c for o, c in mechanism.items()} == {
        "Methadone": "full-agonist", "Buprenorphine": "partial-agonist", "Naltrexone": "antagonist"}


def test_care_options_put_detox_first_and_peer_groups_thinner():
    """Is detox marked a first step only, and are NA and SMART Recovery marked free, peer-led, thinner evidence?"""
    rows = {(r["option"], r["attribute"]): r for r in load("care_options.csv")}
    assert rows[("Detox (medically supervised withdrawal)", "Place in OUD care")]["category"] == "first-step"
    for group in ("Narcotics Anonymous (NA)", "SMART Recovery"):
        assert rows[(group, "Evidence for OUD")]["category"] == "thinner"
        assert rows[(group, "Who leads it")]["category"] == "peers" and "free" in rows[(group, "Who leads it")]["value"]
    assert rows[("Contingency management", "Evidence for OUD")]["category"] == "strong"
