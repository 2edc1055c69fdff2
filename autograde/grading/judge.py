"""Execute a restored notebook: student cells in the sandbox, test cells in the grader.

The verdict of a graded cell is the grader's own: the cell's code (from
``solutions/``) runs in this process with trusted NumPy and ``nnutils``; the
names it takes from the solution cells are proxies to the student's worker,
so the student's code can answer, but cannot change how the answer is judged.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import dataclasses
import functools
import io
import linecache
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograde import notebook
from autograde.config import FIGURES_PER_CELL
from autograde.grading.proxies import RemoteFunction
from autograde.grading.result import Incident, TestResult
from autograde.grading.sandbox import Limits, Sandbox, cell_functions
from autograde.grading.session import FunctionStopped, Session, WorkerGone
from nnutils.checks import DEFINE_HOOK, Blamed, CheckFailed


@dataclass
class NotebookResult:
    """The outcome of grading one notebook."""

    status: str                      # graded, timeout, crashed, memory
    detail: str
    tests: list[TestResult] = field(default_factory=list)
    notebook: nbformat.NotebookNode | None = None
    seconds: float = 0.0
    incidents: list[Incident] = field(default_factory=list)

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


def _stream(text: str, limit: int) -> nbformat.NotebookNode:
    """A stdout output of at most ``limit`` characters (the worker caps its side too)."""
    if len(text) > limit:
        text = text[:limit] + f"\n[... {len(text) - limit:,} more characters]"
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _error(ename: str, message: str, tb: str = "") -> nbformat.NotebookNode:
    lines = [tb] if tb else []
    return nbformat.v4.new_output("error", ename=ename, evalue=message,
                                  traceback=lines + [f"{ename}: {message}"])


PNG = b"\x89PNG\r\n\x1a\n"
FIGURES_KB = 2048          # the student's figures kept per notebook, in all

# TestResult.error of a test during which the worker stopped, by cause
STOPPED_ERRORS = {"timeout": "Timeout", "crashed": "Crashed", "memory": "OutOfMemory"}


def _is_setup(m: dict) -> bool:
    """A locked cell of the instructor's that is neither a solution nor a test: setup or
    given code, which runs on both sides (and whose failure stops the notebook)."""
    return bool(m.get("locked") and not m.get("solution") and not m.get("grade"))


class _Stopped(Exception):
    """The notebook cannot go on: its total budget is spent, its setup failed, or it
    used up its restarts. Carries the notebook's status and detail."""

    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class _StoppedFunction:
    """Stands for a student's function that stopped the worker earlier: calling it fails
    at once with what happened, instead of waiting for the limit again."""

    def __init__(self, name: str, why: str):
        self.__name__, self._why = name, why

    def __call__(self, *args, **kwargs):
        raise FunctionStopped(f"not called again: earlier, {self._why}")


