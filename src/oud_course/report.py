"""Item analysis of a class: which items the class got wrong, which wrong answers it gave, which items look broken.

Usage: ``python -m oud_course.report [ASSIGNMENT ...] [--root DIR] [--out DIR] [--names]`` (``make report``).

Reads the gradebook (SQLite or PostgreSQL, through nbgrader's models) and the answers DecideGrades
stored at autograding (``answers/<assignment>/<student>.json``), and writes ``report/index.html``
(figures as PNG data URIs, each with a text alternative; no kernel or network needed) and the
same figures as CSV: ``checks.csv``, ``items.csv``, ``answers.csv``, ``manual.csv``, ``students.csv``.
Students appear by a stable pseudonym (a keyed hash of their id; the key is made once and kept in
``answers/.pseudonym-key``) unless ``--names`` is given.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from oud_course.answers import Unreadable, decode
from oud_course.grading.decide import ANSWERS_DIR, answers_path
from oud_course.items import FormError, normalise
from oud_course.regrade import declarations

# Flag thresholds (rules of thumb of classical item analysis; change them here).
TOO_HARD = 0.30  # fewer than 30% right
TOO_EASY = 0.95  # more than 95% right: the item tells the class apart little
LOW_DISCRIMINATION = 0.15  # corrected item-total correlation below this (negative included)
NOT_ANSWERED, UNREADABLE, INVALID = "(not answered)", "(unreadable answer)", "(not a valid answer)"


def pseudonymiser(root: Path, names: dict | None = None):
    """student id -> stable pseudonym ("S-" and 8 hex digits of an HMAC), or the id and name with ``names``."""
    if names is not None:
        return lambda sid: f"{sid} ({names[sid]})" if names.get(sid) else sid
    path = root / ANSWERS_DIR / ".pseudonym-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    key = path.read_text().strip().encode()
    return lambda sid: "S-" + hmac.new(key, sid.encode(), hashlib.sha256).hexdigest()[:8]


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def show(kind: str, canonical) -> str:
    """A canonical answer as an instructor reads it."""
    if kind == "select":
        return "{" + ", ".join(canonical) + "}"
    if kind == "order":
        return " → ".join(canonical)
    if kind == "classify":
        return ", ".join(f"{k}: {v}" for k, v in canonical)
    return str(canonical)


def answer_label(spec: dict, readout: dict | None) -> str:
    """What one submission gave for an item: its canonical answer shown, or one of the non-answers."""
    if readout is None or not readout.get("defined", True) or readout.get("answer") is None:
        return NOT_ANSWERED
    value = decode(readout["answer"])
    if isinstance(value, Unreadable):
        return UNREADABLE
    try:
        return show(spec["kind"], normalise(spec, value))
    except FormError:
        return INVALID


def alpha(points: np.ndarray) -> float | None:
    """Cronbach's alpha of a submissions x items matrix of points (KR-20 when every item scores 0 or 1)."""
    k = points.shape[1]
    total_var = points.sum(axis=1).var(ddof=1) if points.shape[0] > 1 else 0.0
    if k < 2 or not total_var:
        return None
    return float(k / (k - 1) * (1 - points.var(axis=0, ddof=1).sum() / total_var))


def corrected_r(points: np.ndarray, i: int) -> float | None:
    """Point-biserial of item ``i`` with the total of the other items (None when either does not vary)."""
    item, rest = points[:, i], points.sum(axis=1) - points[:, i]
    if item.std() == 0 or rest.std() == 0:
        return None
    return float(np.corrcoef(item, rest)[0, 1])


def flags_for(difficulty: float, discrimination: float | None, counts: list, key: str) -> list[str]:
    flags = []
    if difficulty < TOO_HARD:
        flags.append("too hard")
    if difficulty > TOO_EASY:
        flags.append("too easy")
    if discrimination is not None and discrimination < LOW_DISCRIMINATION:
        flags.append("does not discriminate")
    given = [(label, n) for label, n, right in counts if not right and label not in (NOT_ANSWERED, UNREADABLE, INVALID)]
    keyed = sum(n for label, n, right in counts if right)
    if given and given[0][1] > keyed:
        flags.append(f"wrong answer {given[0][0]} beats the key")
    return flags


