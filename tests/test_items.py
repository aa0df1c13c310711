"""Item kinds: form checks come before values, and only plain built-in values can be right."""

import pytest

from oud_course.items import FormError, check_declaration, grade, normalise

CHOICE = {"item": "q1", "kind": "choice", "options": ["a", "b", "c"]}
SELECT = {"item": "q2", "kind": "select", "options": ["a", "b", "c"]}
ORDER = {"item": "q3", "kind": "order", "options": ["a", "b", "c"]}
NUMBER = {"item": "q4", "kind": "number", "digits": 1}
WHOLE = {"item": "q5", "kind": "number", "digits": 0, "whole": True}
CLASSIFY = {"item": "q6", "kind": "classify", "options": ["x", "y"], "labels": ["p", "q"]}
TRUEFALSE = {"item": "q7", "kind": "truefalse"}


class EqualsEverything(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize(
    ("spec", "value", "canonical"),
    [
        (CHOICE, " B ", "b"),
        (SELECT, ["c", "a", "a"], ["a", "c"]),
        (SELECT, {"b"}, ["b"]),
        (ORDER, ("c", "a", "b"), ["c", "a", "b"]),
        (NUMBER, 63.949, "63.9"),
        (NUMBER, 64, "64.0"),
        (WHOLE, 5.0, "5"),
        (CLASSIFY, {"y": "Q", "x": "p"}, [["x", "p"], ["y", "q"]]),
        (TRUEFALSE, False, False),
    ],
)
def test_normalise_gives_one_canonical_form(spec, value, canonical):
    """Do equivalent spellings of an answer normalise to the same canonical value?"""
    assert normalise(spec, value) == canonical


@pytest.mark.parametrize(
    ("spec", "value", "says"),
    [
        (CHOICE, "d", "not one of the options"),
        (CHOICE, 2, "text in quotes"),
        (CHOICE, EqualsEverything("a"), "text in quotes"),
        (TRUEFALSE, 0, "True or False"),
        (TRUEFALSE, "False", "True or False"),
        (SELECT, "ab", "set of options"),
        (ORDER, ["a", "b"], "exactly once"),
        (ORDER, {"a", "b", "c"}, "list in square brackets"),
        (NUMBER, True, "a number"),
        (NUMBER, "64", "a number"),
        (NUMBER, float("nan"), "a number"),
        (WHOLE, 5.2, "whole number"),
        (CLASSIFY, {"x": "p"}, "a category for each"),
        (CLASSIFY, {"x": "p", "y": "r"}, "not one of the options"),
    ],
)
def test_malformed_answers_get_a_clear_message(spec, value, says):
    """Does a wrong-type or out-of-range answer raise FormError saying what is expected?"""
    with pytest.raises(FormError, match=says):
        normalise(spec, value)


def test_rigged_equality_never_passes():
    """Is an object whose == is always True graded wrong, because its type is checked first?"""
    assert grade({**CHOICE, "answer": "b"}, EqualsEverything("b")) == (False, 'q1: each answer should be text in quotes, such as "a", not EqualsEverything.')


def test_grade_reports_unanswered_right_and_wrong():
    """Does grade() tell apart None, a right answer and a wrong one?"""
    spec = {**CHOICE, "answer": "b"}
    assert grade(spec, None) == (False, "q1: not answered.")
    assert grade(spec, "b") == (True, "q1: right.")
    assert grade(spec, "a") == (False, "q1: not right.")


@pytest.mark.parametrize(
    "spec",
    [
        {"item": "q", "kind": "choise", "options": ["a"]},
        {"item": "q", "kind": "choice", "options": ["A"]},
        {"item": "q", "kind": "classify", "options": ["a"]},
        {"item": "q", "kind": "number"},
    ],
)
def test_bad_declarations_are_refused(spec):
    """Does a mistyped declaration stop the build with a message, instead of making a broken item?"""
    with pytest.raises(ValueError, match="q:"):
        check_declaration(spec)
