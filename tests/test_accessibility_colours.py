"""Colours of every widget: contrast (WCAG 2.1) and series that colour-blind readers can tell apart; figures' words.

Every widget in ``oud_course.widgets.__all__`` is built as its lesson builds it and stepped through the states in
which its colours change. In each state the test reads the colours actually used: the matplotlib artists of every
figure (``figure.findobj()``, plus text boxes and annotation arrows, which findobj does not list) and the inline
styles of every HTML widget. The rules:

- Figure text (1.4.3): at least 4.5:1 against every colour that lies behind it, or 3:1 if it is large (24 px, or
  18.66 px bold, at the figure's dpi). What lies behind a text: the figure, its axes, and every filled patch drawn
  below it that overlaps its box (its own box, a legend frame, bars, bands).
- Lines and markers (1.4.11): at least 3:1 against the axes background and every filled patch under their points.
  A marker passes if its face or its edge does. Grid lines are not checked: they repeat the tick labels.
- Filled patches (1.4.11): the fill meets 3:1 against what is under it, or its edge does, or its hatch does
  against the fill, or a text inside it names it (a label that itself passes the text rule). A patch without fill
  is an outline: its edge must meet 3:1. The figure and axes backgrounds and legend frames are not graphics.
- Colour-blind safety: the entries of a legend that look alike but for colour (same line style, marker, hatch
  and fill), and filled patches of one axes that look alike but for colour and are not labelled in place, must
  differ by CIEDE2000 >= 10 with typical vision and under simulated protanopia, deuteranopia and tritanopia
  (Machado et al. 2009; ``oud_course.colours``). 10 is several times a just-noticeable difference, a margin for
  thin lines and small patches. Markers repeat the colour of the series they sit on and are not compared.
- HTML text (1.4.3): where the course sets a text colour or a background (inline style, a <style> block, or an
  ipywidgets style), it sets both (WCAG failure F24: one alone meets the theme's other, e.g. a dark theme) and
  they meet 4.5:1. Text with neither follows the JupyterLab theme's own colour pair.
- Every FigureView has a text alternative with words in it, in every state.

A case that fails in a widget module this change could not edit is marked ``xfail(strict=True)`` with the change
it needs, and raises ``KnownColourProblem``: any other problem in the same widget still fails the test.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

import ipywidgets as widgets
import pytest
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.spines import Spine
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

import oud_course.widgets as course_widgets
from oud_course import colours
from oud_course.colours import (
    DEFICIENCIES,
    GRAPHICS_CONTRAST,
    LARGE_TEXT_CONTRAST,
    TEXT_CONTRAST,
    colour_difference,
    composite,
    contrast_ratio,
    to_hex,
    to_rgba,
)
from oud_course.widgets._figure import FigureView

DISTINCT_DELTA_E = 10.0
WHITE = (1.0, 1.0, 1.0)
RULES = ("text", "graphics", "colour-blind", "html", "text-alternative")


class KnownColourProblem(AssertionError):
    """A failure listed below, waiting for a change in a widget module this test's author could not edit."""


KNOWN: dict = {}  # (widget, rule) -> (problems expected, why): a strict xfail until the widget is fixed


# ---------------------------------------------------------------------------------------------------------------
# The colour maths against published values.


def test_black_on_white_is_21_to_1():
    """Does black on white give WCAG's largest contrast, 21:1, in either order?"""
    assert colours.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert colours.contrast_ratio("white", "black") == pytest.approx(21.0)


def test_767676_on_white_just_passes_text_contrast():
    """Is #767676 on white about 4.54:1, the lightest grey that passes 4.5:1 (and #777777 just below)?"""
    assert colours.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.005)
    assert colours.contrast_ratio("#777777", "#FFFFFF") < TEXT_CONTRAST


def test_relative_luminance_of_primaries():
    """Are the WCAG luminances of white, black and the sRGB primaries 1, 0 and the luminance coefficients?"""
    assert colours.relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert colours.relative_luminance("#000000") == 0.0
    assert colours.relative_luminance("#FF0000") == pytest.approx(0.2126)
    assert colours.relative_luminance("#00FF00") == pytest.approx(0.7152)
    assert colours.relative_luminance("#0000FF") == pytest.approx(0.0722)


def test_css_colour_syntaxes_agree():
    """Do hex, short hex, a CSS name and rgb() name the same colour, and does rgba() keep its alpha?"""
    for same in ("#FF8000", "#ff8000", "rgb(255, 128, 0)", "rgb(100% 50.2% 0%)"):
        assert colours.to_hex(same) == "#FF8000"
    assert colours.to_hex("#f80") == "#FF8800"
    assert colours.to_hex("rebeccapurple") == "#663399"
    assert colours.to_rgba("rgba(0, 0, 0, 0.5)")[3] == 0.5


