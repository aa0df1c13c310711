"""Regrade without kernels: a changed key or points value moves exactly the students and points it should."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from course_tools import CHECKS, course_env, make_course, read_nb
from test_report import course_environment, synthetic_class

ASSIGNMENT = "05-signs-symptoms-withdrawal"
LATE = {"student-003", "student-004", "student-010"}


def change_declaration(course: Path, assignment: str, item: str, key: str | None = None, points: int | None = None):
    """Edit an item's declaration in the course's source/: its key (a choice item's letter) or its points."""
    path = next((course / "source" / assignment).glob("*.ipynb"))
    nb = read_nb(path)
    cell = next(c for c in nb.cells if c.metadata.get("oud_course", {}).get("item") == item and "kind" in c.metadata["oud_course"])
    if key is not None:
        before, after = cell.source.split("### BEGIN SOLUTION\n", 1)
        old_line = after.split("\n", 1)[0]
        cell.source = before + "### BEGIN SOLUTION\n" + after.replace(old_line, f'{item} = "{key}"', 1)
    if points is not None:
        cell.metadata["oud_course"]["points"] = points
    nbformat.write(nb, path)


def grades(course: Path) -> dict:
    """(student, cell) -> (auto, manual) and (student, "penalty") -> late penalty, for every grade in the gradebook."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
        for submission in gradebook.find_assignment(ASSIGNMENT).submissions:
            for notebook in submission.notebooks:
                found[(submission.student_id, "penalty")] = notebook.late_submission_penalty
                for grade in notebook.grades:
                    found[(submission.student_id, grade.name)] = (grade.auto_score, grade.manual_score)
    return found


def changes_csv(course: Path) -> list[dict]:
    with open(course / f"regrade-{ASSIGNMENT}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def net(generated: dict, student: str, points: dict) -> float:
    """A student's score after the late penalty, from generated points (item -> points) and the manual mark."""
    raw = sum(points.values()) + generated["manual"].get(student, 0.0)
    return max(0.0, raw - (round(raw * 0.2, 2) if student in LATE else 0.0))


@pytest.fixture
def graded_class(tmp_path):
    course = make_course(tmp_path / "course")
    with course_environment():
        generated = synthetic_class(course, ASSIGNMENT, 200, seed=7, late=LATE)
        yield course, generated


@pytest.mark.slow  # runs nbgrader's generate_feedback and export
def test_key_change_moves_exactly_the_expected_students(graded_class):
    """After q5's key changes from b to c, do exactly those who answered b or c move, by one point each?"""
    from nbgrader.api import Gradebook

    from oud_course.regrade import regrade

    course, generated = graded_class
    old_key = generated["specs"]["q5"]["answer"]
    assert old_key == "b"
    overridden = next(s for s in generated["students"] if generated["answers"][s]["q5"] == "b")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
        gradebook.find_grade("q5", generated["notebook"], ASSIGNMENT, overridden).manual_score = 1.0
        gradebook.db.commit()
    before = grades(course)

    change_declaration(course, ASSIGNMENT, "q5", key="c")
    regrade(course, [ASSIGNMENT])

    after = grades(course)
    items = generated["items"]
    expected = {}
    for row, student in enumerate(generated["students"]):
        answer = generated["answers"][student]["q5"]
        if student != overridden and answer in ("b", "c"):
            old = dict(zip(items, generated["points"][row]))
            new = {**old, "q5": float(answer == "c")}
            expected[student] = (net(generated, student, old), net(generated, student, new))
    rows = changes_csv(course)
    found = {r["student_id"]: (float(r["old_score"]), float(r["new_score"])) for r in rows}
    assert set(found) == set(expected)
    assert all(found[s] == pytest.approx(expected[s], abs=0.011) for s in expected), found
    assert all((r["q5 old"], r["q5 new"]) in (("1", "0"), ("0", "1")) for r in rows)
    assert LATE & set(expected)  # a late student moved, and its penalty followed its new score
    for key, value in before.items():
        student, cell = key
        if cell == "q5" and student in expected:
            assert after[key] == (float(generated["answers"][student]["q5"] == "c"), None)
        elif (student, cell) == (overridden, "q5"):
            assert after[key] == (0.0, 1.0)  # the automatic points follow the key; the manual mark stays and counts
        elif cell == "penalty" and student in expected and student in LATE:
            assert after[key] == pytest.approx(round((expected[student][1]) / 0.8 * 0.2, 2), abs=0.011)
        else:
            assert after[key] == value, key  # every other grade and penalty
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        exported = {r["student_id"]: float(r[ASSIGNMENT]) for r in csv.DictReader(handle)}
    assert {s: exported[s] for s in expected} == pytest.approx({s: new for s, (_, new) in expected.items()}, abs=0.011)
    written = {p.parent.parent.name for p in (course / "feedback").glob(f"*/{ASSIGNMENT}/*.html")}
    assert written == set(expected) | {overridden}  # only the submissions whose points or verdicts changed
    verdicts = (course / "autograded" / sorted(expected)[0] / ASSIGNMENT / f"{generated['notebook']}.ipynb").read_text()
    assert "q5: right." in verdicts or "q5: not right." in verdicts


def test_nothing_changed_changes_nothing(graded_class):
    """With source/ as graded, does a regrade leave every grade, feedback and file as it was?"""
    from oud_course.regrade import regrade

    course, _ = graded_class
    before = grades(course)
    autograded = {p: p.stat().st_mtime_ns for p in (course / "autograded").rglob("*.ipynb")}
    results = regrade(course, [ASSIGNMENT])
    assert results[0].changed_items == [] and results[0].changes == []
    assert grades(course) == before
    assert changes_csv(course) == []
    assert not (course / "feedback").exists() and not (course / "grades.csv").exists()
    assert {p: p.stat().st_mtime_ns for p in (course / "autograded").rglob("*.ipynb")} == autograded


@pytest.mark.slow  # runs nbgrader's generate_feedback and export
def test_points_change_moves_those_who_were_right(graded_class):
    """After q8 goes from 1 to 2 points, does each student right on q8 gain one point, and nobody else move?"""
    from oud_course.regrade import regrade

    course, generated = graded_class
    change_declaration(course, ASSIGNMENT, "q8", points=2)
    regrade(course, [ASSIGNMENT])
    column = generated["items"].index("q8")
    right = {s for row, s in enumerate(generated["students"]) if generated["points"][row, column] > 0}
    rows = changes_csv(course)
    assert {r["student_id"] for r in rows} == right
    assert {(r["q8 old"], r["q8 new"]) for r in rows} == {("1", "2")}
    assert {r["student_id"] for r in rows if float(r["new_score"]) <= float(r["old_score"])} == set()


@pytest.mark.slow
def test_real_submissions_regraded_after_a_key_change(course):
    """End to end: grade three real submissions with make grade's command, change a key in source/, regrade."""
    source = next(p for p in CHECKS if p.parent.name == "03-dependence-cycle")
    assignment, notebook = source.parent.name, source.name
    env = course_env()
    subprocess.run([sys.executable, "-m", "oud_course.build", "release", "--only", assignment, "--out", "build/rel"],
                   cwd=course, env=env, check=True, capture_output=True)
    release_nb, source_nb = read_nb(course / "build" / "rel" / assignment / notebook), read_nb(source)
    from class_simulation import Student, item_points, write_submission

    items = item_points(source_nb)
    plans = {"ana": {i: "key" for i in items}, "ben": {"q1": 'q1 = "c"', "q2": "key"}, "cy": {"q2": "key"}}
    for name, answers in plans.items():
        write_submission(Student(name, answers), release_nb, source_nb, course / "submitted" / name / assignment, notebook)
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", assignment], cwd=course, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.stem for p in (course / "answers" / assignment).glob("*.json")) == ["ana", "ben", "cy"]
    before = {r["student_id"]: r[assignment] for r in csv.DictReader(open(course / "grades.csv"))}
    assert before == {"ana": "10", "ben": "1", "cy": "1"}

    change_declaration(course, assignment, "q1", key="c")
    done = subprocess.run([sys.executable, "-m", "oud_course.regrade", assignment], cwd=course, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    after = {r["student_id"]: r[assignment] for r in csv.DictReader(open(course / "grades.csv"))}
    assert after == {"ana": "9", "ben": "2", "cy": "1"}
    rows = list(csv.DictReader(open(course / f"regrade-{assignment}.csv")))
    assert [(r["student_id"], r["q1 old"], r["q1 new"]) for r in rows] == [("ana", "1", "0"), ("ben", "0", "1")]
    feedback = (course / "feedback" / "ben" / assignment / notebook.replace(".ipynb", ".html")).read_text()
    assert "q1: right" in feedback


@pytest.mark.slow
def test_report_and_regrade_on_postgres(postgres_server, tmp_path, monkeypatch):
    """On a PostgreSQL gradebook, do the report's figures and a key change's regrade come out as on SQLite?"""
    from test_report import expected_statistics

    from oud_course.regrade import regrade
    from oud_course.report import write_report

    url = postgres_server.new_database("report_regrade")
    course = make_course(tmp_path / "course")
    with course_environment():
        monkeypatch.setenv("COURSE_DB_URL", url)
        generated = synthetic_class(course, ASSIGNMENT, 60, seed=11)
        out = write_report(course, [ASSIGNMENT], course / "report")
        change_declaration(course, ASSIGNMENT, "q5", key="c")
        regrade(course, [ASSIGNMENT])
    with open(out / "items.csv", newline="", encoding="utf-8") as handle:
        difficulty = [float(row["difficulty"]) for row in csv.DictReader(handle)]
    weights = [generated["weights"][i] for i in generated["items"]]
    assert difficulty == pytest.approx(expected_statistics(generated["points"], weights)["difficulty"], abs=5e-4)
    moved = {s for s in generated["students"] if generated["answers"][s]["q5"] in ("b", "c")}
    assert {r["student_id"] for r in changes_csv(course)} == moved


def test_net_scores_are_nbgraders_score_less_the_late_penalty(graded_class):
    """Do the grouped queries give each submission nbgrader's own score less its late penalty (manual marks, late)?"""
    from nbgrader.api import Gradebook

    from oud_course.regrade import net_scores

    course, generated = graded_class
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "oud-course") as gradebook:
        check = gradebook.find_assignment(ASSIGNMENT)
        expected = {s.student_id: max(0.0, s.score - (s.late_submission_penalty or 0.0)) for s in check.submissions}
        assert net_scores(gradebook, check.id) == pytest.approx(expected)
        some = sorted(LATE)[:2] + generated["students"][:2]
        assert net_scores(gradebook, check.id, some) == pytest.approx({s: expected[s] for s in some})
    assert {s: expected[s] for s in LATE} != {s: sum(generated["points"][generated["students"].index(s)]) for s in LATE}


def test_feedback_writer_deals_every_check_to_each_worker():
    """Does each worker get a share of every check, and every submission exactly once?"""
    from oud_course.grading.feedback_writer import deal

    jobs = {"01": ["a", "b", "c"], "02": ["d"], "03": ["e", "f"]}
    shares = deal(jobs, 2)
    assert shares == [{"01": ["a", "c"], "03": ["e"]}, {"01": ["b"], "02": ["d"], "03": ["f"]}]
    assert deal(jobs, 9) == [{"01": ["a"]}, {"01": ["b"]}, {"01": ["c"]}, {"02": ["d"]}, {"03": ["e"]}, {"03": ["f"]}]


def test_feedback_writer_names_each_student_without_a_page():
    """A failed submission is named with its reason; a check the process never reported on names all its students."""
    from oud_course.grading.feedback_writer import _problems

    told = {"01": {"failed": {"b": "NotJSONError: bad notebook"}}}
    assert _problems({"01": ["a", "b"], "02": ["c", "d"]}, told, "exit status 1") == {
        "01": "b: NotJSONError: bad notebook", "02": "c: exit status 1; d: exit status 1"}


@pytest.mark.slow  # runs nbgrader's generate_feedback
def test_feedback_writer_writes_what_nbgrader_generate_feedback_writes(graded_class):
    """Is each page the regrade writes (one process for every check) byte for byte nbgrader's own command's, a late
    submission's included, and is a submission nbgrader cannot convert named while the others are still written?"""
    from oud_course.grading.feedback_writer import write

    course, generated = graded_class
    late, on_time, broken = sorted(LATE)[0], generated["students"][0], generated["students"][1]
    page = f"{generated['notebook']}.html"
    (course / "autograded" / broken / ASSIGNMENT / f"{generated['notebook']}.ipynb").write_text("not a notebook")
    problems = write(course, {ASSIGNMENT: [late, on_time, broken]}, 2)
    assert problems[ASSIGNMENT].startswith(f"{broken}: ") and ";" not in problems[ASSIGNMENT], problems
    ours = {s: (course / "feedback" / s / ASSIGNMENT / page).read_bytes() for s in (late, on_time)}
    assert not (course / "feedback" / broken / ASSIGNMENT / page).exists()
    for student in (late, on_time):
        (course / "feedback" / student / ASSIGNMENT / page).unlink()
        done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force",
                               "--student", student], cwd=course, env=course_env(), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        assert (course / "feedback" / student / ASSIGNMENT / page).read_bytes() == ours[student], student
    assert b'class="late-penalty"' in ours[late] and b'class="late-penalty"' not in ours[on_time]
