"""nbgrader preprocessors that derive each item's checks and decide its points outside the student's kernel.

Imported lazily: the clean grading process (``python -I -m oud_course.grading.evaluate``) must
not pay for nbgrader and jupyter_client imports it never uses.
"""

from importlib import import_module

_PREPROCESSORS = {
    "DecideGrades": "oud_course.grading.decide",
    "ExplainItems": "oud_course.grading.explain",
    "DeriveItemChecks": "oud_course.grading.derive",
    "SafeExecute": "oud_course.grading.execute",
    "TrimOutput": "oud_course.grading.limits",
    "InertOutputs": "oud_course.grading.limits",
    "RestoreDeletedCells": "oud_course.grading.restore",
}

__all__ = sorted(_PREPROCESSORS)


def __getattr__(name: str):
    if name in _PREPROCESSORS:
        return getattr(import_module(_PREPROCESSORS[name]), name)
    raise AttributeError(f"module 'oud_course.grading' has no attribute {name!r}")
