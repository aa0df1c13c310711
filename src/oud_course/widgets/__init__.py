"""The course's interactive widgets; each lesson shows one with a single call.

Widgets are imported lazily, so a lesson pays only for the widgets it shows.
"""

from importlib import import_module

# Widget name -> module holding it (one widget family per module, a test module beside it).
_WIDGETS = {
    "ReceptorExplorer": "oud_course.widgets.receptor",  # lesson 01
    "CriteriaChecker": "oud_course.widgets.criteria",  # lesson 02
    "DependenceCycle": "oud_course.widgets.cycle",  # lesson 03
    "ToleranceSimulator": "oud_course.widgets.simulator",  # lesson 03
    "RiskFactorExplorer": "oud_course.widgets.risk_factors",  # lesson 04
    "WithdrawalTimeline": "oud_course.widgets.timeline",  # lesson 05
    "COWSScorer": "oud_course.widgets.cows",  # lesson 05
    "OverdoseExplorer": "oud_course.widgets.overdose",  # lesson 06
    "TreatmentTable": "oud_course.widgets.table",  # lessons 07 and 08
    "MythOrFact": "oud_course.widgets.myths",  # lesson 09
    "OverdoseWalkthrough": "oud_course.widgets.overdose_response",  # lesson 10
}

__all__ = sorted(_WIDGETS)


def __getattr__(name: str):
    if name in _WIDGETS:
        return getattr(import_module(_WIDGETS[name]), name)
    raise AttributeError(f"module 'oud_course.widgets' has no attribute {name!r}")
