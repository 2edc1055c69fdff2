"""Check that the course's notebooks grade right, before a student sees them.

For every source notebook of the chosen assignments:

- ``layout``: it follows docs/authoring.md (:mod:`autograde.layout`);
- ``solution``: it runs headless with every graded cell passing and silent on stderr,
  and every ``# -> TEXT`` demo comment matches what its cell printed;
- ``release``: its committed student version runs to the end, every graded cell
  failing with NotImplementedError (other cells may fail only with
  NotImplementedError or the NameError that follows one);
- ``graded``: the grader itself (restore, sandbox, Judge, as ``autograde grade``)
  gives the solution full marks and the committed student version zero, every
  test failing with NotImplementedError: a test that passes in a kernel but not
  through the grader's boundary shows here;
- ``fresh``: the committed student version equals a fresh ``generate_assignment``, and
  the course-wide files of notebooks/ (notation.md) equal their sources;
- ``leaks``: the student version shows no marker, solution line or hidden test.

Notebooks run in a small pool of threads (each run is its own kernel process).
"""

from __future__ import annotations

import difflib
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograde.compare import release_differences
from autograde.config import Course
from autograde.errors import AutogradeError
from autograde.execute import CellResult, NotebookRun, run_notebook
from autograde.layout import cell_label, layout_problems
from autograde.leaks import find_leaks
from autograde.nbgrader_config import CELL_TIMEOUT
from autograde.notebook import graded_cells, read, solution_ids, total_points
from autograde.release import course_file_differences, fresh_release

CHECKS = ("layout", "solution", "release", "graded", "fresh", "leaks")
RELEASE_MAY_RAISE = {"NotImplementedError", "NameError"}
STUB_ERROR = "NotImplementedError"
# A demo line's comment that states what the cell prints: `print(x)  # -> [[9. 6.] [6. 4.]]`
DEMO_COMMENT = re.compile(r"(?:^|\s)# -> (.*\S)")
_SHOWN_CHARS = 120


@dataclass
class Check:
    """The outcome of one check on one notebook; ``problems is None`` when it did not run."""

    problems: list[str] | None = None
    seconds: float | None = None

    @property
    def status(self) -> str:
        if self.problems is None:
            return "-"
        return "FAIL" if self.problems else "pass"


@dataclass
class NotebookReport:
    """Everything validate found out about one source notebook."""

    assignment: str
    source: Path
    release: Path
    cells: int
    exercises: int
    graded: int
    points: float
    checks: dict[str, Check] = field(default_factory=lambda: {c: Check() for c in CHECKS})
    warnings: list[str] = field(default_factory=list)
    solution_run: NotebookRun | None = None

    @property
    def ok(self) -> bool:
        """No check failed, and the solution notebook did run."""
        return self.checks["solution"].status == "pass" and \
            all(check.status != "FAIL" for check in self.checks.values())

    def problems(self) -> list[str]:
        return [f"{name}: {p}" for name, check in self.checks.items()
                for p in check.problems or []]


def _first_stderr_line(text: str, limit: int = 160) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _kernel_complaint(kernel_log: str) -> str:
    """The last line the kernel process wrote that is not one of its start-up warnings."""
    lines = [s.strip() for s in kernel_log.splitlines()
             if s.strip() and not s.startswith("[IPKernelApp] WARNING")]
    return lines[-1] if lines else ""


def _run_problems(run: NotebookRun) -> list[str]:
    """Problems of a run that stopped early: the kernel died or never started."""
    if run.failure:
        return [f"the notebook could not run: {run.failure}"]
    if run.died_in is None:
        return []
    complaint = _kernel_complaint(run.kernel_log)
    return [f"the kernel died while running {cell_label(run.notebook, run.died_in)}, so the "
            f"cells after it did not run (a crash, os._exit or running out of memory)"
            + (f"; the kernel said: {complaint}" if complaint else "")]


def _label(run: NotebookRun, cell: CellResult) -> str:
    return cell_label(run.notebook, cell.index)


def _said(cell: CellResult) -> str:
    """The cell's error message, ready to go in the middle of a sentence."""
    return cell.message.rstrip(".") or "(no message)"


def _squeeze(text: str) -> str:
    """``text`` with every run of whitespace counted as one space."""
    return " ".join(text.split())


def _printed(cell) -> str:
    """What a code cell showed: its stdout streams, then its results' text/plain."""
    return "".join(out.get("text", "") if out.get("output_type") == "stream"
                   else out.get("data", {}).get("text/plain", "")
                   for out in cell.get("outputs", [])
                   if (out.get("output_type") == "stream" and out.get("name") == "stdout")
                   or out.get("output_type") == "execute_result")


def _nearest(expected: str, printed: str) -> str:
    """The one to three consecutive lines of ``printed`` most like ``expected``; of equals,
    the last and shortest (a demo comment usually sits on the cell's last print)."""
    lines = [line for line in printed.splitlines() if line.strip()]
    windows = [_squeeze(" ".join(lines[end - n + 1:end + 1])) for end in range(len(lines))
               for n in (3, 2, 1) if n <= end + 1]
    best = max(reversed(windows), default="",
               key=lambda w: difflib.SequenceMatcher(None, expected, w).ratio())
    return best if len(best) <= _SHOWN_CHARS else best[:_SHOWN_CHARS - 3] + "..."