class Judge:
    """Runs one restored notebook against the student's worker, and recovers from incidents.

    When a cell or a call of the student's code stops the worker (a cell over
    its time limit, a crash, memory), the incident is recorded, a new worker is
    started, the cells that succeeded before are replayed, the offending cell is
    skipped and grading goes on. The functions that were running are not
    called again: the tests that use them fail at once with what happened. A
    failure inside one function so costs what leaving it unsolved costs.
    """

    def __init__(self, nb: nbformat.NotebookNode, workdir: Path, limits: Limits, mode: str,
                 references: dict[str, str] | None = None):
        self.nb, self.workdir, self.limits, self.mode = nb, workdir, limits, mode
        # exercise -> the course's own solution cell, to judge a later exercise alone when
        # an earlier function it calls is wrong (see _judge_alone); None: judge as it runs
        self.references = references or {}
        self.output_limit = limits.output_kb * 1024
        self.trusted: dict = {"__name__": "__main__", DEFINE_HOOK: self._define_in_worker}
        self.setup_names: set[str] = set()
        self.defined_in: dict[str, str] = {}          # name -> solution cell defining it
        for cell in nb.cells:
            m = notebook.meta(cell)
            if cell.cell_type == "code" and m.get("solution"):
                for name in defined_names(cell.source):
                    self.defined_in.setdefault(name, str(m.get("grade_id")))
        self.student_names = set(self.defined_in)
        self.incidents: list[Incident] = []
        self.stopped_functions: dict[str, str] = {}   # name -> what happened when it ran
        self.replay: list[tuple[str, str, bool]] = []  # (cell name, source, setup) that succeeded
        self.restarts = 0
        self.figure_bytes = 0                          # student figures kept so far
        self.deadline = 0.0
        self.sandbox: Sandbox | None = None
        self.session: Session | None = None
        self._warm: tuple[list, dict] = ([], {})

    def run(self) -> NotebookResult:
        start = time.monotonic()
        self.deadline = start + self.limits.timeout
        self._start_worker()
        stopped: _Stopped | None = None
        tests: list[TestResult] = []
        anchor = ""           # the last nbgrader cell: how a student finds a cell without id
        try:
            for index, cell in enumerate(self.nb.cells):
                anchor = notebook.grade_id(cell) or anchor
                if cell.cell_type != "code":
                    continue
                m = notebook.meta(cell)
                name = notebook.grade_id(cell) or (
                    f"cell {index + 1} (after {anchor})" if anchor else f"cell {index + 1}")
                if m.get("grade"):
                    tests.append(self._not_run(cell, m, stopped) if stopped else
                                 self.judge_cell(cell, m))
                elif not stopped:
                    self.run_cell(cell, m, name)
                if self.session.gone is not None and not stopped:
                    try:
                        self._recover(self.session.gone, name, setup=_is_setup(m))
                    except _Stopped as stop:
                        stopped = stop
        finally:
            self.sandbox.close()
        status, detail = (stopped.status, stopped.detail) if stopped else ("graded", "")
        return NotebookResult(status, detail, tests, self.nb, time.monotonic() - start,
                              list(self.incidents))

    def _record(self, cell: str, cause: str, message: str, functions: list[str] = ()) -> None:
        """Record an incident, tied to the solution cell of the function that ran (or to its
        cell), and retire the functions that were running: they are not called again."""
        where = [self.defined_in[f] for f in functions if f in self.defined_in]
        solutions = set(self.defined_in.values())
        self.incidents.append(Incident(cell, cause, message, list(functions),
                                       where[0] if where else (cell if cell in solutions else "")))
        for fn in functions:
            self.stopped_functions.setdefault(fn, message)

    # warm runs: many variants of the solutions, one sandbox (trusted code only) -----
    def start_warm(self, setup: list[nbformat.NotebookNode]) -> None:
        """Start a sandbox without a total budget, run the setup cells on both sides and
        remember both namespaces: :meth:`reset` returns to them before each variant."""
        self.deadline = math.inf
        self._start_worker()
        for cell in setup:
            self.run_cell(cell, notebook.meta(cell), notebook.grade_id(cell) or "setup")
        self.session.mark()
        self._warm = (setup, dict(self.trusted))

    def set_cell_timeout(self, seconds: float) -> None:
        """The limit per cell from now on (trusted runs time each variant differently)."""
        self.limits = dataclasses.replace(self.limits, cell_timeout=seconds)
        self.sandbox.limits = self.limits

    def reset(self) -> None:
        """Forget the last variant: the marked namespaces, no incidents; a new sandbox if
        the last variant stopped this one."""
        setup, trusted = self._warm
        self.trusted = dict(trusted)
        self.incidents, self.stopped_functions, self.replay = [], {}, []
        if self.session.gone is None:
            try:
                self.session.reset()
                return
            except WorkerGone:
                pass
        self.sandbox.close()
        self.start_warm(setup)

    # workers ------------------------------------------------------------------
    def _start_worker(self) -> None:
        self.sandbox = Sandbox(self.workdir, self.limits, self.mode, deadline=self.deadline)
        self.session = Session(self.sandbox, self.setup_names)

    def _recover(self, gone: WorkerGone, cell_name: str, setup: bool) -> None:
        """Record an incident and carry on in a new worker; raise _Stopped if it cannot."""
        if gone.reason == "timeout":
            raise _Stopped("timeout", gone.detail)
        self._record(cell_name, gone.cause, gone.about(), gone.functions)
        if setup:
            raise _Stopped(gone.cause, f"the setup cell {cell_name} {gone.detail}")
        while True:
            if self.restarts >= self.limits.restarts:
                raise _Stopped(gone.cause, f"stopped after {self.restarts} restarts (the "
                                           f"limit per notebook); later cells were not run")
            self.restarts += 1
            self.sandbox.close()
            self._start_worker()
            replayed = 0
            try:
                for _, source, setup in self.replay:
                    self.sandbox.begin_cell(setup)
                    self.session.exec_cell(source)
                    replayed += 1
                self.session.retire(self.stopped_functions)
                return
            except WorkerGone as again:
                if again.reason == "timeout":
                    raise _Stopped("timeout", again.detail) from None
                if replayed == len(self.replay):    # retiring failed: nothing to skip
                    raise _Stopped(again.cause, again.detail) from None
                name, _, _ = self.replay.pop(replayed)
                self._record(name, again.cause, f"{again.about()} when it was run again after "
                                                f"a restart; skipped", again.functions)
                gone = again

    # cells ----------------------------------------------------------------------
    def run_cell(self, cell: nbformat.NotebookNode, m: dict, name: str) -> None:
        """Run a student, setup or given cell in the worker (setup also here, at once:
        TensorFlow's import alone takes seconds)."""
        setup = _is_setup(m)
        self.sandbox.begin_cell(setup)
        try:
            run = self.session.exec_cell(
                cell.source, functools.partial(self._run_trusted, cell) if setup else None)
        except WorkerGone as gone:
            cell.outputs = [_error("CellStopped", gone.about())]
            return
        cell.outputs = [_stream(run.output, self.output_limit)] if run.output else []
        cell.outputs += self._figures(run.figures)
        if not run.error:
            self.replay.append((name, cell.source, setup))
        else:
            cell.outputs.append(_error(run.error.get("ename", "Error"),
                                       run.error.get("message", ""),
                                       run.error.get("traceback", "")))
            if run.error.get("ename") == "MemoryError":
                functions = cell_functions(str(run.error.get("traceback", "")))[::-1]
                who = f"`{functions[0]}`" if functions else "this cell"
                self._record(name, "memory", f"{who} ran out of memory (the limit is "
                                             f"{self.limits.memory_mb} MB); the rest of the "
                                             f"cell was not run", functions)
                with contextlib.suppress(WorkerGone):   # if it died, run() recovers
                    self.session.retire(self.stopped_functions)

    def _figures(self, pngs: list[bytes]) -> list[nbformat.NotebookNode]:
        """The student's figures as outputs, checked and capped here too (the worker is
        not trusted): PNGs only, at most FIGURES_KB per notebook."""
        outputs = []
        for png in pngs[:FIGURES_PER_CELL]:
            if not png.startswith(PNG) or self.figure_bytes + len(png) > FIGURES_KB * 1024:
                continue
            self.figure_bytes += len(png)
            outputs.append(nbformat.v4.new_output(
                "display_data", data={"image/png": base64.b64encode(png).decode("ascii")}))
        return outputs

    def _run_trusted(self, cell: nbformat.NotebookNode) -> None:
        before = set(self.trusted)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(_compile(cell.source, f"<{notebook.grade_id(cell)}>"), self.trusted)  # noqa: S102
        self.setup_names |= set(self.trusted) - before

    def _define_in_worker(self, source: str):
        """``nnutils.checks.using`` in a test: the reference code goes where the student's
        functions look their callees up, the worker."""
        return self.session.define(source)

    def _bind_student_names(self, source: str) -> None:
        """Point the names the test uses from solution cells at the student's worker."""
        wanted = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        wanted &= self.student_names
        for name in wanted:
            self.trusted.pop(name, None)
        available = self.session.names()
        for name in wanted:
            if name in self.stopped_functions:
                self.trusted[name] = _StoppedFunction(name, self.stopped_functions[name])
            elif name in available:
                self.trusted[name] = (RemoteFunction(self.session, name) if available[name]
                                      else self.session.get(name))

    def _not_run(self, cell, m: dict, stopped: _Stopped) -> TestResult:
        result = TestResult(str(m.get("grade_id")), 0.0, float(m.get("points", 0) or 0),
                            "BEGIN HIDDEN TESTS" in cell.source)
        result.error = "NotRun"
        result.message = f"not run, because the notebook stopped earlier: {stopped.detail}"
        cell.outputs = [_error(result.error, result.message)]
        return result

    def judge_cell(self, cell, m: dict) -> TestResult:
        """Run one graded cell in the grader and return its verdict."""
        gid = str(m.get("grade_id"))
        max_points = float(m.get("points", 0) or 0)
        result = TestResult(gid, 0.0, max_points, "BEGIN HIDDEN TESTS" in cell.source)
        out = io.StringIO()
        self.sandbox.begin_cell()
        try:
            self._bind_student_names(cell.source)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(_compile(cell.source, f"<{gid}>"), self.trusted)  # noqa: S102 (course tests)
        except WorkerGone:
            pass                # reported below, as is a test that went on without it
        except FunctionStopped as err:
            result.error, result.message = "FunctionStopped", str(err)
        except NameError as err:
            result.error, result.message = "NameError", self._name_error(cell, err)
        except Blamed as err:
            result.error, result.message = "CheckFailed", str(err)
            self._judge_alone(cell, gid, result, err)
        except Exception as err:  # any failure of a test cell is the verdict
            notes = "\n".join(getattr(err, "__notes__", []))
            result.error = type(err).__name__
            # A check's message is written for the student; other errors keep their type.
            text = str(err) if isinstance(err, CheckFailed) else f"{result.error}: {err}"
            result.message = text + (f"\n{notes}" if notes else "")
        else:
            result.points = max_points
        gone = self.session.gone
        if gone is not None:   # the worker stopped during this test: no points for it
            result.points = 0.0
            result.error = STOPPED_ERRORS[gone.cause]
            result.message = f"stopped during this test: {gone.about()}"
        cell.outputs = [_stream(out.getvalue(), self.output_limit)] if out.getvalue() else []
        if not result.passed:
            cell.outputs.append(_error("Test failed", result.message))
        return result

    def _judge_alone(self, cell, gid: str, result: TestResult, blamed: Blamed) -> None:
        """The test failed and ``depends_on`` found the earlier function it calls wrong: run
        it again with the course's own earlier function in the worker. If it passes, the
        later exercise is right and keeps its points (the earlier one's own tests take them
        for its mistake: one bug does not cost twice); the message still says what to fix."""
        reference = self.references.get(blamed.earlier)
        if reference is None or self.session.gone is not None:
            return
        try:
            undo = self.session.define(reference)
        except Exception:   # the worker could not take it: judge as it ran
            return
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                exec(_compile(cell.source, f"<{gid}>"), self.trusted)  # noqa: S102
        except Exception:
            return
        finally:
            if self.session.gone is None:
                undo()
        if self.session.gone is None:
            result.points, result.error = result.max_points, ""
            result.message = (f"{blamed} Counted as passed: with the course's own "
                              f"{blamed.earlier}, {blamed.exercise} passes this test, so only "
                              f"{blamed.earlier}'s own tests cost points.")

    def _name_error(self, cell, err: NameError) -> str:
        """What a NameError in a test means: a name defined only further down (the
        notebook was not run in order), or a function renamed or deleted."""
        name = getattr(err, "name", None)
        later = self.nb.cells[next(i for i, c in enumerate(self.nb.cells) if c is cell) + 1:]
        if name and any(c.cell_type == "code" and name in defined_names(c.source)
                        for c in later):
            return (f"NameError: `{name}` is defined in a later cell, after this test. "
                    f"Restart & Run All runs the cells in order: define `{name}` in its "
                    f"exercise's cell, above the tests.")
        return (f"NameError: {err}. Did you rename or delete a function? "
                f"Keep the names and signatures the notebook gives.")
