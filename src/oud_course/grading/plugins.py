"""nbgrader plugins the course adds: a capped per-day late penalty, the grade export, an LMS-aware zip collector,
and a feedback step that settles late penalties first.

The late penalty is a share of the whole score, autograded and manual: the export and feedback compute it
again from the score the gradebook holds when they run (``oud_course.term.settle``), so a mark entered in the
formgrader after autograding is penalised like the rest, whichever command ran last.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import ExportPlugin, FileNameCollectorPlugin, LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Unicode

SECONDS_PER_DAY = 86_400


class PercentPerDayLate(LateSubmissionPlugin):
    """Take a percentage of the score off for each started day late, up to a cap."""

    percent_per_day = Float(10.0, help="Percent of the score taken off per started day late.").tag(config=True)
    max_percent = Float(50.0, help="Most percent of the score a late submission can lose.").tag(config=True)
    grace_minutes = Float(5.0, help="Minutes after the due date that still count as on time.").tag(config=True)

    def percent_off(self, total_seconds_late: float) -> float:
        late = max(0.0, total_seconds_late - 60 * self.grace_minutes)
        return min(self.max_percent, math.ceil(late / SECONDS_PER_DAY) * self.percent_per_day)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        percent = self.percent_off(total_seconds_late)
        if percent:
            self.log.debug("%s is late: %.0f%% off %.1f points", student_id, percent, score)
        return round(score * percent / 100, 2)


def _course_root(plugin) -> Path:
    coursedir = getattr(getattr(plugin, "parent", None), "coursedir", None)
    return Path(coursedir.root) if coursedir is not None else Path.cwd()


def _with_submissions(gradebook) -> list:
    """Every check with its submissions and their notebooks, loaded in three queries: ``term.settle`` then walks them
    without a query (and an autoflush of what it set so far) per submission."""
    from nbgrader.api import Assignment, SubmittedAssignment
    from sqlalchemy.orm import selectinload

    return (gradebook.db.query(Assignment)
            .options(selectinload(Assignment.submissions).selectinload(SubmittedAssignment.notebooks)).all())


class WideCsvExport(ExportPlugin):
    """``nbgrader export``: settle late penalties, then write grades.csv (one row per student, one column per released
    check, in course order, after late penalties) and beside it grades-detail.csv (raw score, penalty, result per
    student and check), grades-canvas.csv and grades-moodle.csv (each LMS's gradebook import)."""

    def export(self, gradebook: Gradebook) -> None:
        from oud_course import lms, releases, term

        root = _course_root(self)
        settings = term.load(root)
        loaded = _with_submissions(gradebook)  # held while settle walks them
        term.settle(gradebook, settings, term.late_plugin(root))
        del loaded
        recorded = {a.name for a in gradebook.assignments}
        assignments = [a for a in releases.released(root, settings) if a in recorded and (not self.assignment or a in self.assignment)]
        stray = sorted(recorded - set(releases.released(root, settings)))
        if stray:
            self.log.warning("The gradebook holds checks never released to the class, left out of the export: %s "
                             "(remove one with `nbgrader db assignment remove <check>`)", ", ".join(stray))
        students = [s for s in gradebook.students if not self.student or s.id in self.student]
        rows = lms.grades(gradebook, assignments, students)
        maxima = {a: float(gradebook.find_assignment(a).max_score or 0.0) for a in assignments}
        columns = {a: (settings.get("CHECKS", {}).get(a) or {}).get("lms_column", a) for a in assignments}
        paths = lms.export_paths(Path(self.to or root / "grades.csv"))
        lms.write_wide(paths["wide"], rows, assignments, maxima)
        lms.write_detail(paths["detail"], rows, {a: releases.released_flavour(root, settings, a) for a in assignments},
                         {a: (term.due_date(settings, a).isoformat() if term.due_date(settings, a) else "") for a in assignments})
        lms.write_canvas(paths["canvas"], rows, assignments, columns, maxima, settings.get("LMS_LOGIN", "id"))
        lms.write_moodle(paths["moodle"], rows, assignments, columns)
        self.log.info("Wrote %d students x %d checks to %s (and -detail, -canvas, -moodle beside it)",
                      len(students), len(assignments), paths["wide"])


class LmsFileNameCollector(FileNameCollectorPlugin):
    """zip_collect's reader of download names that also finds students by LMS user id or full name.

    A pattern (``named_regexp``) may name the student by ``student_id`` (their nbgrader id), ``lms_user_id``
    (matched with nbgrader's student list: Canvas) or ``full_name`` ("First Last": Moodle). A student the list
    does not know keeps the id the name gives, and the log says so.
    """

    db_url = Unicode("", help="Gradebook whose student list maps LMS ids and names (default: the course's).").tag(config=True)

    def _roster(self) -> list:
        url = self.db_url or getattr(getattr(getattr(self, "parent", None), "coursedir", None), "db_url", "")
        if not url:
            return []
        with Gradebook(url) as gradebook:
            return [(s.id, s.lms_user_id or "", f"{s.first_name or ''} {s.last_name or ''}".strip().lower())
                    for s in gradebook.students]

    def collect(self, submitted_file: str):
        info = super().collect(submitted_file)
        if not info or info.get("student_id"):
            return info
        if not hasattr(self, "_known"):
            self._known = self._roster()
        if info.get("lms_user_id"):
            found = [sid for sid, lms_id, _ in self._known if lms_id == info["lms_user_id"]]
            fallback = info["lms_user_id"]
        elif info.get("full_name"):
            wanted = " ".join(info["full_name"].split()).lower()
            found = [sid for sid, _, name in self._known if name == wanted]
            fallback = re.sub(r"[^a-z0-9]+", "-", wanted).strip("-")
        else:
            return None
        if len(found) != 1:
            self.log.warning("%s: %s in nbgrader's student list; filed as %s", submitted_file,
                             "no student matches" if not found else "several students match", fallback)
        info["student_id"] = found[0] if len(found) == 1 else fallback
        return info


def download_names(root: Path, assignment: str) -> dict[str, str]:
    """student -> the name (relative path) of the file zip_collect took for them from downloaded/<assignment>/extracted."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    extracted = Path(root) / "downloaded" / assignment / "extracted"
    if not extracted.is_dir():
        return {}
    collector = LmsFileNameCollector(config=config)
    if not collector.db_url:
        collector.db_url = str(config.CourseDirectory.db_url)
    names = {}
    for path in sorted(extracted.rglob("*.ipynb")):
        info = collector.collect(str(path))
        if info:
            names[info["student_id"]] = str(path.relative_to(extracted))
    return names


class SettleLatePenalties(NbGraderPreprocessor):
    """Feedback step (before GetGrades): penalise the submission's current score, so feedback written after manual
    grading shows the same late penalty as the grade export."""

    @functools.cached_property
    def course(self) -> tuple:
        """The course's settings and late-penalty plugin, read once for all the pages of a run."""
        from oud_course import term

        root = Path.cwd()  # nbgrader runs in the course folder
        return term.load(root), term.late_plugin(root)

    def preprocess(self, nb, resources):
        from oud_course import term

        info = resources["nbgrader"]
        settings, plugin = self.course
        with Gradebook(info["db_url"]) as gradebook:
            term.settle(gradebook, settings, plugin, [info["assignment"]], [info["student"]])
        return nb, resources
