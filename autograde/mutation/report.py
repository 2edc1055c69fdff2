"""Text and JSON output of ``autograde mutate``."""

from __future__ import annotations

from autograde.mutation.model import ExerciseReport, MutantResult, Report

COLUMNS = ("generated", "killed", "equiv", "survived", "score")


def _score(exercise: ExerciseReport) -> str:
    if exercise.error:
        return "ERROR"
    return "-" if exercise.score is None else f"{exercise.score:.2f}"


def table(report: Report) -> str:
    """One row per exercise, grouped by assignment, then totals and what the run cost."""
    width = max([len(e.exercise) for e in report.exercises] + [8])
    head = f"  {'exercise':<{width}}  " + "  ".join(f"{c:>9}" for c in COLUMNS)
    lines: list[str] = []
    for assignment in dict.fromkeys(e.assignment for e in report.exercises):
        lines += ["", assignment, head]
        for e in (e for e in report.exercises if e.assignment == assignment):
            cells = (e.generated, e.killed, e.equivalent, len(e.survivors), _score(e))
            lines.append(f"  {e.exercise:<{width}}  " + "  ".join(f"{c:>9}" for c in cells))
            if e.error:
                lines.append(f"    {e.error}")
    generated = sum(e.generated for e in report.exercises)
    killed = sum(e.killed for e in report.exercises)
    survived = sum(len(e.survivors) for e in report.exercises)
    distinct = sum(sum(e.totals.values()) for e in report.exercises)
    cap = report.settings.get("max_per_family")
    lines += ["", f"{len(report.exercises)} exercises, {generated} mutants: {killed} killed, "
                  f"{survived} survived; {report.executed} executed, {report.cached} cached, "
                  f"{report.seconds:.1f} s"]
    if cap and distinct > generated:
        lines.append(f"(cap: {cap} mutants per operator family and exercise; {generated} of "
                     f"{distinct} distinct mutants run)")
    lines += [f"warning: {w}" for w in warnings(report)]
    return "\n".join(lines).lstrip("\n")


def warnings(report: Report) -> list[str]:
    """Equivalent-list entries to review: listed but killed, or matching no mutant any more."""
    found = [f"{e.assignment}/{e.exercise} mutant {r.mutant.id} is listed as equivalent but "
             f"was killed ({r.outcome.detail}); remove it from the list"
             for e in report.exercises for r in e.results if r.equivalent and r.killed]
    found += [f"{s.assignment}/{s.exercise} mutant {s.id} in the equivalent list matches no "
              f"mutant any more (the code changed?); review or remove it"
              for s in report.stale_equivalents]
    return found


def describe(result: MutantResult) -> list[str]:
    """A survivor in a few lines: id, family, label, cell line, then the changed lines."""
    m = result.mutant
    return [f"  [{m.id}] {m.family}: {m.label} (cell line {m.line})",
            *(f"      {line}" for line in m.diff)]


def survivors(report: Report) -> str:
    """Every surviving mutant, grouped by exercise."""
    lines = []
    for e in report.exercises:
        if e.survivors:
            lines.append(f"{e.assignment}/{e.exercise}: {len(e.survivors)} surviving mutant(s)")
            for result in e.survivors:
                lines += describe(result)
    return "\n".join(lines) if lines else "no surviving mutants"


def verdict(low: list[ExerciseReport], min_score: float) -> str:
    """The --min-score line: which exercises are below it, and their survivors."""
    if not low:
        return f"every exercise scores at least {min_score:.2f}"
    lines = [f"{len(low)} exercise(s) below the minimum score {min_score:.2f}:"]
    for e in low:
        lines.append(f"{e.assignment}/{e.exercise}: {e.error or f'score {e.score:.2f}'}")
        for result in e.survivors:
            lines += describe(result)
    return "\n".join(lines)


def _result_json(result: MutantResult) -> dict:
    m = result.mutant
    return {"id": m.id, "family": m.family, "label": m.label, "line": m.line,
            "diff": list(m.diff), "status": result.outcome.status,
            "detail": result.outcome.detail, "seconds": round(result.outcome.seconds, 4),
            "equivalent": result.equivalent or None}


def to_json(report: Report) -> dict:
    """The whole report as plain data, for machines."""
    return {
        "exercises": [{
            "assignment": e.assignment, "exercise": e.exercise, "generated": e.generated,
            "killed": e.killed, "equivalent": e.equivalent, "survived": len(e.survivors),
            "score": e.score, "error": e.error or None, "families_before_cap": e.totals,
            "mutants": [_result_json(r) for r in e.results],
        } for e in report.exercises],
        "executed": report.executed,
        "cached": report.cached,
        "seconds": round(report.seconds, 3),
        "warnings": warnings(report),
        "settings": report.settings,
    }
