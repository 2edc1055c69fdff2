"""Helpers of the benchmark smoke tests: the bench/ scripts, run or imported."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def run_script(name: str, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run bench/NAME.py with this Python and ``args``, from the repository root."""
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def bench(monkeypatch):
    """Import a bench/ module by name (bench/ is on sys.path for the test only)."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module
