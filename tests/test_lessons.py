"""Lessons: they run in a real kernel, stay clean in git, cite sources, and use careful language."""

from __future__ import annotations

import re

import pytest
from course_tools import CHECKS, LESSONS, REPO, read_nb
from notebook_tools import error_outputs, execute

ALL_NOTEBOOKS = LESSONS + CHECKS + sorted((REPO / "release").glob("*/*.ipynb"))
# Person-first language (NIDA "Words Matter"); words in quotes are being discussed, not used.
STIGMATIZING = re.compile(r"\b(addicts?|junkies?|abusers?|drug abuse|substance abuse|clean|dirty|alcoholics?)\b", re.I)
OFFICIAL_NAMES = ("National Institute on Drug Abuse", "Substance Abuse and Mental Health Services Administration",
                  "Center for Substance Abuse Treatment")
HELP_LINE = "1-800-662-4357"
PHONE = re.compile(r"\b(?:1-)?\d{3}-\d{3}-\d{4}\b")


def prose(nb) -> str:
    """The notebook's markdown with quoted words and official names removed."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for name in OFFICIAL_NAMES:
        text = text.replace(name, "")
    return re.sub(r"(\"[^\"\n]*\"|“[^”\n]*”|'[^'\n]*'|`[^`\n]*`)", "", text)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_is_clean_in_git(path):
    """Does the committed notebook carry no outputs and no execution counts?"""
    dirty = [c.get("id") for c in read_nb(path).cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"cells with outputs or execution counts: {dirty}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_language_is_person_first_and_numbers_are_real_help(path):
    """Is the prose free of stigmatizing terms, and is every phone number a real help line?"""
    nb = read_nb(path)
    assert not STIGMATIZING.findall(prose(nb))
    numbers = set(PHONE.findall("\n".join(c.source for c in nb.cells)))
    assert numbers <= {HELP_LINE}, f"unexpected phone numbers: {numbers - {HELP_LINE}}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_the_parts_of_a_lesson(path):
    """Does the lesson open with objectives, import its teaching code, show help, and end with Sources?"""
    nb = read_nb(path)
    text = "\n".join(c.source for c in nb.cells)
    assert "Learning objectives" in text or path.stem.startswith("00"), "no learning objectives"
    assert nb.cells[-1].cell_type == "markdown" and nb.cells[-1].source.lstrip().startswith("## Sources")
    assert all(h in text for h in (HELP_LINE, "988", "911")), "help resources missing"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    if code:
        assert code[0].startswith("from oud_course") and "import *" not in code[0]
        assert all(len(src.strip().splitlines()) <= 2 for src in code[1:]), "widgets are shown with one call"


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_top_to_bottom(path, tmp_path):
    """Does the lesson execute in a real kernel with no error and nothing on stderr?"""
    nb = execute(read_nb(path), cwd=str(path.parent))
    assert error_outputs(nb) == []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_headings_form_an_outline(path):
    """Does the lesson have one title (H1) first, and never skip a heading level going down?"""
    levels = []
    for cell in read_nb(path).cells:
        if cell.cell_type == "markdown":
            inside_code = False
            for line in cell.source.splitlines():
                inside_code ^= line.lstrip().startswith("```")
                match = re.match(r"^(#{1,6}) \S", line)
                if match and not inside_code:
                    levels.append(len(match.group(1)))
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
