"""RiskFactorExplorer: risk and protective factors for opioid use disorder, by domain, with the evidence behind each."""

from __future__ import annotations

import html
import textwrap

import ipywidgets as widgets
from traitlets import Int, Unicode, validate

from oud_course.data import load
from oud_course.widgets._figure import PALETTE, FigureView
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import GroupedItems, between, one_of

_IDLE_FACE, _IDLE_EDGE = "#F2F2F2", PALETTE["grey"]
_PROTECTIVE_FACE, _PROTECTIVE_EDGE = "#DDF1EA", PALETTE["green"]
_LIT_FACE, _LIT_EDGE = PALETTE["highlight"], PALETTE["black"]
_EFFECT_WORDS = {"risk": "raises risk", "protective": "lowers risk"}


def _wrap(text: str, width: int = 15) -> str:
    return textwrap.fill(text, width)


class RiskFactorExplorer(GroupedItems, widgets.VBox):
    """Pick a domain and a factor in it; read the evidence for that factor and where it comes from.

    ``domain`` is a key of the data's domains (``"genetic"``, ``"medical"``, ``"psychological"``,
    ``"environmental"``, ``"protective"``); ``factor`` is the 0-based factor within that domain.
    The explorer describes research findings only: it asks nothing about the learner and gives no score.
    """

    domain = Unicode("genetic")
    factor = Int(0)

    def __init__(self, domain: str = "genetic", factor: int = 0):
        data = load("risk_factors.json")
        self._domains = data["domains"]
        self._charts = data["charts"]
        self._note = data["note"]
        self.domain_picker = widgets.ToggleButtons(
            options=[(self._label(key), key) for key in self._domains],
            description="Domain:",
            style={"button_width": "auto"},
        )
        # A dropdown, not a list box: in JupyterLab's command mode the arrow keys on a focused list box
        # move between cells, while a dropdown opens with Alt+ArrowDown and works from the keyboard.
        self.factor_picker = widgets.Dropdown(description="Factor:", layout=widgets.Layout(width="30em"))
        self.view = FigureView(figsize=(8.4, 3.7), label="Factor map")
        self.evidence = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.evidence.add_class("oud-evidence")
        self.schematic = FigureView(figsize=(6.4, 3.4), label="Schematic chart")
        self.schematic.add_class("oud-schematic")
        self._boxes: dict[tuple[str, int], object] = {}
        self._headers: dict[str, object] = {}
        super().__init__([self.domain_picker, self.factor_picker, self.view, self.evidence, self.schematic])
        self.add_class("oud-risk-factor-explorer")
        show_keyboard_focus(self)
        self._follow("domain", "factor", self.factor_picker)
        widgets.link((self.domain_picker, "value"), (self, "domain"))
        self.domain, self.factor = domain, factor
        self._draw_map()
        self._draw_schematic()
        self._ready = True
        self._show_group()
        self._highlight()

    def _label(self, key: str) -> str:
        """The domain's button label, short enough for a row of toggle buttons."""
        return {"genetic": "Genetic/biological", "environmental": "Environmental/social"}.get(
            key, self._domains[key]["title"]
        )

    @property
    def factors(self) -> list[dict]:
        """The factors of the domain on show, in order."""
        return self._domains[self.domain]["factors"]

    @property
    def chosen(self) -> dict:
        """The factor on show."""
        return self.factors[self.factor]

    @validate("domain")
    def _known_domain(self, proposal):
        return one_of("domain", proposal["value"], self._domains)

    @validate("factor")
    def _factor_in_domain(self, proposal):
        return between("factor", proposal["value"], 0, len(self.factors) - 1)

    def _show_group(self) -> None:
        """List the domain's factors in the picker (the map shows every domain already)."""
        self._fill_items([f["name"] for f in self.factors])

    def _draw_map(self) -> None:
        """Draw every domain as a column of factor boxes (once; highlighting only recolours them)."""
        axes = self.view.figure.add_subplot()
        axes.set_axis_off()
        columns = len(self._domains)
        axes.set_xlim(-0.5, columns - 0.5)
        axes.set_ylim(-5.6, 0.9)
        axes.set_title("Risk and protective factors by domain", fontsize=12)
        for x, (key, spec) in enumerate(self._domains.items()):
            protective = spec["effect"] == "protective"
            self._headers[key] = axes.text(
                x, 0.35, _wrap(spec["title"] + (" factors" if protective else ""), 14), ha="center", va="center",
                fontsize=10, fontweight="bold", color=PALETTE["green"] if protective else PALETTE["black"],
            )
            for y, factor in enumerate(spec["factors"]):
                self._boxes[(key, y)] = axes.text(
                    x, -0.6 - y, _wrap(factor["short"]), ha="center", va="center", fontsize=9,
                    bbox={"boxstyle": "round,pad=0.4", "linewidth": 1.0,
                          "facecolor": _PROTECTIVE_FACE if protective else _IDLE_FACE,
                          "edgecolor": _PROTECTIVE_EDGE if protective else _IDLE_EDGE},
                )
        axes.axvline(columns - 1.5, color=PALETTE["grey"], linewidth=0.8, linestyle=(0, (4, 3)))
        # The map is drawn once and kept; the highlight is a lit copy of a box, and a frame round its domain's
        # header (a copy of the header with see-through words), drawn on top.
        self._lit = axes.text(0, 0, "", ha="center", va="center", fontsize=9, fontweight="bold", zorder=4,
                              bbox={"boxstyle": "round,pad=0.4", "linewidth": 2.2, "facecolor": _LIT_FACE,
                                    "edgecolor": _LIT_EDGE})
        self._lit_header = axes.text(0, 0, "", ha="center", va="center", fontsize=10, fontweight="bold",
                                     color="none", zorder=4,
                                     bbox={"boxstyle": "round,pad=0.3", "facecolor": "none", "edgecolor": _LIT_EDGE,
                                           "linewidth": 1.4})
        self.view.animate(self._lit, self._lit_header)

    def _draw_schematic(self) -> None:
        """The prescription-length finding as a shape only: no values, labelled as a schematic."""
        chart = self._charts["prescription-length"]
        # Relative heights: a drawing of the described shape, not data.
        days = [0, 3, 5, 5.6, 31, 31.6, 40]
        shape = [0.05, 0.05, 0.16, 0.36, 0.52, 0.80, 0.86]
        axes = self.schematic.figure.add_subplot()
        axes.plot(days, shape, color=PALETTE["blue"], linewidth=2.4)
        # Where each annotation's arrow points (on the line) and where its words sit.
        layout = {3: ((3, 0.05), (0.6, 0.42)), 5: ((5.3, 0.26), (8, 0.12)), 31: ((31.3, 0.66), (21, 0.86))}
        for mark in chart["marks"]:
            point, words = layout[mark["day"]]
            axes.axvline(mark["day"], color=PALETTE["grey"], linewidth=1.0, linestyle=":")
            axes.annotate(mark["label"], xy=point, xytext=words, fontsize=9,
                          arrowprops={"arrowstyle": "->", "color": PALETTE["black"], "linewidth": 0.8})
        axes.set_xlim(0, 40)
        axes.set_ylim(0, 1)
        axes.set_xticks([0, 3, 5, 10, 20, 31, 40])
        axes.set_yticks([])
        axes.set_xlabel("Days supplied in the first opioid prescription")
        axes.set_ylabel("Chance of long-term use\n(shape only, no scale)")
        axes.set_title("SCHEMATIC: " + chart["title"].split(": ", 1)[-1], fontsize=11)
        axes.text(0.99, 0.02, "schematic, not data", transform=axes.transAxes, ha="right", va="bottom",
                  fontsize=8, style="italic", color=PALETTE["grey"])
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        self.schematic.show(self.describe_schematic())

    def _highlight(self) -> None:
        """Light the chosen factor and its domain, redraw the map and rewrite the evidence panel."""
        box, header = self._boxes[(self.domain, self.factor)], self._headers[self.domain]
        self._lit.set_position(box.get_position())
        self._lit.set_text(box.get_text())
        self._lit_header.set_position(header.get_position())
        self._lit_header.set_text(header.get_text())
        if self.factor_picker.index != self.factor:
            self.factor_picker.index = self.factor
        spec, factor = self._domains[self.domain], self.chosen
        self.view.show(self.describe(), background="map")
        self.evidence.value = (
            f"<h4>{html.escape(factor['name'])}</h4>"
            f"<p><b>{html.escape(spec['title'])} factor: {_EFFECT_WORDS[spec['effect']]}.</b></p>"
            f"<p>{html.escape(factor['evidence'])}</p>"
            f"<p><small>Source: {html.escape(factor['source'])}</small></p>"
            f"<p><em>{html.escape(self._note)}</em></p>"
        )
        self.schematic.layout.display = "" if factor.get("chart") else "none"

    def describe(self) -> str:
        """The factor map in words: every domain with its factors, and which factor is highlighted."""
        columns = "; ".join(
            f"{spec['title']} ({_EFFECT_WORDS[spec['effect']]}): " + ", ".join(f["short"] for f in spec["factors"])
            for spec in self._domains.values()
        )
        spec = self._domains[self.domain]
        return (
            f"Five columns of factors, one per domain. {columns}. "
            f"Highlighted: {spec['title']}, factor {self.factor + 1} of {len(self.factors)}: {self.chosen['name']}."
        )

    def describe_schematic(self) -> str:
        """The prescription-length schematic in words."""
        return (
            "Schematic line, not data: the chance of long-term opioid use is drawn flat before day 3, rises with "
            "each extra day supplied from day 3, jumps sharply after day 5, keeps rising with each extra day, and jumps "
            "sharply again after day 31. The vertical axis has no values. Source: Shah, Hayes and Martin, MMWR 2017."
        )