def demo_comment_problems(run: NotebookRun) -> list[str]:
    """Demo comments that the executed notebook contradicts.

    A code line may say what its cell prints with a comment ``# -> TEXT``
    (``print(x)  # -> [[9. 6.] [6. 4.]]``). TEXT must appear in what the cell
    printed (stdout and the cell's result, text/plain), counting every run of
    whitespace as one space on both sides. Only cells that ran are judged.
    """
    problems = []
    for index in sorted(run.cells):
        cell = run.notebook.cells[index]
        printed = _squeeze(_printed(cell))
        for line in cell.source.splitlines():
            match = DEMO_COMMENT.search(line)
            if match is None or _squeeze(match.group(1)) in printed:
                continue
            said = f"the comment says `# -> {match.group(1).strip()}`"
            got = (f"the cell printed `{_nearest(_squeeze(match.group(1)), _printed(cell))}`"
                   if printed else "the cell printed nothing")
            problems.append(f"{cell_label(run.notebook, index)}: {said} but {got}: fix the "
                            f"comment, or print the expectation with code")
    return problems


def judge_solution(run: NotebookRun) -> tuple[list[str], list[str]]:
    """Problems and warnings of a solution notebook's run.

    Every cell must run without error (the reference notebook runs top to
    bottom); graded cells must also write nothing to stderr, because stock
    nbgrader scores such a cell zero. Other cells writing to stderr only warn.
    Every ``# -> TEXT`` demo comment must match what its cell printed
    (:func:`demo_comment_problems`).
    """
    problems, warnings = _run_problems(run), []
    for cell in run.cells.values():
        label = _label(run, cell)
        if cell.error:
            role = "the test" if cell.graded else "the cell"
            problems.append(f"{label} fails on the reference solution with {cell.error}: "
                            f"{_said(cell)}; fix the solution or {role}")
        if cell.stderr and cell.graded:
            problems.append(f"{label} writes to stderr ({_first_stderr_line(cell.stderr)!r}); "
                            f"stock nbgrader scores it 0: silence it (call() silences the "
                            f"student's function, not the test's own code)")
        elif cell.stderr:
            warnings.append(f"{label} writes to stderr: {_first_stderr_line(cell.stderr)!r}")
    return problems + demo_comment_problems(run), warnings


def judge_release(run: NotebookRun) -> list[str]:
    """Problems of a student notebook's run: it must earn nothing untouched."""
    problems = _run_problems(run)
    for index in run.graded_indices():
        cell = run.cells.get(index)
        if cell is None:
            continue
        label = _label(run, cell)
        if cell.passed:
            problems.append(f"{label} passes in the release, so an untouched notebook earns "
                            f"its points: make it call the exercise's function visibly "
                            f"(before ### BEGIN HIDDEN TESTS)")
        elif cell.error != STUB_ERROR:
            problems.append(f"{label} fails with {cell.error} in the release, expected "
                            f"{STUB_ERROR} ({_said(cell)}): test cells may use only the setup "
                            f"imports and the solution cells' names")
    for cell in run.cells.values():
        if not cell.graded and cell.error and cell.error not in RELEASE_MAY_RAISE:
            problems.append(f"{_label(run, cell)} fails in the release with {cell.error}: "
                            f"{_said(cell)}; only {STUB_ERROR} (or the NameError it causes) "
                            f"may stop a cell of the student notebook")
    return problems


def _new_report(course: Course, name: str, source: Path) -> NotebookReport:
    nb = read(source)
    report = NotebookReport(
        assignment=name, source=source, release=course.release_notebook(source),
        cells=len(nb.cells), exercises=len(solution_ids(nb)), graded=len(graded_cells(nb)),
        points=total_points(nb),
    )
    report.checks["layout"].problems = layout_problems(nb)
    return report


def judge_graded(source: Path, release: Path, cell_timeout: float) -> list[str]:
    """What is wrong when the grader grades the solution and the release (see ``graded``);
    each cell may run ``cell_timeout`` seconds."""
    from autograde.grading.run import judge_notebook  # the grading stack: only when asked
    from autograde.grading.sandbox import Limits

    nb = read(source)
    released = read(release) if release.exists() else None
    problems = []
    with tempfile.TemporaryDirectory(prefix="autograde-validate-") as tmp:
        limits = Limits(timeout=1800.0, cell_timeout=float(cell_timeout))
        solution = judge_notebook(nb, nb, released, Path(tmp) / "solution", limits, "none")
        problems += [f"the grader fails the solution's {t.test}: {t.message.splitlines()[0]}"
                     for t in solution.tests if not t.passed]
        if solution.status != "graded":
            problems.append(f"the grader stopped the solution: {solution.detail}")
        if released is not None:
            blank = judge_notebook(nb, released, released, Path(tmp) / "release", limits, "none")
            problems += [f"the grader gives the release {t.test}: "
                         + ("points" if t.passed else f"{t.error} instead of {STUB_ERROR}")
                         for t in blank.tests if t.passed or t.error != STUB_ERROR]
    return problems


