"""Run every benchmark and write one markdown report: the machine, the date, each table.

The benchmarks run one after the other, each as a subprocess of this Python,
so one that crashes or hangs is reported and the others still run. Each one
prints its own markdown table; this script copies its output into the report
under a heading, with its command, exit status and wall time, and prints the
report's path. Exits 1 when a benchmark failed (one that is not available,
like ``grading_throughput`` before ``autograde grade`` exists, is not a failure).

    python bench/run_all.py [--out build/bench/BENCH.md] [--quick] [--only series ...]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from benchtable import markdown_table

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TIMEOUT = 3600
NOT_AVAILABLE = "not available"
STDERR_LINES = 30
COURSE_ASSIGNMENTS = sorted(p.parent.name for p in ROOT.glob("solutions/*/*.ipynb")
                            if p.stem == p.parent.name)


def grade_cli_missing(autograde: Path = BIN / "autograde") -> str | None:
    """Why ``autograde grade`` cannot run (its --help fails), or None when it can."""
    try:
        done = subprocess.run([str(autograde), "grade", "--help"], capture_output=True,
                              text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"`autograde grade --help` could not run: {type(err).__name__}: {err}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        return f"`autograde grade --help` exits {done.returncode}: {last}"
    return None


@dataclass(frozen=True)
class Benchmark:
    """One benchmark script, its arguments for a full and a --quick run, and a precondition."""

    name: str
    script: Path
    args: tuple[str, ...]
    quick_args: tuple[str, ...]
    missing: Callable[[], str | None] = lambda: None  # why it cannot run, or None


BENCHMARKS = [
    Benchmark("series", BENCH / "series.py", ("--repeats", "1"),
              ("--only", "01_perceptron", "--repeats", "1")),
    Benchmark("numpy_vs_tf", BENCH / "numpy_vs_tf.py", ("--repeats", "5"),
              ("--repeats", "1", "--subset", "640", "--conv-batch", "32")),
    Benchmark("grading_throughput", BENCH / "grading_throughput.py", ("--students", "12"),
              ("--students", "2"), grade_cli_missing),
    Benchmark("grading_one_submission", BENCH / "grading_throughput.py",
              ("--students", "1", "--workers", "1", "--no-overhead", "--assignment",
               *COURSE_ASSIGNMENTS),
              ("--students", "1", "--workers", "1", "--no-overhead"), grade_cli_missing),
    Benchmark("grading_incident", BENCH / "grading_incident.py", (),
              ("--assignment", "01_perceptron", "--cell-timeout", "10"), grade_cli_missing),
]


@dataclass
class Outcome:
    """What running one benchmark gave."""

    benchmark: Benchmark
    command: list[str]
    status: str  # "ok", "failed (exit N)", "timed out after N s", "not available: ..."
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""


def execute(command: list[str], timeout: int) -> tuple[int | None, str, str]:
    """Run ``command`` from the repository root, echoing its stderr (its progress) live.

    Returns
    -------
    (exit code, or None when it ran longer than ``timeout`` s and was killed with its
    process group; everything it wrote to stdout; everything it wrote to stderr).
    """
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    with subprocess.Popen(command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, start_new_session=True) as proc:
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError):   # it may have just ended
                os.killpg(proc.pid, signal.SIGKILL)
        timer = threading.Timer(timeout, kill)
        stdout: list[str] = []
        reader = threading.Thread(target=lambda: stdout.append(proc.stdout.read()))
        timer.start()
        reader.start()
        stderr = []
        for line in proc.stderr:
            print(f"  {line}", end="", file=sys.stderr, flush=True)
            stderr.append(line)
        reader.join()
        code = proc.wait()
        timer.cancel()
    return (None if expired.is_set() else code), "".join(stdout), "".join(stderr)


def run(bench: Benchmark, quick: bool, timeout: int) -> Outcome:
    """Run one benchmark in a subprocess with this Python; say why when it cannot run."""
    command = [sys.executable, str(bench.script),
               *(bench.quick_args if quick else bench.args)]
    reason = bench.missing()
    if reason:
        print(f"skipping {bench.name}: {reason}", file=sys.stderr, flush=True)
        return Outcome(bench, command, f"{NOT_AVAILABLE}: {reason}")
    print(f"running {shown(command)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    code, stdout, stderr = execute(command, timeout)
    status = ("ok" if code == 0 else f"timed out after {timeout} s" if code is None
              else f"failed (exit {code})")
    return Outcome(bench, command, status, time.perf_counter() - start, stdout, stderr)


def version(*distributions: str) -> str:
    """Installed version of the first of ``distributions`` that is installed."""
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform knows."""
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine(load_before: tuple[float, ...]) -> str:
    """The machine table: cores, CPU, versions, and the load average around the runs."""
    load_after = os.getloadavg()
    rows = [("cores", os.cpu_count()), ("CPU", cpu_model()),
            ("OS", platform.platform()), ("Python", platform.python_version()),
            ("numpy", version("numpy")), ("tensorflow", version("tensorflow", "tensorflow-cpu")),
            ("keras", version("keras")), ("nbclient", version("nbclient")),
            ("nbgrader", version("nbgrader")),
            ("load average (1, 5, 15 min) before",
             ", ".join(f"{x:.1f}" for x in load_before)),
            ("load average (1, 5, 15 min) after", ", ".join(f"{x:.1f}" for x in load_after))]
    return markdown_table(("what", "value"), rows)


