"""The real course's solution notebooks, one test per assignment in solutions/: each runs
headless (fresh kernel, the headless matplotlib backend, its own folder) with every graded
cell passing and no cell writing to stderr. Each notebook is executed by this test only."""

from __future__ import annotations

import pytest
from ag_support import ASSIGNMENTS, REAL

from autograde.execute import run_notebook
from autograde.validate import judge_solution

pytestmark = [pytest.mark.slow,   # runs whole notebooks: make test only
              pytest.mark.skipif(not ASSIGNMENTS, reason="no assignments in solutions/ yet")]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_runs_headless_with_every_graded_cell_passing_silently(name):
    for source in REAL.source_notebooks(name):
        run = run_notebook(source)
        problems, warnings = judge_solution(run)
        assert not problems, "\n".join(problems)
        assert not warnings, "\n".join(warnings)
        assert run.graded_indices() and all(run.cells[i].passed for i in run.graded_indices())
