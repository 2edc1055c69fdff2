"""The last stage, `autograde report OUT`: how the class did, from the results in OUT.

Writes ``OUT/report/`` with ``report.md`` (status counts; per assignment the
score histogram, per-exercise pass rates and how many did not attempt each
exercise, a plot of the points per exercise and the most common failures; the
submissions that need attention; the slowest submissions), ``pass_rates.csv``,
``common_failures.csv`` (every failure group), and two PNGs per assignment
(``histogram_*``, ``exercises_*``); returns the markdown so the CLI can print it.

Failures are grouped by exercise, error type and message with its numbers and
arrays blanked ("row 0 of softmax sums to 2" and "row 1 ... sums to 3.5" are one
mistake). Tests not attempted (``NotImplementedError``) or not run (the notebook
stopped earlier) form one group per exercise each, kept out of the top failures
so that they never hide the wrong answers.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from autograde.grading import record
from autograde.grading.result import GradeResult, TestResult

SLOWEST = 10
TOP_FAILURES = 3        # per exercise, in report.md; common_failures.csv has them all
NOT_ATTEMPTED = "NotImplementedError"
NOT_RUN = "NotRun"      # a test the judge did not run (the notebook stopped; results
                        # recorded before the judge said so have no error type)
# An exercise's outcome for one submission, in the plot's order, with its colour.
OUTCOMES = {"full points": "#4477aa", "partial": "#ccbb44", "0 points": "#ee6677",
            "not attempted": "#bbbbbb"}
NUMBER = re.compile(r"\b0x[0-9a-f]+|(?<![\w.])[-+]?(?:\d+(?:\.\d+)?(?:\.(?=[],)]))?|\.\d+)"
                    r"(?:e[-+]?\d+)?(?!\w)|\b(?:nan|inf)\b", re.IGNORECASE)
ARRAY = re.compile(r"\[[#\s.,\[\]]*\]")   # an array or list once its numbers are blanked
TUPLE = re.compile(r"\(#(?:,\s*#)*,?\)")   # a shape or an index, but not the shape ()


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


def by_exercise(result: GradeResult) -> dict[str, list[TestResult]]:
    """One submission's tests by exercise (test_sigmoid and hidden_sigmoid: sigmoid)."""
    tests: dict[str, list[TestResult]] = {}
    for t in result.tests:
        tests.setdefault(exercise_of(t.test), []).append(t)
    return tests


def pass_rates(results: list[GradeResult]) -> list[dict]:
    """Per assignment and exercise: how many submissions passed all of its tests."""
    passed: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for r in results:
        for name, tests in by_exercise(r).items():
            passed[(r.assignment, name)].append(all(t.passed for t in tests))
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


def outcome(tests: list[TestResult]) -> str:
    """One submission's outcome on one exercise (its tests): a key of OUTCOMES."""
    if all(t.passed for t in tests):
        return "full points"
    if sum(t.points for t in tests) > 0:
        return "partial"
    if any(t.error == NOT_ATTEMPTED for t in tests):
        return "not attempted"
    return "0 points"


