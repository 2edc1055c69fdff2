"""A headless matplotlib backend: Agg, except that ``plt.show()`` closes the figures.

In JupyterLab the inline backend displays each figure and closes it. Under plain
Agg ``plt.show()`` does nothing, so a headless run of a notebook with many plots
keeps every figure open, and past 20 matplotlib warns on stderr, a line no
student ever sees. Headless runs (``autograde validate``, the grader's worker)
use this backend instead: ``MPLBACKEND=module://autograde.mplbackend``
(``autograde.config.HEADLESS_MPLBACKEND``).

The grader's worker also wants the figures a student's cell showed (they go
into the feedback): it sets ``AUTOGRADE_KEEP_FIGURES=1``, and ``plt.show()``
then keeps each figure as a PNG in :data:`shown` before closing it.
"""

from __future__ import annotations

import io
import os

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

MAX_KEPT = 4                 # PNGs kept until the worker takes them (one cell's worth)
shown: list[bytes] = []      # figures plt.show() closed, as PNGs (AUTOGRADE_KEEP_FIGURES)


class FigureManager(FigureManagerBase):
    @classmethod
    def pyplot_show(cls, *, block=None) -> None:
        import matplotlib.pyplot as plt
        if os.environ.get("AUTOGRADE_KEEP_FIGURES"):
            for num in plt.get_fignums()[:MAX_KEPT - len(shown)]:
                buf = io.BytesIO()
                plt.figure(num).savefig(buf, format="png", dpi=60)
                shown.append(buf.getvalue())
        plt.close("all")


class FigureCanvas(FigureCanvasAgg):
    manager_class = FigureManager
