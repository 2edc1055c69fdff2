"""autograde export: the files Canvas and Moodle import, checked against their documented
columns, and a plain CSV; then the whole way from a Canvas download to a Canvas import."""

from __future__ import annotations

import csv
import io

import nbformat
import pytest

from autograde.cli import main
from autograde.errors import AutogradeError
from autograde.grading import record
from autograde.grading.export import CANVAS_PEOPLE, MOODLE_COLUMNS, export
from autograde.grading.result import GradeResult, TestResult

from .conftest import MEAN_WRONG, NAME, course, submission
from .test_layouts import ROSTER, write_zip


def rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture
def out(tmp_path):
    """OUT with three results of 00_tiny (one late, one partial) and one missing."""
    out = tmp_path / "out"
    for sid, name, score, late, status in [("12345", "lovelaceada", 6, False, "graded"),
                                           ("23456", "turingalan", 3, True, "graded"),
                                           ("99999", "", 0, False, "missing")]:
        tests = [TestResult("test_square", 1, 1, False),
                 TestResult("hidden_mean_square", 2 if score == 6 else 0, 2, True,
                            "mean_square(X) averages over samples")] if status == "graded" else []
        record.save_result(out, GradeResult(sid, NAME, status, "", score, 6, 1.0, "d", tests,
                                            name=name, late=late))
    (out / "roster.csv").write_text(ROSTER)
    return out


def test_canvas_import_has_its_columns_points_possible_and_the_sis_ids(out):
    (path,) = export(out, "canvas")
    header, points, *students = rows(path)
    assert header == CANVAS_PEOPLE + [NAME]     # the roster's column is for another title
    assert points[0].strip() == "Points Possible" and points[5] == "6"
    by_id = {r[1]: r for r in students}
    assert by_id["12345"] == ["Lovelace, Ada", "12345", "S1", "ada@uni", "A", "6"]
    assert by_id["23456"][5] == "3"
    assert by_id["99999"][5] == "", "a missing submission is left blank, not 0"


def test_canvas_column_names_the_roster_assignment_when_it_matches(tmp_path, out):
    roster = tmp_path / "canvas_export.csv"
    roster.write_text(ROSTER.replace("Perceptron (999)", "00 Tiny (4321)"))
    (path,) = export(out, "canvas", roster_path=roster)
    assert rows(path)[0][5] == "00 Tiny (4321)"
    (path,) = export(out, "canvas")        # the kept roster has no such column
    assert rows(path)[0][5] == NAME


def test_moodle_worksheet_per_assignment_with_feedback_and_late_flag(out):
    (path,) = export(out, "moodle")
    assert path.name == f"moodle_{NAME}.csv"
    header, *students = rows(path)
    assert header == MOODLE_COLUMNS
    by_id = {r[0]: dict(zip(header, r)) for r in students}
    alan = by_id["Participant 23456"]
    assert (alan["Grade"], alan["Maximum Grade"], alan["Status"]) == \
        ("3", "6", "Submitted for grading")
    assert "submitted late" in alan["Feedback comments"]
    assert "mean_square" in alan["Feedback comments"]
    assert "late" not in by_id["Participant 12345"]["Feedback comments"]
    assert by_id["Participant 99999"]["Status"] == "No submission"


def test_plain_csv_has_scores_late_flags_and_totals(out):
    (path,) = export(out, "csv")
    header, *students = rows(path)
    assert header == ["student_id", "name", "email", NAME, f"{NAME} late", "total"]
    by_id = {r[0]: r for r in students}
    assert by_id["23456"] == ["23456", "Turing, Alan", "", "3", "late", "3"]  # no email column
    assert by_id["99999"][3] == ""


def test_export_without_results_says_what_to_run(tmp_path):
    with pytest.raises(AutogradeError, match="run `autograde grade` first"):
        export(tmp_path, "canvas")


@pytest.mark.slow   # grades a small class
def test_from_a_canvas_download_to_a_canvas_import(tmp_path, capsys):
    crs = course(tmp_path)
    download = write_zip(tmp_path / "submissions.zip", {
        f"lovelaceada_12345_67890_{NAME}.ipynb": nbformat.writes(submission()),
        f"turingalan_late_23456_67891_{NAME}.ipynb":
            nbformat.writes(submission(mean=MEAN_WRONG)),
        "stray.txt": "not a submission"})
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    out = tmp_path / "out"
    grade = ["--root", str(crs.root), "grade", str(download), "--out", str(out), "--roster",
             str(roster), "--workers", "2", "--no-progress", "--sandbox", "none"]
    assert main(grade) == 0
    assert "1 file belongs to no student" in capsys.readouterr().err
    assert (out / "unrecognised.txt").read_text().startswith("stray.txt:")
    with open(out / "grades.csv", encoding="utf-8") as f:
        grades = {r["student_id"]: r for r in csv.DictReader(f)}
    assert {k: (v["name"], v["score"], v["status"], v["late"]) for k, v in grades.items()} == {
        "12345": ("Lovelace, Ada", "6", "graded", "0"),
        "23456": ("Turing, Alan", "3", "graded", "1"),
        "99999": ("Absent, Ann", "0", "missing", "0")}
    assert main(["--root", str(crs.root), "export", str(out), "--format", "canvas"]) == 0
    _, _, *students = rows(out / "export" / "canvas.csv")
    assert sorted((r[1], r[5]) for r in students) == [("12345", "6"), ("23456", "3"),
                                                      ("99999", "")]
