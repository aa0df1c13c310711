"""Item kinds of the comprehension checks: how an answer is read, checked for form, and normalised.

The same functions serve the learner's self-check (in the kernel) and the grader (in a clean
process), so both always agree on what counts as the same answer.
"""

from __future__ import annotations

import json
import math
from typing import Any

KINDS = ("choice", "truefalse", "select", "order", "number", "classify")


class FormError(ValueError):
    """An answer of the wrong type or shape; the message tells the learner what is expected."""


def _quoted(options: list[str]) -> str:
    return ", ".join(f'"{o}"' for o in options)


def _text(item: str, value: Any, options: list[str], what: str) -> str:
    if type(value) is not str:
        raise FormError(f"{item}: each {what} should be text in quotes, such as \"{options[0]}\", not {type(value).__name__}.")
    text = value.strip().lower()
    if text not in options:
        raise FormError(f"{item}: {value!r} is not one of the options {_quoted(options)}.")
    return text


def check_declaration(spec: dict) -> None:
    """Raise ValueError naming what is wrong with an item declaration."""
    item = spec.get("item", "?")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{item}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if kind in ("choice", "select", "order", "classify"):
        options = spec.get("options")
        if not options or any(type(o) is not str or o != o.strip().lower() for o in options):
            raise ValueError(f"{item}: 'options' must be a list of lower-case strings")
    if kind == "classify" and not spec.get("labels"):
        raise ValueError(f"{item}: a classify item needs 'labels' (the categories)")
    if kind == "number" and type(spec.get("digits")) is not int:
        raise ValueError(f"{item}: a number item needs 'digits' (decimal places compared)")
    if not isinstance(spec.get("accept", []), list):
        raise ValueError(f"{item}: 'accept' must be a list of further answers that are also right")


def normalise(spec: dict, value: Any) -> Any:
    """Return the canonical JSON value of a well-formed answer, or raise FormError.

    Types are checked before values: only the exact built-in types count, so an object that
    pretends to be a string, or to equal everything, is a FormError, never a right answer.
    """
    item, kind = spec["item"], spec["kind"]
    options = spec.get("options", [])
    if kind == "choice":
        return _text(item, value, options, "answer")
    if kind == "truefalse":
        if type(value) is not bool:
            raise FormError(f"{item}: answer True or False (without quotes), not {value!r}.")
        return value
    if kind == "select":
        if type(value) not in (set, frozenset, list, tuple):
            raise FormError(f"{item}: answer with a set of options in braces, such as {{\"{options[0]}\"}}.")
        return sorted({_text(item, v, options, "option") for v in value})
    if kind == "order":
        if type(value) not in (list, tuple):
            raise FormError(f"{item}: answer with a list in square brackets, such as [{_quoted(options)}] in your order.")
        chosen = [_text(item, v, options, "step") for v in value]
        if sorted(chosen) != sorted(options):
            raise FormError(f"{item}: use each of {_quoted(options)} exactly once.")
        return chosen
    if kind == "number":
        if type(value) not in (int, float) or not math.isfinite(value):
            raise FormError(f"{item}: answer with a number (digits, no quotes or % sign), not {value!r}.")
        if spec.get("whole") and value != int(value):
            raise FormError(f"{item}: answer with a whole number, such as 3, not {value!r}.")
        digits = spec["digits"]
        return f"{round(value, digits):.{digits}f}"
    if kind == "classify":
        labels = spec["labels"]
        if type(value) is not dict:
            raise FormError(f"{item}: answer with a dictionary, such as {{\"{options[0]}\": \"{labels[0]}\", ...}}.")
        if sorted(k.strip().lower() if type(k) is str else repr(k) for k in value) != sorted(options):
            raise FormError(f"{item}: give a category for each of {_quoted(options)}, and nothing else.")
        return sorted([_text(item, k, options, "entry"), _text(item, v, labels, "category")] for k, v in value.items())
    raise ValueError(f"{item}: unknown kind {kind!r}")


def canonical_bytes(spec: dict, value: Any) -> bytes:
    """The bytes that are hashed for the self-check: the item id and its canonical answer."""
    return json.dumps([spec["item"], normalise(spec, value)], separators=(",", ":")).encode()


def grade(spec: dict, value: Any) -> tuple[bool, str]:
    """Compare an answer with ``spec["answer"]`` (already canonical); return (passed, message)."""
    item = spec["item"]
    if value is None:
        return False, f"{item}: not answered."
    try:
        answer = normalise(spec, value)
    except FormError as error:
        return False, str(error)
    if answer == spec["answer"] or answer in spec.get("also", []):  # "also": other answers the item accepts
        return True, f"{item}: right."
    return False, f"{item}: not right."
