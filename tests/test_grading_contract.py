"""The item contract and the preprocessors that use it, each on synthetic cells and a temporary gradebook, in milliseconds."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from traitlets.config import Config

from oud_course import checks, items, selfcheck
from oud_course.answers import MIME_TYPE, encode
from oud_course.grading import contract
from oud_course.grading.decide import DecideGrades
from oud_course.grading.explain import ExplainItems

SPEC = {"item": "q1", "kind": "order", "options": ["a", "b", "c"], "points": 2, "hint": "Think of the order.",
        "explanation": "Use comes first.", "accept": [["b", "a", "c"]]}


def test_hidden_test_follows_the_configured_delimiters_and_names_its_item():
    """Is the hidden test written with nbgrader's configured delimiters, and read back to its item (and only ours)?"""
    config = Config({"ClearHiddenTests": {"begin_test_delimeter": "BEGIN SECRET", "end_test_delimeter": "END SECRET"}})
    test = contract.hidden_test("q7", config)
    assert test.splitlines()[0] == "### BEGIN SECRET" and "grade('q7', q7)" in test
    assert contract.graded_item(test, config) == "q7"
    assert contract.graded_item(contract.hidden_test("q7")) == "q7"
    assert contract.graded_item("### BEGIN HIDDEN TESTS\nassert x == 1\n### END HIDDEN TESTS") is None


def test_expectation_is_json_with_every_accepted_answer():
    """Does an expectation carry the kind's fields, the normalised key and each other accepted answer, and nothing else?"""
    expect = contract.expectation(SPEC, ["a", "b", "c"])
    assert expect == {"kind": "order", "options": ["a", "b", "c"], "answer": ["a", "b", "c"], "also": [["b", "a", "c"]]}
    assert items.grade({**expect, "item": "q1"}, ["b", "a", "c"]) == (True, "q1: right.")
    assert items.grade({**expect, "item": "q1"}, ["c", "a", "b"]) == (False, "q1: not right.")


def test_self_check_accepts_each_accepted_answer_and_unseals_the_explanation():
    """Does a key with another accepted answer call both right, and unseal the explanation for each?"""
    key = selfcheck.make_key(SPEC, ["a", "b", "c"], selfcheck.derive_salt("c", "a", "q1"))
    fields = selfcheck.read_key(key)
    assert selfcheck.verify(fields, ["a", "b", "c"]) == (True, "Use comes first.")
    assert selfcheck.verify(fields, ["b", "a", "c"]) == (True, "Use comes first.")
    assert selfcheck.verify(fields, ["c", "b", "a"]) == (False, "Think of the order.")


def test_expectations_are_kept_in_the_gradebook_per_notebook(tmp_path):
    """Does the gradebook keep each notebook's expectations, replace them on a new release, and answer {} before any?"""
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assert contract.load(url, "a1", "nb") == {}
    contract.save(url, "a1", "nb", {"q1": {"kind": "truefalse", "answer": True}}, {"q1": {"explanation": "why"}})
    contract.save(url, "a1", "other", {"q9": {"kind": "truefalse", "answer": False}}, {})
    contract.save(url, "a1", "nb", {"q2": {"kind": "truefalse", "answer": False}}, {})
    assert contract.load(url, "a1", "nb") == {"q2": {"expect": {"kind": "truefalse", "answer": False}, "explanation": {}}}
    assert list(contract.load(url, "a1", "other")) == ["q9"]


def item_test(item: str, answer, points: int = 1):
    """A check cell as it stands after execution: the hidden test wrote ``answer`` out for the grader."""
    readout = {"item": item, "defined": True, "answer": encode(answer)}
    return new_code_cell(contract.hidden_test(item), outputs=[new_output("display_data", data={MIME_TYPE: readout})],
                         metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": item, "points": points,
                                                "locked": True, "schema_version": 3}})


