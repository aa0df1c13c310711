"""COWSScorer: the Clinical Opiate Withdrawal Scale item by item, with its live total and severity band."""

from __future__ import annotations

import html
from typing import NamedTuple

import ipywidgets as widgets
import matplotlib as mpl
from matplotlib.patches import Rectangle
from matplotlib.transforms import offset_copy
from traitlets import Dict, Unicode, observe, validate

from oud_course.data import load
from oud_course.widgets._figure import PALETTE, FigureView
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import Ready, one_of
from oud_course.widgets._stamped_text import StampedText

_DATA = load("cows.json")
ITEMS: list[dict] = _DATA["items"]
MAX_TOTAL = sum(max(s["score"] for s in item["scores"]) for item in ITEMS)
CLINICIAN_NOTE = (
    "COWS is a clinician's tool: a trained clinician scores it while observing and talking with a person. "
    "This scorer is for learning to read the scale, not for assessing yourself or anyone else, and it gives "
    "no treatment advice. COWS has no item for craving."
)
_BAND_COLOURS = {
    "none": "#DDDDDD",
    "mild": PALETTE["yellow"],
    "moderate": PALETTE["orange"],
    "moderately-severe": PALETTE["vermillion"],
    "severe": PALETTE["purple"],
}
_BAND_SHORT = {"none": "none", "mild": "mild", "moderate": "moderate", "moderately-severe": "mod.\nsevere",
               "severe": "severe"}


class Band(NamedTuple):
    """One COWS severity band: its key, label and inclusive score range."""

    key: str
    label: str
    low: int
    high: int


BANDS = [Band(b["key"], b["label"], b["min"], b["max"]) for b in _DATA["bands"]]


def cows_band(total: int) -> Band:
    """The severity band of a COWS total (a whole number from 0 to 48).

    <5 no active withdrawal, 5-12 mild, 13-24 moderate, 25-36 moderately severe, >36 severe
    (Wesson & Ling 2003; SAMHSA TIP 40).
    """
    if type(total) is not int:
        raise TypeError(f"a COWS total is a whole number, not {total!r}")
    if not 0 <= total <= MAX_TOTAL:
        raise ValueError(f"a COWS total is between 0 and {MAX_TOTAL}, not {total}")
    return next(band for band in BANDS if band.low <= total <= band.high)


def _option_label(entry: dict) -> str:
    return f"{entry['score']}: {entry['anchor']}" if entry.get("anchor") else str(entry["score"])


