"""Grades and feedback out of the gradebook: grades.csv, its detail, Canvas's and Moodle's gradebook imports, and
each check's feedback zipped for upload, one file per student named as the LMS reads it.

Formats, as the LMSs' own code reads them:

- Canvas gradebook import (canvas-lms ``app/models/gradebook_importer.rb``): a header ``Student, ID,
  SIS User ID, SIS Login ID, Section`` then one column per assignment, titled ``Title (id)`` or just
  ``Title``; a second row ``Points Possible``. A row's student is found by Canvas user ID, else SIS User ID,
  else SIS Login ID, else name.
- Canvas submission comments from a zip ("Re-upload submissions", canvas-lms ``Assignment#
  generate_comments_from_files``): each file's name split on ``_``; its first two all-digit parts are the
  user id and the id of the submitted file, as in the names of Canvas's own submission download.
- Moodle grade import (``grade/import/csv``): any header; the instructor maps one column to the user's
  username, email address or ID number, and each other column to a grade item (or a new one).
- Moodle feedback files from a zip (``mod/assign/feedback/file/importziplib.php``): a file or folder named
  ``<full name>_<participant id>_assignfeedback_file``, the participant id as in Moodle's submission download.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

# zip_collect's file-name patterns (c.FileNameCollectorPlugin.named_regexp), by the LMS whose download it reads.
DOWNLOAD_NAMES = {
    # "<student>_<timestamp>_<notebook>.ipynb", e.g. ada_20250115T100000Z_03-dependence-cycle-check.ipynb
    "generic": r".*/(?P<student_id>[^_/]+)_(?P<timestamp>[^_/]+)_(?P<file_id>[^_/]+\.ipynb)$",
    # Canvas's Download Submissions: "<lastfirst>_<user id>_<file id>_<file>", with "LATE_" after the name when late,
    # and "-1", "-2" ... after a resubmitted file's name. The student is found by user id (lms_user_id).
    "canvas": r".*/[^/_]+_(?:LATE_)?(?P<lms_user_id>\d+)_\d+_(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$",
    # Moodle's Download all submissions: "<full name>_<participant id>_assignsubmission_file" as a folder or a prefix.
    # The participant id differs per assignment, so the student is found by full name in nbgrader's student list.
    "moodle": r".*/(?P<full_name>[^/_]+)_\d+_assignsubmission_file[_/](?P<file_id>[^/]+)\.ipynb$",
}
_CANVAS_NAME = re.compile(r"^[^/]*?_(?:LATE_)?\d+_\d+_[^/]+$")
_MOODLE_NAME = re.compile(r"(?:^|/)(?P<who>[^/]+_\d+)_assignsubmission_[a-z]+(?:[_/]|$)")


@dataclass
class Grade:
    """One student's grade on one check, as every export shows it."""

    student: object  # nbgrader's Student
    assignment: str
    max_score: float
    submitted: bool = False
    timestamp: object = None  # naive UTC
    extension: object = None
    seconds_late: float = 0.0
    autograded: float = 0.0
    manual: float = 0.0
    penalty: float = 0.0

    @property
    def raw(self) -> float:
        return self.autograded + self.manual

    @property
    def score(self) -> float:
        return max(0.0, self.raw - self.penalty)


def submissions(gradebook, assignments: list[str]) -> dict[str, dict]:
    """assignment -> student id -> nbgrader's SubmittedAssignment, with its notebooks and their grades loaded in a few
    bulk queries (walking the relationships instead costs a query per submission and per notebook)."""
    from nbgrader.api import SubmittedAssignment, SubmittedNotebook
    from sqlalchemy.orm import selectinload

    checks = {gradebook.find_assignment(name).id: name for name in assignments}
    found: dict[str, dict] = {name: {} for name in assignments}
    query = (gradebook.db.query(SubmittedAssignment)
             .filter(SubmittedAssignment.assignment_id.in_(list(checks)))
             .options(selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.grades)))
    for submission in query:
        found[checks[submission.assignment_id]][submission.student_id] = submission
    return found


def grades(gradebook, assignments: list[str], students: list | None = None) -> list[Grade]:
    """Every student's grade on every one of ``assignments`` (late penalties as the gradebook holds them)."""
    found = []
    checks = {name: gradebook.find_assignment(name) for name in assignments}
    submitted = submissions(gradebook, assignments)
    for student in sorted(students if students is not None else gradebook.students, key=lambda s: s.id):
        for name in assignments:
            grade = Grade(student, name, float(checks[name].max_score or 0.0))
            submission = submitted[name].get(student.id)
            if submission is not None:
                grade.submitted, grade.timestamp, grade.extension = True, submission.timestamp, submission.extension
                grade.seconds_late = submission.total_seconds_late
                for notebook in submission.notebooks:
                    grade.penalty += notebook.late_submission_penalty or 0.0
                    for cell in notebook.grades:
                        if cell.manual_score is not None:
                            grade.manual += cell.manual_score
                        else:
                            grade.autograded += cell.auto_score or 0.0
            found.append(grade)
    return found


