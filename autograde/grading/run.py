"""The grading pipeline, stage by stage: collect, restore, sandbox, execute and judge, record.

:func:`grade_class` reads as the stages in order. Collection and planning run
in the main process; each submission is then restored, run in its sandbox and
judged by :func:`grade_one`, in a local worker process (``--workers`` at a
time) or on a Dask cluster; the main process is the only writer of results,
feedback, CSVs and the gradebook (:class:`record.Recorder`). Finished
submissions whose notebook and tests have not changed are skipped, so a killed
run picks up where it stopped (``force`` regrades). ``autograde report``
(:mod:`autograde.grading.report`) is the last stage, run on OUT afterwards.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import nbformat

from autograde import notebook
from autograde.config import Course
from autograde.errors import AutogradeError
from autograde.grading import collect, diff, record, roster
from autograde.grading.judge import Judge, NotebookResult
from autograde.grading.restore import restore
from autograde.grading.result import GradeResult
from autograde.grading.sandbox import Limits, resolve_mode

if TYPE_CHECKING:
    from distributed import Client


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to grade one submission, as data (picklable): a Dask
    worker on another machine sees neither the course nor OUT."""

    student_id: str
    assignment: str
    submitted: str            # the student's notebook, as JSON text
    digest: str
    source: str               # the source notebook, JSON text (one str per assignment)
    release: str | None       # the release notebook, JSON text, if the course has one
    workdir: str | None       # where the sandbox runs; None: a temp folder of the worker's
    limits: Limits
    mode: str                 # the sandbox: bwrap or none; on Dask as asked, auto too


def solution_ids(course: Course, names: list[str]) -> dict[str, set[str]]:
    """Assignment -> grade_ids of its solution cells (how submissions are matched)."""
    return {n: set(notebook.solution_ids(notebook.read(course.source_notebook(n))))
            for n in names}


def max_score(course: Course, name: str) -> float:
    return notebook.total_points(notebook.read(course.source_notebook(name)))


def notebook_texts(course: Course, name: str) -> tuple[str, str | None]:
    """Assignment ``name``'s source and release notebooks, as JSON text (None: no release)."""
    source = course.source_notebook(name)
    release = course.release_notebook(source)
    return (source.read_text(encoding="utf-8"),
            release.read_text(encoding="utf-8") if release.exists() else None)


def digest(course: Course, name: str) -> str:
    """What a result depends on besides the submission: the source notebook's bytes."""
    return hashlib.sha256(course.source_notebook(name).read_bytes()).hexdigest()


def judge_notebook(source: nbformat.NotebookNode, submitted: nbformat.NotebookNode,
                   release: nbformat.NotebookNode | None, workdir: Path, limits: Limits,
                   mode: str) -> NotebookResult:
    """Restore ``submitted`` against ``source``, run it in a sandbox in ``workdir`` (made
    and removed here) and judge it."""
    restored = restore(source, submitted, release)
    cells = notebook.cells_by_id(source)
    references = {name: cells[name].source for name in notebook.exercise_ids(source)}
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        return Judge(restored, workdir, limits, mode, references).run()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def grade_one(task: Task) -> GradeResult:
    """Grade one submission: restore it, run it in its sandbox, judge it. The sandbox is
    this machine's: on a Dask worker, "auto" means bubblewrap if it works there, and
    "bwrap" fails (AutogradeError) where it does not."""
    mode = resolve_mode(task.mode)
    source, submitted = (nbformat.reads(text, as_version=notebook.NB_VERSION)
                         for text in (task.source, task.submitted))
    release = (nbformat.reads(task.release, as_version=notebook.NB_VERSION)
               if task.release is not None else None)
    with _workdir(task.workdir) as workdir:
        graded = judge_notebook(source, submitted, release, workdir, task.limits, mode)
    return GradeResult(task.student_id, task.assignment, graded.status, graded.detail,
                       graded.score, graded.max_score, round(graded.seconds, 2), task.digest,
                       graded.tests, graded.incidents, nbformat.writes(graded.notebook))


