"""The result record and what is written from it: JSON, CSVs, feedback, report (no grading)."""

from __future__ import annotations

import csv

import nbformat
import pytest

from autograde.grading import record
from autograde.grading.feedback import feedback_notebook
from autograde.grading.report import needs_attention, summary
from autograde.grading.result import GradeResult, Incident, TestResult


def one_broken_function() -> GradeResult:
    """A graded notebook where mean_square looped: one incident, two tests lost."""
    result = GradeResult(
        "ann", "00_tiny", "graded", "", 4.0, 6.0, 5.2, "abc",
        [TestResult("test_square", 1, 1, False), TestResult("hidden_square", 2, 2, True),
         TestResult("test_mean_square", 0, 1, False, "not called again: earlier, ..."),
         TestResult("hidden_mean_square", 0, 2, True, "not called again: earlier, ...")],
        [Incident("cell 10 (after mean_square)", "timeout",
                  "`mean_square` did not finish within 60 s (the limit per cell)",
                  ["mean_square"], "mean_square")])
    result.add_collection(["graded the newest of 2 notebooks"], "Ada Lovelace", True)
    return result


def test_a_result_survives_the_round_trip_through_json():
    result = one_broken_function()
    again = GradeResult.from_json(result.to_json())
    assert again == result
    assert "notebook" not in result.to_json()


def test_detail_lists_the_notes_then_the_incidents_and_can_drop_them():
    result = one_broken_function()
    assert result.detail == ("graded the newest of 2 notebooks; needs attention: cell 10 "
                             "(after mean_square): `mean_square` did not finish within 60 s "
                             "(the limit per cell)")
    assert result.detail_before_incidents() == "graded the newest of 2 notebooks"


def test_an_invalid_submission_is_a_result_too():
    result = GradeResult.ungraded("ben", "00_tiny", "invalid", "not valid JSON", 6.0, "d")
    assert (result.score, result.tests, result.incidents) == (0.0, [], [])
    assert GradeResult.from_json(result.to_json()) == result


def test_saved_results_come_back_sorted_and_damaged_files_are_ignored(tmp_path):
    record.save_result(tmp_path, one_broken_function())
    record.save_result(tmp_path, GradeResult.ungraded("aaron", "00_tiny", "missing", "", 6, ""))
    record.result_path(tmp_path, "zoe", "00_tiny").parent.mkdir(parents=True)
    record.result_path(tmp_path, "zoe", "00_tiny").write_text("{not json")
    assert [r.student_id for r in record.all_results(tmp_path)] == ["aaron", "ann"]
    assert record.load_result(tmp_path, "zoe", "00_tiny") is None


def test_csvs_carry_the_incident_count_and_each_test(tmp_path):
    record.save_result(tmp_path, one_broken_function())
    grades, tests = record.write_csvs(tmp_path)
    with open(grades, newline="") as f:
        (row,) = csv.DictReader(f)
    assert (row["score"], row["max_score"], row["status"], row["incidents"]) == \
        ("4", "6", "graded", "1")
    with open(tests, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["test"], r["passed"]) for r in rows] == [
        ("test_square", "1"), ("hidden_square", "1"), ("test_mean_square", "0"),
        ("hidden_mean_square", "0")]


def test_feedback_lists_the_incident_and_hides_hidden_test_code():
    cell = nbformat.v4.new_code_cell("# Hidden tests\n### BEGIN HIDDEN TESTS\nsecret = 1\n"
                                     "### END HIDDEN TESTS")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "hidden_mean_square", "points": 2}
    nb = nbformat.v4.new_notebook(cells=[cell])
    shown = feedback_notebook(nb, one_broken_function())
    top = shown.cells[0].source
    assert "Needs attention" in top and "cell 10 (after mean_square)" in top
    assert "graded the newest of 2 notebooks" in top
    assert "secret" not in shown.cells[1].source


@pytest.mark.parametrize("incidents, expected", [(True, "| ann | 00_tiny | cell 10"),
                                                 (False, "Nothing: every notebook")])
def test_report_lists_what_needs_attention(incidents, expected):
    result = one_broken_function()
    if not incidents:
        result.incidents = []
    assert expected in "\n".join(needs_attention([result]))


def test_summary_counts_statuses_and_means():
    text = summary([one_broken_function(),
                    GradeResult.ungraded("ben", "00_tiny", "missing", "", 6, "")])
    assert "graded          1" in text and "missing         1" in text
    assert "00_tiny                      2    2.00 / 6" in text
