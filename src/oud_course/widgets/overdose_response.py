"""OverdoseWalkthrough: an overdose response that branches on what the learner chooses, step by step."""

from __future__ import annotations

import html

import ipywidgets as widgets
from traitlets import Bool, List, Unicode, observe, validate

from oud_course.data import load
from oud_course.widgets._keyboard import show_keyboard_focus

# Dark Okabe-Ito green and vermillion on pale tints (6.2:1 and 5.5:1): text colour and background are set together,
# so the verdict reads the same in a light or a dark theme.
_RIGHT, _WRONG = "color:#006649;background:#E6F4EF", "color:#A34100;background:#FCEDE1"
_PICK = ""  # the menu's "nothing picked yet" entry


class OverdoseWalkthrough(widgets.VBox):
    """Walk through an overdose response: pick an action, press Choose this, read the consequence.

    ``step`` is the step on show; ``choice`` the action picked in the menu ("" for none); ``chosen`` the
    action whose consequence is shown ("" until one is chosen); ``path`` the steps passed on the way here;
    ``notice`` a short message about a button that does not apply now; ``show_text`` whether the whole
    walk-through is shown as text below. Every button stays enabled (so the keyboard focus never drops)
    and says in words when it has nothing to do.
    """

    step = Unicode()
    choice = Unicode(_PICK)
    chosen = Unicode("")
    path = List(Unicode())
    notice = Unicode("")
    show_text = Bool(False)

    def __init__(self):
        data = load("overdose_response.json")
        self.title: str = data["title"]
        self.scenario: str = data["scenario"]
        self.start: str = data["start"]
        self.steps: dict[str, dict] = data["steps"]
        self.picker = widgets.Dropdown(description="Marisol's action:", style={"description_width": "initial"},
                                       layout=widgets.Layout(width="46em"))
        self.choose_button = widgets.Button(description="Choose this", icon="check",
                                            tooltip="Do the action picked in the menu and see what happens")
        self.next_button = widgets.Button(description="Next step", icon="arrow-right",
                                          tooltip="Go on to what happens next (after an action that works)")
        self.back_button = widgets.Button(description="Go back", icon="arrow-left",
                                          tooltip="Undo the last choice, or return to the step before")
        self.restart_button = widgets.Button(description="Start again", icon="refresh",
                                             tooltip="Go back to the beginning of the walk-through")
        self.text_toggle = widgets.ToggleButton(description="Show as text", icon="list",
                                                tooltip="Show or hide the whole walk-through, every choice and its consequence, as text")
        self.story = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.story.add_class("oud-walkthrough-story")
        self.feedback = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.feedback.add_class("oud-walkthrough-feedback")
        self.text_view = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.text_view.add_class("oud-walkthrough-text")
        super().__init__([
            widgets.HTML(f"<h4>{html.escape(self.title)}</h4><p>{html.escape(self.scenario)}</p>",
                         layout=widgets.Layout(max_width="46em")),
            self.story,
            self.picker,
            widgets.HBox([self.choose_button, self.next_button, self.back_button, self.restart_button]),
            self.feedback,
            self.text_toggle,
            self.text_view,
        ])
        self.add_class("oud-overdose-walkthrough")
        show_keyboard_focus(self)
        self.picker.observe(self._on_pick, names="value")
        self.choose_button.on_click(lambda _: self.confirm())
        self.next_button.on_click(lambda _: self.next_step())
        self.back_button.on_click(lambda _: self.go_back())
        self.restart_button.on_click(lambda _: self.restart())
        widgets.link((self.text_toggle, "value"), (self, "show_text"))
        self._shown_step = None
        self.step = self.start

    # -- what the learner does -------------------------------------------------------------------------------

    @property
    def current(self) -> dict:
        """The step on show."""
        return self.steps[self.step]

    @property
    def finished(self) -> bool:
        """Whether the walk-through has reached its last step (one with nothing left to choose)."""
        return not self.current["choices"]

    def option(self, key: str) -> dict:
        """The choice ``key`` of the step on show."""
        for choice in self.current["choices"]:
            if choice["key"] == key:
                return choice
        raise ValueError(f"{key!r} is not a choice at step {self.step!r}")

    def pick(self, key: str) -> None:
        """Pick action ``key`` in the menu (as a learner does), without choosing it yet."""
        self.option(key)
        self.choice = key

    def confirm(self) -> None:
        """Choose the action picked in the menu: show its consequence (a wrong one explains why)."""
        if self.finished:
            self.notice = "The walk-through is over. Press Start again to go through it once more."
        elif self.choice == _PICK:
            self.notice = "First pick what Marisol does from the menu, then press Choose this."
        else:
            with self.hold_trait_notifications():
                self.notice = ""
                self.chosen = self.choice

    def choose(self, key: str) -> None:
        """Pick action ``key`` and choose it."""
        self.pick(key)
        self.confirm()

    def next_step(self) -> None:
        """After an action that works, go on to the step it leads to."""
        if self.chosen and self.option(self.chosen)["verdict"] == "right":
            target = self.option(self.chosen)["next"]
            with self.hold_trait_notifications():
                self.path = [*self.path, self.step]
                self.notice = ""
                self.chosen = ""
                self.choice = _PICK
                self.step = target
        elif self.finished:
            self.notice = "This is the last step. Press Start again to go through it once more."
        elif self.chosen:
            self.notice = "That action is not safe, so the story cannot go on from it. Pick another action."
        else:
            self.notice = "Choose an action that works first; then Next step shows what happens."

    def go_back(self) -> None:
        """Undo the choice on show; with none, return to the step before."""
        if self.chosen:
            with self.hold_trait_notifications():
                self.notice = ""
                self.chosen = ""
                self.choice = _PICK  # the menu starts over too, so the undone action is not left waiting
        elif self.path:
            with self.hold_trait_notifications():
                self.notice = ""
                self.choice = _PICK
                self.step = self.path[-1]
                self.path = self.path[:-1]
        else:
            self.notice = "This is the first step: there is nothing to go back to."

    def restart(self) -> None:
        """Go back to the first step with nothing chosen."""
        with self.hold_trait_notifications():
            self.notice = ""
            self.chosen = ""
            self.choice = _PICK
            self.path = []
            self.step = self.start

    # -- state checks and drawing ----------------------------------------------------------------------------

    @validate("step")
    def _known_step(self, proposal):
        if proposal["value"] not in self.steps:
            raise ValueError(f"step must be one of {sorted(self.steps)}, not {proposal['value']!r}")
        return proposal["value"]

    @validate("choice", "chosen")
    def _known_choice(self, proposal):
        value = proposal["value"]
        if value and value not in {c["key"] for c in self.steps[self.step]["choices"]}:
            raise ValueError(f"{value!r} is not a choice at step {self.step!r}")
        return value

    def _on_pick(self, change) -> None:
        self.choice = change["new"] or _PICK

    @observe("step", "choice", "chosen", "path", "notice", "show_text")
    def _on_change(self, change) -> None:
        self._render()

    def _render(self) -> None:
        """Rewrite the story, the menu, the feedback and (when asked for) the text version."""
        step = self.current
        if self._shown_step != self.step:  # new options only on a new step, so the menu keeps its focus
            self._shown_step = self.step
            empty = "(the walk-through is over)" if self.finished else "Pick an action…"
            self.picker.options = [(empty, _PICK)] + [(c["label"], c["key"]) for c in step["choices"]]
        if self.picker.value != self.choice:
            self.picker.value = self.choice
        question = f"<p><b>{html.escape(step['question'])}</b></p>" if step["question"] else ""
        self.story.value = (
            f"<h4>Step {len(self.path) + 1}: {html.escape(step['title'])}</h4>"
            f"<p>{html.escape(step['situation'])}</p>{question}"
        )
        self.feedback.value = self._feedback_html()
        self.text_view.value = self._text_html() if self.show_text else ""

    def _source_words(self, step: dict) -> str:
        source = step["source"]
        return f"{source['organisation']}, {source['title']}, {source['year']}. {source['url']}"

    def _picked_words(self) -> str:
        if self.finished:
            return "The walk-through is over. Press Start again to go through it once more."
        if self.choice == _PICK:
            return "Pick an action from the menu, then press Choose this."
        return f"Picked: {self.option(self.choice)['label']}. Press Choose this to do it."

    def _feedback_html(self) -> str:
        parts = []
        if self.chosen:
            choice = self.option(self.chosen)
            right = choice["verdict"] == "right"
            after = "Press Next step to see what happens." if right else "Pick another action, or press Go back."
            parts.append(
                f"<p style='{_RIGHT if right else _WRONG};padding:0.25em 0.5em'><b>{'✓' if right else '✗'} "
                f"{html.escape(choice['label'])}</b></p>"
                f"<p>{html.escape(choice['consequence'])}</p><p><i>{after}</i></p>"
            )
        else:
            parts.append(f"<p><i>{html.escape(self._picked_words())}</i></p>")
        if self.notice:
            parts.append(f"<p><b>{html.escape(self.notice)}</b></p>")
        parts.append(f"<p><small>Source for this step: {html.escape(self._source_words(self.current))}</small></p>")
        return f"<div role='status' aria-live='polite'>{''.join(parts)}</div>"

    def as_text(self) -> str:
        """The whole walk-through in words: every step, every choice, whether it works, its consequence, sources."""
        lines = [self.title, self.scenario]
        for number, (key, step) in enumerate(self.steps.items(), start=1):
            lines.append(f"Step {number}, {step['title']}: {step['situation']} {step['question']}".rstrip())
            for choice in step["choices"]:
                verdict = "works" if choice["verdict"] == "right" else "not safe"
                goes = f" Leads to: {self.steps[choice['next']]['title']}." if choice["verdict"] == "right" else ""
                lines.append(f"- {choice['label']} ({verdict}). {choice['consequence']}{goes}")
            lines.append(f"Source: {self._source_words(step)}")
        return "\n".join(lines)

    def _text_html(self) -> str:
        items = []
        for step in self.steps.values():
            choices = "".join(
                f"<li><b>{html.escape(c['label'])}</b> ({'works' if c['verdict'] == 'right' else 'not safe'}): "
                f"{html.escape(c['consequence'])}"
                + (f" Leads to: <i>{html.escape(self.steps[c['next']]['title'])}</i>." if c["verdict"] == "right" else "")
                + "</li>"
                for c in step["choices"]
            )
            items.append(
                f"<li><b>{html.escape(step['title'])}.</b> {html.escape(step['situation'])} "
                f"{html.escape(step['question'])}{f'<ul>{choices}</ul>' if choices else ''}"
                f"<small>Source: {html.escape(self._source_words(step))}</small></li>"
            )
        return (f"<h4>The whole walk-through as text</h4><p>{html.escape(self.scenario)}</p>"
                f"<ol>{''.join(items)}</ol>")

    def describe(self) -> str:
        """The widget's state in words: the step, what is picked or chosen and its consequence, any notice."""
        step = self.current
        words = f"Step {len(self.path) + 1}, {step['title']}: {step['situation']} "
        if step["question"]:
            words += f"{step['question']} "
        if self.chosen:
            choice = self.option(self.chosen)
            verdict = "This works" if choice["verdict"] == "right" else "This is not safe"
            words += f"Chosen: {choice['label']}. {verdict}. {choice['consequence']} "
        else:
            words += self._picked_words() + " "
        if self.notice:
            words += self.notice + " "
        return words + f"Source: {self._source_words(step)}"
