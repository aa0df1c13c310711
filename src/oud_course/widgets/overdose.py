"""OverdoseExplorer: US overdose deaths by year from the bundled CDC/NCHS table, and the change between two years."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib as mpl
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import StrMethodFormatter
from matplotlib.transforms import offset_copy
from traitlets import Bool, Int, Unicode, observe, validate

from oud_course.data import load
from oud_course.widgets._figure import PALETTE, FigureView
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import Ready, one_of
from oud_course.widgets._stamped_text import StampedText

DATA_FILE = "overdose_deaths.csv"
SERIES = {
    "all": "All drug overdose deaths",
    "opioid": "Opioid-involved overdose deaths",
    "both": "Both series",
}
_COLUMN = {"all": "all_drug_deaths", "opioid": "opioid_deaths"}
_COLOUR = {"all": PALETTE["blue"], "opioid": PALETTE["orange"]}
_SHORT = {"all": "all drug overdose deaths", "opioid": "opioid-involved deaths"}
GAP_NOTE = "A missing value is left as a gap (marked ×), not drawn as zero and never filled in from its neighbours."
PROVISIONAL_NOTE = "Provisional counts are drawn hollow and hatched: they will change when final data are published."
FORMULA = "percent change = (later value − earlier value) ÷ earlier value × 100"


@dataclass(frozen=True)
class YearRow:
    """One year of the table: a count per series (None where the sources give no single number)."""

    year: int
    counts: dict
    status: str
    source: str
    note: str


def load_deaths() -> list[YearRow]:
    """The table's rows in year order, with counts as integers and empty cells as None."""
    rows = [
        YearRow(
            year=int(row["year"]),
            counts={key: int(row[column]) if row[column].strip() else None for key, column in _COLUMN.items()},
            status=row["status"],
            source=row["source"],
            note=row["note"],
        )
        for row in load(DATA_FILE)
    ]
    return sorted(rows, key=lambda r: r.year)


def percent_change(earlier: float, later: float) -> float:
    """The change from ``earlier`` to ``later`` as a percentage of ``earlier``."""
    return 100.0 * (later - earlier) / earlier


