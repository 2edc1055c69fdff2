"""A headless matplotlib backend: Agg, except that ``plt.show()`` closes the figures.

In JupyterLab the inline backend displays each figure and closes it. Under plain
Agg ``plt.show()`` does nothing, so a headless run of a notebook with many plots
keeps every figure open, and past 20 matplotlib warns on stderr, a line no
student ever sees. Headless runs (``autograde validate``, the grader's worker)
use this backend instead: ``MPLBACKEND=module://autograde.mplbackend``
(``autograde.config.HEADLESS_MPLBACKEND``).
"""

from __future__ import annotations

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg


class FigureManager(FigureManagerBase):
    @classmethod
    def pyplot_show(cls, *, block=None) -> None:
        import matplotlib.pyplot as plt
        plt.close("all")


class FigureCanvas(FigureCanvasAgg):
    manager_class = FigureManager