def outcomes(rows: list[GradeResult]) -> dict[str, Counter]:
    """Per exercise of one assignment's submissions, alphabetical as in pass_rates: how
    many submissions had each outcome."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        for name, tests in by_exercise(r).items():
            counts[name][outcome(tests)] += 1
    return dict(sorted(counts.items()))


def exercise_plot(counts: dict[str, Counter], title: str, path: Path) -> None:
    """One horizontal bar per exercise, split by the share of submissions with each
    outcome, with passed / submissions at its end; saved as PNG."""
    names = list(counts)
    rows = np.arange(len(names))
    totals = np.array([sum(counts[e].values()) for e in names])
    fig, ax = plt.subplots(figsize=(7, 1.3 + 0.3 * len(names)))
    left = np.zeros(len(names))
    for label, colour in OUTCOMES.items():
        share = np.array([counts[e][label] for e in names]) / totals
        ax.barh(rows, share, left=left, height=0.7, color=colour, label=label)
        left += share
    ax.set_yticks(rows, [_label(e) for e in names])
    for row, name in zip(rows, names):
        ax.text(1.01, row, f"{counts[name]['full points']}/{totals[row]}", va="center",
                fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.tick_params(axis="y", labelsize=8, length=0)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.set_xlabel("share of submissions (at the right: full points / submissions)")
    ax.set_title(textwrap.fill(title, 70), loc="left", pad=22)
    ax.legend(ncol=len(OUTCOMES), loc="lower left", bbox_to_anchor=(0, 1), frameon=False,
              fontsize=8, handlelength=1, borderaxespad=0.2)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def _label(name: str, width: int = 28) -> str:
    """An exercise name for a tick label: long ones cut (the tables have them whole)."""
    return name if len(name) <= width else name[: width - 1] + "…"


@dataclass
class FailureGroup:
    """The failed tests of one exercise whose messages differ only in numbers and arrays."""

    assignment: str
    exercise: str
    error: str              # the error type; NotImplementedError or NotRun: a whole group
    example: str            # the first message of the group, as a student read it
    tests: list[str] = field(default_factory=list)
    students: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        """How many submissions (one per student in an assignment) are in the group."""
        return len(self.students)

    @property
    def mistake(self) -> bool:
        """A wrong answer, as opposed to a test not attempted or not run."""
        return self.error not in (NOT_ATTEMPTED, NOT_RUN)


def headline(test: TestResult) -> str:
    """A failed test's message in one line, without the error type it starts with."""
    first = test.message.strip().split("\n", 1)[0]
    return first.removeprefix(f"{test.error}: ").strip() or "(no message)"


def message_pattern(text: str) -> str:
    """'row 0 of softmax sums to 2.5' -> 'row # of softmax sums to #'; arrays -> '[#]',
    shapes and indices -> '(#)' (the shape () stays: a scalar is a mistake of its own)."""
    return TUPLE.sub("(#)", ARRAY.sub("[#]", NUMBER.sub("#", text)))


def failure_groups(results: list[GradeResult]) -> list[FailureGroup]:
    """Every failed test, grouped by assignment, exercise, error type and message_pattern
    (one group per exercise for the tests not attempted, one for those not run); by
    assignment and exercise, then the most submissions first."""
    groups: dict[tuple[str, str, str, str], FailureGroup] = {}
    for r in results:
        for t in (t for t in r.tests if not t.passed):
            error, text, name = t.error or NOT_RUN, headline(t), exercise_of(t.test)
            pattern = "" if error in (NOT_ATTEMPTED, NOT_RUN) else message_pattern(text)
            group = groups.setdefault((r.assignment, name, error, pattern),
                                      FailureGroup(r.assignment, name, error, text))
            group.students.add(r.student_id)
            if t.test not in group.tests:
                group.tests.append(t.test)
    return sorted(groups.values(),
                  key=lambda g: (g.assignment, g.exercise, -g.count, g.error, g.example))


def common_failures(groups: list[FailureGroup]) -> list[str]:
    """Markdown lines for one assignment's failure groups: the TOP_FAILURES wrong answers
    of each exercise given by the most submissions, then how many were not run."""
    if not groups:
        return ["No failures: every submission passed every test.", ""]
    mistakes = [g for g in groups if g.mistake]
    if not mistakes:
        lines = ["No wrong answers: every failed test was not attempted or not run.", ""]
    else:
        lines = [f"Most common failures (top {TOP_FAILURES} per exercise, without the tests "
                 "not attempted or not run; all of them are in common_failures.csv):", "",
                 "| exercise | submissions | tests | error | example message |",
                 "|---|---|---|---|---|"]
        for _, rows in groupby(mistakes, key=lambda g: g.exercise):
            lines += [f"| {g.exercise} | {g.count} | {', '.join(g.tests)} | {g.error} | "
                      f"{_cell_text(textwrap.shorten(g.example, 160, placeholder=' …'))} |"
                      for g in list(rows)[:TOP_FAILURES]]
        lines.append("")
    not_run = set().union(*(g.students for g in groups if g.error == NOT_RUN))
    if not_run:
        lines += [f"{len(not_run)} submission(s) stopped before some tests ran: see "
                  "*Needs attention*.", ""]
    return lines


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


