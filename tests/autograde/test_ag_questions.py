"""Self-check questions: an answer cell ``q_NAME`` and its hidden test ``hidden_q_NAME``.
The release shows ``q_NAME = ...`` (the cell runs, so Run All goes on), the released test
fails with NotImplementedError until it is answered, the grader grades the answer with
its explanation, and the layout rules keep a question to its hidden test."""

from __future__ import annotations

import nbformat
import pytest
from ag_support import TINY, tiny_release, tiny_source

from autograde.grading.trials import run_exercise
from autograde.layout import layout_problems
from autograde.notebook import cells_by_id, exercise_ids, read, solution_ids
from autograde.release import release

ANSWER = ("# Q1. How many entries does square(np.ones((2, 3))) square? (a whole number)\n"
          "### BEGIN SOLUTION\nq_entries = 6\n### END SOLUTION")
TEST = ("# Hidden tests: question q_entries\ncheck_answered(\"q_entries\", q_entries)\n"
        "### BEGIN HIDDEN TESTS\ncheck_answer(\"q_entries\", q_entries, 6, why=\"2 x 3 = 6.\")\n"
        "### END HIDDEN TESTS")


def _cell(source: str, grade_id: str, *, solution: bool, points: int = 0):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution,
                                 "grade": not solution, "locked": not solution,
                                 "schema_version": 3, **({"points": points} if points else {})}
    return cell


def with_question(nb, *, hidden: bool = True, public: bool = False):
    setup = cells_by_id(nb)["setup"]
    setup.source = setup.source.replace("passed", "check_answer, check_answered, passed")
    cells = [_cell(ANSWER, "q_entries", solution=True)]
    if public:
        cells.append(_cell("print(q_entries)", "test_q_entries", solution=False, points=1))
    if hidden:
        cells.append(_cell(TEST, "hidden_q_entries", solution=False, points=1))
    nb.cells[-1:-1] = cells
    return nb


@pytest.fixture
def questioned(tiny):
    path = tiny_source(tiny)
    nbformat.write(with_question(read(path)), str(path))
    return tiny, path


def test_a_question_is_a_solution_cell_but_not_an_exercise(questioned):
    _, path = questioned
    nb = read(path)
    assert "q_entries" in solution_ids(nb) and "q_entries" not in exercise_ids(nb)
    assert layout_problems(nb) == []


def test_the_release_shows_the_answer_as_a_placeholder_that_runs(questioned):
    course, _ = questioned
    release(course, [TINY])
    cells = cells_by_id(read(tiny_release(course)))
    assert cells["q_entries"].source == (
        "# Q1. How many entries does square(np.ones((2, 3))) square? (a whole number)\n"
        "q_entries = ...  # your answer")
    assert cells["hidden_q_entries"].source == (
        '# Hidden tests: question q_entries\ncheck_answered("q_entries", q_entries)')


@pytest.mark.parametrize("answer, passes, error", [
    ("q_entries = 6", True, ""), ("q_entries = '6'", True, ""),
    ("q_entries = 5", False, "CheckFailed"), ("q_entries = ...", False, "NotImplementedError"),
])
def test_the_grader_grades_the_answer(questioned, answer, passes, error):
    _, path = questioned
    hidden = run_exercise(path, "q_entries", replacement=answer)["hidden_q_entries"]
    assert hidden.passed is passes and hidden.error == error, hidden
    if error == "CheckFailed":
        assert "the answer is 6. 2 x 3 = 6." in hidden.message


def test_a_question_needs_its_hidden_test_and_no_public_one(tiny):
    path = tiny_source(tiny)
    missing = layout_problems(with_question(read(path), hidden=False))
    assert any("no hidden test cell 'hidden_q_entries'" in p for p in missing), missing
    public = layout_problems(with_question(read(path), public=True))
    assert any("public check of an answer gives it away" in p for p in public), public
