"""The engine runs mutants against the tests, kills, reports survivors, honours the
equivalent list, caches, and times out mutants that loop forever."""

from __future__ import annotations

import argparse
import json

import pytest

from autograde.config import Course
from autograde.errors import AutogradeError
from autograde.mutation import command
from autograde.mutation.engine import Settings, mutate_course
from autograde.mutation.pool import CRASHED, PASSED, TIMEOUT, Job, Pool
from autograde.mutation.report import survivors, table, warnings

from .support import FIXTURE_COURSE, TINY, exercise, tiny_cells, tiny_setup, write_course


def by_name(report, name):
    return next(e for e in report.exercises if e.exercise == name)


def by_label(exercise_report, label):
    return next(r for r in exercise_report.results if r.mutant.label == label)


@pytest.fixture
def weak_course(tmp_path):
    """00_tiny with square's tests weakened to square(0) == 0."""
    return write_course(tmp_path / "weak", "00_weak", tiny_cells(weak_square=True),
                        setup=tiny_setup())


def test_the_fixtures_tests_kill_a_wrong_power(tmp_path):
    report = mutate_course(Course(FIXTURE_COURSE), ["00_tiny"],
                           Settings(workers=2, cache_dir=tmp_path / "cache"))
    square = by_name(report, "square")
    wrong_power = by_label(square, "** -> *")
    assert wrong_power.killed
    assert wrong_power.outcome.detail.startswith("test_square: CheckFailed")
    assert square.generated >= 5 and square.score == 1.0
    assert report.executed == sum(e.generated for e in report.exercises) + 2


def test_weak_tests_leave_survivors_that_the_report_lists(weak_course, tmp_path):
    report = mutate_course(weak_course, None, Settings(workers=1, cache_dir=None))
    square = by_name(report, "square")
    survivor = by_label(square, "** -> *")
    assert not survivor.killed and survivor in square.survivors
    assert square.score < 0.5
    assert by_name(report, "mean_square").score == 1.0
    listed = survivors(report)
    assert f"[{survivor.mutant.id}] arithmetic: ** -> *" in listed
    assert "+return np.asarray(x, dtype=np.float64) * 2" in listed
    assert "00_weak" in table(report) and f"{square.score:.2f}" in table(report)


def test_the_equivalent_list_is_honoured_and_checked(weak_course, tmp_path):
    cache = tmp_path / "cache"
    first = by_name(mutate_course(weak_course, None, Settings(workers=1, cache_dir=cache)),
                    "square")
    survivor = first.survivors[0].mutant
    killed = next(r.mutant for r in first.results if r.killed)
    listing = tmp_path / "equivalent.toml"
    listing.write_text("".join(
        f'[[equivalent]]\nassignment = "00_weak"\nexercise = "square"\nid = "{mid}"\n'
        f'reason = "Reviewed for the test."\n\n'
        for mid in (survivor.id, killed.id, "000000000000")))
    report = mutate_course(weak_course, None,
                           Settings(workers=1, cache_dir=cache, equivalent_file=listing))
    square = by_name(report, "square")
    assert square.equivalent == 1
    assert survivor.id not in {r.mutant.id for r in square.survivors}
    assert square.score == pytest.approx(square.killed / (square.generated - 1))
    found = warnings(report)
    assert any(killed.id in w and "was killed" in w for w in found)
    assert any("000000000000" in w and "matches no mutant" in w for w in found)


def test_an_equivalent_entry_without_a_reason_is_an_error(weak_course, tmp_path):
    listing = tmp_path / "equivalent.toml"
    listing.write_text('[[equivalent]]\nassignment = "00_weak"\nexercise = "square"\n'
                       'id = "0123456789ab"\n')
    with pytest.raises(AutogradeError, match="lacks reason"):
        mutate_course(weak_course, None, Settings(workers=1, equivalent_file=listing))


