"""Plain-text reports of what release and validate did."""

from __future__ import annotations

from autograde.config import Course
from autograde.notebook import read, solution_ids, total_points
from autograde.release import WrittenFile
from autograde.validate import CHECKS, NotebookReport


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A left-aligned text table with a rule under the header."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip()
             for row in [headers, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def _points(points: float) -> str:
    return f"{points:g}"


def _timed(report: NotebookReport, check: str) -> str:
    found = report.checks[check]
    return found.status if found.seconds is None else f"{found.status} {found.seconds:.1f}s"


def validation_table(course: Course, reports: list[NotebookReport]) -> str:
    """One row per notebook: size, points, and the outcome of each check."""
    headers = ["notebook", "cells", "exercises", "graded", "points", *CHECKS, "result"]
    rows = [[course.relative(r.source), str(r.cells), str(r.exercises), str(r.graded),
             _points(r.points), *(_timed(r, check) for check in CHECKS),
             "ok" if r.ok else "FAILED"] for r in reports]
    return table(headers, rows)


def validation_report(course: Course, reports: list[NotebookReport], seconds: float) -> str:
    """The table, then what to fix per failing notebook, then warnings and a summary line."""
    parts = [validation_table(course, reports)]
    for report in reports:
        if report.problems():
            parts.append(f"\nWhat to fix in {course.relative(report.source)}:\n"
                         + "\n".join(f"  - {p}" for p in report.problems()))
    for report in reports:
        if report.warnings:
            parts.append(f"\nWarnings for {course.relative(report.source)}:\n"
                         + "\n".join(f"  - {w}" for w in report.warnings))
    failed = sum(not r.ok for r in reports)
    verdict = "all passed" if not failed else f"{failed} failed"
    parts.append(f"\nvalidate: {len(reports)} notebook(s), {verdict} ({seconds:.1f} s)")
    return "\n".join(parts)


def _notebook_size(written: WrittenFile) -> list[str]:
    """cells, exercises and points of a written notebook ("" for other files)."""
    if written.status == "removed" or written.path.suffix != ".ipynb":
        return ["", "", ""]
    nb = read(written.path)
    return [str(len(nb.cells)), str(len(solution_ids(nb))), _points(total_points(nb))]


def release_report(course: Course, written: list[WrittenFile], seconds: float) -> str:
    """One line per file of the release: what happened to it, and its size."""
    rows = [[course.relative(f.path), f.status, *_notebook_size(f)] for f in written]
    changed = sum(f.status != "unchanged" for f in written)
    return (table(["file", "status", "cells", "exercises", "points"], rows)
            + f"\nrelease: {len(written)} file(s) from {course.relative(course.source_dir)}/, "
              f"{changed} changed ({seconds:.1f} s)")
