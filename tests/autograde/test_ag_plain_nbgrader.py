"""Stock nbgrader, run from a course root with the repository's nbgrader_config.py, releases
the same notebook as `autograde release` and grades the fixture right: the reference
solution gets full marks, the untouched release gets zero."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ag_support import ROOT, TINY, copy_fixture_course, tiny_release, tiny_source
from nbgrader.api import Gradebook

from autograde.nbgrader_config import COURSE_ID
from autograde.release import release

NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def nbgrader(course_root: Path, *args: str) -> None:
    env = dict(os.environ, PATH="/usr/bin:/bin")  # like `.venv/bin/nbgrader`, not activated
    result = subprocess.run([NBGRADER, *args], cwd=course_root, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """A fixture course released and autograded by stock nbgrader (alice: solution, bob: blank)."""
    course = copy_fixture_course(tmp_path_factory.mktemp("plain"))
    shutil.copy(ROOT / "nbgrader_config.py", course.root)
    nbgrader(course.root, "generate_assignment", TINY, "--force")
    for student, notebook in (("alice", tiny_source(course)), ("bob", tiny_release(course))):
        folder = course.root / "submitted" / student / TINY
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder)
    nbgrader(course.root, "autograde", TINY)
    return course


def test_plain_nbgrader_releases_what_autograde_releases(plain, tmp_path):
    ours = copy_fixture_course(tmp_path)
    release(ours, [TINY])
    assert tiny_release(plain).read_bytes() == tiny_release(ours).read_bytes()


@pytest.mark.parametrize("student, score", [("alice", 6.0), ("bob", 0.0)])
def test_plain_nbgrader_autograde_scores_solution_full_and_release_zero(plain, student, score):
    with Gradebook(f"sqlite:///{plain.gradebook}", COURSE_ID) as gb:
        submission = gb.find_submission(TINY, student)
        assert (submission.score, submission.max_score) == (score, 6.0)


def test_plain_nbgrader_writes_generated_files_under_build(plain):
    assert (plain.build_dir / "autograded" / "alice" / TINY / f"{TINY}.ipynb").exists()
    assert not (plain.root / "autograded").exists()
