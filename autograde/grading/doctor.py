"""``autograde doctor``: can this machine grade, and grade safely? Each check says why not.

- python: the version the lock is resolved for;
- sandbox: bubblewrap installed and able to create namespaces (without it, student
  code runs with resource limits only);
- worker: a student worker starts (in the sandbox when there is one) and answers;
- tensorflow: importable, for notebooks 04-06;
- course: the course's source notebooks are found.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autograde.config import Course
from autograde.grading.sandbox import INSTALL_BWRAP, Limits, Sandbox, bwrap_problem
from autograde.grading.session import Session, WorkerGone

PYTHON = (3, 11)


@dataclass(frozen=True)
class Finding:
    """One check: its name, whether it passed, and what it found (or what to do)."""

    check: str
    ok: bool
    says: str


def _python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] == PYTHON
    return Finding("python", ok, f"Python {version}" + ("" if ok else (
        f": the pinned packages are for Python {PYTHON[0]}.{PYTHON[1]}; make setup with "
        f"PYTHON=python{PYTHON[0]}.{PYTHON[1]}")))


def _sandbox() -> Finding:
    problem = bwrap_problem()
    if problem:
        return Finding("sandbox", False, f"{problem}. Until then `autograde grade` runs student "
                                         f"code with resource limits only (--sandbox none)")
    return Finding("sandbox", True, "bubblewrap works: student code runs in a sandbox "
                                    "(no network, read-only system, no view of solutions/)")


def _worker(mode: str) -> Finding:
    """Start a worker, run a cell in it and read a name back."""
    begin = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="autograde-doctor-") as tmp:
        sandbox = Sandbox(Path(tmp), Limits(timeout=120, cell_timeout=60), mode)
        try:
            session = Session(sandbox)
            run = session.exec_cell("import numpy as np\nanswer = int(np.int64(6) * 7)")
            answer = session.get("answer") if run.ok else None
        except WorkerGone as gone:
            return Finding("worker", False, f"the worker ({mode}) stopped: {gone.detail}")
        finally:
            sandbox.close()
    if answer != 42:
        return Finding("worker", False, f"the worker ({mode}) ran a cell but answered "
                                        f"{answer!r}: {run.error}")
    where = "in the sandbox" if mode == "bwrap" else "without a sandbox"
    return Finding("worker", True, f"a student worker starts {where} and answers "
                                   f"({time.perf_counter() - begin:.1f} s)")


def _tensorflow() -> Finding:
    if importlib.util.find_spec("tensorflow") is None:
        return Finding("tensorflow", False, "TensorFlow is not installed: notebooks 04-06 "
                                            "cannot be graded; run make setup")
    return Finding("tensorflow", True, "TensorFlow is installed (notebooks 04-06)")


def _course(course: Course) -> Finding:
    names = course.assignments()
    if not names:
        return Finding("course", False, f"no assignments in {course.source_dir}/")
    return Finding("course", True, f"{len(names)} assignments in "
                                   f"{course.relative(course.source_dir)}/: {', '.join(names)}")


def diagnose(course: Course) -> list[Finding]:
    """Every check, in the order `autograde doctor` prints them."""
    sandbox = _sandbox()
    return [_python(), sandbox, _worker("bwrap" if sandbox.ok else "none"), _tensorflow(),
            _course(course)]


def report(findings: list[Finding]) -> str:
    lines = [f"{'ok' if f.ok else 'FAIL':<4}  {f.check:<10}  {f.says}" for f in findings]
    failed = [f.check for f in findings if not f.ok]
    lines.append("")
    lines.append("everything needed to grade safely is here" if not failed else
                 f"not ready: {', '.join(failed)} (see above)")
    if any(f.check == "sandbox" and not f.ok for f in findings):
        lines.append(f"to install the sandbox: {INSTALL_BWRAP}")
    return "\n".join(lines)
