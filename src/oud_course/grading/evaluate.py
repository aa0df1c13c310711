"""The clean grading process: ``python -I -m oud_course.grading.evaluate`` reads cases, prints verdicts.

Each case is a hidden test's expectation and the answer the submission wrote out as JSON.
Nothing from the submission runs here: answers are rebuilt from JSON into plain values.
"""

from __future__ import annotations

import json
import sys

from oud_course.answers import Unreadable, decode
from oud_course.items import grade


def evaluate(case: dict) -> dict:
    """Return ``{"passed": bool, "message": str}`` for one case."""
    item = case["item"]
    readout = case.get("readout")
    if readout is None:
        return {"passed": False, "message": f"{item}: not graded, because the notebook never wrote out an answer for it. {case.get('why', '')}".strip()}
    if not readout.get("defined", True):
        return {"passed": False, "message": f"{item}: not answered (the variable {item} was not defined)."}
    value = decode(readout.get("answer"))
    if isinstance(value, Unreadable):
        return {"passed": False, "message": f"{item}: the answer is {value.reason}, so it cannot be right."}
    passed, message = grade({**case["expect"], "item": item}, value)
    return {"passed": passed, "message": message}


def main() -> None:
    cases = json.load(sys.stdin)
    json.dump([evaluate(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
