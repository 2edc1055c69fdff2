"""Run exercises' tests on mutants in worker processes, each with a time limit.

A worker is a process forked from a server that has imported the harness and
NumPy (multiprocessing's "forkserver" start method). It runs job after job
through the grader's own engine (``autograde.grading.trials.run_exercise``:
the mutant in a warm student worker, the tests in the Judge), so TensorFlow is
imported once per worker and notebook, not once per mutant. The parent hands each idle worker a job
and keeps a deadline per job: a worker whose job overruns is killed and
replaced (the mutant counts as killed by a time-out), and one that dies (a
crash, running out of memory) is replaced too.

The time limit starts when the worker is ready for the job: the first job of a
notebook in a worker first runs the notebook's setup cell (its imports) under
a separate, generous limit, so a slow TensorFlow import never times a mutant out.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable

from autograde.errors import AutogradeError
from autograde.grading import trials

PASSED, FAILED, TIMEOUT, CRASHED = "passed", "failed", "timeout", "crashed"
# imported once by the fork server, so that starting or replacing a worker is a cheap fork
# (TensorFlow is not among them: it is not safe to fork once its threads run)
PRELOAD = ["autograde.mutation.pool", "autograde.grading.trials", "numpy", "nnutils.checks"]
WARM_LIMIT = 600.0
DETAIL_CHARS = 240


@dataclass(frozen=True)
class Job:
    """Run exercise ``exercise`` of ``notebook`` with its solution cell replaced by ``source``.

    ``source`` None runs the reference solution; ``timeout`` is in seconds.
    """

    key: str
    notebook: str
    exercise: str
    source: str | None
    timeout: float


@dataclass(frozen=True)
class Outcome:
    """What the exercise's test cells did: ``status`` is PASSED, FAILED, TIMEOUT or CRASHED."""

    status: str
    detail: str
    seconds: float


def _silence() -> None:
    """Send the worker's stdout and stderr (Python and C level) to /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _warm(notebook: str) -> None:
    """Start the notebook's warm student worker, so that its imports are loaded."""
    try:
        trials.warm(notebook)
    except Exception:  # the timed run reports the same failure, with its cause
        return


def _execute(job: Job) -> Outcome:
    """Run the job's test cells and summarise them in one outcome."""
    begin = time.perf_counter()
    try:
        outcomes = trials.run_exercise(job.notebook, job.exercise, replacement=job.source,
                                       cell_timeout=job.timeout)
    except Exception as err:  # the mutant broke a cell before the tests ran
        detail = f"{job.exercise}: {type(err).__name__}: {err}"
        return Outcome(FAILED, detail[:DETAIL_CHARS], time.perf_counter() - begin)
    seconds = time.perf_counter() - begin
    failed = [o for o in outcomes.values() if not o.passed]
    if not failed:
        return Outcome(PASSED, "", seconds)
    first = failed[0]
    message = first.message.strip().splitlines()[0] if first.message.strip() else ""
    status = {"Timeout": TIMEOUT, "Crashed": CRASHED}.get(first.error, FAILED)
    return Outcome(status, f"{first.grade_id}: {first.error}: {message}"[:DETAIL_CHARS], seconds)


def serve(conn: Connection) -> None:
    """Worker main loop: receive jobs until None, answer ("start", key) then ("done", ...)."""
    _silence()
    warmed: set[str] = set()
    while (job := conn.recv()) is not None:
        if job.notebook not in warmed:
            _warm(job.notebook)
            warmed.add(job.notebook)
        conn.send(("start", job.key))
        conn.send(("done", job.key, _execute(job)))


class _Runner:
    """One worker process, the job it runs and the deadline of that job."""

    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.deadline = 0.0
        self.started = 0.0

    def give(self, job: Job) -> None:
        self.job, self.deadline = job, time.monotonic() + WARM_LIMIT
        self.conn.send(job)

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()


class Pool:
    """Up to ``workers`` worker processes, started on demand and kept across :meth:`run` calls.

    Use it as a context manager: leaving the block stops the workers.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.processes: list[_Runner] = []

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        for worker in self.processes:
            worker.stop()
        self.processes = []

    def run(self, jobs: Iterable[Job], on_done: Callable[[Job, Outcome], None]) -> None:
        """Run ``jobs``, handed out in order, calling ``on_done`` in the parent for each.

        A job that passes its deadline ends as TIMEOUT, one whose worker dies as CRASHED.
        """
        queue, pool = deque(jobs), self.processes
        while queue or any(w.job for w in pool):
            while queue and (idle := _idle(pool, self.context, self.workers, len(queue))):
                idle.give(queue.popleft())
            busy = [w for w in pool if w.job]
            ready = wait([w.conn for w in busy],
                         timeout=max(0.0, min(w.deadline for w in busy) - time.monotonic()))
            for worker in busy:
                if worker.conn in ready:
                    _receive(worker, pool, on_done)
                elif time.monotonic() > worker.deadline:
                    _give_up(worker, pool, on_done)


def _idle(pool: list[_Runner], context, workers: int, waiting: int) -> _Runner | None:
    """An idle worker, starting one when fewer than ``workers`` run; None if all are busy."""
    idle = next((w for w in pool if not w.job), None)
    if idle is None and len(pool) < min(workers, len(pool) + waiting):
        idle = _Runner(context)
        pool.append(idle)
    return idle


def _receive(worker: _Runner, pool: list[_Runner],
             on_done: Callable[[Job, Outcome], None]) -> None:
    job = worker.job
    try:
        message = worker.conn.recv()
    except EOFError:
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        pool.remove(worker)
        worker.kill()
        seconds = time.monotonic() - worker.started if worker.started else 0.0
        on_done(job, Outcome(CRASHED, f"the worker process died (exit code {code})", seconds))
        return
    if message[0] == "start":
        worker.started = time.monotonic()
        worker.deadline = worker.started + job.timeout
    elif message[0] == "done":
        worker.job, worker.started = None, 0.0
        on_done(job, message[2])
    else:
        raise AutogradeError(f"mutation worker sent an unknown message {message[0]!r}")


def _give_up(worker: _Runner, pool: list[_Runner],
             on_done: Callable[[Job, Outcome], None]) -> None:
    """Kill a worker whose job overran its deadline and record the time-out."""
    job, warming = worker.job, not worker.started
    pool.remove(worker)
    worker.kill()
    if warming:
        raise AutogradeError(
            f"importing the setup cell of {job.notebook} took over {WARM_LIMIT:.0f} s in a "
            f"mutation worker: check that the notebook's setup cell runs")
    on_done(job, Outcome(TIMEOUT, f"no result after {job.timeout:.1f} s", job.timeout))
