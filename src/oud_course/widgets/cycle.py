"""DependenceCycle: the dependence loop and the addiction cycle, drawn and explained stage by stage."""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
from matplotlib.patches import FancyArrowPatch
from traitlets import Int, Unicode, validate

from oud_course.data import load
from oud_course.widgets._figure import PALETTE, FigureView
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import GroupedItems, between, one_of

_IDLE_FACE, _IDLE_EDGE = "#F2F2F2", PALETTE["grey"]
_LIT_FACE, _LIT_EDGE = PALETTE["highlight"], PALETTE["black"]


class DependenceCycle(GroupedItems, widgets.VBox):
    """Step through a loop of stages, or pick one, and read what happens there.

    ``loop`` is ``"dependence"`` or ``"addiction"``; ``stage`` is the 0-based highlighted stage.
    """

    loop = Unicode("dependence")
    stage = Int(0)

    def __init__(self, loop: str = "dependence", stage: int = 0):
        self._loops = load("cycle_stages.json")["loops"]
        self.loop_picker = widgets.ToggleButtons(
            options=[(spec["title"], key) for key, spec in self._loops.items()],
            description="Loop:",
            style={"button_width": "auto"},
        )
        self.stage_picker = widgets.Dropdown(description="Stage:", layout=widgets.Layout(width="24em"))
        self.previous_button = widgets.Button(description="Previous", icon="arrow-left", tooltip="Previous stage")
        self.next_button = widgets.Button(description="Next", icon="arrow-right", tooltip="Next stage")
        self.view = FigureView(figsize=(6.0, 4.4), label="Cycle diagram")
        self.explanation = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self._artists: dict[str, list] = {}  # each loop's arrows and idle stage boxes, drawn once per loop
        super().__init__(
            [
                self.loop_picker,
                widgets.HBox([self.previous_button, self.stage_picker, self.next_button]),
                self.view,
                self.explanation,
            ]
        )
        self.add_class("oud-dependence-cycle")
        show_keyboard_focus(self)
        self.previous_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(+1))
        self._follow("loop", "stage", self.stage_picker)
        widgets.link((self.loop_picker, "value"), (self, "loop"))
        self.loop, self.stage = loop, stage
        self._build_figure()
        self._ready = True
        self._show_group()
        self._highlight()

    @property
    def stages(self) -> list[dict]:
        """The stages of the loop on show, in order."""
        return self._loops[self.loop]["stages"]

    def step(self, delta: int) -> None:
        """Move ``delta`` stages round the loop; the last stage leads back to the first."""
        self.stage = (self.stage + delta) % len(self.stages)

    @validate("loop")
    def _known_loop(self, proposal):
        return one_of("loop", proposal["value"], self._loops)

    @validate("stage")
    def _stage_in_loop(self, proposal):
        return between("stage", proposal["value"], 0, len(self.stages) - 1)

    @staticmethod
    def _points(count: int) -> list[tuple[float, float]]:
        """Where ``count`` stages sit on the circle, clockwise from the top."""
        angles = [math.pi / 2 - 2 * math.pi * i / count for i in range(count)]
        return [(math.cos(angle), math.sin(angle)) for angle in angles]

    def _build_figure(self) -> None:
        """Lay every loop's stages out on a circle with arrows between them; only the chosen loop is shown.

        Each loop's diagram is drawn once and kept; the highlighted stage is a lit copy of its box drawn on top.
        """
        axes = self.view.figure.add_subplot()
        axes.set_axis_off()
        axes.set_xlim(-1.45, 1.45)
        axes.set_ylim(-1.3, 1.3)
        axes.set_aspect("equal")
        self._axes = axes
        for key, spec in self._loops.items():
            points = self._points(len(spec["stages"]))
            arrows = [
                axes.add_patch(
                    FancyArrowPatch(
                        start, end, connectionstyle="arc3,rad=-0.25", arrowstyle="-|>", mutation_scale=16,
                        shrinkA=34, shrinkB=34, color=PALETTE["grey"], linewidth=1.6,
                    )
                )
                for start, end in zip(points, points[1:] + points[:1])
            ]
            boxes = [
                axes.text(x, y, f"{i + 1}. {stage['short']}", ha="center", va="center", fontsize=11,
                          bbox={"boxstyle": "round,pad=0.5", "facecolor": _IDLE_FACE, "edgecolor": _IDLE_EDGE,
                                "linewidth": 1.2})
                for i, ((x, y), stage) in enumerate(zip(points, spec["stages"]))
            ]
            self._artists[key] = arrows + boxes
        self._lit = axes.text(0, 0, "", ha="center", va="center", fontsize=11, fontweight="bold", zorder=4,
                              bbox={"boxstyle": "round,pad=0.5", "facecolor": _LIT_FACE, "edgecolor": _LIT_EDGE,
                                    "linewidth": 2.4})
        self.view.animate(self._lit)

    def _show_group(self) -> None:
        """Show the chosen loop's diagram and list its stages in the picker."""
        for key, artists in self._artists.items():
            for artist in artists:
                artist.set_visible(key == self.loop)
        self._axes.set_title(self._loops[self.loop]["title"], fontsize=12)
        self._fill_items([f"{i + 1}. {s['name']}" for i, s in enumerate(self.stages)])

    def _highlight(self) -> None:
        """Light the chosen stage, redraw the image and rewrite both text panels."""
        x, y = self._points(len(self.stages))[self.stage]
        self._lit.set_position((x, y))
        self._lit.set_text(f"{self.stage + 1}. {self.stages[self.stage]['short']}")
        self.stage_picker.index = self.stage
        stage = self.stages[self.stage]
        self.view.show(self.describe(), background=self.loop)
        self.explanation.value = (
            f"<h4>Stage {self.stage + 1} of {len(self.stages)}: {html.escape(stage['name'])}</h4>"
            f"<p>{html.escape(stage['explanation'])}</p>"
            f"<p><small>Source: {html.escape(stage['source'])}</small></p>"
        )

    def describe(self) -> str:
        """The diagram in words: every stage in order, and which one is highlighted."""
        stages = self.stages
        order = "; ".join(f"{i + 1}. {s['name']}" for i, s in enumerate(stages))
        return (
            f"{self._loops[self.loop]['title']}: {len(stages)} stages in a circle, each leading to the next: "
            f"{order}; then back to 1. Highlighted: stage {self.stage + 1}, {stages[self.stage]['name']}."
        )
