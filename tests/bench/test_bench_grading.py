"""bench/grading_throughput.py: budgets for one submission, and both tools in one environment."""

from __future__ import annotations


def test_one_submission_is_held_to_the_issues_budgets(bench):
    grading = bench("grading_throughput")
    assert grading.budget_cell("05_cnn", 1, 27.3) == "45 s: within"
    assert grading.budget_cell("06_rnn", 1, 45.1) == "45 s: OVER"
    assert grading.budget_cell("03_backprop", 1, 31.0) == "30 s: OVER"
    assert grading.budget_cell("01_perceptron", 1, 5.0) == "-"       # no budget given
    assert grading.budget_cell("05_cnn", 12, 200.0) == "-"          # a class, not one


def test_both_tools_grade_with_one_epoch_demos(bench):
    env = bench("grading_throughput").tool_env()
    assert env["NNUTILS_GRADING"] == "1" and env["MPLBACKEND"] == "Agg"


def test_run_all_times_one_submission_of_every_notebook(bench):
    run_all = bench("run_all")
    one = next(b for b in run_all.BENCHMARKS if b.name == "grading_one_submission")
    assert one.missing is run_all.grade_cli_missing
    names = list(one.args[one.args.index("--assignment") + 1:])
    assert names == run_all.COURSE_ASSIGNMENTS and "06_rnn" in names
    assert one.args[:4] == ("--students", "1", "--workers", "1")
