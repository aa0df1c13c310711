"""WithdrawalTimeline: when withdrawal starts, peaks and eases after short- and long-acting opioids, as ranges from two sources."""

from __future__ import annotations

import html

import ipywidgets as widgets
from matplotlib.patches import Patch, Rectangle
from traitlets import Unicode, observe, validate

from oud_course.data import load
from oud_course.widgets._figure import PALETTE, FigureView
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import Ready, one_of
from oud_course.widgets._stamped_text import StampedText

SHOW = {"short": "Short-acting", "long": "Long-acting", "both": "Both"}
SPANS = {"weeks": ("Three weeks", 21 * 24, 48), "days": ("First 4 days", 4 * 24, 12)}  # label, x limit, tick step (h)
RANGE_NOTE = (
    "Ranges, not predictions: the sources disagree, and timing varies from person to person. The sources word "
    "the end differently ('easing over', 'lasting'), so each end is drawn as a number of days after the last "
    "dose and is approximate."
)
_COLOURS = {"span": "#E7E7E7", "onset": PALETTE["sky"], "peak": PALETTE["vermillion"], "end": PALETTE["green"]}
_LANE_HEIGHT = 0.6
_POINT_WIDTH_H = 8  # a single value ("about 10 days") is drawn as a narrow band this many hours wide


def _hours(low: float, high: float) -> str:
    return f"{low:g}–{high:g} hours" if low != high else f"about {low:g} hours"


