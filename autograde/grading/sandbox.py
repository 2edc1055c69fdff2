"""Start the student's worker process in a sandbox, with limits, and stop it for sure.

With bubblewrap the worker sees a read-only system and Python, the course's
``nnutils`` and ``autograde`` packages, a private ``/tmp`` and its own copy
of the submission at ``/submission``; it has no network, no view of
``solutions/``, the gradebook, other students or the instructor's home, and
runs as an unprivileged user in its own PID namespace. Without bubblewrap it
runs with resource limits only (the grader says so once, loudly).

Limits, in both modes: memory (``RLIMIT_DATA`` on each process, which
TensorFlow tolerates where ``RLIMIT_AS`` does not, plus a watchdog on the
resident memory of the whole process tree), file size, open files, no core
dumps. The worker's watchdog enforces the wall-clock limits: the
notebook's total budget (``timeout``, shared by the workers that replace one
another after an incident) and the limit per cell (``cell_timeout``, counted
only while the worker is busy with a request; setup cells have only the
total budget). Before it stops a worker for
time or memory it asks Python to dump its stack (``SIGUSR1``, see
:mod:`autograde.grading.worker`), so the grader can name the student's
function that was running.
"""

from __future__ import annotations

import collections
import ctypes
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import autograde
import nnutils
from autograde.config import HEADLESS_MPLBACKEND
from autograde.errors import AutogradeError

SANDBOX_DIR = "/submission"
FIGURES_PER_NOTEBOOK = 6     # the student's first figures, kept for the feedback
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Limits:
    """Resources one submission may use."""

    timeout: float = 600.0       # seconds of wall-clock time for the whole notebook
    cell_timeout: float = 60.0   # seconds one cell may keep the worker busy
    memory_mb: int = 3072        # resident memory of the worker's process tree
    output_kb: int = 64          # printed output kept per cell
    file_mb: int = 256           # largest file the student's code may write
    restarts: int = 5            # workers started again after incidents, per notebook


INSTALL_BWRAP = "sudo apt-get install bubblewrap   (Fedora: sudo dnf install bubblewrap)"


@lru_cache(maxsize=1)
def bwrap_problem() -> str:
    """Why bubblewrap cannot sandbox here, in a sentence that says what to do ("" if it can)."""
    exe = shutil.which("bwrap")
    if exe is None:
        return f"bubblewrap (bwrap) is not installed: {INSTALL_BWRAP}"
    try:
        probe = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "true"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{exe} could not be run ({err})"
    if probe.returncode == 0:
        return ""
    said = (probe.stderr.strip().splitlines() or ["no message"])[-1]
    hint = ("this kernel does not let unprivileged users create namespaces: allow them "
            "(sudo sysctl -w kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 "
            "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0), or run the "
            "grader in a container that allows them") \
        if "namespace" in said.lower() or "permission" in said.lower() else \
        "see bubblewrap's message"
    return f"{exe} cannot create a sandbox here ({said}): {hint}"


def bwrap_works() -> bool:
    """Whether bubblewrap is installed and can create namespaces on this machine."""
    return not bwrap_problem()


def resolve_mode(requested: str) -> str:
    """'auto' -> 'bwrap' when it works, else 'none'; 'bwrap' fails clearly when it cannot."""
    if requested not in ("auto", "bwrap", "none"):
        raise ValueError(f"--sandbox must be auto, bwrap or none, not {requested!r}")
    if requested == "auto":
        return "bwrap" if bwrap_works() else "none"
    if requested == "bwrap" and not bwrap_works():
        raise AutogradeError(f"{bwrap_problem()}; or pass --sandbox none (no sandbox)")
    return requested


def _package_dir(module) -> str:
    return str(Path(module.__file__).resolve().parent)


