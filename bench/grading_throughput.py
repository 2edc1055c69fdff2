"""Grading throughput: `autograde grade` against stock `nbgrader autograde`, in one run.

Both grade the same N correct submissions of each assignment asked for
(default: 12 of 01_perceptron), each tool in a fresh course folder, one after
the other, alternating which goes first over the repeats. Prints both times,
the ratio and the per-submission overhead measured on the trivial fixture
assignment. With ``--students 1 --workers 1`` it measures what an instructor
waits for one submission, against the issues' budgets (02-03: 30 s, 04-06: 45 s).

Both tools run with ``NNUTILS_GRADING=1``, so in both the notebooks' Keras demos
train one epoch (``nnutils.tfsetup``): the ratio compares grading machinery.

    python bench/grading_throughput.py [--students 12] [--assignment 01_perceptron ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograde import notebook
from autograde.grading.sample_class import solved

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ONE_SUBMISSION_BUDGET = {"02": 30, "03": 30, "04": 45, "05": 45, "06": 45}   # seconds


def tool_env() -> dict[str, str]:
    """The environment both tools grade in (nbgrader's kernels inherit it)."""
    return dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", MPLBACKEND="Agg",
                NNUTILS_GRADING="1")


def make_course(base: Path, solutions: Path, name: str, students: int) -> Path:
    """An nbgrader course folder: source/, release/, submitted/<student>/<name>/."""
    course = base / "course"
    shutil.copytree(solutions / name, course / "source" / name)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\n"
        "c.ExecutePreprocessor.timeout = 600\n"
        "c.Execute.timeout = 600\n" % str(course))
    env = tool_env()
    subprocess.run([str(BIN / "nbgrader"), "generate_assignment", name, "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    release = notebook.read(course / "release" / name / f"{name}.ipynb")
    answer = solved(release, notebook.read(solutions / name / f"{name}.ipynb"))
    for i in range(students):
        folder = course / "submitted" / f"student{i:03d}" / name
        folder.mkdir(parents=True)
        nbformat.write(answer, folder / f"{name}.ipynb")
    return course


def time_stock(course: Path, name: str, students: int) -> float:
    env = tool_env()
    for i in range(students):   # nbgrader needs the students in its gradebook
        subprocess.run([str(BIN / "nbgrader"), "db", "student", "add", f"student{i:03d}"],
                       cwd=course, env=env, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([str(BIN / "nbgrader"), "autograde", name, "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def time_ours(course: Path, root: Path, name: str, workers: int) -> float:
    subs = course / "ours_submissions"
    for student in sorted((course / "submitted").iterdir()):
        shutil.copytree(student / name, subs / student.name)
    start = time.perf_counter()
    subprocess.run([str(BIN / "autograde"), "--root", str(root), "grade", str(subs),
                    "--out", str(course / "ours"), "--assignment", name,
                    "--workers", str(workers), "--no-progress"],
                   env=tool_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def measure(root: Path, name: str, students: int, workers: int,
            ours_first: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp), root / "solutions", name, students)
        if ours_first:
            ours = time_ours(course, root, name, workers)
            stock = time_stock(course, name, students)
        else:
            stock = time_stock(course, name, students)
            ours = time_ours(course, root, name, workers)
    return stock, ours


def budget_cell(name: str, students: int, seconds: float) -> str:
    """'45 s: within' for one submission of an assignment with a budget, else '-'."""
    limit = ONE_SUBMISSION_BUDGET.get(name[:2])
    if students != 1 or limit is None:
        return "-"
    return f"{limit} s: {'within' if seconds <= limit else 'OVER'}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", nargs="+", default=["01_perceptron"])
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-overhead", action="store_true",
                        help="skip the per-submission overhead measurement on 00_tiny")
    args = parser.parse_args(argv)
    fixture = ROOT / "tests" / "fixtures" / "course"
    rows = []
    runs = [(name, ROOT, name) for name in args.assignment]
    if not args.no_overhead:
        runs.append(("00_tiny (overhead)", fixture, "00_tiny"))
    for label, root, name in runs:
        for r in range(args.repeats):
            print(f"grading {args.students} x {name}, repeat {r + 1}", file=sys.stderr,
                  flush=True)
            stock, ours = measure(root, name, args.students, args.workers, r % 2 == 0)
            rows.append((label, stock, ours))
    print("| assignment | students | workers | nbgrader autograde (s) | autograde grade (s) "
          "| ratio | budget for autograde grade |")
    print("|---|---|---|---|---|---|---|")
    for label, stock, ours in rows:
        print(f"| {label} | {args.students} | {args.workers} | {stock:.1f} | {ours:.1f} "
              f"| {stock / ours:.2f}x | {budget_cell(label, args.students, ours)} |")
    for label, stock, ours in rows:
        if "overhead" in label:
            print(f"per-submission time on a trivial notebook: nbgrader "
                  f"{stock / args.students:.2f} s, autograde {ours / args.students:.2f} s "
                  f"(wall clock, {args.workers} workers)")


if __name__ == "__main__":
    main()
