"""The last stage, `autograde report OUT`: how the class did, from the results in OUT.

Writes ``OUT/report/`` with ``report.md`` (per-exercise pass rates, status
counts, the submissions that need attention, the slowest submissions),
``pass_rates.csv`` and one score histogram
PNG per assignment; returns the markdown so the CLI can print it.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from autograde.grading import record
from autograde.grading.result import GradeResult

SLOWEST = 10


def exercise_of(test: str) -> str:
    """test_sigmoid / hidden_sigmoid -> sigmoid."""
    return re.sub(r"^(test|hidden)_", "", test)


def summary(results: list[GradeResult]) -> str:
    """The table `autograde grade` prints at the end: counts per status, mean score per
    assignment."""
    lines = ["status      count", "----------  -----"]
    for status, n in sorted(Counter(r.status for r in results).items()):
        lines.append(f"{status:<10}  {n:>5}")
    lines += ["", "assignment              graded  mean score"]
    by_assignment: dict[str, list[GradeResult]] = {}
    for r in results:
        by_assignment.setdefault(r.assignment or "(none)", []).append(r)
    for name, rows in sorted(by_assignment.items()):
        top = max((r.max_score for r in rows), default=0)
        mean = sum(r.score for r in rows) / len(rows)
        lines.append(f"{name:<22}  {len(rows):>6}  {mean:6.2f} / {top:g}")
    return "\n".join(lines)


def pass_rates(results: list[GradeResult]) -> list[dict]:
    """Per assignment and exercise: how many submissions passed all of its tests."""
    passed: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for r in results:
        per_exercise: dict[str, bool] = {}
        for t in r.tests:
            name = exercise_of(t.test)
            per_exercise[name] = per_exercise.get(name, True) and t.passed
        for name, ok in per_exercise.items():
            passed[(r.assignment, name)].append(ok)
    return [{"assignment": a, "exercise": e, "submissions": len(v), "passed": sum(v),
             "pass_rate": sum(v) / len(v)} for (a, e), v in sorted(passed.items())]


def histogram(results: list[GradeResult], assignment: str, path: Path) -> None:
    """Score histogram of one assignment, saved as PNG."""
    rows = [r for r in results if r.assignment == assignment]
    top = max((r.max_score for r in rows), default=1) or 1
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = np.arange(-0.5, top + 1.0, 1.0) if top <= 40 else np.linspace(0, top, 21)
    ax.hist([r.score for r in rows], bins=bins, color="#4477aa", edgecolor="white")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"score (out of {top:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"{assignment}: {len(rows)} submissions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def needs_attention(results: list[GradeResult]) -> list[str]:
    """Markdown lines listing every incident (a cell or function that stopped the worker)
    and every notebook that could not be graded to the end."""
    rows = [(r, i) for r in results for i in r.incidents]
    stopped = [r for r in results if r.status in ("timeout", "crashed", "memory")]
    lines = ["## Needs attention", ""]
    if not rows and not stopped:
        return lines + ["Nothing: every notebook ran to the end without an incident.", ""]
    lines += ["| student | assignment | cell | cause | what happened |", "|---|---|---|---|---|"]
    lines += [f"| {r.student_id} | {r.assignment} | {i.cell} | {i.cause} | "
              f"{_cell_text(i.message)} |" for r, i in rows]
    lines += [f"| {r.student_id} | {r.assignment} | (notebook) | {r.status} | "
              f"{_cell_text(r.detail_before_incidents())} |" for r in stopped]
    return lines + [""]


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_report(out: Path) -> str:
    """Write OUT/report/ and return the markdown report."""
    results = record.all_results(out)
    if not results:
        raise FileNotFoundError(f"no results in {out}/results: run `autograde grade` first")
    folder = out / "report"
    folder.mkdir(parents=True, exist_ok=True)
    rates = pass_rates(results)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, ["assignment", "exercise", "submissions", "passed",
                                  "pass_rate"], lineterminator="\n")
    writer.writeheader()
    writer.writerows({**r, "pass_rate": f"{r['pass_rate']:.3f}"} for r in rates)
    record.write_atomic(folder / "pass_rates.csv", buf.getvalue())

    lines = ["# Grading report", "", "## Submissions by status", "",
             "| status | count |", "|---|---|"]
    lines += [f"| {s} | {n} |" for s, n in sorted(Counter(r.status for r in results).items())]
    lines += ["", "## Scores", ""]
    for assignment in sorted({r.assignment for r in results if r.assignment}):
        rows = [r for r in results if r.assignment == assignment]
        png = folder / f"histogram_{record.safe_name(assignment)}.png"
        histogram(results, assignment, png)
        mean = sum(r.score for r in rows) / len(rows)
        lines += [f"### {assignment}", "",
                  f"{len(rows)} submissions, mean score {mean:.2f} / "
                  f"{max(r.max_score for r in rows):g}", "", f"![histogram]({png.name})",
                  "", "| exercise | passed | pass rate |", "|---|---|---|"]
        lines += [f"| {r['exercise']} | {r['passed']} / {r['submissions']} | "
                  f"{100 * r['pass_rate']:.0f}% |" for r in rates if r["assignment"] == assignment]
        lines.append("")
    lines += needs_attention(results)
    slow = sorted(results, key=lambda r: -r.seconds)[:SLOWEST]
    lines += ["## Slowest submissions", "", "| student | assignment | seconds | status |",
              "|---|---|---|---|"]
    lines += [f"| {r.student_id} | {r.assignment} | {r.seconds:.1f} | {r.status} |"
              for r in slow]
    text = "\n".join(lines) + "\n"
    record.write_atomic(folder / "report.md", text)
    return text