def _readonly_paths() -> list[str]:
    """What the worker needs to see: the system, Python, the venv and the course packages."""
    paths = ["/usr", "/etc", sys.base_prefix, sys.prefix,
             _package_dir(nnutils), _package_dir(autograde)]
    seen, out = set(), []
    for p in paths:
        real = str(Path(p).resolve())
        for candidate in (p, real):
            if candidate not in seen and os.path.exists(candidate):
                seen.add(candidate)
                out.append(candidate)
    return out


def bwrap_command(workdir: Path, inner: list[str], limits: Limits) -> list[str]:
    """The bubblewrap command line. Mount order matters: the private /tmp comes first,
    so that a course living under /tmp (a CI clone, say) is bound on top of it."""
    tmp_bytes = str(limits.file_mb * 2**20)
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
           "--uid", "1000", "--gid", "1000", "--hostname", "sandbox",
           "--dev", "/dev", "--proc", "/proc", "--size", tmp_bytes, "--tmpfs", "/tmp"]
    for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(link):
            cmd += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            cmd += ["--ro-bind", link, link]
    for path in _readonly_paths():
        cmd += ["--ro-bind", path, path]
    cmd += ["--bind", str(workdir), SANDBOX_DIR, "--chdir", SANDBOX_DIR]
    return cmd + inner


