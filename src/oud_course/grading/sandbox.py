"""SandboxKernelManager: start a submission's kernel inside a bubblewrap namespace sandbox.

The kernel sees the system folders read-only, the Python it needs read-only, and only its own
submission folder writable. It cannot see the gradebook, source/ (the answers), other students'
files or the grader's home; it has no network, a cleared environment (COURSE_DB_URL may carry
credentials) and a private empty home. With the network unshared it talks to the grader over
the kernel's IPC transport, through a private folder bound at the same path inside.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

import oud_course

SYSTEM_FOLDERS = ("/usr", "/etc/alternatives", "/etc/fonts", "/etc/ld.so.cache", "/etc/localtime")
SANDBOX_HOME = "/home/student"


def python_folders() -> list[str]:
    """Folders the kernel's Python needs: the venv, its base installation (a venv's python is a
    link into it), and the course package (an editable install points into the repository)."""
    package_root = str(Path(oud_course.__file__).resolve().parent.parent)
    folders = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), package_root}
    return sorted(f for f in folders if not any(f != o and f.startswith(o + os.sep) for o in folders))


def bwrap_command(cmd: list[str], workdir: str, ipc_dir: str) -> list[str]:
    """Wrap a kernel command line in bwrap, exposing only what a submission's kernel needs."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--clearenv",
            "--setenv", "HOME", SANDBOX_HOME, "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "MPLBACKEND", "agg", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
            # nbgrader's own marker that this is an autograding run (the self-check skips its slow hash).
            "--setenv", "NBGRADER_EXECUTION", os.environ.get("NBGRADER_EXECUTION", ""),
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home", "--dir", SANDBOX_HOME,
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/sbin", "/sbin"]
    for folder in SYSTEM_FOLDERS:
        if os.path.exists(folder):
            args += ["--ro-bind", folder, folder]
    for folder in python_folders():
        args += ["--ro-bind", folder, folder]
    args += ["--bind", workdir, workdir, "--bind", ipc_dir, ipc_dir, "--chdir", workdir, "--"]
    return args + cmd


def sandbox_available() -> str:
    """Return "" when bubblewrap can run here, else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed: sudo apt-get install -y bubblewrap"
    return ""


class SandboxKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel runs in bwrap and speaks over IPC sockets."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # A short private folder: IPC socket paths must stay under about 100 characters.
        self._ipc_dir = tempfile.mkdtemp(prefix="oudk-", dir="/tmp")
        self.transport = "ipc"
        self.connection_file = os.path.join(self._ipc_dir, "kernel.json")
        self.ip = os.path.join(self._ipc_dir, "k")

    def format_kernel_cmd(self, extra_arguments=None):
        # A signal to bwrap's process group would stop bwrap itself, and --die-with-parent then kills
        # the kernel; an interrupt sent as a message reaches the kernel inside the namespace.
        self.kernel_spec.interrupt_mode = "message"
        cmd = super().format_kernel_cmd(extra_arguments)
        workdir = os.path.realpath(self._launch_args.get("cwd") or os.getcwd())
        return bwrap_command(cmd, workdir, self._ipc_dir)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # as AsyncKernelManager does: callers await it
