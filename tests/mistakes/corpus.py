"""What every notebook's mistakes corpus shares: running a variant, naming it, the release stub.

A corpus file binds these to its notebook, e.g.
``_outcomes = functools.partial(corpus.outcomes, NOTEBOOK)``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from autograde.notebook import cells_by_id, read, run_exercise


@functools.lru_cache(maxsize=None)
def outcomes(notebook: Path, exercise: str, source: str | None):
    """The test cells' outcomes for ``exercise`` with its solution replaced by ``source``
    (None: the reference), cached because several tests ask about the same variant."""
    return run_exercise(notebook, exercise, replacement=source)


def ids(variants) -> list[str]:
    """pytest ids "exercise-variant_id" for a list of variants."""
    return [f"{v.exercise}-{v.id}" for v in variants]


def release_stub(notebook: Path, exercise: str) -> str:
    """The solution cell as the release shows it: signature, docstring, NotImplementedError."""
    source = cells_by_id(read(notebook))[exercise].source
    head = source.split("### BEGIN SOLUTION")[0].rstrip()
    return head + "\n    raise NotImplementedError()\n"
