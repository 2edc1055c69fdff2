"""The real course, one parametrized test per check and assignment in solutions/.

A fresh release of each assignment is generated once per test process (into a
temporary folder, with a scratch gradebook), and each notebook is executed by
exactly one test, so the suite runs every real notebook once as a solution and
once as a release.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
from ag_support import ASSIGNMENTS, REAL

from autograde.compare import release_differences
from autograde.execute import run_notebook
from autograde.leaks import find_leaks
from autograde.notebook import read
from autograde.release import fresh_release
from autograde.validate import judge_release, judge_solution

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no assignments in solutions/ yet")

_STAGE = tempfile.TemporaryDirectory(prefix="autograde-test-release-")


@functools.cache
def fresh(name: str) -> Path:
    """The folder of a fresh release of assignment ``name`` (generated once per process)."""
    return fresh_release(REAL, [name], Path(_STAGE.name) / name)[name]


def notebooks(name: str) -> list[tuple[Path, Path]]:
    """(source notebook, its fresh release) pairs of assignment ``name``."""
    return [(source, fresh(name) / source.name) for source in REAL.source_notebooks(name)]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_committed_release_equals_a_fresh_release(name):
    differences = release_differences(REAL.release_dir / name, fresh(name))
    assert differences == {}, f"notebooks/{name} is stale: run `autograde release {name}`: " \
                              f"{differences}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_shows_no_solution_or_hidden_test(name):
    leaks = [leak for source, student in notebooks(name)
             for leak in find_leaks(read(source), read(student))]
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_runs_headless_with_every_graded_cell_passing_silently(name):
    for source, _ in notebooks(name):
        run = run_notebook(source)
        problems, _ = judge_solution(run)
        assert not problems, "\n".join(problems)
        assert run.graded_indices() and all(run.cells[i].passed for i in run.graded_indices())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_graded_cell_of_the_release_fails_with_not_implemented(name):
    for _, student in notebooks(name):
        run = run_notebook(student)
        problems = judge_release(run)
        assert not problems, "\n".join(problems)
        errors = {run.cells[i].error for i in run.graded_indices()}
        assert errors == {"NotImplementedError"}
