"""Before grades are published: what a regrade changed, student by student.

``autograde grade --force`` first keeps the results it is about to replace in
``OUT/history/TIMESTAMP/`` (:func:`keep_previous`); ``autograde diff OLD NEW``
compares two result sets (an OUT folder or a kept snapshot) and lists every
student and assignment whose score or status changed, with the tests that
changed and the new messages.
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograde.errors import AutogradeError
from autograde.grading import record
from autograde.grading.result import GradeResult


def keep_previous(out: Path) -> Path | None:
    """Copy OUT/results to OUT/history/TIMESTAMP/results before a regrade; its folder."""
    results = out / "results"
    if not results.is_dir() or not any(results.iterdir()):
        return None
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    kept = out / "history" / stamp
    shutil.copytree(results, kept / "results")
    return kept


@dataclass(frozen=True)
class Change:
    """One student's assignment whose grade changed between two result sets."""

    student_id: str
    assignment: str
    old: GradeResult | None
    new: GradeResult | None

    def tests(self) -> list[str]:
        """The tests whose points changed: "test: old -> new (new message)"."""
        before = {t.test: t for t in (self.old.tests if self.old else [])}
        after = {t.test: t for t in (self.new.tests if self.new else [])}
        lines = []
        for name in sorted(set(before) | set(after)):
            a, b = before.get(name), after.get(name)
            if a is None or b is None or a.points != b.points:
                was = f"{a.points:g}" if a else "-"
                now = f"{b.points:g}" if b else "-"
                why = f" ({b.message.splitlines()[0]})" if b and b.message else ""
                lines.append(f"{name}: {was} -> {now}{why}")
        return lines


def _results(folder: Path) -> dict[tuple[str, str], GradeResult]:
    if not (folder / "results").is_dir():
        raise AutogradeError(f"{folder} holds no results/ folder: pass an OUT folder of "
                             f"`autograde grade` or one of its OUT/history/* snapshots")
    return {(r.student_id, r.assignment): r for r in record.all_results(folder)}


def changes(old: Path, new: Path) -> list[Change]:
    """Every (student, assignment) whose score or status differs between ``old`` and ``new``
    (appearing or disappearing counts), sorted by student."""
    before, after = _results(old), _results(new)
    found = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None or b is None or (a.score, a.status) != (b.score, b.status):
            found.append(Change(*key, a, b))
    return found


def text(found: list[Change], old: Path, new: Path) -> str:
    """The markdown `autograde diff` prints."""
    if not found:
        return f"no score or status changed between {old} and {new}"
    lines = [f"{len(found)} grade(s) changed between {old} and {new}:", "",
             "| student | assignment | score | status | tests that changed |",
             "|---|---|---|---|---|"]
    for c in found:
        score = (f"{c.old.score:g}" if c.old else "-") + " -> " + \
            (f"{c.new.score:g}" if c.new else "-")
        status = (c.old.status if c.old else "-") + " -> " + (c.new.status if c.new else "-")
        tests = "; ".join(c.tests()).replace("|", "\\|")
        lines.append(f"| {c.student_id} | {c.assignment} | {score} | {status} | {tests} |")
    return "\n".join(lines)