def _check_release_files(course: Course, reports: list[NotebookReport],
                         fresh: dict[str, Path]) -> None:
    """Fill the ``fresh`` and ``leaks`` checks from a fresh release of each assignment.

    Differences in files that belong to no source notebook (data files, a
    release notebook whose source is gone) are reported on the assignment's
    first notebook.
    """
    for name, fresh_dir in fresh.items():
        mine = [r for r in reports if r.assignment == name]
        differences = release_differences(course.release_dir / name, fresh_dir)
        fix = f"run `autograde release {name}`"
        for report in mine:
            report.checks["fresh"].problems = [
                f"{course.relative(report.release)}: {p}; {fix}"
                for p in differences.pop(report.source.name, [])]
        mine[0].checks["fresh"].problems += [
            f"{course.relative(course.release_dir / name / rel)}: {p}; {fix}"
            for rel, found in differences.items() for p in found]
        for report in mine:
            shown = report.release if report.release.exists() else fresh_dir / report.source.name
            report.checks["leaks"].problems = [
                f"{course.relative(shown)}: {leak}; fix {course.relative(report.source)}"
                for leak in find_leaks(read(report.source), read(shown))]


def _check_course_files(course: Course, reports: list[NotebookReport]) -> None:
    """Add to the first notebook's ``fresh`` check how the course-wide files of notebooks/
    (notation.md) differ from what a release writes."""
    found = [f"{course.relative(path)}: {problem}; run `autograde release`"
             for path, problem in course_file_differences(course).items()]
    if reports and found:
        check = reports[0].checks["fresh"]
        check.problems = (check.problems or []) + found


def _fresh_releases(course: Course, reports: list[NotebookReport], stage: Path) -> dict:
    """Fresh release folders of the assignments whose notebooks all pass the layout check."""
    broken = {r.assignment for r in reports if r.checks["layout"].problems}
    fresh = {}
    for name in sorted({r.assignment for r in reports} - broken):
        try:
            fresh.update(fresh_release(course, [name], stage))
        except AutogradeError as err:
            for report in reports:
                if report.assignment == name:
                    report.checks["fresh"].problems = [str(err)]
    return fresh


def run_checks(course: Course, reports: list[NotebookReport], *, jobs: int = 2,
               timeout: int = CELL_TIMEOUT,
               progress: Callable[[str], None] = lambda line: None) -> None:
    """Fill the ``solution``, ``release`` and ``graded`` checks: run every solution
    notebook and every committed release in a pool of ``jobs`` threads, judge the runs,
    and grade both through the grader."""
    def task(report: NotebookReport, kind: str) -> None:
        if kind == "graded":
            begin = time.perf_counter()
            check = report.checks["graded"]
            check.problems = judge_graded(report.source, report.release, timeout)
            check.seconds = time.perf_counter() - begin
            progress(f"  graded {course.relative(report.source)} and its release in "
                     f"{check.seconds:.1f} s: {check.status}")
            return
        path = report.source if kind == "solution" else report.release
        run = run_notebook(path, timeout=timeout)
        check = report.checks[kind]
        check.seconds = run.seconds
        if kind == "solution":
            report.solution_run = run
            check.problems, warnings = judge_solution(run)
            report.warnings += warnings
        else:
            check.problems = judge_release(run)
        progress(f"  ran {course.relative(path)} in {run.seconds:.1f} s: {check.status}")

    tasks = [(r, kind) for r in reports for kind in ("solution", "graded")]
    for report in reports:
        if report.release.exists():
            tasks.append((report, "release"))
        else:
            report.checks["release"].problems = [
                f"{course.relative(report.release)} does not exist; run "
                f"`autograde release {report.assignment}`"]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for future in [pool.submit(task, *t) for t in tasks]:
            future.result()


def static_checks(course: Course, names: list[str]) -> list[NotebookReport]:
    """Reports with the checks that need no kernel filled in: layout, fresh and leaks.

    Parameters
    ----------
    course : the course.
    names : assignments to check (see :meth:`Course.select`).

    Returns
    -------
    One NotebookReport per source notebook, in assignment order.
    """
    reports = [_new_report(course, name, source)
               for name in names for source in course.source_notebooks(name)]
    with tempfile.TemporaryDirectory(prefix="autograde-validate-") as stage:
        fresh = _fresh_releases(course, reports, Path(stage))
        _check_release_files(course, reports, fresh)
    _check_course_files(course, reports)
    return reports


def validate(course: Course, names: list[str], *, jobs: int = 2, timeout: int = CELL_TIMEOUT,
             progress: Callable[[str], None] = lambda line: None) -> list[NotebookReport]:
    """Run every check on every source notebook of the assignments ``names``.

    ``jobs`` notebooks run at the same time, ``timeout`` seconds per cell;
    ``progress`` receives a line of text as each notebook finishes running.
    Returns one NotebookReport per source notebook, in assignment order.
    """
    reports = static_checks(course, names)
    run_checks(course, reports, jobs=jobs, timeout=timeout, progress=progress)
    return reports
