"""Submissions downloaded from an LMS as a zip reach the gradebook through nbgrader's zip_collect."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile

import nbformat
import pytest
from course_tools import CHECKS, REPO, course_env, read_nb
from test_grading_roundtrip import points, submission


@pytest.mark.slow
def test_lms_zip_download_is_collected_graded_and_exported(course):
    """Does `make grade COLLECT=zip` take an LMS zip, grade each student, and export one row each?"""
    source = next(p for p in CHECKS if p.parent.name == "03-dependence-cycle")
    assignment, notebook = source.parent.name, source.name
    release_nb, source_nb = read_nb(REPO / "release" / assignment / notebook), read_nb(source)
    archive = course / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms-download.zip", "w") as bundle:
        for student, answers in {"alice": {i: "key" for i in points(source_nb)}, "bob": {}}.items():
            text = nbformat.writes(submission(release_nb, source_nb, answers))
            bundle.writestr(f"{student}_20261201T120000Z_{notebook}", text)
    done = subprocess.run([sys.executable, "-m", "oud_course.grade", assignment, "--collect", "zip",
                           "--root", str(course)], env=course_env(), capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (course / "submitted" / "alice" / assignment / "timestamp.txt").exists()
    with open(course / "grades.csv") as handle:
        grades = {row["student_id"]: float(row[assignment]) for row in csv.DictReader(handle)}
    assert grades == {"alice": sum(points(source_nb).values()), "bob": 0.0}