def analyse_check(gradebook, root: Path, assignment: str, enrolled: int) -> dict | None:
    """Every figure of one check, from the gradebook and the stored answers; None if nobody submitted."""
    from nbgrader.api import Grade, SubmittedAssignment, SubmittedNotebook

    record = gradebook.find_assignment(assignment)
    declared = declarations(gradebook, assignment)
    cells, names = {}, {}
    for notebook in record.notebooks:
        for cell in list(notebook.grade_cells) + list(notebook.task_cells):
            cells[cell.id] = (notebook.name, cell.name)
            names[(notebook.name, cell.name)] = float(cell.max_score)
    rows = (gradebook.db.query(SubmittedAssignment.student_id, Grade.cell_id, Grade.score, Grade.manual_score)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .filter(SubmittedAssignment.assignment_id == record.id).all())
    students = sorted({row[0] for row in rows})
    if not students:
        return None
    auto = sorted(declared, key=lambda key: (key[0], _natural(key[1])))
    manual = sorted((key for key in names if key not in declared), key=lambda key: (key[0], _natural(key[1])))
    row_of, col_of = {s: n for n, s in enumerate(students)}, {key: n for n, key in enumerate(auto)}
    points = np.zeros((len(students), len(auto)))
    totals = np.zeros(len(students))
    marks: dict = {key: [] for key in manual}
    for student, cell_id, score, manual_score in rows:
        key = cells.get(cell_id)
        if key is None:
            continue
        totals[row_of[student]] += score or 0.0
        if key in col_of:
            points[row_of[student], col_of[key]] = score or 0.0
        elif manual_score is not None:
            marks[key].append(manual_score)
    stored = {s: _stored(root, assignment, s) for s in students}
    items = []
    for i, key in enumerate(auto):
        spec = {**declared[key]["expect"], "item": declared[key]["item"]}
        labels = [answer_label(spec, (stored[s] or {}).get(key[0], {}).get(spec["item"], {}).get("readout"))
                  for s in students if stored[s] is not None]
        key_label = show(spec["kind"], spec["answer"])
        tally = Counter(labels)
        counts = [(key_label, tally.pop(key_label, 0), True)]
        counts += sorted(((label, n, False) for label, n in tally.items() if label not in (NOT_ANSWERED, UNREADABLE, INVALID)),
                         key=lambda c: (-c[1], c[0]))
        counts += [(label, tally[label], False) for label in (INVALID, UNREADABLE, NOT_ANSWERED) if tally.get(label)]
        difficulty = float((points[:, i] / declared[key]["points"]).mean()) if declared[key]["points"] else 0.0
        discrimination = corrected_r(points, i)
        items.append({"notebook": key[0], "item": key[1], "kind": spec["kind"], "points": declared[key]["points"],
                      "answered": sum(1 for label in labels if label != NOT_ANSWERED), "stored": len(labels),
                      "difficulty": difficulty, "discrimination": discrimination, "key": key_label, "counts": counts,
                      "flags": flags_for(difficulty, discrimination, counts, key_label)})
    maximum = sum(names.values())
    percents = 100 * totals / maximum if maximum else totals * 0
    return {
        "assignment": assignment, "submissions": len(students), "completion": len(students) / max(1, enrolled),
        "maximum": maximum, "mean": float(totals.mean()), "median": float(np.median(totals)), "sd": float(totals.std(ddof=1)) if len(students) > 1 else 0.0,
        "mean_share": float(percents.mean() / 100), "alpha": alpha(points), "items": items, "percents": percents,
        "students": students, "totals": totals, "without_answers": [s for s in students if stored[s] is None],
        "manual": [{"notebook": k[0], "item": k[1], "points": names[k], "graded": len(marks[k]),
                    "mean": float(np.mean(marks[k])) if marks[k] else None} for k in manual],
    }


