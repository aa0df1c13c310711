"""What a check notebook calls: ``check`` for instant feedback, ``grade`` inside the hidden tests.

Neither decides points. The grader reads the answer that ``grade`` writes out as plain JSON and
decides in a clean process (``oud_course.grading``), where code in the notebook cannot reach.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from oud_course import answers, items, progress, selfcheck

_MISSING = object()
results: dict[str, str] = {}  # item id -> last self-check outcome, for the end-of-check summary


def _answer_of(item: str, depth: int = 2) -> Any:
    """The learner's answer: the variable named ``item`` in the notebook that called us."""
    return sys._getframe(depth).f_globals.get(item, _MISSING)


def check(item: str, key: str) -> None:
    """Print whether the answer held in variable ``item`` is right and why, never the answer itself."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return  # the grade decides; the slow self-check hash would only slow grading down
    print(feedback(item, _answer_of(item), key))


def feedback(item: str, value: Any, key: str) -> str:
    """The self-check message for ``value``; also records the outcome for :func:`summary`."""
    fields = selfcheck.read_key(key)
    if value is _MISSING:
        outcome, text = "not answered", f"{item} is not defined yet: run the answer cell above first."
    elif value is None:
        outcome, text = "not answered", f"{item}: not answered yet. Replace None with your answer and run both cells."
    else:
        try:
            items.normalise(fields, value)
        except items.FormError as error:
            outcome, text = "malformed", str(error)
        else:
            if "verifier" not in fields:
                outcome, text = "answered", f"{item}: your answer has the right form. You will see whether it is right after grading."
            else:
                right, why = selfcheck.verify(fields, value)
                outcome = "right" if right else "not right"
                text = f"{item}: right. {why}" if right else f"{item}: not right yet. Hint: {why}"
    results[item] = outcome
    progress.record(progress.current_check(), item, outcome)
    return text


def summary() -> None:
    """Print how each item stood at its last self-check."""
    if not results:
        print("No self-checks run yet: answer an item and run the cell below it.")
        return
    right = sum(outcome == "right" for outcome in results.values())
    print(f"Self-check summary: {right} of {len(results)} checked items right.")
    for item, outcome in sorted(results.items()):
        print(f"  {item}: {outcome}")
    if os.environ.get("NBGRADER_EXECUTION") != "autograde":
        print("Your self-checks are also saved in a progress file. On Binder, download it (link below) before you\n"
              "leave: the session and its files vanish when it ends. To see all your checks, run this in a new cell:\n"
              "    from oud_course.progress import show_progress; show_progress()")
        _show(progress.download_link)


def _show(make_widget) -> None:
    """Display the widget ``make_widget()`` when running in a kernel (not in a plain Python process)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display(make_widget())


def grade(item: str, expect: dict | None = None) -> None:
    """Hidden test: write the answer out for the grader; with ``expect`` (only outside grading), assert it.

    When autograding, the notebook holds just ``grade(item)``: the expectation stays in the
    gradebook and ``oud_course.grading.DecideGrades`` decides there. The local assert keeps
    plain ``nbgrader validate`` of the source meaningful.
    """
    value = _answer_of(item)
    readout = {"item": item, "defined": value is not _MISSING, "answer": answers.encode(None if value is _MISSING else value)}
    try:
        from IPython.display import publish_display_data
    except ImportError:  # outside a kernel there is no one to read it out to
        pass
    else:
        publish_display_data({answers.MIME_TYPE: readout})
    if expect is not None:
        passed, message = items.grade({**expect, "item": item}, None if value is _MISSING else value)
        assert passed, message
