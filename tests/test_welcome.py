"""The welcome lesson: its practice item's self-check key, and the course map's links."""

from __future__ import annotations

import base64
import re

import pytest
from course_tools import REPO, read_nb

from oud_course import selfcheck
from oud_course.checks import feedback

WELCOME = REPO / "notebooks" / "00-welcome.ipynb"
PRACTICE_ANSWER = "b"  # 1-800-662-4357, the SAMHSA National Helpline
LESSON_SLUGS = [
    "00-welcome", "01-opioids-and-the-body", "02-dependence-addiction-oud", "03-dependence-cycle",
    "04-causes-and-risk-factors", "05-signs-symptoms-withdrawal", "06-overdose-and-health-risks",
    "07-medications-for-oud", "08-detox-therapy-settings-support", "09-prevention-recovery-stigma",
    "10-harm-reduction-special-situations",
]


@pytest.fixture(scope="module")
def welcome():
    return read_nb(WELCOME)


@pytest.fixture(scope="module")
def practice_key(welcome) -> str:
    """The key pasted into the practice check cell."""
    sources = [c.source for c in welcome.cells if c.cell_type == "code" and c.source.startswith('check("practice"')]
    assert len(sources) == 1, "the welcome lesson needs exactly one practice check cell"
    found = re.fullmatch(r'check\("practice", practice, "(v1:[A-Za-z0-9_-]+)"\)', sources[0].strip())
    assert found, f"unexpected practice check cell: {sources[0][:80]!r}"
    return found.group(1)


def test_practice_key_accepts_the_helpline(practice_key):
    """Does the practice key call the SAMHSA helpline option right, and unseal its explanation?"""
    message = feedback("practice", PRACTICE_ANSWER, practice_key)
    assert message.startswith("practice: right.")
    assert "National Helpline" in message


@pytest.mark.parametrize("wrong", ["a", "c"])
def test_practice_key_rejects_other_numbers(practice_key, wrong):
    """Does the practice key call 911 and 988 not right, with a hint that does not name the answer?"""
    message = feedback("practice", wrong, practice_key)
    assert message.startswith("practice: not right yet. Hint:")
    assert "4357" not in message and '"b"' not in message


def test_practice_key_handles_blank_and_malformed_answers(practice_key):
    """Does the practice check say 'not answered yet' for None and explain a letter that is not an option?"""
    assert "not answered yet" in feedback("practice", None, practice_key)
    assert "is not one of the options" in feedback("practice", "d", practice_key)


def test_practice_key_is_reproducible(practice_key):
    """Was the key made with the course's derived salt for 00-welcome/practice, so rebuilding it gives the same key?"""
    fields = selfcheck.read_key(practice_key)
    salt = selfcheck.derive_salt("oud-course", "00-welcome", "practice")
    assert fields["salt"] == base64.urlsafe_b64encode(salt).decode().rstrip("=")
    assert (fields["item"], fields["kind"], fields["options"]) == ("practice", "choice", ["a", "b", "c"])
    assert "sealed" in fields and "answer" not in fields


def test_practice_answer_cell_starts_blank(welcome):
    """Does the practice answer cell start as None, so Run All says 'not answered yet' rather than erring?"""
    answers = [c.source for c in welcome.cells if c.cell_type == "code" and c.source.startswith("practice =")]
    assert answers == ['practice = None  # one of "a", "b", "c"']


def test_course_map_links_every_lesson_and_check(welcome):
    """Does the course map link all eleven lessons and the ten checks by their exact file names?"""
    text = "\n".join(c.source for c in welcome.cells if c.cell_type == "markdown")
    for slug in LESSON_SLUGS:
        assert f"]({slug}.ipynb)" in text, f"no link to lesson {slug}"
    for slug in LESSON_SLUGS[1:]:
        assert f"](../release/{slug}/{slug}-check.ipynb)" in text, f"no link to check {slug}"
