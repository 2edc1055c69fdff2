"""nnutils: the helper library every course notebook imports.

- ``nnutils.data``: data sets that ship with the course (offline).
- ``nnutils.checks``: assertion helpers the graded tests call.
- ``nnutils.plots``: the plots the notebooks draw.
- ``nnutils.gradcheck``: numerical gradients and relative errors.
- ``nnutils.widgets``: interactive explorers, with a static figure for headless runs.
"""

__version__ = "0.1.0"
