"""The data of a mutation run: mutants, what their tests did, per-exercise and run reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograde.mutation import equivalent as equivalent_list
from autograde.mutation.pool import PASSED, Outcome


@dataclass(frozen=True)
class Mutant:
    """One mutant of an exercise's solution cell.

    ``id`` hashes ``code`` (the mutated cell without comments, docstrings or
    formatting); ``line`` is the cell line where the change starts; ``diff``
    holds the changed lines as "-old" / "+new"; ``source`` is the cell to run.
    """

    id: str
    family: str
    label: str
    line: int
    diff: tuple[str, ...]
    source: str
    code: str


@dataclass(frozen=True)
class MutantResult:
    """A mutant, what its tests did, and the reviewed reason if it is listed as equivalent."""

    mutant: Mutant
    outcome: Outcome
    equivalent: str = ""

    @property
    def killed(self) -> bool:
        return self.outcome.status != PASSED


@dataclass
class ExerciseReport:
    """The mutation results of one exercise (``error``: the reference itself fails)."""

    assignment: str
    exercise: str
    results: list[MutantResult] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    error: str = ""

    @property
    def generated(self) -> int:
        return len(self.results)

    @property
    def killed(self) -> int:
        return sum(r.killed for r in self.results)

    @property
    def equivalent(self) -> int:
        return sum(bool(r.equivalent) and not r.killed for r in self.results)

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if not r.killed and not r.equivalent]

    @property
    def score(self) -> float | None:
        """killed / (generated - equivalent); None when nothing counts (or the reference fails)."""
        counted = self.generated - self.equivalent
        return None if self.error or counted == 0 else self.killed / counted


@dataclass
class Report:
    """Everything one run found, plus what it cost."""

    exercises: list[ExerciseReport]
    executed: int
    cached: int
    seconds: float
    stale_equivalents: list[equivalent_list.Equivalent]
    settings: dict

    def below(self, min_score: float) -> list[ExerciseReport]:
        """Exercises whose reference fails or whose score is under ``min_score``."""
        return [e for e in self.exercises
                if e.error or (e.score is not None and e.score < min_score)]
