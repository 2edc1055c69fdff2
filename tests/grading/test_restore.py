"""restore: the notebook to grade has the source's nbgrader cells and the student's code.

Each test builds one submission named after what the student did to the notebook.
"""

from __future__ import annotations

import copy

import nbformat

from autograde import notebook
from autograde.grading.restore import STUB, restore

from .conftest import MEAN_WRONG, source, submission


def ids(nb) -> list[str | None]:
    return [notebook.grade_id(c) for c in nb.cells]


def graded(nb) -> dict[str, tuple[str, float]]:
    return {notebook.grade_id(c): (c.source, notebook.meta(c).get("points"))
            for c in nb.cells if notebook.meta(c).get("grade")}


def test_untouched_submission_keeps_the_students_code():
    restored = restore(source(), submission(mean=MEAN_WRONG))
    assert ids(restored) == ids(source())
    assert notebook.cells_by_id(restored)["mean_square"].source == MEAN_WRONG


def test_edited_tests_and_forged_points_come_back_from_the_source():
    nb = submission(tamper_tests=True)
    for cell in notebook.graded_cells(nb):
        cell.metadata["nbgrader"]["points"] = 100
    assert graded(restore(source(), nb)) == graded(source())


def test_deleted_and_reordered_cells_are_put_back_in_the_sources_order():
    nb = submission()
    nb.cells = [c for c in nb.cells if not notebook.meta(c).get("grade")][::-1]
    restored = restore(source(), nb)
    assert [i for i in ids(restored) if i] == [i for i in ids(source()) if i]
    assert graded(restored) == graded(source())


def test_a_deleted_solution_cell_becomes_the_release_stub():
    nb = submission()
    nb.cells = [c for c in nb.cells if notebook.grade_id(c) != "square"]
    release = copy.deepcopy(source())
    stub = "def square(x):\n    raise NotImplementedError()"
    notebook.cells_by_id(release)["square"].source = stub
    assert notebook.cells_by_id(restore(source(), nb, release))["square"].source == stub
    assert notebook.cells_by_id(restore(source(), nb))["square"].source == STUB


def test_cells_the_student_added_stay_after_the_cell_they_followed_without_metadata():
    nb = submission(before="print('my own experiment')")
    added = nb.cells[2]
    added.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50}
    restored = restore(source(), nb)
    position = [c.source for c in restored.cells].index("print('my own experiment')")
    assert notebook.grade_id(restored.cells[position - 1]) == notebook.grade_id(source().cells[1])
    assert "nbgrader" not in restored.cells[position].metadata
    assert "bonus" not in ids(restored)


def test_a_copied_solution_cell_counts_once_the_first_copy():
    nb = submission()
    first = notebook.cells_by_id(nb)["square"]
    duplicate = copy.deepcopy(first)
    duplicate.source = "def square(x):\n    return 0\n"
    nb.cells.append(duplicate)
    restored = restore(source(), nb)
    assert ids(restored).count("square") == 1
    assert notebook.cells_by_id(restored)["square"].source == first.source


def test_outputs_the_student_saved_are_dropped():
    nb = submission()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="all passed!")]
    assert all(not c.get("outputs") for c in restore(source(), nb).cells
               if c.cell_type == "code")
