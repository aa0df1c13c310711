"""SafeExecute: nbgrader's Execute, except that a kernel which dies or hangs ends the run, not the grading.

Plain nbgrader fails the whole submission when its kernel exits or ignores interrupts, so the
items answered before that point are lost. Here the cells that ran keep their outputs, the cell
that stopped the kernel says so, and DecideGrades grades what was written out.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, default

from oud_course.grading.sandbox import SandboxKernelManager, sandbox_available

_STOPPING_ERRORS = (DeadKernelError, CellTimeoutError, TimeoutError, RuntimeError)


class SafeExecute(Execute):
    """Run the submission; if its kernel dies or cannot be interrupted, keep what ran and note where it stopped."""

    sandbox = Bool(True, help="Run each submission's kernel in a bubblewrap sandbox (see oud_course.grading.sandbox).").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.sandbox:
            missing = sandbox_available()
            if missing:
                raise RuntimeError(f"cannot grade in a sandbox: {missing} (or set SafeExecute.sandbox = False)")
        self.kernel_manager_class = SandboxKernelManager if self.sandbox else AsyncKernelManager

    @default("shutdown_kernel")
    def _stop_at_once(self) -> str:
        return "immediate"  # every output is in by then: a graceful shutdown would only wait for the kernel

    def preprocess_cell(self, cell, resources, index):
        self._running = cell  # so a kernel that dies mid-cell is blamed on the right cell
        result = super().preprocess_cell(cell, resources, index)
        self._running = None
        return result

    def preprocess(self, nb, resources=None, km=None):
        self._running = None
        try:
            return super().preprocess(nb, resources, km)
        except _STOPPING_ERRORS as error:
            stopped = self._running
            reason = f"The kernel stopped while running this cell ({type(error).__name__}); later cells did not run."
            self.log.warning("%s: %s", reason, error)
            if stopped is not None:
                stopped.outputs.append(new_output("error", ename="KernelStopped", evalue=reason, traceback=[reason]))
            return nb, resources
