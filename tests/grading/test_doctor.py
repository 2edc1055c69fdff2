"""autograde doctor: each check passes here, and a missing sandbox says what to do."""

from __future__ import annotations

import shutil

import pytest

from autograde.cli import main
from autograde.grading import sandbox

from .conftest import require_bwrap


@pytest.fixture
def no_bwrap(monkeypatch):
    """A machine without bubblewrap (the probe's cached answer is dropped around the test)."""
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "bwrap" else real(name))
    sandbox.bwrap_problem.cache_clear()
    yield
    sandbox.bwrap_problem.cache_clear()


def test_a_ready_machine_passes_every_check(capsys):
    require_bwrap()
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for check in ("python", "sandbox", "worker", "tensorflow", "course"):
        assert f"ok    {check}" in out
    assert "starts in the sandbox and answers" in out
    assert "everything needed to grade safely is here" in out


def test_without_bubblewrap_it_fails_and_says_how_to_install_it(no_bwrap, capsys):
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  sandbox     bubblewrap (bwrap) is not installed: sudo apt-get install " \
           "bubblewrap" in out
    assert "ok    worker      a student worker starts without a sandbox" in out
    assert "not ready: sandbox" in out and "to install the sandbox:" in out


def test_grading_with_a_required_sandbox_that_is_missing_is_a_one_line_error(no_bwrap):
    from autograde.errors import AutogradeError
    with pytest.raises(AutogradeError, match="not installed: sudo apt-get install bubblewrap"):
        sandbox.resolve_mode("bwrap")
