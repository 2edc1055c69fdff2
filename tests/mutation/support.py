"""Build small courses for the mutation tests: one notebook in ROOT/solutions/NAME/."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

from autograde.config import Course

FIXTURE_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "course"
TINY = FIXTURE_COURSE / "solutions" / "00_tiny" / "00_tiny.ipynb"
SETUP = "import numpy as np\n\nfrom nnutils.checks import call, check_close, check_equal, passed\n"


def _meta(grade_id: str, *, solution: bool = False, points: int = 0) -> dict:
    return {"nbgrader": {"grade": points > 0, "grade_id": grade_id, "locked": not solution,
                         "schema_version": 3, "solution": solution, "task": False,
                         **({"points": points} if points else {})}}


def code(grade_id: str, source: str, *, solution: bool = False, points: int = 0):
    """A code cell with nbgrader metadata (``points`` > 0 makes it a graded test cell)."""
    return nbformat.v4.new_code_cell(textwrap.dedent(source).strip("\n") + "\n",
                                     metadata=_meta(grade_id, solution=solution, points=points))


def exercise(name: str, solution: str, public: str, hidden: str) -> list:
    """The solution cell and the two test cells of exercise ``name``."""
    return [code(name, solution, solution=True),
            code(f"test_{name}", public, points=1),
            code(f"hidden_{name}", hidden, points=1)]


def write_course(root: Path, name: str, cells: list, setup: str = SETUP) -> Course:
    """A course at ``root`` with one assignment ``name`` made of a setup cell and ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (course)",
                                 "language": "python"}
    nb.cells = [code("setup", setup)] + cells
    folder = root / "solutions" / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")
    return Course(root)


def tiny_cells(*, weak_square: bool = False) -> list:
    """The solution and test cells of the 00_tiny fixture; ``weak_square`` tests only zeros."""
    nb = nbformat.read(TINY, as_version=4)
    cells = [c for c in nb.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id")
             not in (None, "setup")]
    if weak_square:
        for cell in cells:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            if grade_id == "test_square":
                cell.source = ('check_close("square(0)", call(square, np.zeros(3)), np.zeros(3))\n'
                               'passed("square")\n')
            elif grade_id == "hidden_square":
                cell.source = "call(square, np.zeros(1))\n"
    return cells


def tiny_setup() -> str:
    nb = nbformat.read(TINY, as_version=4)
    return next(c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
