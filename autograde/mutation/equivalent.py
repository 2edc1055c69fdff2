"""The reviewed list of equivalent mutants (solutions/equivalent_mutants.toml).

A mutant is equivalent when no test could kill it: the mutated code computes
the same thing as the reference (``x.T`` of a 1-D array, ``axis=`` removed
where the default is that axis, ...). Such mutants are listed by hand, each
with a one-sentence reason, and do not count against an exercise's score::

    [[equivalent]]
    assignment = "01_perceptron"
    exercise = "weighted_sum"
    id = "3f2a9c1b7d4e"                       # the mutant id the report prints
    change = "w -> w.T"                       # optional: what the mutant changes
    reason = "w is 1-D, and .T of a 1-D array is the array itself."

The id hashes the mutated cell's code (comments, docstrings and formatting
aside), so an entry goes stale when the exercise's code changes; the report
lists stale entries so that they can be reviewed again or removed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from autograde.errors import AutogradeError

REQUIRED = ("assignment", "exercise", "id", "reason")
OPTIONAL = ("change",)


@dataclass(frozen=True)
class Equivalent:
    """One reviewed equivalent mutant."""

    assignment: str
    exercise: str
    id: str
    reason: str
    change: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.assignment, self.exercise, self.id


def load(path: Path | None) -> dict[tuple[str, str, str], Equivalent]:
    """The entries of the list at ``path`` keyed by (assignment, exercise, id); {} if absent."""
    if path is None or not Path(path).exists():
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise AutogradeError(f"{path} is not valid TOML: {err}") from err
    unknown_tables = set(data) - {"equivalent"}
    if unknown_tables:
        raise AutogradeError(f"{path}: unknown tables {sorted(unknown_tables)}; "
                             f"list mutants as [[equivalent]] entries")
    entries: dict[tuple[str, str, str], Equivalent] = {}
    for number, raw in enumerate(data.get("equivalent", []), start=1):
        entry = _entry(path, number, raw)
        if entry.key in entries:
            raise AutogradeError(f"{path}: entry {number} repeats mutant {entry.id} of "
                                 f"{entry.assignment}/{entry.exercise}")
        entries[entry.key] = entry
    return entries


def _entry(path: Path, number: int, raw: dict) -> Equivalent:
    where = f"{path}: [[equivalent]] entry {number}"
    missing = [k for k in REQUIRED if not str(raw.get(k, "")).strip()]
    if missing:
        raise AutogradeError(f"{where} lacks {', '.join(missing)} (each entry needs "
                             f"{', '.join(REQUIRED)}; the reason is one sentence)")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise AutogradeError(f"{where} has unknown keys {unknown}")
    return Equivalent(**{k: str(v).strip() for k, v in raw.items()})
