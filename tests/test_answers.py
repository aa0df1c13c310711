"""Answers cross from the student's kernel to the grader as JSON of exact built-in types only."""

import json

import pytest

from oud_course.answers import Unreadable, decode, encode


@pytest.mark.parametrize(
    "value",
    [None, True, 3, 2.5, "b", ["a", "b"], ("a", "b"), {"a", "c"}, frozenset({"x"}), {"k": "v"}, float("inf")],
)
def test_plain_values_round_trip(value):
    """Does a plain value come back equal, and of the same type, after JSON?"""
    back = decode(json.loads(json.dumps(encode(value))))
    assert back == value and type(back) in (type(value), set)


class Rigged(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize("value", [Rigged("b"), [Rigged("b")], {"k": Rigged("v")}, object(), lambda: 1])
def test_anything_else_arrives_unreadable(value):
    """Does a subclass or arbitrary object arrive as Unreadable, naming its type, even nested?"""
    back = decode(json.loads(json.dumps(encode(value))))
    flat = back if isinstance(back, Unreadable) else (back[0] if isinstance(back, list) else back["k"])
    assert isinstance(flat, Unreadable)


def test_huge_or_deep_values_are_refused():
    """Is a huge or deeply nested answer refused rather than written out whole?"""
    assert encode(list(range(10_000))) == {"$unreadable": "list with more than 500 entries"}
    deep: list = []
    for _ in range(20):
        deep = [deep]
    assert "$unreadable" in json.dumps(encode(deep))
