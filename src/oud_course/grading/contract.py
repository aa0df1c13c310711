"""The item contract: what an item's hidden test says, and where its expectation lives between release and decision.

An item is declared once, on its answer cell (``metadata["oud_course"]`` and the solution region).
Its expectation (kind, options, the normalised answer and any other accepted answers) is plain
JSON. It is written once, when nbgrader generates the release, into a table of the class
gradebook, and read once, when DecideGrades decides. The hidden test in every notebook is only
``grade("q1", q1)``: it writes the learner's answer out for the grader, so no notebook, source,
release or submission ever carries an expectation, and nothing has to be stripped from one.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

from nbgrader.preprocessors import ClearHiddenTests

from oud_course.items import check_declaration, normalise

EXPECT_FIELDS = ("kind", "options", "labels", "digits", "whole")
TABLE = "oud_course_expectations"


def delimiters(config=None) -> tuple[str, str]:
    """nbgrader's hidden-test delimiters, as configured (``ClearHiddenTests.begin/end_test_delimeter``)."""
    defaults = ClearHiddenTests.class_traits()
    section = (config or {}).get("ClearHiddenTests", {})
    return (section.get("begin_test_delimeter", defaults["begin_test_delimeter"].default()),
            section.get("end_test_delimeter", defaults["end_test_delimeter"].default()))


def hidden_test(item: str, config=None) -> str:
    """The hidden test of an item's check cell: it hands the answer to the grader, and decides nothing itself."""
    begin, end = delimiters(config)
    return f"### {begin}\nfrom oud_course.checks import grade\ngrade({item!r}, {item})\n### {end}"


def graded_item(source: str, config=None) -> str | None:
    """The item whose answer a cell's hidden test hands to the grader, or None for a cell that is not an item test."""
    begin, end = delimiters(config)
    region = re.search(re.escape(begin) + r"\n(.*?)" + re.escape(end), source, re.S)
    call = re.search(r"\bgrade\((['\"])(\w+)\1", region.group(1)) if region else None
    return call.group(2) if call else None


def declared_answer(cell, item: str):
    """Run the answer cell's source (the instructor's, solution included) and return the value it gives ``item``."""
    namespace: dict = {"__name__": "__answer__"}
    exec(compile(cell.source, f"<answer cell {item}>", "exec"), namespace)  # noqa: S102 - instructor code
    if item not in namespace:
        raise ValueError(f"{item}: the answer cell's solution does not set the variable {item}")
    return namespace[item]


def expectation(spec: dict, answer) -> dict:
    """The JSON the grader decides with: the kind's fields, the normalised answer, and other accepted answers."""
    check_declaration(spec)
    expect = {k: spec[k] for k in EXPECT_FIELDS if k in spec}
    expect["answer"] = normalise(spec, answer)
    also = [normalise(spec, value) for value in spec.get("accept", [])]
    if also:
        expect["also"] = also
    return expect


def declarations(nb) -> list[tuple[int, dict]]:
    """(cell index, declaration) of every item declared in ``nb``, in order."""
    return [(index, cell.metadata["oud_course"]) for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and "kind" in cell.metadata.get("oud_course", {})]


def expectations_of(nb) -> dict[str, dict]:
    """item -> expectation, from the declarations of a source notebook."""
    return {spec["item"]: expectation(spec, declared_answer(nb.cells[index], spec["item"])) for index, spec in declarations(nb)}


def explanations_of(nb) -> dict[str, dict]:
    """item -> {"hint", "explanation"} from a source notebook's declarations (kept beside the expectation)."""
    return {spec["item"]: {"hint": spec.get("hint", ""), "explanation": spec.get("explanation", "")}
            for _, spec in declarations(nb)}


def _table(metadata):
    from sqlalchemy import Column, String, Table, Text

    return Table(TABLE, metadata, Column("assignment", String(128), primary_key=True),
                 Column("notebook", String(128), primary_key=True), Column("item", String(128), primary_key=True),
                 Column("expectation", Text, nullable=False), Column("explanation", Text, nullable=False, default="{}"))


@contextmanager
def _engine(db_url):
    from nbgrader import api  # its create_engine: the grading launcher makes it share one engine per gradebook

    if not isinstance(db_url, str):  # an open Gradebook's engine: use it as it is
        yield db_url
        return
    engine = api.create_engine(db_url, echo=False, future=True)  # as Gradebook asks, so the launcher shares it
    try:
        yield engine
    finally:
        if not getattr(api.create_engine, "shared", False):
            engine.dispose()


def save(db_url: str, assignment: str, notebook: str, expectations: dict[str, dict], explanations: dict[str, dict]) -> None:
    """Record one notebook's expectations in the gradebook, replacing what an earlier release of it recorded."""
    from sqlalchemy import MetaData, delete, insert

    table = _table(MetaData())
    with _engine(db_url) as engine, engine.begin() as connection:
        table.create(connection, checkfirst=True)
        connection.execute(delete(table).where(table.c.assignment == assignment, table.c.notebook == notebook))
        for item, expect in sorted(expectations.items()):
            connection.execute(insert(table).values(
                assignment=assignment, notebook=notebook, item=item, expectation=json.dumps(expect, sort_keys=True),
                explanation=json.dumps(explanations.get(item, {}), sort_keys=True)))


def load(db_url, assignment: str, notebook: str) -> dict[str, dict]:
    """item -> {"expect", "explanation"} recorded for one notebook (``db_url``: a URL, or an open Gradebook's
    engine); empty when the gradebook has none."""
    from sqlalchemy import MetaData, inspect, select

    table = _table(MetaData())
    with _engine(db_url) as engine, engine.connect() as connection:
        if not inspect(connection).has_table(TABLE):
            return {}
        rows = connection.execute(select(table).where(table.c.assignment == assignment, table.c.notebook == notebook))
        return {row.item: {"expect": json.loads(row.expectation), "explanation": json.loads(row.explanation)}
                for row in rows}
