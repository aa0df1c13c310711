"""``python -m oud_course.grading.batch autograde ASSIGNMENT --results FILE [nbgrader options]``.

nbgrader's own Autograde converter, run over a batch of submissions in one process (one start-up for many),
that writes one JSON line per submission to FILE as soon as it is done: ``{"student": ..., "ok": true}`` or
``{"student": ..., "ok": false, "reason": "<exception type>: <message>"}``, taken from the exception that
stopped the submission. nbgrader itself only logs that exception and goes on to the next submission; the
converter's steps overridden below (``init_destination``, ``init_assignment``, ``convert_single_notebook``,
``set_permissions``, ``run_post_convert_hook``) are public methods of nbgrader's ``BaseConverter``, and tests/test_grading_batch.py fails if they move.
A line ``{"student": null, ...}`` says the whole run stopped (for example, the gradebook could not be opened).
The same recording converter writes feedback in oud_course.grading.feedback_writer.
"""

from __future__ import annotations

import json
import sys

from oud_course.grading import cli, intake

cli.skip_iri_grammars()  # before nbgrader imports nbformat, and so jsonschema (see cli)

from nbgrader.apps.autogradeapp import AutogradeApp  # noqa: E402
from nbgrader.converters import Autograde, GenerateFeedback  # noqa: E402
from traitlets import Unicode  # noqa: E402

REASON_CHARS = 400


def describe(error: BaseException) -> str:
    """One line an instructor can act on: the exception's type and the first line of its message.

    The message may quote a submission, so control characters (a terminal escape, say) become "?".
    """
    message = str(error).strip().splitlines()
    line = f"{type(error).__name__}: {message[0] if message else ''}".strip().rstrip(":")[:REASON_CHARS]
    return intake.printable(line)


class Recording:
    """Mixin for an nbgrader converter: notes each submission's outcome in ``outcomes`` (student -> reason, "" if done)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, str] = {}
        self.on_outcome = lambda student, reason: None
        self.student: str | None = None  # the submission in hand

    def _record(self, reason: str) -> None:
        if self.student is not None and self.student not in self.outcomes:
            self.outcomes[self.student] = reason
            self.on_outcome(self.student, reason)

    def _guard(self, step, *args):
        try:
            return step(*args)
        except Exception as error:
            self._record(describe(error))
            raise

    def finish(self, error: BaseException | None) -> None:
        """Give the submission in hand an outcome, if no step did (nbgrader stopped outside the guarded steps)."""
        self._record(describe(error) if error else "nbgrader stopped before finishing this submission")

    def init_destination(self, assignment_id, student_id):
        self.finish(None)
        self.student = student_id
        go = self._guard(super().init_destination, assignment_id, student_id)
        if not go:
            self._record("")  # already converted and not forced: nothing to do
        return go

    def init_assignment(self, assignment_id, student_id):
        return self._guard(super().init_assignment, assignment_id, student_id)

    def convert_single_notebook(self, notebook_filename):
        return self._guard(super().convert_single_notebook, notebook_filename)

    def set_permissions(self, assignment_id, student_id):
        return self._guard(super().set_permissions, assignment_id, student_id)

    def run_post_convert_hook(self):
        self._guard(super().run_post_convert_hook)
        self._record("")  # nbgrader's last step for a submission it converted


def convert(converter: Recording) -> str:
    """Run a recording converter over its submissions; why it stopped before reaching any (say, no gradebook), or ""."""
    try:
        converter.start()
    except Exception as error:  # noqa: BLE001 - recorded as the outcome of the submission in hand
        if converter.student is None:
            return describe(error)
        converter.finish(error)
    else:
        converter.finish(None)
    return ""


class RecordingAutograde(Recording, Autograde):
    pass


class RecordingFeedback(Recording, GenerateFeedback):
    pass


class BatchAutograde(AutogradeApp):
    """``nbgrader autograde`` with the recording converter, each outcome written to ``results``."""

    aliases = {**AutogradeApp.aliases, "results": "BatchAutograde.results"}
    results = Unicode("", help="File to which one JSON line per submission is appended").tag(config=True)

    def start(self) -> None:
        super(AutogradeApp, self).start()  # nbgrader's base app (config loaded, arguments parsed); AutogradeApp's own
        # start builds a plain Autograde converter inline, so it is replaced here
        if len(self.extra_args) != 1 or not self.results:
            self.fail("usage: python -m oud_course.grading.batch autograde ASSIGNMENT --results FILE [options]")
        self.coursedir.assignment_id = self.extra_args[0]
        with open(self.results, "a", encoding="utf-8") as out:
            def write(student, reason):
                out.write(json.dumps({"student": student, "ok": not reason, "reason": reason}) + "\n")
                out.flush()

            converter = RecordingAutograde(coursedir=self.coursedir, parent=self)
            converter.on_outcome = write
            stopped = convert(converter)
            if stopped:
                write(None, stopped)
                raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] != "autograde":
        raise SystemExit("usage: python -m oud_course.grading.batch autograde ASSIGNMENT --results FILE")
    cli.prepare_process()
    BatchAutograde.launch_instance(args[1:])


if __name__ == "__main__":
    main()
