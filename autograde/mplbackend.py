"""A headless matplotlib backend: Agg, except that ``plt.show()`` closes the figures.

In JupyterLab the inline backend displays each figure and closes it. Under plain
Agg ``plt.show()`` does nothing, so a headless run of a notebook with many plots
keeps every figure open, and past 20 matplotlib warns on stderr, a line no
student ever sees. Headless runs (``autograde validate``, the grader's worker)
use this backend instead: ``MPLBACKEND=module://autograde.mplbackend``
(``autograde.config.HEADLESS_MPLBACKEND``).

The grader's worker also wants the figures a student's cell showed (they go
into the feedback): it sets ``AUTOGRADE_KEEP_FIGURES=N``, and ``plt.show()``
then keeps each of the first N figures as a PNG before closing it; the worker
collects them after each cell with :func:`take`.
"""

from __future__ import annotations

import io
import os

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

from autograde.config import FIGURES_PER_CELL

# Figures still to keep in this process: rendering one costs about 0.1 s, so a notebook's
# first few are kept (AUTOGRADE_KEEP_FIGURES=N; unset: none, as in validate runs).
budget = int(os.environ.get("AUTOGRADE_KEEP_FIGURES") or 0)
shown: list[bytes] = []      # PNGs of the figures plt.show() closed, until take()


def _keep_open_figures() -> None:
    global budget
    import matplotlib.pyplot as plt
    for num in plt.get_fignums():
        if budget > 0 and len(shown) < FIGURES_PER_CELL:
            buf = io.BytesIO()
            plt.figure(num).savefig(buf, format="png", dpi=60)
            shown.append(buf.getvalue())
            budget -= 1
    plt.close("all")


def take() -> list[bytes]:
    """The PNGs of the figures the last cell showed or left open (then closed)."""
    try:
        _keep_open_figures()
    except Exception:   # a broken figure of the student's: no picture
        import matplotlib.pyplot as plt
        plt.close("all")
    pngs = shown[:]
    shown.clear()
    return pngs


class FigureManager(FigureManagerBase):
    @classmethod
    def pyplot_show(cls, *, block=None) -> None:
        _keep_open_figures()


class FigureCanvas(FigureCanvasAgg):
    manager_class = FigureManager
