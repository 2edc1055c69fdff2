"""autograde release: nbgrader's generate_assignment, checked first, committed byte-stably."""

from __future__ import annotations

import re

import pytest
from ag_support import ROOT, TINY, copy_fixture_course, tiny_release, tiny_source, use_case
from nbgrader.api import Gradebook
from nbgrader.utils import compute_checksum
from traitlets.config.loader import PyFileConfigLoader

from autograde.errors import AutogradeError, LayoutError
from autograde.nbgrader_config import CELL_TIMEOUT
from autograde.notebook import cells_by_id, meta, read
from autograde.release import release

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"


@pytest.fixture
def released(tiny):
    written = release(tiny, [TINY])
    return tiny, written


def test_release_writes_the_student_notebook(released):
    course, written = released
    assert [(w.path, w.status) for w in written] == [(tiny_release(course), "new")]


def test_solution_body_becomes_a_stub_after_the_docstring(released):
    course, _ = released
    source = cells_by_id(read(tiny_source(course)))["square"].source
    student = cells_by_id(read(tiny_release(course)))["square"].source
    signature_and_docstring = source.split("    ### BEGIN SOLUTION")[0]
    assert student == signature_and_docstring + STUB


def test_hidden_tests_are_removed_and_the_visible_call_kept(released):
    course, _ = released
    student = cells_by_id(read(tiny_release(course)))["hidden_square"].source
    assert student == ("# Hidden tests: square on a matrix with negative entries\n"
                       "call(square, np.zeros(1))")


def test_every_cell_kept_in_order_without_outputs(released):
    course, _ = released
    source, student = read(tiny_source(course)), read(tiny_release(course))
    assert [c.cell_type for c in student.cells] == [c.cell_type for c in source.cells]
    assert all(not c.get("outputs") for c in student.cells)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text


def test_release_carries_valid_checksums_and_locks(released):
    course, _ = released
    cells = cells_by_id(read(tiny_release(course)))
    for gid, cell in cells.items():
        assert meta(cell)["checksum"] == compute_checksum(cell), gid
    for gid in ("setup", "test_square", "hidden_square", "test_mean_square"):
        assert cells[gid].metadata["editable"] is False, gid
        assert cells[gid].metadata["deletable"] is False, gid


def test_release_records_the_assignment_in_the_gradebook(released):
    course, _ = released
    with Gradebook(f"sqlite:///{course.gradebook}", "nn-first-principles") as gb:
        assignment = gb.find_assignment(TINY)
        assert assignment.max_score == 6
        assert sorted(c.name for c in assignment.notebooks[0].grade_cells) == [
            "hidden_mean_square", "hidden_square", "test_mean_square", "test_square"]


def test_release_twice_is_byte_identical_and_unchanged(released, tmp_path):
    course, _ = released
    first = tiny_release(course).read_bytes()
    again = release(course, [TINY])
    assert [w.status for w in again] == ["unchanged"]
    elsewhere = copy_fixture_course(tmp_path / "other")
    release(elsewhere, [TINY])
    assert tiny_release(elsewhere).read_bytes() == first == tiny_release(course).read_bytes()


def test_release_rewrites_changed_files_and_removes_strays(released):
    course, _ = released
    stray = course.release_dir / TINY / "old_data.csv"
    stray.write_text("1,2\n")
    tiny_release(course).write_text("{}")
    statuses = {w.path.name: w.status for w in release(course, [TINY])}
    assert statuses == {f"{TINY}.ipynb": "updated", "old_data.csv": "removed"}
    assert not stray.exists()


def test_release_copies_other_files_of_the_assignment(tiny):
    (tiny.source_dir / TINY / "data.csv").write_text("x\n1\n")
    written = release(tiny, [TINY])
    assert (tiny.release_dir / TINY / "data.csv").read_text() == "x\n1\n"
    assert sorted(w.path.name for w in written) == [f"{TINY}.ipynb", "data.csv"]


@pytest.mark.parametrize("case, problem", [
    ("missing-hidden-cell", "exercise 'mean_square' has no hidden test cell"),
    ("duplicate-grade-id", "grade_id 'test_square' is used by cells 6, 11"),
])
def test_release_refuses_a_malformed_source_and_writes_nothing(tiny, case, problem):
    use_case(tiny, case)
    with pytest.raises(LayoutError) as err:
        release(tiny, [TINY])
    message = str(err.value)
    assert re.match(r"\d problem\(s\) in the source notebooks \(see docs/authoring.md\); "
                    r"fix them, then run the command again:$", message.splitlines()[0])
    assert f"solutions/{TINY}/{TINY}.ipynb: {problem}" in message
    assert not tiny.release_dir.exists()


def test_nbgrader_failure_is_reported_in_one_line_with_its_cause(tiny):
    source = tiny_source(tiny)
    text = source.read_text().replace("### BEGIN SOLUTION", "### BEGIN SOLUTION\\n"
                                      "    ### BEGIN SOLUTION", 1)
    source.write_text(text)
    with pytest.raises(AutogradeError) as err:
        release(tiny, [TINY])
    assert str(err.value).startswith(
        f"nbgrader generate_assignment {TINY} failed: RuntimeError: encountered nested "
        f"begin solution statements (full log: build/logs/release-{TINY}.log)")
    assert (tiny.build_dir / "logs" / f"release-{TINY}.log").exists()


def test_repository_nbgrader_config_points_at_the_course():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    course = config.CourseDirectory
    assert course.root == str(ROOT)
    assert (course.source_directory, course.release_directory) == ("solutions", "notebooks")
    assert course.db_url == f"sqlite:///{ROOT / 'build' / 'gradebook.db'}"
    assert config.Execute.timeout == CELL_TIMEOUT >= 300
    assert config.ClearSolutions.code_stub == {"python": STUB.replace("    ", "")}


COURSE_RELEASES = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
SILENT_CALLS = {"print", "check_answered"}   # return None: a cell ending in one shows no value


@pytest.mark.parametrize("path", COURSE_RELEASES, ids=lambda p: p.stem)
def test_released_hidden_test_cells_promise_nothing(path):
    """A released cell whose hidden tests were stripped neither prints a pass (it has not
    run its tests) nor ends in a bare value (Jupyter would show it as the cell's result);
    every public test's pass line says that more tests run when graded."""
    import ast
    source = read(ROOT / "solutions" / path.parent.name / path.name)
    hidden = {meta(c)["grade_id"] for c in source.cells
              if meta(c).get("grade") and "BEGIN HIDDEN TESTS" in c.source}
    assert hidden, "no hidden test cells found"
    for gid, cell in cells_by_id(read(path)).items():
        if gid in hidden:
            assert "passed(" not in cell.source, f"{gid} prints a pass before grading"
            last = ast.parse(cell.source).body[-1]
            assert not isinstance(last, ast.Expr) or \
                getattr(getattr(last.value, "func", None), "id", "") in SILENT_CALLS, \
                f"{gid} ends in a bare value: {ast.unparse(last)[:60]}"
        elif meta(cell).get("grade"):
            assert re.search(r'^passed\("\w+"\)$', cell.source, flags=re.M), \
                f"{gid}: a public test ends with passed(NAME)"
