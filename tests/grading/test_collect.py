"""collect: one Submission per student and assignment, or a sentence saying why not.

Each student folder below is named after the case it covers; nothing is graded.
"""

from __future__ import annotations

import os
import zipfile

import nbformat
import pytest

from autograde.grading.collect import collect

from .conftest import NAME, put, source, submission

ASSIGNMENTS = {NAME: {"square", "mean_square"}, "00_other": {"f"}}


def other_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f():\n    return 1")])
    nb.cells[0].metadata["nbgrader"] = {"solution": True, "grade_id": "f"}
    return nb


@pytest.fixture
def found(tmp_path):
    """Collect a small class; return {(student, assignment): Submission}."""
    root = tmp_path / "subs"
    put(root, "plain-folder", submission())
    put(root, "renamed-by-browser", submission(), f"{NAME} (1).ipynb")
    put(root, "two-assignments", submission())
    put(root, "two-assignments", other_notebook(), "other.ipynb")
    nested = root / "nested-in-subfolders" / "work" / "final"
    nested.mkdir(parents=True)
    nbformat.write(submission(), nested / "mine.ipynb")
    put(root, "resubmitted", submission(), "old.ipynb")
    os.utime(root / "resubmitted" / "old.ipynb", (1e9, 1e9))
    put(root, "resubmitted", submission(), "new.ipynb")
    put(root, "foreign-notebook", nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print('hi')")]))
    put(root, "broken-json", "{\"cells\": [")
    (root / "checkpoint-only" / ".ipynb_checkpoints").mkdir(parents=True)
    put(root, "checkpoint-only", submission(), ".ipynb_checkpoints/x-checkpoint.ipynb")
    (root / "empty-folder").mkdir()
    with zipfile.ZipFile(root / "zipped.zip", "w") as zf:
        zf.writestr(f"homework/{NAME}.ipynb", nbformat.writes(submission()))
    (root / "loose-notebook.ipynb").write_text(nbformat.writes(submission()))
    return {(s.student_id, s.assignment): s for s in collect(root, ASSIGNMENTS).submissions}


@pytest.mark.parametrize("student", ["plain-folder", "renamed-by-browser",
                                     "nested-in-subfolders", "zipped"])
def test_a_notebook_is_found_wherever_and_however_named(found, student):
    sub = found[(student, NAME)]
    assert (sub.status, sub.detail) == ("ok", "")
    assert len(sub.digest) == 64 and sub.nb.cells


def test_each_assignment_of_a_student_is_its_own_submission(found):
    assert found[("two-assignments", NAME)].status == "ok"
    assert found[("two-assignments", "00_other")].status == "ok"


def test_the_newest_of_two_copies_is_graded_with_a_note(found):
    sub = found[("resubmitted", NAME)]
    assert sub.status == "ok"
    assert "graded the newest, new.ipynb; ignored old.ipynb" in sub.detail


@pytest.mark.parametrize("student, status, words", [
    ("foreign-notebook", "invalid", "is not one of the course's notebooks"),
    ("broken-json", "invalid", "not valid JSON"),
    ("checkpoint-only", "missing", "no notebook was submitted"),
    ("empty-folder", "missing", "no notebook was submitted"),
    ("loose-notebook.ipynb", "invalid", "put it in a folder named by student id"),
])
def test_what_cannot_be_graded_says_why(found, student, status, words):
    (sub,) = [s for (who, _), s in found.items() if who == student]
    assert sub.status == status and words in sub.detail, sub.detail


def test_with_only_one_assignment_a_student_without_it_is_missing(tmp_path):
    root = tmp_path / "subs"
    put(root, "has-it", submission())
    put(root, "has-the-other-only", other_notebook(), "other.ipynb")
    subs = {s.student_id: s for s in collect(root, ASSIGNMENTS, only=NAME).submissions}
    assert subs["has-it"].status == "ok"
    assert (subs["has-the-other-only"].status, subs["has-the-other-only"].assignment) == \
        ("missing", NAME)


def test_the_source_notebook_itself_matches_its_assignment(tmp_path):
    put(tmp_path, "instructor", source())
    (sub,) = collect(tmp_path, ASSIGNMENTS).submissions
    assert (sub.assignment, sub.status) == (NAME, "ok")
