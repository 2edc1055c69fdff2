"""What a failed test says: the check's own sentence (no grader prefixes), and a NameError
that tells a function defined further down from one renamed or deleted."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import nbformat

from autograde.grading.judge import Judge
from autograde.grading.sandbox import Limits
from autograde.grading.trials import run_exercise
from autograde.notebook import cells_by_id

from .conftest import SQUARE_OK, source

LIMITS = Limits(timeout=30, cell_timeout=10, memory_mb=1024)


def judged(nb):
    with tempfile.TemporaryDirectory() as tmp:
        result = Judge(nb, Path(tmp), LIMITS, "none").run()
    return result, {t.test: t for t in result.tests}


def test_a_failed_check_shows_its_sentence_without_grader_prefixes():
    nb = copy.deepcopy(source())
    cells_by_id(nb)["square"].source = "def square(x):\n    return -np.asarray(x) ** 2\n"
    result, tests = judged(nb)
    test = tests["test_square"]
    assert test.error == "CheckFailed"
    assert test.message.startswith("square(x) is -9 at index (2,), expected 9"), test.message
    (out,) = [o for o in cells_by_id(result.notebook)["test_square"].outputs
              if o.output_type == "error"]
    assert out.traceback[-1] == f"Test failed: {test.message}"
    assert "CheckFailed" not in "".join(out.traceback)


def test_a_function_defined_below_its_tests_is_called_out_as_such():
    nb = copy.deepcopy(source())
    cells_by_id(nb)["square"].source = "# moved further down\n"
    nb.cells.append(nbformat.v4.new_code_cell(SQUARE_OK))
    _, tests = judged(nb)
    message = tests["test_square"].message
    assert "`square` is defined in a later cell" in message, message
    assert "Restart & Run All" in message


def test_a_function_that_is_nowhere_is_called_renamed_or_deleted():
    nb = copy.deepcopy(source())
    cells_by_id(nb)["square"].source = "def squared(x):\n    return x ** 2\n"
    _, tests = judged(nb)
    message = tests["test_square"].message
    assert "Did you rename or delete a function?" in message, message
    assert "later cell" not in message


def test_a_crash_in_the_students_function_shows_their_frames_not_the_graders(tmp_path):
    path = tmp_path / "00_tiny.ipynb"
    nbformat.write(source(), str(path))
    public = run_exercise(path, "square", replacement="def square(x):\n    return x[10]\n")[
        "test_square"]
    assert public.error == "IndexError"
    assert 'line 2, in square\n    return x[10]' in public.message
    assert "worker.py" not in public.message and "interactiveshell" not in public.message
    assert "Traceback (most recent call last)" not in public.message.replace(
        "Traceback from your code (most recent call last)", "")
