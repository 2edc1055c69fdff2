"""autograde validate on the fixture course: the good assignment passes, and each broken
fixture fails exactly the check named after it, with a message that says what to fix."""

from __future__ import annotations

import pytest
from ag_support import TINY, use_case

from autograde.release import release
from autograde.validate import CHECKS, validate

ALL_PASS = {check: "pass" for check in CHECKS}


def validated(course, case=None, timeout=60):
    if case:
        use_case(course, case)
    release(course, [TINY])
    (report,) = validate(course, [TINY], timeout=timeout)
    return report


def test_good_fixture_passes_every_check(tiny):
    report = validated(tiny)
    assert {name: check.status for name, check in report.checks.items()} == ALL_PASS
    assert report.ok and report.warnings == []
    assert (report.cells, report.exercises, report.graded, report.points) == (13, 2, 4, 6)
    run = report.solution_run
    assert [run.cells[i].grade_id for i in run.graded_indices()] == [
        "test_square", "hidden_square", "test_mean_square", "hidden_mean_square"]
    assert all(run.cells[i].passed for i in run.graded_indices())


CASES = {
    "solution-fails-test": ("solution", [
        "'test_square' fails on the reference solution with CheckFailed: square(x) is -4 at "
        "index (1,), expected 4 (input: x[1] = -2) (3 of 3 entries are off); fix the solution "
        "or the test",
        "'hidden_square' fails on the reference solution with CheckFailed: square(M) is -5 at "
        "index (0, 0), expected 6.25 (input: M[0, 0] = -2.5) (6 of 6 entries are off); fix "
        "the solution or the test"]),
    "release-passes-a-test": ("release", [
        "'hidden_square' passes in the release, so an untouched notebook earns its points: "
        "make it call the exercise's function visibly (before ### BEGIN HIDDEN TESTS)"]),
    "test-uses-demo-variable": ("release", [
        "'test_square' fails with NameError in the release, expected NotImplementedError "
        "(name 'demo' is not defined): test cells may use only the setup imports and the "
        "solution cells' names"]),
}


# A broken test or solution shows through the grader too (the graded check); a release
# that passes before grading does not: the grader restores the hidden tests.
ALSO_GRADED = {"solution-fails-test", "test-uses-demo-variable"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_fixture_fails_its_own_check_only(tiny, case):
    check, problems = CASES[case]
    report = validated(tiny, case)
    assert not report.ok
    assert report.checks[check].problems == problems
    failing = {check: "FAIL", **({"graded": "FAIL"} if case in ALSO_GRADED else {})}
    assert {name: c.status for name, c in report.checks.items()} == dict(ALL_PASS, **failing)


def test_a_test_that_passes_only_in_a_kernel_fails_the_graded_check(tiny):
    """In a kernel the test sees the student's own function; the grader hands it a proxy.
    A test that inspects the function object itself passes one way and not the other."""
    import nbformat

    from autograde.notebook import cells_by_id
    path = tiny.source_notebook(TINY)
    nb = nbformat.read(path, as_version=4)
    cells_by_id(nb)["test_square"].source += "\nassert square.__code__.co_argcount == 1\n"
    nbformat.write(nb, path)
    report = validated(tiny)
    assert report.checks["solution"].status == "pass"
    assert report.checks["graded"].problems == [
        "the grader fails the solution's test_square: AttributeError: 'RemoteFunction' "
        "object has no attribute '__code__'"]


def test_stderr_in_a_graded_cell_fails_the_solution(tiny):
    report = validated(tiny, "stderr-in-graded-cell")
    (problem,) = report.checks["solution"].problems
    assert problem.startswith("'test_square' writes to stderr (")
    assert "RuntimeWarning: divide by zero encountered in log" in problem
    assert problem.endswith("stock nbgrader scores it 0: silence it (call() silences the "
                            "student's function, not the test's own code)")


def test_dead_kernel_fails_solution_and_release(tiny):
    report = validated(tiny, "kernel-dies")
    expected = ("the kernel died while running cell 10 ('import os'), so the cells after it "
                "did not run (a crash, os._exit or running out of memory)")
    assert report.checks["solution"].problems == [expected]
    assert report.checks["release"].problems == [expected]


def test_endless_cell_is_interrupted_and_the_rest_still_runs(tiny):
    report = validated(tiny, "infinite-loop", timeout=3)
    assert report.checks["solution"].problems == [
        "cell 5 ('while True:') fails on the reference solution with CellTimeoutError: the "
        "cell ran longer than 3 s and was interrupted; fix the solution or the cell"]
    assert report.checks["release"].problems == [
        "cell 5 ('while True:') fails in the release with CellTimeoutError: the cell ran "
        "longer than 3 s and was interrupted; only NotImplementedError (or the NameError it "
        "causes) may stop a cell of the student notebook"]


def test_unreleased_assignment_fails_release_and_fresh(tiny):
    (report,) = validate(tiny, [TINY])
    fix = f"run `autograde release {TINY}`"
    assert report.checks["release"].problems == [
        f"notebooks/{TINY}/{TINY}.ipynb does not exist; {fix}"]
    assert report.checks["fresh"].problems == [
        f"notebooks/{TINY}/{TINY}.ipynb: missing: it was never released; {fix}"]
    assert report.checks["solution"].status == "pass"
