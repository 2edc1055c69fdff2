"""Find each student's notebooks in a submissions folder, safely.

SUBMISSIONS holds one entry per student, named by student id: a folder or a
``.zip``. Notebooks may sit anywhere inside. They are matched to assignments
by the grade_ids of their solution cells, so a browser's renamed copy
(``01_perceptron (1).ipynb``) still counts. Nothing is extracted to disk:
zip members are read in memory with caps, and members with ``..`` or
absolute paths, links, and oversized or over-compressed members are refused.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from autograde import notebook

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_RATIO = 200


@dataclass
class Found:
    """One notebook file found in a student's entry."""

    name: str                 # path inside the student's entry, for messages
    mtime: float
    data: bytes | None = None
    problem: str = ""         # why it cannot be used (too large, a link, ...)


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


def _walk_folder(root: Path) -> list[Found]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != ".ipynb_checkpoints")
        for fname in sorted(filenames):
            if not fname.endswith(".ipynb"):
                continue
            path = Path(dirpath) / fname
            rel = str(path.relative_to(root))
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                found.append(Found(rel, info.st_mtime, problem="is a link, not a file"))
            elif info.st_size > MAX_NOTEBOOK_BYTES:
                found.append(Found(rel, info.st_mtime, problem=_too_large(info.st_size)))
            else:
                found.append(Found(rel, info.st_mtime, path.read_bytes()))
    return found


def _too_large(size: int) -> str:
    return f"is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit"


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read a member without trusting its header's size: stop at the cap."""
    with zf.open(info) as f:
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(_too_large(len(data)))
    return data


def _walk_zip(path: Path) -> list[Found]:
    found = []
    with zipfile.ZipFile(path) as zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ValueError(f"has {len(members)} files, over the limit of {MAX_ZIP_MEMBERS}")
        for info in members:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if not name.endswith(".ipynb") or ".ipynb_checkpoints" in parts:
                continue
            mtime = _zip_mtime(info)
            if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                found.append(Found(name, mtime, problem="has an unsafe path"))
            elif stat.S_ISLNK(info.external_attr >> 16):
                found.append(Found(name, mtime, problem="is a link, not a file"))
            elif info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                found.append(Found(name, mtime, problem="is compressed suspiciously well "
                                   "(a zip bomb?)"))
            else:
                try:
                    found.append(Found(name, mtime, _read_member(zf, info)))
                except (ValueError, zipfile.BadZipFile, OSError, EOFError) as err:
                    found.append(Found(name, mtime, problem=str(err)))
    return found


def _zip_mtime(info: zipfile.ZipInfo) -> float:
    try:
        return datetime.datetime(*info.date_time).timestamp()
    except ValueError:
        return 0.0


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


def _entries(submissions: Path) -> dict[str, list[Path]]:
    """student id -> their entries (a folder and a zip may both exist)."""
    by_student: dict[str, list[Path]] = {}
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.name[:-4] if entry.name.lower().endswith(".zip") else entry.name
        by_student.setdefault(student, []).append(entry)
    return by_student


def _scan(entry: Path) -> tuple[list[Found], str]:
    """The notebooks of one entry, or a problem with the entry as a whole."""
    if entry.is_symlink():
        return [], f"{entry.name} is a link; submit a folder or a .zip"
    if entry.is_dir():
        return _walk_folder(entry), ""
    if entry.name.lower().endswith(".zip"):
        try:
            return _walk_zip(entry), ""
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
            return [], f"{entry.name} is not a usable zip file ({err})"
    if entry.name.endswith(".ipynb"):
        return [], f"{entry.name} is a notebook on its own; put it in a folder named by student id"
    return [], f"{entry.name} is neither a folder nor a .zip"


def collect(submissions: Path, assignments: dict[str, set[str]],
            only: str | None = None) -> list[Submission]:
    """One :class:`Submission` per student and assignment found (or expected, with ``only``).

    Parameters
    ----------
    submissions : folder with one entry per student.
    assignments : assignment name -> grade_ids of its solution cells.
    only : grade this assignment only; students without it are ``missing``.
    """
    out: list[Submission] = []
    for student, entries in _entries(submissions).items():
        problems: list[str] = []
        candidates: dict[str, list[tuple[Found, nbformat.NotebookNode]]] = {}
        for entry in entries:
            found, problem = _scan(entry)
            if problem:
                problems.append(problem)
            for f in found:
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
        wanted = [only] if only else sorted(candidates)
        for name in wanted:
            if name not in candidates:
                status = "invalid" if problems else "missing"
                detail = ("; ".join(problems) if problems
                          else f"no notebook for {name} was submitted")
                out.append(Submission(student, name, status, detail))
                continue
            ranked = sorted(candidates[name], key=lambda fn: (-fn[0].mtime, fn[0].name))
            (chosen, nb), rest = ranked[0], ranked[1:]
            notes = list(problems)
            if rest:
                notes.append(f"{len(ranked)} notebooks for {name}: graded the newest, "
                             f"{chosen.name}; ignored " + ", ".join(f.name for f, _ in rest))
            out.append(Submission(student, name, "ok", "; ".join(notes), nb,
                                  hashlib.sha256(chosen.data).hexdigest(), notes))
        if not wanted:
            detail = "; ".join(problems) if problems else "no notebook was submitted"
            out.append(Submission(student, only or "", "invalid" if problems else "missing",
                                  detail))
    return out
