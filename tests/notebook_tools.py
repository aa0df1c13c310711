"""Running notebooks in a real kernel and reading their outputs, for the notebook tests."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient


def execute(nb: nbformat.NotebookNode, cwd: str, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell in a fresh python3 kernel, errors recorded rather than raised."""
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": cwd}}).execute()
    return nb


def error_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Every error or stderr output, as 'cell id: text', so a failure says where."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"{cell.get('id')}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"{cell.get('id')}: stderr: {output.text[:300]}")
    return found


def stdout_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
