"""SafeExecute: nbgrader's Execute in a limited sandbox; a kernel that dies, hangs or overreaches ends the run, not the grading.

Plain nbgrader fails the whole submission when its kernel exits or ignores interrupts, so the
items answered before that point are lost. Here the cells that ran keep their outputs, the cell
that stopped the kernel says so (and which limit it hit), and DecideGrades grades what was written out.
"""

from __future__ import annotations

import json
import time

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, default

from oud_course.answers import MIME_TYPE
from oud_course.grading.confine import MiB, Limits
from oud_course.grading.sandbox import SandboxKernelManager, SandboxSession, sandbox_available

ANSWER_MAX_BYTES = 100_000  # an answer record is a few hundred bytes; a larger one is ordinary output
_STOPPING_ERRORS = (DeadKernelError, CellTimeoutError, TimeoutError, RuntimeError)


class OverTimeLimit(RuntimeError):
    """The submission used up its wall-clock time."""


class SafeExecute(Execute):
    """Run the submission; if its kernel dies, overruns or cannot be interrupted, keep what ran and note where it stopped."""

    sandbox = Bool(True, help="Run each submission's kernel in a bubblewrap sandbox (see oud_course.grading.sandbox).").tag(config=True)
    memory_mb = Integer(1024, help="Memory one submission's kernel and its children may use, in MiB.").tag(config=True)
    max_processes = Integer(64, help="Processes and threads one submission may run at once.").tag(config=True)
    max_file_mb = Integer(64, help="Largest file a submission's code may write, in MiB.").tag(config=True)
    tmp_mb = Integer(64, help="Size of the submission's private /tmp, in MiB.").tag(config=True)
    work_mb = Integer(64, help="Size of the submission's private home and working folder, in MiB.").tag(config=True)
    max_seconds = Integer(300, help="Wall-clock seconds for a whole submission; cells after it are not run.").tag(config=True)
    max_output_mb = Integer(8, help="Output one submission may produce in all, in MB; more is dropped as it arrives.").tag(config=True)
    max_submitted_file_mb = Integer(5, help="Largest submitted file the kernel is given, in MB.").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.sandbox:
            missing = sandbox_available()
            if missing:
                raise RuntimeError(f"cannot grade in a sandbox: {missing} (or set SafeExecute.sandbox = False)")
        self._session: SandboxSession | None = None

    @default("shutdown_kernel")
    def _stop_at_once(self) -> str:
        return "immediate"  # every output is in by then: a graceful shutdown would only wait for the kernel

    def limits(self) -> Limits:
        return Limits(memory_bytes=self.memory_mb * MiB, processes=self.max_processes, file_bytes=self.max_file_mb * MiB)

    def create_kernel_manager(self):
        if not self.sandbox:
            self.km = AsyncKernelManager(kernel_name=self.kernel_name or "python3", config=self.config)
            return self.km
        self.km = SandboxKernelManager(self._session, kernel_name=self.kernel_name or "python3", config=self.config)
        return self.km

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        if MIME_TYPE in msg.get("content", {}).get("data", {}) and size < ANSWER_MAX_BYTES:
            return super().output(outs, msg, display_id, cell_index)  # an answer written out for the grader always counts
        self._output_bytes += size
        if self._output_bytes > self.max_output_mb * 1_000_000:
            if not self._output_capped:
                self._output_capped = True
                note = f"Output over {self.max_output_mb} MB in all: this and later output was dropped."
                outs.append(new_output("stream", name="stdout", text=note + "\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def preprocess_cell(self, cell, resources, index):
        self._running = cell  # so a kernel that dies mid-cell is blamed on the right cell
        if cell.cell_type == "code" and time.monotonic() > self._deadline:
            raise OverTimeLimit(f"time limit of {self.max_seconds} s for the whole submission reached")
        result = super().preprocess_cell(cell, resources, index)
        self._running = None
        return result

    def preprocess(self, nb, resources=None, km=None):
        self._running = None
        self._output_bytes, self._output_capped = 0, False
        self._deadline = time.monotonic() + self.max_seconds
        if self.sandbox:
            folder = (resources or {}).get("metadata", {}).get("path") or "."
            self._session = SandboxSession(folder, self.limits(), self.tmp_mb * MiB, self.work_mb * MiB,
                                           self.max_submitted_file_mb * 1_000_000)
            if self._session.confinement.why_not:
                self.log.warning("%s", self._session.confinement.why_not)
        try:
            return super().preprocess(nb, resources, km)
        except _STOPPING_ERRORS as error:
            stopped = self._running
            reason = f"The kernel stopped while running this cell ({self._why(error)}); later cells did not run."
            if stopped is None:  # it never started, or stopped between cells: say so where the notebook starts
                stopped = next((cell for cell in nb.cells if cell.cell_type == "code"), None)
                reason = f"The kernel stopped or could not start ({self._why(error)}: {str(error)[:300]}); cells did not run."
            self.log.warning("%s: %s", reason, error)
            if stopped is not None:
                stopped.outputs.append(new_output("error", ename="KernelStopped", evalue=reason, traceback=[reason]))
            return nb, resources
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None

    def _why(self, error: Exception) -> str:
        if self._session is not None and self._session.confinement.peak_memory_hit():
            return f"memory limit of {self.memory_mb} MiB reached"
        if isinstance(error, OverTimeLimit):
            return str(error).replace("time limit", "the time limit")
        return type(error).__name__
