"""What a check notebook calls: ``check`` for instant feedback, ``grade`` inside the hidden tests.

Neither decides points. The grader reads the answer that ``grade`` writes out as plain JSON and
decides in a clean process (``oud_course.grading``), where code in the notebook cannot reach.
"""

from __future__ import annotations

import os
from typing import Any

from oud_course import answers, items, progress, selfcheck

results: dict[str, str] = {}  # item id -> last self-check outcome, for the end-of-check summary


def check(item: str, value: Any, key: str) -> None:
    """Print whether ``value``, the learner's answer to ``item``, is right and why, never the answer itself."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return  # the grade decides; the slow self-check hash would only slow grading down
    print(feedback(item, value, key))


def feedback(item: str, value: Any, key: str) -> str:
    """The self-check message for ``value``; also records the outcome for :func:`summary`."""
    fields = selfcheck.read_key(key)
    if value is None:
        outcome, text = "not answered", f"{item}: not answered yet. Replace None with your answer and run both cells."
    else:
        try:
            items.normalise(fields, value)
        except items.FormError as error:
            outcome, text = "malformed", str(error)
        else:
            if "verifier" not in fields:  # a check graded for credit: its key holds no answer to check against
                outcome, text = "answered", (f"{item}: your answer has the right form. Your instructor's grading decides "
                                             "whether it is right; you will see that in your feedback.")
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
    answered = sum(outcome == "answered" for outcome in results.values())
    if answered and not right:  # a check graded for credit: no item can be checked for rightness here
        print(f"Answer summary: {answered} of {len(results)} items answered in the right form. "
              "Your instructor grades them; you will see which are right in your feedback.")
    else:
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


def grade(item: str, value: Any) -> None:
    """Hidden test: write ``value``, the answer to ``item``, out for the grader as plain JSON; decide nothing here.

    ``oud_course.grading.DecideGrades`` decides in a clean process, with the expectation kept in the gradebook.
    """
    readout = {"item": item, "defined": True, "answer": answers.encode(value)}
    try:
        from IPython.display import publish_display_data
    except ImportError:  # outside a kernel there is no one to read it out to
        return
    publish_display_data({answers.MIME_TYPE: readout})
