"""The sandbox a submission's kernel runs in: its command line, its environment, and each limit, tried for real."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from course_tools import missing

from oud_course.grading.confine import Confinement, Limits, MiB
from oud_course.grading.exchange import received_at
from oud_course.grading.sandbox import WORKDIR, SandboxSession, bwrap_command, sandbox_available

SECRET = "sandbox-test-secret-41b7"


@pytest.fixture
def session(tmp_path):
    if sandbox_available():
        missing(sandbox_available())
    (tmp_path / "answers.ipynb").write_text("{}")
    os.symlink("/etc/passwd", tmp_path / "link")
    opened = SandboxSession(str(tmp_path), Limits(memory_bytes=256 * MiB, processes=16, file_bytes=4 * MiB),
                            tmp_bytes=8 * MiB, work_bytes=8 * MiB, max_file_bytes=1_000_000)
    yield opened
    opened.close()


def run_inside(session, code: str) -> subprocess.CompletedProcess:
    command = bwrap_command([sys.executable, "-c", code], session.plan)
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PGPASSWORD": SECRET, "COURSE_DB_URL": f"postgresql://u:{SECRET}@h/db"})


def test_command_line_binds_the_submission_read_only_and_the_rest_in_memory(session):
    """Does bwrap get a memory-backed home and /tmp, each submitted file read-only, and no link from the submission?"""
    command = bwrap_command(["kernel"], session.plan)
    assert command[command.index("--tmpfs", command.index("--size")) - 1] == str(8 * MiB)
    bound = [command[i + 2] for i, arg in enumerate(command) if arg == "--ro-bind" and command[i + 2].startswith(WORKDIR)]
    assert bound == [f"{WORKDIR}/answers.ipynb"]
    assert "--bind" not in [command[i] for i, arg in enumerate(command) if WORKDIR in arg and i and command[i - 1] == "--bind"]
    assert session.dropped == [("link", "a symbolic link")]


def test_no_process_in_the_sandbox_sees_the_grader_environment(session):
    """Does neither the kernel's own environment nor /proc/1/environ (bwrap) hold the grader's secrets?"""
    done = run_inside(session, "import os, glob\n"
                               "print(dict(os.environ))\n"
                               "for p in glob.glob('/proc/[0-9]*/environ'): print(p, open(p, 'rb').read())")
    assert done.returncode == 0, done.stderr
    assert "/proc/1/environ b''" in done.stdout
    assert SECRET not in done.stdout


def test_the_submission_files_cannot_be_changed_but_new_files_stay_inside(session, tmp_path):
    """Can the kernel read its notebook but not replace it, and does what it writes never reach the host?"""
    done = run_inside(session, "import os\n"
                               "print(open('answers.ipynb').read())\n"
                               "for act in (lambda: os.remove('answers.ipynb'), lambda: open('answers.ipynb', 'w')):\n"
                               "    try:\n        act()\n    except OSError as e:\n        print('refused', e.errno)\n"
                               "open('new.txt', 'w').write('x')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("refused") == 2
    assert not (tmp_path / "new.txt").exists() and (tmp_path / "answers.ipynb").read_text() == "{}"


@pytest.mark.parametrize("target", ["big.bin", "/tmp/big.bin"])
def test_writes_stop_at_the_file_and_folder_limits(session, target):
    """Does a 64 MB write stop (file-size limit or full folder) with an error the code can see?"""
    done = run_inside(session, f"try:\n    open({target!r}, 'wb').write(b'0' * (64 << 20))\n"
                               "except OSError as e:\n    print('stopped', e.errno)")
    assert "stopped" in done.stdout, done.stdout + done.stderr


def test_processes_stop_at_the_limit(session):
    """Does forking stop near the process limit instead of filling the machine?"""
    if session.confinement.why_not:
        missing(f"the process limit needs a control group here: {session.confinement.why_not}")
    done = run_inside(session, "import os, time\nn = 0\ntry:\n    for _ in range(200):\n"
                               "        if os.fork() == 0:\n            time.sleep(2)\n            os._exit(0)\n        n += 1\n"
                               "except OSError:\n    pass\nprint('forked', n)")
    forked = int(done.stdout.split("forked")[1])
    assert forked < 16, done.stdout


def test_memory_stops_at_the_limit(session):
    """Is a kernel that touches more memory than its limit stopped (control group) or refused (address-space fallback)?"""
    done = run_inside(session, "b = bytearray(1 << 30)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('survived')")
    assert "survived" not in done.stdout
    if not session.confinement.why_not:
        assert session.confinement.peak_memory_hit()


def test_without_control_groups_the_address_space_limit_still_holds(tmp_path):
    """With no control group to join, does the fallback still refuse an allocation past the memory limit?"""
    code = "try:\n    bytearray(1 << 30)\n    print('allocated')\nexcept MemoryError:\n    print('refused')"
    limits = Limits(memory_bytes=256 * MiB, processes=16, file_bytes=MiB)
    done = subprocess.run([sys.executable, "-I", "-m", "oud_course.grading.confine", limits.to_json(), "--",
                           sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "refused", done.stderr


def test_control_groups_are_made_and_removed(tmp_path):
    """Does a confinement leave no control group behind, and say plainly when the machine has none?"""
    confinement = Confinement(Limits())
    folders = list(confinement.folders)
    confinement.remove()
    if confinement.why_not:
        assert "resource limits only" in confinement.why_not
    else:
        assert folders and not any(f.exists() for f in folders)


def test_received_at_is_the_change_time_not_what_the_student_set(tmp_path):
    """Does the arrival time ignore modification times a student sets back (only ctime counts)?"""
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "a.ipynb").write_text("{}")
    past = time.time() - 10 * 86_400
    for path in (folder / "a.ipynb", folder):
        os.utime(path, (past, past))
    assert abs((received_at(Path(folder)) - datetime.now(timezone.utc)).total_seconds()) < 60