class COWSScorer(Ready, widgets.VBox):
    """Score each of the 11 COWS items (or load a practice case) and watch the total and its band.

    ``scores`` maps each item key to its score; ``case`` is the practice case loaded ("" for none).
    """

    scores = Dict()
    case = Unicode("")

    def __init__(self, case: str = ""):
        self._cases = {c["key"]: c for c in _DATA["cases"]}
        self._syncing = False
        note = widgets.HTML(f"<p><b>{html.escape(CLINICIAN_NOTE)}</b></p>", layout=widgets.Layout(max_width="46em"))
        self.case_picker = widgets.Dropdown(
            options=[("None: score it yourself", "")] + [(c["title"], key) for key, c in self._cases.items()],
            description="Practice case:", style={"description_width": "12em"}, layout=widgets.Layout(width="34em"),
        )
        self.reset_button = widgets.Button(description="Reset all to 0", icon="undo", tooltip="Set every item to 0")
        self.case_text = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.pickers: dict[str, widgets.Dropdown] = {}
        rows = []
        for item in ITEMS:
            picker = widgets.Dropdown(
                options=[(_option_label(entry), entry["score"]) for entry in item["scores"]],
                description=f"{item['name']}:", style={"description_width": "12em"},
                layout=widgets.Layout(width="42em"),
            )
            picker.observe(self._on_pick, "value")
            self.pickers[item["key"]] = picker
            how = f"<small>{html.escape(item['how'])}</small>" if item["how"] else ""
            rows.append(widgets.HBox([picker, widgets.HTML(how, layout=widgets.Layout(max_width="22em"))]))
        self.total_text = widgets.HTML()
        self.total_text.add_class("oud-cows-total")
        self.view = FigureView(figsize=(7.0, 5.0), label="COWS chart")
        source = widgets.HTML(
            f"<p><small>{html.escape(_DATA['anchor_note'])} Source: {html.escape(_DATA['source'])}</small></p>",
            layout=widgets.Layout(max_width="46em"),
        )
        super().__init__(
            [note, widgets.HBox([self.case_picker, self.reset_button]), self.case_text, *rows, self.total_text,
             self.view, source]
        )
        self.add_class("oud-cows-scorer")
        show_keyboard_focus(self)
        self.reset_button.on_click(lambda _: self.reset())
        widgets.link((self.case_picker, "value"), (self, "case"))
        self._redraws_held = False
        self.scores = {item["key"]: 0 for item in ITEMS}
        self.case = case
        self._build_figure()
        self._ready = True
        self._redraw()

    @property
    def total(self) -> int:
        """The sum of the 11 item scores (0 to 48)."""
        return sum(self.scores.values())

    @property
    def band(self) -> Band:
        """The severity band of the current total."""
        return cows_band(self.total)

    def reset(self) -> None:
        """Clear the practice case and set every item to 0, redrawing once."""
        self._redraws_held = True
        try:
            self.case = ""
            self.scores = {item["key"]: 0 for item in ITEMS}
        finally:
            self._redraws_held = False
        self._redraw()

    @validate("scores")
    def _allowed_scores(self, proposal):
        scores = {item["key"]: 0 for item in ITEMS}
        for key, value in proposal["value"].items():
            item = next((i for i in ITEMS if i["key"] == key), None)
            if item is None:
                raise ValueError(f"{key!r} is not a COWS item; items are {[i['key'] for i in ITEMS]}")
            allowed = [s["score"] for s in item["scores"]]
            if value not in allowed or type(value) is not int:
                raise ValueError(f"{item['name']} allows the scores {allowed}, not {value!r}")
            scores[key] = value
        return scores

    @validate("case")
    def _known_case(self, proposal):
        return one_of("case", proposal["value"], self._cases, empty_ok=True)

    @observe("case")
    def _on_case(self, change) -> None:
        case = self._cases.get(change["new"])
        self.case_text.value = (
            f"<p><b>{html.escape(case['title'])}.</b> {html.escape(case['text'])}</p>"
            "<p><i>Read the case, then check each item's score below. Could you have scored it from the words?</i></p>"
            if case else ""
        )
        if case and dict(case["scores"]) != self.scores:
            self.scores = dict(case["scores"])
        elif self._can_redraw():
            self._redraw()  # the scores did not change, so their observer will not redraw

    def _on_pick(self, change) -> None:
        if not self._syncing:
            key = next(k for k, picker in self.pickers.items() if picker is change["owner"])
            self.scores = {**self.scores, key: change["new"]}

    @observe("scores")
    def _on_scores(self, change) -> None:
        self._syncing = True
        try:
            for key, picker in self.pickers.items():
                picker.value = self.scores[key]
        finally:
            self._syncing = False
        if self._can_redraw():
            self._redraw()

    def _can_redraw(self) -> bool:
        """Whether a change should redraw now: not before the widget is ready, nor while a reset is under way."""
        return self._ready and not self._redraws_held

    def _build_figure(self) -> None:
        """Item bars above, the 0-48 gauge with its five bands below (built once, updated in place)."""
        figure = self.view.figure
        items_axes, gauge = figure.subplots(2, 1, height_ratios=[3.2, 1.0])
        names = [item["name"] for item in ITEMS]
        maxima = [max(s["score"] for s in item["scores"]) for item in ITEMS]
        rows = list(range(len(ITEMS)))[::-1]
        items_axes.barh(rows, maxima, color="#EEEEEE", edgecolor=PALETTE["grey"], linewidth=0.6, height=0.7)
        self._bars = items_axes.barh(rows, [0] * len(ITEMS), color=PALETTE["blue"], height=0.7)
        # Stamped: drawn on every change, and rendering text glyph by glyph is the slowest part of a redraw.
        self._bar_labels = [items_axes.add_artist(StampedText(0, y, "", va="center", fontsize=8, clip_on=False))
                            for y in rows]
        # The title says the total, so it is stamped too, where the axes' own title would stand.
        self._title = items_axes.add_artist(StampedText(
            0.5, 1.0, "", ha="center", va="baseline", fontsize=11, clip_on=False,
            transform=offset_copy(items_axes.transAxes, fig=figure, y=mpl.rcParams["axes.titlepad"], units="points"),
        ))
        items_axes.set_yticks(rows, names, fontsize=8)
        items_axes.set_xlim(0, 5.6)
        items_axes.set_xticks(range(6))
        items_axes.set_xlabel("Item score (grey: the item's highest score)", fontsize=8)
        items_axes.tick_params(axis="x", labelsize=8)
        self._items_axes = items_axes

        for band in BANDS:
            # Each band covers its whole numbers: from low - 0.5 to high + 0.5 on a continuous axis.
            low, high = max(band.low - 0.5, 0), min(band.high + 0.5, MAX_TOTAL)
            gauge.add_patch(Rectangle((low, 0), high - low, 1, facecolor=_BAND_COLOURS[band.key],
                                      edgecolor="white", linewidth=1.5))
            gauge.text((low + high) / 2, 0.5, _BAND_SHORT[band.key], ha="center", va="center", fontsize=8)
        # Not clipped, so a total of 0 or 48 shows the whole pointer at the gauge's edge.
        self._pointer = gauge.plot([0, 0], [-0.25, 1.25], color=PALETTE["black"], linewidth=2.5, clip_on=False)[0]
        self._pointer_head = gauge.plot([0], [1.3], marker="v", markersize=9, color=PALETTE["black"], clip_on=False)[0]
        gauge.set_xlim(0, MAX_TOTAL)
        gauge.set_ylim(-0.3, 1.6)
        gauge.set_yticks([])
        gauge.set_xticks([0, 5, 13, 25, 37, MAX_TOTAL])
        gauge.tick_params(axis="x", labelsize=8)
        gauge.set_xlabel("COWS total (0 to 48) and severity bands", fontsize=8)
        for side in ("left", "right", "top"):
            gauge.spines[side].set_visible(False)
        self._gauge = gauge
        # The scale, the item names and the bands never change: they are drawn once and kept, and only the scores,
        # the pointer and the title (same height whatever it says, so the layout holds) are drawn over them.
        self.view.animate(*self._bars, *self._bar_labels, self._pointer, self._pointer_head, self._title)

    def _redraw(self) -> None:
        for bar, label, item in zip(self._bars, self._bar_labels, ITEMS):
            score = self.scores[item["key"]]
            bar.set_width(score)
            label.set_x(score + 0.08)
            label.set_text(str(score))
        total, band = self.total, self.band
        self._pointer.set_xdata([total, total])
        self._pointer_head.set_xdata([total])
        self._title.set_text(f"COWS total {total} of {MAX_TOTAL}: {band.label.lower()}")
        self.total_text.value = (
            f'<p role="status" aria-live="polite"><b>Total: {total} of {MAX_TOTAL}</b> &mdash; '
            f"{html.escape(band.label)} (band {band.low}&ndash;{band.high})</p>"
        )
        self.view.show(self.describe(), background="scale")

    def describe(self) -> str:
        """The chart in words: the total, its band, every item's score, and the bands."""
        total, band = self.total, self.band
        case = self._cases.get(self.case)
        edited = case is not None and dict(case["scores"]) != self.scores
        items = "; ".join(
            f"{item['name']} {self.scores[item['key']]} of {max(s['score'] for s in item['scores'])}"
            for item in ITEMS
        )
        bands = ", ".join(f"{b.low}–{b.high} {b.label.lower()}" for b in BANDS)
        opening = f"{case['title']}{' (scores edited)' if edited else ''}. " if case else ""
        return (
            f"{opening}COWS total {total} of {MAX_TOTAL}: {band.label.lower()} (band {band.low}–{band.high}). "
            f"Item scores: {items}. The bands are {bands}. {CLINICIAN_NOTE}"
        )
