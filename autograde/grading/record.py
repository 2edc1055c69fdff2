"""Keep every result, once: per-submission JSON files, the CSVs, the nbgrader gradebook.

Each finished submission is written atomically to
``OUT/results/STUDENT/ASSIGNMENT.json`` with the digests of what was graded,
so a killed run can resume where it stopped and a re-run never duplicates a
row: the CSVs are rebuilt from these files. The gradebook is written by the
main process only (one writer, so no ``database is locked`` with parallel
workers); any SQLAlchemy URL works.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograde import notebook
from autograde.config import Course
from autograde.grading.result import GradeResult

GRADES_COLUMNS = ["student_id", "name", "assignment", "score", "max_score", "status", "late",
                  "incidents", "detail", "seconds"]
TESTS_COLUMNS = ["student_id", "assignment", "test", "hidden", "points", "max_points",
                 "passed", "message"]


def safe_name(text: str) -> str:
    """A file name for a student id or assignment that cannot leave its folder."""
    cleaned = "".join(c if c.isalnum() or c in "-_.@+" else "_" for c in text).strip(".")
    return cleaned or "_"


def result_path(out: Path, student: str, assignment: str) -> Path:
    return out / "results" / safe_name(student) / f"{safe_name(assignment) or '_'}.json"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader (or a killed run) sees all of it or none of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _read(path: Path) -> GradeResult | None:
    try:
        return GradeResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):   # a damaged file: graded again
        return None


def load_result(out: Path, student: str, assignment: str) -> GradeResult | None:
    return _read(result_path(out, student, assignment))


def save_result(out: Path, result: GradeResult) -> None:
    write_atomic(result_path(out, result.student_id, result.assignment),
                 json.dumps(result.to_json(), indent=1, sort_keys=True))


def all_results(out: Path) -> list[GradeResult]:
    results = [r for r in map(_read, sorted((out / "results").glob("*/*.json"))) if r]
    return sorted(results, key=lambda r: (r.student_id, r.assignment))


def write_csvs(out: Path) -> tuple[Path, Path]:
    """Rebuild grades.csv (one row per student and assignment) and tests.csv."""
    results = all_results(out)
    grades, tests = out / "grades.csv", out / "tests.csv"
    write_atomic(grades, csv_text(GRADES_COLUMNS, (
        {"student_id": r.student_id, "name": r.name, "assignment": r.assignment,
         "score": _num(r.score), "max_score": _num(r.max_score), "status": r.status,
         "late": int(r.late), "incidents": len(r.incidents),
         "detail": r.detail, "seconds": f"{r.seconds:.1f}"} for r in results)))
    write_atomic(tests, csv_text(TESTS_COLUMNS, (
        {"student_id": r.student_id, "assignment": r.assignment, "test": t.test,
         "hidden": t.hidden, "points": _num(t.points), "max_points": _num(t.max_points),
         "passed": int(t.passed), "message": t.message}
        for r in results for t in r.tests)))
    return grades, tests


def _num(x: float) -> str:
    return f"{x:g}"


def csv_text(columns: list[str], rows) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


class GradebookWriter:
    """Mirrors results into an nbgrader gradebook, from the main process only."""

    def __init__(self, db_url: str):
        # nbgrader runs the `alembic` command by name: make the venv's bin findable.
        bindir = str(Path(sys.executable).parent)
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        self.gb = Gradebook(db_url)

    def ensure_assignment(self, name: str, source) -> None:
        """Create the assignment, its notebook and its cells as generate_assignment would."""
        self.gb.update_or_create_assignment(name)
        self.gb.update_or_create_notebook(name, name)
        for cell in source.cells:
            m = notebook.meta(cell)
            if m.get("grade"):
                self.gb.update_or_create_grade_cell(
                    m["grade_id"], name, name, max_score=float(m.get("points", 0)),
                    cell_type=cell.cell_type)
            if m.get("solution"):
                self.gb.update_or_create_solution_cell(m["grade_id"], name, name)

    def record(self, result: GradeResult) -> None:
        """Replace this student's submission of this assignment with the new result."""
        student, assignment = result.student_id, result.assignment
        if not assignment:
            return
        self.gb.update_or_create_student(student)
        try:
            self.gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
        with warnings.catch_warnings():   # nbgrader's own SQLAlchemy autoflush chatter
            warnings.simplefilter("ignore")
            self.gb.add_submission(assignment, student)
        for test in result.tests:
            grade = self.gb.find_grade(test.test, assignment, assignment, student)
            grade.auto_score = float(test.points)
        for incident in result.incidents:   # shown beside the cell in formgrader
            try:
                comment = self.gb.find_comment(incident.solution, assignment, assignment,
                                               student)
            except MissingEntry:
                continue
            text = f"Needs attention ({incident.cause}): {incident.message}"
            comment.auto_comment = "\n".join(c for c in (comment.auto_comment, text) if c)
        self.gb.db.commit()

    def close(self) -> None:
        self.gb.close()


class Recorder:
    """Writes each result as it arrives: JSON, autograded notebook, feedback, gradebook."""

    def __init__(self, out: Path, course: Course, names: list[str], db_url: str | None):
        from autograde.grading.feedback import FeedbackWriter  # nbconvert: seconds to import
        self.out = out
        self.feedback = FeedbackWriter()
        self.gradebook = GradebookWriter(db_url or f"sqlite:///{(out / 'gradebook.db').resolve()}")
        for name in names:
            self.gradebook.ensure_assignment(name, notebook.read(course.source_notebook(name)))

    def __call__(self, result: GradeResult) -> None:
        student, assignment = safe_name(result.student_id), safe_name(result.assignment)
        if result.notebook is not None:
            nb = nbformat.reads(result.notebook, as_version=4)
            write_atomic(self.out / "autograded" / student / f"{assignment}.ipynb",
                         result.notebook)
            write_atomic(self.out / "feedback" / student / f"{assignment}.html",
                         self.feedback.html(nb, result))
        self.gradebook.record(result)
        save_result(self.out, result)

    def close(self) -> None:
        self.gradebook.close()
