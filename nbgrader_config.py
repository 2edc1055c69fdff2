"""nbgrader configuration of this course; the settings live in autograde/nbgrader_config.py.

From the repository root, stock nbgrader works on the course:
    nbgrader generate_assignment 01_perceptron --force
    nbgrader autograde 01_perceptron
"""

from pathlib import Path

from autograde.nbgrader_config import course_config, put_interpreter_on_path

put_interpreter_on_path()
c = get_config()  # noqa: F821 - provided by traitlets when it loads this file
c.merge(course_config(Path(__file__).resolve().parent))
