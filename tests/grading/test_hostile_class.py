"""Every hostile or broken case gets its status and score; nothing escapes; nothing is lost."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograde.grading import record
from autograde.grading.run import Options, grade_class

from .conftest import (
    BROKEN_LIKE,
    EXPECTED,
    LIMITS,
    NAME,
    OUTSIDE_MARKER,
    course,
    put,
    require_bwrap,
    submission,
)

pytestmark = pytest.mark.slow   # grades or runs whole notebooks: make test only

SANDBOXED_ONLY = {"reads-solutions-and-escapes"}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_case_gets_its_status_and_score(graded_class, student):
    if student in SANDBOXED_ONLY:
        require_bwrap()
    *_, results = graded_class
    status, score = EXPECTED[student]
    result = results[student]
    assert (result.status, result.score) == (status, score), result.detail
    if status != "graded":
        assert result.detail, "a status other than graded must say what happened"


@pytest.mark.parametrize("student", sorted(BROKEN_LIKE))
def test_a_broken_function_costs_what_leaving_it_unsolved_costs(graded_class, student):
    """Test by test, the same points as the twin submission with that function unsolved;
    the failing tests name the function and what happened."""
    *_, results = graded_class
    broken, twin = results[student], results[BROKEN_LIKE[student]]
    assert [(t.test, t.points) for t in broken.tests] == \
        [(t.test, t.points) for t in twin.tests]
    assert broken.status == "graded" and broken.incidents, broken.detail
    failed = [t for t in broken.tests if t.points < t.max_points]
    assert failed and all("square" in t.message for t in failed)


def test_incidents_are_bounded_in_number_and_time(graded_class):
    *_, results = graded_class
    every = results["every-cell-crashes"]
    assert len(every.incidents) == LIMITS.restarts + 1
    assert every.seconds < 30, every.seconds
    assert {t.error for t in every.tests} == {"NotRun"}, "its tests never ran"
    loop = results["mean-square-loops"]     # one endless call: one cell limit, plus replay
    assert loop.seconds < LIMITS.cell_timeout + 5, loop.seconds
    assert [i.functions for i in loop.incidents] == [["mean_square"]]


def test_no_sandbox_outlives_grading(graded_class):
    """After a class full of loops, crashes and restarts, no worker is left running."""
    _, _, out, _ = graded_class
    survivors = _processes_under(out.parent)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_max_score_comes_from_the_source_only(graded_class):
    *_, results = graded_class
    graded = [r for r in results.values() if r.assignment == NAME]
    assert {r.max_score for r in graded} == {6}


def test_details_an_instructor_can_forward(graded_class):
    *_, results = graded_class
    assert "did not finish within 4 s (the limit per cell)" in results["infinite-loop"].detail
    assert "`square`" in results["infinite-loop"].detail
    assert "`mean_square`" in results["mean-square-calls-os-exit"].detail
    assert "os._exit" in results["mean-square-calls-os-exit"].detail
    assert "restarts" in results["every-cell-crashes"].detail
    assert "segmentation fault" in results["segfault"].detail
    assert "memory" in results["memory-bomb"].detail
    assert "not valid JSON" in results["malformed-json"].detail
    assert "empty" in results["empty-file"].detail
    assert "link" in results["symlink-entry"].detail
    assert "unsafe path" in results["zip-slip"].detail
    assert "zip bomb" in results["zip-bomb"].detail
    assert "graded the newest" in results["duplicate-submissions"].detail


def test_nothing_escapes_the_sandbox(graded_class):
    require_bwrap()
    assert not Path(OUTSIDE_MARKER).exists()
    *_, results = graded_class
    messages = " ".join(t.message for t in results["reads-solutions-and-escapes"].tests)
    assert "cannot see the solutions" in messages


def test_submissions_are_not_modified(graded_class, tmp_path):
    crs, subs, out, _ = graded_class
    before = _tree_digest(subs)
    grade_class(Options(subs, tmp_path / "again", crs, workers=2, limits=LIMITS,
                        progress=False, assignment=NAME))
    assert _tree_digest(subs) == before


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            h.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return h.hexdigest()


def test_outputs_for_every_graded_notebook(graded_class):
    _, _, out, results = graded_class
    for student, r in results.items():
        if r.status in ("graded", "timeout", "crashed", "memory"):
            html = (out / "feedback" / student / f"{NAME}.html").read_text()
            assert "Score:" in html
            assert (out / "autograded" / student / f"{NAME}.ipynb").exists()


def test_feedback_lists_incidents_for_the_student(graded_class):
    _, _, out, _ = graded_class
    html = (out / "feedback" / "mean-square-loops" / f"{NAME}.html").read_text()
    assert "Needs attention" in html and "did not finish within 4 s" in html
    assert "Needs attention" not in (out / "feedback" / "perfect" / f"{NAME}.html").read_text()


def test_output_flood_is_truncated(graded_class):
    _, _, out, _ = graded_class
    size = (out / "autograded" / "output-flood" / f"{NAME}.ipynb").stat().st_size
    assert size < 200_000, f"autograded notebook is {size} bytes: output was not capped"


def test_feedback_never_shows_hidden_test_code(graded_class):
    _, _, out, _ = graded_class
    html = (out / "feedback" / "partial-wrong-axis" / f"{NAME}.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in html and "np.arange(12.0)" not in html
    assert "mean_square(X)" in html   # but the failing check's message is there


def test_grades_csv_has_one_row_per_student(graded_class):
    _, _, out, results = graded_class
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["student_id"] for r in rows) == sorted(results)
    incidents = {r["student_id"]: int(r["incidents"]) for r in rows}
    assert incidents["perfect"] == 0 and incidents["mean-square-loops"] == 1
    assert set(rows[0]) >= {"student_id", "assignment", "score", "max_score", "status",
                            "detail"}
    with open(out / "tests.csv", newline="") as f:
        tests = list(csv.DictReader(f))
    perfect = [t for t in tests if t["student_id"] == "perfect"]
    assert len(perfect) == 4 and all(t["passed"] == "1" for t in perfect)


def test_gradebook_matches_the_csv(graded_class):
    _, _, out, results = graded_class
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(NAME).submissions}
        comment = gb.find_comment("mean_square", NAME, NAME, "mean-square-loops").auto_comment
        quiet = gb.find_comment("mean_square", NAME, NAME, "perfect").auto_comment
    expected = {k: r.score for k, r in results.items() if r.assignment == NAME}
    assert scores == expected
    assert "Needs attention (timeout): `mean_square` did not finish" in comment
    assert not quiet


def test_rerun_grades_nothing_again_and_force_regrades(graded_class, tmp_path):
    crs, subs, out, results = graded_class
    copy_out = tmp_path / "out"
    import shutil
    shutil.copytree(out, copy_out)
    stamp = {p: p.stat().st_mtime_ns for p in (copy_out / "results").rglob("*.json")}
    again = grade_class(Options(subs, copy_out, crs, workers=2, limits=LIMITS,
                                progress=False))
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp
    assert len(again) == len(results)


def test_killed_run_resumes_without_duplicates(tmp_path):
    """Results written before a kill are kept; the rest are graded on the next run."""
    from .conftest import course
    crs = course(tmp_path)
    subs = tmp_path / "subs"
    for i in range(4):
        put(subs, f"s{i}", submission())
    out = tmp_path / "out"
    grade_class(Options(subs, out, crs, workers=2, limits=LIMITS, progress=False))
    first = record.load_result(out, "s0", NAME)
    for name in ("s2", "s3"):                         # as if killed before these finished
        record.result_path(out, name, NAME).unlink()
    (out / "grades.csv").unlink()
    results = grade_class(Options(subs, out, crs, workers=2, limits=LIMITS, progress=False))
    assert [r.student_id for r in results] == ["s0", "s1", "s2", "s3"]
    assert record.load_result(out, "s0", NAME) == first
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assert len(gb.find_assignment(NAME).submissions) == 4


def test_regrading_one_student_replaces_only_their_rows(tmp_path):
    from .conftest import course
    crs = course(tmp_path)
    subs = tmp_path / "subs"
    put(subs, "ann", submission())
    put(subs, "ben", submission(mean="def mean_square(X):\n    return 0"))
    out = tmp_path / "out"
    grade_class(Options(subs, out, crs, workers=2, limits=LIMITS, progress=False))
    ann_before = (out / "results" / "ann" / f"{NAME}.json").read_text()
    only_ben = tmp_path / "only_ben"
    put(only_ben, "ben", submission())                 # ben resubmits a fixed notebook
    results = grade_class(Options(only_ben, out, crs, workers=1, limits=LIMITS,
                                  progress=False))
    assert {r.student_id: r.score for r in results} == {"ann": 6, "ben": 6}
    assert (out / "results" / "ann" / f"{NAME}.json").read_text() == ann_before
    rows = json.loads((out / "results" / "ben" / f"{NAME}.json").read_text())
    assert rows["score"] == 6


def test_report_pass_rates_histogram_and_slowest(graded_class):
    from autograde.grading.report import write_report
    _, _, out, results = graded_class
    text = write_report(out)
    graded = [r for r in results.values() if r.assignment == NAME]
    mean_square_passed = sum(
        all(t.points == t.max_points for t in r.tests if "mean_square" in t.test)
        and any("mean_square" in t.test for t in r.tests) for r in graded)
    assert f"| mean_square | {mean_square_passed} / {len(graded)} |" in text
    assert (out / "report" / f"histogram_{NAME}.png").stat().st_size > 1000
    rows = [line for line in text.split("## Slowest submissions")[1].splitlines()
            if line.startswith("| ") and not line.startswith("| student")]
    seconds = [float(row.split("|")[3]) for row in rows]
    assert seconds == sorted(seconds, reverse=True) and len(rows) == 10
    attention = text.split("## Needs attention")[1].split("##")[0]
    for student in BROKEN_LIKE:
        assert f"| {student} | {NAME} |" in attention
    assert "| every-cell-crashes | 00_tiny | (notebook) | crashed |" in attention
    assert "| perfect |" not in attention


def test_other_assignments_are_skipped_quietly_with_assignment(tmp_path):
    """A student folder holding the whole course, graded one assignment at a time."""
    crs = course(tmp_path)
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f():\n    return 1")])
    other.cells[0].metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                           "grade_id": "f", "schema_version": 3}
    (crs.source_dir / "00_other").mkdir()
    nbformat.write(other, crs.source_dir / "00_other" / "00_other.ipynb")
    subs = tmp_path / "submissions"
    put(subs, "s1", submission())
    put(subs, "s1", other, "00_other.ipynb")
    results = grade_class(Options(subs, tmp_path / "out", crs, workers=1, limits=LIMITS,
                                  progress=False, assignment=NAME))
    assert [(r.assignment, r.status, r.score, r.detail) for r in results] \
        == [(NAME, "graded", 6, "")]


def _processes_under(folder: Path) -> list[int]:
    """PIDs whose command line or working directory mentions ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(folder) in cmdline or cwd.startswith(str(folder)):
            found.append(int(entry.name))
    return found


