"""Answers as plain JSON: written out by the student's kernel, read back by the grader.

Only exact built-in types cross over; anything else (a subclass, an object with a rigged
``__eq__``) arrives as an "unreadable" marker naming its type, so it can never pass a test.
"""

from __future__ import annotations

import math
from typing import Any

MIME_TYPE = "application/vnd.oud-course.answer+json"
_MAX_DEPTH = 8
_MAX_ITEMS = 500


def encode(value: Any, depth: int = 0) -> Any:
    """Turn a value of exact built-in types into JSON, tagging tuples, sets, dicts and odd floats."""
    kind = type(value)
    if depth > _MAX_DEPTH:
        return {"$unreadable": "nested too deeply"}
    if value is None or kind in (bool, int, str):
        if kind is int and abs(value) > 2**63:
            return {"$unreadable": "int too large"}
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if kind in (list, tuple, set, frozenset, dict) and len(value) > _MAX_ITEMS:
        return {"$unreadable": f"{kind.__name__} with more than {_MAX_ITEMS} entries"}
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {"$tuple": [encode(v, depth + 1) for v in value]}
    if kind in (set, frozenset):
        return {"$set": sorted((encode(v, depth + 1) for v in value), key=repr)}
    if kind is dict:
        return {"$dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    return {"$unreadable": kind.__name__}


class Unreadable:
    """Stands for an answer the grader could not read; it equals nothing and has no normal type."""

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"<unreadable answer: {self.reason}>"


def decode(data: Any) -> Any:
    """Rebuild the Python value that :func:`encode` wrote out (in the grader, from trusted JSON)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if isinstance(data, dict):
        if set(data) == {"$tuple"} and isinstance(data["$tuple"], list):
            return tuple(decode(v) for v in data["$tuple"])
        if set(data) == {"$set"} and isinstance(data["$set"], list):
            items = [decode(v) for v in data["$set"]]
            try:
                return set(items)
            except TypeError:
                return Unreadable("a set of unhashable values")
        if set(data) == {"$dict"} and isinstance(data["$dict"], list):
            try:
                return {decode(k): decode(v) for k, v in data["$dict"]}
            except (TypeError, ValueError):
                return Unreadable("a malformed dictionary")
        if set(data) == {"$float"}:
            return float(data["$float"]) if data["$float"] in ("nan", "inf", "-inf") else Unreadable("a float")
        if set(data) == {"$unreadable"}:
            return Unreadable(f"a {data['$unreadable']} object, not a plain value")
        return Unreadable("an unexpected structure")
    if data is None or type(data) in (bool, int, float, str):
        return data
    return Unreadable(type(data).__name__)
