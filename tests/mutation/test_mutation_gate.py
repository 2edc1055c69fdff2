"""The gate: every graded exercise's tests kill at least 90% of its mutants.

Runs ``autograde mutate`` on each assignment in solutions/ (one test per
assignment, so that pytest-xdist spreads them) with the default cap of mutants
per operator family. Mutants reviewed as equivalent in
solutions/equivalent_mutants.toml do not count. Results are cached in
build/mutation-cache/ by content, so only exercises whose code, tests or
helpers changed run again. A failure lists the surviving mutants: add a test
that kills each, or, if no test can, list it as equivalent with its reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograde.config import Course
from autograde.mutation.cache import CACHE_DIR
from autograde.mutation.engine import Settings, mutate_course
from autograde.mutation.report import verdict

pytestmark = pytest.mark.slow   # runs every mutant of every notebook (cached in build/)
ROOT = Path(__file__).resolve().parents[2]
MIN_SCORE = 0.9


def _workers() -> int:
    """The cores left to this test: all of them, shared among pytest-xdist's workers."""
    sharing = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return max(1, (os.cpu_count() or 1) // sharing)


@pytest.mark.parametrize("assignment", Course(ROOT).assignments())
def test_every_exercise_kills_most_of_its_mutants(assignment):
    settings = Settings(workers=_workers(), cache_dir=ROOT / CACHE_DIR,
                        equivalent_file=Course(ROOT).equivalent_mutants)
    report = mutate_course(Course(ROOT), [assignment], settings)
    assert report.exercises, f"{assignment} has no graded exercise to mutate"
    low = report.below(MIN_SCORE)
    if low:
        pytest.fail(verdict(low, MIN_SCORE) + "\nKill each survivor with a test, or list it in "
                    "solutions/equivalent_mutants.toml with the reason no test can.", pytrace=False)
