"""``autograde mutate``: how many wrong versions of each solution do its tests catch?

For every graded exercise (a solution cell whose ``grade_id`` is the function
name) the engine generates mutants of the code between the solution markers
(:mod:`autograde.mutation.operators`), runs the exercise's public and hidden
test cells on each (through the grader's Judge, :mod:`autograde.grading.trials`, in a pool of
worker processes with a time limit per mutant) and reports the mutation score:
killed / (generated - equivalent). A mutant is killed when a test cell fails
or raises, or when it overruns its time limit. Mutants that do not compile or
whose code equals the reference are dropped before they are counted.

Results are cached by content (:mod:`autograde.mutation.cache`). The pieces:
``generate`` makes the mutants, ``model`` holds the data, ``pool`` runs the
jobs, ``report`` prints them and ``command`` is the CLI; this module plans a
run and judges it.
"""

from __future__ import annotations

import ast
import itertools
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograde.config import Course
from autograde.errors import AutogradeError
from autograde.mutation import equivalent as equivalent_list
from autograde.mutation import operators
from autograde.mutation.cache import Cache, harness_digest
from autograde.mutation.generate import digest, family_counts, generate, select
from autograde.mutation.model import ExerciseReport, Mutant, MutantResult, Report
from autograde.mutation.pool import PASSED, Job, Outcome, Pool
from autograde.notebook import cells_by_id, exercise_ids, exercise_test_ids, read, solution_ids

DEFAULT_CAP = 6
MIN_TIMEOUT = 10.0
TIMEOUT_FACTOR = 20.0
REFERENCE_TIMEOUT = 600.0


@dataclass
class ExercisePlan:
    """An exercise to mutate: where it is, what its results depend on, its mutants.

    ``reference`` is the solution cell's code (no comments or docstrings);
    ``distinct`` holds every distinct mutant, ``mutants`` the ones the cap selects.
    """

    assignment: str
    notebook: Path
    name: str
    context: str
    reference: str
    distinct: list[Mutant]
    mutants: list[Mutant]

    @property
    def reference_key(self) -> str:
        return digest(self.context, "<reference>", self.reference)

    def key(self, mutant: Mutant) -> str:
        return digest(self.context, mutant.code)


def plan_notebook(assignment: str, notebook: Path, harness: str,
                  max_per_family: int | None, only: set[str] | None = None) -> list[ExercisePlan]:
    """One plan per graded exercise of ``notebook`` (``only``: just those names)."""
    nb = read(notebook)
    cells = cells_by_id(nb)
    setup = cells["setup"].source if "setup" in cells else ""
    plans = []
    for name in exercise_ids(nb):     # a question's answer is a constant: nothing to mutate
        if only and name not in only:
            continue
        try:
            tests = exercise_test_ids(nb, name)
        except KeyError:
            continue
        others = [f"{sid}\n{cells[sid].source}" for sid in solution_ids(nb) if sid != name]
        context = digest(harness, setup, *others, *(f"{t}\n{cells[t].source}" for t in tests))
        try:
            reference = ast.unparse(operators.parse(cells[name].source))
        except SyntaxError as err:
            raise AutogradeError(f"{notebook}: solution cell {name!r} does not parse: {err}") \
                from err
        distinct = generate(cells[name].source, name)
        plans.append(ExercisePlan(assignment, notebook, name, context, reference, distinct,
                                  select(distinct, max_per_family)))
    return plans


@dataclass
class Settings:
    """How to run: processes, cache folder (None: no cache), cap, limits, equivalent list."""

    workers: int = max(1, os.cpu_count() or 1)
    cache_dir: Path | None = None
    max_per_family: int | None = DEFAULT_CAP
    min_timeout: float = MIN_TIMEOUT
    equivalent_file: Path | None = None
    exercises: set[str] | None = None

    def timeout(self, reference_seconds: float) -> float:
        """A mutant's time limit: max(min_timeout, TIMEOUT_FACTOR x the reference's time)."""
        return max(self.min_timeout, TIMEOUT_FACTOR * reference_seconds)


