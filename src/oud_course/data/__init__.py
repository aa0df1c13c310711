"""The course's small data files, with one loader for all of them."""

from __future__ import annotations

import csv
import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def _read(name: str) -> Any:
    resource = files(__name__).joinpath(name)
    text = resource.read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith(".csv"):
        return list(csv.DictReader(text.splitlines()))
    raise ValueError(f"{name}: the course ships only .json and .csv data files")


def load(name: str) -> Any:
    """Return the parsed contents of data file ``name`` (a list of rows for CSV, the object for JSON).

    Callers get a fresh copy, so changing what they get never changes what the next caller sees.
    """
    return json.loads(json.dumps(_read(name)))


def names() -> list[str]:
    """List the data files shipped in the package."""
    return sorted(p.name for p in files(__name__).iterdir() if p.name.endswith((".json", ".csv")))
