"""The bundled overdose-deaths table: its shape, its sources, and agreement with the course fact sheet."""

import re

import pytest

from oud_course.data import load, names

COLUMNS = ["year", "all_drug_deaths", "opioid_deaths", "status", "source", "note"]
# The table in the course fact sheet (facts.md, section 5), as the reference the CSV must match: final NCHS
# counts, and CDC's provisional count for 2024. None: no single count was verified at its source, so the cell stays empty.
FACTS = {
    2016: (63632, 42249, "final"),
    2017: (70237, 47600, "final"),
    2018: (67367, 46802, "final"),
    2019: (70630, 49860, "final"),
    2020: (91799, 68630, "final"),
    2021: (106699, 80411, "final"),
    2022: (107941, 81806, "final"),
    2023: (105007, None, "final"),
    2024: (80391, None, "provisional"),  # CDC's predicted provisional count, reported as "about 80,400"
}
ORGANISATIONS = ("CDC", "NCHS", "NIDA")


@pytest.fixture(scope="module")
def rows():
    return load("overdose_deaths.csv")


def count(cell: str):
    return int(cell) if cell else None


def test_is_shipped_with_the_package():
    """Is the table among the package's data files, loadable by name?"""
    assert "overdose_deaths.csv" in names()


def test_columns_are_exactly_the_documented_ones(rows):
    """Does every row have exactly the columns year, all_drug_deaths, opioid_deaths, status, source, note?"""
    assert rows and all(list(row) == COLUMNS for row in rows)


def test_one_whole_number_or_nothing_per_count_cell(rows):
    """Is every count cell a plain integer (no commas, ranges, words or decimals) or empty?"""
    for row in rows:
        assert re.fullmatch(r"\d{4}", row["year"])
        for column in ("all_drug_deaths", "opioid_deaths"):
            assert re.fullmatch(r"(\d+)?", row[column]), f"{row['year']} {column}: {row[column]!r} is not one number"


def test_years_are_unique_and_in_order(rows):
    """Is there one row per year, in increasing order?"""
    years = [int(row["year"]) for row in rows]
    assert years == sorted(set(years))


def test_matches_the_fact_sheet_exactly(rows):
    """Does every year carry exactly the fact sheet's numbers and status, and no year more or less?"""
    table = {int(row["year"]): (count(row["all_drug_deaths"]), count(row["opioid_deaths"]), row["status"]) for row in rows}
    assert table == FACTS


def test_status_is_final_or_provisional(rows):
    """Is every row's status one of final or provisional?"""
    assert {row["status"] for row in rows} <= {"final", "provisional"}


def test_every_row_names_organisation_document_year_and_url(rows):
    """Does every row's source give, for each document, the organisation, the document, its year and a https:// URL?"""
    for row in rows:
        for source in row["source"].split(";"):
            parts = [part.strip() for part in source.split(", ")]
            organisation, document, year, url = parts[0], ", ".join(parts[1:-2]), parts[-2], parts[-1]
            assert organisation.split("/")[0] in ORGANISATIONS, source
            assert document, f"{row['year']}: no document named in {source!r}"
            assert re.fullmatch(r"20\d\d", year) and int(year) >= int(row["year"]), source
            assert re.fullmatch(r"https://\S+", url), f"{row['year']}: no URL a learner can open in {source!r}"


def test_every_empty_cell_and_provisional_count_is_explained(rows):
    """Does the note say why wherever a count is left empty, and flag a provisional count?"""
    for row in rows:
        if not row["opioid_deaths"]:
            assert "Opioid-involved" in row["note"] and "left empty" in row["note"], row["year"]
        if not row["all_drug_deaths"]:
            assert "All drug" in row["note"], row["year"]
        if row["status"] == "provisional":
            assert "provisional" in row["note"].lower(), row["year"]


def test_a_row_without_an_empty_cell_or_a_provisional_count_has_no_note(rows):
    """Is the note kept for what needs explaining, so a note always means something about its row?"""
    for row in rows:
        if row["all_drug_deaths"] and row["opioid_deaths"] and row["status"] == "final":
            assert row["note"] == "", row["year"]


def test_opioid_involved_deaths_are_a_subset_of_all_overdose_deaths(rows):
    """Is every opioid-involved count smaller than the same year's count of all overdose deaths?"""
    for row in rows:
        if row["opioid_deaths"]:
            assert int(row["opioid_deaths"]) < int(row["all_drug_deaths"]), row["year"]


def test_the_plus_64_percent_claim_is_checkable_from_final_counts(rows):
    """Do the final opioid-involved counts give the +64.1% the lessons teach, and all overdose deaths +52.8%?"""
    by_year = {int(row["year"]): row for row in rows}
    assert by_year[2019]["status"] == by_year[2022]["status"] == "final"
    opioid = {y: int(by_year[y]["opioid_deaths"]) for y in (2019, 2022)}
    every = {y: int(by_year[y]["all_drug_deaths"]) for y in (2019, 2022)}
    assert round(100 * (opioid[2022] - opioid[2019]) / opioid[2019], 1) == 64.1
    assert round(100 * (every[2022] - every[2019]) / every[2019], 1) == 52.8
