"""The student's figures come back: the autograded notebook and the feedback show what the
student's cells drew, as PNGs checked and capped by the grader."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import nbformat

from autograde.grading.feedback import FeedbackWriter
from autograde.grading.judge import FIGURES_KB, PNG, Judge
from autograde.grading.result import GradeResult
from autograde.grading.sandbox import FIGURES_PER_NOTEBOOK, Limits

from .conftest import source

LIMITS = Limits(timeout=60, cell_timeout=30, memory_mb=1024)
PLOT = ("import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\nax.plot([1, 4, 9])\nax.set_title('my squares')\n")


def judged(nb, tmp_path: Path):
    return Judge(nb, tmp_path, LIMITS, "none").run()


def test_a_students_plot_is_kept_in_the_notebook_and_the_feedback(tmp_path):
    nb = copy.deepcopy(source())
    nb.cells.insert(5, nbformat.v4.new_code_cell(PLOT + "plt.show()\n"))
    result = judged(nb, tmp_path)
    assert result.score == 6
    images = [o for o in result.notebook.cells[5].outputs if o.output_type == "display_data"]
    assert len(images) == 1
    png = base64.b64decode(images[0].data["image/png"])
    assert png.startswith(PNG) and 1000 < len(png) < 256_000
    others = [o for i, c in enumerate(result.notebook.cells) if i != 5 and c.cell_type == "code"
              for o in c.outputs if o.output_type == "display_data"]
    assert others == [], "a figure is shown once, under the cell that drew it"
    html = FeedbackWriter().html(result.notebook, GradeResult("ann", "00_tiny", "graded",
                                                              tests=result.tests))
    assert "data:image/png;base64," in html


def test_only_pngs_within_the_cap_are_kept(tmp_path):
    judge = Judge(copy.deepcopy(source()), tmp_path, LIMITS, "none")
    png = PNG + b"\0" * 1000
    assert len(judge._figures([b"<script>alert(1)</script>", png])) == 1
    big = PNG + b"\0" * (FIGURES_KB * 1024)
    assert judge._figures([big]) == []


def test_a_notebook_keeps_its_first_figures_only(tmp_path):
    """Rendering costs time: the first FIGURES_PER_NOTEBOOK are kept, at most 4 a cell."""
    nb = copy.deepcopy(source())
    for _ in range(3):
        nb.cells.insert(5, nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nfor k in range(5):\n"
            "    plt.figure(); plt.plot([k, 1])\n    plt.show()\n"))
    result = judged(nb, tmp_path)
    kept = [sum(o.output_type == "display_data" for o in result.notebook.cells[i].outputs)
            for i in (5, 6, 7)]
    assert kept == [4, FIGURES_PER_NOTEBOOK - 4, 0], kept
    assert result.score == 6
