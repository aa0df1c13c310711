"""The pieces several widgets share: trait checks, readiness, and the group + item picker."""

import pytest

from oud_course import widgets
from oud_course.widgets._shared import GroupedItems, Ready, between, one_of


def test_one_of_names_the_trait_the_choices_and_the_value():
    """Does a refused value name the trait, every allowed value (sorted) and what was given?"""
    assert one_of("loop", "addiction", {"dependence": 1, "addiction": 2}) == "addiction"
    with pytest.raises(ValueError, match=r"^loop must be one of \['addiction', 'dependence'\], not 'x'$"):
        one_of("loop", "x", {"dependence": 1, "addiction": 2})


def test_one_of_allows_nothing_chosen_only_when_asked():
    """Is "" a value only where the trait means "nothing chosen", and does the message say so?"""
    assert one_of("case", "", ["a"], empty_ok=True) == ""
    with pytest.raises(ValueError, match=r"^case must be '' or one of \['a'\], not 'b'$"):
        one_of("case", "b", ["a"], empty_ok=True)
    with pytest.raises(ValueError, match="must be one of"):
        one_of("loop", "", ["a"])


def test_between_includes_both_ends():
    """Are both ends allowed, and does a value outside name the range?"""
    assert between("stage", 0, 0, 3) == 0 and between("stage", 3, 0, 3) == 3
    with pytest.raises(ValueError, match=r"^stage must be between 0 and 3$"):
        between("stage", 4, 0, 3)


@pytest.mark.parametrize("name", ["COWSScorer", "DependenceCycle", "OverdoseExplorer", "ReceptorExplorer",
                                  "RiskFactorExplorer", "ToleranceSimulator", "TreatmentTable", "WithdrawalTimeline"])
def test_widgets_that_draw_from_observers_are_ready_once_built(name):
    """Does each widget whose observers draw say it is ready when its constructor returns (and not before)?"""
    cls = getattr(widgets, name)
    assert issubclass(cls, Ready) and cls._ready is False
    assert cls()._ready is True


def test_grouped_items_start_a_new_group_at_its_first_item():
    """Do both grouped widgets go back to the first item when the group changes, and follow their dropdown?"""
    cycle, explorer = widgets.DependenceCycle(stage=3), widgets.RiskFactorExplorer(domain="environmental", factor=4)
    assert isinstance(cycle, GroupedItems) and isinstance(explorer, GroupedItems)
    assert cycle.stage_picker.index == 3 and explorer.factor_picker.index == 4
    cycle.loop, explorer.domain = "addiction", "medical"
    assert (cycle.stage, cycle.stage_picker.index) == (0, 0)
    assert (explorer.factor, explorer.factor_picker.index) == (0, 0)
    cycle.stage_picker.index, explorer.factor_picker.index = 2, 1
    assert (cycle.stage, explorer.factor) == (2, 1)
