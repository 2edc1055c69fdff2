"""The whole series headless: every solution notebook in a fresh kernel, timed, against its budget.

Each notebook runs as the grader runs it (``autograde.execute.run_notebook``:
nbclient, a new kernel per run, the notebook's folder as working directory,
MPLBACKEND=Agg, a per-cell timeout of 600 s). The time of a run is wall clock
from kernel start to the last cell, so it includes the kernel's start-up and
the imports. The kernel's CPU time (user + system) is reported beside it: it
depends much less on other load than wall clock. With ``--repeats N`` the
notebooks run N times round-robin and the median run is reported. Prints one
markdown table and exits 1 when a notebook did not run cleanly.

    python bench/series.py [--only 01_perceptron ...] [--repeats 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

from benchtable import markdown_table

from autograde.config import Course
from autograde.errors import AutogradeError
from autograde.execute import NotebookRun, run_notebook
from autograde.nbgrader_config import CELL_TIMEOUT

ROOT = Path(__file__).resolve().parents[1]
# Seconds each notebook may take headless, from the issues, keyed by its number.
BUDGETS = {"01": 30, "02": 60, "03": 60, "04": 90, "05": 90, "06": 90}
HEADERS = ("notebook", "seconds", "kernel CPU (s)", "share of total", "budget (s)",
           "within budget", "slowest cell", "status")


def notebooks(course: Course, only: list[str] | None) -> list[Path]:
    """The solution notebooks to run, in course order: solutions/NAME/*.ipynb."""
    return [path for name in course.select(only)
            for path in sorted((course.source_dir / name).glob("*.ipynb"))]


def budget(path: Path) -> int | None:
    """The notebook's budget in seconds, or None when the issues set none."""
    return BUDGETS.get(path.stem[:2])


def status(run: NotebookRun) -> str:
    """'ok', or why the run does not count as a clean run of the notebook."""
    if run.failure:
        return f"failed: {run.failure}"
    if run.died_in is not None:
        return f"kernel died in cell {run.died_in}"
    errors = [c for c in run.cells.values() if c.error]
    if errors:
        names = sorted({c.error for c in errors})
        return (f"errors in cells {', '.join(str(c.index) for c in errors)} "
                f"({', '.join(names)})")
    return "ok"


def slowest_cell(run: NotebookRun) -> str:
    """'cell 12 (grade_id) 4.1 s' for the code cell that took longest, or '-'."""
    if not run.cells:
        return "-"
    cell = max(run.cells.values(), key=lambda c: c.seconds)
    label = f" ({cell.grade_id})" if cell.grade_id else ""
    return f"cell {cell.index}{label} {cell.seconds:.1f} s"


@dataclass(frozen=True)
class Timed:
    """One run of a notebook and the CPU time its kernel process used (user + system)."""

    run: NotebookRun
    cpu: float


def run_timed(path: Path, timeout: int) -> Timed:
    """Run the notebook in a fresh kernel; the kernel is this process's child, reaped at the end.

    Its CPU seconds depend much less on what else the machine runs than wall clock does.
    """
    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime
    before = children_cpu()
    run = run_notebook(path, timeout=timeout)
    return Timed(run, children_cpu() - before)


def median_run(runs: list[Timed]) -> Timed:
    """The run with the median wall time (the lower middle one for an even count)."""
    return sorted(runs, key=lambda t: t.run.seconds)[(len(runs) - 1) // 2]


def row(path: Path, runs: list[Timed], total: float) -> dict[str, str]:
    """One table row: the notebook's median run, its share of ``total`` and its budget."""
    median = median_run(runs)
    seconds, limit = median.run.seconds, budget(path)
    state = next((s for s in (status(t.run) for t in runs) if s != "ok"), "ok")
    within = "n/a" if limit is None or state != "ok" else ("yes" if seconds <= limit else "no")
    return {"notebook": path.stem, "seconds": f"{seconds:.1f}",
            "kernel CPU (s)": f"{median.cpu:.1f}", "share of total": f"{seconds / total:.0%}",
            "budget (s)": "n/a" if limit is None else str(limit), "within budget": within,
            "slowest cell": slowest_cell(median.run), "status": state}


def total_row(paths: list[Path], rows: list[dict[str, str]], total: float) -> dict[str, str]:
    """The last row: summed times and budgets, and whether every notebook kept its own."""
    limits = [budget(p) for p in paths]
    known = None not in limits
    within = "n/a" if not known or any(r["status"] != "ok" for r in rows) else (
        "yes" if all(r["within budget"] == "yes" for r in rows) else "no")
    return {"notebook": "**total**", "seconds": f"{total:.1f}",
            "kernel CPU (s)": f"{sum(float(r['kernel CPU (s)']) for r in rows):.1f}",
            "share of total": "100%", "budget (s)": str(sum(limits)) if known else "n/a",
            "within budget": within, "slowest cell": "", "status": ""}


def measure(paths: list[Path], repeats: int, timeout: int) -> dict[Path, list[Timed]]:
    """Run every notebook ``repeats`` times, round-robin, each in a fresh kernel."""
    runs: dict[Path, list[Timed]] = {p: [] for p in paths}
    for r in range(repeats):
        for path in paths:
            print(f"run {r + 1}/{repeats}: {path.stem} ...", file=sys.stderr, flush=True)
            runs[path].append(run_timed(path, timeout))
    return runs


def report(runs: dict[Path, list[Timed]], repeats: int) -> str:
    """The markdown table of the runs, with its heading line."""
    total = sum(median_run(r).run.seconds for r in runs.values())
    rows = [row(path, r, total) for path, r in runs.items()]
    rows.append(total_row(list(runs), rows, total))
    return ("Solution notebooks headless, a fresh kernel each; seconds = wall clock from "
            f"kernel start to the last cell, median of {repeats} run(s).\n\n"
            + markdown_table(HEADERS, [[r[h] for h in HEADERS] for r in rows]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="assignments to run (default: all of solutions/)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per notebook (median)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                        help="seconds one cell may run before it is interrupted")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="course folder holding solutions/ (default: this repository)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    try:
        paths = notebooks(Course(args.root.resolve()), args.only)
    except AutogradeError as err:
        parser.error(str(err))
    runs = measure(paths, args.repeats, args.timeout)
    print(report(runs, args.repeats))
    return 0 if all(status(t.run) == "ok" for ts in runs.values() for t in ts) else 1


if __name__ == "__main__":
    sys.exit(main())