def worker_env(home: str) -> dict[str, str]:
    """A clean environment: nothing of the grader's (tokens, paths, proxies) leaks in."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home, "LANG": "C.UTF-8", "MPLBACKEND": HEADLESS_MPLBACKEND,
        "AUTOGRADE_KEEP_FIGURES": str(FIGURES_PER_NOTEBOOK),
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "KERAS_HOME": f"{home}/.keras", "MPLCONFIGDIR": f"{home}/.mpl",
        "NNUTILS_MNIST": "", "JUPYTER_PLATFORM_DIRS": "1",
        "NNUTILS_GRADING": "1",     # Keras fit trains one epoch: see nnutils.tfsetup
    }


_LIBC = ctypes.CDLL(None, use_errno=True)   # loaded before any fork: preexec_fn only calls it
_PR_SET_PDEATHSIG = 1


def _set_limits(limits: Limits):
    def apply() -> None:
        # Killed with its parent, even a SIGKILLed grader (bwrap's --die-with-parent
        # does the same for the sandbox; this covers --sandbox none too).
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        cap = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * 2**20,) * 2)
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    return apply


def _process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc (children that called setsid too)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def _rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            pass
    return total


# A frame of the student's code in a faulthandler dump: IPython names cell files
# <ipython-input-N-HASH> (older) or /tmp/ipykernel_PID/HASH.py (newer).
_CELL_FRAME = re.compile(r'File "(?:<ipython-input-[^"]*>|[^"]*/ipykernel_\d+/[^"]*)", '
                         r'line \d+,? in (\w+)')
_DUMP_START = re.compile(r"^(?:(?:Current thread|Thread) 0x[0-9a-f]+|Stack|Fatal Python error)",
                         re.M)


def cell_functions(text: str) -> list[str]:
    """The student's functions in a stack dump or traceback text, in the order printed,
    without repeats (a traceback prints the innermost call last, a dump first)."""
    names: list[str] = []
    for name in _CELL_FRAME.findall(text):
        if name != "<module>" and name not in names:
            names.append(name)
    return names


def student_frames(console: str) -> list[str]:
    """The student's functions on the stack in the last dump in ``console``, innermost
    first (faulthandler prints the most recent call first), without repeats."""
    starts = [m.start() for m in _DUMP_START.finditer(console)]
    if not starts:
        return []
    # The last dump may span several thread blocks: take every block after the last
    # line that is not part of a dump (the text a dump starts with follows it directly).
    first = starts[-1]
    for start in reversed(starts[:-1]):
        between = console[start:first]
        if any(line and not line.startswith(("  ", "Thread", "Current thread", "Stack", "Fatal",
                                                 "Python runtime", "Extension modules"))
               for line in between.splitlines()):
            break
        first = start
    return cell_functions(console[first:])


class Sandbox:
    """The student's worker process, running in its sandbox, and its two pipe ends.

    ``deadline`` (``time.monotonic()``) ends the notebook's total budget; by
    default it is ``limits.timeout`` from now. :meth:`begin_cell` starts the
    clock of one cell; the Session marks the worker ``busy`` while it waits.
    """

    def __init__(self, workdir: Path, limits: Limits, mode: str, deadline: float | None = None):
        self.limits, self.mode = limits, mode
        self.reason = ""           # timeout, cell_timeout or memory once the grader stopped it
        self.busy = False
        self.cell_deadline = math.inf
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        inner = [sys.executable, "-m", "autograde.grading.worker",
                 str(to_worker_r), str(from_worker_w), str(limits.output_kb * 1024)]
        if mode == "bwrap":
            cmd, cwd, home = bwrap_command(workdir, inner, limits), None, "/tmp"
        else:
            home = str(workdir / ".home")
            os.makedirs(home, exist_ok=True)
            cmd, cwd = inner, str(workdir)
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=worker_env(home), pass_fds=(to_worker_r, from_worker_w),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_set_limits(limits))
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.wfile = os.fdopen(to_worker_w, "wb", buffering=0)
        self.rfile = os.fdopen(from_worker_r, "rb", buffering=0)
        # the end of what reached the worker's own stdout/stderr: its stack dumps
        self.console_tail: collections.deque[bytes] = collections.deque(maxlen=64)
        self.started = time.monotonic()
        self.deadline = deadline if deadline is not None else self.started + limits.timeout
        threading.Thread(target=self._drain_console, daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _drain_console(self) -> None:
        for chunk in iter(lambda: self.proc.stdout.read(4096), b""):
            self.console_tail.append(chunk)

    def begin_cell(self, setup: bool = False) -> None:
        """Start the clock of one cell (a student's cell, or a test cell's calls). A setup
        cell has only the total budget: the notebook cannot go on without it, and
        TensorFlow's import alone can take longer than a cell's limit on a busy machine."""
        self.cell_deadline = math.inf if setup else time.monotonic() + self.limits.cell_timeout

    def _watch(self) -> None:
        cap = self.limits.memory_mb * 2**20
        while self.proc.poll() is None:
            now = time.monotonic()
            if now > self.deadline:
                self.stop("timeout")
            elif self.busy and now > self.cell_deadline:
                self.stop("cell_timeout")
            elif _rss_bytes(_process_tree(self.proc.pid)) > cap:
                self.stop("memory")
            time.sleep(0.1)

    def stop(self, reason: str) -> None:
        """Ask the worker's Python for its stack (it dumps it to the console), then kill."""
        if reason and not self.reason:
            self.reason = reason
        for pid in _process_tree(self.proc.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"autograde.grading.worker" in cmdline and not cmdline.startswith(b"bwrap"):
                    os.kill(pid, signal.SIGUSR1)
            except OSError:
                continue
        time.sleep(0.3)
        self.kill(reason)

    def student_frames(self) -> list[str]:
        """The student's functions that were running when the worker stopped, innermost first."""
        time.sleep(0.05)   # let the console thread read the end of a dump
        return student_frames(b"".join(self.console_tail).decode("utf-8", "replace"))

    def settle(self, grace: float = 2.0) -> None:
        """After the channel closed: let the worker exit by itself (keeping its code), then kill."""
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self, reason: str = "") -> None:
        """Stop the worker and everything it started (the sandbox's PID namespace dies with it)."""
        if reason and not self.reason:
            self.reason = reason
        if self.proc.poll() is None:
            for pid in reversed(_process_tree(self.proc.pid)):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc.wait()

    def close(self) -> None:
        for f in (self.wfile, self.rfile):
            try:
                f.close()
            except OSError:
                pass
        self.kill()
