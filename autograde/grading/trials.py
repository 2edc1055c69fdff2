"""Run one exercise's test cells on a variant of its solution, through the grader's Judge.

The engine that grades students is the one that proves the tests: the mistakes
corpus (``tests/mistakes``) and ``autograde mutate`` call :func:`run_exercise`,
which runs the notebook's setup cell and solution cells (one of them replaced)
in a sandboxed worker and the exercise's test cells in the grader, exactly as
``autograde grade`` does. Only the sandbox is lighter: these are trusted runs
(reference code, the corpus, mutants), so the worker runs without bubblewrap
and stays warm: it keeps its imports (TensorFlow's take seconds) and returns to
the namespace of just after the setup cell before each variant.
"""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from autograde import notebook
from autograde.grading.judge import Judge
from autograde.grading.sandbox import Limits

CELL_TIMEOUT = 60.0      # seconds a variant's cell may run before it counts as stopped
KEEP_WARM = 2            # warm workers kept per process (one per notebook)


@dataclass(frozen=True)
class CellOutcome:
    """What one graded test cell did: passed, or failed with an error type and message."""

    grade_id: str
    passed: bool
    error: str = ""
    message: str = ""


class _Warm:
    """One notebook's Judge with a warm worker, and the cells a variant needs."""

    def __init__(self, path: Path):
        self.nb = notebook.read(path)
        self.cells = notebook.cells_by_id(self.nb)
        self.workdir = Path(tempfile.mkdtemp(prefix="autograde-trials-"))
        self.judge = Judge(self.nb, self.workdir, Limits(timeout=float("inf")), "none")
        self.judge.start_warm([copy.deepcopy(self.cells["setup"])])

    def run(self, name: str, replacement: str | None,
            cell_timeout: float) -> dict[str, CellOutcome]:
        if name not in self.cells:
            raise KeyError(f"no solution cell with grade_id {name!r} in the notebook")
        self.judge.reset()
        self.judge.set_cell_timeout(cell_timeout)
        for sid in notebook.solution_ids(self.nb):
            cell = copy.deepcopy(self.cells[sid])
            if sid == name and replacement is not None:
                cell.source = replacement
            self.judge.run_cell(cell, notebook.meta(cell), sid)
            if self.judge.session.gone is not None:
                break          # the test cells report it: their calls find the worker gone
        outcomes = {}
        for tid in notebook.exercise_test_ids(self.nb, name):
            cell = copy.deepcopy(self.cells[tid])
            result = self.judge.judge_cell(cell, notebook.meta(cell))
            outcomes[tid] = CellOutcome(tid, result.passed, result.error, result.message)
        return outcomes

    def close(self) -> None:
        if self.judge.sandbox is not None:
            self.judge.sandbox.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


_warm: OrderedDict[str, _Warm] = OrderedDict()


def run_exercise(path: str | Path, name: str, replacement: str | None = None,
                 cell_timeout: float = CELL_TIMEOUT) -> dict[str, CellOutcome]:
    """Run exercise ``name``'s test cells, with its solution optionally replaced.

    Parameters
    ----------
    path : solution (source) notebook.
    name : the exercise's function name, i.e. its solution cell's grade_id.
    replacement : source code to run instead of that solution cell (None: the reference).
    cell_timeout : seconds one cell may run; a variant over it fails its tests.

    Returns
    -------
    dict mapping each of the exercise's test cells' grade_id to its :class:`CellOutcome`.
    """
    return warm(path).run(name, replacement, cell_timeout)


def warm(path: str | Path) -> _Warm:
    """The notebook's warm worker, started (setup cell run on both sides) if need be."""
    key = str(Path(path).resolve())
    if key not in _warm:
        while len(_warm) >= KEEP_WARM:
            _warm.popitem(last=False)[1].close()
        _warm[key] = _Warm(Path(path))
    _warm.move_to_end(key)
    return _warm[key]


@atexit.register
def close_all() -> None:
    """Stop every warm worker (also called at exit)."""
    while _warm:
        _warm.popitem()[1].close()
