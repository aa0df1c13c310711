"""SandboxKernelManager: start a submission's kernel inside a bubblewrap namespace sandbox.

The kernel sees the system folders read-only, the Python it needs read-only, and a working
folder of its own: a size-capped in-memory folder holding read-only copies of the submission's
regular files. Nothing it writes reaches the grader's disk, and nothing it leaves behind is read
back (its answers reach the grader only as messages). It cannot see the gradebook, source/
(the answers), other students' files or the grader's home; it has no network, an environment of
a few fixed variables (bwrap itself starts with an empty one), a private empty home, and limits
on memory, processes, file size and /tmp (oud_course.grading.confine). With the network unshared
it talks to the grader over the kernel's IPC transport, through a private folder bound at the
same path inside.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

import oud_course
from oud_course.grading import intake
from oud_course.grading.confine import Confinement, Limits

SYSTEM_FOLDERS = ("/usr", "/etc/alternatives", "/etc/fonts", "/etc/ld.so.cache", "/etc/localtime")
SANDBOX_HOME = "/home/student"
WORKDIR = f"{SANDBOX_HOME}/submission"
# The only variables a submission's processes see.
SANDBOX_ENV = {"HOME": SANDBOX_HOME, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "agg",
               "PYTHONDONTWRITEBYTECODE": "1"}


def python_folders() -> list[str]:
    """Folders the kernel's Python needs: the venv, its base installation (a venv's python is a
    link into it), and the course package (an editable install points into the repository)."""
    package_root = str(Path(oud_course.__file__).resolve().parent.parent)
    folders = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), package_root}
    return sorted(f for f in folders if not any(f != o and f.startswith(o + os.sep) for o in folders))


@dataclass
class SandboxPlan:
    """Everything one sandboxed kernel is given: its files, its IPC folder, its limits."""

    files: dict[str, str] = field(default_factory=dict)  # name inside WORKDIR -> private host copy
    ipc_dir: str = ""
    limits: Limits = field(default_factory=Limits)
    tmp_bytes: int = 64 * 1024 * 1024
    work_bytes: int = 64 * 1024 * 1024


def bwrap_command(cmd: list[str], plan: SandboxPlan) -> list[str]:
    """Wrap a kernel command line in bwrap, exposing only what a submission's kernel needs."""
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    for name, value in SANDBOX_ENV.items():
        args += ["--setenv", name, value]
    # nbgrader's own marker that this is an autograding run (the self-check skips its slow hash).
    args += ["--setenv", "NBGRADER_EXECUTION", os.environ.get("NBGRADER_EXECUTION", "")]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(plan.tmp_bytes), "--tmpfs", "/tmp",
             "--tmpfs", "/home", "--size", str(plan.work_bytes), "--tmpfs", SANDBOX_HOME, "--dir", WORKDIR,
             "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
             "--symlink", "usr/sbin", "/sbin"]
    for folder in SYSTEM_FOLDERS:
        if os.path.exists(folder):
            args += ["--ro-bind", folder, folder]
    for folder in python_folders():
        args += ["--ro-bind", folder, folder]
    for name, host_copy in sorted(plan.files.items()):
        args += ["--ro-bind", host_copy, f"{WORKDIR}/{name}"]
    args += ["--bind", plan.ipc_dir, plan.ipc_dir, "--chdir", WORKDIR, "--"]
    confine = [sys.executable, "-I", "-m", "oud_course.grading.confine", plan.limits.to_json(), "--"]
    return confine + args + cmd


def sandbox_available() -> str:
    """Return "" when bubblewrap can run here, else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed: sudo apt-get install -y bubblewrap"
    return ""


class SandboxSession:
    """One submission's sandbox on the host: private copies of its files, an IPC folder, control groups.

    ``close()`` removes all of it; the kernel's own writes live in its in-memory folders and vanish with it.
    """

    def __init__(self, submission_dir: str, limits: Limits, tmp_bytes: int, work_bytes: int, max_file_bytes: int):
        # A short private folder: IPC socket paths must stay under about 100 characters.
        self.ipc_dir = tempfile.mkdtemp(prefix="oudk-", dir="/tmp")
        self.copy_dir = tempfile.mkdtemp(prefix="oudw-", dir="/tmp")
        self.confinement = Confinement(limits)
        files = {}
        kept, self.dropped = intake.scan(Path(submission_dir), max_file_bytes)
        for relative in kept:
            if "/" not in relative:  # the kernel gets the submission's own top-level files
                files[relative] = intake.copy_regular(Path(submission_dir) / relative, Path(self.copy_dir) / relative)
        self.plan = SandboxPlan(files={k: str(v) for k, v in files.items()}, ipc_dir=self.ipc_dir, limits=limits,
                                tmp_bytes=tmp_bytes, work_bytes=work_bytes)

    def close(self) -> None:
        self.confinement.remove()
        shutil.rmtree(self.ipc_dir, ignore_errors=True)
        shutil.rmtree(self.copy_dir, ignore_errors=True)


class SandboxKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel runs in bwrap, as ``sandbox`` plans, and speaks over IPC sockets."""

    def __init__(self, sandbox: SandboxSession, **kwargs):
        super().__init__(**kwargs)
        self.sandbox = sandbox
        self.transport = "ipc"
        self.connection_file = os.path.join(sandbox.ipc_dir, "kernel.json")
        self.ip = os.path.join(sandbox.ipc_dir, "k")

    def format_kernel_cmd(self, extra_arguments=None):
        # A signal to bwrap's process group would stop bwrap itself, and --die-with-parent then kills
        # the kernel; an interrupt sent as a message reaches the kernel inside the namespace.
        self.kernel_spec.interrupt_mode = "message"
        return bwrap_command(super().format_kernel_cmd(extra_arguments), self.sandbox.plan)
