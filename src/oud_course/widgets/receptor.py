"""ReceptorExplorer: how a full agonist, a partial agonist and an antagonist act at the mu-opioid receptor."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform
from traitlets import Bool, Float, observe, validate

from oud_course.data import load
from oud_course.widgets._figure import PALETTE, FigureView
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import Ready

ACTIONS = ("full", "partial", "antagonist", "blocked")
MIN_EXPONENT, MAX_EXPONENT = -2, 3  # amounts from 0.01 to 1,000 relative units, on a log scale
MODEL_NOTE = (
    "Teaching illustration, not pharmacology data: the curves show shapes only. Amounts are relative units "
    "on a log scale, not doses of any drug, and the heights are not measured values."
)

# Illustrative shapes (simple saturating curves), chosen to show the ideas, not fitted to any drug.
_MAXIMUM = {"full": 100.0, "partial": 40.0, "antagonist": 0.0, "blocked": 100.0}  # percent of full response
_HALF_WAY = {"full": 1.0, "partial": 0.3, "antagonist": 1.0, "blocked": 30.0}  # amount giving half the maximum
_LABEL_GAP = 7.0  # least vertical distance between two value labels, in percent
_STYLE = {
    "full": {"color": PALETTE["blue"], "linestyle": "-"},
    "partial": {"color": PALETTE["orange"], "linestyle": "--"},
    "antagonist": {"color": PALETTE["vermillion"], "linestyle": ":"},
    "blocked": {"color": PALETTE["purple"], "linestyle": "-."},
}


def response(action: str, amount: float | np.ndarray) -> float | np.ndarray:
    """The illustrative receptor response, in percent of the full agonist's maximum, at ``amount`` relative units."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    return _MAXIMUM[action] * amount / (amount + _HALF_WAY[action])


class _Blank(Rectangle):
    """A patch of background colour over some static artists: hides them without drawing the figure again."""

    def __init__(self, *under: Artist, color, pad: float = 3.0):
        super().__init__((0, 0), 0, 0, facecolor=color, edgecolor="none", transform=IdentityTransform())
        self.set_in_layout(False)
        self._under, self._pad = under, pad

    def draw(self, renderer) -> None:
        # Measured when drawn: by then the layout has placed what lies underneath.
        box = Bbox.union([artist.get_window_extent(renderer) for artist in self._under]).padded(self._pad)
        self.set_bounds(box.x0, box.y0, box.width, box.height)
        super().draw(renderer)


def _units(amount: float) -> str:
    return f"{amount:,.0f}" if amount >= 10 else f"{amount:.2g}"


