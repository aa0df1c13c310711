"""Self-check keys: right or wrong and why, reproducible, and never holding the answer."""

import base64
import time

from oud_course.checks import feedback
from oud_course.selfcheck import derive_salt, make_key, read_key, verify

SPEC = {"item": "q1", "kind": "choice", "options": ["a", "b", "c", "d"], "hint": "Think about adaptation.",
        "explanation": "Tolerance is an adaptation, so b."}
SALT = derive_salt("oud-course", "03-dependence-cycle", "q1")


def test_key_holds_neither_answer_nor_explanation():
    """Can the answer's explanation be read from the key without answering right?"""
    key = make_key(SPEC, "b", SALT)
    decoded = base64.urlsafe_b64decode(key[3:] + "==").decode()
    assert "adaptation, so b" not in decoded
    assert set(read_key(key)) == {"item", "kind", "options", "salt", "iterations", "verifier", "hint", "sealed"}
    assert "Think about adaptation." in decoded  # the hint is meant to be read


def test_right_answer_unseals_explanation():
    """Does a right answer (in any accepted spelling) say right, with the sealed explanation?"""
    fields = read_key(make_key(SPEC, "b", SALT))
    assert verify(fields, " B") == (True, "Tolerance is an adaptation, so b.")


def test_wrong_answer_gets_hint_only():
    """Does a wrong answer get the hint, and not the explanation?"""
    fields = read_key(make_key(SPEC, "b", SALT))
    assert verify(fields, "a") == (False, "Think about adaptation.")


def test_keys_are_reproducible_and_per_item():
    """Do two builds give the same key, and do two items with one answer get different keys?"""
    assert make_key(SPEC, "b", SALT) == make_key(SPEC, "b", SALT)
    other = {**SPEC, "item": "q2"}
    assert read_key(make_key(other, "b", derive_salt("oud-course", "03-dependence-cycle", "q2")))["verifier"] != \
        read_key(make_key(SPEC, "b", SALT))["verifier"]


def test_hash_is_slow_enough_to_deter_casual_guessing():
    """Does one check cost a real fraction of a second (PBKDF2), rather than a plain fast hash?"""
    fields = read_key(make_key(SPEC, "b", SALT))
    assert fields["iterations"] >= 100_000
    start = time.perf_counter()
    verify(fields, "a")
    assert time.perf_counter() - start > 0.01  # a plain SHA-256 takes microseconds


def test_graded_flavour_checks_form_only():
    """With self-check off, is there no verifier, and does feedback only confirm the form?"""
    key = make_key(SPEC, "b", SALT, self_check=False)
    assert "verifier" not in read_key(key)
    assert "right form" in feedback("q1", "a", key)
    assert "not one of the options" in feedback("q1", "z", key)


def test_feedback_for_unanswered_and_malformed():
    """Does an unanswered item say so, and a malformed one say what is expected, without raising?"""
    key = make_key(SPEC, "b", SALT)
    assert "not answered yet" in feedback("q1", None, key)
    assert "text in quotes" in feedback("q1", 3, key)
    assert feedback("q1", "b", key).startswith("q1: right.")
    assert feedback("q1", "c", key).startswith("q1: not right yet. Hint:")
