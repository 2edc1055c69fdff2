"""Run a notebook headless in a fresh kernel and record what every code cell did.

Like the grader: a new kernel per notebook, started in the notebook's own
folder, every cell run even after errors, a generous per-cell timeout that
interrupts the cell instead of killing the run. What :func:`run_notebook`
returns is data (per cell: error name and message, text on stderr, seconds)
plus the executed notebook, so that callers judge it without a kernel.
"""

from __future__ import annotations

import copy
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from autograde.config import HEADLESS_MPLBACKEND
from autograde.nbgrader_config import CELL_TIMEOUT, STARTUP_TIMEOUT
from autograde.notebook import grade_id, meta, read

HEADLESS_BACKEND = HEADLESS_MPLBACKEND
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
TIMEOUT_ERROR = "CellTimeoutError"
_MESSAGE_CHARS = 300
_KERNEL_LOG_CHARS = 2000


@dataclass(frozen=True)
class CellResult:
    """What one code cell did when it ran."""

    index: int  # position in the notebook, from 0
    grade_id: str | None
    graded: bool
    error: str = ""  # exception name, "" when the cell succeeded
    message: str = ""  # first line of the exception message
    stderr: str = ""  # everything the cell wrote to stderr
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.error


@dataclass
class NotebookRun:
    """One headless run of a notebook."""

    path: Path
    notebook: nbformat.NotebookNode  # the executed notebook, with outputs
    cells: dict[int, CellResult] = field(default_factory=dict)  # code cells that ran
    seconds: float = 0.0
    died_in: int | None = None  # index of the cell that was running when the kernel died
    failure: str = ""  # why the kernel could not run the notebook at all
    kernel_log: str = ""  # the kernel process's own stderr, kept when something broke

    def graded_indices(self) -> list[int]:
        """Indices of the notebook's graded (test) code cells."""
        return [i for i, c in enumerate(self.notebook.cells)
                if c.cell_type == "code" and meta(c).get("grade") and not meta(c).get("solution")]

    @property
    def completed(self) -> bool:
        """True when the kernel ran the notebook to the end."""
        return self.died_in is None and not self.failure


def _first_line(text: str) -> str:
    line = next((s.strip() for s in str(text).splitlines() if s.strip()), "")
    return line if len(line) <= _MESSAGE_CHARS else line[:_MESSAGE_CHARS - 3] + "..."


def _cell_result(cell: nbformat.NotebookNode, index: int, reply: dict,
                 seconds: float) -> CellResult:
    content = reply.get("content", {}) if reply else {}
    failed = content.get("status") == "error"
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    return CellResult(
        index=index,
        grade_id=grade_id(cell),
        graded=bool(meta(cell).get("grade")) and not meta(cell).get("solution"),
        error=content.get("ename", "Error") if failed else "",
        message=_first_line(content.get("evalue", "")) if failed else "",
        stderr=stderr,
        seconds=seconds,
    )


def _blank(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without outputs or execution counts."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def run_notebook(path: Path, *, backend: str = HEADLESS_BACKEND,
                 timeout: int = CELL_TIMEOUT) -> NotebookRun:
    """Execute the notebook at ``path`` in a fresh kernel and record every code cell.

    Parameters
    ----------
    path : the notebook; it runs with its folder as working directory.
    backend : MPLBACKEND for the kernel (HEADLESS_BACKEND for checks, INLINE_BACKEND to
        keep plots).
    timeout : seconds a single cell may run before it is interrupted.

    Returns
    -------
    NotebookRun with the executed notebook and one CellResult per code cell that ran.
    """
    path = Path(path).resolve()
    run = NotebookRun(path=path, notebook=_blank(read(path)))
    started: dict[int, float] = {}

    def on_cell_start(cell, cell_index):
        if cell.cell_type == "code" and cell.source.strip():
            started[cell_index] = time.perf_counter()

    def on_cell_executed(cell, cell_index, execute_reply):
        seconds = time.perf_counter() - started[cell_index]
        run.cells[cell_index] = _cell_result(cell, cell_index, execute_reply, seconds)

    client = NotebookClient(
        run.notebook, timeout=timeout, startup_timeout=STARTUP_TIMEOUT, allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ERROR,
                          "evalue": f"the cell ran longer than {timeout} s and was interrupted",
                          "traceback": []},
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start, on_cell_executed=on_cell_executed,
    )
    env = dict(os.environ, MPLBACKEND=backend, NNUTILS_HEADLESS="1")   # no live widgets
    begin = time.perf_counter()
    with tempfile.TemporaryFile("w+") as kernel_log:
        try:
            client.execute(env=env, stderr=kernel_log)
        except DeadKernelError:
            run.died_in = max(set(started) - set(run.cells), default=None)
            if run.died_in is None:
                run.failure = "the kernel died before it ran a cell"
        except (NoSuchKernel, RuntimeError, OSError) as err:
            run.failure = f"{type(err).__name__}: {_first_line(err)}"
        run.seconds = time.perf_counter() - begin
        if not run.completed:
            kernel_log.seek(0)
            run.kernel_log = kernel_log.read()[-_KERNEL_LOG_CHARS:]
    return run
