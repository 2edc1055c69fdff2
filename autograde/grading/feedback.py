"""Feedback a student can read: their notebook with each test's verdict, as HTML.

Public test cells show their code and message. Hidden test cells show only
their points and the message of the check that failed, never their code.
A summary table at the top lists every test.
"""

from __future__ import annotations

import copy
import html

import nbformat
from nbconvert import HTMLExporter

from autograde import notebook
from autograde.grading.result import GradeResult


def _summary(result: GradeResult) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(t.test)}</td><td>{'hidden' if t.hidden else 'public'}"
        f"</td><td>{t.points:g} / {t.max_points:g}</td>"
        f"<td>{'&#10004;' if t.passed else '&#10008;'}</td>"
        f"<td>{html.escape(t.message.splitlines()[0] if t.message else '')}</td></tr>"
        for t in result.tests)
    text = result.detail_before_incidents()
    detail = f"<p>{html.escape(text)}</p>" if text else ""
    if result.incidents:
        items = "".join(f"<li><b>{html.escape(i.cell)}</b> ({html.escape(i.cause)}): "
                        f"{html.escape(i.message)}</li>" for i in result.incidents)
        detail += ("\n<p><b>Needs attention.</b> Part of your notebook stopped the grader's "
                   "Python; it was restarted, the cells before were run again, and the rest "
                   "of your notebook was graded as usual. The tests that needed what stopped "
                   f"lost their points:</p><ul>{items}</ul>")
    return (f"## Feedback: {html.escape(result.assignment)}, student "
            f"{html.escape(result.student_id)}\n\n"
            f"**Score: {result.score:g} / {result.max_score:g}** "
            f"(status: {html.escape(result.status)})\n"
            f"{detail}\n<table><tr><th>test</th><th>kind</th><th>points</th><th></th>"
            f"<th>message</th></tr>{rows}</table>")


def feedback_notebook(graded: nbformat.NotebookNode,
                      result: GradeResult) -> nbformat.NotebookNode:
    """A copy of the graded notebook safe to give the student."""
    nb = copy.deepcopy(graded)
    by_id = {t.test: t for t in result.tests}
    for cell in nb.cells:
        gid = notebook.grade_id(cell)
        if gid in by_id and "BEGIN HIDDEN TESTS" in cell.source:
            test = by_id[gid]
            cell.source = (f"# Hidden tests ({test.points:g} / {test.max_points:g} "
                           f"points). Their code is not shown; the message below says what "
                           f"they found.")
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "stream"]
            for out in cell.outputs:
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out['ename']}: {out['evalue']}"]
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(_summary(result)))
    return nb


class FeedbackWriter:
    """Turns graded notebooks into HTML; one exporter, reused for the whole class."""

    def __init__(self):
        self.exporter = HTMLExporter(template_name="lab")

    def html(self, graded: nbformat.NotebookNode, result: GradeResult) -> str:
        body, _ = self.exporter.from_notebook_node(feedback_notebook(graded, result))
        return body
