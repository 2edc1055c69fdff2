"""Read nbgrader notebooks and run one exercise's tests in process.

The course's notebooks follow ``docs/authoring.md``: a ``setup`` cell of
imports, one solution cell per exercise (``grade_id`` = the function name) and
its graded test cells ``test_NAME`` (public) and ``hidden_NAME`` (hidden).
Because test cells only use the setup imports and the solution cells' names,
an exercise can be checked without a kernel: :func:`run_exercise` executes
the setup cell, every solution cell (one of them optionally replaced), then
the exercise's test cells, and reports each test cell's outcome. The mistakes
corpus and the mutation tests use it; it runs trusted code only.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # nbformat takes seconds to import: only `read` needs it at run time
    import nbformat

NB_VERSION = 4


def read(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat v4."""
    import nbformat
    return nbformat.read(str(path), as_version=NB_VERSION)


def meta(cell: nbformat.NotebookNode) -> dict:
    """The cell's nbgrader metadata (empty dict for an ordinary cell)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def grade_id(cell: nbformat.NotebookNode) -> str | None:
    return meta(cell).get("grade_id")


def cells_by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """Map grade_id -> cell for every nbgrader cell."""
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def solution_ids(nb: nbformat.NotebookNode) -> list[str]:
    """grade_ids of the code cells students write in, in notebook order."""
    return [grade_id(c) for c in nb.cells
            if c.cell_type == "code" and meta(c).get("solution") and grade_id(c)]


def graded_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Code cells that carry points (public and hidden tests), in notebook order."""
    return [c for c in nb.cells if c.cell_type == "code" and meta(c).get("grade")]


def exercise_test_ids(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """The graded test cells of exercise ``name``: ``test_name`` then ``hidden_name``."""
    ids = cells_by_id(nb)
    found = [i for i in (f"test_{name}", f"hidden_{name}") if i in ids]
    if not found:
        raise KeyError(f"no test cells test_{name} / hidden_{name} in the notebook")
    return found


@dataclass(frozen=True)
class CellOutcome:
    """What one graded test cell did: passed, or failed with an error type and message."""

    grade_id: str
    passed: bool
    error: str = ""
    message: str = ""


def _exec(source: str, namespace: dict, label: str) -> None:
    code = compile(source, f"<{label}>", "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)  # noqa: S102 - trusted course code, or a mistake under test


def run_exercise(path: str | Path, name: str,
                 replacement: str | None = None) -> dict[str, CellOutcome]:
    """Run exercise ``name``'s test cells, with its solution optionally replaced.

    Parameters
    ----------
    path : solution (source) notebook.
    name : the exercise's function name, i.e. its solution cell's grade_id.
    replacement : source code to run instead of that solution cell.

    Returns
    -------
    dict mapping each test cell's grade_id to its :class:`CellOutcome`.
    """
    nb = read(path)
    ids = cells_by_id(nb)
    if name not in ids:
        raise KeyError(f"no solution cell with grade_id {name!r} in {path}")
    namespace: dict = {"__name__": "__main__"}
    _exec(ids["setup"].source, namespace, "setup")
    for sid in solution_ids(nb):
        source = replacement if (sid == name and replacement is not None) else ids[sid].source
        _exec(source, namespace, sid)
    outcomes = {}
    for tid in exercise_test_ids(nb, name):
        try:
            _exec(ids[tid].source, namespace, tid)
        except Exception as err:  # the outcome records any failure of the test cell
            outcomes[tid] = CellOutcome(tid, False, type(err).__name__, str(err))
        else:
            outcomes[tid] = CellOutcome(tid, True)
    return outcomes


def total_points(nb: nbformat.NotebookNode) -> float:
    """Sum of the points of the notebook's graded cells."""
    return float(sum(meta(c).get("points", 0) for c in graded_cells(nb)))
