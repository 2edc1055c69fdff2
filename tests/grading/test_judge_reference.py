"""``nnutils.checks.using`` and ``depends_on`` in the grader's engine: a hidden test of a
later exercise can judge it with the reference of an earlier one (the student's later
function then calls the reference, in the worker), and a public test blames the earlier
function. The fixture: 00_tiny with mean_square calling square, and square wrong."""

from __future__ import annotations

import copy

import nbformat
import pytest

from autograde.grading.run import judge_notebook
from autograde.grading.sandbox import Limits
from autograde.grading.trials import run_exercise
from autograde.notebook import cells_by_id

from .conftest import source

SQUARE_WRONG = "def square(x):\n    return np.asarray(x, dtype=float) * 2\n"
MEAN_CALLS_SQUARE = "def mean_square(X):\n    return square(X).mean(axis=-1)\n"
PUBLIC = '''# Public test: mean_square on two samples
X = np.array([[1.0, 3.0], [0.0, 2.0]])
with depends_on("mean_square", square=lambda: check_close("square(X)", call(square, X), X * X)):
    check_close("mean_square(X)", call(mean_square, X), [5.0, 2.0], inputs={"X": X})
passed("mean_square")
'''
HIDDEN = '''# Hidden tests: mean_square alone
_ = call(mean_square, np.zeros((1, 1)))
### BEGIN HIDDEN TESTS
SQUARE = "def square(x):\\n    return np.asarray(x, dtype=np.float64) ** 2\\n"
X = np.arange(12.0).reshape(4, 3)
with using(globals(), SQUARE):
    check_close("mean_square(X)", call(mean_square, X), (X ** 2).mean(axis=1))
check_close("square(3.0) after the block", call(square, 3.0), 6.0)
### END HIDDEN TESTS
'''


def _notebook(hidden: str, square: str | None = None) -> nbformat.NotebookNode:
    """00_tiny with mean_square calling square, the tests above, and ``square`` in place of
    the reference square (None: keep it)."""
    nb = source()
    cells = cells_by_id(nb)
    cells["setup"].source = ("import numpy as np\n\nfrom nnutils.checks import call, "
                             "check_close, depends_on, passed, using\n")
    if square is not None:
        cells["square"].source = square
    cells["mean_square"].source = MEAN_CALLS_SQUARE
    cells["test_mean_square"].source = PUBLIC
    cells["hidden_mean_square"].source = hidden
    return nb


@pytest.fixture(scope="module")
def notebook_path(tmp_path_factory):
    nb = _notebook(HIDDEN, SQUARE_WRONG)
    path = tmp_path_factory.mktemp("reference") / "00_tiny.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_hidden_test_uses_the_reference_of_the_earlier_function_then_puts_it_back(
        notebook_path):
    hidden = run_exercise(notebook_path, "mean_square")["hidden_mean_square"]
    assert hidden.passed, f"{hidden.error}: {hidden.message}"


def test_without_the_reference_the_wrong_earlier_function_costs_the_later_one(notebook_path):
    plain = HIDDEN.replace("with using(globals(), SQUARE):\n    ", "")
    nb = nbformat.read(str(notebook_path), as_version=4)
    cells_by_id(nb)["hidden_mean_square"].source = plain
    path = notebook_path.with_name("00_tiny_plain.ipynb")
    nbformat.write(nb, str(path))
    assert not run_exercise(path, "mean_square")["hidden_mean_square"].passed


def test_public_test_names_the_earlier_function_to_fix(notebook_path):
    public = run_exercise(notebook_path, "mean_square")["test_mean_square"]
    assert not public.passed and public.error == "CheckFailed"
    assert "it calls square, which is wrong" in public.message
    assert "Fix square first" in public.message


def test_public_test_passes_when_the_earlier_function_is_right(notebook_path):
    nb = nbformat.read(str(notebook_path), as_version=4)
    cells_by_id(nb)["square"].source = "def square(x):\n    return np.asarray(x) ** 2.0\n"
    path = notebook_path.with_name("00_tiny_right.ipynb")
    nbformat.write(nb, str(path))
    results = run_exercise(path, "mean_square")
    assert results["test_mean_square"].passed, results["test_mean_square"].message


def _graded(tmp_path, square: str, mean_square: str):
    """Grade a submission of the notebook above (its reference square right) whose square
    and mean_square are the given sources; return the results by test."""
    reference = _notebook(HIDDEN.replace(
        'check_close("square(3.0) after the block", call(square, 3.0), 6.0)\n', ""))
    submitted = copy.deepcopy(reference)
    cells = cells_by_id(submitted)
    cells["square"].source, cells["mean_square"].source = square, mean_square
    result = judge_notebook(reference, submitted, None, tmp_path / "work",
                            Limits(timeout=60, cell_timeout=10, memory_mb=1024, output_kb=64),
                            "none")
    return {t.test: t for t in result.tests}


def test_grader_counts_a_right_later_exercise_whose_earlier_function_is_wrong(tmp_path):
    tests = _graded(tmp_path, SQUARE_WRONG, MEAN_CALLS_SQUARE)
    assert not tests["test_square"].passed and not tests["hidden_square"].passed
    public = tests["test_mean_square"]
    assert public.passed and public.error == ""
    assert "it calls square, which is wrong" in public.message
    assert "Counted as passed: with the course's own square, mean_square passes" in \
        public.message
    assert tests["hidden_mean_square"].passed


def test_grader_still_fails_a_later_exercise_that_is_wrong_too(tmp_path):
    wrong_mean = "def mean_square(X):\n    return square(X).sum(axis=-1)\n"
    tests = _graded(tmp_path, SQUARE_WRONG, wrong_mean)
    public = tests["test_mean_square"]
    assert not public.passed and "Fix square first" in public.message
    assert not tests["hidden_mean_square"].passed
