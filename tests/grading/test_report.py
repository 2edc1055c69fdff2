"""`autograde report`: the most common failures per exercise and the points-per-exercise plot,
from results saved in a temporary OUT (no grading)."""

from __future__ import annotations

import csv

import matplotlib.colors
import matplotlib.image
import numpy as np
import pytest

from autograde.grading import record
from autograde.grading.report import (
    TOP_FAILURES,
    failure_groups,
    message_pattern,
    outcome,
    write_report,
)
from autograde.grading.result import GradeResult, TestResult

NAME = "01_perceptron"
NOT_IMPLEMENTED = ("NotImplementedError: `softmax` is not implemented yet: replace `raise "
                   "NotImplementedError()` in its cell with your code, run that cell, then run "
                   "this test again.")
SUMS = ["CheckFailed: row 0 of softmax(z) sums to 2, expected 1. Normalise along the last axis",
        "CheckFailed: row 1 of softmax(z) sums to 3.5, expected 1. Normalise along the last axis",
        "CheckFailed: row 0 of softmax(z) sums to 0.294161, expected 1. Normalise along the "
        "last axis"]
SHAPE = "CheckFailed: softmax(z) has shape (), expected (3,) (input: z of shape (3,))."


def failed(test: str, message: str, error: str = "CheckFailed", points: float = 1) -> TestResult:
    return TestResult(test, 0, points, test.startswith("hidden"), message, error)


def passed(test: str, points: float = 1) -> TestResult:
    return TestResult(test, points, points, test.startswith("hidden"))


def graded(student: str, *tests: TestResult) -> GradeResult:
    return GradeResult(student, NAME, "graded", "", sum(t.points for t in tests),
                       sum(t.max_points for t in tests), 1.0, "", list(tests))


def softmax_class() -> list[GradeResult]:
    """Softmax: 4 rows that do not sum to one (numbers differ), 2 scalars, 1 renamed function,
    3 not attempted, 1 not run; sigmoid passed by all but the 3 who left everything blank."""
    sigmoid = passed("test_sigmoid")
    class_ = [graded(f"sum{i}", sigmoid, failed("test_softmax", m),
                     failed("hidden_softmax", m.replace("row 0", "row 2"), points=2))
              for i, m in enumerate(SUMS)]
    class_.append(graded("sum3", sigmoid, passed("test_softmax"),
                         failed("hidden_softmax", SUMS[1], points=2)))
    class_ += [graded(f"shape{i}", sigmoid, failed("test_softmax", SHAPE), passed(
        "hidden_softmax", 2)) for i in range(2)]
    class_.append(graded("renamed", sigmoid, failed(
        "test_softmax", "NameError: name 'softmax' is not defined.", "NameError"),
        failed("hidden_softmax", "NameError: name 'softmax' is not defined.", "NameError", 2)))
    class_ += [graded(f"blank{i}", failed("test_sigmoid", "NotImplementedError: ...",
                                          "NotImplementedError"),
                      failed("test_softmax", NOT_IMPLEMENTED, "NotImplementedError"),
                      failed("hidden_softmax", NOT_IMPLEMENTED.replace("softmax", callee),
                             "NotImplementedError", 2))
               for i, callee in enumerate(("softmax", "softmax", "exp"))]   # softmax calls exp
    class_.append(graded("stopped", sigmoid, *(failed(t, "not run, because the notebook "
                                                      "stopped earlier: timeout", "")
                                               for t in ("test_softmax", "hidden_softmax"))))
    return class_


@pytest.fixture
def out(tmp_path):
    """An OUT folder holding softmax_class's results, as `autograde grade` leaves them."""
    for result in softmax_class():
        record.save_result(tmp_path, result)
    return tmp_path


def test_messages_differing_only_in_numbers_are_one_group_most_common_first():
    groups = [g for g in failure_groups(softmax_class()) if g.exercise == "softmax"]
    assert [(g.error, g.count) for g in groups] == [
        ("CheckFailed", 4), ("NotImplementedError", 3), ("CheckFailed", 2),
        ("NameError", 1), ("NotRun", 1)]
    sums = groups[0]
    assert sums.students == {"sum0", "sum1", "sum2", "sum3"}
    assert sums.tests == ["test_softmax", "hidden_softmax"]
    assert f"CheckFailed: {sums.example}" in SUMS    # a real message, its error type apart
    assert groups[2].tests == ["test_softmax"]


def test_numbers_arrays_and_shapes_are_blanked_but_names_and_scalars_are_not():
    assert message_pattern("W1 of dense_2 is [[1., -2.5e-3], [nan, inf]] at index (0, 1), "
                           "expected 0.5 (x=-10.)") == \
        "W1 of dense_2 is [#] at index (#), expected # (x=#)"
    assert message_pattern("expected 4.") == message_pattern("expected 4.75.") == "expected #."
    assert message_pattern("has shape (), expected (3,)") == "has shape (), expected (#)"
    assert message_pattern("has shape (3, 4), expected (3,)") == \
        "has shape (#), expected (#)"
    assert message_pattern("returned <function f at 0x7f3a2b>") == "returned <function f at #>"