SANDBOXES = ["none", "bwrap"]


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_sigkilled_grader_leaves_nothing_running_and_resumes(tmp_path, sandbox):
    """kill -9 in the middle of a class: no sandbox survives, no result is half-written,
    and the next run grades only what was left, with one gradebook row per student."""
    if sandbox == "bwrap":
        require_bwrap()
    crs = course(tmp_path)
    subs = tmp_path / "subs"
    for student in ("a0", "a1", "a2"):
        put(subs, student, submission())
    put(subs, "z-loop", submission("def square(x):\n    while True:\n        pass"))
    out = tmp_path / "out"
    command = [str(Path(sys.executable).parent / "autograde"), "--root", str(crs.root),
               "grade", str(subs), "--out", str(out), "--workers", "1", "--no-progress",
               "--sandbox", sandbox]
    grader = subprocess.Popen([*command, "--timeout", "120"], start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while not record.result_path(out, "a2", NAME).exists():   # z-loop is running now
        assert grader.poll() is None and time.monotonic() < deadline, "grader stopped early"
        time.sleep(0.2)
    time.sleep(2)
    os.killpg(grader.pid, signal.SIGKILL)
    grader.wait()
    time.sleep(1)
    survivors = _processes_under(tmp_path)
    for pid in survivors:                       # no runaway loop, even when this test fails
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], "a sandbox outlived the killed grader"
    kept = {p: p.stat().st_mtime_ns for p in (out / "results").rglob("*.json")}
    assert len(kept) == 3 and all(json.loads(p.read_text()) for p in kept)
    done = subprocess.run([*command, "--timeout", "5"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert {p: p.stat().st_mtime_ns for p in kept} == kept, "finished results were redone"
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student_id"]: (r["status"], float(r["score"])) for r in csv.DictReader(f)}
    assert rows == {"a0": ("graded", 6), "a1": ("graded", 6), "a2": ("graded", 6),
                    "z-loop": ("timeout", 0)}
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assert len(gb.find_assignment(NAME).submissions) == 4
