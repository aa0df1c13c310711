"""The course's nbgrader pipelines: nbgrader's defaults with the course's steps put in, and a snapshot that notices upgrades."""

from __future__ import annotations

import runpy

import pytest
from course_tools import REPO
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.preprocessors import Execute, GetGrades, LimitOutput

from oud_course.grading.pipelines import extend, nbgrader_default

# nbgrader 0.9's own pipelines, as the course's steps were placed against them.
NBGRADER_DEFAULTS = {
    ("GenerateAssignment", "preprocessors"): [
        "IncludeHeaderFooter", "InstantiateTests", "LockCells", "ClearSolutions", "ClearOutput", "CheckCellMetadata",
        "ComputeChecksums", "SaveCells", "ClearHiddenTests", "ClearMarkScheme", "ComputeChecksums", "CheckCellMetadata"],
    ("Autograde", "sanitize_preprocessors"): [
        "ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "OverwriteCells", "CheckCellMetadata"],
    ("Autograde", "autograde_preprocessors"): [
        "Execute", "IgnorePattern", "ClearMetadataPreprocessor", "LimitOutput", "SaveAutoGrades", "AssignLatePenalties",
        "CheckCellMetadata"],
    ("GenerateFeedback", "preprocessors"): ["GetGrades", "CSSHTMLHeaderPreprocessor"],
}
CONVERTERS = {"GenerateAssignment": GenerateAssignment, "Autograde": Autograde, "GenerateFeedback": GenerateFeedback}


@pytest.mark.parametrize("converter, trait", sorted(NBGRADER_DEFAULTS))
def test_nbgrader_defaults_are_the_ones_the_course_was_placed_against(converter, trait):
    """Are nbgrader's default pipelines unchanged (else: check where course_config.py puts its steps, then update here)?"""
    found = [step.__name__ for step in nbgrader_default(CONVERTERS[converter], trait)]
    assert found == NBGRADER_DEFAULTS[converter, trait], (
        f"nbgrader's default {converter}.{trait} changed from {NBGRADER_DEFAULTS[converter, trait]} to {found}: "
        "check that each course step in course_config.py still sits where it must, then update this snapshot")


def test_course_pipelines_are_the_defaults_with_the_course_steps_in_place():
    """Does course_config.py give nbgrader's pipelines with the course's steps at their places, and nothing else changed?"""
    config = runpy.run_path(str(REPO / "course_config.py"))["c"]
    names = {key: [step.__name__ for step in config[key[0]][key[1]]] for key in NBGRADER_DEFAULTS}
    assert names["GenerateAssignment", "preprocessors"] == ["DeriveItemChecks", *NBGRADER_DEFAULTS["GenerateAssignment", "preprocessors"]]
    assert names["Autograde", "sanitize_preprocessors"] == [
        "ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "RestoreDeletedCells", "OverwriteCells", "CheckCellMetadata"]
    assert names["Autograde", "autograde_preprocessors"] == [
        "SafeExecute", "DecideGrades", "IgnorePattern", "ClearMetadataPreprocessor", "LimitOutput", "TrimOutput",
        "InertOutputs", "SaveAutoGrades", "AssignLatePenalties", "CheckCellMetadata"]
    assert names["GenerateFeedback", "preprocessors"] == ["SettleLatePenalties", "GetGrades", "ClearHiddenTests", "ClearMarkScheme",
                                                          "ExplainItems", "CSSHTMLHeaderPreprocessor"]


def test_extend_refuses_an_anchor_that_nbgrader_no_longer_has():
    """If a step the course hangs its own on leaves nbgrader's pipeline, does extend say so instead of guessing?"""
    with pytest.raises(ValueError, match="LimitOutput is not in nbgrader's pipeline"):
        extend([GetGrades], after={LimitOutput: [Execute]})


def test_extend_places_steps_first_before_after_and_in_place():
    """Does extend put steps first, before and after anchors, and replace one, keeping the rest in order?"""
    class A: pass  # noqa: E701
    class B: pass  # noqa: E701
    class C: pass  # noqa: E701
    class D: pass  # noqa: E701
    assert extend([A, B], first=[C], before={B: [D]}) == [C, A, D, B]
    assert extend([A, B], replace={A: C}, after={C: [D]}) == [C, D, B]
