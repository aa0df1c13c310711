"""TreatmentTable: options compared side by side in an accessible HTML table, with questions, sorting, highlights and sources."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import ipywidgets as widgets
from traitlets import Bool, Unicode, observe, validate

from oud_course.data import load
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import Ready, one_of

# Backgrounds come with a text colour (black: 18:1 on both), so they read the same in a light or a dark theme.
_DIFFERS = "background:#FFF1C2;color:#000000"  # a pale Okabe-Ito yellow; "(differs)" in the header says it in words too
_CELL_STYLE = "border:1px solid #B0B0B0;padding:0.35em 0.5em;vertical-align:top;text-align:left"
_HEAD_STYLE = _CELL_STYLE + ";background:#EFEFEF;color:#000000"


@dataclass(frozen=True)
class Question:
    """A question a learner can ask of the table: which options have one of ``categories`` in column ``attribute``."""

    key: str
    text: str
    attribute: str
    categories: frozenset[str]


@dataclass(frozen=True)
class Dataset:
    """One data file of the table and the questions offered on it."""

    file: str
    title: str
    questions: tuple[Question, ...]


def _q(key: str, text: str, attribute: str, *categories: str) -> Question:
    return Question(key, text, attribute, frozenset(categories))


DATASETS = {
    "medications": Dataset(
        "treatments.csv",
        "Medications for opioid use disorder (OUD)",
        (
            # Buprenorphine's low-dose start counts: it is the newer way to begin before withdrawal.
            _q("no-wait", "Which can start while withdrawal has not begun?", "What starting requires", "no-wait",
               "low-dose-option"),
            _q("one-dose-first", "Which injections can start after a single dose of buprenorphine?",
               "What starting requires", "one-dose-first"),
            _q("daily-visits", "Which need daily clinic visits at first?", "Clinic visits at first", "daily"),
            _q("otp-only", "Which are given only at certified opioid treatment programs?", "Who can provide it", "otp-only"),
            _q("full-agonists", "Which are full agonists?", "Mechanism", "full-agonist"),
            _q("partial-agonists", "Which are partial agonists?", "Mechanism", "partial-agonist"),
            _q("antagonists", "Which are antagonists?", "Mechanism", "antagonist"),
            _q("opioid-free-first", "Which need a person to be opioid-free first?", "What starting requires", "opioid-free-first"),
            _q("monthly-injection", "Which come as a monthly injection?", "How it is taken", "monthly-injection",
               "weekly-or-monthly-injection"),
            _q("mortality", "Which have mortality evidence?", "Deaths in vs out of treatment", "yes"),
        ),
    ),
    "care_options": Dataset(
        "care_options.csv",
        "Detox, therapies, care settings and support",
        (
            _q("first-step", "Which are only a first step, not treatment on their own?", "Place in OUD care", "first-step"),
            _q("therapies", "Which are behavioural therapies used alongside medication?", "Type", "therapy"),
            _q("strong", "Which have strong evidence for retention and abstinence?", "Evidence for OUD", "strong"),
            _q("settings", "Which are care settings?", "Type", "setting"),
            _q("peer-led", "Which are free, peer-led groups?", "Who leads it", "peers"),
            _q("thinner", "Which have thinner research evidence for OUD?", "Evidence for OUD", "thinner"),
            _q("during-and-after", "Which continue during and after formal treatment?", "Place in OUD care",
               "during-and-after"),
        ),
    ),
}
NAME_ORDER = "option"  # the sort_by value that sorts by the options' names


def _natural_key(text: str) -> list:
    """Sort key that reads numbers as numbers ("4.3" before "11.3"), letters without case."""
    return [float(part) if i % 2 else part.casefold() for i, part in enumerate(re.split(r"(\d+(?:\.\d+)?)", text))]


def _join(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class TreatmentTable(Ready, widgets.VBox):
    """Compare options (rows) across attributes (columns); ask a question, sort, highlight differences, show sources.

    ``dataset`` is ``"medications"`` (lesson 7) or ``"care_options"`` (lesson 8). ``question`` is a question's key
    or ``""`` for all options; ``sort_by`` is ``""`` (course order), ``"option"`` (names) or an attribute.
    """

    dataset = Unicode(read_only=True)
    question = Unicode("")
    sort_by = Unicode("")
    highlight = Bool(False)
    show_sources = Bool(False)

    def __init__(self, dataset: str = "medications", *, question: str = "", sort_by: str = "",
                 highlight: bool = False, show_sources: bool = False):
        self._spec = DATASETS[one_of("dataset", dataset, DATASETS)]
        self._questions = {q.key: q for q in self._spec.questions}
        rows = load(self._spec.file)
        self.options = list(dict.fromkeys(r["option"] for r in rows))
        self.attributes = list(dict.fromkeys(r["attribute"] for r in rows))
        self._cells = {(r["option"], r["attribute"]): r for r in rows}
        wide = {"description_width": "5.5em"}
        self.question_picker = widgets.Dropdown(
            options=[("All options (no question)", "")] + [(q.text, q.key) for q in self._spec.questions],
            description="Question:", style=wide, layout=widgets.Layout(width="36em"),
        )
        self.sort_picker = widgets.Dropdown(
            options=[("Course order", ""), ("Name (A to Z)", NAME_ORDER)] + [(f"{a} (A to Z)", a) for a in self.attributes],
            description="Sort by:", style=wide, layout=widgets.Layout(width="30em"),
        )
        self.highlight_box = widgets.Checkbox(description="Highlight where options differ", indent=False,
                                              layout=widgets.Layout(width="auto"))
        self.sources_box = widgets.Checkbox(description="Show sources", indent=False, layout=widgets.Layout(width="auto"))
        self.answer = widgets.HTML(layout=widgets.Layout(max_width="60em"))
        self.answer.add_class("oud-text-alternative")
        self.table = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        self.table.add_class("oud-table-view")
        super().__init__(
            [
                widgets.HBox([self.question_picker, self.sort_picker], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([self.highlight_box, self.sources_box], layout=widgets.Layout(grid_gap="2em")),
                self.answer,
                self.table,
            ]
        )
        self.add_class("oud-treatment-table")
        show_keyboard_focus(self)
        self.set_trait("dataset", dataset)
        self.question, self.sort_by, self.highlight, self.show_sources = question, sort_by, highlight, show_sources
        for control, name in ((self.question_picker, "question"), (self.sort_picker, "sort_by"),
                              (self.highlight_box, "highlight"), (self.sources_box, "show_sources")):
            widgets.link((self, name), (control, "value"))
        self._ready = True
        self._render()

    @validate("question")
    def _known_question(self, proposal):
        return one_of("question", proposal["value"], self._questions, empty_ok=True)

    @validate("sort_by")
    def _known_sort(self, proposal):
        if proposal["value"] not in ("", NAME_ORDER, *self.attributes):
            raise ValueError(f"sort_by must be '', {NAME_ORDER!r} or one of {self.attributes}, not {proposal['value']!r}")
        return proposal["value"]

    @observe("question", "sort_by", "highlight", "show_sources")
    def _on_change(self, change) -> None:
        if self._ready:
            self._render()

    def cell_value(self, option: str, attribute: str) -> str:
        """What the table says for ``option`` under ``attribute``."""
        return self._cells[(option, attribute)]["value"]

    def sources_of(self, option: str, attribute: str) -> list[str]:
        """The citations behind one cell ("Organisation, Document, Year"), in order."""
        return [s.strip() for s in self._cells[(option, attribute)]["source"].split("|")]

    def matches(self) -> list[str]:
        """The options that answer the current question (all options when there is none), in course order."""
        if not self.question:
            return list(self.options)
        q = self._questions[self.question]
        return [o for o in self.options if self._cells[(o, q.attribute)]["category"] in q.categories]

    def shown_options(self) -> list[str]:
        """The rows on show, in display order."""
        shown = self.matches()
        if self.sort_by == NAME_ORDER:
            return sorted(shown, key=_natural_key)
        if self.sort_by:
            return sorted(shown, key=lambda o: _natural_key(self.cell_value(o, self.sort_by)))
        return shown

    def differing_attributes(self) -> list[str]:
        """Attributes whose values differ (by category) across the rows on show."""
        shown = self.shown_options()
        return [a for a in self.attributes if len({self._cells[(o, a)]["category"] for o in shown}) > 1]

    def source_list(self) -> list[str]:
        """Every citation behind the cells on show, numbered in the order they first appear (row by row)."""
        cited: dict[str, int] = {}
        for option in self.shown_options():
            for attribute in self.attributes:
                for source in self.sources_of(option, attribute):
                    cited.setdefault(source, len(cited) + 1)
        return list(cited)

    def answer_text(self) -> str:
        """The current question answered in words, or how to ask one."""
        total = len(self.options)
        if not self.question:
            return f"Showing all {total} options. Pick a question to see which options answer it."
        q, found = self._questions[self.question], self.matches()
        verb = "matches" if len(found) == 1 else "match"
        return f"{q.text} {len(found)} of {total} options {verb}: {_join(found)}. (From the column “{q.attribute}”.)"

    def _sort_words(self) -> str:
        if self.sort_by == NAME_ORDER:
            return "sorted by name (A to Z)"
        if self.sort_by:
            return f"sorted by {self.sort_by} (A to Z)"
        return "in course order"

    def describe(self) -> str:
        """The table's state in words: question and answer, order of rows, differences, sources."""
        shown = self.shown_options()
        parts = [f"{self._spec.title} table: {len(shown)} of {len(self.options)} options as rows, "
                 f"{len(self.attributes)} columns ({'; '.join(self.attributes)}).", self.answer_text(),
                 f"Rows {self._sort_words()}: {'; '.join(shown)}."]
        if self.highlight:
            differing = self.differing_attributes()
            same = [a for a in self.attributes if a not in differing]
            parts.append(
                "Highlighting where options differ: "
                + (f"they differ in {'; '.join(differing)}" if differing else "they differ in no column")
                + (f", and are alike in {'; '.join(same)}." if same else ".")
            )
        else:
            parts.append("Highlighting off.")
        if self.show_sources:
            parts.append(f"Sources shown: every cell is marked with its source numbers, {len(self.source_list())} "
                         "sources listed under the table.")
        else:
            parts.append("Sources hidden.")
        return " ".join(parts)

    def _render(self) -> None:
        """Rewrite the answer line and the whole table (a few dozen cells: cheap)."""
        shown = self.shown_options()
        differing = set(self.differing_attributes()) if self.highlight else set()
        numbers = {source: i + 1 for i, source in enumerate(self.source_list())} if self.show_sources else {}
        esc = html.escape
        head = [f'<th scope="col" style="{_HEAD_STYLE}">Option</th>']
        for attribute in self.attributes:
            if attribute in differing:
                head.append(f'<th scope="col" class="oud-differs" style="{_HEAD_STYLE};{_DIFFERS}">'
                            f"{esc(attribute)} <em>(differs)</em></th>")
            else:
                head.append(f'<th scope="col" style="{_HEAD_STYLE}">{esc(attribute)}</th>')
        body = []
        for option in shown:
            cells = [f'<th scope="row" style="{_HEAD_STYLE}">{esc(option)}</th>']
            for attribute in self.attributes:
                text = esc(self.cell_value(option, attribute))
                if numbers:
                    marks = "".join(f"[{numbers[s]}]" for s in self.sources_of(option, attribute))
                    text += f' <sup class="oud-source-mark">{marks}</sup>'
                if attribute in differing:
                    cells.append(f'<td class="oud-differs" style="{_CELL_STYLE};{_DIFFERS}">{text}</td>')
                else:
                    cells.append(f'<td style="{_CELL_STYLE}">{text}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        caption = f"{esc(self._spec.title)}: {len(shown)} of {len(self.options)} options, {esc(self._sort_words())}"
        if self.question:
            caption += f" (question: {esc(self._questions[self.question].text)})"
        table = (
            '<div style="overflow-x:auto">'
            f'<table class="oud-table" style="border-collapse:collapse;font-size:0.9em;line-height:1.35">'
            f'<caption style="caption-side:top;text-align:left;font-weight:bold;padding:0.3em 0">{caption}</caption>'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )
        if numbers:
            items = "".join(f"<li>{esc(source)}</li>" for source in numbers)
            table += f'<div class="oud-sources"><p><b>Sources</b> (the numbers in the table):</p><ol>{items}</ol></div>'
        else:
            table += "<p><small>Tick “Show sources” to see where every cell comes from.</small></p>"
        self.table.value = table
        self.answer.value = f'<p role="status" aria-live="polite"><b>Table, in words:</b> {esc(self.answer_text())}</p>'
