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
dumps; the caller enforces the wall-clock timeout with :meth:`Worker.kill`.
"""

from __future__ import annotations

import ctypes
import os
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

SANDBOX_DIR = "/submission"
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Limits:
    """Resources one submission may use."""

    timeout: float = 600.0       # seconds of wall-clock time for the whole notebook
    memory_mb: int = 2048        # resident memory of the worker's process tree
    output_kb: int = 256         # printed output kept per notebook
    file_mb: int = 256           # largest file the student's code may write


@lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """Whether bubblewrap is installed and can create namespaces on this machine."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False
    probe = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "true"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def resolve_mode(requested: str) -> str:
    """'auto' -> 'bwrap' when it works, else 'none'; 'bwrap' fails clearly when it cannot."""
    if requested not in ("auto", "bwrap", "none"):
        raise ValueError(f"--sandbox must be auto, bwrap or none, not {requested!r}")
    if requested == "auto":
        return "bwrap" if bwrap_works() else "none"
    if requested == "bwrap" and not bwrap_works():
        raise RuntimeError("bubblewrap is not available here: install it "
                           "(apt-get install bubblewrap) or pass --sandbox none")
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


class Worker:
    """A running worker process and its two pipe ends."""

    def __init__(self, workdir: Path, limits: Limits, mode: str):
        self.limits, self.mode = limits, mode
        self.reason = ""           # "timeout" or "memory" once the grader stopped it
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        inner = [sys.executable, "-m", "autograde.grading.worker",
                 str(to_worker_r), str(from_worker_w)]
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
        self.console = bytearray()     # what reached the worker's own stdout/stderr (capped)
        self.started = time.monotonic()
        threading.Thread(target=self._drain_console, daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _drain_console(self) -> None:
        cap = self.limits.output_kb * 1024
        for chunk in iter(lambda: self.proc.stdout.read(65536), b""):
            if len(self.console) < cap:
                self.console += chunk[: cap - len(self.console)]

    def _watch(self) -> None:
        cap = self.limits.memory_mb * 2**20
        while self.proc.poll() is None:
            if time.monotonic() - self.started > self.limits.timeout:
                self.kill("timeout")
            elif _rss_bytes(_process_tree(self.proc.pid)) > cap:
                self.kill("memory")
            time.sleep(0.2)

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