class OverdoseExplorer(Ready, widgets.VBox):
    """Deaths by year for one series or both; pick two years, work out the change, then reveal it to check.

    ``series`` is ``"all"``, ``"opioid"`` or ``"both"``; ``start`` and ``end`` are years in the table.
    """

    series = Unicode("all")
    start = Int(2016)
    end = Int(2019)
    show_change = Bool(False)

    def __init__(self, series: str = "all", start: int = 2016, end: int = 2019, show_change: bool = False):
        self._rows = load_deaths()
        self._by_year = {row.year: row for row in self._rows}
        years = [row.year for row in self._rows]
        wide = {"description_width": "7em"}
        self.series_picker = widgets.Dropdown(
            options=[(label, key) for key, label in SERIES.items()], description="Series:", style=wide,
            layout=widgets.Layout(width="26em"),
        )
        self.start_picker = widgets.Dropdown(options=years, description="From year:", style=wide,
                                             layout=widgets.Layout(width="14em"))
        self.end_picker = widgets.Dropdown(options=years, description="To year:", style=wide,
                                           layout=widgets.Layout(width="14em"))
        self.change_toggle = widgets.ToggleButton(
            description="Show percent change", icon="percent",
            tooltip="Reveal the percent change between the two years, to check your own working",
            layout=widgets.Layout(width="auto"),
        )
        self.view = FigureView(figsize=(7.2, 4.2), label="Overdose deaths chart")
        self.readout = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.readout.add_class("oud-overdose-readout")
        self.table = widgets.HTML(self._table_html(), layout=widgets.Layout(max_width="60em"))
        super().__init__(
            [
                self.series_picker,
                widgets.HBox([self.start_picker, self.end_picker]),
                self.readout,
                widgets.HBox([self.change_toggle]),  # a box of its own, so the button keeps its natural width
                self.view,
                self.table,
            ]
        )
        self.add_class("oud-overdose-explorer")
        show_keyboard_focus(self)
        widgets.link((self.series_picker, "value"), (self, "series"))
        widgets.link((self.start_picker, "value"), (self, "start"))
        widgets.link((self.end_picker, "value"), (self, "end"))
        widgets.link((self.change_toggle, "value"), (self, "show_change"))
        self.series, self.start, self.end, self.show_change = series, start, end, show_change
        self._build_axes()
        self._ready = True
        self._redraw()

    @property
    def years(self) -> list[int]:
        """The years in the table, in order."""
        return [row.year for row in self._rows]

    @property
    def shown(self) -> list[str]:
        """The series keys on show: one of them, or both."""
        return ["all", "opioid"] if self.series == "both" else [self.series]

    def value(self, key: str, year: int) -> int | None:
        """The count for series ``key`` in ``year``, or None where the sources give no single number."""
        return self._by_year[year].counts[key]

    def change(self, key: str) -> float | None:
        """Percent change of series ``key`` from ``start`` to ``end``.

        None if either value is missing or ``start`` is not before ``end``: a gap is never filled in.
        """
        earlier, later = self.value(key, self.start), self.value(key, self.end)
        if self.start >= self.end or earlier is None or later is None:
            return None
        return percent_change(earlier, later)

    @validate("series")
    def _known_series(self, proposal):
        return one_of("series", proposal["value"], SERIES)

    @validate("start", "end")
    def _year_in_table(self, proposal):
        if proposal["value"] not in self._by_year:
            raise ValueError(f"year must be one of {self.years[0]}–{self.years[-1]}, not {proposal['value']!r}")
        return proposal["value"]

    @observe("series", "start", "end", "show_change")
    def _on_change(self, change) -> None:
        if self._ready:
            self._redraw()

    def _build_axes(self) -> None:
        """Draw every bar of both series once; later changes only move, hide and restyle them.

        What a series choice sets (bars, gaps, legend, axes) is drawn as that series' background; the years picked
        (outlines and bold year labels) and the title are drawn over it, so picking years redraws only them.
        """
        figure = self.view.figure
        axes = figure.add_subplot()
        self._axes = axes
        self._bars: dict[str, dict[int, object]] = {}
        self._gaps: dict[str, Line2D] = {}
        for key in _COLUMN:
            self._bars[key] = {}
            for row in self._rows:
                count = row.counts[key]
                if count is None:
                    continue
                provisional = row.status == "provisional"
                (bar,) = axes.bar(
                    row.year, count, width=0.7, color="white" if provisional else _COLOUR[key],
                    edgecolor=_COLOUR[key], hatch="///" if provisional else None, linewidth=1.2,
                )
                self._bars[key][row.year] = bar
            self._gaps[key] = axes.plot([], [], linestyle="none", marker="x", markersize=9, markeredgewidth=2,
                                        color=_COLOUR[key])[0]
        top = max(c for row in self._rows for c in row.counts.values() if c is not None)
        axes.set_ylim(0, 1.12 * top)
        axes.set_xlim(self.years[0] - 0.6, self.years[-1] + 0.6)
        axes.set_xticks(self.years)
        axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.set_ylabel("Deaths in the year")
        axes.set_xlabel("Year (United States; source: CDC/NCHS)")
        axes.grid(axis="y", alpha=0.3)
        axes.set_axisbelow(True)
        # A picked bar gets a black outline, drawn over the bar (two years, two series at most).
        self._outlines = [axes.add_patch(Rectangle((0, 0), 0, 0, fill=False, edgecolor=PALETTE["black"], linewidth=2.6,
                                                   visible=False)) for _ in range(4)]
        # A picked year's label is written again in bold over its plain tick label, on a white ground that hides it.
        plain = axes.xaxis.get_major_ticks()[0].label1
        self._bold_years = [
            axes.add_artist(StampedText(0, 0, "", transform=plain.get_transform(), ha=plain.get_ha(), va=plain.get_va(),
                                        fontsize=plain.get_fontsize(), fontweight="bold", color=plain.get_color(),
                                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
                                        clip_on=False))
            for _ in range(2)
        ]
        # The title, a line per text from the bottom up, each stamped: while the change is hidden only the years'
        # line changes, and the long lines are reused.
        self._title_lines = [
            axes.add_artist(StampedText(0.5, 1.0, "From", ha="center", va="baseline", fontsize=10, clip_on=False,
                                        transform=offset_copy(axes.transAxes, fig=figure, units="points",
                                                              y=mpl.rcParams["axes.titlepad"] + 13 * line)))
            for line in range(1 + len(_COLUMN))
        ]
        # Laid out once with the tallest title (a line per series under the years), then kept: the axes stay put
        # whatever the title says, and every saved background lines up.
        figure.get_layout_engine().execute(figure)
        figure.set_layout_engine("none")
        self._static_series = None
        self.view.animate(*self._outlines, *self._bold_years, *self._title_lines)

    def _show_series(self) -> None:
        """Place and show the bars, gaps and legend of the series on show: what its background holds."""
        shown = self.shown
        width = 0.4 if len(shown) == 2 else 0.7
        for i, key in enumerate(_COLUMN):
            visible = key in shown
            offset = (i - 0.5) * width if len(shown) == 2 else 0.0
            for year, bar in self._bars[key].items():
                bar.set_visible(visible)
                bar.set_x(year + offset - width / 2)
                bar.set_width(width)
            missing = [row.year + offset for row in self._rows if row.counts[key] is None]
            self._gaps[key].set_data(missing, [0] * len(missing))
            self._gaps[key].set_visible(visible)
        self._axes.legend(handles=self._legend_handles(), loc="upper left", fontsize=8, frameon=False)
        self._static_series = self.series

    def _redraw(self) -> None:
        if self._static_series != self.series:
            self._show_series()
        picked = [bar for key in self.shown for year, bar in self._bars[key].items() if year in (self.start, self.end)]
        for outline, bar in zip(self._outlines, picked + [None] * len(self._outlines)):
            outline.set_visible(bar is not None)
            if bar is not None:
                outline.set_bounds(bar.get_x(), 0, bar.get_width(), bar.get_height())
        for label, year in zip(self._bold_years, sorted({self.start, self.end}) + [None]):
            label.set_visible(year is not None)
            if year is not None:
                label.set_text(str(year))
                label.set_x(year)
        lines = self._title()
        for artist, line in zip(self._title_lines, lines[::-1] + [""] * len(self._title_lines)):
            artist.set_text(line)
        self.readout.value = self._readout_html()
        self.view.show(self.describe(), background=self.series)

    def _legend_handles(self) -> list:
        handles = [Patch(facecolor=_COLOUR[k], edgecolor=_COLOUR[k], label=SERIES[k]) for k in self.shown]
        shown_rows = [(row, k) for row in self._rows for k in self.shown]
        if any(row.status == "provisional" and row.counts[k] is not None for row, k in shown_rows):
            handles.append(Patch(facecolor="white", edgecolor=PALETTE["grey"], hatch="///",
                                 label="Provisional (hollow, hatched)"))
        if any(row.counts[k] is None for row, k in shown_rows):
            handles.append(Line2D([], [], linestyle="none", marker="x", color=PALETTE["grey"], markeredgewidth=2,
                                  label="No single figure: a gap, not zero"))
        handles.append(Patch(facecolor="white", edgecolor=PALETTE["black"], linewidth=2.6, label="Selected years"))
        return handles

    def _title(self) -> list[str]:
        """The title's lines, top to bottom."""
        if self.start >= self.end:
            return [f"Pick a To year later than the From year ({self.start})"]
        if not self.show_change:
            parts = [f"{_SHORT[k]}: percent change hidden (work it out first)" for k in self.shown]
        else:
            parts = [f"{_SHORT[k]}: {self._change_text(k)}" for k in self.shown]
        return [f"From {self.start} to {self.end}", *parts]

    def _change_text(self, key: str) -> str:
        change = self.change(key)
        return "cannot be computed (a value is missing)" if change is None else f"{change:+.1f}%"

    def _value_text(self, key: str, year: int) -> str:
        count = self.value(key, year)
        if count is None:
            return f"{year}: no single figure (a gap in the chart)"
        return f"{year}: {count:,} ({self._by_year[year].status})"

    def _readout_html(self) -> str:
        lines = []
        for key in self.shown:
            values = " and ".join(self._value_text(key, y) for y in (self.start, self.end))
            lines.append(f"<li><b>{html.escape(SERIES[key])}</b>: {html.escape(values)}.</li>")
        notes = []
        for year in sorted({self.start, self.end}):
            row = self._by_year[year]
            if row.note and any(row.counts[k] is None or row.status == "provisional" for k in self.shown):
                notes.append(f"<li><small>{year}: {html.escape(row.note)}</small></li>")
        if self.start >= self.end:
            result = "Pick a <b>To year</b> later than the <b>From year</b> to compare two years."
        elif self.show_change:
            result = "; ".join(f"{html.escape(SERIES[k])}: <b>{self._change_text(k)}</b>" for k in self.shown)
            result = f"Percent change from {self.start} to {self.end} (one decimal place): {result}."
        else:
            result = (f"Work out the percent change yourself: {html.escape(FORMULA)}. "
                      "Then press <b>Show percent change</b> to check.")
        return f"<ul>{''.join(lines)}</ul>" + (f"<ul>{''.join(notes)}</ul>" if notes else "") + f"<p>{result}</p>"

    def _table_html(self) -> str:
        cells = []
        for row in self._rows:
            counts = [f"{row.counts[k]:,}" if row.counts[k] is not None else "—" for k in _COLUMN]
            cells.append(
                f"<tr><td>{row.year}</td><td>{counts[0]}</td><td>{counts[1]}</td><td>{html.escape(row.status)}</td>"
                f"<td><small>{html.escape(row.source)}</small></td><td><small>{html.escape(row.note)}</small></td></tr>"
            )
        return (
            "<details><summary>The data behind the chart (table with sources)</summary>"
            "<table><thead><tr><th>year</th><th>all drug overdose deaths</th><th>opioid-involved deaths</th>"
            "<th>status</th><th>source</th><th>note</th></tr></thead><tbody>" + "".join(cells) + "</tbody></table>"
            f"<p><small>— : no single count verified at its source; the cell is left empty and the note says why. "
            f"{html.escape(PROVISIONAL_NOTE)}</small></p></details>"
        )

    def describe(self) -> str:
        """The chart in words: every value, the gaps, the provisional counts, the years picked and (if revealed) the change."""
        parts = [f"Bar chart of drug overdose deaths in the United States by year, {self.years[0]} to {self.years[-1]} "
                 f"(CDC/NCHS), showing {SERIES[self.series].lower()}."]
        for key in self.shown:
            values = []
            for row in self._rows:
                count = row.counts[key]
                if count is None:
                    values.append(f"{row.year} no single figure (gap)")
                else:
                    marked = " (provisional, hollow and hatched)" if row.status == "provisional" else ""
                    values.append(f"{row.year} {count:,}{marked}")
            parts.append(f"{SERIES[key]}: " + "; ".join(values) + ".")
        parts.append(GAP_NOTE)
        if self.start >= self.end:
            parts.append(f"From year {self.start} is not before To year {self.end}, so no change is shown.")
        else:
            parts.append(f"Selected years: {self.start} and {self.end}, outlined in black.")
            if self.show_change:
                changes = "; ".join(f"{_SHORT[k]} {self._change_text(k)}" for k in self.shown)
                parts.append(f"Percent change: {changes}.")
            else:
                parts.append("The percent change is hidden until you press Show percent change.")
        return " ".join(parts)