def _run_cached(jobs: list[Job], cache: Cache, pool: Pool, progress: Callable[[str], None],
                keep: Callable[[Outcome], bool] = lambda outcome: True
                ) -> tuple[dict[str, Outcome], int]:
    """Outcomes of ``jobs`` by key, from the cache or by running them; and how many ran.

    Only outcomes for which ``keep`` is true are written to the cache.
    """
    outcomes = {job.key: hit for job in jobs if (hit := cache.get(job.key)) is not None}
    todo = [job for job in jobs if job.key not in outcomes]
    step, finished = max(1, len(todo) // 10), itertools.count(1)

    def done(job: Job, outcome: Outcome) -> None:
        outcomes[job.key] = outcome
        if keep(outcome):
            cache.put(job.key, outcome)
        count = next(finished)
        if count % step == 0 or count == len(todo):
            progress(f"  ran {count}/{len(todo)}")

    pool.run(todo, done)
    return outcomes, len(todo)


def mutate_course(course: Course, names: list[str] | None, settings: Settings,
                  progress: Callable[[str], None] = lambda line: None) -> Report:
    """Generate, run and judge the mutants of the chosen assignments' exercises."""
    begin = time.perf_counter()
    known = equivalent_list.load(settings.equivalent_file)
    harness = harness_digest()
    chosen = course.select(names)
    plans = [plan for name in chosen for notebook in course.source_notebooks(name)
             for plan in plan_notebook(name, notebook, harness, settings.max_per_family,
                                       settings.exercises)]
    unknown = (settings.exercises or set()) - {p.name for p in plans}
    if unknown:
        raise AutogradeError(f"no graded exercise {', '.join(sorted(unknown))} in "
                             f"{', '.join(chosen)}")
    cache = Cache(settings.cache_dir)
    progress(f"mutate: {len(plans)} exercises, {sum(len(p.mutants) for p in plans)} mutants")
    references = [Job(p.reference_key, str(p.notebook), p.name, None, REFERENCE_TIMEOUT)
                  for p in plans]
    with Pool(settings.workers) as pool:
        ref_outcomes, ran_refs = _run_cached(references, cache, pool, progress,
                                             keep=lambda outcome: outcome.status == PASSED)
        ok = [p for p in plans if ref_outcomes[p.reference_key].status == PASSED]
        jobs = [Job(p.key(m), str(p.notebook), p.name, m.source,
                    settings.timeout(ref_outcomes[p.reference_key].seconds))
                for p in sorted(ok, key=lambda p: -ref_outcomes[p.reference_key].seconds)
                for m in p.mutants]
        outcomes, ran = _run_cached(jobs, cache, pool, progress)
    exercises = [_judge(p, ref_outcomes[p.reference_key], outcomes, known) for p in plans]
    distinct = {(p.assignment, p.name, m.id) for p in plans for m in p.distinct}
    covered = {(p.assignment, p.name) for p in plans}
    stale = [e for key, e in known.items() if key[:2] in covered and key not in distinct]
    return Report(exercises, ran_refs + ran, len(references) + len(jobs) - ran_refs - ran,
                  time.perf_counter() - begin, stale,
                  {"workers": settings.workers, "max_per_family": settings.max_per_family,
                   "min_timeout": settings.min_timeout, "timeout_factor": TIMEOUT_FACTOR,
                   "cache_dir": str(settings.cache_dir) if settings.cache_dir else None})


def _judge(plan: ExercisePlan, reference: Outcome, outcomes: dict[str, Outcome],
           known: dict[tuple[str, str, str], equivalent_list.Equivalent]) -> ExerciseReport:
    report = ExerciseReport(plan.assignment, plan.name, totals=family_counts(plan.distinct))
    if reference.status != PASSED:
        report.error = f"the reference solution does not pass its tests ({reference.detail})"
        return report
    for mutant in plan.mutants:
        entry = known.get((plan.assignment, plan.name, mutant.id))
        report.results.append(MutantResult(mutant, outcomes[plan.key(mutant)],
                                           entry.reason if entry else ""))
    return report
