"""autograde.layout: the authoring rules that release and validate enforce."""

from __future__ import annotations

import copy

import nbformat
import pytest
from ag_support import ASSIGNMENTS, FIXTURES, GOOD_SOURCE, REAL

from autograde.layout import layout_problems
from autograde.notebook import cells_by_id, read


def good():
    return read(GOOD_SOURCE)


def test_good_fixture_follows_the_layout():
    assert layout_problems(good()) == []


@pytest.mark.parametrize("case, expected", [
    ("missing-hidden-cell", "exercise 'mean_square' has no hidden test cell "
                            "'hidden_mean_square'"),
    ("duplicate-grade-id", "grade_id 'test_square' is used by cells 6, 11"),
    ("unlocked-test-cell", "test cell 'test_square' is not locked"),
    ("zero-points", "test cell 'hidden_square' has points 0: give it points > 0"),
    ("hidden-cell-without-markers", "hidden test cell 'hidden_square' has no ### BEGIN "
                                    "HIDDEN TESTS / ### END HIDDEN TESTS region"),
    ("solution-cell-without-markers", "solution cell 'mean_square' has no ### BEGIN "
                                      "SOLUTION / ### END SOLUTION region"),
])
def test_broken_fixture_is_named_by_its_problem(case, expected):
    problems = layout_problems(read(FIXTURES / "broken" / f"{case}.ipynb"))
    assert any(expected in p for p in problems), problems


def edited(edit):
    nb = copy.deepcopy(good())
    edit(nb, cells_by_id(nb))
    return layout_problems(nb)


def test_wrong_kernel_is_reported():
    def edit(nb, cells):
        nb.metadata.kernelspec.name = "python2"
    assert edited(edit) == ["notebook kernelspec is 'python2': set metadata.kernelspec.name "
                            "to 'python3' (the course kernel)"]


def test_missing_setup_cell_is_reported():
    def edit(nb, cells):
        nb.cells.remove(cells["setup"])
    assert edited(edit) == ["no locked code cell with grade_id 'setup': add one holding "
                            "the imports"]


def test_graded_solution_cell_is_reported():
    def edit(nb, cells):
        cells["square"].metadata.nbgrader.grade = True
    assert any("solution cell 'square' has grade: true" in p for p in edited(edit))


def test_test_cell_before_its_solution_is_reported():
    def edit(nb, cells):
        nb.cells.remove(cells["test_square"])
        nb.cells.insert(0, cells["test_square"])
    assert edited(edit) == ["test cell 'test_square' comes before 'square': move it after "
                            "'square'"]


def test_nbgrader_cell_without_grade_id_is_reported():
    def edit(nb, cells):
        del cells["summary"].metadata.nbgrader["grade_id"]
    assert edited(edit) == ["cell 13 has nbgrader metadata but no grade_id: give it one"]


def test_markers_outside_their_cells_are_reported():
    def edit(nb, cells):
        cells["summary"].source += "\n### BEGIN SOLUTION\n### END SOLUTION"
        cells["test_square"].source += "\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS"
    problems = edited(edit)
    assert any(p.startswith("'summary' holds a SOLUTION marker") for p in problems), problems
    assert any(p.startswith("'test_square' holds a HIDDEN TESTS marker") for p in problems)


def test_markdown_cell_of_at_most_250_words_passes():
    def edit(nb, cells):
        cells["summary"].source = "## Summary\n\n" + "word " * 248 + "\n\n"
    assert edited(edit) == []


def test_markdown_cell_over_250_words_is_reported_with_its_count():
    def edit(nb, cells):
        cells["summary"].source = "## Summary\n" + "a\n\n  word " * 125
    assert edited(edit) == ["markdown 'summary' has 252 words, more than 250: split it into "
                            "cells, or move detail into a collapsed <details> hint in a cell "
                            "of its own"]


def test_long_markdown_cell_without_grade_id_is_named_by_number_and_first_line():
    def edit(nb, cells):
        nb.cells.insert(2, nbformat.v4.new_markdown_cell("## Long\n" + "word " * 300))
        nb.cells.insert(3, nbformat.v4.new_code_cell("x = 1\n" * 300))
    assert edited(edit) == ["markdown cell 3 ('## Long') has 302 words, more than 250: split "
                            "it into cells, or move detail into a collapsed <details> hint in "
                            "a cell of its own"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_course_notebook_follows_the_layout(name):
    problems = [p for path in REAL.source_notebooks(name) for p in layout_problems(read(path))]
    assert problems == []