def assignment_section(rows: list[GradeResult], rates: list[dict],
                       groups: list[FailureGroup], folder: Path) -> list[str]:
    """Markdown lines for one assignment, from its submissions, pass rates and failure
    groups; writes its histogram and points-per-exercise PNGs into ``folder``."""
    assignment, name = rows[0].assignment, record.safe_name(rows[0].assignment)
    histogram(rows, assignment, folder / f"histogram_{name}.png")
    counts = outcomes(rows)
    mean = sum(r.score for r in rows) / len(rows)
    lines = [f"### {assignment}", "",
             f"{len(rows)} submissions, mean score {mean:.2f} / "
             f"{max(r.max_score for r in rows):g}", "", f"![histogram](histogram_{name}.png)",
             "", "| exercise | passed | pass rate | not attempted |", "|---|---|---|---|"]
    lines += [f"| {r['exercise']} | {r['passed']} / {r['submissions']} | "
              f"{100 * r['pass_rate']:.0f}% | {counts[r['exercise']]['not attempted']} |"
              for r in rates]
    lines.append("")
    if counts:
        graded = sum(1 for r in rows if r.tests)
        exercise_plot(counts, f"{assignment}: points per exercise, {graded} graded "
                      f"submission{'' if graded == 1 else 's'}", folder / f"exercises_{name}.png")
        lines += [f"![points per exercise](exercises_{name}.png)", ""]
    return lines + common_failures(groups)


def write_report(out: Path) -> str:
    """Write OUT/report/ and return the markdown report."""
    results = record.all_results(out)
    if not results:
        raise FileNotFoundError(f"no results in {out}/results: run `autograde grade` first")
    folder = out / "report"
    folder.mkdir(parents=True, exist_ok=True)
    rates, groups = pass_rates(results), failure_groups(results)
    record.write_atomic(folder / "pass_rates.csv", record.csv_text(
        ["assignment", "exercise", "submissions", "passed", "pass_rate"],
        ({**r, "pass_rate": f"{r['pass_rate']:.3f}"} for r in rates)))
    record.write_atomic(folder / "common_failures.csv", record.csv_text(
        ["assignment", "exercise", "count", "error", "tests", "example"],
        ({"assignment": g.assignment, "exercise": g.exercise, "count": g.count,
          "error": g.error, "tests": " ".join(g.tests), "example": g.example}
         for g in groups)))

    lines = ["# Grading report", "", "## Submissions by status", "",
             "| status | count |", "|---|---|"]
    lines += [f"| {s} | {n} |" for s, n in sorted(Counter(r.status for r in results).items())]
    lines += ["", "## Scores", "", "*Not attempted*: a test of the exercise raised "
              "`NotImplementedError` (it, or a function it calls, is still the release stub).",
              ""]
    for assignment in sorted({r.assignment for r in results if r.assignment}):
        lines += assignment_section([r for r in results if r.assignment == assignment],
                                    [r for r in rates if r["assignment"] == assignment],
                                    [g for g in groups if g.assignment == assignment], folder)
    lines += needs_attention(results)
    slow = sorted(results, key=lambda r: -r.seconds)[:SLOWEST]
    lines += ["## Slowest submissions", "", "| student | assignment | seconds | status |",
              "|---|---|---|---|"]
    lines += [f"| {r.student_id} | {r.assignment} | {r.seconds:.1f} | {r.status} |"
              for r in slow]
    text = "\n".join(lines) + "\n"
    record.write_atomic(folder / "report.md", text)
    return text
