"""The course's interactive widgets; each lesson shows one with a single call.

Widgets are imported lazily, so a lesson pays only for the widgets it shows.
"""

from importlib import import_module

_WIDGETS = {
    "DependenceCycle": "oud_course.widgets.cycle",
    "ToleranceSimulator": "oud_course.widgets.simulator",
}

__all__ = sorted(_WIDGETS)


def __getattr__(name: str):
    if name in _WIDGETS:
        return getattr(import_module(_WIDGETS[name]), name)
    raise AttributeError(f"module 'oud_course.widgets' has no attribute {name!r}")
