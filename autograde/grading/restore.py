"""Rebuild the notebook to grade from the source notebook and a student's submission.

Whatever the student did to the locked cells (edited, deleted, reordered,
copied, or forged nbgrader metadata), the result has exactly the source's
nbgrader cells, in the source's order, with the source's metadata and points.
Only the code of the solution cells comes from the student (matched by
grade_id; a deleted one becomes the release stub). Cells the student added
keep their place after the nbgrader cell they followed, stripped of any
nbgrader metadata.
"""

from __future__ import annotations

import copy

import nbformat

from autograde import notebook

STUB = "# (this cell was missing from the submission)\nraise NotImplementedError()\n"


def _plain(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of a student's cell with outputs and any nbgrader metadata removed."""
    new = copy.deepcopy(cell)
    new.get("metadata", {}).pop("nbgrader", None)
    if new.cell_type == "code":
        new.outputs, new.execution_count = [], None
    for key in ("attachments",):
        new.pop(key, None)
    return new


def _from_source(cell: nbformat.NotebookNode, code: str | None = None) -> nbformat.NotebookNode:
    new = copy.deepcopy(cell)
    if code is not None:
        new.source = code
    if new.cell_type == "code":
        new.outputs, new.execution_count = [], None
    return new


def restore(source: nbformat.NotebookNode, submitted: nbformat.NotebookNode,
            release: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """The notebook to grade: the source's nbgrader cells, the student's code.

    Parameters
    ----------
    source : the instructor's notebook (solutions/), with hidden tests.
    submitted : the student's notebook, as read (any nbformat 4 notebook).
    release : the student version, whose stubs replace deleted solution cells.
    """
    anchors = [c for c in source.cells if notebook.grade_id(c)]
    anchor_ids = {notebook.grade_id(c) for c in anchors}
    solution_ids = {notebook.grade_id(c) for c in anchors
                    if c.cell_type == "code" and notebook.meta(c).get("solution")}
    stubs = notebook.cells_by_id(release) if release is not None else {}

    student_code: dict[str, str] = {}
    free_after: dict[str | None, list] = {None: []}
    last = None
    for cell in submitted.cells:
        gid = notebook.grade_id(cell)
        if gid in anchor_ids and gid not in student_code and gid not in free_after:
            if gid in solution_ids:
                student_code[gid] = str(cell.get("source", ""))
            free_after[gid] = []
            last = gid
        elif cell.get("cell_type") in ("code", "markdown"):
            free_after.setdefault(last, []).append(_plain(cell))

    cells = list(free_after[None])
    for anchor in anchors:
        gid = notebook.grade_id(anchor)
        if gid in solution_ids:
            code = student_code.get(gid)
            if code is None:
                code = stubs[gid].source if gid in stubs else STUB
            cells.append(_from_source(anchor, code))
        else:
            cells.append(_from_source(anchor))
        cells.extend(free_after.get(gid, []))
    restored = nbformat.v4.new_notebook(metadata=copy.deepcopy(source.metadata))
    restored.cells = cells
    return restored
