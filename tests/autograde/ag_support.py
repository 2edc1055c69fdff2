"""Paths and helpers shared by the autograde tests (imported by name: tests/ has no package).

``tests/fixtures/course`` holds one good assignment, ``00_tiny`` (two exercises,
``square`` and ``mean_square``, 6 points). ``tests/fixtures/broken/CASE.ipynb``
are variants of its source notebook, each named after the failure it covers.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from autograde.config import Course
from autograde.release import fresh_release

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
TINY = "00_tiny"
GOOD_SOURCE = FIXTURES / "course" / "solutions" / TINY / f"{TINY}.ipynb"
REAL = Course(ROOT)
ASSIGNMENTS = REAL.assignments()


def tiny_source(course: Course) -> Path:
    return course.source_dir / TINY / f"{TINY}.ipynb"


def tiny_release(course: Course) -> Path:
    return course.release_dir / TINY / f"{TINY}.ipynb"


def use_case(course: Course, case: str) -> Path:
    """Replace the fixture course's source notebook with ``broken/CASE.ipynb``."""
    target = tiny_source(course)
    shutil.copy(FIXTURES / "broken" / f"{case}.ipynb", target)
    return target


def copy_fixture_course(folder: Path) -> Course:
    """A private copy of the fixture course in ``folder``, not released yet."""
    shutil.copytree(FIXTURES / "course", folder / "course")
    return Course(folder / "course")


_STAGE = tempfile.TemporaryDirectory(prefix="autograde-test-release-")


@functools.cache
def fresh(name: str) -> Path:
    """A fresh release of the real assignment ``name`` (generated once per test process,
    into a temporary folder with a scratch gradebook); returns its folder."""
    return fresh_release(REAL, [name], Path(_STAGE.name) / name)[name]


def real_notebooks(name: str) -> list[tuple[Path, Path]]:
    """(source notebook, its fresh release) pairs of the real assignment ``name``."""
    return [(source, fresh(name) / source.name) for source in REAL.source_notebooks(name)]
