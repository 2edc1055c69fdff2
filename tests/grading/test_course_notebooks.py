"""The course's own notebooks through the trusted grader: reference = full marks, release = 0.

Graded tests run in the grader's process against proxies of the student's
functions, so this proves every test cell of every notebook works through the
sandbox boundary (arrays, scalars, generators, callbacks, Keras models).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograde.config import Course
from autograde.grading.run import Options, grade_class
from autograde.grading.sandbox import Limits

pytestmark = pytest.mark.slow   # grades or runs whole notebooks: make test only

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir()
                     if (p / f"{p.name}.ipynb").exists())


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """Grade a class of two per assignment: the reference solution and the blank release."""
    tmp = tmp_path_factory.mktemp("course")
    subs = tmp / "subs"
    for name in ASSIGNMENTS:
        for student, folder in (("reference", "solutions"), ("blank", "notebooks")):
            path = ROOT / folder / name / f"{name}.ipynb"
            if path.exists():
                (subs / student).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, subs / student / f"{name}.ipynb")
    course = Course(ROOT)
    results = grade_class(Options(subs, tmp / "out", course, workers=2, progress=False,
                                  limits=Limits(timeout=300, memory_mb=3072)))
    graded = {(r.student_id, r.assignment): r for r in results}
    graded["out"] = tmp / "out"
    return graded


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_reference_solution_gets_full_marks(graded_course, name):
    result = graded_course[("reference", name)]
    failed = [f"{t.test}: {t.message[:300]}" for t in result.tests
              if t.points != t.max_points]
    assert result.status == "graded", result.detail
    assert not failed and result.score == result.max_score > 0, "\n".join(failed)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_release_gets_zero(graded_course, name):
    if not (ROOT / "notebooks" / name / f"{name}.ipynb").exists():
        pytest.skip("not released yet")
    result = graded_course[("blank", name)]
    assert result.status == "graded", result.detail
    assert result.score == 0, [t.test for t in result.tests if t.points]
    assert all("NotImplementedError" in t.message for t in result.tests)


@pytest.mark.parametrize("name", [n for n in ASSIGNMENTS if n[:2] in ("04", "05", "06")])
def test_training_demos_train_one_epoch_when_graded(graded_course, name):
    """No test needs a trained network, so the grader does not wait for the demos' training."""
    text = (graded_course["out"] / "autograded" / "reference" / f"{name}.ipynb").read_text()
    assert "[autograder] fit trains 1 epoch instead of" in text
