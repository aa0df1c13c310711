"""Submission folders judged without following anything: what is kept, what is set aside, and why."""

from __future__ import annotations

import os

import pytest

from oud_course.grading import intake


@pytest.fixture
def submission(tmp_path):
    """A submission folder holding one of everything a student's upload or kernel could leave."""
    outside = tmp_path / "gradebook.db"
    outside.write_bytes(b"SQLite format 3\x00 grades")
    folder = tmp_path / "submitted" / "mallory" / "01-check"
    (folder / "data").mkdir(parents=True)
    (folder / "01-check.ipynb").write_text("{}")
    (folder / "data" / "small.csv").write_text("a,b\n")
    (folder / "big.bin").write_bytes(b"0" * 2_000)
    os.symlink(outside, folder / "gradebook.db")
    os.symlink(outside.parent, folder / "data" / "up")
    os.symlink("/dev/zero", folder / "zero")
    os.link(outside, folder / "hard.db")
    os.mkfifo(folder / "pipe")
    return folder, outside


def test_scan_keeps_only_small_single_linked_regular_files(submission):
    """Does scan keep the notebook and the small file, and name every link, device, FIFO, hard link and big file?"""
    folder, _ = submission
    kept, dropped = intake.scan(folder, max_file_bytes=1_000)
    assert kept == ["01-check.ipynb", "data/small.csv"]
    assert dict(dropped) == {
        "big.bin": "over 0.001 MB (0.0 MB)", "data/up": "a symbolic link", "gradebook.db": "a symbolic link",
        "hard.db": "a hard link to another file", "pipe": "a FIFO", "zero": "a symbolic link",
    }


def test_set_aside_moves_without_following_and_loses_nothing(submission):
    """Are the unsafe entries moved aside as they are (links still links), the target untouched, the rest in place?"""
    folder, outside = submission
    aside = folder.parents[2] / "aside"
    dropped = intake.set_aside(folder, aside, max_file_bytes=1_000)
    assert len(dropped) == 6
    assert sorted(p.name for p in folder.iterdir()) == ["01-check.ipynb", "data"]
    assert os.readlink(aside / "gradebook.db") == str(outside)
    assert (aside / "big.bin").stat().st_size == 2_000
    assert outside.read_bytes() == b"SQLite format 3\x00 grades"


def test_copy_tree_copies_regular_files_only(submission, tmp_path):
    """Does copy_tree copy the regular files and report the rest, creating no link in the copy?"""
    folder, _ = submission
    copy = tmp_path / "copy"
    dropped = intake.copy_tree(folder, copy, max_file_bytes=1_000)
    assert {p.relative_to(copy).as_posix() for p in copy.rglob("*") if not p.is_dir()} == {"01-check.ipynb", "data/small.csv"}
    assert not any(p.is_symlink() for p in copy.rglob("*"))
    assert "gradebook.db" in dict(dropped)


@pytest.mark.parametrize("name", ["gradebook.db", "zero", "pipe", "hard.db"])
def test_open_regular_refuses_what_is_not_a_plain_file(submission, name):
    """Does reading a link, device, FIFO or hard link fail at once rather than follow, block or stream forever?"""
    folder, _ = submission
    with pytest.raises(OSError):
        intake.open_regular(folder / name, 1_000)


def test_copy_regular_does_not_write_through_a_link_at_the_destination(tmp_path):
    """Is a link already standing at the destination refused, leaving its target unchanged?"""
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    source = tmp_path / "source.txt"
    source.write_text("new")
    os.symlink(target, tmp_path / "dest.txt")
    with pytest.raises(OSError):
        intake.copy_regular(source, tmp_path / "dest.txt")
    assert target.read_text() == "keep me"


def test_notes_accumulate_per_submission_and_clear_per_run(tmp_path):
    """Do notes from collect and intake add up for one submission, once each, and live in the run's notes folder?"""
    intake.add_notes(tmp_path, "01-check", "ana", ["set aside x (a FIFO)"])
    intake.add_notes(tmp_path, "01-check", "ana", ["set aside x (a FIFO)", "late"])
    assert intake.read_notes(tmp_path, "01-check", "ana") == ["set aside x (a FIFO)", "late"]
    assert intake.notes_path(tmp_path, "01-check", "ana").parent == intake.notes_folder(tmp_path, "01-check")
