"""Execute a restored notebook: student cells in the sandbox, test cells in the grader.

The verdict of a graded cell is the grader's own: the cell's code (from
``solutions/``) runs in this process with trusted NumPy and ``nnutils``; the
names it takes from the solution cells are proxies to the student's worker,
so the student's code can answer, but cannot change how the answer is judged.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import linecache
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograde import notebook
from autograde.grading.sandbox import Limits, Worker
from autograde.grading.session import RemoteFunction, Session, WorkerGone

OUTPUT_LIMIT = 16 * 1024


@dataclass
class TestResult:
    """One graded cell's verdict."""

    grade_id: str
    points: float
    max_points: float
    hidden: bool
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.points == self.max_points


@dataclass
class NotebookResult:
    """The outcome of grading one notebook."""

    status: str                      # graded, timeout, crashed, memory
    detail: str
    tests: list[TestResult] = field(default_factory=list)
    notebook: nbformat.NotebookNode | None = None
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_points for t in self.tests)


def defined_names(source: str) -> set[str]:
    """Top-level names a cell defines (functions, classes, assignments, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _compile(source: str, filename: str):
    """Compile a cell, keeping its source in linecache (so its functions' source is known)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return compile(source, filename, "exec")


def _stream(text: str) -> nbformat.NotebookNode:
    if len(text) > OUTPUT_LIMIT:
        text = text[:OUTPUT_LIMIT] + f"\n[... {len(text) - OUTPUT_LIMIT:,} more characters]"
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _error(ename: str, message: str, tb: str = "") -> nbformat.NotebookNode:
    lines = [tb] if tb else []
    return nbformat.v4.new_output("error", ename=ename, evalue=message,
                                  traceback=lines + [f"{ename}: {message}"])


class Judge:
    """Runs one restored notebook against one worker."""

    def __init__(self, nb: nbformat.NotebookNode, workdir: Path, limits: Limits, mode: str):
        self.nb, self.workdir, self.limits, self.mode = nb, workdir, limits, mode
        self.trusted: dict = {"__name__": "__main__"}
        self.student_names: set[str] = set()
        self.setup_names: set[str] = set()
        for cell in nb.cells:
            m = notebook.meta(cell)
            if cell.cell_type == "code" and m.get("solution"):
                self.student_names |= defined_names(cell.source)

    def run(self) -> NotebookResult:
        start = time.monotonic()
        worker = Worker(self.workdir, self.limits, self.mode)
        session = Session(worker, self.setup_names)
        stopped: WorkerGone | None = None
        memory_error = ""
        tests: list[TestResult] = []
        try:
            for cell in self.nb.cells:
                if cell.cell_type != "code":
                    continue
                m = notebook.meta(cell)
                if m.get("grade"):
                    result, gone = self._judge_cell(cell, m, session, stopped)
                    tests.append(result)
                    stopped = stopped or gone
                    continue
                if stopped is not None:
                    continue
                # Setup and given code run on both sides, at the same time (TensorFlow's
                # import alone takes seconds).
                trusted = m.get("locked") and not m.get("solution")
                try:
                    run = session.exec_cell(
                        cell.source, functools.partial(self._run_trusted, cell) if trusted else None)
                except WorkerGone as gone:
                    stopped = gone
                    cell.outputs = [_error("CellStopped", gone.detail)]
                    continue
                cell.outputs = [_stream(run.output)] if run.output else []
                if run.error:
                    cell.outputs.append(_error(run.error.get("ename", "Error"),
                                               run.error.get("message", ""),
                                               run.error.get("traceback", "")))
                    if run.error.get("ename") == "MemoryError" and not memory_error:
                        memory_error = notebook.grade_id(cell) or "a cell"
        finally:
            worker.close()
        if stopped is not None:
            status, detail = stopped.reason, stopped.detail
        elif memory_error:
            status = "memory"
            detail = (f"a cell ({memory_error}) ran out of memory "
                      f"(limit {self.limits.memory_mb} MB); later tests may have failed")
        else:
            status, detail = "graded", ""
        return NotebookResult(status, detail, tests, self.nb, time.monotonic() - start)

    def _run_trusted(self, cell: nbformat.NotebookNode) -> None:
        before = set(self.trusted)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(_compile(cell.source, f"<{notebook.grade_id(cell)}>"), self.trusted)
        self.setup_names |= set(self.trusted) - before

    def _bind_student_names(self, source: str, session: Session) -> None:
        """Point the names the test uses from solution cells at the student's worker."""
        wanted = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        wanted &= self.student_names
        for name in wanted:
            self.trusted.pop(name, None)
        available = session.names()
        for name in wanted:
            if name not in available:
                continue
            self.trusted[name] = (RemoteFunction(session, name) if available[name]
                                  else session.get(name))

    def _judge_cell(self, cell, m: dict, session: Session,
                    stopped: WorkerGone | None) -> tuple[TestResult, WorkerGone | None]:
        """Run one graded cell in the grader; return its verdict and whether the worker died."""
        gid = str(m.get("grade_id"))
        max_points = float(m.get("points", 0) or 0)
        hidden = "BEGIN HIDDEN TESTS" in cell.source
        result = TestResult(gid, 0.0, max_points, hidden)
        if stopped is not None:
            result.message = f"not run, because the notebook stopped earlier: {stopped.detail}"
            cell.outputs = [_error("NotRun", result.message)]
            return result, None
        out = io.StringIO()
        gone = None
        try:
            self._bind_student_names(cell.source, session)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(_compile(cell.source, f"<{gid}>"), self.trusted)
        except WorkerGone as err:
            gone = err
            result.message = f"stopped during this test: {err.detail}"
        except NameError as err:
            result.message = (f"NameError: {err}. Did you rename or delete a function? "
                              f"Keep the names and signatures the notebook gives.")
        except Exception as err:  # any failure of a test cell is the verdict
            notes = "\n".join(getattr(err, "__notes__", []))
            result.message = f"{type(err).__name__}: {err}" + (f"\n{notes}" if notes else "")
        else:
            result.points = max_points
        cell.outputs = [_stream(out.getvalue())] if out.getvalue() else []
        if not result.passed:
            cell.outputs.append(_error("TestFailed", result.message))
        return result, gone
