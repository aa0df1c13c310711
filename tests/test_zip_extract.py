"""An LMS download is students' files: the extractor keeps to its budgets and the folder, and names what it leaves out."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from course_tools import course_env, make_course

from oud_course.grading.extract import NOTES, SafeExtractor, read_notes

MB = 1_000_000


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def with_symlink(name: str, target: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        info = zipfile.ZipInfo(name)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(info, target)
    return buffer.getvalue()


def extract(tmp_path: Path, download: bytes, **limits) -> tuple[Path, list[str]]:
    archive, extracted = tmp_path / "a" / "archive", tmp_path / "a" / "extracted"
    archive.mkdir(parents=True)
    extracted.mkdir()
    (archive / "download.zip").write_bytes(download)
    extractor = SafeExtractor(**limits)
    extractor.extract(str(archive), str(extracted))
    return extracted, extractor.notes


def files_under(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def test_notebooks_and_a_students_own_zip_are_extracted(tmp_path):
    download = zipped({"ana_1_check.ipynb": b"{}", "ben_2_work.zip": zipped({"check.ipynb": b"{ }"})})
    extracted, notes = extract(tmp_path, download)
    assert files_under(extracted) == {"download/ana_1_check.ipynb": 2, "download/ben_2_work/check.ipynb": 3}
    assert notes == []


def test_a_zip_bomb_stops_at_the_budgets_and_the_rest_is_kept(tmp_path):
    zeros = zipped({"zeros.ipynb": bytes(30 * MB)})  # 30 MB that compress to about 30 KB
    assert len(zeros) < 100_000
    download = zipped({"ana_1_check.ipynb": b"{}", "bomb_2_check.zip": zeros})
    extracted, notes = extract(tmp_path, download, max_member_bytes=5 * MB)
    assert files_under(extracted) == {"download/ana_1_check.ipynb": 2}
    assert notes == ["left out download.zip!bomb_2_check.zip!zeros.ipynb: larger than 5 MB"]

    layered = zipped({f"layer{i}.zip": zeros for i in range(10)})  # 300 MB in all
    extracted, notes = extract(tmp_path / "again", zipped({"ana_1_check.ipynb": b"{}", "bomb.zip": layered}),
                               max_bytes=70 * MB)
    assert sum(files_under(extracted).values()) <= 70 * MB
    assert notes[-1].startswith("stopped extracting: the download expands past 70 MB")


def test_names_outside_the_folder_links_and_deep_archives_are_left_out(tmp_path):
    deep = zipped({"d1.zip": zipped({"d2.zip": zipped({"d3.ipynb": b"{}"})})})
    download = zipped({"../../escape.ipynb": b"x", "/etc/evil": b"x", "C:/evil": b"x", "ok.ipynb": b"{}",
                       "link_1.zip": with_symlink("check.ipynb", "/work/gradebook.db"), "deep.zip": deep})
    extracted, notes = extract(tmp_path, download)
    assert files_under(extracted) == {"download/ok.ipynb": 2}
    assert not list(tmp_path.rglob("escape.ipynb")) and not list(tmp_path.rglob("evil"))
    assert set(notes) == {
        "left out download.zip!../../escape.ipynb: its name leads outside the folder",
        "left out download.zip!/etc/evil: its name leads outside the folder",
        "left out download.zip!C:/evil: its name leads outside the folder",
        "left out download.zip!link_1.zip!check.ipynb: a link or device, not a regular file",
        "left out download.zip!deep.zip!d1.zip!d2.zip: an archive more than 2 archives deep",
    }


def test_a_tar_with_a_link_and_an_unreadable_archive_are_named(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        data = tarfile.TarInfo("ana_1_check.ipynb")
        data.size = 2
        bundle.addfile(data, io.BytesIO(b"{}"))
        link = tarfile.TarInfo("ben_2_check.ipynb")
        link.type, link.linkname = tarfile.SYMTYPE, "/work/gradebook.db"
        bundle.addfile(link)
    extracted, notes = extract(tmp_path, zipped({"class.tar.gz": buffer.getvalue(), "broken.zip": b"PK\x03\x04 not a zip"}))
    assert files_under(extracted) == {"download/class/ana_1_check.ipynb": 2}
    assert notes[0] == "left out download.zip!class.tar.gz!ben_2_check.ipynb: a link or device, not a regular file"
    assert notes[1].startswith("left out download.zip!broken.zip: not a readable archive")


@pytest.mark.slow
def test_zip_collect_uses_the_extractor_and_make_grade_reads_its_notes(tmp_path):
    """Through nbgrader's zip_collect with the course's config: is the bomb left out, the honest file collected, the note kept?"""
    course = make_course(tmp_path / "course")
    assignment = "03-dependence-cycle"
    archive = course / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True)
    bomb = zipped({"zeros.ipynb": bytes(60 * MB)})
    (archive / "download.zip").write_bytes(zipped({f"alice_20261201T120000Z_{assignment}-check.ipynb": b"{}",
                                                   "bob_20261201T120000Z_work.zip": bomb}))
    done = subprocess.run([sys.executable, "-m", "oud_course.grading.cli", "zip_collect", assignment, "--force"],
                          cwd=course, env=course_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (course / "submitted" / "alice" / assignment / f"{assignment}-check.ipynb").is_file()
    assert (course / "downloaded" / assignment / NOTES).is_file()
    assert read_notes(course, assignment) == [
        "left out download.zip!bob_20261201T120000Z_work.zip!zeros.ipynb: larger than 50 MB"]
    assert max(p.stat().st_size for p in course.rglob("*") if p.is_file()) < 50 * MB
