"""Grades out: the files an LMS imports, from the results in OUT (`autograde export`).

=======  ===================================================================
canvas   Canvas gradebook import: ``Student, ID, SIS User ID, SIS Login ID,
         Section``, one column per assignment (``Name (CANVAS_ID)`` when the
         roster is a Canvas gradebook export that has the column), and a
         ``Points Possible`` row. ID is the Canvas user id of the download.
moodle   Moodle's offline grading worksheet, one file per assignment (upload it
         under the assignment's "Upload grading worksheet"): ``Identifier``
         ("Participant ID"), ``Full name``, ``Email address``, ``Status``,
         ``Grade``, ``Maximum Grade``, ..., ``Feedback comments`` (the score,
         the tests failed, and "submitted late").
csv      one row per student: id, name, email, then score and late flag per
         assignment, and the total.
=======  ===================================================================

A missing submission is left blank (the LMS then applies its own missing
policy); every other status exports its score. The names, emails and SIS
columns come from the roster `autograde grade --roster` kept in OUT (or
``--roster`` here).
"""

from __future__ import annotations

import re
from pathlib import Path

from autograde.errors import AutogradeError
from autograde.grading import record
from autograde.grading.report import exercise_of
from autograde.grading.result import GradeResult
from autograde.grading.roster import SAVED, Person
from autograde.grading.roster import read as read_roster

FORMATS = ("canvas", "moodle", "csv")
CANVAS_PEOPLE = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Identifier", "Full name", "Email address", "Status", "Grade",
                  "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                  "Last modified (grade)", "Feedback comments"]


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _score(r: GradeResult | None) -> str:
    return "" if r is None or r.status == "missing" else _num(r.score)


def _text(columns: list[str], rows: list[list[str]]) -> str:
    return record.csv_text(columns, (dict(zip(columns, row)) for row in rows))


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def canvas_column(assignment: str, people: dict[str, Person]) -> str:
    """The roster's Canvas column for ``assignment`` ("01 Perceptron (4321)"), if the
    roster is a Canvas export that has it; else the assignment's own name."""
    headers = {h for p in people.values() for h in p.extra}
    for header in sorted(headers):
        title = re.sub(r"\s*\(\d+\)\s*$", "", header)
        if header != title and _key(title) == _key(assignment):
            return header
    return assignment


def canvas(results: list[GradeResult], people: dict[str, Person]) -> str:
    """Canvas gradebook import CSV for every assignment in ``results``."""
    assignments = sorted({r.assignment for r in results if r.assignment})
    by = {(r.student_id, r.assignment): r for r in results}
    tops = {a: max(r.max_score for r in results if r.assignment == a) for a in assignments}
    rows = [["    Points Possible", "", "", "", "", *(_num(tops[a]) for a in assignments)]]
    for p in _class(results, people):
        rows.append([p.name, p.student_id, p.extra.get("SIS User ID", ""),
                     p.extra.get("SIS Login ID", ""), p.extra.get("Section", ""),
                     *(_score(by.get((p.student_id, a))) for a in assignments)])
    return _text(CANVAS_PEOPLE + [canvas_column(a, people) for a in assignments], rows)


def moodle(results: list[GradeResult], people: dict[str, Person], assignment: str) -> str:
    """Moodle grading worksheet CSV for one assignment."""
    by = {r.student_id: r for r in results if r.assignment == assignment}
    top = max((r.max_score for r in by.values()), default=0.0)
    rows = []
    for p in _class(results, people):
        r = by.get(p.student_id)
        submitted = r is not None and r.status != "missing"
        rows.append([f"Participant {p.student_id}", p.name, p.email,
                     "Submitted for grading" if submitted else "No submission",
                     _score(r), _num(top), "Yes", "", "", feedback(r) if submitted else ""])
    return _text(MOODLE_COLUMNS, rows)


def feedback(r: GradeResult) -> str:
    """A line for the LMS's feedback box: score, status, the exercises lost, lateness."""
    lost = sorted({exercise_of(t.test) for t in r.tests if not t.passed})
    parts = [f"Autograded: {_num(r.score)} / {_num(r.max_score)}"]
    if r.status != "graded":
        parts.append(f"status {r.status}: {r.detail_before_incidents()}")
    if lost:
        parts.append("points lost in " + ", ".join(lost))
    if r.incidents:
        parts.append(f"{len(r.incidents)} cell(s) stopped the grader (see the feedback file)")
    if r.late:
        parts.append("submitted late")
    return "; ".join(parts) + "."


def plain(results: list[GradeResult], people: dict[str, Person]) -> str:
    """One row per student: id, name, email, score and late flag per assignment, total."""
    assignments = sorted({r.assignment for r in results if r.assignment})
    by = {(r.student_id, r.assignment): r for r in results}
    columns = ["student_id", "name", "email"]
    for a in assignments:
        columns += [a, f"{a} late"]
    rows = []
    for p in _class(results, people):
        row, total = [p.student_id, p.name, p.email], 0.0
        for a in assignments:
            r = by.get((p.student_id, a))
            row += [_score(r), "late" if r is not None and r.late else ""]
            total += r.score if r is not None else 0.0
        rows.append(row + [_num(total)])
    return _text(columns + ["total"], rows)


def _class(results: list[GradeResult], people: dict[str, Person]) -> list[Person]:
    """The roster's students in its order, then anyone else graded (named as graded)."""
    names: dict[str, str] = {}
    for r in results:
        if r.student_id not in people:
            names[r.student_id] = names.get(r.student_id) or r.name
    return list(people.values()) + [Person(sid, names[sid]) for sid in sorted(names)]


def export(out: Path, fmt: str, assignment: str | None = None,
           roster_path: Path | None = None) -> list[Path]:
    """Write OUT/export/FORMAT[_ASSIGNMENT].csv; return the files written."""
    if fmt not in FORMATS:
        raise AutogradeError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    results = record.all_results(out)
    if assignment:
        results = [r for r in results if r.assignment == assignment]
    if not results:
        which = f" for {assignment}" if assignment else ""
        raise AutogradeError(f"no results{which} in {out}/results: run `autograde grade` first")
    saved = out / SAVED
    roster_path = roster_path or (saved if saved.exists() else None)
    people = read_roster(roster_path) if roster_path else {}
    folder = out / "export"
    if fmt == "moodle":
        written = []
        for name in sorted({r.assignment for r in results if r.assignment}):
            path = folder / f"moodle_{record.safe_name(name)}.csv"
            record.write_atomic(path, moodle(results, people, name))
            written.append(path)
        return written
    suffix = f"_{record.safe_name(assignment)}" if assignment else ""
    path = folder / f"{fmt}{suffix}.csv"
    record.write_atomic(path, (canvas if fmt == "canvas" else plain)(results, people))
    return [path]
