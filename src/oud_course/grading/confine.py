"""Limits on one submission's kernel: a control group where the machine allows one, resource limits always.

``python -I -m oud_course.grading.confine LIMITS_JSON -- bwrap ...`` joins the control groups
named in LIMITS_JSON, sets the resource limits, and executes the command with an empty
environment, so that no process inside the sandbox can read the grader's environment (bwrap,
process 1 of the sandbox, keeps the environment it was started with in ``/proc/1/environ``).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

MiB = 1024 * 1024
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass
class Limits:
    """What one submission's kernel may use; every field is a course_config.py setting of SafeExecute."""

    memory_bytes: int = 1024 * MiB
    processes: int = 64
    file_bytes: int = 64 * MiB
    cgroups: list[str] = field(default_factory=list)  # control group folders to join, made by Confinement

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def _cgroup_v1(controller: str) -> Path | None:
    folder = CGROUP_ROOT / controller
    return folder if (folder / "cgroup.procs").exists() and os.access(folder, os.W_OK) else None


def _cgroup_v2() -> Path | None:
    for folder in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        controllers = folder / "cgroup.controllers"
        if controllers.exists() and os.access(folder, os.W_OK):
            available = set(controllers.read_text().split())
            if {"memory", "pids"} <= available:
                return folder
    return None


class Confinement:
    """Control groups holding one kernel's memory and process count; empty when the machine has none to give."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.folders: list[Path] = []
        self.why_not = ""
        name = f"oud-grading-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self._make(name)
        except OSError as error:
            self.remove()
            self.why_not = f"control groups unavailable ({error}); resource limits only"
        limits.cgroups = [str(f) for f in self.folders]

    def _make(self, name: str) -> None:
        memory, pids = _cgroup_v1("memory"), _cgroup_v1("pids")
        if memory and pids:
            self._add(memory / name, {"memory.limit_in_bytes": self.limits.memory_bytes,
                                      "memory.memsw.limit_in_bytes": self.limits.memory_bytes})
            self._add(pids / name, {"pids.max": self.limits.processes})
            return
        unified = _cgroup_v2()
        if unified:
            self._add(unified / name, {"memory.max": self.limits.memory_bytes, "memory.swap.max": 0,
                                       "pids.max": self.limits.processes})
            return
        raise OSError("no writable memory and pids controllers under /sys/fs/cgroup")

    def _add(self, folder: Path, settings: dict) -> None:
        folder.mkdir()
        self.folders.append(folder)
        for name, value in settings.items():
            try:
                (folder / name).write_text(str(value))
            except FileNotFoundError:
                if "swap" not in name and "memsw" not in name:  # swap accounting is optional in kernels
                    raise

    def peak_memory_hit(self) -> bool:
        """Did the kernel reach its memory limit (the kernel's out-of-memory killer then stopped a process)?"""
        for folder in self.folders:
            for name, key in (("memory.oom_control", "oom_kill"), ("memory.events", "oom_kill"), ("memory.events", "max")):
                try:
                    lines = (folder / name).read_text().splitlines()
                except OSError:
                    continue
                if any(line.split()[:1] == [key] and int(line.split()[1]) > 0 for line in lines if len(line.split()) == 2):
                    return True
        return False

    def remove(self) -> None:
        """Stop every process left in the groups and remove them."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.02)
            try:
                folder.rmdir()
            except OSError:
                pass
        self.folders = []


def apply(limits: Limits) -> None:
    """In the process about to become the sandbox: join the control groups and set the resource limits."""
    for folder in limits.cgroups:
        Path(folder, "cgroup.procs").write_text(str(os.getpid()))
    if not limits.cgroups:  # a control group counts memory in use; address space is the fallback's rough bound
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))  # not enforced for root's own uid
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main() -> None:
    limits = Limits(**json.loads(sys.argv[1]))
    if sys.argv[2] != "--":
        raise SystemExit("usage: python -m oud_course.grading.confine LIMITS_JSON -- COMMAND ...")
    command = sys.argv[3:]
    apply(limits)
    os.execve(command[0], command, {})


if __name__ == "__main__":
    main()
