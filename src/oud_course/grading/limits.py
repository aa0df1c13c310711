"""Caps and sanitizing for what a submission's kernel and cells put in the notebook.

TrimOutput caps every output of every MIME type and the notebook as a whole, so one huge
print or image cannot swamp the gradebook, the formgrader or feedback. InertOutputs makes
student-controlled HTML, SVG, markdown and script inert, so nothing in a submission runs in the
feedback page or in the instructor's formgrader page.
"""

from __future__ import annotations

import json

from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, default

_NOTE = "... output cut at {} characters ..."


class TrimOutput(NbGraderPreprocessor):
    """Cut any output text longer than ``max_chars``, drop any other output larger than ``max_bytes``,
    and drop the outputs of a notebook larger than ``max_notebook_bytes`` (nbgrader's LimitOutput counts lines only)."""

    max_chars = Integer(20_000, help="Most characters kept of one output's text.").tag(config=True)
    max_bytes = Integer(1_000_000, help="Largest image or other non-text output kept, in bytes.").tag(config=True)
    max_notebook_bytes = Integer(5_000_000, help="Largest autograded notebook; past it, outputs of non-test cells go.").tag(config=True)

    def _trim(self, text):
        if isinstance(text, list):
            text = "".join(text)
        if isinstance(text, str) and len(text) > self.max_chars:
            return text[: self.max_chars] + "\n" + _NOTE.format(self.max_chars) + "\n"
        return text

    def _trim_output(self, output):
        if "text" in output:
            output.text = self._trim(output.text)
        data = output.get("data", {})
        for mime in list(data):
            value = data[mime]
            if mime.startswith("text/") and isinstance(value, (str, list)):
                data[mime] = self._trim(value)
            elif len(json.dumps(value)) > self.max_bytes:
                del data[mime]
                data.setdefault("text/plain", f"[{mime} output of over {self.max_bytes:,} bytes removed]")
        if output.get("output_type") == "error":
            output.evalue = self._trim(output.get("evalue", ""))
            output.traceback = [self._trim(line) for line in output.get("traceback", [])[:200]]

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                self._trim_output(output)
        if len(json.dumps(nb)) > self.max_notebook_bytes:
            for cell in nb.cells:
                if cell.cell_type == "code" and not utils.is_grade(cell) and cell.outputs:
                    cell.outputs = [{"output_type": "stream", "name": "stdout",
                                     "text": "[outputs removed: the notebook was over its size limit]\n"}]
        return nb, resources


def _trusted(cell) -> bool:
    """Cells whose source the gradebook restores (locked, or tests): the instructor wrote them."""
    return utils.is_locked(cell) or (utils.is_grade(cell) and not utils.is_solution(cell))


class InertOutputs(SanitizeHTML):
    """Escape HTML, drop script, SVG and widget outputs from every output, and escape HTML in cells a student can edit."""

    @default("enabled")
    def _on(self) -> bool:
        return True  # nbconvert's preprocessors are off unless enabled; this one is only ever listed to run

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code":
            cell.outputs = self.sanitize_code_outputs(cell.get("outputs", []))
            for output in cell.outputs:
                if output.get("output_type") in ("display_data", "execute_result") and not output.get("data"):
                    output.data = {"text/plain": "[output removed: a type that could run script]"}
        elif not _trusted(cell) and "<" in cell.source:
            cell.source = self.sanitize_html_tags(cell.source)
        if cell.get("attachments") and not _trusted(cell):
            del cell["attachments"]
        return cell, resources
