"""What a submission folder may hold: regular files and folders, nothing that points elsewhere.

Every step that copies a submission (collect, autograde, feedback) follows links and opens
devices, so a link to the gradebook or to /dev/zero would be copied, chmod-ed or written
through. Here each entry is judged by ``lstat`` (never by ``os.path``, which follows links) and
opened with ``O_NOFOLLOW``: links, devices, FIFOs, sockets, hard-linked files and files over
the size cap are moved out of the way, named, and never read.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

MB = 1_000_000
NOTES_FOLDER = "intake"  # under the course root: what was set aside from each submission, and why


def printable(text: str) -> str:
    """``text`` with control characters as "?": file names and messages a submission chose reach a terminal and a CSV."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def kind(mode: int, links: int = 1) -> str:
    """Why an entry of this ``st_mode`` and link count may not be copied, or "" when it may."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return ""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if links > 1:
        return "a hard link to another file"
    return ""


def scan(folder: Path, max_file_bytes: int) -> tuple[list[str], list[tuple[str, str]]]:
    """(relative paths of regular files that may be copied, [(relative path, why not)]), without following anything."""
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []

    def walk(here: Path, prefix: str) -> None:
        with os.scandir(here) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                relative = prefix + entry.name
                info = entry.stat(follow_symlinks=False)
                why = kind(info.st_mode, info.st_nlink)
                if why:
                    dropped.append((relative, why))
                elif stat.S_ISDIR(info.st_mode):
                    walk(Path(entry.path), relative + "/")
                elif info.st_size > max_file_bytes:
                    dropped.append((relative, f"over {max_file_bytes / MB:g} MB ({info.st_size / MB:.1f} MB)"))
                else:
                    kept.append(relative)

    if kind(os.lstat(folder).st_mode):
        return [], [(".", kind(os.lstat(folder).st_mode))]
    walk(folder, "")
    return kept, dropped


def open_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, only if it is a regular, single-linked file of at most ``max_bytes``."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        why = kind(info.st_mode, info.st_nlink)
        if why:
            raise OSError(f"{path} is {why}")
        if info.st_size > max_bytes:
            raise OSError(f"{path} is over {max_bytes / MB:g} MB")
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise OSError(f"{path} grew over {max_bytes / MB:g} MB while it was read")
        return data
    finally:
        os.close(descriptor)


def copy_regular(source: Path, destination: Path, max_bytes: int = 100 * MB) -> Path:
    """Copy a regular file to a new file, following no link at either end."""
    data = open_regular(source, max_bytes)
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return destination


def copy_tree(source: Path, destination: Path, max_file_bytes: int) -> list[tuple[str, str]]:
    """Copy the regular files of ``source`` into a new ``destination``; return what was left out and why."""
    kept, dropped = scan(source, max_file_bytes)
    destination.mkdir(parents=True, exist_ok=False)
    for relative in kept:
        copy_regular(source / relative, destination / relative, max_file_bytes)
    return dropped


def set_aside(folder: Path, aside: Path, max_file_bytes: int) -> list[tuple[str, str]]:
    """Move every entry of ``folder`` that may not be copied into ``aside`` (renaming never follows a link)."""
    _, dropped = scan(folder, max_file_bytes)
    for relative, _ in dropped:
        target = aside / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(target):
            os.remove(target)
        os.rename(folder / relative, target)
    return dropped


def describe(dropped: list[tuple[str, str]]) -> str:
    """One line for the grading report."""
    return "; ".join(f"set aside {relative} ({why})" for relative, why in dropped)


def notes_folder(root: Path, assignment: str) -> Path:
    """Where one grading run keeps its notes on each submission (cleared at the start of the run)."""
    return root / NOTES_FOLDER / assignment / "notes"


def notes_path(root: Path, assignment: str, student: str) -> Path:
    return notes_folder(root, assignment) / f"{student}.json"


def add_notes(root: Path, assignment: str, student: str, notes: list[str]) -> None:
    """Add lines to what the grading report says of one submission (kept across the steps of one run)."""
    if not notes:
        return
    path = notes_path(root, assignment, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    known = read_notes(root, assignment, student)
    path.write_text(json.dumps(known + [n for n in notes if n not in known]), encoding="utf-8")


def read_notes(root: Path, assignment: str, student: str) -> list[str]:
    path = notes_path(root, assignment, student)
    try:
        return json.loads(open_regular(path, MB))
    except (OSError, ValueError):
        return []
