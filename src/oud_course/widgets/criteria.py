"""CriteriaChecker: tick the DSM-5-TR OUD criteria a case vignette shows, and see which count and how severe."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import ipywidgets as widgets
from traitlets import Bool, Int, List, Unicode, observe, validate

from oud_course.data import load
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import one_of

CRITERIA = range(1, 12)
# DSM-5-TR (Am J Addict, PMC6590307, Table 1): criterion 10 is tolerance, 11 withdrawal; neither
# counts for a person taking opioids solely under appropriate medical supervision.
NOT_COUNTED_UNDER_SUPERVISION = frozenset({10, 11})
# DSM-5-TR severity: at least 2 criteria within 12 months; mild 2-3, moderate 4-5, severe 6 or more.
SEVERITY_BANDS = (("none", 0, 1), ("mild", 2, 3), ("moderate", 4, 5), ("severe", 6, 11))
SEVERITY_TEXT = {
    "none": "none: fewer than 2 criteria count, so the OUD threshold is not met",
    "mild": "mild (2\u20133 criteria)",
    "moderate": "moderate (4\u20135 criteria)",
    "severe": "severe (6 or more criteria)",
}
TEACHING_NOTE = (
    "A teaching tool, not a diagnostic tool. The people in these vignettes are fictional. Only a qualified "
    "clinician can diagnose opioid use disorder, after a full assessment that also asks whether the pattern "
    "causes clinically significant impairment or distress. Do not use this checker on yourself or anyone else."
)


def _criteria_numbers(numbers: Iterable[int]) -> set[int]:
    """``numbers`` as a set, refusing anything that is not a criterion number 1 to 11."""
    found = set(numbers)
    wrong = [n for n in found if type(n) is not int or n not in CRITERIA]
    if wrong:
        raise ValueError(f"criteria are numbered 1 to 11, not {sorted(map(repr, wrong))}")
    return found


def counted_criteria(met: Iterable[int], supervised: bool) -> list[int]:
    """The met criteria that count toward OUD, in order.

    All of them count, except tolerance (10) and withdrawal (11) when opioids are taken solely
    under appropriate medical supervision.
    """
    found = _criteria_numbers(met)
    if supervised:
        found -= NOT_COUNTED_UNDER_SUPERVISION
    return sorted(found)


def count_criteria(met: Iterable[int], supervised: bool) -> int:
    """How many of the met criteria count toward OUD (see :func:`counted_criteria`)."""
    return len(counted_criteria(met, supervised))


def severity(count: int) -> str:
    """The DSM-5-TR severity for ``count`` criteria that count: none, mild, moderate or severe."""
    if type(count) is not int:
        raise ValueError(f"count must be a whole number, not {count!r}")
    for label, low, high in SEVERITY_BANDS:
        if low <= count <= high:
            return label
    raise ValueError(f"count must be between 0 and 11, not {count}")


@dataclass(frozen=True)
class Assessment:
    """What a set of met criteria adds up to: which count, which the supervision note sets aside, and the severity."""

    met: tuple[int, ...]
    counted: tuple[int, ...]
    set_aside: tuple[int, ...]
    count: int
    severity: str


def assess(met: Iterable[int], supervised: bool) -> Assessment:
    """Count the criteria in ``met`` that count toward OUD and name the severity."""
    found = sorted(_criteria_numbers(met))
    counted = counted_criteria(found, supervised)
    set_aside = [n for n in found if n not in counted]
    return Assessment(tuple(found), tuple(counted), tuple(set_aside), len(counted), severity(len(counted)))


def _numbers(numbers: Iterable[int]) -> str:
    """'1, 6 and 8' (or 'none')."""
    items = [str(n) for n in numbers]
    if not items:
        return "none"
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class CriteriaChecker(widgets.VBox):
    """Pick a case vignette, tick the criteria it shows, and see which count, the severity, and why.

    ``vignette`` is the key of the case on show; ``ticked`` the criterion numbers the learner ticked;
    ``revealed`` whether the author's assessment is shown beside the learner's.
    """

    vignette = Unicode()
    ticked = List(Int())
    revealed = Bool(False)

    def __init__(self, vignette: str | None = None):
        criteria = load("dsm5_criteria.json")
        self._criteria = {c["number"]: c for c in criteria["criteria"]}
        self._source = criteria["source"]
        self._vignettes = {v["key"]: v for v in load("vignettes.json")["vignettes"]}
        self._syncing = False
        self.vignette_picker = widgets.Dropdown(
            options=[(v["title"], key) for key, v in self._vignettes.items()], description="Vignette:",
            layout=widgets.Layout(width="32em"),
        )
        self.case = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.checkboxes = [
            widgets.Checkbox(
                value=False, description=f"{n}. {self._criteria[n]['short']}", tooltip=self._criteria[n]["full"],
                indent=False, layout=widgets.Layout(width="auto"),
            )
            for n in CRITERIA
        ]
        self.reveal_button = widgets.ToggleButton(
            description="Show the assessment", icon="eye", tooltip="Show the course author's assessment of this case",
            layout=widgets.Layout(width="16em"),
        )
        self.text_alternative = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.text_alternative.add_class("oud-text-alternative")
        self.result = widgets.HTML(layout=widgets.Layout(max_width="60em"))
        self.result.add_class("oud-criteria-result")
        note = widgets.HTML(f"<p><b>{html.escape(TEACHING_NOTE)}</b></p>", layout=widgets.Layout(max_width="46em"))
        prompt = widgets.HTML("<p><b>Tick each criterion you judge the case shows within the last 12 months:</b></p>")
        super().__init__(
            [note, self.vignette_picker, self.case, prompt, widgets.VBox(self.checkboxes), self.reveal_button,
             self.text_alternative, self.result]
        )
        self.add_class("oud-criteria-checker")
        show_keyboard_focus(self)
        for box in self.checkboxes:
            box.observe(self._on_tick, "value")
        widgets.link((self.vignette_picker, "value"), (self, "vignette"))
        widgets.link((self.reveal_button, "value"), (self, "revealed"))
        self.vignette = vignette or next(iter(self._vignettes))
        self._render()

    @property
    def case_data(self) -> dict:
        """The vignette on show, as stored in vignettes.json."""
        return self._vignettes[self.vignette]

    @property
    def supervised(self) -> bool:
        """Whether the case's opioids are taken solely under appropriate medical supervision."""
        return bool(self.case_data["medical_supervision"])

    def assessment(self) -> Assessment:
        """The learner's ticks, counted under the case's supervision status."""
        return assess(self.ticked, self.supervised)

    def author_assessment(self) -> Assessment:
        """The course author's judgement of the case, counted the same way."""
        return assess((m["criterion"] for m in self.case_data["met"]), self.supervised)

    def tick(self, *numbers: int) -> None:
        """Tick the criteria ``numbers`` (leaving the others as they are)."""
        self.ticked = sorted(set(self.ticked) | _criteria_numbers(numbers))

    @validate("vignette")
    def _known_vignette(self, proposal):
        return one_of("vignette", proposal["value"], self._vignettes)

    @validate("ticked")
    def _criteria_only(self, proposal):
        return sorted(_criteria_numbers(proposal["value"]))

    def _on_tick(self, change) -> None:
        if not self._syncing:
            self.ticked = [n for n, box in zip(CRITERIA, self.checkboxes) if box.value]

    @observe("vignette")
    def _on_vignette(self, change) -> None:
        self._syncing = True  # a new case starts with no ticks and the assessment hidden, redrawn once
        try:
            self.ticked = []
            self.revealed = False
        finally:
            self._syncing = False
        self.case.value = self._case_html()
        self._render()

    @observe("ticked", "revealed")
    def _on_change(self, change) -> None:
        if not self._syncing:
            self._render()

    def _case_html(self) -> str:
        case = self.case_data
        facts = " ".join(html.escape(f) for f in case["facts"])
        status = "Yes" if case["medical_supervision"] else "No"
        return (
            f"<h4>{html.escape(case['title'])} <small>(fictional)</small></h4><p>{facts}</p>"
            f"<p><b>Opioids taken solely under appropriate medical supervision?</b> {status}. "
            f"{html.escape(case['supervision_reason'])}</p>"
        )

    def _why(self, number: int, mine: Assessment) -> str:
        """Why criterion ``number`` counts or not, for the learner's ticks."""
        if number in mine.counted:
            if number in NOT_COUNTED_UNDER_SUPERVISION:
                return "Counts: you judged it met, and the use is not solely under medical supervision."
            return "Counts: you judged it met."
        if number in mine.set_aside:
            return (f"Does not count: {self.case_data['name']} takes opioids solely under appropriate medical "
                    f"supervision, and then tolerance and withdrawal are not counted.")
        return "Not ticked, so not counted."

    def _render(self) -> None:
        """Sync the checkboxes with ``ticked`` and rewrite the result panel and the text alternative."""
        self._syncing = True
        try:
            for n, box in zip(CRITERIA, self.checkboxes):
                box.value = n in self.ticked
        finally:
            self._syncing = False
        mine = self.assessment()
        parts = [
            f"<p><b>Criteria that count: {mine.count} of 11.</b> "
            f"Severity: <b>{html.escape(SEVERITY_TEXT[mine.severity])}</b>.</p>"
        ]
        if mine.set_aside:
            parts.append(
                f"<p>You ticked tolerance or withdrawal, but {html.escape(self.case_data['name'])} takes opioids "
                "solely under appropriate medical supervision, so the DSM-5-TR does not count them. That is "
                "physical dependence, a normal adaptation, not a sign of OUD.</p>"
            )
        if self.revealed:
            parts.append(f"<p><b>The author's assessment:</b> {html.escape(self.case_data['conclusion'])}</p>")
        parts.append(self._table_html(mine))
        parts.append(f"<p><small>Criteria: {html.escape(self._source)}. Full texts are close paraphrases. "
                     "Severity: mild 2\u20133, moderate 4\u20135, severe 6 or more.</small></p>")
        self.result.value = "".join(parts)
        self.text_alternative.value = (
            f'<p role="status" aria-live="polite"><b>Result, in words:</b> {html.escape(self.describe())}</p>'
        )

    def _table_html(self, mine: Assessment) -> str:
        """One row per criterion: its text, the learner's tick, whether it counts and why (and the author's view)."""
        columns = ["Criterion", "You", "Counts?", "Why"] + (["Author's judgement"] if self.revealed else [])
        head = "".join(f"<th scope='col'>{c}</th>" for c in columns)
        reasons = {m["criterion"]: m["reason"] for m in self.case_data["met"]}
        rows = []
        for n in CRITERIA:
            criterion = self._criteria[n]
            cells = [
                "ticked" if n in mine.met else "\u2013",
                "yes" if n in mine.counted else "no",
                html.escape(self._why(n, mine)),
            ]
            if self.revealed:
                verdict = f"Met. {reasons[n]}" if n in reasons else "Not met."
                agree = "agrees" if (n in reasons) == (n in mine.met) else "differs"
                cells.append(f"{html.escape(verdict)} <i>(you: {agree})</i>")
            label = (f"<th scope='row' style='text-align:left'>{n}. {html.escape(criterion['short'])}<br>"
                     f"<small style='font-weight:normal'>{html.escape(criterion['full'])}</small></th>")
            rows.append(f"<tr>{label}{''.join(f'<td>{c}</td>' for c in cells)}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def describe(self) -> str:
        """The checker's state in words: the case, the ticks, what counts, the severity, and the comparison if shown."""
        case = self.case_data
        mine = self.assessment()
        supervision = "yes" if self.supervised else "no"
        if mine.met:
            noun = "criterion" if len(mine.met) == 1 else "criteria"
            verb = "counts" if mine.count == 1 else "count"
            ticks = f"You ticked {len(mine.met)} {noun} ({_numbers(mine.met)}); {mine.count} of them {verb}"
        else:
            ticks = "You ticked no criteria, so none count"
        text = (f"Vignette: {case['title']}. Opioids taken solely under appropriate medical supervision: "
                f"{supervision}. {ticks}")
        if mine.set_aside:
            text += f" ({_numbers(mine.set_aside)} set aside under medical supervision)"
        text += f". Severity: {SEVERITY_TEXT[mine.severity]}."
        if not self.revealed:
            return text + " The author's assessment is hidden."
        author = self.author_assessment()
        extra = sorted(set(mine.met) - set(author.met))
        missed = sorted(set(author.met) - set(mine.met))
        agree = 11 - len(extra) - len(missed)
        verb = "counts" if author.count == 1 else "count"
        text += (
            f" The author's assessment: criteria {_numbers(author.met)} met, {author.count} of them {verb}, "
            f"severity {author.severity}. You agree on {agree} of 11 criteria"
        )
        if extra:
            text += f"; you ticked {_numbers(extra)}, which the author judges not met"
        if missed:
            text += f"; you did not tick {_numbers(missed)}, which the author judges met"
        return text + "."