def shown(command: list[str]) -> str:
    """``[python, script, args...]`` as a person would type it at the repository root."""
    script = Path(command[1])
    where = script.relative_to(ROOT) if script.is_relative_to(ROOT) else script
    return " ".join(["python", str(where), *command[2:]])


def section(outcome: Outcome) -> str:
    """A benchmark's part of the report: command, status, time, then its own output."""
    parts = [f"## {outcome.benchmark.name}", f"`{shown(outcome.command)}`: {outcome.status}"
             + (f", {outcome.seconds:.0f} s wall clock" if outcome.seconds else "")]
    if outcome.stdout.strip():
        parts.append(outcome.stdout.strip())
    if outcome.status != "ok" and outcome.stderr.strip():
        tail = "\n".join(outcome.stderr.strip().splitlines()[-STDERR_LINES:])
        parts.append(f"Last lines on stderr:\n\n```\n{tail}\n```")
    return "\n\n".join(parts)


def report(outcomes: list[Outcome], load_before: tuple[float, ...], quick: bool,
           started: datetime.datetime) -> str:
    """The whole markdown report."""
    summary = markdown_table(("benchmark", "status", "seconds"),
                             [(o.benchmark.name, o.status,
                               f"{o.seconds:.0f}" if o.seconds else "-") for o in outcomes])
    head = (f"# Benchmarks\n\n{started:%Y-%m-%d %H:%M} local time"
            f"{', quick settings (smoke test, not for comparison)' if quick else ''}. "
            "Ratios are measured side by side in one run on this machine; the absolute "
            "times depend on the machine and on whatever else it was doing (see the load "
            "average).")
    return "\n\n".join([head, "## Machine", machine(load_before), "## Summary", summary,
                        *(section(o) for o in outcomes)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [b.name for b in BENCHMARKS]
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "BENCH.md")
    parser.add_argument("--quick", action="store_true",
                        help="tiny settings for smoke tests: series on 01 only, 1 repeat, "
                             "a small MNIST subset, 2 students")
    parser.add_argument("--only", nargs="+", choices=names, default=names, metavar="NAME",
                        help=f"benchmarks to run, of: {', '.join(names)}")
    parser.add_argument("--timeout", type=int, default=TIMEOUT,
                        help="seconds each benchmark may run")
    args = parser.parse_args(argv)
    started, load_before = datetime.datetime.now(), os.getloadavg()
    outcomes = [run(b, args.quick, args.timeout) for b in BENCHMARKS if b.name in args.only]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(outcomes, load_before, args.quick, started))
    print(args.out)
    failed = [o for o in outcomes if o.status != "ok" and not o.status.startswith(NOT_AVAILABLE)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
