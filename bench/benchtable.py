"""Markdown tables for the benchmarks: one writer for the scripts, one reader for the tests."""

from __future__ import annotations

import re
from typing import Sequence

_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")   # a pipe that is not escaped as \|


def _cell(value: object) -> str:
    """A value as one table cell: on one line, its pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _cells(line: str) -> list[str]:
    """The cells of one table line, unescaped."""
    inner = line.strip()[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SEPARATOR.split(inner)]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table.

    Parameters
    ----------
    headers : c column titles.
    rows : r rows of c cells each; cells are written with ``str`` on one line, any
        ``|`` in them escaped.

    Returns
    -------
    text : r + 2 lines (header, rule, rows), no trailing newline.
    """
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row {list(row)} has {len(row)} cells, expected {len(headers)}")
    lines = ["| " + " | ".join(map(_cell, headers)) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def parse_markdown_table(text: str) -> list[dict[str, str]]:
    """The first markdown table in ``text``, as one dict per row (column title -> cell).

    Parameters
    ----------
    text : any text holding a table as :func:`markdown_table` writes it.

    Returns
    -------
    rows : r dicts with the table's c column titles as keys.

    Raises
    ------
    ValueError : when there is no table, or a row has the wrong number of cells.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines[:-1])
                  if line.startswith("|") and lines[i + 1].startswith("|---")), None)
    if start is None:
        raise ValueError(f"no markdown table in:\n{text}")
    headers = _cells(lines[start])
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        if len(cells) != len(headers):
            raise ValueError(f"row {line!r} has {len(cells)} cells, expected {len(headers)}")
        rows.append(dict(zip(headers, cells)))
    return rows