@pytest.fixture
def recorded(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    contract.save(url, "a1", "nb", {"q1": {"kind": "truefalse", "answer": True}, "q2": {"kind": "truefalse", "answer": False}},
                  {"q1": {"explanation": "Tolerance comes with regular use."}})
    return url


def decide(nb, resources, **traits):
    DecideGrades(store=False, **traits).preprocess(nb, resources)
    return [cell.outputs[-1] for cell in nb.cells]


def test_decide_grades_reads_the_expectation_once_from_the_gradebook(recorded):
    """Does DecideGrades decide each item from the gradebook's record: a right answer passes, a wrong one fails?"""
    nb = new_notebook(cells=[item_test("q1", True), item_test("q2", True)])
    right, wrong = decide(nb, {"nbgrader": {"db_url": recorded, "assignment": "a1", "notebook": "nb", "student": "s"}})
    assert right["text"] == "Graded: q1: right.\n"
    assert wrong["ename"] == "NotRight" and wrong["evalue"] == "q2: not right."


def test_decide_grades_ignores_an_answer_written_for_another_item(recorded):
    """Does an answer record naming another item earn nothing (a cell cannot answer for its neighbour)?"""
    cell = item_test("q1", True)
    cell.outputs[0]["data"][MIME_TYPE]["item"] = "q2"
    (verdict,) = decide(new_notebook(cells=[cell]), {"nbgrader": {"db_url": recorded, "assignment": "a1", "notebook": "nb"}})
    assert verdict["ename"] == "NotRight" and "never wrote out an answer" in verdict["evalue"]


def test_decide_grades_outside_a_course_uses_the_given_expectations():
    """Outside a gradebook (validation, tests), does DecideGrades decide with the expectations it is given?"""
    nb = new_notebook(cells=[item_test("q1", False)])
    (verdict,) = decide(nb, {}, expectations={"q1": {"kind": "truefalse", "answer": False}})
    assert verdict["text"] == "Graded: q1: right.\n"


@pytest.mark.parametrize("flavour, due, shown", [("practice", None, True), ("credit", "2000-01-01T00:00:00+00:00", True),
                                                 ("credit", "2999-01-01T00:00:00+00:00", False)])
def test_explanations_show_in_feedback_once_the_answers_are_out(tmp_path, recorded, flavour, due, shown):
    """Does feedback explain each item at once for practice, and for credit only after the due date?"""
    entry = {"flavour": flavour, **({"due": due} if due else {})}
    (tmp_path / "course_config.py").write_text(f"ASSIGNMENTS = ['a1']\nCHECKS = {{'a1': {entry!r}}}\n")
    cell = item_test("q1", True)
    cell.outputs = [new_output("stream", name="stdout", text="Graded: q1: right.\n")]
    nb = new_notebook(cells=[cell])
    ExplainItems(course_root=str(tmp_path)).preprocess(nb, {"nbgrader": {"db_url": recorded, "assignment": "a1", "notebook": "nb"}})
    texts = [o.get("data", {}).get("text/plain", "") for o in cell.outputs]
    assert ("Why: Tolerance comes with regular use." in texts) is shown


def test_graded_flavour_summary_says_the_instructor_grades(capsys, monkeypatch):
    """With keys that hold no answer (a check for credit), does the summary say the instructor grades, not "0 right"?"""
    monkeypatch.setattr(checks, "results", {})
    monkeypatch.setattr(checks.progress, "record", lambda *args: None)
    key = selfcheck.make_key({**SPEC, "accept": []}, ["a", "b", "c"], b"0" * 16, self_check=False)
    assert "instructor's grading decides" in checks.feedback("q1", ["c", "b", "a"], key)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # no progress widget in a plain process
    checks.summary()
    assert "Answer summary: 1 of 1 items answered in the right form. Your instructor grades them" in capsys.readouterr().out


def test_a_credit_check_is_generated_without_self_check_keys_wherever_generate_runs():
    """Does DeriveItemChecks (also behind the formgrader's Generate) build a check listed as credit without answer keys?"""
    from nbformat import read

    from course_tools import CHECKS
    from oud_course.grading.derive import DeriveItemChecks

    def keys(credit):
        nb = read(CHECKS[0], as_version=4)
        DeriveItemChecks(credit=credit).preprocess(nb, {"nbgrader": {"assignment": CHECKS[0].parent.name}})
        sources = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and "check(" in c.source]
        return [selfcheck.read_key(s.split(", '", 1)[1].split("'")[0]) for s in sources]

    assert all("verifier" in k for k in keys([]))
    assert keys([CHECKS[0].parent.name]) and not any("verifier" in k for k in keys([CHECKS[0].parent.name]))
