"""Who handed in which file: the layouts of the downloads instructors really have.

A layout turns SUBMISSIONS (a folder, or one downloaded ``.zip``) into one
:class:`StudentFiles` per student, with the id the LMS uses, the name it
gives, and every file the student handed in. :mod:`autograde.grading.collect`
then matches notebooks to assignments and picks the newest.

========  ==================================================================
folders   one folder or ``.zip`` per student, named by student id
canvas    Canvas "Download Submissions": flat files
          ``lastfirst[_late]_USERID_ATTACHMENTID_file.ipynb`` (id: USERID;
          a resubmitted file may end in ``-1``; a larger ATTACHMENTID is newer)
moodle    Moodle "Download all submissions": ``Full Name_ID_assignsubmission_file_/``
          folders, or flat ``Full Name_ID_assignsubmission_file_file.ipynb``
nbgrader  nbgrader's course directory: ``submitted/STUDENT/ASSIGNMENT/`` with
          ``timestamp.txt``
exchange  nbgrader's exchange ``inbound/``: ``STUDENT+ASSIGNMENT+TIMESTAMP[+RANDOM]/``
========  ==================================================================

Nothing is extracted to disk: zip members are read in memory with caps, and
members with ``..`` or absolute paths, links, and oversized or over-compressed
members are refused. A file that belongs to no student is listed in
``unrecognised``, never dropped in silence.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograde.errors import AutogradeError

LAYOUTS = ("folders", "canvas", "moodle", "nbgrader", "exchange")
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_RATIO = 200
ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError)   # a damaged zip raises
JUNK = {".ipynb_checkpoints", "__MACOSX", ".DS_Store", "Thumbs.db"}   # never a submission

CANVAS = re.compile(r"^(?P<name>[^_/]+)_(?:(?P<late>late)_)?(?P<id>\d+)_(?:(?P<order>\d+)_)?"
                    r"(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_"
                    r"(?P<plugin>[a-z]+)_(?P<rest>.*)$")
EXCHANGE = re.compile(r"^(?P<id>[^+/]+)\+(?P<assignment>[^+/]+)\+(?P<time>[^+/]+)(?:\+.*)?$")


@dataclass
class Found:
    """One file a student handed in."""

    name: str                  # where it was, for messages
    rank: tuple = ()           # larger is newer: the newest notebook of an assignment counts
    data: bytes | None = None  # the bytes of a notebook (other files are not read)
    problem: str = ""          # why it cannot be used (too large, a link, not a notebook)
    late: bool = False         # the LMS marked it late


@dataclass
class StudentFiles:
    """Everything one student handed in, under the id the LMS knows them by."""

    student_id: str
    name: str = ""             # as the download gives it (Canvas: "lastfirst")
    found: list[Found] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Download:
    """SUBMISSIONS, read: its layout, its students, and the files that belong to nobody."""

    layout: str
    students: list[StudentFiles]
    unrecognised: list[str]


# reading files and zips, safely ---------------------------------------------------
def _too_large(size: int) -> str:
    return f"is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit"


def _is_junk(parts: tuple[str, ...]) -> bool:
    return any(p in JUNK or p.startswith("._") for p in parts)


def _wanted(name: str) -> bool:
    return name.lower().endswith((".ipynb", ".zip"))


def walk_folder(root: Path) -> list[Found]:
    """Every file under ``root`` (notebooks and zips read, within caps; links refused)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _is_junk((d,)))
        for fname in sorted(filenames):
            if _is_junk((fname,)):
                continue
            path = Path(dirpath) / fname
            found += _file(path, str(path.relative_to(root)))
    return found


def _file(path: Path, name: str) -> list[Found]:
    """One file on disk: a notebook or a zip read (within the cap), anything else named."""
    info = os.lstat(path)
    f = Found(name, (info.st_mtime,))
    if stat.S_ISLNK(info.st_mode):
        f.problem = "is a link, not a file"
    elif not _wanted(path.name):
        f.problem = "is not a notebook"
    elif info.st_size > MAX_NOTEBOOK_BYTES:
        f.problem = _too_large(info.st_size)
    else:
        f.data = path.read_bytes()
    return _expand(f)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read a member without trusting its header's size: stop at the cap."""
    with zf.open(info) as f:
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(_too_large(len(data)))
    return data


def walk_zip(source: Path | bytes, nested: bool = True) -> list[Found]:
    """Every file member of a zip (a path, or bytes of a zip inside a download)."""
    found = []
    with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ValueError(f"has {len(members)} files, over the limit of {MAX_ZIP_MEMBERS}")
        for info in members:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if info.is_dir() or not parts or _is_junk(parts):
                continue
            f = Found(name, (_zip_mtime(info),))
            if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                f.problem = "has an unsafe path"
            elif stat.S_ISLNK(info.external_attr >> 16):
                f.problem = "is a link, not a file"
            elif not _wanted(name) or (name.lower().endswith(".zip") and not nested):
                f.problem = "is not a notebook"
            elif info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                f.problem = "is compressed suspiciously well (a zip bomb?)"
            else:
                try:
                    f.data = _read_member(zf, info)
                except ZIP_ERRORS as err:
                    f.problem = str(err)
            found.extend(_expand(f) if nested else [f])
    return found


