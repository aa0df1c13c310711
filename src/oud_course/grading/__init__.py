"""nbgrader preprocessors that derive each item's checks and decide its points outside the student's kernel."""

from oud_course.grading.decide import DecideGrades, StripExpectations
from oud_course.grading.derive import DeriveItemChecks
from oud_course.grading.execute import SafeExecute
from oud_course.grading.limits import TrimOutput
from oud_course.grading.restore import RestoreDeletedCells

__all__ = ["DecideGrades", "DeriveItemChecks", "RestoreDeletedCells", "SafeExecute", "StripExpectations",
           "TrimOutput"]