@contextlib.contextmanager
def _workdir(named: str | None) -> Iterator[Path]:
    """``named``, or a folder in this machine's temp space (``TMPDIR``), removed after."""
    if named is not None:
        yield Path(named)
        return
    root = tempfile.mkdtemp(prefix="autograde-")
    try:
        yield Path(root) / "work"
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Options:
    """What `autograde grade` was asked to do."""

    submissions: Path
    out: Path
    course: Course
    assignment: str | None = None
    workers: int = os.cpu_count() or 1
    limits: Limits = Limits()
    sandbox: str = "auto"
    dask_scheduler: str | None = None
    layout: str = "auto"                 # how SUBMISSIONS is laid out (collect.layouts)
    roster: Path | None = None           # the class list: names, and who is missing
    force: bool = False
    db_url: str | None = None
    progress: bool = True

    @property
    def names(self) -> list[str]:
        """The assignments submissions are matched against."""
        return self.course.select([self.assignment] if self.assignment else None)


def _bar(total: int, enabled: bool):
    from tqdm import tqdm
    return tqdm(total=total, unit="notebook", disable=not enabled, file=sys.stderr,
                dynamic_ncols=True, smoothing=0.1)


def grade_class(opts: Options) -> list[GradeResult]:
    """Grade every submission under ``opts.submissions``; return all results in OUT."""
    if opts.dask_scheduler:      # the sandbox is each worker's: _grading checks them
        mode = opts.sandbox
    else:
        mode = resolve_mode(opts.sandbox)
        if mode == "none":
            _warn_no_sandbox("here")
    opts.out.mkdir(parents=True, exist_ok=True)
    if opts.force:                       # a regrade: keep what it replaces, for autograde diff
        diff.keep_previous(opts.out)
    tasks, settled = _plan(opts, mode)                    # collect, and skip what is done
    try:
        with _grading(tasks, opts) as graded:             # restore, sandbox, execute, judge
            # The gradebook opens while the first notebooks run: creating one takes seconds.
            recorder = record.Recorder(opts.out, opts.course, opts.names, opts.db_url)
            try:
                for result in settled:
                    recorder(result)
                _record_all(graded, tasks, recorder, opts.progress)     # record
            finally:
                recorder.close()
    finally:
        shutil.rmtree(opts.out / ".work", ignore_errors=True)
    record.write_csvs(opts.out)
    return record.all_results(opts.out)


def _warn_no_sandbox(where: str) -> None:
    print(f"WARNING: no sandbox {where} (bubblewrap is not available, or --sandbox none): "
          "student code runs with resource limits only. It can read the grader's files and "
          "reach the network. Install bubblewrap (apt-get install bubblewrap) for real "
          "classes.", file=sys.stderr)


def _plan(opts: Options,
          mode: str) -> tuple[list[tuple[Task, collect.Submission]], list[GradeResult]]:
    """What to grade (each task with its submission), and the results known already
    (invalid or missing submissions). Submissions graded before, unchanged, are skipped."""
    # Match against every assignment, so another assignment's notebook in the same
    # folder is recognised (and skipped with --assignment) rather than called foreign.
    people = roster.read(opts.roster) if opts.roster else None
    found = collect.collect(opts.submissions, solution_ids(opts.course, opts.course.select(None)),
                            opts.assignment, opts.layout, people)
    _note_collection(opts, found)
    subs = found.submissions
    digests = {n: digest(opts.course, n) for n in opts.names}
    notebooks = {n: notebook_texts(opts.course, n) for n in opts.names}   # one copy each
    tops = {n: max_score(opts.course, n) for n in opts.names}
    tasks: list[tuple[Task, collect.Submission]] = []
    settled: list[GradeResult] = []
    for sub in subs:
        key = f"{sub.digest}:{digests.get(sub.assignment, '')}"
        previous = record.load_result(opts.out, sub.student_id, sub.assignment)
        if previous and previous.digest == key and not opts.force:
            if (previous.name, previous.late) != (sub.name, sub.late):   # a roster came later
                previous.name, previous.late = sub.name, sub.late
                record.save_result(opts.out, previous)
            continue
        if sub.status != "ok":
            settled.append(GradeResult.ungraded(sub.student_id, sub.assignment, sub.status,
                                                sub.detail, tops.get(sub.assignment, 0.0),
                                                key, sub.name))
            continue
        # Local sandboxes run under OUT/.work (removed when grading ends, even after
        # a crash); a Dask worker makes its own temp folder.
        workdir = None if opts.dask_scheduler else str(
            (opts.out / ".work" / record.safe_name(sub.student_id)
             / record.safe_name(sub.assignment)).resolve())
        tasks.append((Task(sub.student_id, sub.assignment, nbformat.writes(sub.nb), key,
                           *notebooks[sub.assignment], workdir, opts.limits, mode), sub))
    return tasks, settled