@pytest.mark.parametrize("tests, expected", [
    ([passed("test_a"), passed("hidden_a", 2)], "full points"),
    ([passed("test_a"), failed("hidden_a", "wrong", points=2)], "partial"),
    ([failed("test_a", "wrong"), failed("hidden_a", "wrong", points=2)], "0 points"),
    ([failed("test_a", NOT_IMPLEMENTED, "NotImplementedError")], "not attempted"),
])
def test_each_submission_has_one_outcome_per_exercise(tests, expected):
    assert outcome(tests) == expected


def test_report_shows_the_top_mistakes_and_counts_the_not_attempted_apart(out):
    text = write_report(out)
    section = text.split(f"### {NAME}")[1].split("## Needs attention")[0]
    assert "| softmax | 0 / 11 | 0% | 3 |" in section      # passed, rate, not attempted
    assert "| sigmoid | 8 / 11 | 73% | 3 |" in section
    top = [line for line in section.split("Most common failures")[1].splitlines()
           if line.startswith("| softmax |")]
    assert [line.split(" | ")[1] for line in top] == ["4", "2", "1"]    # mistakes only
    assert top[0].startswith("| softmax | 4 | test_softmax, hidden_softmax | CheckFailed | "
                             "row 0 of softmax(z) sums to 2, expected 1.")
    assert "not implemented" not in section.split("Most common failures")[1]
    assert "1 submission(s) stopped before some tests ran" in section
    assert f"![points per exercise](exercises_{NAME}.png)" in section


def test_only_the_top_mistakes_are_in_the_report_but_all_are_in_the_csv(tmp_path):
    mistakes = [f"CheckFailed: softmax returned a {kind}" for kind in
                ("str", "list", "dict", "set", "tuple")]
    for i, message in enumerate(mistakes):
        for j in range(5 - i):    # str by 5 students, list by 4, ...
            record.save_result(tmp_path, graded(f"s{i}{j}", failed("test_softmax", message)))
    text = write_report(tmp_path)
    shown = [line for line in text.splitlines() if line.startswith("| softmax | ")
             and "CheckFailed" in line]
    assert [line.split(" | ")[1] for line in shown] == ["5", "4", "3"][:TOP_FAILURES]
    with open(tmp_path / "report" / "common_failures.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["count"], r["example"]) for r in rows] == \
        [(str(5 - i), m.removeprefix("CheckFailed: ")) for i, m in enumerate(mistakes)]


def test_the_csv_has_every_group_with_its_tests_and_error_type(out):
    write_report(out)
    with open(out / "report" / "common_failures.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["exercise"], r["error"], r["count"], r["tests"]) for r in rows} == {
        ("sigmoid", "NotImplementedError", "3", "test_sigmoid"),
        ("softmax", "CheckFailed", "4", "test_softmax hidden_softmax"),
        ("softmax", "NotImplementedError", "3", "test_softmax hidden_softmax"),
        ("softmax", "CheckFailed", "2", "test_softmax"),
        ("softmax", "NameError", "1", "test_softmax hidden_softmax"),
        ("softmax", "NotRun", "1", "test_softmax hidden_softmax")}
    assert all(r["assignment"] == NAME for r in rows)
    assert {r["example"] for r in rows if r["error"] == "NotImplementedError"} == \
        {"...", NOT_IMPLEMENTED.removeprefix("NotImplementedError: ")}


@pytest.mark.parametrize("students", [1, 11])
def test_the_points_per_exercise_plot_is_a_readable_image(tmp_path, students):
    for result in softmax_class()[:students]:
        record.save_result(tmp_path, result)
    write_report(tmp_path)
    image = matplotlib.image.imread(tmp_path / "report" / f"exercises_{NAME}.png")
    height, width = image.shape[:2]
    assert 500 <= width <= 1200 and 120 <= height <= 600, (width, height)
    for colour in ("#4477aa", "#ee6677"):     # sigmoid's full points, softmax's 0 points
        share = (np.abs(image[..., :3] - matplotlib.colors.to_rgb(colour)).max(-1) < 0.02).mean()
        assert share > 0.05, f"{colour} covers {share:.1%} of the plot: are the bars drawn?"


def test_a_class_without_failures_says_so(tmp_path):
    for student in ("ann", "ben"):
        record.save_result(tmp_path, graded(student, passed("test_softmax"),
                                            passed("hidden_softmax", 2)))
    text = write_report(tmp_path)
    assert "No failures: every submission passed every test." in text
    assert "Most common failures" not in text
    rows = (tmp_path / "report" / "common_failures.csv").read_text().splitlines()
    assert rows == ["assignment,exercise,count,error,tests,example"]


def test_a_class_that_only_left_exercises_blank_has_no_wrong_answers(tmp_path):
    record.save_result(tmp_path, graded("ann", failed("test_softmax", NOT_IMPLEMENTED,
                                                      "NotImplementedError")))
    text = write_report(tmp_path)
    assert "No wrong answers: every failed test was not attempted or not run." in text
    assert "| softmax | 0 / 1 | 0% | 1 |" in text