class ReceptorExplorer(Ready, widgets.VBox):
    """Show each kind of drug's response curve and read off its response at a chosen amount.

    ``show_full``, ``show_partial`` and ``show_antagonist`` switch the three curves on and off;
    ``antagonist_added`` adds the full agonist's curve with an antagonist on the receptors;
    ``amount`` (relative units) places the marker.
    """

    show_full = Bool(True)
    show_partial = Bool(True)
    show_antagonist = Bool(True)
    antagonist_added = Bool(False)
    amount = Float(1.0)

    def __init__(self, amount: float = 1.0, antagonist_added: bool = False):
        self._actions = load("receptor_actions.json")["actions"]
        self.full_box = widgets.Checkbox(description="Full agonist", indent=False)
        self.partial_box = widgets.Checkbox(description="Partial agonist", indent=False)
        self.antagonist_box = widgets.Checkbox(description="Antagonist", indent=False)
        self.blocked_box = widgets.Checkbox(description="Add an antagonist to the full agonist", indent=False,
                                            layout=widgets.Layout(width="auto"))
        self.amount_slider = widgets.FloatLogSlider(
            base=10, min=MIN_EXPONENT, max=MAX_EXPONENT, step=0.25, readout_format=",.2r",
            description="Amount (relative units)", style={"description_width": "12em"},
            layout=widgets.Layout(width="34em"),
        )
        self.view = FigureView(figsize=(7.0, 4.2), label="Receptor response plot")
        self.explanation = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        note = widgets.HTML(f"<p><b>{MODEL_NOTE}</b></p>", layout=widgets.Layout(max_width="46em"))
        super().__init__(
            [
                note,
                widgets.HBox([self.full_box, self.partial_box, self.antagonist_box]),
                self.blocked_box,
                self.amount_slider,
                self.view,
                self.explanation,
            ]
        )
        self.add_class("oud-receptor-explorer")
        show_keyboard_focus(self)
        for box, name in ((self.full_box, "show_full"), (self.partial_box, "show_partial"),
                          (self.antagonist_box, "show_antagonist"), (self.blocked_box, "antagonist_added"),
                          (self.amount_slider, "amount")):
            widgets.link((box, "value"), (self, name))
        self.show_full = self.show_partial = self.show_antagonist = True
        self.amount, self.antagonist_added = amount, antagonist_added
        self._build_axes()
        self._ready = True
        self._redraw()

    @property
    def shown(self) -> list[str]:
        """The actions whose curves are on show, in drawing order."""
        flags = (self.show_full, self.show_partial, self.show_antagonist, self.antagonist_added)
        return [action for action, on in zip(ACTIONS, flags) if on]

    @validate("amount")
    def _amount_in_range(self, proposal):
        if not 10.0**MIN_EXPONENT <= proposal["value"] <= 10.0**MAX_EXPONENT:
            raise ValueError(f"amount must be between {_units(10.0**MIN_EXPONENT)} and {_units(10.0**MAX_EXPONENT)}")
        return proposal["value"]

    @observe("show_full", "show_partial", "show_antagonist", "antagonist_added", "amount")
    def _on_change(self, change) -> None:
        if self._ready:
            self._redraw()

    def _build_axes(self) -> None:
        """Build every artist once; later changes only move markers and switch artists on or off.

        The x axis holds log10 of the amount on a linear scale (ticks labelled with amounts): it looks
        like a log axis but redraws about twice as fast, keeping the slider responsive.
        """
        axes = self.view.figure.add_subplot()
        exponents = np.linspace(MIN_EXPONENT, MAX_EXPONENT, 241)
        amounts = 10.0**exponents
        self._curves, self._markers, self._labels = {}, {}, {}
        for action in ACTIONS:
            spec = self._actions[action]
            style = _STYLE[action]
            label = f"{spec['label']} ({spec['examples']})" if action != "blocked" else spec["label"]
            self._curves[action] = axes.plot(exponents, response(action, amounts), linewidth=2.4, label=label,
                                             zorder=3 if action == "antagonist" else 2, **style)[0]
            self._markers[action] = axes.plot([], [], marker="o", markersize=8, color=style["color"],
                                              markeredgecolor=PALETTE["black"], linestyle="none", zorder=4)[0]
            self._labels[action] = axes.text(0, 0, "", fontsize=9, color=style["color"], fontweight="bold",
                                             va="center", zorder=5)
        self._ceiling = axes.axhline(_MAXIMUM["partial"], color=PALETTE["orange"], linewidth=1)
        self._ceiling_label = axes.text(MIN_EXPONENT + 0.06, _MAXIMUM["partial"] + 2,
                                        "ceiling of the partial agonist", color=PALETTE["orange"], fontsize=9)
        self._shift = [
            axes.annotate("", xy=(np.log10(_HALF_WAY["blocked"]), 50), xytext=(np.log10(_HALF_WAY["full"]), 50),
                          arrowprops={"arrowstyle": "-|>", "color": PALETTE["purple"], "linewidth": 1.4}),
            axes.text(np.log10(_HALF_WAY["full"] * _HALF_WAY["blocked"]) / 2, 53, "shifted right", fontsize=9,
                      color=PALETTE["purple"], ha="center"),
        ]
        self._marker_line = axes.axvline(0, color=PALETTE["grey"], linewidth=1)
        # One legend with a fixed place for every curve, drawn once; a hidden curve's entry is blanked out.
        legend = axes.legend(handles=list(self._curves.values()), loc="upper center",
                             bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8.5, frameon=False)
        self._blanks = {
            action: self.view.figure.add_artist(_Blank(handle, text, color=self.view.figure.get_facecolor()))
            for action, handle, text in zip(ACTIONS, legend.legend_handles, legend.texts)
        }
        ticks = range(MIN_EXPONENT, MAX_EXPONENT + 1)
        axes.set_xticks(list(ticks), [_units(10.0**t) for t in ticks])
        axes.set_xlim(MIN_EXPONENT, MAX_EXPONENT)
        axes.set_ylim(-4, 112)
        axes.set_xlabel("Amount of drug (relative units, log scale; not doses)")
        axes.set_ylabel("Receptor response\n(% of a full agonist's maximum)")
        axes.set_title("Teaching illustration, not pharmacology data", fontsize=11)
        axes.grid(alpha=0.3)
        # The axes are drawn once and kept; the curves, markers and words that change are drawn over them.
        self.view.animate(*self._curves.values(), *self._markers.values(), *self._labels.values(),
                          self._ceiling, self._ceiling_label, *self._shift, self._marker_line, *self._blanks.values())

    def _redraw(self) -> None:
        shown = self.shown
        x = float(np.log10(self.amount))
        for action in ACTIONS:
            on = action in shown
            self._curves[action].set_visible(on)
            self._markers[action].set_visible(on)
            self._labels[action].set_visible(on)
            self._blanks[action].set_visible(not on)
        values = {action: float(response(action, self.amount)) for action in shown}
        label_y = -100.0
        right = x < MAX_EXPONENT - 0.5  # near the right edge the value labels go left of the marker
        for action in sorted(shown, key=values.get):  # bottom up, so close values' labels do not overlap
            label_y = max(values[action], label_y + _LABEL_GAP)
            self._markers[action].set_data([x], [values[action]])
            label = self._labels[action]
            label.set_position((x + (0.08 if right else -0.08), label_y + 2))
            label.set_horizontalalignment("left" if right else "right")
            label.set_text(f"{values[action]:.0f}%")
        self._ceiling.set_visible("partial" in shown)
        self._ceiling_label.set_visible("partial" in shown)
        for artist in self._shift:
            artist.set_visible("blocked" in shown)
        self._marker_line.set_xdata([x, x])
        self.view.show(self.describe(), background="axes")
        self.explanation.value = "".join(
            f"<p><b>{html.escape(self._actions[a]['label'])}</b> ({html.escape(self._actions[a]['examples'])}): "
            f"{html.escape(self._actions[a]['explanation'])} <small>Source: {html.escape(self._actions[a]['source'])}"
            f"</small></p>"
            for a in shown
        )

    def describe(self) -> str:
        """The plot in words: which curves are shown, their shapes, and each response at the chosen amount."""
        shown = self.shown
        if not shown:
            return f"No curves are shown: tick a box to show one. {MODEL_NOTE}"
        shapes = {
            "full": "rises with the amount up to the full 100%",
            "partial": f"levels off at a ceiling of {_MAXIMUM['partial']:.0f}%, however much more is added",
            "antagonist": "stays at 0% at every amount, because it does not activate the receptor",
            "blocked": "has the full agonist's shape but shifted to the right, so each amount gives less response",
        }
        curves = "; ".join(
            f"{self._actions[a]['label'].lower()} ({self._actions[a]['examples']}) {shapes[a]}" for a in shown
        )
        at = ", ".join(f"{self._actions[a]['label'].lower()} {float(response(a, self.amount)):.0f}%" for a in shown)
        text = (
            f"Receptor response, in percent of a full agonist's maximum, against the amount of drug in relative "
            f"units on a log scale from {_units(10.0**MIN_EXPONENT)} to {_units(10.0**MAX_EXPONENT)}. Curves shown: "
            f"{curves}. Marker at {_units(self.amount)} relative unit{'' if self.amount == 1 else 's'}: {at}."
        )
        if self.antagonist_added:
            alone = float(response("full", self.amount))
            blocked = float(response("blocked", self.amount))
            text += (
                f" With an antagonist added, the full agonist's response at this amount drops from {alone:.0f}% "
                f"to {blocked:.0f}%."
            )
        return f"{text} {MODEL_NOTE}"
