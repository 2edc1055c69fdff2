"""bench/series.py: every chosen notebook timed in a fresh kernel, one table against budgets."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from autograde.execute import CellResult, NotebookRun

from .conftest import ROOT, run_script

TINY = ROOT / "tests" / "fixtures" / "course" / "solutions" / "00_tiny" / "00_tiny.ipynb"
FAILS = ROOT / "tests" / "fixtures" / "broken" / "solution-fails-test.ipynb"


def fake_run(seconds: float, **kwargs) -> NotebookRun:
    return NotebookRun(Path("x.ipynb"), nbformat.v4.new_notebook(), seconds=seconds, **kwargs)


def timed(series, seconds: float, cpu: float = 1.0, **kwargs):
    """A run of ``seconds`` wall clock whose kernel used ``cpu`` seconds of CPU."""
    return series.Timed(fake_run(seconds, **kwargs), cpu)


def test_runs_only_the_chosen_notebooks_and_reports_a_failing_one(tmp_path, bench):
    for name, source in (("01_tiny", TINY), ("98_broken", FAILS), ("99_unused", TINY)):
        (tmp_path / "solutions" / name).mkdir(parents=True)
        shutil.copy(source, tmp_path / "solutions" / name / f"{name}.ipynb")
    done = run_script("series", "--root", str(tmp_path), "--only", "01_tiny", "98_broken")
    assert done.returncode == 1, done.stderr   # a notebook with errors fails the benchmark
    rows = bench("benchtable").parse_markdown_table(done.stdout)
    assert [r["notebook"] for r in rows] == ["01_tiny", "98_broken", "**total**"]
    tiny, broken, total = rows
    assert (tiny["budget (s)"], tiny["within budget"], tiny["status"]) == ("30", "yes", "ok")
    assert broken["status"].startswith("errors in cells") and "CheckFailed" in broken["status"]
    assert (broken["budget (s)"], broken["within budget"]) == ("n/a", "n/a")
    for column in ("seconds", "kernel CPU (s)"):
        seconds = [float(r[column]) for r in rows]
        assert min(seconds) > 0 and seconds[2] == pytest.approx(sum(seconds[:2]), abs=0.15)
    assert sum(int(r["share of total"].rstrip("%")) for r in rows[:2]) in (99, 100, 101)
    assert tiny["slowest cell"].startswith("cell ")


def test_unknown_notebook_is_an_error_naming_the_known_ones(tmp_path, bench, capsys):
    (tmp_path / "solutions" / "01_tiny").mkdir(parents=True)
    shutil.copy(TINY, tmp_path / "solutions" / "01_tiny" / "01_tiny.ipynb")
    with pytest.raises(SystemExit) as exit_info:
        bench("series").main(["--root", str(tmp_path), "--only", "07_missing"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "07_missing" in err and "01_tiny" in err


def test_budget_comes_from_the_notebook_number(bench):
    series = bench("series")
    assert [series.budget(Path(f"{n}_x.ipynb")) for n in ("01", "03", "06", "07")] == [
        30, 60, 90, None]


def test_row_uses_the_median_run_and_judges_it_against_the_budget(bench):
    series = bench("series")
    runs = [timed(series, 50.0, 9.0), timed(series, 31.0, 7.0), timed(series, 12.0, 8.0)]
    row = series.row(Path("01_perceptron.ipynb"), runs, total=62.0)
    assert [row[h] for h in series.HEADERS[:6]] == [
        "01_perceptron", "31.0", "7.0", "50%", "30", "no"]
    row = series.row(Path("01_p.ipynb"), runs[2:], total=24.0)
    assert (row["share of total"], row["within budget"]) == ("50%", "yes")


def test_status_says_why_a_run_does_not_count(bench):
    series = bench("series")
    cells = {3: CellResult(3, "test_f", True, error="CheckFailed", seconds=0.1),
             4: CellResult(4, None, False, seconds=2.5)}
    assert series.status(fake_run(1.0, cells=cells)) == "errors in cells 3 (CheckFailed)"
    assert series.status(fake_run(1.0, died_in=7)) == "kernel died in cell 7"
    assert series.status(fake_run(1.0, failure="NoSuchKernel: x")).startswith("failed: ")
    assert series.status(fake_run(1.0, cells={4: cells[4]})) == "ok"
    assert series.slowest_cell(fake_run(1.0, cells=cells)) == "cell 4 2.5 s"


def test_a_failed_run_is_not_within_budget_and_the_total_says_so(bench):
    series = bench("series")
    paths = [Path("01_a.ipynb"), Path("02_b.ipynb")]
    rows = [series.row(paths[0], [timed(series, 5.0, 2.0)], 10.0),
            series.row(paths[1], [timed(series, 5.0, 3.0, died_in=2)], 10.0)]
    assert rows[1]["within budget"] == "n/a" and rows[1]["status"] == "kernel died in cell 2"
    total = series.total_row(paths, rows, 10.0)
    assert [total[h] for h in series.HEADERS[:6]] == [
        "**total**", "10.0", "5.0", "100%", "90", "n/a"]
    rows[1] = series.row(paths[1], [timed(series, 5.0, 3.0)], 10.0)
    assert (series.total_row(paths, rows, 10.0)["budget (s)"],
            series.total_row(paths, rows, 10.0)["within budget"]) == ("90", "yes")
