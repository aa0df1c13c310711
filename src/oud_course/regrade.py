"""Regrade without kernels: after an item's declaration changes, decide its points again from the stored answers.

Usage: ``python -m oud_course.regrade [ASSIGNMENT ...] [--root DIR] [--workers N]`` (``make regrade``).

For each assignment: the declarations the gradebook holds are compared with those in ``source/``
(recorded in the gradebook the way ``make grade`` does); each item whose expectation or points
changed is decided again for every submission from ``answers/<assignment>/<student>.json``
(written by DecideGrades at autograding) with the same function the clean grading process uses.
Manual marks are kept (nbgrader's score takes a manual mark over the automatic one); items that
did not change are not touched. The autograded notebooks' verdicts and the feedback of the changed
submissions are rewritten, ``grades.csv`` is exported again, and ``regrade-<assignment>.csv``
lists each student whose score changed, old and new, per item.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from oud_course import term
from oud_course.grading import contract
from oud_course.grading.decide import answers_path, verdict_output
from oud_course.grading.evaluate import evaluate


@dataclass
class Change:
    """One submission whose score changed."""

    student: str
    old_score: float
    new_score: float = 0.0
    items: dict = field(default_factory=dict)  # (notebook, item) -> (old points, new points)


@dataclass
class Result:
    """What a regrade of one assignment did."""

    assignment: str
    changed_items: list  # (notebook, item), sorted
    changes: list  # Change, one per submission whose score changed
    skipped: list  # (student, why) for submissions that could not be regraded
    feedback: list = field(default_factory=list)  # students whose verdicts, points or maximum changed
    seconds: float = 0.0


def declarations(gradebook, assignment: str) -> dict[tuple[str, str], dict]:
    """(notebook, item) -> {"item", "expect", "points"} of every item the gradebook holds for ``assignment``."""
    found = {}
    for notebook in gradebook.find_assignment(assignment).notebooks:
        points = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
        for item, entry in contract.load(gradebook.engine, assignment, notebook.name).items():
            if item in points:
                found[(notebook.name, item)] = {"item": item, "expect": entry["expect"], "points": points[item]}
    return found


def source_declarations(root: Path, assignment: str, course_id: str) -> dict[tuple[str, str], dict]:
    """(notebook, item) -> {"item", "expect", "points"} as source/ declares them now."""
    found = {}
    for path in sorted((root / "source" / assignment).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for item, expect in contract.expectations_of(nb).items():
            spec = next(s for _, s in contract.declarations(nb) if s["item"] == item)
            found[(path.stem, item)] = {"item": item, "expect": expect, "points": float(spec["points"])}
    return found


def stored_answers(root: Path, assignment: str, student: str, notebook: str, timestamp) -> tuple[dict | None, str]:
    """The stored items of one submitted notebook, or None and why they cannot be used."""
    path = answers_path(root, assignment, student)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no stored answers (graded before answers were stored, or not autograded)"
    except (OSError, ValueError) as error:
        return None, f"stored answers unreadable: {error}"
    entry = data.get("notebooks", {}).get(notebook)
    if not isinstance(entry, dict):
        return None, f"no stored answers for {notebook}"
    stamp = timestamp.isoformat() if timestamp else None
    if entry.get("timestamp") != stamp:
        return None, "stored answers belong to another submission (timestamps differ): run make grade for it"
    return entry.get("items", {}), ""


def _is_verdict(output: dict) -> bool:
    if output.get("output_type") == "error":
        return output.get("ename") == "NotRight"
    text = output.get("text", "")
    return output.get("output_type") == "stream" and "".join(text).startswith("Graded: ")


def rewrite_verdicts(path: Path, verdicts: dict[str, dict]) -> None:
    """Put new verdicts (grade_id -> verdict) in place of the old ones in an autograded notebook."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in verdicts:
            kept = [o for o in cell.get("outputs", []) if not _is_verdict(o)]
            cell.outputs = kept + [nbformat.from_dict(verdict_output(verdicts[grade_id]))]
    nbformat.write(nb, path)


