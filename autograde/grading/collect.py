"""Find each student's notebooks in what the instructor downloaded, safely.

:mod:`autograde.grading.layouts` reads SUBMISSIONS (one folder or zip per
student, a Canvas or Moodle download, an nbgrader course or exchange) into the
files of each student. Notebooks are matched to assignments by the grade_ids
of their solution cells, so a browser's renamed copy (``01_perceptron (1).ipynb``)
or an LMS's renamed file still counts; of several for one assignment the
newest counts, with a note. With a roster, the name comes from it, and every
student on it without a notebook is ``missing``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograde import notebook
from autograde.grading import layouts
from autograde.grading.roster import Person


@dataclass
class Submission:
    """What will be graded for one student and one assignment, or why not."""

    student_id: str
    assignment: str
    status: str                # "ok", "invalid" or "missing"
    detail: str = ""
    nb: nbformat.NotebookNode | None = None
    digest: str = ""           # SHA-256 of the notebook file
    notes: list[str] = field(default_factory=list)
    name: str = ""             # from the roster, else as the LMS gives it
    late: bool = False         # the LMS marked the graded file late


@dataclass
class Collection:
    """Every submission found or expected, and what belongs to nobody."""

    layout: str
    submissions: list[Submission]
    unrecognised: list[str]    # files that name no student: "FILE: why"


def parse(data: bytes) -> nbformat.NotebookNode:
    """Read notebook bytes or raise ValueError with a sentence saying what is wrong."""
    if not data.strip():
        raise ValueError("is empty")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"is not a notebook (not valid JSON: {err})") from None
    if not isinstance(raw, dict) or "cells" not in raw or not isinstance(raw["cells"], list):
        raise ValueError("is not a notebook (no list of cells)")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as err:  # nbformat raises many kinds for malformed notebooks
        raise ValueError(f"is not a readable notebook ({type(err).__name__}: {err})") from None
    for cell in nb.cells:
        if not isinstance(cell.get("source", ""), str) or cell.get("cell_type") not in (
                "code", "markdown", "raw"):
            raise ValueError("is not a readable notebook (a cell is malformed)")
    return nb


def match(nb: nbformat.NotebookNode, assignments: dict[str, set[str]]) -> str | None:
    """The assignment whose solution cells the notebook shares most (None if none)."""
    ids = {notebook.grade_id(c) for c in nb.cells if isinstance(c.get("metadata"), dict)}
    best, overlap = None, 0
    for name, solution_ids in sorted(assignments.items()):
        n = len(ids & solution_ids)
        if n > overlap:
            best, overlap = name, n
    return best


Candidates = dict[str, list[tuple[layouts.Found, nbformat.NotebookNode]]]


def _candidates(student: layouts.StudentFiles, assignments: dict[str, set[str]],
                only: str | None) -> tuple[Candidates, list[str]]:
    """assignment -> (file, notebook) handed in for it, and the problems met on the way."""
    problems = list(student.problems)
    candidates: Candidates = {}
    for f in student.found:
        if f.problem:
            problems.append(f"{f.name} {f.problem}")
            continue
        try:
            nb = parse(f.data)
        except ValueError as err:
            problems.append(f"{f.name} {err}")
            continue
        name = match(nb, assignments)
        if name is None:
            problems.append(f"{f.name} is not one of the course's notebooks")
        elif only is None or name == only:
            candidates.setdefault(name, []).append((f, nb))
    return candidates, problems


def _submissions(student: layouts.StudentFiles, assignments: dict[str, set[str]],
                 only: str | None) -> list[Submission]:
    candidates, problems = _candidates(student, assignments, only)
    out = []
    sid = student.student_id
    for name in [only] if only else sorted(candidates):
        if name not in candidates:
            status = "invalid" if problems else "missing"
            detail = "; ".join(problems) if problems else f"no notebook for {name} was submitted"
            out.append(Submission(sid, name, status, detail))
            continue
        ranked = sorted(candidates[name], key=lambda fn: fn[0].name)
        ranked.sort(key=lambda fn: fn[0].rank, reverse=True)
        (chosen, nb), rest = ranked[0], ranked[1:]
        notes = list(problems)
        if rest:
            notes.append(f"{len(ranked)} notebooks for {name}: graded the newest, "
                         f"{chosen.name}; ignored " + ", ".join(f.name for f, _ in rest))
        out.append(Submission(sid, name, "ok", "; ".join(notes), nb,
                              hashlib.sha256(chosen.data).hexdigest(), notes,
                              late=chosen.late))
    if not out:
        detail = "; ".join(problems) if problems else "no notebook was submitted"
        out.append(Submission(sid, only or "", "invalid" if problems else "missing", detail))
    for sub in out:
        sub.name = student.name
    return out


def collect(submissions: Path, assignments: dict[str, set[str]], only: str | None = None,
            layout: str = "auto", people: dict[str, Person] | None = None) -> Collection:
    """Every student's :class:`Submission` of each assignment found (or of ``only``).

    Parameters
    ----------
    submissions : the download: a folder, or a Canvas or Moodle zip.
    assignments : assignment name -> grade_ids of its solution cells.
    only : grade this assignment only; students without it are ``missing``.
    layout : ``auto`` or one of :data:`layouts.LAYOUTS`.
    people : the roster, by student id: names; its students without a notebook are
        ``missing`` for each assignment graded; students not on it get a note.
    """
    download = layouts.read(submissions, layout)
    subs = [s for student in download.students for s in _submissions(student, assignments, only)]
    if people is not None:
        graded = [only] if only else sorted({s.assignment for s in subs if s.assignment})
        have = {(s.student_id, s.assignment) for s in subs}
        for sub in subs:
            if sub.student_id in people:
                sub.name = people[sub.student_id].name or sub.name
            else:
                sub.notes.append("not on the roster")
                sub.detail = "; ".join(p for p in (sub.detail, "not on the roster") if p)
        if graded:            # a per-assignment row replaces "nothing was submitted"
            subs = [s for s in subs if s.assignment or s.student_id not in people]
        subs += [Submission(p.student_id, name, "missing", f"no notebook for {name} was "
                            f"submitted", name=p.name)
                 for p in people.values() for name in graded
                 if (p.student_id, name) not in have]
    subs.sort(key=lambda s: (s.student_id, s.assignment))
    return Collection(download.layout, subs, download.unrecognised)
