"""nbgrader's preprocessor pipelines with the course's steps put in, not copied out: an nbgrader upgrade changes what it should."""

from __future__ import annotations


def nbgrader_default(converter: type, trait: str) -> list[type]:
    """The pipeline nbgrader itself would run, e.g. ``nbgrader_default(Autograde, "autograde_preprocessors")``."""
    return list(converter.class_traits()[trait].default())


def extend(pipeline: list[type], *, first: tuple = (), before: dict | None = None, after: dict | None = None,
           replace: dict | None = None) -> list[type]:
    """``pipeline`` with steps put ``first``, ``before`` or ``after`` named steps (every occurrence), or in place of one.

    An anchor missing from ``pipeline`` is an error: it means nbgrader's pipeline changed under the course.
    """
    before, after, replace = before or {}, after or {}, replace or {}
    names = [step.__name__ for step in pipeline] + [step.__name__ for step in replace.values()]
    for anchor in [*before, *after, *replace]:
        if anchor.__name__ not in names:
            raise ValueError(f"{anchor.__name__} is not in nbgrader's pipeline {names}: see where the course's steps belong")
    result = list(first)
    for step in pipeline:
        step = replace.get(step, step)
        result += [*before.get(step, ()), step, *after.get(step, ())]
    return result
