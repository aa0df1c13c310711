"""ToleranceSimulator: a simplified teaching model of tolerance building up and withdrawal after stopping."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as widgets
from traitlets import Int, Unicode, observe, validate

from oud_course.widgets._figure import PALETTE, FigureView
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import Ready, between, one_of

PATTERNS = {
    "steady": "The same amount every day",
    "escalating": "A little more each week, chasing the first effect",
    "intermittent": "Every third day",
}
DAYS_AFTER_STOPPING = 21
MODEL_NOTE = (
    "Simplified teaching model: it shows shapes, not a clinical prediction. Amounts are relative units, "
    "not doses of any drug, and real timing varies from person to person and drug to drug."
)

# Two adaptations, one quick and one slow, so longer use leaves more to unwind after stopping.
_FAST_BUILD, _FAST_DECAY = 0.30, 0.30
_SLOW_BUILD, _SLOW_DECAY = 0.02, 0.08
_WEEKLY_INCREASE = 0.25  # the escalating pattern's extra amount each week, in relative units
_CLEARANCE = 0.3  # share of the drug still acting a day after the last use
_EFFECT_DAMPING = 1.5  # how strongly adaptation blunts the felt effect
_COVERED = 1.5  # the drug still acting masks withdrawal up to this multiple of its level


@dataclass(frozen=True)
class Course:
    """One simulated course of use: a value per day for each curve."""

    days: list[int]
    stop_day: int
    amount: list[float]
    effect: list[float]
    tolerance: list[float]
    withdrawal: list[float]


def simulate(pattern: str, weeks: int) -> Course:
    """Run the model for ``weeks`` of use in ``pattern``, then 21 days without use."""
    one_of("pattern", pattern, PATTERNS)
    stop_day = 7 * weeks
    fast = slow = level = 0.0
    amount, effect, tolerance, withdrawal = [], [], [], []
    for day in range(stop_day + DAYS_AFTER_STOPPING):
        adaptation = fast + slow
        using = day < stop_day and (pattern != "intermittent" or day % 3 == 0)
        amount_today = (1.0 + _WEEKLY_INCREASE * (day // 7) if pattern == "escalating" else 1.0) if using else 0.0
        level = amount_today or level * _CLEARANCE
        amount.append(amount_today)
        fast += _FAST_BUILD * level - _FAST_DECAY * fast
        slow += _SLOW_BUILD * level - _SLOW_DECAY * slow
        effect.append(level / (1.0 + _EFFECT_DAMPING * adaptation))
        tolerance.append(adaptation)
        withdrawal.append(max(0.0, adaptation - _COVERED * level))
    return Course(list(range(len(effect))), stop_day, amount, effect, tolerance, withdrawal)


@lru_cache
def _top_of_scale(pattern: str, longest: int) -> float:
    """The y-axis top for ``pattern``: room for its longest course, so the scale stays put as weeks change."""
    course = simulate(pattern, longest)
    return 1.15 * max(max(course.effect), max(course.tolerance), max(course.withdrawal))


class ToleranceSimulator(Ready, widgets.VBox):
    """Choose a use pattern and how long it lasts; see effect, tolerance and withdrawal over time."""

    pattern = Unicode("steady")
    weeks = Int(4)

    def __init__(self, pattern: str = "steady", weeks: int = 4):
        self.pattern_picker = widgets.Dropdown(
            options=[(label, key) for key, label in PATTERNS.items()], description="Pattern:",
            style={"description_width": "8em"}, layout=widgets.Layout(width="30em"),
        )
        self.weeks_slider = widgets.IntSlider(
            min=1, max=12, description="Weeks of use:", style={"description_width": "8em"},
            layout=widgets.Layout(width="30em"),
        )
        self.view = FigureView(figsize=(7.0, 4.0), label="Simulator plot")
        note = widgets.HTML(f"<p><b>{MODEL_NOTE}</b></p>", layout=widgets.Layout(max_width="46em"))
        super().__init__([note, self.pattern_picker, self.weeks_slider, self.view])
        self.add_class("oud-tolerance-simulator")
        show_keyboard_focus(self)
        widgets.link((self.pattern_picker, "value"), (self, "pattern"))
        widgets.link((self.weeks_slider, "value"), (self, "weeks"))
        self.pattern, self.weeks = pattern, weeks
        self._build_axes()
        self._ready = True
        self._redraw()

    @validate("weeks")
    def _weeks_in_range(self, proposal):
        return between("weeks", proposal["value"], self.weeks_slider.min, self.weeks_slider.max)

    @observe("pattern", "weeks")
    def _on_change(self, change) -> None:
        if self._ready:
            self._redraw()

    def _build_axes(self) -> None:
        axes = self.view.figure.add_subplot()
        self._axes = axes
        self._lines = {
            "effect": axes.plot([], [], color=PALETTE["blue"], linewidth=2.2, label="Felt effect of each use")[0],
            "tolerance": axes.plot([], [], color=PALETTE["orange"], linewidth=2.2, linestyle="--",
                                   label="Tolerance (adaptation)")[0],
            "withdrawal": axes.plot([], [], color=PALETTE["vermillion"], linewidth=2.2, linestyle=":",
                                    label="Withdrawal")[0],
        }
        self._stop_line = axes.axvline(0, color=PALETTE["grey"], linewidth=1)
        self._stop_label = axes.text(0, 0, " use stops", color=PALETTE["grey"], va="top", fontsize=9)
        axes.set_xlabel("Day")
        axes.set_ylabel("Relative units (teaching model)")
        axes.set_title("Simplified teaching model, not a clinical one", fontsize=11)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=9, frameon=False)
        axes.grid(alpha=0.3)
        # Fixed axes for the longest course, so lengths compare at a glance and only the curves move.
        axes.set_xlim(0, 7 * self.weeks_slider.max + DAYS_AFTER_STOPPING - 1)
        self.view.animate(*self._lines.values(), self._stop_line, self._stop_label)

    def _redraw(self) -> None:
        course = simulate(self.pattern, self.weeks)
        for name, line in self._lines.items():
            line.set_data(course.days, getattr(course, name))
        top = _top_of_scale(self.pattern, self.weeks_slider.max)
        self._axes.set_ylim(0, top)
        self._stop_line.set_xdata([course.stop_day, course.stop_day])
        self._stop_label.set_position((course.stop_day, 0.97 * top))
        self.view.show(self.describe(course), background=self.pattern)

    def describe(self, course: Course | None = None) -> str:
        """The plot in words: how the effect faded and how withdrawal rose and eased."""
        course = course or simulate(self.pattern, self.weeks)
        last_use = max(d for d in range(course.stop_day) if course.amount[d])
        after = course.withdrawal[course.stop_day:]
        peak = max(after)
        peak_day = course.stop_day + after.index(peak)
        eased = next((course.stop_day + i for i, w in enumerate(after) if i > after.index(peak) and w < 0.1 * peak), None)
        eased_text = f"it falls below a tenth of its peak by day {eased}" if eased else "it has not eased by the end of the plot"
        return (
            f"{PATTERNS[self.pattern]} for {self.weeks} week{'s' if self.weeks > 1 else ''}, then no use from day "
            f"{course.stop_day}. Tolerance rises to {max(course.tolerance[:course.stop_day + 1]):.2f} units, and the "
            f"felt effect of the last use is {100 * course.effect[last_use] / course.effect[0]:.0f}% of the first. "
            f"After use stops, withdrawal peaks on day {peak_day} at {peak:.2f} units and {eased_text}. {MODEL_NOTE}"
        )
