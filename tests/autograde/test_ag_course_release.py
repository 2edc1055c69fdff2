"""The real course's student notebooks, per assignment in solutions/: notebooks/ equals a
fresh release, the release shows no solution or hidden test, and every graded cell of the
release fails with NotImplementedError (each release is executed by one test only).

Solution runs live in test_ag_course_solutions.py, so that `pytest --dist loadfile` runs
the two halves on different workers.
"""

from __future__ import annotations

import pytest
from ag_support import ASSIGNMENTS, REAL, fresh, real_notebooks

from autograde.compare import release_differences
from autograde.execute import run_notebook
from autograde.leaks import find_leaks
from autograde.notebook import read
from autograde.validate import judge_release

pytestmark = [pytest.mark.slow,   # runs whole notebooks: make test only
              pytest.mark.skipif(not ASSIGNMENTS, reason="no assignments in solutions/ yet")]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_committed_release_equals_a_fresh_release(name):
    differences = release_differences(REAL.release_dir / name, fresh(name))
    assert differences == {}, f"notebooks/{name} is stale: run `autograde release {name}`: " \
                              f"{differences}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_shows_no_solution_or_hidden_test(name):
    leaks = [leak for source, student in real_notebooks(name)
             for leak in find_leaks(read(source), read(student))]
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_graded_cell_of_the_release_fails_with_not_implemented(name):
    for _, student in real_notebooks(name):
        run = run_notebook(student)
        problems = judge_release(run)
        assert not problems, "\n".join(problems)
        errors = {run.cells[i].error for i in run.graded_indices()}
        assert errors == {"NotImplementedError"}
