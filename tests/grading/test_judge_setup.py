"""The instructor's setup cells are bounded by the notebook's total budget, not the per-cell
limit: a slow import on a busy machine must not zero a notebook (CI saw TensorFlow's
import take over 10 s). Setup cells are restored from the source before grading, so
only the instructor's code runs in them."""

from __future__ import annotations

import copy

from autograde.grading.judge import Judge
from autograde.grading.sandbox import Limits
from autograde.notebook import cells_by_id

from .conftest import source

LIMITS = Limits(timeout=8, cell_timeout=1, memory_mb=1024)


def _with_setup(extra: str):
    nb = copy.deepcopy(source())
    cells_by_id(nb)["setup"].source += "\n" + extra
    return nb


def test_a_setup_cell_slower_than_the_cell_limit_still_grades(tmp_path):
    result = Judge(_with_setup("import time\ntime.sleep(2.5)"), tmp_path, LIMITS, "none").run()
    assert (result.status, result.score, result.max_score) == ("graded", 6, 6), result.detail
    assert result.incidents == []


def test_a_student_cell_still_has_the_cell_limit(tmp_path):
    nb = copy.deepcopy(source())
    cells_by_id(nb)["square"].source = "import time\ntime.sleep(2.5)\n" + \
        cells_by_id(nb)["square"].source
    result = Judge(nb, tmp_path, LIMITS, "none").run()
    assert result.status == "graded" and result.score == 3, result.detail
    assert [i.cause for i in result.incidents] == ["timeout"], result.incidents