def _note_collection(opts: Options, found: collect.Collection) -> None:
    """Keep the roster beside the results (export reads it), and list in
    OUT/unrecognised.txt (and on stderr) every file that names no student."""
    if opts.roster:
        record.write_atomic(opts.out / roster.SAVED, opts.roster.read_text(encoding="utf-8-sig"))
    listing = opts.out / "unrecognised.txt"
    if found.unrecognised:
        record.write_atomic(listing, "\n".join(found.unrecognised) + "\n")
        n = len(found.unrecognised)
        files = "1 file belongs" if n == 1 else f"{n} files belong"
        print(f"WARNING: {files} to no student of the {found.layout} layout in "
              f"{opts.submissions} and {'was' if n == 1 else 'were'} not graded; see {listing}",
              file=sys.stderr)
    else:
        listing.unlink(missing_ok=True)


@contextlib.contextmanager
def _grading(tasks: list[tuple[Task, collect.Submission]],
             opts: Options) -> Iterator[Iterator[GradeResult]]:
    """Start grading every task at once; yield the results, as they finish."""
    if not tasks:
        yield iter(())
    elif opts.dask_scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed
        with Client(opts.dask_scheduler) as client:
            _check_sandbox_on_workers(client, opts.sandbox)
            # One map, one pickled graph: the scheduler holds each assignment's notebooks
            # once, not once per task. A future dropped once read frees its result.
            finished = dask_completed(client.map(grade_one, [t for t, _ in tasks], pure=False))
            yield (future.result() for future in finished)
    else:
        # spawn, not fork: the caller may have imported TensorFlow (a test run, the demo),
        # and a forked copy of TensorFlow's thread pools deadlocks.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max(1, opts.workers), mp_context=context,
                                 initializer=_exit_without_teardown) as pool:
            futures: list[Future] = [pool.submit(grade_one, t) for t, _ in tasks]
            yield (fut.result() for fut in as_completed(futures))


def _check_sandbox_on_workers(client: Client, requested: str) -> None:
    """Fail before grading when a Dask worker cannot sandbox as asked (``--sandbox bwrap``
    without bubblewrap there); warn about those that will grade without one. A worker
    that joins later is checked by :func:`grade_one`."""
    found = client.run(resolve_mode, requested, on_error="return")
    failing = {w: m for w, m in found.items() if isinstance(m, BaseException)}
    if failing:
        worker, err = sorted(failing.items())[0]
        others = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        raise AutogradeError(f"on Dask worker {worker}{others}: {err}")
    bare = sorted(w for w, m in found.items() if m == "none")
    if bare:
        _warn_no_sandbox(f"on Dask worker(s) {', '.join(bare)}")


def _record_all(graded: Iterator[GradeResult], tasks: list[tuple[Task, collect.Submission]],
                recorder: record.Recorder, progress: bool) -> None:
    subs = {(t.student_id, t.assignment): sub for t, sub in tasks}
    bar = _bar(len(tasks), progress and bool(tasks))
    for result in graded:
        sub = subs[(result.student_id, result.assignment)]
        result.add_collection(sub.notes, sub.name, sub.late)
        recorder(result)
        bar.set_postfix_str(f"{result.student_id}: {result.status}", refresh=False)
        bar.update(1)
    bar.close()


def _exit_without_teardown() -> None:
    """Pool processes end with os._exit: tearing down an interpreter that imported
    TensorFlow takes a second or more, and they hold nothing left to save (results
    went back through the pool's pipe, sandboxes were closed by each Judge)."""
    atexit.register(os._exit, 0)
