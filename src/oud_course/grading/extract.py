"""zip_collect's extractor for an LMS download, whose files (and archives inside it) students chose.

nbgrader's ``ExtractorPlugin`` unpacks every archive, and every archive inside one, as far as it goes:
a small zip that expands to gigabytes (or holds itself) fills the disk before anyone is graded. This
one reads each member as a stream against a budget for the whole download (and one per member),
extracts archives inside archives only ``max_depth`` deep, and takes regular files only, by a name
that stays inside the folder. Whatever it leaves out it names in ``downloaded/<assignment>/
extract-notes.txt`` (which ``make grade`` prints); nothing is deleted: the download stays in ``archive/``.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from nbgrader.plugins.zipcollect import ExtractorPlugin
from traitlets import Int

NOTES = "extract-notes.txt"
CHUNK = 1 << 20


class OverBudget(Exception):
    """The download expands past what the extractor may write."""


class SafeExtractor(ExtractorPlugin):
    max_bytes = Int(1_000_000_000, help="Bytes the whole download may expand to").tag(config=True)
    max_member_bytes = Int(50_000_000, help="Bytes one extracted file may hold").tag(config=True)
    max_members = Int(20_000, help="Files the whole download may expand to").tag(config=True)
    max_depth = Int(2, help="How deep archives inside archives are extracted").tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        self.notes: list[str] = []
        self._left, self._members = self.max_bytes, self.max_members
        base = Path(archive_path)
        try:
            for folder, _, names in os.walk(base):
                for name in sorted(names):
                    path = Path(folder) / name
                    target = Path(extracted_path) / path.parent.relative_to(base)
                    self._take(path, target, f"{path.relative_to(base)}", depth=0)
        except OverBudget as error:
            self.notes.append(f"stopped extracting: {error}; what was extracted before that is collected")
        notes = Path(extracted_path).parent / NOTES
        if self.notes:
            notes.write_text("\n".join(self.notes) + "\n", encoding="utf-8")
            for note in self.notes:
                self.log.warning(note)
        elif notes.exists():
            notes.unlink()

    def _take(self, path: Path, target: Path, label: str, depth: int) -> None:
        """Copy a regular file into ``target``, or extract it there if it is an archive."""
        mode = os.lstat(path).st_mode
        if not stat.S_ISREG(mode):
            self.notes.append(f"left out {label}: not a regular file")
            return
        if self._is_archive(path.name) and depth <= self.max_depth:
            self._extract(path, target / self._stem(path.name), label, depth)
        elif self._is_archive(path.name):
            self.notes.append(f"left out {label}: an archive more than {self.max_depth} archives deep")
        else:
            with open(path, "rb") as source:
                self._write(source, target / path.name, label)

    def _extract(self, archive: Path, target: Path, label: str, depth: int) -> None:
        try:
            if zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as bundle:
                    members = [(m.filename, stat.S_ISLNK(m.external_attr >> 16), m.is_dir(), m) for m in bundle.infolist()]
                    self._members_of(bundle.open, members, target, label, depth)
            else:
                with tarfile.open(archive, "r:*") as bundle:
                    members = [(m.name, not m.isreg() and not m.isdir(), m.isdir(), m) for m in bundle]
                    self._members_of(bundle.extractfile, members, target, label, depth)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, OSError) as error:
            self.notes.append(f"left out {label}: not a readable archive ({type(error).__name__}: {error})")

    def _members_of(self, opener, members, target: Path, label: str, depth: int) -> None:
        for name, special, is_dir, member in members:
            inner = f"{label}!{name}"
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if is_dir:
                continue
            if special:
                self.notes.append(f"left out {inner}: a link or device, not a regular file")
            elif not parts or parts[0] == "/" or ".." in parts or ":" in parts[0]:
                self.notes.append(f"left out {inner}: its name leads outside the folder")
            else:
                destination = target.joinpath(*parts)
                with opener(member) as source:
                    self._write(source, destination, inner)
                if self._is_archive(destination.name) and destination.exists():  # an archive a student uploaded
                    if depth < self.max_depth:
                        self._extract(destination, destination.parent / self._stem(destination.name), inner, depth + 1)
                    else:
                        self.notes.append(f"left out {inner}: an archive more than {self.max_depth} archives deep")
                    destination.unlink()

    def _write(self, source, destination: Path, label: str) -> None:
        """Stream ``source`` to ``destination`` within the budgets (a file's declared size is not trusted)."""
        if self._members <= 0:
            raise OverBudget(f"the download holds more than {self.max_members} files")
        self._members -= 1
        destination.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with open(destination, "wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > self.max_member_bytes or written > self._left:
                    out.close()
                    destination.unlink()
                    if written > self.max_member_bytes:
                        self._left -= written - len(chunk)
                        self.notes.append(f"left out {label}: larger than {self.max_member_bytes // 1_000_000} MB")
                        return
                    raise OverBudget(f"the download expands past {self.max_bytes // 1_000_000} MB at {label}")
                out.write(chunk)
        self._left -= written

    def _is_archive(self, name: str) -> bool:
        return os.path.splitext(name)[1] in self.zip_ext

    @staticmethod
    def _stem(name: str) -> str:
        stem = os.path.splitext(name)[0]
        return stem[:-4] if stem.endswith(".tar") else stem


def read_notes(root: Path, assignment: str) -> list[str]:
    """What the extractor left out of ``assignment``'s download, one line each."""
    path = Path(root) / "downloaded" / assignment / NOTES
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []

