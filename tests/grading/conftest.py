"""A hostile class, built from the fixture assignment 00_tiny, graded once per test session.

Each student folder is named after the case it covers; ``EXPECTED`` gives the
status and score each must get.
"""

from __future__ import annotations

import copy
import os
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograde import notebook
from autograde.config import Course
from autograde.grading.run import Options, grade_class
from autograde.grading.sandbox import Limits, bwrap_works

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "course"
NAME = "00_tiny"
SQUARE_OK = "def square(x):\n    return np.asarray(x, dtype=float) ** 2\n"
MEAN_OK = "def mean_square(X):\n    return square(X).mean(axis=1)\n"
MEAN_WRONG = "def mean_square(X):\n    return square(X).mean(axis=0)\n"
LIMITS = Limits(timeout=40, cell_timeout=4, memory_mb=1024, output_kb=64)
SQUARE_UNSOLVED = "def square(x):\n    raise NotImplementedError()\n"
MEAN_UNSOLVED = "def mean_square(X):\n    raise NotImplementedError()\n"
# One function broken in each way the worker can stop: each must cost what leaving
# that function unsolved costs (BROKEN_LIKE names the unsolved twin), no more.
LOOP = "    while True:\n        pass\n"
EXIT = "    import os\n    os._exit(3)\n"
SEGV = "    import ctypes\n    ctypes.string_at(0)\n"
BOMB = "    hog = []\n    while True:\n        hog.append(np.ones(2**24))\n"
BROKEN_LIKE = {
    "infinite-loop": "square-unsolved", "os-exit": "square-unsolved",
    "segfault": "square-unsolved", "memory-bomb": "square-unsolved",
    "square-calls-os-exit": "square-unsolved",
    "mean-square-loops": "mean-square-unsolved", "mean-square-calls-os-exit":
    "mean-square-unsolved", "mean-square-segfaults": "mean-square-unsolved",
    "mean-square-memory-bomb": "mean-square-unsolved",
}


def require_bwrap() -> None:
    """Skip a sandbox test where bubblewrap is missing, but fail in CI
    (``AUTOGRADE_REQUIRE_SANDBOX=1``, set by .ci/run, which installs bubblewrap)."""
    if bwrap_works():
        return
    if os.environ.get("AUTOGRADE_REQUIRE_SANDBOX"):
        pytest.fail("bubblewrap is missing or cannot create namespaces here, and "
                    "AUTOGRADE_REQUIRE_SANDBOX is set: install it (apt-get install bubblewrap)")
    pytest.skip("needs bubblewrap")


def source() -> nbformat.NotebookNode:
    return notebook.read(FIXTURE / "solutions" / NAME / f"{NAME}.ipynb")


def submission(square: str = SQUARE_OK, mean: str = MEAN_OK, *, before: str = "",
               tamper_tests: bool = False) -> nbformat.NotebookNode:
    """The source notebook with the student's code in the solution cells."""
    nb = copy.deepcopy(source())
    cells = notebook.cells_by_id(nb)
    cells["square"].source = square
    cells["mean_square"].source = mean
    if tamper_tests:
        for cell in notebook.graded_cells(nb):
            cell.source = "pass  # the student replaced the test"
    if before:
        nb.cells.insert(2, nbformat.v4.new_code_cell(before))
    return nb


def put(root: Path, student: str, nb, name: str = f"{NAME}.ipynb") -> Path:
    folder = root / student
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(nb, (bytes, str)):
        path.write_bytes(nb if isinstance(nb, bytes) else nb.encode())
    else:
        nbformat.write(nb, path)
    return path


OUTSIDE_MARKER = "/tmp/autograde-escape-marker"

EXPECTED = {  # student: (status, score) out of 6
    "perfect": ("graded", 6),
    "partial-wrong-axis": ("graded", 3),
    "blank-release": ("graded", 0),
    "renamed-by-browser": ("graded", 6),
    "tampered-tests-wrong-answers": ("graded", 0),
    "deleted-and-reordered-cells": ("graded", 6),
    "forged-points": ("graded", 6),
    "builtins-abs-patched": ("graded", 0),
    "numpy-and-checks-patched": ("graded", 0),
    "excepthook-and-showtraceback-patched": ("graded", 0),
    "lying-array-subclass": ("graded", 0),
    "warnings-on-stderr-correct": ("graded", 6),
    "float32-and-views-correct": ("graded", 6),
    "reads-solutions-and-escapes": ("graded", 0),
    "square-unsolved": ("graded", 0),         # mean_square uses square
    "mean-square-unsolved": ("graded", 3),
    "infinite-loop": ("graded", 0),
    "os-exit": ("graded", 0),
    "segfault": ("graded", 0),
    "memory-bomb": ("graded", 0),
    "square-calls-os-exit": ("graded", 0),
    "mean-square-loops": ("graded", 3),
    "mean-square-calls-os-exit": ("graded", 3),
    "mean-square-segfaults": ("graded", 3),
    "mean-square-memory-bomb": ("graded", 3),
    "endless-ungraded-cell": ("graded", 6),
    "slow-but-correct": ("graded", 6),
    "every-cell-crashes": ("crashed", 0),
    "output-flood": ("graded", 6),
    "malformed-json": ("invalid", 0),
    "empty-file": ("invalid", 0),
    "not-a-notebook": ("invalid", 0),
    "symlink-entry": ("invalid", 0),
    "zip-slip": ("invalid", 0),
    "zip-bomb": ("invalid", 0),
    "duplicate-submissions": ("graded", 6),
    "nothing-submitted": ("missing", 0),
}


