"""What a submission's outputs may put in the autograded notebook: capped in size, with nothing that runs."""

from __future__ import annotations

import json

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from oud_course.grading.limits import InertOutputs, TrimOutput

PAYLOAD = '<img src="x" onerror="alert(1)"><script>alert(2)</script><b>bold</b>'


def nbgrader(**meta) -> dict:
    return {"nbgrader": {"grade_id": "c", "schema_version": 3, "grade": False, "solution": False, "locked": False,
                         "task": False, **meta}}


def display(data: dict):
    return new_output("display_data", data=data)


def run(preprocessor, *cells):
    nb = new_notebook(cells=list(cells))
    preprocessor.preprocess(nb, {})
    return nb


def test_every_mime_type_is_capped():
    """Is a huge image replaced by a note, and huge text cut, while small outputs stay as they were?"""
    cell = new_code_cell("x", outputs=[display({"image/png": "A" * 3_000_000}), display({"text/html": "y" * 50_000}),
                                       display({"image/png": "small"})])
    run(TrimOutput(max_chars=1_000, max_bytes=100_000), cell)
    big, html, small = cell.outputs
    assert "image/png" not in big.data and "removed" in big.data["text/plain"]
    assert len(html.data["text/html"]) < 1_100 and "cut at 1000" in html.data["text/html"]
    assert small.data == {"image/png": "small"}


def test_a_notebook_over_its_cap_loses_student_outputs_but_keeps_test_verdicts():
    """Past the notebook cap, do ordinary cells lose their outputs while test cells keep the grader's verdict?"""
    answer = new_code_cell("x", outputs=[display({"text/plain": "z" * 20_000})] * 10, metadata=nbgrader(solution=True))
    test = new_code_cell("t", outputs=[new_output("stream", name="stdout", text="Graded: q1: right.\n")],
                         metadata=nbgrader(grade=True, points=1, locked=True))
    nb = run(TrimOutput(max_notebook_bytes=50_000), answer, test)
    assert len(json.dumps(nb)) < 50_000
    assert "size limit" in answer.outputs[0]["text"]
    assert test.outputs[0]["text"] == "Graded: q1: right.\n"


def test_html_and_svg_and_script_outputs_become_inert():
    """Is HTML escaped of script and handlers, and are SVG, JavaScript and widget outputs removed?"""
    cell = new_code_cell("x", outputs=[display({"text/html": PAYLOAD}), display({"image/svg+xml": "<svg><script/></svg>"}),
                                       display({"application/javascript": "alert(3)"}),
                                       display({"application/vnd.jupyter.widget-view+json": {"model_id": "m"}})])
    run(InertOutputs(), cell)
    html = cell.outputs[0].data["text/html"]
    assert "<script>" not in html and "<img" not in html and "<b>bold</b>" in html
    for output in cell.outputs[1:]:
        assert list(output.data) == ["text/plain"] and "removed" in output.data["text/plain"]


def test_a_written_answer_is_escaped_but_instructor_cells_are_not():
    """Is raw HTML in a student's markdown answer escaped, while locked instructor text is left as written?"""
    answer = new_markdown_cell(PAYLOAD, metadata=nbgrader(solution=True, task=False))
    added = new_markdown_cell(PAYLOAD)  # a cell the student added
    instructor = new_markdown_cell("<details><summary>Hint</summary>x</details>", metadata=nbgrader(locked=True))
    run(InertOutputs(), answer, added, instructor)
    for cell in (answer, added):
        assert "<script>" not in cell.source and "<img" not in cell.source
    assert instructor.source == "<details><summary>Hint</summary>x</details>"


def test_output_past_the_cap_is_dropped_as_it_arrives_but_answers_still_count():
    """Past the submission's output cap, is further output dropped with one note, while answer records still arrive?"""
    from oud_course.answers import MIME_TYPE
    from oud_course.grading.execute import SafeExecute

    client = SafeExecute(sandbox=False, max_output_mb=1)
    client.reset_execution_trackers()
    client._output_bytes, client._output_capped, client.clear_before_next_output = 0, False, False

    def message(data):
        return {"msg_type": "display_data", "parent_header": {"msg_id": "m"}, "header": {"msg_type": "display_data"},
                "content": {"data": data, "metadata": {}, "transient": {}}}

    outs = []
    for _ in range(3):
        client.output(outs, message({"text/plain": "x" * 600_000}), None, 0)
    client.output(outs, message({MIME_TYPE: {"item": "q1", "defined": True, "answer": "b"}}), None, 0)
    kinds = [o.get("output_type") for o in outs]
    assert kinds == ["display_data", "stream", "display_data"]
    assert "dropped" in outs[1]["text"] and MIME_TYPE in outs[2]["data"]
