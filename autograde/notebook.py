"""Read nbgrader notebooks: their cells, grade_ids, solution and test cells, points.

The course's notebooks follow ``docs/authoring.md``: a ``setup`` cell of
imports, one solution cell per exercise (``grade_id`` = the function name) and
its graded test cells ``test_NAME`` (public) and ``hidden_NAME`` (hidden), and
self-check questions: a solution cell ``q_NAME`` that sets the variable
``q_NAME``, graded by its hidden cell ``hidden_q_NAME`` only.
Running them is the grader's job (:mod:`autograde.grading`): one engine runs
every test cell, for students, the corpus and the mutants alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # nbformat takes seconds to import: only `read` needs it at run time
    import nbformat

NB_VERSION = 4
QUESTION_PREFIX = "q_"   # grade_id (and variable) of a self-check question's answer cell


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


def is_question(name: str | None) -> bool:
    """Whether ``name`` is the grade_id of a self-check question's answer cell."""
    return bool(name) and name.startswith(QUESTION_PREFIX)


def exercise_ids(nb: nbformat.NotebookNode) -> list[str]:
    """The solution cells that define functions (the exercises), without the questions."""
    return [name for name in solution_ids(nb) if not is_question(name)]


def graded_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Code cells that carry points (public and hidden tests), in notebook order."""
    return [c for c in nb.cells if c.cell_type == "code" and meta(c).get("grade")]


def exercise_test_ids(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """The graded test cells of exercise ``name``: ``test_name`` then ``hidden_name``
    (a question has only the hidden one)."""
    ids = cells_by_id(nb)
    found = [i for i in (f"test_{name}", f"hidden_{name}") if i in ids]
    if not found:
        raise KeyError(f"no test cells test_{name} / hidden_{name} in the notebook")
    return found


def total_points(nb: nbformat.NotebookNode) -> float:
    """Sum of the points of the notebook's graded cells."""
    return float(sum(meta(c).get("points", 0) for c in graded_cells(nb)))
