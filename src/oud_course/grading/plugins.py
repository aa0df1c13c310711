"""nbgrader plugins the course adds: a capped per-day late penalty, and a one-row-per-student grade export."""

from __future__ import annotations

import csv
import math

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin, LateSubmissionPlugin
from traitlets import Float

SECONDS_PER_DAY = 86_400


class PercentPerDayLate(LateSubmissionPlugin):
    """Take a percentage of the score off for each started day late, up to a cap."""

    percent_per_day = Float(10.0, help="Percent of the score taken off per started day late.").tag(config=True)
    max_percent = Float(50.0, help="Most percent of the score a late submission can lose.").tag(config=True)
    grace_minutes = Float(5.0, help="Minutes after the due date that still count as on time.").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        late = max(0.0, total_seconds_late - 60 * self.grace_minutes)
        days = math.ceil(late / SECONDS_PER_DAY)
        percent = min(self.max_percent, days * self.percent_per_day)
        if percent:
            self.log.info("%s is %d day(s) late: %.0f%% off %.1f points", student_id, days, percent, score)
        return round(score * percent / 100, 2)


class WideCsvExport(ExportPlugin):
    """Export grades with one row per student and one column per assignment (after late penalties)."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        assignments = [a for a in gradebook.assignments if not self.assignment or a.name in self.assignment]
        students = [s for s in gradebook.students if not self.student or s.id in self.student]
        header = ["student_id", "last_name", "first_name", "email"]
        header += [a.name for a in assignments] + ["total", "max_total"]
        with open(dest, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for student in sorted(students, key=lambda s: s.id):
                scores = []
                for assignment in assignments:
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                        scores.append(max(0.0, submission.score - (submission.late_submission_penalty or 0.0)))
                    except MissingEntry:
                        scores.append(0.0)  # nothing submitted
                writer.writerow([student.id, student.last_name or "", student.first_name or "", student.email or "",
                                 *(f"{s:g}" for s in scores), f"{sum(scores):g}",
                                 f"{sum(a.max_score for a in assignments):g}"])
        self.log.info("Wrote %d students x %d assignments to %s", len(students), len(assignments), dest)
