"""Find solution or hidden-test text that reached a student notebook.

nbgrader removes what lies between the ``BEGIN``/``END`` markers, so text
leaks when an author also writes it outside them (a hint in a prompt, a
hidden check pasted into a public test) or puts a marker where nbgrader does
not look. A release leaks when it contains a marker, or a line that the
source has inside a solution or hidden-test region. Two kinds of lines do
not count: trivial ones, shorter than ``MIN_SECRET_CHARS`` (``else:``) or made
of names and punctuation only (``grads = call(backward, params, cache, Y)``,
``return params, history``), which any reader could write; and lines that
the source also shows in the visible part of a test cell (tests share their
set-up with each other and loop headers with the solution by design, and the
student reads them there anyway).
"""

from __future__ import annotations

import re

import nbformat

from autograde.layout import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, cell_label
from autograde.notebook import meta

MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
MIN_SECRET_CHARS = 20
_NAME = re.compile(r"[A-Za-z_]\w*")
_PUNCTUATION = set(" .,:=()[]{}")


def region_lines(source: str, begin: str, end: str) -> list[str]:
    """Stripped lines strictly between ``begin`` and ``end`` marker lines."""
    inside, lines = False, []
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def visible_lines(source: str) -> list[str]:
    """Stripped lines outside every solution and hidden-test region (markers excluded)."""
    inside, lines = False, []
    for line in source.splitlines():
        if BEGIN_SOLUTION in line or BEGIN_HIDDEN in line:
            inside = True
        elif END_SOLUTION in line or END_HIDDEN in line:
            inside = False
        elif not inside and line.strip():
            lines.append(line.strip())
    return lines


def is_trivial(line: str) -> bool:
    """True for short lines and for lines of names and punctuation only (no values)."""
    return len(line) < MIN_SECRET_CHARS or set(_NAME.sub("", line)) <= _PUNCTUATION


def secret_lines(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """Lines of the source that a student must not see -> where the source keeps each.

    Parameters
    ----------
    source_nb : the solution notebook.

    Returns
    -------
    dict mapping each non-trivial line of a solution or hidden-test region that no
    test cell shows anyway to a description of its cell.
    """
    public = {line for cell in source_nb.cells if meta(cell).get("grade")
              for line in visible_lines(cell.source)}
    secrets: dict[str, str] = {}
    for index, cell in enumerate(source_nb.cells):
        label = cell_label(source_nb, index)
        for begin, end, kind in ((BEGIN_SOLUTION, END_SOLUTION, "the solution in"),
                                 (BEGIN_HIDDEN, END_HIDDEN, "the hidden tests in")):
            for line in region_lines(cell.source, begin, end):
                if not is_trivial(line) and line not in public:
                    secrets.setdefault(line, f"{kind} {label}")
    return secrets


def find_leaks(source_nb: nbformat.NotebookNode,
               release_nb: nbformat.NotebookNode) -> list[str]:
    """What of the source's secrets the release shows, one message per leaking line.

    Parameters
    ----------
    source_nb : the solution notebook (solutions/).
    release_nb : its student version (notebooks/).

    Returns
    -------
    Messages naming the release cell, the leaked text and where the source keeps it.
    """
    secrets = secret_lines(source_nb)
    leaks = []
    for index, cell in enumerate(release_nb.cells):
        label = cell_label(release_nb, index)
        for marker in MARKERS:
            if marker in cell.source:
                leaks.append(f"{label} of the release contains the marker {marker!r}")
        for line in dict.fromkeys(s.strip() for s in cell.source.splitlines()):
            if line in secrets:
                leaks.append(f"{label} of the release shows {line!r}, which is part of "
                             f"{secrets[line]}: remove it from the visible text")
    return leaks
