"""What one broken function costs in grading time: `autograde grade` on one endless loop.

For each assignment asked for (default: 01_perceptron and 05_cnn) it grades
three sample students one at a time (``--workers 1``): ``perfect``, ``endless``
(the first function loops forever) and ``exits`` (the last function calls
``os._exit``), with the real per-cell limit (``--cell-timeout``, default 60 s).
Prints each one's score and seconds, and what the endless loop cost beyond
the limit per cell: the restart and the replay of the cells before it.

    python bench/grading_incident.py [--assignment 01_perceptron 05_cnn] [--cell-timeout 60]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from autograde import notebook
from autograde.grading.sample_class import students

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CASES = ("perfect", "endless", "exits")


def grade(name: str, cell_timeout: float, tmp: Path) -> dict[str, dict]:
    """Grade the three cases of one assignment; return grades.csv's rows by student."""
    group = students(notebook.read(ROOT / "notebooks" / name / f"{name}.ipynb"),
                     notebook.read(ROOT / "solutions" / name / f"{name}.ipynb"))
    subs = tmp / name / "subs"
    for case in CASES:
        (subs / case).mkdir(parents=True)
        nbformat.write(group[case], subs / case / f"{name}.ipynb")
    out = tmp / name / "out"
    subprocess.run([str(BIN / "autograde"), "--root", str(ROOT), "grade", str(subs),
                    "--out", str(out), "--assignment", name, "--workers", "1",
                    "--cell-timeout", str(cell_timeout), "--no-progress"],
                   check=True, capture_output=True)
    with open(out / "grades.csv", newline="") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", nargs="+", default=["01_perceptron", "05_cnn"])
    parser.add_argument("--cell-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    print("| assignment | student | status | score | incidents | seconds |")
    print("|---|---|---|---|---|---|")
    costs = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.assignment:
            print(f"grading {name}", file=sys.stderr, flush=True)
            rows = grade(name, args.cell_timeout, Path(tmp))
            for case in CASES:
                r = rows[case]
                print(f"| {name} | {case} | {r['status']} | {r['score']} / {r['max_score']} "
                      f"| {r['incidents']} | {float(r['seconds']):.1f} |")
            endless, perfect = float(rows["endless"]["seconds"]), float(rows["perfect"]["seconds"])
            costs.append((name, endless, perfect, int(rows["endless"]["incidents"])))
    for name, endless, perfect, incidents in costs:
        extra = endless - perfect - incidents * args.cell_timeout
        print(f"{name}: one endless loop took {endless:.1f} s against {perfect:.1f} s for the "
              f"correct notebook: {incidents} x the {args.cell_timeout:g} s cell limit plus "
              f"{extra:.1f} s of restart and replay")


if __name__ == "__main__":
    main()
