"""validate's checks that need no kernel: freshness of notebooks/ and leaks."""

from __future__ import annotations

import copy

import nbformat
import pytest
from ag_support import GOOD_SOURCE, TINY, tiny_release, tiny_source, use_case

from autograde.compare import notebook_differences
from autograde.leaks import find_leaks, is_trivial, secret_lines, visible_lines
from autograde.notebook import cells_by_id, read
from autograde.release import release
from autograde.validate import static_checks


@pytest.fixture
def released(tiny):
    release(tiny, [TINY])
    return tiny


def checks(course):
    (report,) = static_checks(course, [TINY])
    return report.checks


def test_fresh_release_matches_and_leaks_nothing(released):
    found = checks(released)
    assert {name: found[name].problems for name in ("layout", "fresh", "leaks")} == {
        "layout": [], "fresh": [], "leaks": []}


def test_running_the_release_does_not_make_it_stale(released):
    path = tiny_release(released)
    nb = read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 3
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
            cell.metadata["collapsed"] = True
        cell.id = "x" + cell.id
    nbformat.write(nb, path)
    assert checks(released)["fresh"].problems == []


def test_stale_release_names_the_changed_cell(released):
    source = tiny_source(released)
    nb = read(source)
    cells_by_id(nb)["hidden_square"].metadata.nbgrader.points = 3
    nbformat.write(nb, source)
    assert checks(released)["fresh"].problems == [
        f"notebooks/{TINY}/{TINY}.ipynb: 'hidden_square' differs from a fresh release; "
        f"run `autograde release {TINY}`"]


def test_missing_and_stray_release_files_are_stale(released):
    tiny_release(released).unlink()
    (released.release_dir / TINY / "notes.txt").write_text("old")
    assert checks(released)["fresh"].problems == [
        f"notebooks/{TINY}/{TINY}.ipynb: missing: it was never released; "
        f"run `autograde release {TINY}`",
        f"notebooks/{TINY}/notes.txt: not produced by a release any more; "
        f"run `autograde release {TINY}`"]


def test_cell_count_difference_is_reported():
    nb = read(GOOD_SOURCE)
    fewer = copy.deepcopy(nb)
    fewer.cells.pop()
    assert notebook_differences(fewer, nb) == ["it has 12 cells, a fresh release has 13"]


@pytest.mark.parametrize("case, expected", [
    ("leaked-hidden-test",
     "cell 5 ('print(square(np.array([1.0, -2.0, 3.0...') of the release shows "
     "'M = np.arange(6.0).reshape(2, 3) - 2.5', which is part of the hidden tests in "
     "'hidden_square'"),
    ("leaked-solution",
     "'square_prompt' of the release shows 'return np.asarray(x, dtype=np.float64) ** 2', "
     "which is part of the solution in 'square'"),
])
def test_leaked_fixture_is_caught(tiny, case, expected):
    use_case(tiny, case)
    release(tiny, [TINY])
    problems = checks(tiny)["leaks"].problems
    assert len(problems) == 1 and expected in problems[0], problems
    assert problems[0].endswith(f"fix solutions/{TINY}/{TINY}.ipynb")


def test_hidden_test_sharing_the_public_set_up_is_no_leak(tiny):
    use_case(tiny, "hidden-test-shares-public-setup")
    release(tiny, [TINY])
    assert checks(tiny)["leaks"].problems == []


def without_regions(nb):
    """A stand-in for the release: every cell without its solution and hidden regions."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.source = "\n".join(visible_lines(cell.source))
    return nb


def test_solution_line_shown_by_a_test_cell_is_no_leak():
    source = read(GOOD_SOURCE)
    line = "return np.asarray(x, dtype=np.float64) ** 2"
    student = without_regions(source)
    assert find_leaks(source, student) == []
    cells_by_id(student)["square_prompt"].source += f"\n\n    {line}"
    assert len(find_leaks(source, student)) == 1
    cells_by_id(source)["test_square"].source += f"\n# the reference: {line}\n{line}"
    assert find_leaks(source, student) == []


def test_markers_in_a_release_are_leaks():
    source = read(GOOD_SOURCE)
    student = copy.deepcopy(source)
    assert any("contains the marker 'BEGIN SOLUTION'" in leak
               for leak in find_leaks(source, student))


@pytest.mark.parametrize("line, trivial", [
    ("else:", True),
    ("grads = call(backward, params, cache, Y)", True),
    ("return params, history", True),
    ("return np.asarray(x, dtype=np.float64) ** 2", False),
    ("M = np.arange(6.0).reshape(2, 3) - 2.5", False),
    ("# subtract the row maximum before exp", False),
])
def test_trivial_lines_are_names_and_punctuation_or_short(line, trivial):
    assert is_trivial(line) is trivial


def test_secret_lines_name_their_cell():
    secrets = secret_lines(read(GOOD_SOURCE))
    assert secrets["return np.asarray(x, dtype=np.float64) ** 2"] == "the solution in 'square'"
    assert secrets["X = np.arange(12.0).reshape(4, 3)"] == (
        "the hidden tests in 'hidden_mean_square'")