def test_composite_blends_alpha_over_the_background():
    """Is half-transparent black over white the middle sRGB grey, and an opaque colour unchanged?"""
    assert colours.composite((0, 0, 0, 0.5), "#FFFFFF") == pytest.approx((0.5, 0.5, 0.5))
    assert colours.composite("#123456", "#FFFFFF") == pytest.approx(colours.to_rgba("#123456")[:3])


def test_large_text_thresholds():
    """Is text large from 24 px, or 18.66 px when bold, as WCAG defines it?"""
    assert colours.is_large_text(24, bold=False) and not colours.is_large_text(23.9, bold=False)
    assert colours.is_large_text(18.66, bold=True) and not colours.is_large_text(18.6, bold=True)


def test_cielab_of_white_black_and_red():
    """Does sRGB to CIELAB give L* 100 for white, 0 for black, and the published value for pure red?"""
    assert colours.to_lab("#FFFFFF") == pytest.approx((100, 0, 0), abs=0.02)
    assert colours.to_lab("#000000") == pytest.approx((0, 0, 0), abs=1e-9)
    assert colours.to_lab("#FF0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.05)


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu & Dalal 2005, Table 1: pairs 1, 7, 17, 25 and 33.
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_ciede2000_matches_sharma_test_data(lab1, lab2, expected):
    """Does CIEDE2000 reproduce the published test pairs to four decimals, in either order?"""
    assert colours.delta_e_2000(lab1, lab2) == pytest.approx(expected, abs=5e-4)
    assert colours.delta_e_2000(lab2, lab1) == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_simulation_keeps_greys(deficiency):
    """Does each simulation leave black, white and greys as they are (every Machado row sums to 1)?"""
    for grey in ("#000000", "#FFFFFF", "#777777"):
        assert colours.simulate(grey, deficiency) == pytest.approx(colours.to_rgba(grey)[:3], abs=1e-3)


def test_simulation_applies_machado_rows_in_linear_light():
    """Is pure red under protanopia the first column of Machado's matrix, encoded back to sRGB (negatives clipped)?"""
    encode = colours._encoded
    assert colours.simulate("#FF0000", "protanopia") == pytest.approx((encode(0.152286), encode(0.114503), 0.0))


def test_simulation_confuses_what_each_dichromacy_confuses():
    """Do red and green nearly merge with protanopia and deuteranopia, not tritanopia; blue and green with tritan?"""
    red, green, blue = "#D00000", "#5A7A00", "#0070A0"
    typical = colour_difference(red, green)
    assert colour_difference(red, green, "protanopia") < typical / 3
    assert colour_difference(red, green, "deuteranopia") < typical / 3
    assert colour_difference(red, green, "tritanopia") > typical / 2
    assert colour_difference(blue, green, "tritanopia") < colour_difference(blue, green, "deuteranopia") / 2


def test_unknown_deficiency_is_refused():
    """Is a name other than the three dichromacies refused?"""
    with pytest.raises(ValueError):
        colours.simulate("#FF0000", "achromatopsia")


# ---------------------------------------------------------------------------------------------------------------
# Each widget as its lesson builds it, stepped through the states in which its colours change.


def _receptor():
    w = course_widgets.ReceptorExplorer()
    yield w, "all curves at 1 unit"
    w.antagonist_added = True
    yield w, "antagonist added"
    w.amount = 0.01
    yield w, "smallest amount"
    w.amount = 1000.0
    yield w, "largest amount (labels left of the marker)"
    w.show_full = w.show_antagonist = False
    yield w, "partial agonist and blocked curve only"


def _criteria():
    w = course_widgets.CriteriaChecker()
    for _, key in w.vignette_picker.options:
        w.vignette = key
        yield w, f"{key}, nothing ticked"
        w.tick(*range(1, 12))
        w.revealed = True
        yield w, f"{key}, all ticked, assessment shown"


def _every_choice(widget, picker, outer: str, items: str, inner: str):
    """Each option of ``picker`` (trait ``outer``) with each index of its ``items`` (trait ``inner``)."""
    for _, key in picker.options:
        setattr(widget, outer, key)
        for index in range(len(getattr(widget, items))):
            setattr(widget, inner, index)
            yield widget, f"{outer} {key}, {inner} {index + 1}"


def _cycle():
    w = course_widgets.DependenceCycle()
    yield from _every_choice(w, w.loop_picker, "loop", "stages", "stage")


def _simulator():
    w = course_widgets.ToleranceSimulator()
    for (_, pattern), weeks in itertools.product(w.pattern_picker.options, (w.weeks_slider.min, w.weeks_slider.max)):
        w.pattern, w.weeks = pattern, weeks
        yield w, f"{pattern}, {weeks} weeks"


def _risk_factors():
    w = course_widgets.RiskFactorExplorer()
    yield from _every_choice(w, w.domain_picker, "domain", "factors", "factor")


def _timeline():
    w = course_widgets.WithdrawalTimeline()
    for (_, show), (_, source), (_, span) in itertools.product(
        w.show_picker.options, w.source_picker.options, w.span_picker.options
    ):
        w.show, w.source, w.span = show, source, span
        yield w, f"show {show}, source {source}, span {span}"


def _cows_scores(total: int) -> dict:
    """Item scores adding up to ``total``: each item takes the largest allowed score that still fits."""
    from oud_course.widgets.cows import ITEMS

    scores, left = {}, total
    for item in ITEMS:
        scores[item["key"]] = max(s["score"] for s in item["scores"] if s["score"] <= left)
        left -= scores[item["key"]]
    assert left == 0, f"no scores add up to {total}"
    return scores


def _cows():
    from oud_course.widgets.cows import BANDS

    w = course_widgets.COWSScorer()
    yield w, "all items 0"
    for _, case in w.case_picker.options:
        w.case = case
        yield w, f"practice case {case or 'none'}"
    for band in BANDS:
        for total in (band.low, band.high):
            w.scores = _cows_scores(total)
            yield w, f"total {total} ({band.key})"


def _overdose():
    w = course_widgets.OverdoseExplorer()
    years = w.years
    gaps = [y for y in years if any(w.value(k, y) is None for k in ("all", "opioid"))]
    pairs = [(years[0], years[-1]), (years[-1], years[0])] + [(years[0], y) for y in gaps if y != years[0]]
    for _, series in w.series_picker.options:
        for (start, end), show_change in itertools.product(pairs, (False, True)):
            w.series, w.start, w.end, w.show_change = series, start, end, show_change
            yield w, f"{series}, {start} to {end}, change {'shown' if show_change else 'hidden'}"


def _table():
    for dataset in ("medications", "care_options"):  # lesson 07 calls TreatmentTable(), lesson 08 ("care_options")
        w = course_widgets.TreatmentTable() if dataset == "medications" else course_widgets.TreatmentTable(dataset)
        for _, question in w.question_picker.options:
            for highlight, sources in itertools.product((False, True), repeat=2):
                w.question, w.highlight, w.show_sources = question, highlight, sources
                yield w, f"{dataset}, question {question or 'none'}, highlight {highlight}, sources {sources}"


def _myths():
    w = course_widgets.MythOrFact()
    yield w, "first statement, unanswered"
    w.answer(w.statement["verdict"])
    yield w, "answered right"
    w.next_statement()
    w.answer(next(v for v in ("myth", "fact", "partly") if v != w.statement["verdict"]))
    yield w, "answered wrong"
    while w.position < len(w.statements) - 1:
        w.next_statement()
        w.answer(w.statement["verdict"])
    yield w, "last statement answered"


def _walkthrough():
    w = course_widgets.OverdoseWalkthrough()
    yield w, "first step, nothing picked"
    w.choose("sleep")
    yield w, "a wrong choice explained"
    w.go_back()
    w.choose("wake")
    yield w, "a right choice shown"
    w.show_text = True
    yield w, "text version shown"


STATES = {
    "ReceptorExplorer": _receptor,
    "CriteriaChecker": _criteria,
    "DependenceCycle": _cycle,
    "ToleranceSimulator": _simulator,
    "RiskFactorExplorer": _risk_factors,
    "WithdrawalTimeline": _timeline,
    "COWSScorer": _cows,
    "OverdoseExplorer": _overdose,
    "TreatmentTable": _table,
    "MythOrFact": _myths,
    "OverdoseWalkthrough": _walkthrough,
}


def test_every_widget_is_stepped_through_its_states():
    """Does this test step through every widget the package exports (a new widget needs its states here)?"""
    assert sorted(STATES) == sorted(course_widgets.__all__)


# ---------------------------------------------------------------------------------------------------------------
# Reading colours from figures.


@dataclass(frozen=True)
class Problem:
    """One colour that breaks a rule, where, and by how much."""

    state: str
    what: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.state}] {self.what}: {self.detail}"


