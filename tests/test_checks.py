"""Comprehension checks: derived tests agree with their declarations, pass on the key, fail on a blank."""

from __future__ import annotations

import filecmp
import re
import subprocess
import sys

import nbformat
import pytest
from course_tools import BIN, CHECKS, REPO, course_env, item_ids, nbgrader_meta, read_nb
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from nbgrader.validator import Validator
from notebook_tools import error_outputs, execute, stdout_of
from traitlets.config.loader import PyFileConfigLoader

from oud_course.grading import DecideGrades, contract
from oud_course.grading.derive import derive_checks

ids = [p.parent.name for p in CHECKS]


def release_of(source):
    return REPO / "release" / source.parent.name / source.name


def validator(source) -> Validator:
    """nbgrader's validator with the course config, deciding item tests as the autograder does (expectations
    from ``source``'s declarations, as the release records them in a gradebook)."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    config.DecideGrades.expectations = contract.expectations_of(read_nb(source))
    checker = Validator(config=config)
    checker.preprocessors = [ClearOutput, CheckCellMetadata, Execute, DecideGrades]
    checker.ignore_checksums = True  # restored test cells differ from the release's by design
    return checker


def restore_hidden_tests(release_nb, source_nb):
    """Do what nbgrader's OverwriteCells does at grading time: put the instructor's test cells back."""
    tests = {nbgrader_meta(c)["grade_id"]: c for c in source_nb.cells if nbgrader_meta(c).get("grade")}
    for cell in release_nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in tests and cell.cell_type == "code":
            cell.source = tests[grade_id].source
    return release_nb


@pytest.mark.parametrize("source", CHECKS, ids=ids)
def test_check_has_enough_items_of_enough_kinds(source):
    """Does the check declare at least 6 autograded items of 3 kinds, and a manually graded task?"""
    nb = read_nb(source)
    kinds = {c.metadata["oud_course"]["kind"] for c in nb.cells if "kind" in c.metadata.get("oud_course", {})}
    assert len(item_ids(nb)) >= 6 and len(kinds) >= 3
    tasks = [c for c in nb.cells if nbgrader_meta(c).get("task")]
    assert tasks and all("### BEGIN MARK SCHEME" in c.source for c in tasks)


@pytest.mark.parametrize("source", CHECKS, ids=ids)
def test_source_check_cells_match_their_declarations(source):
    """Is every committed check cell exactly what its declaration derives (so nothing was hand-edited)?"""
    text = source.read_text(encoding="utf-8")
    derived = derive_checks(nbformat.reads(text, as_version=4), source.parent.name)
    assert nbformat.writes(derived) + "\n" == text, "run `make release` to re-derive the check cells"


@pytest.mark.slow
@pytest.mark.parametrize("source", CHECKS, ids=ids)
def test_source_passes_nbgrader_validation(source):
    """Does nbgrader's validator pass the source notebook, whose solutions must satisfy every test?"""
    assert validator(source).validate(str(source)) == {}


@pytest.mark.slow
@pytest.mark.parametrize("source", CHECKS, ids=ids)
def test_blank_release_fails_every_autograded_item(source, tmp_path):
    """With the hidden tests put back, does every autograded item of the blank release fail?"""
    restored = restore_hidden_tests(read_nb(release_of(source)), read_nb(source))
    path = tmp_path / source.name
    nbformat.write(restored, path)
    failed = validator(source).validate(str(path)).get("failed", [])
    assert len(failed) == len(item_ids(read_nb(source)))
    assert all("not answered" in f["raw_error"] for f in failed)
    assert not any("BEGIN HIDDEN" in f["raw_error"] or "Traceback" in f["raw_error"] for f in failed)


@pytest.mark.slow
@pytest.mark.parametrize("source", CHECKS, ids=ids)
def test_release_runs_all_without_error_output(source):
    """Does Run All on the release reach the end with no error, every item saying it is not answered yet?"""
    release = release_of(source)
    nb = execute(read_nb(release), cwd=str(release.parent))
    assert error_outputs(nb) == []
    checks = [c for c in nb.cells if nbgrader_meta(c).get("grade") and c.cell_type == "code"]
    assert len(checks) == len(item_ids(read_nb(source)))
    assert all("not answered yet" in stdout_of(c) for c in checks)


@pytest.mark.parametrize("source", CHECKS, ids=ids)
def test_release_gives_no_answer_away(source):
    """Does the release carry no hidden test, solution, mark scheme or explanation from the source?"""
    release_text = release_of(source).read_text(encoding="utf-8")
    for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "BEGIN MARK SCHEME", "grade("):
        assert marker not in release_text
    for cell in read_nb(source).cells:
        declaration = cell.metadata.get("oud_course", {})
        if declaration.get("explanation"):
            assert declaration["explanation"] not in release_text


@pytest.mark.slow
def test_committed_release_equals_a_fresh_build(tmp_path):
    """Is release/ byte for byte what `make release` generates from source/ now?"""
    out = tmp_path / "release"
    done = subprocess.run([sys.executable, "-m", "oud_course.build", "release", "--out", str(out)], cwd=REPO,
                          env=course_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    comparison = filecmp.dircmp(REPO / "release", out)
    def differences(c):
        yield from c.left_only + c.right_only + c.diff_files
        for sub in c.subdirs.values():
            yield from differences(sub)
    assert list(differences(comparison)) == [], "run `make release` and commit release/"
    for path in out.rglob("*.ipynb"):
        assert path.read_bytes() == (REPO / "release" / path.relative_to(out)).read_bytes()
    assert str(BIN)  # the build ran with this venv's tools


@pytest.mark.slow
def test_graded_flavour_turns_self_check_feedback_off(tmp_path):
    """Does `make release-graded` build keys that check only the form, leaving every other cell as released?"""
    out = tmp_path / "graded"
    done = subprocess.run([sys.executable, "-m", "oud_course.build", "release", "--graded", "--out", str(out),
                           "--only", "03-dependence-cycle"], cwd=REPO, env=course_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from oud_course.selfcheck import read_key
    graded = read_nb(out / "03-dependence-cycle" / "03-dependence-cycle-check.ipynb")
    committed = read_nb(REPO / "release" / "03-dependence-cycle" / "03-dependence-cycle-check.ipynb")
    checks = [c.source for c in graded.cells if nbgrader_meta(c).get("grade") and "check(" in c.source]
    keys = [re.search(r"check\('(\w+)', \1, '([^']+)'\)", source) for source in checks]
    assert keys and all(k and "verifier" not in read_key(k.group(2)) for k in keys)
    assert all(source.startswith("# Answer check: tells you whether your answer has the right form; your instructor grades it.")
               for source in checks)
    assert [c.source for c in graded.cells if not nbgrader_meta(c).get("grade")] == \
        [c.source for c in committed.cells if not nbgrader_meta(c).get("grade")]
