"""Self-check keys: a salted slow hash of the normalised answer, and an explanation sealed with it.

A key holds no answer. It lets the learner's kernel tell right from wrong, and only a right
answer unseals the explanation (which might give the answer away). A four-option question can
still be brute-forced, so classes graded for credit build the release with self-check off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from oud_course.items import canonical_bytes, check_declaration

ITERATIONS = 150_000  # PBKDF2-SHA256 rounds: about 0.1 s per check on a laptop
_PUBLIC_FIELDS = ("item", "kind", "options", "labels", "digits", "whole")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_salt(course_id: str, assignment: str, item: str) -> bytes:
    """One salt per item, derived from its place in the course so releases are reproducible."""
    return hashlib.sha256(f"{course_id}/{assignment}/{item}".encode()).digest()[:16]


def _stretch(spec: dict, value: Any, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    derived = hashlib.pbkdf2_hmac("sha256", canonical_bytes(spec, value), salt, iterations, dklen=64)
    return derived[:32], derived[32:]


def _keystream_xor(key: bytes, data: bytes) -> bytes:
    stream = b"".join(hashlib.sha256(key + i.to_bytes(4, "big")).digest() for i in range(len(data) // 32 + 1))
    return bytes(a ^ b for a, b in zip(data, stream))


def make_key(spec: dict, answer: Any, salt: bytes, self_check: bool = True) -> str:
    """Build the key written into a release notebook for one item.

    ``spec`` is the item's declaration (id, kind, options, hint, explanation, other accepted
    answers); ``answer`` the reference answer. With ``self_check`` off the key only lets the
    learner check the form.
    """
    check_declaration(spec)
    public = {k: spec[k] for k in _PUBLIC_FIELDS if k in spec}
    if self_check:
        explanation = spec.get("explanation", "").encode()

        def sealed_for(value: Any) -> dict:
            verifier, sealing_key = _stretch(spec, value, salt, ITERATIONS)
            return {"verifier": _b64(verifier), "sealed": _b64(_keystream_xor(sealing_key, explanation))}

        public.update(salt=_b64(salt), iterations=ITERATIONS, hint=spec.get("hint", ""), **sealed_for(answer))
        if spec.get("accept"):
            public["also"] = [sealed_for(value) for value in spec["accept"]]
    return "v1:" + _b64(json.dumps(public, sort_keys=True, separators=(",", ":")).encode())


def read_key(key: str) -> dict:
    """Decode a key into its public fields (raises ValueError if it is damaged)."""
    if not key.startswith("v1:"):
        raise ValueError("this self-check key is not one this course wrote")
    return json.loads(_unb64(key[3:]))


def verify(key_fields: dict, value: Any) -> tuple[bool, str]:
    """Return (right, explanation-or-hint) for a well-formed answer; needs self-check fields."""
    verifier, sealing_key = _stretch(key_fields, value, _unb64(key_fields["salt"]), key_fields["iterations"])
    for accepted in [key_fields, *key_fields.get("also", [])]:
        if hmac.compare_digest(verifier, _unb64(accepted["verifier"])):
            return True, _keystream_xor(sealing_key, _unb64(accepted["sealed"])).decode()
    return False, key_fields.get("hint", "")