def _stored(root: Path, assignment: str, student: str) -> dict | None:
    """notebook -> item -> stored case, or None when the student's answers were not stored."""
    try:
        data = json.loads(answers_path(root, assignment, student).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {name: entry.get("items", {}) for name, entry in data.get("notebooks", {}).items()}


def _csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _num(value, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_csvs(out: Path, checks: list[dict], who) -> None:
    _csv(out / "checks.csv", ["assignment", "submissions", "completion", "max_points", "mean", "median", "sd", "alpha"],
         [[c["assignment"], c["submissions"], _num(c["completion"], 3), f"{c['maximum']:g}", _num(c["mean"]),
           _num(c["median"]), _num(c["sd"]), _num(c["alpha"], 3)] for c in checks])
    _csv(out / "items.csv", ["assignment", "notebook", "item", "kind", "points", "answered", "stored", "difficulty",
                             "discrimination", "key", "flags"],
         [[c["assignment"], i["notebook"], i["item"], i["kind"], f"{i['points']:g}", i["answered"], i["stored"],
           _num(i["difficulty"], 3), _num(i["discrimination"], 3), i["key"], "; ".join(i["flags"])]
          for c in checks for i in c["items"]])
    _csv(out / "answers.csv", ["assignment", "item", "answer", "count", "is_key"],
         [[c["assignment"], i["item"], label, n, "yes" if right else "no"]
          for c in checks for i in c["items"] for label, n, right in i["counts"]])
    _csv(out / "manual.csv", ["assignment", "notebook", "item", "points", "graded", "mean_mark"],
         [[c["assignment"], m["notebook"], m["item"], f"{m['points']:g}", m["graded"], _num(m["mean"])]
          for c in checks for m in c["manual"]])
    everyone = sorted({s for c in checks for s in c["students"]}, key=who)
    score = {(c["assignment"], s): t for c in checks for s, t in zip(c["students"], c["totals"])}
    _csv(out / "students.csv", ["student", *(c["assignment"] for c in checks)],
         [[who(s), *(f"{score[(c['assignment'], s)]:g}" if (c["assignment"], s) in score else "" for c in checks)]
          for s in everyone])


def main(argv: list[str] | None = None) -> int:
    from oud_course.build import course_settings
    from oud_course.grading.cli import skip_iri_grammars

    parser = argparse.ArgumentParser(prog="python -m oud_course.report", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all in course_config.py)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (holds course_config.py)")
    parser.add_argument("--out", type=Path, help="report folder (default: report/ in the course folder)")
    parser.add_argument("--names", action="store_true", help="show student ids and names instead of pseudonyms")
    args = parser.parse_args(argv)
    skip_iri_grammars()
    root = args.root.resolve()
    settings = course_settings(root)
    out = write_report(root, args.assignments or settings["ASSIGNMENTS"], args.out or root / "report", args.names,
                       settings)
    print(f"report: {out / 'index.html'} (and CSV files beside it)")
    return 0


def write_report(root: Path, assignments: list[str], out: Path, names: bool = False, settings: dict | None = None) -> Path:
    """Analyse ``assignments`` and write index.html and the CSV files into ``out``; returns ``out``."""
    from nbgrader.api import Gradebook, MissingEntry

    from oud_course.build import course_settings
    from oud_course.report_page import render

    started = time.monotonic()
    settings = settings or course_settings(root)
    checks = []
    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        roster = gradebook.students
        enrolled = len(roster)
        full_names = {s.id: " ".join(filter(None, (s.first_name, s.last_name))) for s in roster}
        for assignment in assignments:
            try:
                found = analyse_check(gradebook, root, assignment, enrolled)
            except MissingEntry:
                found = None
            if found:
                checks.append(found)
    who = pseudonymiser(root, full_names if names else None)
    out.mkdir(parents=True, exist_ok=True)
    write_csvs(out, checks, who)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = render(checks, who, enrolled=enrolled, course=settings["COURSE_ID"], stamp=stamp, names=names,
                  thresholds=(TOO_HARD, TOO_EASY, LOW_DISCRIMINATION))
    (out / "index.html").write_text(page, encoding="utf-8")
    print(f"analysed {len(checks)} check(s) in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return out


if __name__ == "__main__":
    sys.exit(main())
