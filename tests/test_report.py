"""Item analysis report on a synthetic class whose answers come from known item parameters (no kernels).

``synthetic_class`` writes a class straight into a temporary course: nbgrader's gradebook (through
its API), the answers DecideGrades would have stored, and autograded notebooks with their verdicts.
test_regrade.py and the benchmarks build their classes with it too.
"""

from __future__ import annotations

import copy
import csv
import json
import math
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import numpy as np
import pytest
from course_tools import course_env, make_course

from oud_course.answers import encode
from oud_course.grading.decide import store_answers
from oud_course.items import grade as decide

# Planted item behaviours: a logistic (2PL) model of being right for the others.
GOOD, MISKEYED, EASY, HARD, FLAT = "good", "miskeyed", "easy", "hard", "flat"
PLAN_05 = {"q2": MISKEYED, "q6": EASY, "q4": HARD, "q7": FLAT}  # 05-signs-symptoms-withdrawal: q1, q3, q5, q8 good
DUE, DUE_TEXT = datetime(2026, 12, 1, 13, 0), "2026-12-01T13:00:00+00:00"  # UTC, as nbgrader stores it


def wrong_answer(spec: dict, rng: np.random.Generator):
    """A plausible wrong answer of the item's kind (a Python value, as a student would write it)."""
    kind, key = spec["kind"], spec["answer"]
    if kind == "choice":
        return str(rng.choice([o for o in spec["options"] if o != key]))
    if kind == "truefalse":
        return not key
    if kind == "select":
        toggled = str(rng.choice(spec["options"]))
        return set(key) ^ {toggled}
    if kind == "order":
        i = int(rng.integers(0, len(key) - 1))
        swapped = list(key)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        return swapped
    if kind == "number":
        return float(key) + int(rng.choice([-2, -1, 1, 3]))
    if kind == "classify":
        pairs = dict(key)
        entry = str(rng.choice(sorted(pairs)))
        pairs[entry] = str(rng.choice([label for label in spec["labels"] if label != pairs[entry]]))
        return pairs
    raise ValueError(kind)


def right_answer(spec: dict):
    kind, key = spec["kind"], spec["answer"]
    if kind == "select":
        return set(key)
    if kind == "number":
        return float(key)
    if kind == "classify":
        return dict(key)
    return copy.deepcopy(key)


def _answer(spec: dict, behaviour: str, theta: float, rng: np.random.Generator, b: float):
    """What one student answers: right with the behaviour's probability, otherwise wrong or blank."""
    if behaviour == MISKEYED:  # the stronger students choose another option than the declared key
        options = [o for o in spec["options"] if o != spec["answer"]]
        if rng.random() < 1 / (1 + math.exp(-2.5 * (theta + 0.3))):
            return options[0]
        return spec["answer"] if rng.random() < 0.6 else str(rng.choice(options[1:]))
    a, b = {GOOD: (2.5, b), EASY: (1.5, -5.0), HARD: (1.5, 3.2), FLAT: (0.0, 0.0)}[behaviour]
    if rng.random() < 1 / (1 + math.exp(-a * (theta - b))):
        return right_answer(spec)
    return None if rng.random() < 0.1 else wrong_answer(spec, rng)


