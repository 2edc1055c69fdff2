"""Demo comments that cannot drift: a ``# -> TEXT`` comment must match what its cell
printed in the executed solution notebook (autograde.validate.demo_comment_problems)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograde.execute import CellResult, NotebookRun
from autograde.validate import demo_comment_problems, judge_solution


def executed(*cells: tuple[str, list]) -> NotebookRun:
    """A NotebookRun of code cells (source, outputs) after a markdown title, all run."""
    nb = new_notebook(cells=[new_markdown_cell("# Title: print(x)  # -> not judged")])
    for source, outputs in cells:
        nb.cells.append(new_code_cell(source, outputs=outputs))
    return NotebookRun(path=Path("demo.ipynb"), notebook=nb,
                       cells={i: CellResult(index=i, grade_id=None, graded=False)
                              for i in range(1, len(nb.cells))})


def stdout(text: str) -> dict:
    return new_output("stream", name="stdout", text=text)


def result(text: str) -> dict:
    return new_output("execute_result", data={"text/plain": text}, execution_count=1)


def test_a_right_comment_passes():
    run = executed(("print(8 * 8, '=', 64)  # -> 64 = 64", [stdout("64 = 64\n")]),
                   ("2 + 2  # -> 4", [result("4")]))
    assert demo_comment_problems(run) == []
    assert judge_solution(run) == ([], [])


def test_a_wrong_comment_is_reported_with_what_the_cell_printed():
    run = executed(("x = 8\nprint('ready')\nprint(x * x, '=', 64)  # -> 72 = 72",
                    [stdout("ready\n64 = 64\n")]))
    message = ("cell 2 ('x = 8'): the comment says `# -> 72 = 72` but the cell printed "
               "`64 = 64`: fix the comment, or print the expectation with code")
    assert demo_comment_problems(run) == [message]
    assert judge_solution(run) == ([message], [])


def test_whitespace_differences_pass_on_both_sides():
    printed = "[[9. 6.]\n [6. 4.]]\n"
    run = executed(("print(m)  # -> [[9.  6.]   [6. 4.]]", [stdout(printed)]),
                   ("print(m)  # -> [[9. 6.] [6. 4.]]   ", [stdout("  " + printed)]),
                   ("m  # -> array([[9., 6.], [6., 4.]])",
                    [result("array([[9., 6.],\n       [6., 4.]])")]))
    assert demo_comment_problems(run) == []


def test_only_whitespace_is_forgiven():
    run = executed(("m  # -> [[9. 6.] [6. 4.]]", [result("array([[9., 6.],\n       [6., 4.]])")]))
    assert len(demo_comment_problems(run)) == 1   # the repr shows "9., 6.", not "9. 6."


def test_a_wrong_matrix_shows_the_printed_lines_joined():
    run = executed(("print(m)  # -> [[4. 6.] [6. 9.]]", [stdout("m:\n[[9. 6.]\n [6. 4.]]\n")]))
    (problem,) = demo_comment_problems(run)
    assert "but the cell printed `[[9. 6.] [6. 4.]]`" in problem


def test_a_cell_with_no_output_is_reported():
    run = executed(("y = f(x)  # -> 3", []))
    assert demo_comment_problems(run) == [
        "cell 2 ('y = f(x)  # -> 3'): the comment says `# -> 3` but the cell printed "
        "nothing: fix the comment, or print the expectation with code"]


def test_stderr_and_plots_do_not_count_as_printed():
    run = executed(("warn()  # -> careful", [new_output("stream", name="stderr",
                                                        text="careful\n"),
                                             new_output("display_data",
                                                        data={"text/plain": "careful"})]))
    assert len(demo_comment_problems(run)) == 1


def test_cells_that_did_not_run_are_not_judged():
    run = executed(("print(1)  # -> 2", []))
    run.cells.clear()
    assert demo_comment_problems(run) == []


def test_ordinary_comments_and_arrows_are_not_demo_comments():
    run = executed(("x = 1  # maps a -> b\ny = 2  #-> 3\n", []))
    assert demo_comment_problems(run) == []


def test_every_comment_of_a_cell_is_judged():
    run = executed(("print(1)  # -> 1\nprint(2)  # -> 3", [stdout("1\n2\n")]))
    assert [p.split(": ", 1)[1] for p in demo_comment_problems(run)] == [
        "the comment says `# -> 3` but the cell printed `2`: fix the comment, or print "
        "the expectation with code"]


def test_nbformat_accepts_the_fixture():
    nbformat.validate(executed(("print(1)  # -> 1", [stdout("1\n")])).notebook)
