"""Grading on a real Dask cluster: `dask scheduler` and `dask worker` as separate processes
on loopback, the workers in another folder and unable to see the course or OUT."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from distributed import Client

from autograde.errors import AutogradeError
from autograde.grading.run import Options, grade_class

from .conftest import EXIT, LIMITS, LOOP, MEAN_WRONG, course, put, require_bwrap, submission

pytestmark = pytest.mark.slow   # grades or runs whole notebooks: make test only

DASK = str(Path(sys.executable).parent / "dask")
BWRAP = shutil.which("bwrap") or "bwrap"   # found here: a worker's PATH may lack it
START_TIMEOUT = 90   # seconds for the scheduler to write its file and the workers to join


@contextlib.contextmanager
def _process(cmd: list[str], log: Path, **popen) -> Iterator[subprocess.Popen]:
    """``cmd`` running in its own process group, killed with the group on the way out."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, **popen)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-20:])


@contextlib.contextmanager
def loopback_cluster(tmp: Path, hidden: Path, workers: int = 2,
                     env: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """A scheduler and ``workers`` single-thread workers on 127.0.0.1; the workers run in
    ``tmp/worker`` (their TMPDIR is ``tmp/worker/tmp``) under bubblewrap with an empty
    tmpfs over ``hidden``. Yields the scheduler's address and the workers' TMPDIR."""
    home = tmp / "worker"
    (home / "tmp").mkdir(parents=True)
    scheduler_file = tmp / "scheduler.json"
    worker_env = dict(env or os.environ, TMPDIR=str(home / "tmp"))
    with contextlib.ExitStack() as stack:
        scheduler = stack.enter_context(_process(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)], tmp / "scheduler.log", cwd=tmp))
        deadline = time.monotonic() + START_TIMEOUT
        while not scheduler_file.exists():
            assert scheduler.poll() is None and time.monotonic() < deadline, \
                f"the scheduler did not start:\n{_tail(tmp / 'scheduler.log')}"
            time.sleep(0.2)
        for i in range(workers):
            stack.enter_context(_process(
                [BWRAP, "--dev-bind", "/", "/", "--tmpfs", str(hidden), "--die-with-parent",
                 "--", DASK, "worker", "--scheduler-file", str(scheduler_file),
                 "--nthreads", "1", "--no-dashboard", "--name", f"w{i}"],
                tmp / f"worker{i}.log", cwd=home, env=worker_env))
        with Client(scheduler_file=str(scheduler_file), timeout=START_TIMEOUT) as client:
            try:
                client.wait_for_workers(workers, timeout=START_TIMEOUT)
            except TimeoutError:
                pytest.fail("the workers did not join:\n" + "\n".join(
                    _tail(tmp / f"worker{i}.log") for i in range(workers)))
            address = client.scheduler.address
        yield address, home / "tmp"


def _class(subs: Path) -> None:
    put(subs, "perfect", submission())
    put(subs, "partial", submission(mean=MEAN_WRONG))
    put(subs, "blank", submission("def square(x):\n    raise NotImplementedError()"))
    put(subs, "mean-square-loops", submission(mean="def mean_square(X):\n" + LOOP))
    put(subs, "square-calls-os-exit", submission("def square(x):\n" + EXIT))
    put(subs, "reads-the-course", submission(
        f"from pathlib import Path\nSEEN = Path({str(subs.parent)!r}).exists()\n"
        "def square(x):\n    assert SEEN, 'cannot see the grader folder'\n"
        "    return x ** 2\n"))


def _verdicts(results) -> list[tuple]:
    return [(r.student_id, r.status, r.score, [(t.test, t.points, t.message) for t in r.tests])
            for r in results]


def test_cluster_that_cannot_see_the_course_grades_like_local_workers(tmp_path):
    """Workers without the course checkout or OUT get the notebooks as data, write only
    to their own temp space, and give the results local workers give; the time of both
    is printed (pytest -s)."""
    require_bwrap()
    grader = tmp_path / "grader"                 # course, submissions and both OUTs
    crs = course(grader)
    subs = grader / "subs"
    _class(subs)
    begin = time.perf_counter()
    local = grade_class(Options(subs, grader / "local", crs, workers=2, limits=LIMITS,
                                progress=False))
    local_seconds = time.perf_counter() - begin
    with loopback_cluster(tmp_path, hidden=grader) as (address, worker_tmp):
        with Client(address) as client:
            assert list(client.run(os.path.exists, str(crs.root)).values()) == [False] * 2
            assert list(client.run(os.listdir, str(grader)).values()) == [[]] * 2
            assert list(client.run(os.getcwd).values()) == [str(worker_tmp.parent)] * 2
        begin = time.perf_counter()
        on_dask = grade_class(Options(subs, grader / "dask", crs, limits=LIMITS,
                                      progress=False, dask_scheduler=address))
        dask_seconds = time.perf_counter() - begin
        assert list(worker_tmp.glob("autograde-*")) == [], "a temp workdir was left behind"
    print(f"\n{len(local)} submissions of 00_tiny: local workers (2) {local_seconds:.1f} s, "
          f"Dask cluster (2 workers) {dask_seconds:.1f} s")
    assert _verdicts(on_dask) == _verdicts(local)
    assert {r.student_id: r.score for r in on_dask} == {
        "perfect": 6, "partial": 3, "blank": 0, "mean-square-loops": 3,
        "square-calls-os-exit": 0, "reads-the-course": 0}
    assert (grader / "dask" / "feedback" / "perfect" / "00_tiny.html").exists()


def test_a_worker_without_bubblewrap_fails_bwrap_and_warns_with_auto(tmp_path, capsys):
    """The sandbox is the worker's: --sandbox bwrap names the worker that lacks it."""
    require_bwrap()                               # to start the worker; hidden from it
    grader = tmp_path / "grader"
    crs = course(grader)
    subs = grader / "subs"
    put(subs, "perfect", submission())
    no_bwrap = dict(os.environ, PATH=str(Path(sys.executable).parent))
    with loopback_cluster(tmp_path, hidden=grader, workers=1, env=no_bwrap) as (address, _):
        with pytest.raises(AutogradeError, match=r"on Dask worker tcp://127\.0\.0\.1:\d+: "
                                                 r"bubblewrap \(bwrap\) is not installed"):
            grade_class(Options(subs, grader / "strict", crs, limits=LIMITS, progress=False,
                                sandbox="bwrap", dask_scheduler=address))
        results = grade_class(Options(subs, grader / "auto", crs, limits=LIMITS,
                                      progress=False, sandbox="auto", dask_scheduler=address))
    assert [(r.student_id, r.score) for r in results] == [("perfect", 6)]
    assert "WARNING: no sandbox on Dask worker(s) tcp://127.0.0.1:" in capsys.readouterr().err