def synthetic_class(course: Path, assignment: str, n: int, seed: int = 14, plan: dict | None = None,
                    late: set | None = None, manual: bool = True) -> dict:
    """Write ``n`` students' submissions of ``assignment`` into ``course``; returns what was generated.

    The returned dict holds ``students``, ``answers`` (student -> item -> value), ``points``
    (students x items matrix, items in ``items`` order), ``manual`` (student -> mark), ``specs``.
    """
    from nbgrader.api import Comment, Grade, Gradebook, Student, SubmittedAssignment, SubmittedNotebook

    from oud_course.build import course_settings
    from oud_course.grade import prepare
    from oud_course.regrade import declarations, verdict_output

    config = course / "course_config.py"  # the due date lives in the course's config, where make grade reads it
    config.write_text(config.read_text().replace("DUE_DATES = {}", f"DUE_DATES = {{{assignment!r}: {DUE_TEXT!r}}}", 1))
    settings = course_settings(course)
    prepare(course, assignment, settings)
    rng = np.random.default_rng(seed)
    plan = plan or {}
    late = late or set()
    release = course / "build" / "release-for-grading" / assignment
    notebook_path = next(release.glob("*.ipynb"))
    notebook = notebook_path.stem
    template = nbformat.read(notebook_path, as_version=4)
    students = [f"student-{k:03d}" for k in range(n)]
    with Gradebook(settings["DB_URL"], settings["COURSE_ID"]) as gradebook:
        declared = declarations(gradebook, assignment)
        items = sorted((key[1] for key in declared), key=lambda i: int(i[1:]))
        specs = {i: {**declared[(notebook, i)]["expect"], "item": i} for i in items}
        weights = {i: declared[(notebook, i)]["points"] for i in items}
        record = gradebook.find_assignment(assignment)
        source = gradebook.find_notebook(notebook, assignment)
        task = source.task_cells[0]
        known = {s.id for s in gradebook.students}
        thetas = rng.normal(size=n)
        difficulty = {i: b for i, b in zip(items, np.linspace(-0.6, 0.6, len(items)))}
        generated = {"students": students, "items": items, "specs": specs, "weights": weights, "answers": {},
                     "points": np.zeros((n, len(items))), "manual": {}, "notebook": notebook, "task": task.name,
                     "task_max": float(task.max_score)}
        # nbgrader's Gradebook.add_submission, object for object, with one commit for the class.
        for row, (student, theta) in enumerate(zip(students, thetas)):
            when = DUE + (timedelta(days=1, hours=2) if student in late else -timedelta(hours=1))
            if student not in known:
                gradebook.db.add(Student(id=student))
            submission = SubmittedAssignment(assignment=record, student_id=student, timestamp=when)
            submitted = SubmittedNotebook(notebook=source, assignment=submission)
            answers, cases, verdicts = {}, [], {}
            for col, item in enumerate(items):
                value = _answer(specs[item], plan.get(item, GOOD), theta, rng, difficulty[item])
                answers[item] = value
                passed, message = decide(specs[item], value)
                generated["points"][row, col] = weights[item] if passed else 0.0
                verdicts[item] = {"passed": passed, "message": message}
                cases.append({"item": item, "readout": {"item": item, "defined": True, "answer": encode(value)}, "why": ""})
            generated["answers"][student] = answers
            for cell in source.grade_cells:
                Grade(cell_id=cell.id, notebook=submitted, needs_manual_grade=False,
                      auto_score=generated["points"][row, items.index(cell.name)])
            for cell in source.solution_cells:
                Comment(cell_id=cell.id, notebook=submitted)
            mark = float(rng.integers(0, int(task.max_score) + 1)) if manual and rng.random() < 0.9 else None
            Comment(cell_id=task.id, notebook=submitted)
            Grade(cell_id=task.id, notebook=submitted, manual_score=mark, needs_manual_grade=mark is None)
            if mark is not None:
                generated["manual"][student] = mark
            if student in late:  # two started days late, 10% a day (course_config.py's rate)
                score = generated["points"][row].sum() + (mark or 0.0)
                submitted.late_submission_penalty = round(score * 0.1 * 2, 2)
            gradebook.db.add(submission)
            store_answers(course, {"assignment": assignment, "student": student, "notebook": notebook}, cases,
                          when.isoformat())
            graded = copy.deepcopy(template)
            for cell in graded.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if cell.cell_type == "code" and grade_id in verdicts:
                    cell.outputs = [nbformat.from_dict(verdict_output(verdicts[grade_id]))]
            folder = course / "autograded" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(graded, folder / f"{notebook}.ipynb")
            (course / "submitted" / student / assignment).mkdir(parents=True, exist_ok=True)
        gradebook.db.commit()
    return generated


@contextmanager
def course_environment():
    """The environment of the grading commands: the venv first on PATH (nbgrader runs alembic), no outside gradebook."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in course_env().items():
            patch.setenv(name, value)
        patch.delenv("COURSE_DB_URL", raising=False)
        patch.delenv("COURSE_SELF_CHECK", raising=False)
        yield


def expected_statistics(points: np.ndarray, weights: list[float]) -> dict:
    """Difficulty, corrected point-biserial and Cronbach's alpha, computed here from the generated points."""
    n, k = points.shape
    out = {"difficulty": [], "discrimination": []}
    for i in range(k):
        item, rest = points[:, i], points.sum(axis=1) - points[:, i]
        out["difficulty"].append(item.mean() / weights[i])
        dx, dy = item - item.mean(), rest - rest.mean()
        spread = math.sqrt((dx ** 2).sum() * (dy ** 2).sum())
        out["discrimination"].append(float((dx * dy).sum() / spread) if spread else None)  # None: an item all got right
    total = points.sum(axis=1)
    item_var = sum(((points[:, i] - points[:, i].mean()) ** 2).sum() / (n - 1) for i in range(k))
    total_var = ((total - total.mean()) ** 2).sum() / (n - 1)
    out["alpha"] = k / (k - 1) * (1 - item_var / total_var)
    return out


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """A class of 240 on 05-signs-symptoms-withdrawal with four planted bad items, and its report."""
    from oud_course.report import write_report

    course = make_course(tmp_path_factory.mktemp("report") / "course")
    with course_environment():
        generated = synthetic_class(course, "05-signs-symptoms-withdrawal", 240, plan=PLAN_05)
        out = write_report(course, ["05-signs-symptoms-withdrawal"], course / "report")
    return course, generated, out


