"""The autograde command line: subcommands, exit codes, one-line errors, and the demo."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from ag_support import TINY, use_case

from autograde.cli import main

SCRIPT = Path(sys.executable).parent / "autograde"


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("release", "validate", "demo"):
        assert command in out


@pytest.mark.parametrize("command", ["release", "validate", "demo"])
def test_each_subcommand_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "NAME" in capsys.readouterr().out


def test_release_prints_what_it_wrote(tiny, capsys):
    assert main(["--root", str(tiny.root), "release"]) == 0
    out = capsys.readouterr().out
    assert f"notebooks/{TINY}/{TINY}.ipynb  new     13     2          6" in out
    assert "release: 1 file(s) from solutions/, 1 changed" in out


def test_unknown_assignment_is_a_one_line_error(tiny, capsys):
    assert main(["--root", str(tiny.root), "release", "99_nope"]) == 2
    err = capsys.readouterr().err
    assert err == f"autograde release: error: no assignment '99_nope' in solutions/ " \
                  f"(there are: {TINY})\n"


def test_outside_a_course_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"autograde validate: error: no course found at or above {tmp_path}")
    assert err.count("\n") == 1


def test_course_is_found_from_a_subfolder(tiny, capsys, monkeypatch):
    monkeypatch.chdir(tiny.source_dir / TINY)
    assert main(["release", TINY]) == 0
    assert (tiny.release_dir / TINY / f"{TINY}.ipynb").exists()


def test_malformed_source_exits_1_with_the_problems(tiny, capsys):
    use_case(tiny, "zero-points")
    assert main(["--root", str(tiny.root), "release"]) == 1
    err = capsys.readouterr().err
    assert "test cell 'hidden_square' has points 0: give it points > 0" in err
    assert not tiny.release_dir.exists()


def test_console_script_validates_and_exits_1_on_failure(tiny):
    use_case(tiny, "release-passes-a-test")
    assert main(["--root", str(tiny.root), "release"]) == 0
    env = dict(os.environ, PATH="/usr/bin:/bin")  # the venv is not activated
    result = subprocess.run([str(SCRIPT), "--root", str(tiny.root), "validate", TINY],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1, result.stderr
    assert f"solutions/{TINY}/{TINY}.ipynb  13     2          4       6       pass    pass" \
        in result.stdout
    assert "release: 'hidden_square' passes in the release" in result.stdout
    assert "validate: 1 notebook(s), 1 failed" in result.stdout


@pytest.mark.slow
def test_demo_writes_executed_notebooks_and_html(tiny, capsys):
    assert main(["--root", str(tiny.root), "demo", "--grade-timeout", "20",
                 "--cell-timeout", "3"]) == 0
    out = capsys.readouterr().out
    executed = tiny.build_dir / "demo" / "executed" / f"{TINY}.ipynb"
    html = tiny.build_dir / "demo" / "html" / f"{TINY}.html"
    nb = nbformat.read(executed, as_version=4)
    printed = [o.text for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout"]
    assert "[1. 4. 9.]\n" in printed
    assert "\u2714 square: public tests passed; more tests run when graded.\n" in printed
    assert "mean_square" in html.read_text()
    for step in ("release", "validate", "execute", "html", "grade"):
        assert f"== {step} done in" in out
    assert "build/demo/executed/" in out and "build/demo/html/" in out
    with open(tiny.build_dir / "demo" / "graded" / "grades.csv", encoding="utf-8") as f:
        grades = {r["student_id"]: (r["assignment"], r["score"], r["status"], r["incidents"])
                  for r in csv.DictReader(f)}
    assert grades["perfect"] == (TINY, "6", "graded", "0")
    assert grades["endless"] == grades["exits"] == (TINY, "3", "graded", "1")


def test_grade_then_report_from_the_command_line(tiny, tmp_path, capsys):
    """`autograde grade` prints the summary and where the outputs are; `report` reads them."""
    source = tiny.source_notebook(TINY)
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    nbformat.write(nbformat.read(source, as_version=4), tmp_path / "subs" / "ann" / "a.ipynb")
    out = tmp_path / "out"
    assert main(["--root", str(tiny.root), "grade", str(tmp_path / "subs"), "--out", str(out),
                 "--workers", "1", "--no-progress", "--sandbox", "none",
                 "--cell-timeout", "20"]) == 0
    printed = capsys.readouterr().out
    assert f"{TINY}                      1    6.00 / 6" in printed and "grades.csv" in printed
    assert main(["report", str(out)]) == 0
    assert "## Needs attention" in capsys.readouterr().out
