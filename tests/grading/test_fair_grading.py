"""One broken exercise costs that exercise, never the notebook: the course's own 01 and 05.

For each notebook one function is broken in each way that stops the grader's
worker (an endless loop, ``os._exit``, a segfault, a memory bomb), on top of
the reference answers. Each must score test by test like the same submission
with that function left unsolved; an endless cell the tests do not need costs
nothing. The 00_tiny class in conftest covers the same cases in seconds, plus
slow but correct code and bounded restarts.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from autograde import notebook
from autograde.config import Course
from autograde.grading.run import Options, grade_class
from autograde.grading.sample_class import solved
from autograde.grading.sandbox import Limits

pytestmark = pytest.mark.slow   # grades or runs whole notebooks: make test only

ROOT = Path(__file__).resolve().parents[2]
BROKEN = {"01_perceptron": "sigmoid", "05_cnn": "conv2d"}   # 05: later exercises call conv2d
BODIES = {
    "unsolved": "    raise NotImplementedError()\n",
    "endless-loop": "    while True:\n        pass\n",
    "os-exit": "    import os\n    os._exit(0)\n",
    "segfault": "    import ctypes\n    ctypes.string_at(0)\n",
    "memory-bomb": "    hog = []\n    while True:\n        hog.append(np.ones(2**24))\n",
}
LIMITS = Limits(timeout=400, cell_timeout=15, memory_mb=3072)   # headroom on a busy CI machine


def _reference(name: str) -> nbformat.NotebookNode:
    return solved(notebook.read(ROOT / "notebooks" / name / f"{name}.ipynb"),
                  notebook.read(ROOT / "solutions" / name / f"{name}.ipynb"))


def _with_broken(name: str, body: str) -> nbformat.NotebookNode:
    """The reference answers, with BROKEN[name] redefined at the end of its own cell."""
    nb = _reference(name)
    fn = BROKEN[name]
    cell = next(c for c in nb.cells if notebook.meta(c).get("solution")
                and f"def {fn}(" in c.source)
    cell.source += f"\n\ndef {fn}(*args, **kwargs):\n{body}"
    return nb


@pytest.fixture(scope="module")
def fair_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fair")
    subs = tmp / "subs"
    for name in BROKEN:
        for case, body in BODIES.items():
            folder = subs / f"{case}-{name[:2]}"
            folder.mkdir(parents=True)
            nbformat.write(_with_broken(name, body), folder / f"{name}.ipynb")
        nb = copy.deepcopy(_reference(name))
        nb.cells.insert(3, nbformat.v4.new_code_cell("while True:\n    pass"))
        folder = subs / f"endless-ungraded-cell-{name[:2]}"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    results = grade_class(Options(subs, tmp / "out", Course(ROOT), workers=2, progress=False,
                                  limits=LIMITS))
    return {r.student_id: r for r in results}


CASES = [(case, name) for name in BROKEN for case in BODIES if case != "unsolved"]


@pytest.mark.parametrize("case,name", CASES)
def test_broken_function_scores_like_unsolved(fair_class, case, name):
    broken, twin = fair_class[f"{case}-{name[:2]}"], fair_class[f"unsolved-{name[:2]}"]
    assert broken.status == "graded", broken.detail
    assert [(t.test, t.points) for t in broken.tests] == \
        [(t.test, t.points) for t in twin.tests], broken.detail
    assert 0 < broken.score < broken.max_score
    assert broken.incidents and BROKEN[name] in broken.detail
    lost = [t for t in broken.tests if t.points < t.max_points]
    assert all(f"`{BROKEN[name]}`" in t.message or BROKEN[name] in t.message
               for t in lost), [t.message[:200] for t in lost]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_endless_ungraded_cell_costs_nothing(fair_class, name):
    result = fair_class[f"endless-ungraded-cell-{name[:2]}"]
    assert (result.status, result.score) == ("graded", result.max_score), \
        result.detail
    assert [i.cause for i in result.incidents] == ["timeout"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_one_endless_loop_costs_about_one_cell_limit(fair_class, name):
    """Grading stays within the limits per incident plus the replays."""
    loop, twin = fair_class[f"endless-loop-{name[:2]}"], fair_class[f"unsolved-{name[:2]}"]
    # the twin's time covers the replay and the rest of the notebook; 30 s of slack for a
    # busy 2-core CI machine (without recovery a loop costs the whole budget, 400 s)
    budget = len(loop.incidents) * (LIMITS.cell_timeout + 1) + 3 * twin.seconds + 30
    assert loop.seconds < budget, (loop.seconds, loop.incidents)
