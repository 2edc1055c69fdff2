"""Regrade diff: after a test fix, which students' grades changed, before anything is published."""

from __future__ import annotations

import pytest

from autograde import notebook
from autograde.cli import main
from autograde.grading import record
from autograde.grading.diff import changes, text
from autograde.grading.result import GradeResult, TestResult

from .conftest import MEAN_WRONG, NAME, course, put, submission


def results(folder, scores: dict[str, tuple[float, str]]):
    for student, (score, status) in scores.items():
        record.save_result(folder, GradeResult(
            student, NAME, status, "", score, 6, 1.0, "d",
            [TestResult("hidden_square", min(score, 2), 2, True,
                        "" if score >= 2 else "square(M) is off")]))
    return folder


def test_only_changed_scores_and_statuses_are_listed(tmp_path):
    old = results(tmp_path / "old", {"ann": (6, "graded"), "ben": (6, "graded"),
                                     "cy": (0, "timeout"), "dee": (3, "graded")})
    new = results(tmp_path / "new", {"ann": (6, "graded"), "ben": (1, "graded"),
                                     "cy": (0, "graded"), "eve": (6, "graded")})
    found = changes(old, new)
    assert [c.student_id for c in found] == ["ben", "cy", "dee", "eve"]
    table = text(found, old, new)
    assert "| ben | 00_tiny | 6 -> 1 | graded -> graded | hidden_square: 2 -> 1 " \
           "(square(M) is off) |" in table
    assert "| cy | 00_tiny | 0 -> 0 | timeout -> graded |" in table
    assert "| dee | 00_tiny | 3 -> - | graded -> - |" in table
    assert "ann" not in table


def test_a_folder_without_results_is_a_clear_error(tmp_path):
    from autograde.errors import AutogradeError
    with pytest.raises(AutogradeError, match="holds no results/ folder"):
        changes(tmp_path, tmp_path)


@pytest.mark.slow
def test_force_keeps_the_previous_grades_and_diff_names_who_changed(tmp_path, capsys):
    """A stricter hidden test, then grade --force: the old grades are kept, and diff lists
    exactly the student the fix affects."""
    crs = course(tmp_path)
    subs = tmp_path / "subs"
    put(subs, "right", submission())
    put(subs, "wrong-axis", submission(mean=MEAN_WRONG))
    put(subs, "abs-then-square", submission(     # right: |x|^2 = x^2 for real x
        "def square(x):\n    return np.abs(np.asarray(x, dtype=float)) ** 2\n"))
    put(subs, "scalar-becomes-vector", submission(   # right on arrays, wrong on a number
        "def square(x):\n    return np.atleast_1d(np.asarray(x, dtype=float)) ** 2\n"))
    out = tmp_path / "out"
    grade = ["--root", str(crs.root), "grade", str(subs), "--out", str(out), "--workers", "2",
             "--no-progress", "--sandbox", "none"]
    assert main(grade) == 0
    before = {r.student_id: r.score for r in record.all_results(out)}
    source = crs.source_notebook(NAME)
    nb = notebook.read(source)
    hidden = notebook.cells_by_id(nb)["hidden_square"]
    hidden.source = hidden.source.replace(
        "### END HIDDEN TESTS", "check_close('square(0.5)', call(square, 0.5), 0.25)\n"
                                "### END HIDDEN TESTS")
    import nbformat
    nbformat.write(nb, source)
    assert main([*grade, "--force"]) == 0
    (kept,) = (out / "history").iterdir()
    assert {r.student_id: r.score for r in record.all_results(kept)} == before
    capsys.readouterr()
    assert main(["diff", str(kept), str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 grade(s) changed" in printed
    assert "| scalar-becomes-vector | 00_tiny | 6 -> 4 | graded -> graded | hidden_square: " \
        "2 -> 0" in printed
