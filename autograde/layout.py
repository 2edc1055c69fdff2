"""Check that a source notebook follows docs/authoring.md before anything is released.

The release, the grader and the mistakes corpus rely on the layout: one
solution cell per exercise (``grade_id`` = the function name) with its body
between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, then a locked public
test cell ``test_NAME`` and a locked hidden test cell ``hidden_NAME`` whose
hidden part sits between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``.
Each function below checks one rule and returns messages that say where the
problem is and how to fix it; :func:`layout_problems` runs them all.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable

import nbformat

from autograde.notebook import grade_id, is_question, meta, solution_ids

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
KERNEL_NAME = "python3"
MAX_MARKDOWN_WORDS = 250  # words of one markdown cell: a student reads it at a glance


def cell_label(nb: nbformat.NotebookNode, index: int) -> str:
    """How messages name a cell: its grade_id, else its number and first line."""
    cell = nb.cells[index]
    gid = grade_id(cell)
    if gid:
        return repr(gid)
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"cell {index + 1} ({first!r})" if first else f"cell {index + 1}"


def has_region(source: str, begin: str, end: str) -> bool:
    """True when ``source`` has a line with ``begin`` followed later by a line with ``end``."""
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines) if begin in line]
    ends = [i for i, line in enumerate(lines) if end in line]
    return bool(starts) and bool(ends) and starts[0] < ends[-1]


def check_kernel(nb: nbformat.NotebookNode) -> list[str]:
    name = nb.metadata.get("kernelspec", {}).get("name")
    if name == KERNEL_NAME:
        return []
    return [f"notebook kernelspec is {name!r}: set metadata.kernelspec.name to "
            f"{KERNEL_NAME!r} (the course kernel)"]


def check_grade_ids(nb: nbformat.NotebookNode) -> list[str]:
    """Every nbgrader cell has a grade_id, and no two cells share one."""
    where = defaultdict(list)
    problems = []
    for index, cell in enumerate(nb.cells):
        if grade_id(cell):
            where[grade_id(cell)].append(str(index + 1))
        elif meta(cell):
            problems.append(f"cell {index + 1} has nbgrader metadata but no grade_id: "
                            f"give it one")
    return problems + [f"grade_id {gid!r} is used by cells {', '.join(cells)}: give every "
                       f"nbgrader cell its own grade_id"
                       for gid, cells in where.items() if len(cells) > 1]


def check_setup(nb: nbformat.NotebookNode) -> list[str]:
    setup = [c for c in nb.cells if grade_id(c) == "setup"]
    if setup and setup[0].cell_type == "code" and meta(setup[0]).get("locked"):
        return []
    return ["no locked code cell with grade_id 'setup': add one holding the imports"]


def check_solution_cells(nb: nbformat.NotebookNode) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells):
        if not (meta(cell).get("solution") and grade_id(cell)):
            continue
        label = cell_label(nb, index)
        if cell.cell_type != "code":
            problems.append(f"solution cell {label} is markdown: the course grades code only; "
                            f"make it a code cell or drop solution: true")
        elif not has_region(cell.source, BEGIN_SOLUTION, END_SOLUTION):
            problems.append(f"solution cell {label} has no ### {BEGIN_SOLUTION} / ### "
                            f"{END_SOLUTION} region: put the function body between them so "
                            f"the release keeps the signature and docstring")
        if meta(cell).get("grade"):
            problems.append(f"solution cell {label} has grade: true: set it to false; the "
                            f"points belong to its test cells")
    return problems


def check_exercise_tests(nb: nbformat.NotebookNode) -> list[str]:
    """Every solution cell NAME is followed by test_NAME and then hidden_NAME; a question
    ``q_NAME`` by hidden_q_NAME only (a public test of an answer would give it away)."""
    position: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        position.setdefault(grade_id(cell), index)
    problems = []
    for name in solution_ids(nb):
        previous = name
        tests = [(f"test_{name}", "public"), (f"hidden_{name}", "hidden")]
        if is_question(name):
            if f"test_{name}" in position:
                problems.append(f"question {name!r} has a public test cell test_{name!r}: a "
                                f"public check of an answer gives it away; grade it in "
                                f"hidden_{name} only")
            tests = tests[1:]
        for test_id, kind in tests:
            if test_id not in position:
                problems.append(f"exercise {name!r} has no {kind} test cell {test_id!r}: add "
                                f"it after {previous!r} (docs/authoring.md)")
                continue
            if position[test_id] < position[previous]:
                problems.append(f"test cell {test_id!r} comes before {previous!r}: move it "
                                f"after {previous!r}")
            previous = test_id
    return problems


def check_graded_cells(nb: nbformat.NotebookNode) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells):
        info = meta(cell)
        if not info.get("grade") or info.get("solution"):
            continue
        label = cell_label(nb, index)
        if cell.cell_type != "code":
            problems.append(f"graded cell {label} is markdown: the course grades "
                            f"automatically; make it a code test cell")
        if not info.get("locked"):
            problems.append(f"test cell {label} is not locked: set locked: true so students "
                            f"cannot edit it")
        points = info.get("points")
        if not isinstance(points, (int, float)) or points <= 0:
            problems.append(f"test cell {label} has points {points!r}: give it points > 0")
    return problems


def check_hidden_cells(nb: nbformat.NotebookNode) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells):
        gid = grade_id(cell) or ""
        if gid.startswith("hidden_") and not has_region(cell.source, BEGIN_HIDDEN, END_HIDDEN):
            problems.append(f"hidden test cell {cell_label(nb, index)} has no ### "
                            f"{BEGIN_HIDDEN} / ### {END_HIDDEN} region: put its hidden "
                            f"checks between them, or students see them")
    return problems


def check_markers_placed(nb: nbformat.NotebookNode) -> list[str]:
    """Solution markers only in solution cells, hidden-test markers only in hidden_ cells."""
    problems = []
    for index, cell in enumerate(nb.cells):
        info, gid = meta(cell), grade_id(cell) or ""
        label = cell_label(nb, index)
        if not info.get("solution") and (BEGIN_SOLUTION in cell.source
                                         or END_SOLUTION in cell.source):
            problems.append(f"{label} holds a SOLUTION marker but is not a solution cell: "
                            f"move the solution into the exercise's solution cell")
        if not gid.startswith("hidden_") and (BEGIN_HIDDEN in cell.source
                                              or END_HIDDEN in cell.source):
            problems.append(f"{label} holds a HIDDEN TESTS marker but is not a hidden_NAME "
                            f"cell: move the hidden tests into the exercise's hidden cell")
    return problems


def check_markdown_length(nb: nbformat.NotebookNode) -> list[str]:
    """No markdown cell longer than MAX_MARKDOWN_WORDS words (whitespace-separated)."""
    problems = []
    for index, cell in enumerate(nb.cells):
        words = len(cell.source.split())
        if cell.cell_type == "markdown" and words > MAX_MARKDOWN_WORDS:
            problems.append(f"markdown {cell_label(nb, index)} has {words} words, more than "
                            f"{MAX_MARKDOWN_WORDS}: split it into cells, or move detail into "
                            f"a collapsed <details> hint in a cell of its own")
    return problems


RULES: list[Callable[[nbformat.NotebookNode], list[str]]] = [
    check_kernel,
    check_grade_ids,
    check_setup,
    check_solution_cells,
    check_exercise_tests,
    check_graded_cells,
    check_hidden_cells,
    check_markers_placed,
    check_markdown_length,
]


def layout_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Every way ``nb`` breaks docs/authoring.md, one message each (empty when it follows it)."""
    return [problem for rule in RULES for problem in rule(nb)]
