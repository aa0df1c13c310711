"""myths.json: every statement has a verdict, evidence and a named source."""

import re

import pytest

from oud_course.data import load

STATEMENTS = load("myths.json")["statements"]
VERDICTS = {"myth", "fact", "partly"}
SEEDS = {"000", "001", "002", "003", "004", None}


@pytest.mark.parametrize("entry", STATEMENTS, ids=lambda e: e["id"])
def test_entry_has_verdict_evidence_and_source(entry):
    """Does the entry have a statement, a verdict in the allowed set, evidence, and a source naming organisation, document and year?"""
    assert entry["statement"].strip() and entry["evidence"].strip()
    assert entry["verdict"] in VERDICTS
    source = entry["source"]
    assert source["organisation"].strip() and source["document"].strip()
    assert type(source["year"]) is int and 1990 <= source["year"] <= 2030
    assert entry["seed"] in SEEDS


def test_ids_are_unique():
    """Is every statement's id different?"""
    ids = [e["id"] for e in STATEMENTS]
    assert len(ids) == len(set(ids))


def test_all_three_verdicts_are_used():
    """Are there myths, facts and partly true statements to sort?"""
    assert {e["verdict"] for e in STATEMENTS} == VERDICTS


def test_the_seed_claims_facts_md_corrects_are_there_with_their_verdicts():
    """Do the seed claims corrected (or kept) by the fact sheet carry the fact sheet's verdicts?"""
    verdicts = {e["id"]: e["verdict"] for e in STATEMENTS}
    assert verdicts["tolerance-damage"] == "myth"
    assert verdicts["forced-release"] == "myth"
    assert verdicts["dependence-no-craving"] == "partly"  # oversimplified, as the fact sheet says
    assert verdicts["withdrawal-rarely-deadly"] == "partly"
    assert verdicts["naltrexone-best"] == "myth"
    assert verdicts["detox-alone"] == "fact"
    assert verdicts["deaths-up-64"] == "partly"


def test_no_helpline_numbers_from_the_seeds():
    """Is no phone number in the data (the source articles' numbers route to paid advertisers)?"""
    text = str(load("myths.json"))
    assert not re.search(r"\d{3}-\d{3}-\d{4}", text)


def test_the_64_percent_claim_is_keyed_as_lesson_06_teaches_it():
    """Is the +64% claim partly true, with the final opioid-involved counts and the all-deaths change lesson 06 computes?"""
    entry = next(e for e in STATEMENTS if e["id"] == "deaths-up-64")
    assert entry["verdict"] == "partly"
    for figure in ("49,860", "81,806", "64.1%", "70,630", "107,941"):
        assert figure in entry["evidence"], figure


def test_a_statement_called_oversimplified_is_not_keyed_a_plain_myth():
    """Does every entry whose evidence calls it oversimplified carry the verdict partly true?"""
    for entry in STATEMENTS:
        if "oversimplified" in entry["evidence"].lower():
            assert entry["verdict"] == "partly", entry["id"]


def test_receptor_mechanisms_cite_a_pharmacology_source_not_the_diagnostic_manual():
    """Does the tolerance statement, which explains receptor adaptation, cite pharmacology rather than DSM-5-TR?"""
    source = next(e for e in STATEMENTS if e["id"] == "tolerance-damage")["source"]
    assert "DSM" not in source["document"] and "Pharmacological Reviews" in source["organisation"]


def test_no_source_names_the_dsm5_tabulation_as_dsm5_tr():
    """Is DSM-5-TR cited as itself, not through the DSM-5 table in PMC6590307?"""
    assert "PMC6590307" not in str(load("myths.json"))
