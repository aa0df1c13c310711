"""The bundled overdose-deaths table: its shape, its sources, and agreement with the course fact sheet."""

import re

import pytest

from oud_course.data import load, names

COLUMNS = ["year", "all_drug_deaths", "opioid_deaths", "status", "source", "note"]
# The table in the course fact sheet (facts.md, section 5), as the reference the CSV must match.
# None: the fact sheet gives only a range ("about 80,400–82,300") or nothing ("—"), so the cell stays empty.
FACTS = {
    2016: (63632, 42249, "final"),
    2017: (70237, 47600, "final"),
    2018: (67367, None, "final"),
    2019: (70630, 49860, "final"),
    2020: (91799, None, "final"),
    2021: (106699, None, "final"),  # opioid-involved: about 80,400–82,300 (provisional), a range
    2022: (107941, None, "final"),  # opioid-involved: about 80,000–83,000, a range
    2023: (105007, None, "final"),
    2024: (80400, None, "provisional"),  # "about 80,400 (provisional)", one figure from CDC
}
ORGANISATIONS = ("CDC", "NCHS")


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


def test_every_row_names_organisation_document_and_year(rows):
    """Does every row's source name the organisation, the document and its year of publication?"""
    for row in rows:
        for source in row["source"].split(";"):
            organisation, *document, year = [part.strip() for part in source.split(",")]
            assert organisation.split("/")[0] in ORGANISATIONS, source
            assert document and all(document), f"{row['year']}: no document named in {source!r}"
            assert re.fullmatch(r"20\d\d", year) and int(year) >= int(row["year"]), source


def test_every_empty_cell_and_provisional_count_is_explained(rows):
    """Does the note say why wherever a count is left empty, and flag a provisional count?"""
    for row in rows:
        if not row["opioid_deaths"]:
            assert "Opioid-involved" in row["note"] and ("range" in row["note"] or "no count" in row["note"]), row["year"]
        if not row["all_drug_deaths"]:
            assert "All drug" in row["note"], row["year"]
        if row["status"] == "provisional":
            assert "provisional" in row["note"].lower(), row["year"]


def test_ranges_are_never_stored_as_numbers(rows):
    """Where the sources give only a range (2021 and 2022 opioid-involved deaths), is the cell empty and the range in the note?"""
    by_year = {int(row["year"]): row for row in rows}
    assert by_year[2021]["opioid_deaths"] == "" and "80,400 to 82,300" in by_year[2021]["note"]
    assert by_year[2022]["opioid_deaths"] == "" and "80,000 to 83,000" in by_year[2022]["note"]