class WithdrawalTimeline(Ready, widgets.VBox):
    """Compare withdrawal timing after short- and long-acting opioids, as each source gives it.

    ``show`` is ``"short"``, ``"long"`` or ``"both"``; ``source`` is ``"review"``, ``"other"`` or ``"both"``;
    ``span`` is ``"weeks"`` (three weeks, in days) or ``"days"`` (the first four days, in hours).
    """

    show = Unicode("both")
    source = Unicode("both")
    span = Unicode("weeks")

    def __init__(self, show: str = "both", source: str = "both", span: str = "weeks"):
        data = load("withdrawal_timing.json")
        self._profiles, self._sources, self._after = data["profiles"], data["sources"], data["after"]
        self.show_picker = widgets.ToggleButtons(
            options=[(label, key) for key, label in SHOW.items()], description="Show:",
            tooltips=["Short-acting opioids only", "Long-acting opioids only", "Both kinds"],
            style={"button_width": "auto"},
        )
        self.source_picker = widgets.Dropdown(
            options=[(s["label"], key) for key, s in self._sources.items()] + [("Both sources", "both")],
            description="Source:", layout=widgets.Layout(width="24em"),
        )
        self.span_picker = widgets.ToggleButtons(
            options=[(label, key) for key, (label, _, _) in SPANS.items()], description="Time span:",
            tooltips=["Three weeks after the last dose, in days", "The first four days, in hours"],
            style={"button_width": "auto"},
        )
        self.view = FigureView(figsize=(7.6, 4.2), label="Withdrawal timeline")
        note = widgets.HTML(f"<p><b>{html.escape(RANGE_NOTE)}</b></p>", layout=widgets.Layout(max_width="46em"))
        sources = "".join(
            f"<li><b>{html.escape(s['label'])}:</b> {html.escape(s['citation'])}</li>" for s in self._sources.values()
        )
        citations = widgets.HTML(f"<p><small>Sources:</small></p><ul><small>{sources}</small></ul>",
                                 layout=widgets.Layout(max_width="46em"))
        super().__init__([note, self.show_picker, self.source_picker, self.span_picker, self.view, citations])
        self.add_class("oud-withdrawal-timeline")
        show_keyboard_focus(self)
        widgets.link((self.show_picker, "value"), (self, "show"))
        widgets.link((self.source_picker, "value"), (self, "source"))
        widgets.link((self.span_picker, "value"), (self, "span"))
        self.show, self.source, self.span = show, source, span
        self._build_axes()
        self._ready = True
        self._redraw()

    @property
    def lanes(self) -> list[tuple[str, str]]:
        """The (profile, source) pairs on show, top to bottom."""
        profiles = ["short", "long"] if self.show == "both" else [self.show]
        sources = list(self._sources) if self.source == "both" else [self.source]
        return [(p, s) for p in profiles for s in sources]

    @validate("show")
    def _known_show(self, proposal):
        return one_of("show", proposal["value"], SHOW)

    @validate("source")
    def _known_source(self, proposal):
        return one_of("source", proposal["value"], [*self._sources, "both"])

    @validate("span")
    def _known_span(self, proposal):
        return one_of("span", proposal["value"], SPANS)

    @observe("show", "source", "span")
    def _on_change(self, change) -> None:
        if self._ready:
            self._redraw()

    def _build_axes(self) -> None:
        """One lane of rectangles per (profile, source) pair, built once; redraws move and hide them.

        Only the time axis, title and legend are drawn as the background (one per time span); the lanes and
        their labels are animated, so choosing kinds and sources redraws just them.
        """
        figure = self.view.figure
        axes = figure.add_subplot()
        self._axes = axes
        self._artists = {}
        # Lane labels sit where y tick labels would: x in axes units, y in data units, a few points left of the axis.
        label_transform, _, _ = axes.get_yaxis_text1_transform(4)
        for profile in self._profiles:
            for source in self._sources:
                lane = {part: axes.add_patch(Rectangle((0, 0), 0, _LANE_HEIGHT, facecolor=colour,
                                                       alpha=None if part == "span" else 0.9,
                                                       # The pale span needs its grey edge to stand out (5.3:1 on white).
                                                       edgecolor=PALETTE["grey"] if part == "span" else PALETTE["black"],
                                                       linewidth=0.8, visible=False))
                        for part, colour in _COLOURS.items()}
                lane["after"] = axes.annotate("", xy=(0, 0), xytext=(0, 0), visible=False,
                                              arrowprops={"arrowstyle": "->", "linestyle": ":", "color": PALETTE["grey"]})
                # Stamped: drawn on every change, and rendering text glyph by glyph is the slowest part of a redraw.
                lane["missing"] = axes.add_artist(StampedText(0, 0, "", fontsize=7.5, va="center", color=PALETTE["black"],
                                                              clip_on=False, visible=False))
                lane["label"] = axes.add_artist(StampedText(
                    0, 0, f"{self._profiles[profile]['name']}\n{self._sources[source]['label']}", transform=label_transform,
                    ha="right", va="center", fontsize=8, clip_on=False, visible=False,
                ))
                self._artists[(profile, source)] = lane
        axes.set_yticks([])
        axes.grid(axis="x", alpha=0.3)
        axes.legend(
            handles=[
                Patch(facecolor=_COLOURS["onset"], edgecolor=PALETTE["black"], label="Onset (range)"),
                Patch(facecolor=_COLOURS["peak"], edgecolor=PALETTE["black"], label="Peak (range)"),
                Patch(facecolor=_COLOURS["end"], edgecolor=PALETTE["black"], label="Acute phase over (range)"),
                Patch(facecolor=_COLOURS["span"], edgecolor=PALETTE["grey"], label="Possible span of acute withdrawal"),
            ],
            loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8, frameon=False,
        )
        # Lay the figure out once with its widest content on every side, then keep that layout, so the plot never
        # jumps as lanes come and go and every saved background lines up: all four lane labels on the left, and
        # the hours axis, whose last tick label ("96") sits on the right edge.
        for y, lane in enumerate(self._artists.values()):
            lane["label"].set_y(y)
            lane["label"].set_visible(True)
        axes.set_ylim(-0.7, len(self._artists) - 0.1)
        self._set_time_axis("days")
        figure.get_layout_engine().execute(figure)
        figure.set_layout_engine("none")
        self._set_time_axis(self.span)
        self.view.animate(*(artist for lane in self._artists.values() for artist in lane.values()))

    def _set_time_axis(self, span: str) -> None:
        """Set the time axis, its label and the title for ``span``: the part of the figure drawn as background."""
        _, x_max, step = SPANS[span]
        axes = self._axes
        axes.set_xlim(0, x_max)
        ticks = list(range(0, x_max + 1, step))
        if span == "weeks":
            axes.set_xticks(ticks, [f"{t // 24}" for t in ticks], fontsize=8)
            axes.set_xlabel("Days after the last dose (dotted arrows: craving and low mood can persist for weeks to months)",
                            fontsize=8)
        else:
            axes.set_xticks(ticks, [f"{t}" for t in ticks], fontsize=8)
            axes.set_xlabel("Hours after the last dose (later parts continue off the right edge)", fontsize=8)
        axes.set_title(self._title(span), fontsize=11)

    @staticmethod
    def _title(span: str) -> str:
        return f"Opioid withdrawal timing: {SPANS[span][0].lower()} after the last dose"

    def _place_lane(self, lane: dict, ranges: dict, y: float, x_max: float) -> None:
        """Move one lane's rectangles to height ``y`` and size them from the source's ranges (in hours)."""
        onset, peak = ranges.get("onset_hours"), ranges.get("peak_hours")
        end = [24 * d for d in ranges["end_days"]]
        if end[0] == end[1]:
            end = [end[0] - _POINT_WIDTH_H / 2, end[1] + _POINT_WIDTH_H / 2]
        start = (onset or peak or end)[0]  # with no onset given, draw nothing before what the source does give
        boxes = {"span": [start, end[1]], "onset": onset, "peak": peak, "end": end}
        for part, box in boxes.items():
            patch = lane[part]
            patch.set_visible(box is not None)
            if box is not None:
                patch.set_xy((box[0], y - _LANE_HEIGHT / 2))
                patch.set_width(box[1] - box[0])
        missing = [name for name, box in (("onset", onset), ("peak", peak)) if box is None]
        lane["missing"].set_text(f"{' and '.join(missing)} not given by this source" if missing else "")
        lane["missing"].set_position((0.01 * x_max, y + _LANE_HEIGHT / 2 + 0.12))
        lane["missing"].set_visible(bool(missing))
        lane["after"].xy = (x_max, y)
        lane["after"].set_position((end[1], y))
        lane["after"].set_visible(end[1] < x_max)

    def _redraw(self) -> None:
        _, x_max, _ = SPANS[self.span]
        lanes = self.lanes
        for key, lane in self._artists.items():
            if key not in lanes:
                for artist in lane.values():
                    artist.set_visible(False)
        ys = list(range(len(lanes)))[::-1]
        for (profile, source), y in zip(lanes, ys):
            lane = self._artists[(profile, source)]
            self._place_lane(lane, self._profiles[profile]["ranges"][source], y, x_max)
            lane["label"].set_y(y)
            lane["label"].set_visible(True)
        self._axes.set_ylim(-0.7, len(lanes) - 0.1)  # only the animated lanes use the y scale
        if self._axes.get_title() != self._title(self.span):
            self._set_time_axis(self.span)  # a new span: the background is drawn (or taken from the saved ones) anew
        self.view.show(self.describe(), background=self.span)

    def describe(self) -> str:
        """The timeline in words: each lane's onset, peak and end as its source gives them."""
        label, _, _ = SPANS[self.span]
        parts = []
        for profile in dict.fromkeys(p for p, _ in self.lanes):
            spec = self._profiles[profile]
            said = []
            for p, source in self.lanes:
                if p != profile:
                    continue
                r = spec["ranges"][source]
                onset = f"onset {_hours(*r['onset_hours'])} after the last dose" if r["onset_hours"] else "onset not given"
                if r["peak_hours"]:
                    peak = f"peak {r.get('peak_text') or 'at ' + _hours(*r['peak_hours'])}"
                else:
                    peak = "peak not given"
                said.append(f"{self._sources[source]['label']}: {onset}; {peak}; {r['end_text']}")
            parts.append(f"{spec['name']} ({spec['examples']}). " + ". ".join(said) + ".")
        unit = "days" if self.span == "weeks" else "hours"
        return (
            f"Time span: {label.lower()} after the last dose, in {unit}. " + " ".join(parts) + " "
            f"{self._after['text']} {RANGE_NOTE}"
        )
