"""Grade a class: collect, then grade submissions in parallel, recording each as it finishes.

Work is spread over local worker processes (one fresh sandboxed Python per
submission, ``--workers`` at a time) or over a Dask cluster. The main
process is the only writer of results, CSVs, feedback and the gradebook.
Finished submissions whose notebook and tests have not changed are skipped,
so a killed run picks up where it stopped (``force`` regrades).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import multiprocessing
import os
import shutil
import sys
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import nbformat

from autograde import notebook
from autograde.config import Course
from autograde.grading import collect, record
from autograde.grading.feedback import FeedbackWriter
from autograde.grading.judge import Judge
from autograde.grading.restore import restore
from autograde.grading.sandbox import Limits, resolve_mode


@dataclass(frozen=True)
class Task:
    """Everything a worker process needs to grade one submission (picklable)."""

    student_id: str
    assignment: str
    submitted: str            # the student's notebook, as JSON text
    digest: str
    source_path: str
    release_path: str
    workdir: str
    limits: Limits
    mode: str


def source_path(course: Course, name: str) -> Path:
    """The source notebook of an assignment: solutions/NAME/NAME.ipynb."""
    return course.source_dir / name / f"{name}.ipynb"


def release_path(course: Course, name: str) -> Path:
    return course.release_dir / name / f"{name}.ipynb"


def solution_ids(course: Course, names: list[str]) -> dict[str, set[str]]:
    """Assignment -> grade_ids of its solution cells (how submissions are matched)."""
    return {n: set(notebook.solution_ids(notebook.read(source_path(course, n)))) for n in names}


def max_score(course: Course, name: str) -> float:
    return notebook.total_points(notebook.read(source_path(course, name)))


def digest(course: Course, name: str) -> str:
    """What a result depends on besides the submission: the source notebook's bytes."""
    return hashlib.sha256(source_path(course, name).read_bytes()).hexdigest()


def grade_one(task: Task) -> dict:
    """Grade one submission in a sandbox; return its result (JSON-able)."""
    source = notebook.read(task.source_path)
    release = notebook.read(task.release_path) if os.path.exists(task.release_path) else None
    restored = restore(source, nbformat.reads(task.submitted, as_version=4), release)
    workdir = Path(task.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        graded = Judge(restored, workdir, task.limits, task.mode).run()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "student_id": task.student_id, "assignment": task.assignment,
        "status": graded.status, "detail": graded.detail,
        "score": graded.score, "max_score": graded.max_score,
        "seconds": round(graded.seconds, 2), "digest": task.digest,
        "incidents": [i.to_json() for i in graded.incidents],
        "tests": [{"test": t.grade_id, "hidden": t.hidden, "points": t.points,
                   "max_points": t.max_points, "message": t.message} for t in graded.tests],
        "notebook": nbformat.writes(graded.notebook),
    }


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
    force: bool = False
    db_url: str | None = None
    progress: bool = True

    @property
    def names(self) -> list[str]:
        """The assignments submissions are matched against."""
        return self.course.select([self.assignment] if self.assignment else None)


def _combine_detail(result: dict, notes: list[str]) -> dict:
    """The detail an instructor reads: what stopped the notebook, the collection notes,
    then the incidents (last, so feedback can list them apart)."""
    parts = [result.get("detail", ""), *notes, record.incidents_text(result.get("incidents", []))]
    result["detail"] = "; ".join(p for p in parts if p)
    return result


class Recorder:
    """Writes each result as it arrives: JSON, autograded notebook, feedback, gradebook."""

    def __init__(self, opts: Options):
        self.out = opts.out
        self.feedback = FeedbackWriter()
        self.gradebook = record.GradebookWriter(
            opts.db_url or f"sqlite:///{(opts.out / 'gradebook.db').resolve()}")
        for name in opts.names:
            self.gradebook.ensure_assignment(name, notebook.read(source_path(opts.course, name)))

    def __call__(self, result: dict) -> None:
        graded = result.pop("notebook", None)
        student = record.safe_name(result["student_id"])
        assignment = record.safe_name(result["assignment"])
        if graded is not None:
            nb = nbformat.reads(graded, as_version=4)
            record.write_atomic(self.out / "autograded" / student / f"{assignment}.ipynb", graded)
            record.write_atomic(self.out / "feedback" / student / f"{assignment}.html",
                                self.feedback.html(nb, result))
        self.gradebook.record(result)
        record.save_result(self.out, result)

    def close(self) -> None:
        self.gradebook.close()


def _bar(total: int, enabled: bool):
    from tqdm import tqdm
    return tqdm(total=total, unit="notebook", disable=not enabled, file=sys.stderr,
                dynamic_ncols=True, smoothing=0.1)