def _expand(f: Found) -> list[Found]:
    """A zip a student handed in stands for its notebooks (one level deep)."""
    if f.data is None or not f.name.lower().endswith(".zip"):
        return [f]
    try:
        inner = walk_zip(f.data, nested=False)
    except ZIP_ERRORS as err:
        return [Found(f.name, f.rank, problem=f"is not a usable zip file ({err})")]
    for g in inner:
        g.name, g.rank, g.late = f"{f.name}/{g.name}", f.rank + g.rank, f.late
    return inner


def _zip_mtime(info: zipfile.ZipInfo) -> float:
    try:
        return datetime.datetime(*info.date_time).timestamp()
    except ValueError:
        return 0.0


def _timestamp(text: str) -> float | None:
    """nbgrader's timestamp.txt ("2026-12-01 13:05:00.123456 UTC") as seconds, or None."""
    try:   # Python 3.11 reads the space between date and time, and the fraction
        stamp = datetime.datetime.fromisoformat(text.strip().replace(" UTC", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp.timestamp()


def _folder_time(folder: Path, fallback: str = "") -> float | None:
    stamp = folder / "timestamp.txt"
    text = stamp.read_text(errors="replace") if stamp.is_file() else ""
    return _timestamp(text) or _timestamp(fallback)


# the download as a list of top-level entries ---------------------------------------
def _top_level(submissions: Path) -> list[tuple[str, Path | None, list[Found]]]:
    """(name, path or None, files) of each top-level entry: the folder's children, or a
    zip's first path components (its members grouped under them)."""
    if submissions.is_dir():
        return [(e.name, e, []) for e in sorted(submissions.iterdir())
                if not e.name.startswith(".") and not _is_junk((e.name,))]
    groups: dict[str, list[Found]] = {}
    for f in walk_zip(submissions):
        head, _, rest = f.name.replace("\\", "/").partition("/")
        if rest:
            f.name = rest
        groups.setdefault(head, []).append(f)
    return [(head, None, files) for head, files in sorted(groups.items())]


def _top_names(submissions: Path) -> list[str]:
    """The names of the top-level entries, without reading a file (what detect needs)."""
    if submissions.is_dir():
        return [name for name, _, _ in _top_level(submissions)]
    with zipfile.ZipFile(submissions) as zf:      # grouped as _top_level groups members
        heads = {n.replace("\\", "/").partition("/")[0] for n in zf.namelist()}
    return sorted(h for h in heads if h and not _is_junk((h,)))


def _entry_files(path: Path | None, files: list[Found], name: str) -> list[Found]:
    """The files of one top-level entry: a folder walked, a file read, or zip members."""
    if path is None:                                        # read, zips expanded
        return files
    if path.is_symlink():
        return [Found(name, problem="is a link; submit a folder or a .zip")]
    if path.is_dir():
        return walk_folder(path)
    if path.name.lower().endswith(".zip"):
        try:
            return walk_zip(path)
        except ZIP_ERRORS as err:
            return [Found(name, problem=f"is not a usable zip file ({err})")]
    return _file(path, path.name)                           # a loose file of a flat download


def _students(by_id: dict[str, StudentFiles], student_id: str, name: str = "") -> StudentFiles:
    student = by_id.setdefault(student_id, StudentFiles(student_id, name))
    student.name = student.name or name
    return student


# the layouts -------------------------------------------------------------------------
def _folders(submissions: Path) -> Download:
    by_id: dict[str, StudentFiles] = {}
    for name, path, files in _top_level(submissions):
        if path is not None and path.is_file() and name.endswith(".ipynb"):
            _students(by_id, name).problems.append(
                f"{name} is a notebook on its own; put it in a folder named by student id")
            continue
        if path is not None and path.is_file() and not name.lower().endswith(".zip"):
            _students(by_id, name).problems.append(f"{name} is neither a folder nor a .zip")
            continue
        student_id = name[:-4] if name.lower().endswith(".zip") else name
        student = _students(by_id, student_id)
        for f in _entry_files(path, files, name):
            if f.problem == "is not a notebook":      # data files beside the notebook
                continue
            if f.problem and f.name == name:
                student.problems.append(f"{name} {f.problem}")
            else:
                student.found.append(f)
    return Download("folders", list(by_id.values()), [])


def _canvas(submissions: Path) -> Download:
    by_id: dict[str, StudentFiles] = {}
    unrecognised = []
    for name, path, files in _top_level(submissions):
        m = CANVAS.match(name)
        if not m or (path is not None and path.is_dir()):
            unrecognised.append(f"{name}: not a Canvas submission file name "
                                f"(lastfirst_USERID_ATTACHMENTID_file)")
            continue
        student = _students(by_id, m["id"], m["name"])
        order = int(m["order"] or 0)
        for f in _entry_files(path, files, name):
            f.rank, f.late = (order, *f.rank), bool(m["late"])
            student.found.append(f)
    return Download("canvas", list(by_id.values()), unrecognised)


def _moodle(submissions: Path) -> Download:
    by_id: dict[str, StudentFiles] = {}
    unrecognised = []
    for name, path, files in _top_level(submissions):
        m = MOODLE.match(name)
        if not m:
            unrecognised.append(f"{name}: not a Moodle submission "
                                f"(Full Name_ID_assignsubmission_file_)")
            continue
        student = _students(by_id, m["id"], m["name"])
        if m["plugin"] != "file":
            student.problems.append(f"{name}: a Moodle {m['plugin']} submission, not a "
                                    f"file; not graded")
            continue
        for f in _entry_files(path, files, name):
            student.found.append(f)
    return Download("moodle", list(by_id.values()), unrecognised)


def _stamped(folder: Path, when: float | None) -> list[Found]:
    """The notebooks of one nbgrader submission folder, ranked by its timestamp first."""
    found = [f for f in walk_folder(folder) if f.problem != "is not a notebook"]
    for f in found:
        f.name = f"{folder.name}/{f.name}"
        f.rank = ((when,) if when is not None else ()) + f.rank
    return found


def _nbgrader(submissions: Path) -> Download:
    root = submissions / "submitted" if (submissions / "submitted").is_dir() else submissions
    by_id: dict[str, StudentFiles] = {}
    unrecognised = []
    for student_dir in sorted(p for p in root.iterdir() if not p.name.startswith(".")):
        if not student_dir.is_dir() or student_dir.is_symlink():
            unrecognised.append(f"{student_dir.name}: not a student folder "
                                f"(submitted/STUDENT/ASSIGNMENT/)")
            continue
        student = _students(by_id, student_dir.name)
        for assignment_dir in sorted(student_dir.iterdir()):
            if not assignment_dir.is_dir() or assignment_dir.is_symlink():
                student.problems.append(f"{assignment_dir.name} is not an assignment folder")
                continue
            student.found += _stamped(assignment_dir, _folder_time(assignment_dir))
    return Download("nbgrader", list(by_id.values()), unrecognised)


def _exchange(submissions: Path) -> Download:
    root = submissions / "inbound" if (submissions / "inbound").is_dir() else submissions
    by_id: dict[str, StudentFiles] = {}
    unrecognised = []
    for entry in sorted(p for p in root.iterdir() if not p.name.startswith(".")):
        m = EXCHANGE.match(entry.name)
        if not m or not entry.is_dir() or entry.is_symlink():
            unrecognised.append(f"{entry.name}: not an exchange submission "
                                f"(STUDENT+ASSIGNMENT+TIMESTAMP)")
            continue
        _students(by_id, m["id"]).found += _stamped(entry, _folder_time(entry, m["time"]))
    return Download("exchange", list(by_id.values()), unrecognised)


READERS = {"folders": _folders, "canvas": _canvas, "moodle": _moodle,
           "nbgrader": _nbgrader, "exchange": _exchange}


def detect(submissions: Path) -> str:
    """The layout SUBMISSIONS looks like (``folders`` unless another one fits most entries)."""
    if submissions.is_dir():
        if (submissions / "submitted").is_dir() or submissions.name == "submitted":
            return "nbgrader"
        if (submissions / "inbound").is_dir() or submissions.name == "inbound":
            return "exchange"
    names = _top_names(submissions)
    for layout, pattern in (("exchange", EXCHANGE), ("moodle", MOODLE), ("canvas", CANVAS)):
        if names and sum(bool(pattern.match(n)) for n in names) * 2 > len(names):
            if layout != "canvas" or any(n.lower().endswith((".ipynb", ".zip"))
                                         for n in names):
                return layout
    if not submissions.is_dir():
        raise AutogradeError(f"{submissions} is a zip, but not a Canvas or Moodle download: "
                             f"pass --layout, or a folder with one entry per student")
    return "folders"


def read(submissions: Path, layout: str = "auto") -> Download:
    """Read SUBMISSIONS in ``layout`` (``auto``: :func:`detect`)."""
    if layout == "auto":
        try:
            layout = detect(submissions)
        except ZIP_ERRORS as err:
            raise AutogradeError(f"{submissions} is not a usable zip file ({err}): download "
                                 f"it again from the LMS") from None
    if layout not in READERS:
        raise AutogradeError(f"--layout must be auto or one of {', '.join(LAYOUTS)}, "
                             f"not {layout!r}")
    if not submissions.is_dir() and layout not in ("canvas", "moodle"):
        raise AutogradeError(f"{submissions} is not a folder: the {layout} layout reads a "
                             f"folder (only Canvas and Moodle downloads may stay zipped)")
    try:
        return READERS[layout](submissions)
    except ZIP_ERRORS as err:
        raise AutogradeError(f"{submissions} cannot be read as a {layout} download ({err})"
                             ) from None