def _descendants(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _descendants(child)


def _shown(artist) -> bool:
    axes = getattr(artist, "axes", None)
    return artist.get_visible() and (not isinstance(axes, Axes) or axes.get_visible())


def _describe(kind: str, colour, alpha: float | None = None, extra: str = "") -> str:
    words = f"{kind} {to_hex(colour)}"
    if alpha is not None and alpha < 1:
        words += f" alpha {alpha:g}"
    return words + (f" {extra}" if extra else "")


def _rgba(colour, alpha: float | None) -> tuple:
    """A matplotlib colour with the artist's own alpha (which replaces the colour's) applied."""
    rgba = to_rgba(colour)
    return (*rgba[:3], rgba[3] if alpha is None else alpha)


def _is_none(colour) -> bool:
    return colour is None or (isinstance(colour, str) and colour.lower() == "none") or to_rgba(colour)[3] == 0


def _contains(outer: Bbox, inner: Bbox, slack: float = 0.5) -> bool:
    return (outer.x0 - slack <= inner.x0 and inner.x1 <= outer.x1 + slack
            and outer.y0 - slack <= inner.y0 and inner.y1 <= outer.y1 + slack)


def _overlaps(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@dataclass
class Layer:
    """A filled area that can lie behind other artists: its colour, box on the canvas, and drawing order."""

    patch: Patch
    colour: tuple
    box: Bbox
    axes: object
    order: float


class FigureAudit:
    """The colours one figure draws with, read from its artists after a redraw, and the rules applied to them."""

    def __init__(self, view: FigureView, state: str):
        self.figure = view.figure
        self.state = state
        self.renderer = self.figure.canvas.get_renderer()
        self.base = composite(self.figure.get_facecolor(), WHITE)
        artists = [a for a in self.figure.findobj() if _shown(a)]
        self.legend_of = {}
        for legend in (a for a in artists if isinstance(a, Legend)):
            for member in legend.findobj():
                self.legend_of[id(member)] = legend
        # A text in colour "none" draws no letters (a widget may use one only for its box).
        self.texts = [a for a in artists
                      if isinstance(a, Text) and a.get_text().strip() and not _is_none(a.get_color())]
        self.arrows = [a.arrow_patch for a in artists if isinstance(a, Annotation) and a.arrow_patch is not None]
        self.boxes = {id(t): t.get_bbox_patch() for t in self.texts if t.get_bbox_patch() is not None}
        for text in self.texts:
            if text.get_bbox_patch() is not None:
                text.update_bbox_position_size(self.renderer)  # a box moves only when its text is drawn
        # Arrows and text boxes are drawn by their annotation or text: they share its axes and place in the order.
        self.host = {id(a.arrow_patch): a for a in artists if isinstance(a, Annotation) and a.arrow_patch is not None}
        self.host |= {id(t.get_bbox_patch()): t for t in self.texts if t.get_bbox_patch() is not None}
        gridlines = {id(tick.gridline) for axes in self.figure.axes for axis in (axes.xaxis, axes.yaxis)
                     for tick in axis.get_major_ticks() + axis.get_minor_ticks()}
        self.lines = [a for a in artists if isinstance(a, Line2D) and id(a) not in gridlines and len(a.get_xdata())]
        self.frames = {id(a.legendPatch) for a in artists if isinstance(a, Legend)}
        self.backdrops = {id(axes.patch) for axes in self.figure.axes} | {id(self.figure.patch)}
        patches = [a for a in artists if isinstance(a, Patch)] + self.arrows + list(self.boxes.values())
        self.patches = [p for p in patches if p.get_visible()]
        # Arrows are drawn lines (their box is mostly empty), not grounds that other artists stand on.
        arrows = {id(a) for a in self.arrows}
        self.layers = [self._layer(p) for p in self.patches if id(p) != id(self.figure.patch) and id(p) not in arrows]
        self.layers = [layer for layer in self.layers if layer is not None]
        self.problems: dict[str, list[Problem]] = {rule: [] for rule in RULES}

    def _order(self, artist) -> float:
        """Drawing order in the axes: the zorder (a legend's members at the legend's, a text's box just under it)."""
        if id(artist) in self.host:
            return self._order(self.host[id(artist)]) - 0.01
        legend = self.legend_of.get(id(artist))
        return legend.get_zorder() if legend is not None else artist.get_zorder()

    def _axes(self, artist):
        return self.host[id(artist)].axes if id(artist) in self.host else artist.axes

    def _layer(self, patch: Patch) -> Layer | None:
        if not patch.get_fill() or isinstance(patch, Spine) or _is_none(patch.get_facecolor()):
            return None
        colour = _rgba(patch.get_facecolor(), patch.get_alpha())
        order = -1.0 if id(patch) in self.backdrops else self._order(patch)  # an axes background is under all it holds
        return Layer(patch, colour, patch.get_window_extent(self.renderer), self._axes(patch), order)

    def behind(self, artist, box: Bbox, points=None) -> list[tuple]:
        """The opaque colours that may lie behind ``artist`` where it covers ``box`` (or any of ``points``)."""
        order = self._order(artist)
        legend = self.legend_of.get(id(artist))
        own = self.boxes.get(id(artist))
        seen = [self.base]
        for layer in sorted(self.layers, key=lambda layer: layer.order):
            if layer.patch is artist:
                continue
            is_backdrop = id(layer.patch) in self.backdrops
            if id(layer.patch) in self.frames:
                under = legend is not None and layer.patch is legend.legendPatch
            elif layer.patch is own:
                under = True
            else:
                # A frameless legend shows what its axes draw below it; its own handles sit beside its words.
                under = (layer.axes is self._axes(artist) or is_backdrop) and layer.order < order
            if not under:
                continue
            if points is not None:
                touched = any(layer.box.contains(x, y) for x, y in points)
                covers = False
            else:
                touched, covers = _overlaps(layer.box, box), _contains(layer.box, box)
            if touched:
                painted = [composite(layer.colour, colour) for colour in seen]
                seen = painted if covers else seen + painted
        return list(dict.fromkeys(tuple(round(c, 6) for c in colour) for colour in seen))

    def _flag(self, rule: str, what: str, detail: str) -> None:
        self.problems[rule].append(Problem(self.state, what, detail))

    def check_text(self) -> None:
        dpi = self.figure.dpi
        for text in self.texts:
            weight = text.get_fontweight()
            bold = weight in ("bold", "heavy", "extra bold", "black", "semibold", "demibold") or (
                isinstance(weight, int | float) and weight >= 600)
            need = LARGE_TEXT_CONTRAST if colours.is_large_text(text.get_fontsize() * dpi / 72, bold) else TEXT_CONTRAST
            colour = _rgba(text.get_color(), text.get_alpha())
            for background in self.behind(text, text.get_window_extent(self.renderer)):
                ratio = contrast_ratio(composite(colour, background), background)
                if ratio < need:
                    self._flag("text", _describe("text", colour, text.get_alpha(), repr(text.get_text()[:40])),
                               f"{ratio:.2f}:1 on {to_hex(background)}, needs {need}:1")

    def _line_points(self, line: Line2D) -> list[tuple[float, float]]:
        """The line's vertices on the canvas, with nine points between each pair if the line is drawn between them."""
        xy = line.get_transform().transform(line.get_xydata())
        points = [tuple(p) for p in xy]
        if line.get_linestyle() in ("None", "none", "", " "):
            return points
        for (x0, y0), (x1, y1) in zip(xy, xy[1:]):
            points += [(x0 + (x1 - x0) * t / 10, y0 + (y1 - y0) * t / 10) for t in range(1, 10)]
        return points

    def check_lines(self) -> None:
        for line in self.lines:
            points = self._line_points(line)
            backgrounds = self.behind(line, line.get_window_extent(self.renderer), points)
            alpha = line.get_alpha()
            drawn = line.get_linestyle() not in ("None", "none", "", " ") and line.get_linewidth() > 0
            if drawn:
                colour = _rgba(line.get_color(), alpha)
                for background in backgrounds:
                    ratio = contrast_ratio(composite(colour, background), background)
                    if ratio < GRAPHICS_CONTRAST:
                        self._flag("graphics", _describe("line", colour, alpha, f"style {line.get_linestyle()}"),
                                   f"{ratio:.2f}:1 on {to_hex(background)}, needs 3:1")
            if line.get_marker() in ("None", "none", "", " ", None):
                continue
            parts = [line.get_markeredgecolor()] if line.get_markeredgewidth() > 0 else []
            if line._marker.is_filled():
                parts.append(line.get_markerfacecolor())
            parts = [_rgba(c, alpha) for c in parts if not _is_none(c)]
            for background in backgrounds:
                best = max((contrast_ratio(composite(c, background), background) for c in parts), default=1.0)
                if best < GRAPHICS_CONTRAST:
                    self._flag("graphics", _describe("marker", parts[0] if parts else WHITE, alpha,
                                                     f"'{line.get_marker()}'"),
                               f"face and edge at most {best:.2f}:1 on {to_hex(background)}, needs 3:1")

    def labelled_in_place(self, patch: Patch, face: tuple) -> bool:
        """Whether a text that passes 4.5:1 on the patch's fill sits inside the patch."""
        box = patch.get_window_extent(self.renderer)
        for text in self.texts:
            extent = text.get_window_extent(self.renderer)
            x, y = (extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2
            if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1:
                if contrast_ratio(composite(_rgba(text.get_color(), text.get_alpha()), face), face) >= TEXT_CONTRAST:
                    return True
        return False

    def check_patches(self) -> None:
        for patch in self.patches:
            if id(patch) in self.backdrops or id(patch) in self.frames:
                continue
            alpha = patch.get_alpha()
            edge = None if _is_none(patch.get_edgecolor()) or patch.get_linewidth() <= 0 else _rgba(
                patch.get_edgecolor(), alpha)
            filled = patch.get_fill() and not _is_none(patch.get_facecolor())
            face = _rgba(patch.get_facecolor(), alpha) if filled else None
            if face is None and edge is None:
                continue  # draws nothing (e.g. a legend frame turned off, a box with no face or edge)
            hatch = patch.get_hatch()
            for background in self.behind(patch, patch.get_window_extent(self.renderer)):
                shown_face = composite(face, background) if face else background
                ways = []
                if face:
                    ways.append(contrast_ratio(shown_face, background))
                if edge:
                    ways.append(contrast_ratio(composite(edge, background), background))
                if hatch and face:
                    ways.append(contrast_ratio(composite(_rgba(patch.get_hatchcolor(), alpha), shown_face), shown_face))
                if max(ways) >= GRAPHICS_CONTRAST or (face and self.labelled_in_place(patch, shown_face)):
                    continue
                kind = "patch" if face else "outline"
                self._flag("graphics", _describe(kind, face or edge, alpha, type(patch).__name__),
                           f"fill, edge and hatch at most {max(ways):.2f}:1 on {to_hex(background)} and no label "
                           "inside, needs 3:1")

    def _signature(self, artist) -> tuple:
        if isinstance(artist, Line2D):
            return ("line", artist.get_linestyle(), artist.get_marker())
        face = artist.get_facecolor()
        filled = artist.get_fill() and not _is_none(face) and to_hex(face) != "#FFFFFF"
        return ("patch", artist.get_hatch(), filled)

    def _cues(self, artist) -> list[tuple]:
        """The colours that tell ``artist`` apart, each painted over white."""
        alpha = artist.get_alpha()
        if isinstance(artist, Line2D):
            marked = artist.get_marker() not in ("None", None)
            found = [artist.get_color()] + ([artist.get_markerfacecolor()] if marked else [])
        else:
            found = [artist.get_facecolor()] + ([artist.get_edgecolor()] if artist.get_linewidth() > 0 else [])
        return [composite(_rgba(c, alpha), WHITE) for c in found if not _is_none(c)]

    def _compare(self, items: list[tuple[str, object]], where: str) -> None:
        """Flag pairs of ``items`` that look alike but for colour and are too close in colour for someone."""
        for (name1, a1), (name2, a2) in itertools.combinations(items, 2):
            if self._signature(a1) != self._signature(a2):
                continue
            cues1, cues2 = self._cues(a1), self._cues(a2)
            if [to_hex(c) for c in cues1] == [to_hex(c) for c in cues2]:
                continue  # the same colours: not a colour distinction
            for vision in (None, *DEFICIENCIES):
                difference = max(colour_difference(c1, c2, vision) for c1, c2 in zip(cues1, cues2))
                if difference < DISTINCT_DELTA_E:
                    self._flag("colour-blind", f"{where}: {name1!r} and {name2!r}",
                               f"differ only by colour, CIEDE2000 {difference:.1f} with {vision or 'typical vision'}, "
                               f"needs {DISTINCT_DELTA_E:g}")
                    break

    def check_colour_blind(self) -> None:
        for legend in {id(lg): lg for lg in self.legend_of.values()}.values():
            entries = [(t.get_text(), h) for t, h in zip(legend.texts, legend.legend_handles) if h is not None]
            self._compare(entries, "legend")
        for axes in self.figure.axes:
            fills = [p for p in self.patches if p.axes is axes and id(p) not in self.backdrops | self.frames
                     and id(p) not in {id(b) for b in self.boxes.values()} and id(p) not in self.legend_of
                     and p.get_fill() and not _is_none(p.get_facecolor())]
            shown = {id(p): composite(_rgba(p.get_facecolor(), p.get_alpha()), self.base) for p in fills}
            unlabelled = [p for p in fills if not self.labelled_in_place(p, shown[id(p)])]
            by_colour = {}
            for patch in unlabelled:
                by_colour.setdefault(tuple(to_hex(c) for c in self._cues(patch)), patch)
            self._compare([(f"{type(p).__name__} {' '.join(k)}", p) for k, p in by_colour.items()], "plot")


def _figure_problems(view: FigureView, state: str) -> dict[str, list[Problem]]:
    audit = FigureAudit(view, state)
    audit.check_text()
    audit.check_lines()
    audit.check_patches()
    audit.check_colour_blind()
    words = html.unescape(re.sub(r"<[^>]+>", " ", view.text_alternative.value))
    said = words.split("in words:", 1)[-1].split()
    if not view.image.value or len(said) < 8:
        audit._flag("text-alternative", f"figure {view._label!r}", f"text alternative has {len(said)} words")
    return audit.problems


# ---------------------------------------------------------------------------------------------------------------
# Reading colours from HTML.

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _declarations(css: str) -> dict[str, str]:
    found = {}
    for part in css.split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            found[name.strip().lower()] = value.strip()
    return found


def _background(value: str):
    """The colour in a CSS background value, or None ("transparent", or only an image)."""
    for candidate in [value, *re.findall(r"rgba?\([^)]*\)|#[0-9a-fA-F]{3,8}\b|[a-zA-Z]+", value)]:
        try:
            rgba = to_rgba(candidate)
        except ValueError:
            continue
        return None if rgba[3] == 0 else rgba
    return None


def _pair(declarations: dict[str, str]) -> tuple:
    colour = to_rgba(declarations["color"]) if "color" in declarations else None
    background = None
    for name in ("background", "background-color"):
        if name in declarations:
            background = _background(declarations[name]) or background
    return colour, background


class _TextColours(HTMLParser):
    """Each run of text in an HTML fragment with the inline text colour and background that apply, and who set them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, object, object, str]] = [("", None, None, "")]
        self.runs: list[tuple[str, object, object, str]] = []

    def handle_starttag(self, tag, attrs):
        style = dict(attrs).get("style") or ""
        colour, background = _pair(_declarations(style))
        _, outer_colour, outer_background, setter = self.stack[-1]
        if colour or background:
            setter = f"<{tag} style={style!r}>"
        if tag not in _VOID:
            self.stack.append((tag, colour or outer_colour, background or outer_background, setter))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip():
            _, colour, background, setter = self.stack[-1]
            self.runs.append((data.strip(), colour, background, setter))


def _pair_problems(what: str, colour, background, state: str) -> list[Problem]:
    if colour is None and background is None:
        return []  # the theme's own text colour on the theme's background
    if colour is None or background is None:
        missing = "text colour" if colour is None else "background"
        return [Problem(state, what, f"sets {'a background' if colour is None else 'a text colour'} without a "
                                     f"{missing} (WCAG F24: the theme's {missing} may not contrast with it)")]
    shown_background = composite(background, WHITE)
    ratio = contrast_ratio(composite(colour, shown_background), shown_background)
    if ratio < TEXT_CONTRAST:
        return [Problem(state, what, f"{to_hex(colour)} on {to_hex(shown_background)} is {ratio:.2f}:1, needs 4.5:1")]
    return []


def _html_problems(widget, state: str) -> list[Problem]:
    problems = []
    for part in _descendants(widget):
        if isinstance(part, widgets.HTML | widgets.HTMLMath):
            parser = _TextColours()
            parser.feed(part.value)
            for _, colour, background, setter in parser.runs:
                problems += _pair_problems(f"HTML text in {setter}", colour, background, state)
            for block in _STYLE_BLOCK.findall(part.value):
                for selector, body in _RULE.findall(block):
                    colour, background = _pair(_declarations(body))
                    problems += _pair_problems(f"CSS rule {selector.strip()!r}", colour, background, state)
        style = getattr(part, "style", None)
        if style is not None:
            traits = {name: getattr(style, name) for name in style.trait_names() if not name.startswith("_")}
            colour = next((v for n, v in traits.items() if n in ("text_color", "font_color") and v), None)
            background = next((v for n, v in traits.items() if n in ("background", "button_color") and v), None)
            problems += _pair_problems(f"{type(part).__name__} style", to_rgba(colour) if colour else None,
                                       to_rgba(background) if background else None, state)
    return list(dict.fromkeys(problems))


# ---------------------------------------------------------------------------------------------------------------
# The audit itself, on figures and HTML made to break one rule each.


def _figure(draw) -> FigureView:
    view = FigureView(figsize=(4.0, 3.0))
    axes = view.figure.add_subplot()
    draw(axes)
    view.show("A test figure drawn to break or keep one colour rule, described in these words.")
    return view


def _found(view: FigureView, rule: str) -> list[Problem]:
    return _figure_problems(view, "made up")[rule]


def test_audit_flags_pale_text_and_passes_dark_text():
    """Is #959595 text on white (3.0:1) flagged and #595959 (7.0:1) not?"""
    assert _found(_figure(lambda ax: ax.text(0.5, 0.5, "pale words", color="#959595")), "text")
    assert not _found(_figure(lambda ax: ax.text(0.5, 0.5, "dark words", color="#595959")), "text")


def test_audit_reads_text_against_the_bar_behind_it():
    """Is black text on a dark blue bar flagged (4.0:1) while white text on it passes (5.2:1)?"""
    def draw(colour):
        return lambda ax: (ax.bar([0.5], [1.0], width=0.8, color="#0072B2"), ax.set_ylim(0, 1.2),
                           ax.text(0.5, 0.5, "on the bar", color=colour, ha="center"))

    assert _found(_figure(draw("#000000")), "text")
    assert not _found(_figure(draw("#FFFFFF")), "text")


def test_audit_flags_a_pale_fill_unless_an_edge_or_a_label_carries_it():
    """Is a yellow fill with no edge flagged, but not with a black edge or a black label inside it?"""
    def draw(edge, label):
        def drawing(ax):
            ax.bar([0.5], [1.0], width=0.8, color="#F0E442", edgecolor=edge, linewidth=1.5)
            ax.set_ylim(0, 1.2)
            if label:
                ax.text(0.5, 0.5, "mild", ha="center", color="#000000")
        return drawing

    assert _found(_figure(draw("none", False)), "graphics")
    assert not _found(_figure(draw("#000000", False)), "graphics")
    assert not _found(_figure(draw("none", True)), "graphics")


def test_audit_flags_a_pale_line_and_a_faint_marker():
    """Is a sky-blue line (2.3:1) flagged, and a yellow marker only while it has no dark edge?"""
    assert _found(_figure(lambda ax: ax.plot([0, 1], [0, 1], color="#56B4E9")), "graphics")
    assert _found(_figure(lambda ax: ax.plot([0.5], [0.5], "o", color="#F0E442", markeredgecolor="#F0E442")),
                  "graphics")
    assert not _found(_figure(lambda ax: ax.plot([0.5], [0.5], "o", color="#F0E442", markeredgecolor="#000000")),
                      "graphics")


def test_audit_flags_series_told_apart_by_red_and_green_alone():
    """Are a red and a green solid line in one legend flagged, but not once their line styles differ?"""
    def draw(second_style):
        def drawing(ax):
            ax.plot([0, 1], [0, 1], color="#D00000", label="first")
            ax.plot([0, 1], [1, 0], color="#5A7A00", linestyle=second_style, label="second")
            ax.legend()
        return drawing

    problems = _found(_figure(draw("-")), "colour-blind")
    assert problems and any(kind in problems[0].detail for kind in ("protanopia", "deuteranopia"))
    assert not _found(_figure(draw("--")), "colour-blind")


def test_audit_flags_a_figure_without_words():
    """Is a figure whose text alternative is empty flagged?"""
    view = _figure(lambda ax: ax.plot([0, 1], [0, 1], color="#000000"))
    view.show("")
    assert _found(view, "text-alternative")


@pytest.mark.parametrize(
    ("fragment", "flagged"),
    [
        ("<p style='color:#007A5A'>only a text colour</p>", True),
        ("<td style='background:#FFF1C2'>only a background</td>", True),
        ("<p style='color:#777777;background:#FFFFFF'>4.48:1</p>", True),
        ("<p style='color:#000000;background:#FFF1C2'>18.6:1</p>", False),
        ("<div style='background:#000000'><p style='color:#FFFFFF'>set on two elements</p></div>", False),
        ("<p>the theme's own colours</p>", False),
        ("<style>.oud-x { color: #767676 }</style><p class='oud-x'>a rule</p>", True),
    ],
)
def test_audit_of_html_colours(fragment, flagged):
    """Is HTML flagged exactly when it sets a colour without a background (or the reverse) or too little contrast?"""
    assert bool(_html_problems(widgets.HTML(fragment), "made up")) == flagged


def test_audit_of_ipywidgets_styles():
    """Is a button coloured by its style flagged while its text colour is the theme's, and passed in a good pair?"""
    button = widgets.Button(description="Go")
    button.style.button_color = "#0072B2"
    assert _html_problems(button, "made up")
    button.style.text_color = "#FFFFFF"
    assert not _html_problems(button, "made up")


# ---------------------------------------------------------------------------------------------------------------
# The audit of each widget and the tests over it.


@cache
def audit(name: str) -> dict[str, list[Problem]]:
    """Every problem found in widget ``name`` over all its states, by rule (each distinct problem once)."""
    found: dict[str, dict[tuple, Problem]] = {rule: {} for rule in RULES}
    views_seen = 0
    for widget, state in STATES[name]():
        state = f"{name}: {state}"
        for problem in _html_problems(widget, state):
            found["html"].setdefault((problem.what, problem.detail), problem)
        for view in (part for part in _descendants(widget) if isinstance(part, FigureView)):
            views_seen += 1
            for rule, problems in _figure_problems(view, state).items():
                for problem in problems:
                    found[rule].setdefault((problem.what, problem.detail), problem)
    return {rule: list(problems.values()) for rule, problems in found.items()} | {"views": views_seen}


def _cases():
    for name, rule in itertools.product(sorted(STATES), RULES):
        known = KNOWN.get((name, rule))
        marks = [pytest.mark.xfail(strict=True, raises=KnownColourProblem, reason=known[1])] if known else []
        yield pytest.param(name, rule, marks=marks, id=f"{name}-{rule}")


@pytest.mark.parametrize(("name", "rule"), list(_cases()))
def test_widget_colours(name, rule):
    """Does the widget, in every state, meet the rule (see the module docstring) for every colour it uses?"""
    problems = audit(name)[rule]
    expected, _ = KNOWN.get((name, rule), ((), ""))
    unexpected = [p for p in problems if not any(e in p.what for e in expected)]
    assert not unexpected, "\n".join(map(str, unexpected))
    if problems:
        raise KnownColourProblem("\n".join(map(str, problems)))


def test_figure_widgets_are_audited():
    """Were figures found in every widget that draws one (so a passing figure rule is not an empty check)?"""
    drawing = {"ReceptorExplorer", "DependenceCycle", "ToleranceSimulator", "RiskFactorExplorer",
               "WithdrawalTimeline", "COWSScorer", "OverdoseExplorer"}
    assert all(audit(name)["views"] > 0 for name in drawing)