def build_class(root: Path, solutions_dir: Path) -> None:
    """Write every case of EXPECTED under ``root``."""
    put(root, "perfect", submission())
    put(root, "partial-wrong-axis", submission(mean=MEAN_WRONG))
    put(root, "blank-release", submission("def square(x):\n    raise NotImplementedError()",
                                          "def mean_square(X):\n    raise NotImplementedError()"))
    put(root, "renamed-by-browser", submission(), f"{NAME} (1).ipynb")
    put(root, "tampered-tests-wrong-answers",
        submission("def square(x):\n    return x", MEAN_WRONG, tamper_tests=True))
    nb = submission()
    nb.cells = [c for c in nb.cells if not notebook.meta(c).get("grade")][::-1]
    put(root, "deleted-and-reordered-cells", nb)
    nb = submission()
    forged = nbformat.v4.new_code_cell("print('give me points')")
    forged.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 100,
                                   "locked": True, "solution": False, "schema_version": 3}
    nb.cells.append(forged)
    put(root, "forged-points", nb)
    put(root, "builtins-abs-patched", submission(
        "import builtins\nbuiltins.abs = lambda x: 0\ndef square(x):\n    return 42",
        "def mean_square(X):\n    return 42"))
    put(root, "numpy-and-checks-patched", submission(
        "import numpy, nnutils.checks as c\n"
        "numpy.isclose = lambda *a, **k: numpy.array(True)\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "c.check_close = c.check_shape = c.call = lambda *a, **k: None\n"
        "def square(x):\n    return np.zeros(np.shape(x))", MEAN_WRONG))
    put(root, "excepthook-and-showtraceback-patched", submission(
        "import sys\nsys.excepthook = lambda *a: None\n"
        "get_ipython().showtraceback = lambda *a, **k: None\n"
        "def square(x):\n    return -x", MEAN_WRONG))
    put(root, "lying-array-subclass", submission(
        "class Yes(np.ndarray):\n    def __eq__(self, other): return True\n"
        "    def __array__(self, *a, **k): return np.ones(self.shape)\n"
        "def square(x):\n    return np.zeros(np.shape(x)).view(Yes)",
        "def mean_square(X):\n    return np.zeros(len(X)).view(Yes)"))
    put(root, "warnings-on-stderr-correct", submission(
        "import sys, warnings\n"
        "def square(x):\n    warnings.warn('careful'); print('debug', file=sys.stderr)\n"
        "    return np.asarray(x, float) ** 2\n"))
    put(root, "float32-and-views-correct", submission(
        "def square(x):\n    return (np.asarray(x, np.float32) ** 2)[...]\n",
        "def mean_square(X):\n    s = square(X)\n    return s.mean(axis=-1).view()\n"))
    put(root, "reads-solutions-and-escapes", submission(
        f"import pathlib, socket\n"
        f"try:\n    SRC = pathlib.Path({str(solutions_dir)!r}).joinpath("
        f"'{NAME}', '{NAME}.ipynb').read_text()\nexcept OSError:\n    SRC = ''\n"
        f"try:\n    pathlib.Path({OUTSIDE_MARKER!r}).write_text('escaped')\n"
        f"except OSError:\n    pass\n"
        f"def square(x):\n    assert SRC, 'cannot see the solutions'\n"
        f"    return np.asarray(x, float) ** 2\n",
        "def mean_square(X):\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n"
        "    return square(X).mean(axis=1)\n"))
    put(root, "square-unsolved", submission(SQUARE_UNSOLVED))
    put(root, "mean-square-unsolved", submission(mean=MEAN_UNSOLVED))
    put(root, "infinite-loop", submission("def square(x):\n" + LOOP))
    put(root, "square-calls-os-exit", submission("def square(x):\n" + EXIT))
    put(root, "mean-square-loops", submission(mean="def mean_square(X):\n" + LOOP))
    put(root, "mean-square-calls-os-exit", submission(mean="def mean_square(X):\n" + EXIT))
    put(root, "mean-square-segfaults", submission(mean="def mean_square(X):\n" + SEGV))
    put(root, "mean-square-memory-bomb", submission(mean="def mean_square(X):\n" + BOMB))
    put(root, "endless-ungraded-cell", submission(before="while True:\n    pass"))
    put(root, "slow-but-correct", submission(   # its slowest cell takes 60% of the limit
        "import time\ndef square(x):\n    time.sleep(1.2)\n"
        "    return np.asarray(x, dtype=float) ** 2\n"))
    nb = submission()
    for _ in range(LIMITS.restarts + 3):
        nb.cells.insert(2, nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    put(root, "every-cell-crashes", nb)
    put(root, "os-exit", submission("import os\nos._exit(0)"))
    put(root, "segfault", submission("import ctypes\nctypes.string_at(0)"))
    put(root, "memory-bomb", submission("hog = bytearray(4 * 2**30)\n" + SQUARE_OK))
    put(root, "output-flood", submission(before="print('x' * 50_000_000)"))
    put(root, "malformed-json", "{\"cells\": [")
    put(root, "empty-file", b"")
    put(root, "not-a-notebook", b"\x89PNG\r\n\x1a\n not a notebook")
    os.symlink("/etc", root / "symlink-entry")
    with zipfile.ZipFile(root / "zip-slip.zip", "w") as zf:
        zf.writestr(f"../../{NAME}.ipynb", nbformat.writes(submission()))
        zf.writestr(f"/abs/{NAME}.ipynb", nbformat.writes(submission()))
    with zipfile.ZipFile(root / "zip-bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open(f"{NAME}.ipynb", "w", force_zip64=True) as member:
        zeros = bytes(2**24)
        for _ in range(64):   # a gigabyte of zeros, a megabyte on disk
            member.write(zeros)
    put(root, "duplicate-submissions", submission(mean=MEAN_WRONG), f"{NAME} old.ipynb")
    os.utime(root / "duplicate-submissions" / f"{NAME} old.ipynb", (1e9, 1e9))
    with zipfile.ZipFile(root / "duplicate-submissions.zip", "w") as zf:
        zf.writestr(f"{NAME}.ipynb", nbformat.writes(submission()))
    (root / "nothing-submitted").mkdir()


def course(tmp: Path) -> Course:
    """A copy of the fixture course, so tests can edit it."""
    root = tmp / "course"
    shutil.copytree(FIXTURE, root)
    return Course(root)


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """(course, submissions folder, OUT folder, results by student) for the hostile class."""
    tmp = tmp_path_factory.mktemp("hostile")
    crs = course(tmp)
    subs = tmp / "submissions"
    subs.mkdir()
    build_class(subs, crs.source_dir.resolve())
    Path(OUTSIDE_MARKER).unlink(missing_ok=True)
    out = tmp / "out"
    results = grade_class(Options(subs, out, crs, workers=2, limits=LIMITS, progress=False))
    return crs, subs, out, {r.student_id: r for r in results}
