"""``autograde mutate``: how many wrong versions of each solution do its tests catch?

For every graded exercise (a solution cell whose ``grade_id`` is the function
name) the engine generates mutants of the code between the solution markers
(:mod:`autograde.mutation.operators`), runs the exercise's public and hidden
test cells on each (:func:`autograde.notebook.run_exercise`, in a pool of
worker processes with a time limit per mutant) and reports the mutation score:
killed / (generated - equivalent). A mutant is killed when a test cell fails
or raises, or when it overruns its time limit. Mutants that do not compile or
whose code equals the reference are dropped before they are counted.

Results are cached by content: the key hashes the mutant's code, the setup
cell, the other solution cells, the exercise's test cells and the sources of
``nnutils`` and of the harness, so a re-run only executes what changed.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import importlib.util
import itertools
import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograde.config import Course, find_root
from autograde.errors import AutogradeError
from autograde.mutation import equivalent as equivalent_list
from autograde.mutation import operators
from autograde.mutation.pool import CRASHED, PASSED, Job, Outcome, Pool
from autograde.notebook import cells_by_id, exercise_test_ids, read, solution_ids

ENGINE_VERSION = "2"   # 2: mutants run through the grader's Judge
DEFAULT_CAP = 6
MIN_TIMEOUT = 10.0
TIMEOUT_FACTOR = 20.0
REFERENCE_TIMEOUT = 600.0
CACHE_DIR = "build/mutation-cache"
EXIT_OK, EXIT_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


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


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _changed_lines(old: str, new: str) -> tuple[int, tuple[str, ...]]:
    """First changed line (1-based) of ``old`` and the changed lines, stripped, as -/+ lines."""
    a, b = old.splitlines(), new.splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    lines = [f"-{a[i].strip()}" for _, i1, i2, _, _ in ops for i in range(i1, i2)]
    lines += [f"+{b[j].strip()}" for _, _, _, j1, j2 in ops for j in range(j1, j2)]
    return (ops[0][1] + 1 if ops else 0), tuple(lines)


def generate(source: str, name: str, families=operators.FAMILIES) -> list[Mutant]:
    """The distinct mutants of solution cell ``source`` of exercise ``name``, in source order.

    Mutants that do not compile, whose code equals the reference's, or that
    repeat an earlier mutant are dropped.
    """
    tree = operators.parse(source)
    reference = ast.unparse(tree)
    found, ctx = operators.find_mutations(tree, source, name, families)
    unique: dict[str, Mutant] = {}
    for mutation in found:
        text, code = operators.apply(tree, source, ctx, mutation)
        mid = _digest(code)[:12]
        if code == reference or mid in unique or not _compiles(text):
            continue
        line, diff = _changed_lines(source, text)
        unique[mid] = Mutant(mid, mutation.family, mutation.label, line, diff, text, code)
    return list(unique.values())


def select(mutants: list[Mutant], max_per_family: int | None) -> list[Mutant]:
    """At most ``max_per_family`` mutants of each family (None: all), in the given order.

    A family keeps the mutants with the smallest ids: a deterministic choice
    that does not depend on where in the code the mutants are.
    """
    if not max_per_family:
        return list(mutants)
    by_family: dict[str, list[str]] = defaultdict(list)
    for mutant in mutants:
        by_family[mutant.family].append(mutant.id)
    kept = {mid for ids in by_family.values() for mid in sorted(ids)[:max_per_family]}
    return [m for m in mutants if m.id in kept]


def family_counts(mutants: list[Mutant]) -> dict[str, int]:
    """How many of ``mutants`` each operator family made."""
    counts: dict[str, int] = defaultdict(int)
    for mutant in mutants:
        counts[mutant.family] += 1
    return dict(counts)


def _compiles(text: str) -> bool:
    try:
        compile(text, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True


def _sources_digest(folder: Path) -> str:
    files = sorted(folder.rglob("*.py"))
    return _digest(*(f"{f.relative_to(folder)}\n{f.read_text(encoding='utf-8')}" for f in files))


def harness_digest() -> str:
    """Hash of the code every mutant's run depends on besides the notebook: nnutils and the
    grading engine."""
    spec = importlib.util.find_spec("nnutils")
    nnutils_dir = Path(next(iter(spec.submodule_search_locations)))
    grading_dir = Path(importlib.util.find_spec("autograde.grading").origin).parent
    notebook_py = Path(importlib.util.find_spec("autograde.notebook").origin)
    return _digest(ENGINE_VERSION, _sources_digest(nnutils_dir), _sources_digest(grading_dir),
                   notebook_py.read_text(encoding="utf-8"))


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
        return _digest(self.context, "<reference>", self.reference)

    def key(self, mutant: Mutant) -> str:
        return _digest(self.context, mutant.code)


def plan_notebook(assignment: str, notebook: Path, harness: str,
                  max_per_family: int | None, only: set[str] | None = None) -> list[ExercisePlan]:
    """One plan per graded exercise of ``notebook`` (``only``: just those names)."""
    nb = read(notebook)
    cells = cells_by_id(nb)
    setup = cells["setup"].source if "setup" in cells else ""
    plans = []
    for name in solution_ids(nb):
        if only and name not in only:
            continue
        try:
            tests = exercise_test_ids(nb, name)
        except KeyError:
            continue
        others = [f"{sid}\n{cells[sid].source}" for sid in solution_ids(nb) if sid != name]
        context = _digest(harness, setup, *others, *(f"{t}\n{cells[t].source}" for t in tests))
        try:
            reference = ast.unparse(operators.parse(cells[name].source))
        except SyntaxError as err:
            raise AutogradeError(f"{notebook}: solution cell {name!r} does not parse: {err}") \
                from err
        distinct = generate(cells[name].source, name)
        plans.append(ExercisePlan(assignment, notebook, name, context, reference, distinct,
                                  select(distinct, max_per_family)))
    return plans


class Cache:
    """Outcomes stored as JSON files named by their key; ``folder`` None disables it."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Outcome | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return Outcome(data["status"], data["detail"], float(data["seconds"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, outcome: Outcome) -> None:
        if self.folder is None or outcome.status == CRASHED:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(outcome.__dict__), encoding="utf-8")
        os.replace(tmp, path)


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


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _score(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="ASSIGNMENT",
                        help="assignments to mutate, as named in solutions/ (default: all)")
    parser.add_argument("-j", "--jobs", "--workers", dest="jobs", type=_positive_int,
                        default=max(1, os.cpu_count() or 1),
                        help="worker processes (default: the number of cores)")
    parser.add_argument("--exercise", action="append", metavar="NAME",
                        help="only this exercise (repeatable)")
    parser.add_argument("--max-per-family", type=int, default=DEFAULT_CAP, metavar="N",
                        help=f"at most N mutants per operator family and exercise, those with "
                             f"the smallest ids (default: {DEFAULT_CAP}; 0: all)")
    parser.add_argument("--timeout", type=float, default=MIN_TIMEOUT, metavar="SECONDS",
                        help=f"a mutant may run max(SECONDS, {TIMEOUT_FACTOR:g} x the "
                             f"reference's time) before it counts as killed "
                             f"(default: {MIN_TIMEOUT:g})")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help=f"where results are cached (default: ROOT/{CACHE_DIR})")
    parser.add_argument("--no-cache", action="store_true", help="run every mutant again")
    parser.add_argument("--equivalent", type=Path, default=None, metavar="FILE",
                        help="reviewed equivalent mutants "
                             "(default: solutions/equivalent_mutants.toml)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="also write the results as JSON to PATH")
    parser.add_argument("--min-score", type=_score, default=None, metavar="S",
                        help="exit with 1 when an exercise scores below S (e.g. 0.9)")
    parser.add_argument("--list-survivors", action="store_true",
                        help="print every surviving mutant with its changed lines")


DESCRIPTION = (
    "Mutation-test the graded exercises: generate small wrong versions (mutants) of each "
    "reference solution, run the exercise's public and hidden tests on every one, and report "
    "per exercise the share of mutants the tests kill. Survivors point at missing tests; "
    "mutants that cannot be killed are reviewed into solutions/equivalent_mutants.toml.")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``mutate`` command to the ``autograde`` CLI's subparsers."""
    parser = subparsers.add_parser(
        "mutate", help="mutation-test the graded exercises' tests", description=DESCRIPTION)
    _add_options(parser)
    parser.set_defaults(run=cmd_mutate)
    return parser


def settings_from(course: Course, args: argparse.Namespace) -> Settings:
    cache_dir = None if args.no_cache else (args.cache_dir or course.root / CACHE_DIR)
    return Settings(workers=args.jobs, cache_dir=cache_dir,
                    max_per_family=args.max_per_family or None, min_timeout=args.timeout,
                    equivalent_file=args.equivalent or course.equivalent_mutants,
                    exercises=set(args.exercise) if args.exercise else None)


def cmd_mutate(course: Course, args: argparse.Namespace) -> int:
    """Run ``autograde mutate``; returns the exit code."""
    from autograde.mutation import report as output

    report = mutate_course(course, args.names, settings_from(course, args),
                           progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(output.table(report))
    if args.list_survivors:
        print(output.survivors(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(output.to_json(report), indent=2) + "\n",
                             encoding="utf-8")
    if args.min_score is not None:
        low = report.below(args.min_score)
        print(output.verdict(low, args.min_score))
        return EXIT_FAILED if low else EXIT_OK
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m autograde.mutation [ASSIGNMENT ...] [options]``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="autograde mutate", description=DESCRIPTION)
    parser.add_argument("--root", type=Path, default=None,
                        help="course repository (default: the nearest folder at or above the "
                             "current one that holds solutions/)")
    _add_options(parser)
    args = parser.parse_args(argv)
    try:
        root = args.root.resolve() if args.root else find_root(Path.cwd())
        return cmd_mutate(Course(root), args)
    except AutogradeError as err:
        print(f"autograde mutate: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("autograde mutate: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
