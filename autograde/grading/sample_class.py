"""A sample class built from the solutions, for `autograde demo` and the benchmarks.

Every student starts from the released notebook, as real students do:

- ``perfect``: every exercise answered with the reference code;
- ``partial``: the first half of the exercises answered, the rest left blank;
- ``blank``: the release, untouched;
- ``endless``: perfect, but the first function loops forever: graded, losing only the
  tests that need that function;
- ``exits``: perfect, but the last function calls ``os._exit``: the same, for a crash;
- ``tamperer``: wrong answers, test cells replaced by ``pass``, ``builtins.abs``
  and ``numpy.allclose`` patched (graded as the wrong answers they are).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from autograde import notebook

MARKER = re.compile(r"[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?")
TAMPER = ("import builtins, numpy\n"
          "builtins.abs = lambda x: 0\n"
          "numpy.allclose = lambda *args, **kwargs: True\n")


def answer(source_cell: str) -> str:
    """A solution cell's code as a student would submit it (without the markers)."""
    return MARKER.sub("", source_cell)


def solved(release: nbformat.NotebookNode, source: nbformat.NotebookNode,
           names: set[str] | None = None) -> nbformat.NotebookNode:
    """The release with the solution cells in ``names`` (default: all) answered."""
    nb = copy.deepcopy(release)
    answers = notebook.cells_by_id(source)
    for cell in nb.cells:
        gid = notebook.grade_id(cell)
        if gid and notebook.meta(cell).get("solution") and (names is None or gid in names):
            cell.source = answer(answers[gid].source)
    return nb


def _first_function(source: str) -> str | None:
    found = re.search(r"^def (\w+)\(", source, flags=re.M)
    return found.group(1) if found else None


def _redefined(nb: nbformat.NotebookNode, grade_id: str, body: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose solution cell ``grade_id`` ends by redefining its first
    function with ``body``."""
    new = copy.deepcopy(nb)
    cell = notebook.cells_by_id(new)[grade_id]
    name = _first_function(cell.source) or grade_id
    cell.source += f"\n\ndef {name}(*args, **kwargs):\n{body}"
    return new


def students(release: nbformat.NotebookNode,
             source: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """The six sample students' notebooks for one assignment."""
    ids = notebook.exercise_ids(source)
    perfect = solved(release, source)
    endless = _redefined(perfect, ids[0], "    while True:\n        pass\n")
    exits = _redefined(perfect, ids[-1], "    import os\n    os._exit(1)\n")
    tamperer = copy.deepcopy(release)
    for c in tamperer.cells:
        m = notebook.meta(c)
        if m.get("grade"):
            c.source = "pass  # tests removed"
        elif m.get("solution"):
            fn = _first_function(c.source) or notebook.grade_id(c)
            c.source = f"def {fn}(*args, **kwargs):\n    return 42\n"
    tamperer.cells.insert(1, nbformat.v4.new_code_cell(TAMPER))
    return {"perfect": perfect,
            "partial": solved(release, source, set(ids[: len(ids) // 2])),
            "blank": copy.deepcopy(release),
            "endless": endless,
            "exits": exits,
            "tamperer": tamperer}


def build(folder: Path, sources: dict[str, Path], releases: dict[str, Path],
          everyone_for: set[str]) -> list[str]:
    """Write one folder per sample student under ``folder``; return the student ids.

    All six students submit the assignments in ``everyone_for``; for the
    others only ``perfect`` and ``blank`` do (the endless one costs a cell's time limit).
    """
    ids: list[str] = []
    for name, source_path in sources.items():
        group = students(notebook.read(releases[name]), notebook.read(source_path))
        for student, nb in group.items():
            if name not in everyone_for and student not in ("perfect", "blank"):
                continue
            path = folder / student / f"{name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            ids.append(student)
    return sorted(set(ids))