def test_the_cache_makes_a_second_run_execute_nothing(tmp_path):
    log = tmp_path / "executions.log"
    counted = tiny_cells()
    for cell in counted:          # each run of an exercise runs its public test cell once
        if cell.metadata["nbgrader"]["grade_id"].startswith("test_"):
            cell.source = f"with open({str(log)!r}, 'a') as _log:\n    _log.write('run\\n')\n" \
                + cell.source
    course = write_course(tmp_path / "course", "00_counted", counted, setup=tiny_setup())
    settings = Settings(workers=1, cache_dir=tmp_path / "cache")

    def lines() -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0

    first = mutate_course(course, None, settings)
    assert first.executed > 10 and first.cached == 0
    assert lines() == first.executed              # every run, once
    second = mutate_course(course, None, settings)
    assert lines() == first.executed              # nothing ran
    assert second.executed == 0 and second.cached == first.executed
    assert [(e.exercise, e.killed) for e in second.exercises] == \
        [(e.exercise, e.killed) for e in first.exercises]
    # a changed test cell of mean_square re-runs mean_square only
    next(c for c in counted if c.metadata["nbgrader"]["grade_id"] == "hidden_mean_square"
         ).source += "# reworded\n"
    write_course(tmp_path / "course", "00_counted", counted, setup=tiny_setup())
    third = mutate_course(course, None, settings)
    assert third.executed == by_name(first, "mean_square").generated + 1


COUNTDOWN = """
def countdown(n):
    \"\"\"Steps from n down to 0.\"\"\"
    ### BEGIN SOLUTION
    steps = 0
    while n > 0:
        n -= 1
        steps += 1
    return steps
    ### END SOLUTION
"""


def test_a_mutant_that_loops_forever_is_killed_by_the_time_limit(tmp_path):
    course = write_course(tmp_path, "00_loop", exercise(
        "countdown", COUNTDOWN,
        'check_equal("countdown(3)", call(countdown, 3), 3)\npassed("countdown")',
        'check_equal("countdown(0)", call(countdown, 0), 0)'))
    report = mutate_course(course, None, Settings(workers=2, min_timeout=1.0,
                                                  max_per_family=None))
    countdown = by_name(report, "countdown")
    looping = by_label(countdown, "- -> +")
    assert looping.outcome.status == TIMEOUT and looping.killed
    assert countdown.score == 1.0


def test_a_crashing_or_hanging_worker_is_replaced():
    jobs = [Job("crash", str(TINY), "square", "def square(x):\n    import os\n    os._exit(3)\n",
                30.0),
            Job("hang", str(TINY), "square", "def square(x):\n    while True:\n        pass\n",
                1.0),
            Job("reference", str(TINY), "square", None, 30.0)]
    outcomes = {}
    with Pool(1) as pool:
        pool.run(jobs, lambda job, outcome: outcomes.update({job.key: outcome}))
    assert outcomes["crash"].status == CRASHED and "exited with code 3" in outcomes["crash"].detail
    assert outcomes["hang"].status == TIMEOUT
    assert outcomes["reference"].status == PASSED


def test_a_failing_reference_is_reported_not_mutated(tmp_path):
    course = write_course(tmp_path, "00_broken", exercise(
        "double", 'def double(x):\n    ### BEGIN SOLUTION\n    return x + 1\n'
                  '    ### END SOLUTION\n',
        'check_equal("double(2)", call(double, 2), 4)', 'call(double, 1)'))
    report = mutate_course(course, None, Settings(workers=1))
    double = by_name(report, "double")
    assert "reference solution does not pass" in double.error and double.results == []
    assert report.below(0.9) == [double]


def test_command_line_exit_codes_json_and_survivors(weak_course, tmp_path, capsys):
    out = tmp_path / "report.json"
    argv = ["--root", str(weak_course.root), "-j", "1", "--cache-dir", str(tmp_path / "c"),
            "--json", str(out), "--list-survivors"]
    assert command.main(argv + ["--min-score", "0.9"]) == command.EXIT_FAILED
    printed = capsys.readouterr().out
    assert "below the minimum score 0.90" in printed and "00_weak/square" in printed
    assert "+return np.asarray(x, dtype=np.float64) * 2" in printed
    data = json.loads(out.read_text())
    square = next(e for e in data["exercises"] if e["exercise"] == "square")
    assert square["survived"] > 0 and square["score"] < 0.9
    assert {m["status"] for m in square["mutants"]} == {"passed", "failed"}
    assert command.main(argv + ["--min-score", "0.1"]) == command.EXIT_OK
    assert command.main(["--root", str(tmp_path / "nowhere")]) == command.EXIT_ERROR


def test_add_parser_wires_the_mutate_command():
    parser = argparse.ArgumentParser(prog="autograde")
    command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["mutate", "01_perceptron", "--min-score", "0.9", "-j", "3"])
    assert args.run is command.cmd_mutate
    assert (args.names, args.min_score, args.jobs) == (["01_perceptron"], 0.9, 3)
