"""Self-check questions in the release.

A question's answer cell (grade_id ``q_NAME``, see :mod:`autograde.notebook`) holds its
answer between the solution markers. nbgrader's ClearSolutions puts the code stub there,
which raises: a student's Restart & Run All would stop at the first unanswered question.
:class:`AnswerStub`, which runs right after ClearSolutions (``course_config`` puts it
there, for ``autograde release`` and stock nbgrader alike), writes ``q_NAME = ...`` in
its place instead: the cell runs, and the question's hidden test cell fails with
``NotImplementedError`` until the ``...`` is replaced (``nnutils.checks.check_answered``).
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from autograde.nbgrader_config import CODE_STUB
from autograde.notebook import grade_id, is_question, meta


def answer_stub(name: str) -> str:
    """What the release shows in place of question ``name``'s answer."""
    return f"{name} = ...  # your answer"


class AnswerStub(NbGraderPreprocessor):
    """Replace the code stub in a question's answer cell by ``q_NAME = ...``."""

    def preprocess_cell(self, cell, resources, index):
        name = grade_id(cell)
        if cell.cell_type == "code" and meta(cell).get("solution") and is_question(name):
            cell.source = cell.source.replace(CODE_STUB, answer_stub(name))
        return cell, resources
