"""TrimOutput: cap the characters of every output, so one huge print cannot swamp the gradebook or feedback."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer


class TrimOutput(NbGraderPreprocessor):
    """Cut any output text longer than ``max_chars`` (nbgrader's LimitOutput counts lines, not characters)."""

    max_chars = Integer(20_000, help="Most characters kept of one output's text.").tag(config=True)

    def _trim(self, text):
        if isinstance(text, list):
            text = "".join(text)
        if isinstance(text, str) and len(text) > self.max_chars:
            return text[: self.max_chars] + f"\n... output cut at {self.max_chars} characters ...\n"
        return text

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "text" in output:
                output.text = self._trim(output.text)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    output.data[mime] = self._trim(value)
            if output.get("output_type") == "error":
                output.evalue = self._trim(output.get("evalue", ""))
        return cell, resources
