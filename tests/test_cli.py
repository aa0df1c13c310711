"""The course's one command line: every command is there, with its help, and the Makefile goes through it."""

from __future__ import annotations

import re
import subprocess

import pytest
from course_tools import BIN, REPO

from oud_course.__main__ import COMMANDS


def oud_course(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "oud-course"), *args], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_help_lists_every_command():
    """Does `oud-course --help` name every command with a line of help?"""
    done = oud_course("--help")
    assert done.returncode == 0
    assert all(re.search(rf"^  {re.escape(name)} +\S", done.stdout, re.M) for name in COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_has_help(command):
    """Does each command answer --help with its options and exit 0?"""
    done = oud_course(command, "--help")
    assert done.returncode == 0 and "usage:" in done.stdout, done.stderr


def test_an_unknown_command_is_refused_with_the_list():
    """Is a mistyped command refused (exit 2) with the list of commands?"""
    done = oud_course("grde")
    assert done.returncode == 2 and "commands:" in done.stderr


def test_makefile_runs_the_course_commands_through_oud_course():
    """Does every Makefile recipe that runs a course command call `oud-course`, not a module by its path?"""
    makefile = (REPO / "Makefile").read_text()
    assert not re.findall(r"python -m oud_course\.", makefile)
    assert all(f"oud-course {name}" in makefile for name in COMMANDS)
