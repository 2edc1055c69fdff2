"""Generate the student notebooks with nbgrader and commit them to ``notebooks/``.

Steps: check every source notebook against docs/authoring.md (nothing is
written when one breaks it); run nbgrader's own ``generate_assignment`` into a
staging folder; copy into ``notebooks/NAME`` only the files whose bytes
changed, and remove files nbgrader no longer produces. nbgrader's output
depends only on the source notebooks, so releasing twice gives the same bytes.
The course-wide files of ``solutions/`` (:data:`COURSE_FILES`, such as the
notation and glossary that every notebook links as ``../notation.md``) are
copied to ``notebooks/`` the same way, whichever assignments are released.
"""

from __future__ import annotations

import functools
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograde.compare import files_under
from autograde.config import Course
from autograde.errors import AutogradeError, LayoutError
from autograde.layout import layout_problems
from autograde.nbgrader_config import COURSE_ID, course_config, put_interpreter_on_path
from autograde.notebook import read

_EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_.]*(Error|Exception)): (.+)$")
# Files of solutions/ itself (not of an assignment) that the release copies to notebooks/
COURSE_FILES = ("notation.md",)


@dataclass(frozen=True)
class WrittenFile:
    """One file of the release and what ``release`` did to it."""

    path: Path
    status: str  # "new", "updated", "unchanged" or "removed"


def source_problems(course: Course, names: list[str]) -> list[str]:
    """Layout problems of every source notebook of ``names``, prefixed by the notebook."""
    return [f"{course.relative(path)}: {problem}"
            for name in names for path in course.source_notebooks(name)
            for problem in layout_problems(read(path))]


def check_sources(course: Course, names: list[str]) -> None:
    """Raise :class:`LayoutError` unless every source notebook follows docs/authoring.md."""
    problems = source_problems(course, names)
    if problems:
        raise LayoutError(problems)


def _root_cause(log: str) -> str:
    """The last 'SomethingError: message' line of an nbgrader log, else its last line."""
    lines = [line for line in log.splitlines() if line.strip()]
    causes = [m.group(1) + ": " + m.group(3) for m in map(_EXCEPTION_LINE.match, lines) if m]
    return causes[-1] if causes else (lines[-1].strip() if lines else "no log")


def generate(course: Course, name: str, dest_root: Path, db_url: str) -> Path:
    """Run nbgrader ``generate_assignment`` for ``name`` into ``dest_root/name``.

    Parameters
    ----------
    course : the course whose ``solutions/name`` is released.
    name : the assignment.
    dest_root : folder that receives ``name/`` (created if needed).
    db_url : gradebook that records the assignment's cells and points.

    Returns
    -------
    The folder ``dest_root/name`` holding the student version.
    """
    put_interpreter_on_path()
    config = course_config(course.root)
    config.CourseDirectory.release_directory = str(dest_root.resolve())
    config.CourseDirectory.db_url = db_url
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_assignment(name, force=True, create=True)
    if not result["success"]:
        log = result.get("log", "")
        log_file = course.build_dir / "logs" / f"release-{name}.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.write_text(log + result.get("error", ""))
        raise AutogradeError(
            f"nbgrader generate_assignment {name} failed: {_root_cause(log)} "
            f"(full log: {course.relative(log_file)})"
        )
    return dest_root / name


@functools.cache
def _empty_gradebook() -> bytes:
    """An empty gradebook of the course as bytes (nbgrader creates one with alembic: slow)."""
    put_interpreter_on_path()
    with tempfile.TemporaryDirectory(prefix="autograde-gradebook-") as tmp:
        path = Path(tmp) / "gradebook.db"
        Gradebook(f"sqlite:///{path}", course_id=COURSE_ID).close()
        return path.read_bytes()


def new_gradebook(path: Path) -> str:
    """Create an empty gradebook at ``path`` unless one exists; return its SQLite URL."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_empty_gradebook())
    return f"sqlite:///{path}"


def fresh_release(course: Course, names: list[str], stage: Path) -> dict[str, Path]:
    """Generate each assignment into ``stage/release/NAME``, recording to a scratch gradebook."""
    if not names:
        return {}
    db_url = new_gradebook(stage / "gradebook.db")
    return {name: generate(course, name, stage / "release", db_url) for name in names}


def _copy_if_changed(src: Path, dest: Path) -> WrittenFile:
    """Copy ``src`` to ``dest`` unless ``dest`` already holds the same bytes."""
    data = src.read_bytes()
    if dest.is_file() and dest.read_bytes() == data:
        return WrittenFile(dest, "unchanged")
    status = "updated" if dest.is_file() else "new"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return WrittenFile(dest, status)


def sync_folder(fresh: Path, target: Path) -> list[WrittenFile]:
    """Make ``target`` hold exactly the files of ``fresh``, writing only what changed."""
    new, old = files_under(fresh), files_under(target)
    written = [_copy_if_changed(src, target / rel) for rel, src in new.items()]
    for rel in sorted(set(old) - set(new)):
        old[rel].unlink()
        written.append(WrittenFile(target / rel, "removed"))
    return written


def _course_file_pairs(course: Course) -> list[tuple[Path, Path]]:
    """(source, release) paths of each course-wide file."""
    return [(course.source_dir / name, course.release_dir / name) for name in COURSE_FILES]


def sync_course_files(course: Course) -> list[WrittenFile]:
    """Copy each of :data:`COURSE_FILES` from ``solutions/`` to ``notebooks/``, writing
    only what changed; remove a released copy whose source is gone."""
    written = []
    for source, target in _course_file_pairs(course):
        if source.is_file():
            written.append(_copy_if_changed(source, target))
        elif target.is_file():
            target.unlink()
            written.append(WrittenFile(target, "removed"))
    return written


def course_file_differences(course: Course) -> dict[Path, str]:
    """Per course-wide file of ``notebooks/`` that a release would change, how it differs."""
    differences = {}
    for source, target in _course_file_pairs(course):
        if source.is_file() and not target.is_file():
            differences[target] = "missing: it was never released"
        elif target.is_file() and not source.is_file():
            differences[target] = "not produced by a release any more"
        elif source.is_file() and source.read_bytes() != target.read_bytes():
            differences[target] = f"bytes differ from {course.relative(source)}"
    return differences


def release(course: Course, names: list[str]) -> list[WrittenFile]:
    """Check, generate and commit the student version of each assignment in ``names``,
    then the course-wide files (:func:`sync_course_files`).

    The gradebook ``build/gradebook.db`` records the assignments, so that plain
    ``nbgrader autograde`` can grade submissions afterwards.
    """
    check_sources(course, names)
    written = []
    with tempfile.TemporaryDirectory(prefix="autograde-release-") as stage:
        for name in names:
            fresh = generate(course, name, Path(stage), new_gradebook(course.gradebook))
            written += sync_folder(fresh, course.release_dir / name)
    return written + sync_course_files(course)
