"""``autograde demo``: the course pipeline end to end, as a list of small steps.

Each step takes the shared :class:`DemoState`, prints what it did and returns
whether it succeeded; the demo stops at the first step that fails. A new
stage (grading a sample class, say) is one more function in ``STEPS``.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
from nbconvert import HTMLExporter

from autograde.config import Course
from autograde.execute import INLINE_BACKEND, NotebookRun, run_notebook
from autograde.release import release
from autograde.report import release_report, validation_report
from autograde.validate import NotebookReport, judge_solution, validate


@dataclass
class DemoState:
    """What the steps share: the course, the chosen assignments, and their results."""

    course: Course
    names: list[str]
    echo: Callable[[str], None] = print
    jobs: int = 2
    grade_timeout: float = 120.0   # seconds per notebook
    cell_timeout: float = 10.0     # seconds per cell: the endless sample student waits this long
    reports: list[NotebookReport] = field(default_factory=list)
    runs: list[NotebookRun] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)

    @property
    def out_dir(self) -> Path:
        return self.course.build_dir / "demo"


def step_release(state: DemoState) -> bool:
    """Generate notebooks/ from solutions/."""
    begin = time.perf_counter()
    written = release(state.course, state.names)
    state.echo(release_report(state.course, written, time.perf_counter() - begin))
    return True


def step_validate(state: DemoState) -> bool:
    """Check every notebook: layout, solution, release, freshness, leaks."""
    begin = time.perf_counter()
    state.reports = validate(state.course, state.names, jobs=state.jobs, progress=state.echo)
    state.echo(validation_report(state.course, state.reports, time.perf_counter() - begin))
    return all(r.ok for r in state.reports)


def step_execute(state: DemoState) -> bool:
    """Run each solution notebook with inline plots; save it to build/demo/executed/."""
    sources = [r.source for r in state.reports]
    with ThreadPoolExecutor(max_workers=max(1, state.jobs)) as pool:
        state.runs = list(pool.map(lambda p: run_notebook(p, backend=INLINE_BACKEND), sources))
    folder = state.out_dir / "executed"
    folder.mkdir(parents=True, exist_ok=True)
    ok = True
    for run in state.runs:
        target = folder / run.path.name
        nbformat.write(run.notebook, target)
        state.outputs.append(target)
        problems, _ = judge_solution(run)
        ok = ok and not problems
        status = "ok" if not problems else f"{len(problems)} problem(s): {problems[0]}"
        state.echo(f"  {state.course.relative(target)} ({run.seconds:.1f} s): {status}")
    return ok


def step_html(state: DemoState) -> bool:
    """Export the executed notebooks as HTML into build/demo/html/."""
    folder = state.out_dir / "html"
    folder.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    for run in state.runs:
        body, _ = exporter.from_notebook_node(run.notebook)
        target = folder / (run.path.stem + ".html")
        target.write_text(body, encoding="utf-8")
        state.outputs.append(target)
        state.echo(f"  {state.course.relative(target)}")
    return True


def step_grade(state: DemoState) -> bool:
    """Grade a sample class built from the solutions, sandboxed, and write its report."""
    from autograde.grading import sample_class
    from autograde.grading.report import summary, write_report
    from autograde.grading.run import Options, grade_class
    from autograde.grading.sandbox import Limits

    folder, out = state.out_dir / "sample_class", state.out_dir / "graded"
    shutil.rmtree(folder, ignore_errors=True)
    sources = {n: state.course.source_notebook(n) for n in state.names}
    sample_class.build(folder, sources,
                       {n: state.course.release_notebook(p) for n, p in sources.items()},
                       everyone_for=set(state.names[:1]))
    results = grade_class(Options(folder, out, state.course, workers=state.jobs, force=True,
                                  limits=Limits(timeout=state.grade_timeout,
                                                cell_timeout=state.cell_timeout),
                                  progress=False))
    state.echo(summary(results))
    write_report(out)
    by_student = {(r.student_id, r.assignment): r for r in results}
    first = state.names[0]
    expected = [(("perfect", n), "full") for n in state.names] + \
        [(("blank", n), "zero") for n in state.names] + \
        [(("endless", first), "lost"), (("exits", first), "lost")]
    ok = True
    for key, score in expected:
        r = by_student.get(key)
        full = r is not None and r.score == r.max_score
        right = r is not None and r.status == "graded" and (
            full if score == "full" else not full and (score == "lost" or r.score == 0))
        ok = ok and right
        if not right:
            state.echo(f"  unexpected result for {key}: {r and (r.status, r.score)}")
    for key in (("endless", first), ("exits", first)):
        r = by_student.get(key)
        if r is not None:
            state.echo(f"  {key[0]:<8} {first}: {r.score:g} / {r.max_score:g} in "
                       f"{r.seconds:.1f} s; {len(r.incidents)} incident(s): "
                       + "; ".join(i.message for i in r.incidents))
    state.outputs += [out / "grades.csv", out / "feedback", out / "report" / "report.md"]
    return ok


STEPS: list[tuple[str, Callable[[DemoState], bool]]] = [
    ("release", step_release),
    ("validate", step_validate),
    ("execute", step_execute),
    ("html", step_html),
    ("grade", step_grade),
]


def demo(state: DemoState) -> bool:
    """Run the steps in order; stop at the first that fails. True when all succeeded."""
    begin = time.perf_counter()
    for title, step in STEPS:
        state.echo(f"\n== {title}: {step.__doc__.splitlines()[0]}")
        started = time.perf_counter()
        ok = step(state)
        state.echo(f"== {title} {'done' if ok else 'FAILED'} in "
                   f"{time.perf_counter() - started:.1f} s")
        if not ok:
            state.echo(f"\ndemo stopped: the {title} step failed (see above)")
            return False
    state.echo(f"\ndemo finished in {time.perf_counter() - begin:.1f} s. Open:")
    for name in ("executed/", "html/", "sample_class/", "graded/grades.csv",
                 "graded/feedback/", "graded/report/report.md"):
        state.echo(f"  {state.course.relative(state.out_dir)}/{name}")
    state.echo(f"  {state.course.relative(state.course.release_dir)}/ (student notebooks)")
    return True
