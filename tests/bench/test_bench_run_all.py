"""bench/run_all.py: every benchmark in its own process, one markdown report whatever happens."""

from __future__ import annotations

import os
import re
import stat

import pytest

from .conftest import run_script

OK_STUB = """import sys
print("Stub benchmark, args " + " ".join(sys.argv[1:]) + ".")
print()
print("| case | seconds |")
print("|---|---|")
print("| stub | 1.5 |")
"""
CRASH_STUB = """import sys
print("| case | seconds |")
print("|---|---|")
print("partial output before the crash")
sys.exit("Traceback: something broke in the stub")
"""


def sections(report: str) -> dict[str, str]:
    """The report's '## name' sections, name -> text under the heading."""
    parts = re.split(r"^## (.+)$", report, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def stub(tmp_path, name: str, source: str):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return path


def executable(tmp_path, name: str, source: str):
    path = stub(tmp_path, name, source)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_crash_does_not_stop_the_others_and_everything_is_reported(tmp_path, bench):
    run_all, tables = bench("run_all"), bench("benchtable")
    Benchmark = run_all.Benchmark
    run_all_benchmarks = [
        Benchmark("crashes", stub(tmp_path, "crash", CRASH_STUB), (), ()),
        Benchmark("works", stub(tmp_path, "ok", OK_STUB), ("--full",), ("--small",)),
        Benchmark("needs_grade", stub(tmp_path, "never", "raise SystemExit(9)"), (), (),
                  lambda: "`autograde grade --help` exits 2: invalid choice: 'grade'"),
    ]
    out = tmp_path / "deep" / "BENCH.md"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_all, "BENCHMARKS", run_all_benchmarks)
        assert run_all.main(["--out", str(out)]) == 1     # one benchmark failed
    report = out.read_text()
    parts = sections(report)
    assert list(parts) == ["Machine", "Summary", "crashes", "works", "needs_grade"]
    machine = {r["what"]: r["value"] for r in tables.parse_markdown_table(parts["Machine"])}
    assert machine["cores"] == str(os.cpu_count()) and machine["CPU"]
    assert machine["numpy"][0].isdigit() and machine["Python"].count(".") == 2
    summary = tables.parse_markdown_table(parts["Summary"])
    assert [(r["benchmark"], r["status"].split(":")[0]) for r in summary] == [
        ("crashes", "failed (exit 1)"), ("works", "ok"), ("needs_grade", "not available")]
    assert summary[2]["seconds"] == "-" and float(summary[1]["seconds"]) >= 0
    assert "Traceback: something broke in the stub" in parts["crashes"]
    assert "partial output before the crash" in parts["crashes"]
    assert "Stub benchmark, args --full." in parts["works"]
    assert tables.parse_markdown_table(parts["works"]) == [{"case": "stub", "seconds": "1.5"}]
    assert "invalid choice: 'grade'" in parts["needs_grade"]


def test_quick_uses_the_quick_arguments(tmp_path, bench):
    run_all = bench("run_all")
    benchmark = run_all.Benchmark("works", stub(tmp_path, "ok", OK_STUB), ("--full",),
                                  ("--small",))
    outcome = run_all.run(benchmark, quick=True, timeout=120)
    assert outcome.status == "ok" and "args --small." in outcome.stdout


def test_a_hanging_benchmark_times_out(tmp_path, bench):
    run_all = bench("run_all")
    hangs = run_all.Benchmark("hangs", stub(tmp_path, "hang", "import time\ntime.sleep(60)"),
                              (), ())
    assert run_all.run(hangs, quick=False, timeout=1).status == "timed out after 1 s"


def test_grading_is_not_available_while_the_grade_verb_is_missing(tmp_path, bench):
    run_all = bench("run_all")
    missing = executable(tmp_path, "old", "#!/bin/sh\necho \"autograde: error: invalid "
                                          "choice: 'grade'\" >&2\nexit 2\n")
    present = executable(tmp_path, "new", "#!/bin/sh\necho usage: autograde grade\n")
    assert run_all.grade_cli_missing(missing) == (
        "`autograde grade --help` exits 2: autograde: error: invalid choice: 'grade'")
    assert run_all.grade_cli_missing(present) is None
    assert "could not run" in run_all.grade_cli_missing(tmp_path / "absent")
    grading = next(b for b in run_all.BENCHMARKS if b.name == "grading_throughput")
    assert grading.missing is run_all.grade_cli_missing


def test_quick_run_of_the_series_writes_the_report(tmp_path, bench):
    out = tmp_path / "BENCH.md"
    done = run_script("run_all", "--quick", "--only", "series", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(out)
    parts = sections(out.read_text())
    assert list(parts) == ["Machine", "Summary", "series"]
    assert "python bench/series.py --only 01_perceptron --repeats 1`: ok" in parts["series"]
    rows = bench("benchtable").parse_markdown_table(parts["series"])
    assert [(r["notebook"], r["budget (s)"], r["status"]) for r in rows] == [
        ("01_perceptron", "30", "ok"), ("**total**", "30", "")]
