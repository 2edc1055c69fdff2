"""nbgrader's settings for the course, shared by plain nbgrader and ``autograde``.

The repository's ``nbgrader_config.py`` loads :func:`course_config`, so an
instructor can run stock nbgrader from the repository root::

    nbgrader generate_assignment 01_perceptron --force   # solutions/ -> notebooks/
    nbgrader autograde 01_perceptron                     # submitted/ -> build/autograded/

and ``autograde`` builds its nbgrader apps from the same function, so both
release the same notebooks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config

from autograde.config import BUILD_DIR, RELEASE_DIR, SOURCE_DIR, Course

COURSE_ID = "nn-first-principles"

# Seconds one cell may run. nbgrader's default of 30 s kills correct training
# cells (nbgrader #915, #931); the slowest reference cell needs well under a minute.
CELL_TIMEOUT = 600
# Seconds a fresh kernel may take to start (TensorFlow imports are slow on a busy machine).
STARTUP_TIMEOUT = 120

# What `generate_assignment` puts in place of a solution region.
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def gradebook_url(course: Course) -> str:
    """SQLite URL of the course's gradebook under ``build/``; creates that folder."""
    course.gradebook.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{course.gradebook}"


def course_config(root: Path | str) -> Config:
    """nbgrader configuration for the course whose repository root is ``root``.

    Parameters
    ----------
    root : the repository root (the folder holding ``solutions/``).

    Returns
    -------
    traitlets Config for ``CourseDirectory``, ``ClearSolutions``, ``GenerateAssignment``
    (its preprocessors) and ``Execute``.
    """
    course = Course(Path(root).resolve())
    c = Config()
    c.CourseDirectory.root = str(course.root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.source_directory = SOURCE_DIR
    c.CourseDirectory.release_directory = RELEASE_DIR
    # Student work and everything generated from it stay out of the committed tree.
    c.CourseDirectory.submitted_directory = "submitted"
    c.CourseDirectory.autograded_directory = f"{BUILD_DIR}/autograded"
    c.CourseDirectory.feedback_directory = f"{BUILD_DIR}/feedback"
    c.CourseDirectory.solution_directory = f"{BUILD_DIR}/solution"
    c.CourseDirectory.db_url = gradebook_url(course)
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.GenerateAssignment.preprocessors = _release_preprocessors()
    c.Execute.timeout = CELL_TIMEOUT
    c.Execute.startup_timeout = STARTUP_TIMEOUT
    c.Execute.interrupt_on_timeout = True
    return c


def _release_preprocessors() -> list[type]:
    """nbgrader's release steps, with :class:`autograde.questions.AnswerStub` right after
    ClearSolutions (imported here: nbgrader is slow to import, and only releases need it)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    from autograde.questions import AnswerStub
    steps = list(GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default())
    steps.insert(steps.index(ClearSolutions) + 1, AnswerStub)
    return steps


def put_interpreter_on_path() -> None:
    """Let nbgrader find the ``alembic`` command of the Python that runs it.

    nbgrader's gradebook starts ``alembic`` as a subprocess found through PATH,
    which fails when the virtual environment is used without being activated
    (``.venv/bin/nbgrader``, ``.venv/bin/autograde``, ``make``).
    """
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