def net_scores(gradebook, assignment_id: str, students: list[str] | None = None) -> dict[str, float]:
    """student -> score after the late penalty of each submission of one assignment (of ``students`` if given).

    nbgrader's ``SubmittedAssignment.score`` less its ``late_submission_penalty``, from two grouped queries:
    reading those per submission costs a scan of the grade table each (it has no index by notebook).
    """
    from nbgrader.api import Grade, SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import func

    def per_student(total, *joins):
        query = gradebook.db.query(SubmittedAssignment.student_id, func.coalesce(func.sum(total), 0.0))
        for table, condition in joins:
            query = query.join(table, condition)
        query = query.filter(SubmittedAssignment.assignment_id == assignment_id)
        if students is not None:
            query = query.filter(SubmittedAssignment.student_id.in_(list(students)))
        return dict(query.group_by(SubmittedAssignment.id, SubmittedAssignment.student_id).all())

    notebooks = (SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
    scores = per_student(Grade.score, notebooks, (Grade, Grade.notebook_id == SubmittedNotebook.id))
    penalties = per_student(SubmittedNotebook.late_submission_penalty, notebooks)
    return {student: max(0.0, scores.get(student, 0.0) - (penalties.get(student) or 0.0))
            for student in set(scores) | set(penalties)}


def regrade_assignment(root: Path, assignment: str, settings: dict) -> Result:
    """Regrade one assignment from stored answers; update the gradebook and autograded notebooks, and name in
    ``feedback`` the students whose feedback must be written again."""
    from nbgrader.api import Gradebook, Grade, SubmittedAssignment, SubmittedNotebook

    from oud_course.grade import prepare

    start = time.monotonic()
    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        before = declarations(gradebook, assignment)
    if source_declarations(root, assignment, settings["COURSE_ID"]) == before:  # nothing to do: skip nbgrader's generate
        return Result(assignment, [], [], [], seconds=time.monotonic() - start)
    prepare(root, assignment, settings)  # records source/'s current declarations, as make grade does
    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        after = declarations(gradebook, assignment)
        changed = sorted(key for key in after if key in before and before[key] != after[key])
        added = sorted(set(after) - set(before))
        if added:
            print(f"{assignment}: new items {', '.join(i for _, i in added)} have no answers to regrade from; "
                  "run make grade for them", file=sys.stderr)
        result = Result(assignment, changed, [], [])
        if not changed:
            result.seconds = time.monotonic() - start
            return result
        notebooks = {nb.id: nb.name for nb in gradebook.find_assignment(assignment).notebooks}
        cells = {cell.id: (notebooks[nb_id], cell.name) for nb_id in notebooks
                 for cell in gradebook.find_notebook(notebooks[nb_id], assignment).grade_cells
                 if (notebooks[nb_id], cell.name) in changed}
        # One query for every grade of a changed item, with its submitted notebook and submission.
        rows = (gradebook.db.query(Grade, SubmittedNotebook, SubmittedAssignment)
                .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                .filter(Grade.cell_id.in_(list(cells))).all())
        by_notebook: dict = {}
        assignment_id = gradebook.find_assignment(assignment).id
        old_net = net_scores(gradebook, assignment_id)  # before any change
        for grade, notebook, submission in rows:
            by_notebook.setdefault((submission.student_id, notebook.id), (notebook, submission, []))[2].append(grade)
        changes: dict[str, Change] = {}
        late: set[str] = set()  # students whose late penalty must follow their new score
        rewrites: dict[tuple[str, str], dict] = {}  # (student, notebook name) -> grade_id -> verdict
        feedback: set[str] = set()
        for (student, _), (notebook, submission, grades) in sorted(by_notebook.items(), key=lambda kv: kv[0][0]):
            name = notebooks[notebook.notebook_id]
            items, why = stored_answers(root, assignment, student, name, submission.timestamp)
            autograded = root / "autograded" / student / assignment / f"{name}.ipynb"
            if items is not None and not autograded.exists():
                items, why = None, f"no autograded notebook {autograded.relative_to(root)}"
            if items is None:
                result.skipped.append((student, why))
                continue
            for grade in grades:
                key = cells[grade.cell_id]
                spec = after[key]
                stored = items.get(spec["item"], {})
                verdict = evaluate({"item": spec["item"], "expect": spec["expect"], "readout": stored.get("readout"),
                                    "why": stored.get("why", "")})
                old = grade.auto_score or 0.0
                grade.auto_score = spec["points"] if verdict["passed"] else 0.0
                rewrites.setdefault((student, name), {})[key[1]] = verdict
                if before[key]["points"] != spec["points"] or grade.auto_score != old:
                    feedback.add(student)  # its verdict, points or maximum changed
                if grade.manual_score is None and grade.auto_score != old:
                    change = changes.setdefault(student, Change(student, old_net[student]))
                    change.items[key] = (old, grade.auto_score)
                    if submission.total_seconds_late > 0:
                        late.add(student)
        gradebook.db.commit()
        if late:  # their penalty follows their new score, as make grade and make feedback settle it
            term.settle(gradebook, settings, term.late_plugin(root), [assignment], sorted(late))
        if changes:
            net = net_scores(gradebook, assignment_id, list(changes))
            for student, change in changes.items():
                change.new_score = net[student]
        result.changes = [changes[s] for s in sorted(changes)]
    for (student, name), verdicts in rewrites.items():
        if student in feedback:
            rewrite_verdicts(root / "autograded" / student / assignment / f"{name}.ipynb", verdicts)
    result.feedback = sorted(feedback)
    result.seconds = time.monotonic() - start
    return result


def _feedback(root: Path, jobs: dict[str, list[str]], workers: int) -> None:
    """Write the feedback of the submissions in ``jobs`` (assignment -> students) again, only theirs: every check's in
    the same ``workers`` processes, each starting once (oud_course.grading.feedback_writer)."""
    from oud_course.grading import feedback_writer

    jobs = {assignment: students for assignment, students in jobs.items() if students}
    if not jobs:
        return
    for assignment, problem in feedback_writer.write(root, jobs, workers).items():
        if problem:
            print(f"feedback for {assignment}: {problem}", file=sys.stderr)


def write_changes(path: Path, result: Result) -> None:
    """One row per student whose score changed: old and new score, then old and new points per changed item."""
    columns = sorted({key for change in result.changes for key in change.items})
    names = {key: key[1] if len({n for n, _ in columns}) == 1 else f"{key[0]}/{key[1]}" for key in columns}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "old_score", "new_score",
                         *(f"{names[k]} {when}" for k in columns for when in ("old", "new"))])
        for change in sorted(result.changes, key=lambda c: c.student):
            cells = []
            for key in columns:
                old, new = change.items.get(key, ("", ""))
                cells += [f"{old:g}" if old != "" else "", f"{new:g}" if new != "" else ""]
            writer.writerow([change.student, f"{change.old_score:g}", f"{change.new_score:g}", *cells])