def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def late_by(seconds: float) -> str:
    """How late, for people: "1 d 6 h", "3 min 20 s"; "" when on time."""
    whole = int(round(seconds))
    if whole <= 0:
        return ""
    parts = [(whole // 86_400, "d"), (whole % 86_400 // 3_600, "h"), (whole % 3_600 // 60, "min"), (whole % 60, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n)


def _name(student) -> tuple[str, str]:
    return student.first_name or "", student.last_name or ""


def scores_by_student(rows: list[Grade]) -> dict:
    """student id -> (student, {check: score after penalty}), in the order the rows come."""
    found: dict = {}
    for grade in rows:
        found.setdefault(grade.student.id, (grade.student, {}))[1][grade.assignment] = grade.score
    return found


def write_wide(path: Path, rows: list[Grade], assignments: list[str], maxima: dict) -> None:
    """grades.csv: one row per student, one column per check (after late penalties), total and max_total."""
    by_student = scores_by_student(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "last_name", "first_name", "email", *assignments, "total", "max_total"])
        for student, scores in by_student.values():
            cells = [scores.get(a, 0.0) for a in assignments]
            writer.writerow([student.id, student.last_name or "", student.first_name or "", student.email or "",
                             *map(_n, cells), _n(sum(cells)), _n(sum(maxima[a] for a in assignments))])


def write_detail(path: Path, rows: list[Grade], flavours: dict, due: dict) -> None:
    """grades-detail.csv: one row per student and check, with the raw score, the late penalty and the result."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", "flavour", "due", "extension_hours", "submitted", "late_by",
                         "autograded", "manual", "raw_score", "max_score", "late_penalty", "score"])
        for g in rows:
            writer.writerow([
                g.student.id, g.assignment, flavours[g.assignment], due[g.assignment] or "",
                _n(g.extension.total_seconds() / 3600) if g.extension else "",
                g.timestamp.isoformat(" ", "seconds") + " UTC" if g.timestamp else ("yes" if g.submitted else "no"),
                late_by(g.seconds_late), _n(g.autograded), _n(g.manual), _n(g.raw), _n(g.max_score),
                _n(g.penalty), _n(g.score)])


def login(student, field: str) -> str:
    """The student's LMS login from nbgrader's student list: their id, or their email (LMS_LOGIN)."""
    return (student.email or "") if field == "email" else student.id


def write_canvas(path: Path, rows: list[Grade], assignments: list[str], columns: dict, maxima: dict, field: str) -> None:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, one column per check."""
    by_student = scores_by_student(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *(columns[a] for a in assignments)])
        writer.writerow(["Points Possible", "", "", "", "", *(_n(maxima[a]) for a in assignments)])
        for student, scores in by_student.values():
            first, last = _name(student)
            name = f"{last}, {first}" if first and last else (first or last or student.id)
            writer.writerow([name, student.lms_user_id or "", "", login(student, field), "",
                             *(_n(scores.get(a, 0.0)) for a in assignments)])


def write_moodle(path: Path, rows: list[Grade], assignments: list[str], columns: dict) -> None:
    """Moodle's grade import: Username, Email address, First name, Last name, one column per check."""
    by_student = scores_by_student(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Username", "Email address", "First name", "Last name", *(columns[a] for a in assignments)])
        for student, scores in by_student.values():
            first, last = _name(student)
            writer.writerow([student.id, student.email or "", first, last, *(_n(scores.get(a, 0.0)) for a in assignments)])


def export_paths(to: Path) -> dict[str, Path]:
    """Where each export goes, beside the wide grade file ``to`` (grades.csv)."""
    to = Path(to)
    stem = to.with_suffix("")
    return {"wide": to, "detail": Path(f"{stem}-detail.csv"), "canvas": Path(f"{stem}-canvas.csv"),
            "moodle": Path(f"{stem}-moodle.csv")}


# Feedback zips

def canvas_name(downloaded: str, notebook: str) -> str | None:
    """The name Canvas reads a student's feedback file by: their downloaded file's name, as .html; None when
    the download name carries no Canvas user and file id."""
    base = downloaded.rsplit("/", 1)[-1]
    if not _CANVAS_NAME.match(base) or len([p for p in base.split("_") if p.isdigit()]) < 2:
        return None
    return base[: -len(".ipynb")] + ".html" if base.endswith(".ipynb") else f"{base}_{notebook}.html"


def moodle_name(downloaded: str, notebook: str) -> str | None:
    """``<full name>_<participant id>_assignfeedback_file/<notebook>.html``, from the student's Moodle download name."""
    match = _MOODLE_NAME.search(downloaded)
    return f"{match.group('who')}_assignfeedback_file/{notebook}.html" if match else None


def feedback_zips(root: Path, assignment: str, downloads: dict[str, str], out: Path) -> tuple[list[Path], list[str]]:
    """Zip each student's feedback of ``assignment``: by student (``<student>/<notebook>.html``), and for Canvas and
    Moodle under the names they read, for students whose download name tells them. Returns the zips written and
    the students no LMS zip could name (collected from the exchange, or from another LMS's download)."""
    pages = sorted((Path(root) / "feedback").glob(f"*/{assignment}/*.html"))
    named = {"canvas": {}, "moodle": {}}
    for page in pages:
        student, notebook = page.parent.parent.name, page.stem
        for lms, namer in (("canvas", canvas_name), ("moodle", moodle_name)):
            name = namer(downloads[student], notebook) if student in downloads else None
            if name:
                named[lms][name] = page
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lms, files in {"by-student": {f"{p.parent.parent.name}/{p.name}": p for p in pages}, **named}.items():
        target = out / f"{assignment}-{lms}.zip"
        if files:
            _zip(target, files)
            written.append(target)
        elif target.exists():
            target.unlink()
    lms_named = set(named["canvas"].values()) | set(named["moodle"].values())
    return written, sorted({p.parent.parent.name for p in pages if p not in lms_named})


def _zip(path: Path, files: dict[str, Path]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, source in sorted(files.items()):
            bundle.write(source, name)
