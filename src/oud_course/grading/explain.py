"""ExplainItems: feedback that teaches: each item's explanation beside its verdict, once the check's answers are out.

A practice check's feedback explains at once; a check for credit, once its due date and every
extension on it have passed (``oud_course.term.explanations_open``), so a classmate who still has
time cannot read the answers in someone's feedback. The explanation comes from the gradebook,
where the release recorded it (``oud_course.grading.contract``); the hidden test never shows.
"""

from __future__ import annotations

import html
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from oud_course.grading import contract
from oud_course.grading.decide import is_item_test


class ExplainItems(NbGraderPreprocessor):
    """Feedback step: add the item's explanation under each item test's verdict when the check's answers are out."""

    course_root = Unicode("", help="The course folder, whose course_config.py says each check's flavour and due date.").tag(config=True)

    def _open(self, assignment: str) -> bool:
        from oud_course.build import course_settings
        from oud_course.term import explanations_open

        return bool(self.course_root) and explanations_open(course_settings(Path(self.course_root)), assignment)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        if not (info.get("db_url") and info.get("notebook")) or not self._open(info["assignment"]):
            return nb, resources
        recorded = contract.load(info["db_url"], info["assignment"], info["notebook"])
        for cell in nb.cells:
            item = cell.metadata.get("nbgrader", {}).get("grade_id")
            explanation = recorded.get(item, {}).get("explanation", {}).get("explanation", "") if is_item_test(cell) else ""
            if explanation:
                cell.outputs.append(new_output("display_data", data={
                    "text/html": f"<p><b>Why:</b> {html.escape(explanation)}</p>",
                    "text/plain": f"Why: {explanation}"}))
        return nb, resources