def grade_class(opts: Options) -> list[dict]:
    """Grade every submission under ``opts.submissions``; return all results in OUT."""
    mode = resolve_mode(opts.sandbox)
    if mode == "none":
        print("WARNING: bubblewrap is not available: student code runs WITHOUT a sandbox, "
              "with resource limits only. It can read the grader's files and reach the "
              "network. Install bubblewrap (apt-get install bubblewrap) for real classes.",
              file=sys.stderr)
    opts.out.mkdir(parents=True, exist_ok=True)
    tasks, settled = _plan(opts, mode)
    try:
        with _grading(tasks, opts) as graded:
            # The gradebook opens while the first notebooks run: creating one takes seconds.
            recorder = Recorder(opts)
            try:
                for result in settled:
                    recorder(result)
                _record_all(graded, tasks, recorder, opts.progress)
            finally:
                recorder.close()
    finally:
        shutil.rmtree(opts.out / ".work", ignore_errors=True)
    record.write_csvs(opts.out)
    return record.all_results(opts.out)


def _plan(opts: Options, mode: str) -> tuple[list[tuple[Task, list[str]]], list[dict]]:
    """What to grade (each task with its collection notes), and the results known already
    (invalid or missing submissions). Submissions graded before, unchanged, are skipped."""
    # Match against every assignment, so another assignment's notebook in the same
    # folder is recognised (and skipped with --assignment) rather than called foreign.
    subs = collect.collect(opts.submissions, solution_ids(opts.course, opts.course.select(None)),
                           opts.assignment)
    digests = {n: digest(opts.course, n) for n in opts.names}
    tasks: list[tuple[Task, list[str]]] = []
    settled: list[dict] = []
    for sub in subs:
        key = f"{sub.digest}:{digests.get(sub.assignment, '')}"
        previous = record.load_result(opts.out, sub.student_id, sub.assignment)
        if previous and previous.get("digest") == key and not opts.force:
            continue
        if sub.status != "ok":
            settled.append({"student_id": sub.student_id, "assignment": sub.assignment,
                            "status": sub.status, "detail": sub.detail, "score": 0.0,
                            "max_score": max_score(opts.course, sub.assignment)
                            if sub.assignment else 0.0,
                            "seconds": 0.0, "digest": key, "tests": []})
            continue
        workdir = (opts.out / ".work" / record.safe_name(sub.student_id)
                   / record.safe_name(sub.assignment))
        tasks.append((Task(sub.student_id, sub.assignment, nbformat.writes(sub.nb), key,
                           str(source_path(opts.course, sub.assignment)),
                           str(release_path(opts.course, sub.assignment)),
                           str(workdir.resolve()), opts.limits, mode), sub.notes))
    return tasks, settled


@contextlib.contextmanager
def _grading(tasks: list[tuple[Task, list[str]]], opts: Options) -> Iterator[Iterator[dict]]:
    """Start grading every task at once; yield the results, as they finish."""
    if not tasks:
        yield iter(())
    elif opts.dask_scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed
        with Client(opts.dask_scheduler) as client:
            futures = [client.submit(grade_one, t, pure=False) for t, _ in tasks]
            yield (fut.result() for fut in dask_completed(futures))
    else:
        # spawn, not fork: the caller may have imported TensorFlow (a test run, the demo),
        # and a forked copy of TensorFlow's thread pools deadlocks.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max(1, opts.workers), mp_context=context,
                                 initializer=_exit_without_teardown) as pool:
            futures: list[Future] = [pool.submit(grade_one, t) for t, _ in tasks]
            yield (fut.result() for fut in as_completed(futures))


def _record_all(graded: Iterator[dict], tasks: list[tuple[Task, list[str]]],
                recorder: Recorder, progress: bool) -> None:
    notes = {(t.student_id, t.assignment): n for t, n in tasks}
    bar = _bar(len(tasks), progress and bool(tasks))
    for result in graded:
        _combine_detail(result, notes[(result["student_id"], result["assignment"])])
        recorder(result)
        bar.set_postfix_str(f"{result['student_id']}: {result['status']}", refresh=False)
        bar.update(1)
    bar.close()


def _exit_without_teardown() -> None:
    """Pool processes end with os._exit: tearing down an interpreter that imported
    TensorFlow takes a second or more, and they hold nothing left to save (results
    went back through the pool's pipe, sandboxes were closed by each Judge)."""
    atexit.register(os._exit, 0)


def summary(results: list[dict]) -> str:
    """The table printed at the end: counts per status, mean score per assignment."""
    lines = ["status      count", "----------  -----"]
    for status, n in sorted(Counter(r["status"] for r in results).items()):
        lines.append(f"{status:<10}  {n:>5}")
    lines += ["", "assignment              graded  mean score"]
    by_assignment: dict[str, list[dict]] = {}
    for r in results:
        by_assignment.setdefault(r["assignment"] or "(none)", []).append(r)
    for name, rows in sorted(by_assignment.items()):
        scores = [r["score"] for r in rows]
        top = max((r["max_score"] for r in rows), default=0)
        mean = sum(scores) / len(scores) if scores else 0.0
        lines.append(f"{name:<22}  {len(rows):>6}  {mean:6.2f} / {top:g}")
    return "\n".join(lines)
