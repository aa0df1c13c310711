"""MythOrFact: sort claims about opioids into myth, fact or partly true, and read the evidence for each."""

from __future__ import annotations

import html

import ipywidgets as widgets
from traitlets import Int, Unicode, observe, validate

from oud_course.data import load
from oud_course.widgets._keyboard import show_keyboard_focus
from oud_course.widgets._shared import between, one_of

# Dark Okabe-Ito green and vermillion on pale tints (6.2:1 and 5.5:1): text colour and background are set together,
# so the verdict reads the same in a light or a dark theme.
_RIGHT, _WRONG = "color:#006649;background:#E6F4EF", "color:#A34100;background:#FCEDE1"


class MythOrFact(widgets.VBox):
    """Answer one statement at a time with Myth, Fact or Partly true; see the verdict, its evidence and source.

    ``position`` is the 0-based statement on show; ``choice`` is the verdict pressed for it ("" until
    answered); ``score`` counts right answers and ``answered`` the statements answered since the start.
    """

    position = Int(0)
    choice = Unicode("")
    score = Int(0)
    answered = Int(0)

    def __init__(self):
        data = load("myths.json")
        self._labels: dict[str, str] = data["verdicts"]
        self.statements: list[dict] = data["statements"]
        self.verdict_buttons = {
            verdict: widgets.Button(description=label, tooltip=f"Answer: {label}", layout=widgets.Layout(width="9em"))
            for verdict, label in self._labels.items()
        }
        self.next_button = widgets.Button(description="Next statement", icon="arrow-right",
                                          tooltip="Go on to the next statement", layout=widgets.Layout(width="12em"))
        self.restart_button = widgets.Button(description="Start again", icon="refresh",
                                             tooltip="Clear the score and go back to the first statement",
                                             layout=widgets.Layout(width="12em"))
        self.statement_box = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.statement_box.add_class("oud-myth-statement")
        self.feedback = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.feedback.add_class("oud-myth-feedback")
        self.score_box = widgets.HTML()
        self.score_box.add_class("oud-myth-score")
        super().__init__(
            [
                self.statement_box,
                widgets.HBox(list(self.verdict_buttons.values())),
                self.feedback,
                widgets.HBox([self.next_button, self.restart_button]),
                self.score_box,
            ]
        )
        self.add_class("oud-myth-or-fact")
        show_keyboard_focus(self)
        for verdict, button in self.verdict_buttons.items():
            button.on_click(lambda pressed, verdict=verdict: self._press(pressed, self.answer, verdict))
        self.next_button.on_click(lambda pressed: self._press(pressed, self.next_statement))
        self.restart_button.on_click(lambda pressed: self._press(pressed, self.restart))
        self._render()

    def _press(self, button: widgets.Button, action, *args) -> None:
        """Do what ``button`` asks; if that disabled it, give the keyboard focus to the control that applies now."""
        action(*args)
        if button.disabled:  # a disabled button drops the focus: a keyboard user would have to find the widget again
            if not self.choice:
                next(iter(self.verdict_buttons.values())).focus()
            else:
                (self.restart_button if self.next_button.disabled else self.next_button).focus()

    @property
    def statement(self) -> dict:
        """The statement on show."""
        return self.statements[self.position]

    @property
    def finished(self) -> bool:
        """Whether the last statement has been answered."""
        return self.position == len(self.statements) - 1 and bool(self.choice)

    def answer(self, verdict: str) -> None:
        """Answer the statement on show with ``verdict`` ("myth", "fact" or "partly"); only the first answer counts."""
        if self.choice:
            return
        one_of("verdict", verdict, self._labels)
        self.answered += 1
        if verdict == self.statement["verdict"]:
            self.score += 1
        self.choice = verdict

    def next_statement(self) -> None:
        """Go on to the next statement (only once this one is answered, and not past the last)."""
        if self.choice and self.position < len(self.statements) - 1:
            with self.hold_trait_notifications():
                self.choice = ""
                self.position += 1

    def restart(self) -> None:
        """Clear the score and go back to the first statement."""
        with self.hold_trait_notifications():
            self.score = 0
            self.answered = 0
            self.choice = ""
            self.position = 0
        self._render()

    @validate("position")
    def _position_in_range(self, proposal):
        return between("position", proposal["value"], 0, len(self.statements) - 1)

    @validate("choice")
    def _known_choice(self, proposal):
        return one_of("choice", proposal["value"], self._labels, empty_ok=True)

    @observe("position", "choice")
    def _on_change(self, change) -> None:
        self._render()

    def _render(self) -> None:
        """Rewrite the statement, the feedback and the score, and enable only the controls that apply now."""
        statement = self.statement
        total = len(self.statements)
        self.statement_box.value = (
            f"<h4>Statement {self.position + 1} of {total}</h4>"
            f"<p style='font-size:1.15em'><b>{html.escape(statement['statement'])}</b></p>"
            "<p>Is it a myth, a fact, or only partly true?</p>"
        )
        for button in self.verdict_buttons.values():
            button.disabled = bool(self.choice)
        self.next_button.disabled = not self.choice or self.position == total - 1
        self.feedback.value = self._feedback_html()
        self.score_box.value = f'<p role="status" aria-live="polite"><b>{html.escape(self._score_words())}</b></p>'

    def _verdict_words(self) -> tuple[bool, str]:
        """Whether the answer on show is right, and the verdict line in words."""
        truth = self.statement["verdict"]
        right = self.choice == truth
        opening = "Right" if right else "Not quite"
        article = "a " if truth in ("myth", "fact") else ""
        line = f"{opening}: you answered {self._labels[self.choice]}. This statement is {article}{self._labels[truth].lower()}."
        return right, line

    def _source_words(self) -> str:
        source = self.statement["source"]
        return f"{source['organisation']}, {source['document']}, {source['year']}"

    def _feedback_html(self) -> str:
        if not self.choice:
            return "<p role='status' aria-live='polite'><i>Press Myth, Fact or Partly true to answer.</i></p>"
        right, line = self._verdict_words()
        style = _RIGHT if right else _WRONG
        ending = (
            "<p>That was the last statement. Press <b>Start again</b> to go round once more.</p>"
            if self.position == len(self.statements) - 1 else ""
        )
        return (
            f"<div role='status' aria-live='polite'><p style='{style};padding:0.25em 0.5em'>"
            f"<b>{'✓' if right else '✗'} "
            f"{html.escape(line)}</b></p>"
            f"<p><b>The evidence:</b> {html.escape(self.statement['evidence'])}</p>"
            f"<p><small>Source: {html.escape(self._source_words())}</small></p>{ending}</div>"
        )

    def _score_words(self) -> str:
        return f"Score: {self.score} right out of {self.answered} answered ({len(self.statements)} statements in all)."

    def describe(self) -> str:
        """The widget's state in words: the statement on show, the answer and its evidence, and the score."""
        words = f"Statement {self.position + 1} of {len(self.statements)}: {self.statement['statement']} "
        if self.choice:
            _, line = self._verdict_words()
            words += f"{line} Evidence: {self.statement['evidence']} Source: {self._source_words()}. "
        else:
            words += "Not answered yet. "
        return words + self._score_words()