def _items_csv(out: Path) -> dict:
    with open(out / "items.csv", newline="", encoding="utf-8") as handle:
        return {row["item"]: row for row in csv.DictReader(handle)}


def test_report_statistics_match_an_independent_computation(analysed):
    """Do the report's difficulty, discrimination and alpha equal the ones computed from the generated points?"""
    _, generated, out = analysed
    weights = [generated["weights"][i] for i in generated["items"]]
    expected = expected_statistics(generated["points"], weights)
    rows = _items_csv(out)
    for n, item in enumerate(generated["items"]):
        assert float(rows[item]["difficulty"]) == pytest.approx(expected["difficulty"][n], abs=5e-4)
        if expected["discrimination"][n] is None:
            assert rows[item]["discrimination"] == ""
        else:
            assert float(rows[item]["discrimination"]) == pytest.approx(expected["discrimination"][n], abs=5e-4)
    with open(out / "checks.csv", newline="", encoding="utf-8") as handle:
        check = next(csv.DictReader(handle))
    assert float(check["alpha"]) == pytest.approx(expected["alpha"], abs=5e-4)
    totals = generated["points"].sum(axis=1) + np.array([generated["manual"].get(s, 0.0) for s in generated["students"]])
    assert float(check["mean"]) == pytest.approx(totals.mean(), abs=5e-3)
    assert float(check["median"]) == pytest.approx(np.median(totals), abs=5e-3)
    assert int(check["submissions"]) == 240


def test_flags_fire_on_planted_items_only(analysed):
    """Does each planted bad item carry its flag, and does no well-behaved item carry any?"""
    _, generated, out = analysed
    rows = _items_csv(out)
    flags = {item: rows[item]["flags"] for item in generated["items"]}
    assert "beats the key" in flags["q2"] and "does not discriminate" in flags["q2"]
    assert "too easy" in flags["q6"]
    assert "too hard" in flags["q4"]
    assert "does not discriminate" in flags["q7"]
    assert {item: flag for item, flag in flags.items() if item not in PLAN_05} == {"q1": "", "q3": "", "q5": "", "q8": ""}


def test_answer_counts_match_the_generated_answers(analysed):
    """Are the given answers counted as generated, the key first and then wrong answers most chosen first?"""
    _, generated, out = analysed
    with open(out / "answers.csv", newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["item"] == "q2"]
    given = [generated["answers"][s]["q2"] for s in generated["students"]]
    assert rows[0]["is_key"] == "yes" and rows[0]["answer"] == generated["specs"]["q2"]["answer"]
    assert int(rows[0]["count"]) == given.count(generated["specs"]["q2"]["answer"])
    wrong = [r for r in rows[1:] if not r["answer"].startswith("(")]
    assert [int(r["count"]) for r in wrong] == sorted((int(r["count"]) for r in wrong), reverse=True)
    assert {r["answer"]: int(r["count"]) for r in wrong} == {o: given.count(o) for o in set(given) if o is not None
                                                             and o != generated["specs"]["q2"]["answer"]}
    assert int(rows[0]["count"]) < int(wrong[0]["count"])  # the planted miskey


def test_report_shows_pseudonyms_unless_names_are_asked(analysed):
    """Are students shown by a stable pseudonym, and by id only with --names?"""
    from oud_course.report import write_report

    course, generated, out = analysed
    page = (out / "index.html").read_text()
    assert "student-0" not in page and "student-0" not in (out / "students.csv").read_text()
    first = (out / "students.csv").read_text().splitlines()[1:]
    again = write_report(course, ["05-signs-symptoms-withdrawal"], course / "report-again")
    assert (again / "students.csv").read_text().splitlines()[1:] == first  # stable across runs
    named = write_report(course, ["05-signs-symptoms-withdrawal"], course / "report-named", names=True)
    assert "student-000" in (named / "students.csv").read_text()


def test_report_page_has_every_figure_with_alt_text(analysed):
    """Does the page hold the course and per-check figures as PNG data URIs, each with a text alternative?"""
    import re

    _, _, out = analysed
    page = (out / "index.html").read_text()
    images = re.findall(r'<img src="(data:image/png;base64,[^"]+)" alt="([^"]*)"', page)
    assert len(images) == 4 and page.count("<img") == 4  # completion, mean, histogram, item map
    assert all(len(alt) > 40 for _, alt in images)
    assert "<script" not in page and "http://" not in page and "https://" not in page