def regrade(root: Path, assignments: list[str], workers: int = 1, to: Path | None = None) -> list[Result]:
    """Regrade ``assignments``, export grades.csv again if anything changed, write each changes CSV."""
    from oud_course.build import course_settings
    from oud_course.grade import failure, nbgrader

    settings = course_settings(root)
    results = [regrade_assignment(root, assignment, settings) for assignment in assignments]
    _feedback(root, {result.assignment: result.feedback for result in results}, workers)
    for result in results:
        write_changes(root / f"regrade-{result.assignment}.csv", result)
    if any(result.changes for result in results):
        export = nbgrader(root, "export", "--to", str(to or root / "grades.csv"))
        if export.returncode != 0:
            raise SystemExit(f"export failed: {failure(export)}")
    return results


def main(argv: list[str] | None = None) -> int:
    from oud_course.build import course_settings
    from oud_course.grading.cli import skip_iri_grammars

    parser = argparse.ArgumentParser(prog="python -m oud_course.regrade", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all in course_config.py)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (holds course_config.py)")
    parser.add_argument("--workers", type=int, default=0, help="parallel feedback writers (default: the cores)")
    parser.add_argument("--to", type=Path, help="grade CSV (default: grades.csv in the course folder)")
    args = parser.parse_args(argv)
    skip_iri_grammars()
    root = args.root.resolve()
    assignments = args.assignments or course_settings(root)["ASSIGNMENTS"]
    os.chdir(root)
    start = time.monotonic()
    results = regrade(root, assignments, args.workers or os.cpu_count() or 1, args.to)
    seconds = time.monotonic() - start
    for r in results:
        items = ", ".join(item for _, item in r.changed_items) or "none"
        print(f"{r.assignment}: items changed: {items}; {len(r.changes)} submission(s) changed "
              f"(regrade-{r.assignment}.csv); {r.seconds:.1f} s")
        for student, why in r.skipped:
            print(f"  not regraded: {student}: {why}")
    print(f"feedback written again for {sum(len(r.feedback) for r in results)} submission(s), grades.csv exported: "
          f"{seconds - sum(r.seconds for r in results):.1f} s; {seconds:.1f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
