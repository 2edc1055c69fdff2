"""The ``autograde`` command: release, validate, demo, grade, report and mutate.

Exit codes: 0 success, 1 a check failed, 2 the command could not run
(a problem in the course or in the command line; the message says what to do),
130 interrupted. The pipeline (nbgrader, nbclient) is imported only when a
command runs, so that ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograde.argtypes import positive
from autograde.config import Course, find_root
from autograde.errors import AutogradeError, LayoutError
from autograde.grading.commands import add_parsers as add_grading_parsers
from autograde.mutation.command import add_parser as add_mutate_parser
from autograde.nbgrader_config import CELL_TIMEOUT

EXIT_OK, EXIT_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

NAMES_HELP = "assignments to work on, as named in solutions/ (default: all of them)"


def cmd_release(course: Course, args: argparse.Namespace) -> int:
    from autograde.release import release
    from autograde.report import release_report

    begin = time.perf_counter()
    written = release(course, course.select(args.names))
    print(release_report(course, written, time.perf_counter() - begin))
    return EXIT_OK


def cmd_validate(course: Course, args: argparse.Namespace) -> int:
    from autograde.report import validation_report
    from autograde.validate import validate

    begin = time.perf_counter()
    names = course.select(args.names)
    print(f"validating {', '.join(names)} with {args.jobs} worker(s)...", flush=True)
    reports = validate(course, names, jobs=args.jobs, timeout=args.timeout,
                       progress=lambda line: print(line, flush=True))
    print(validation_report(course, reports, time.perf_counter() - begin))
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED


def cmd_demo(course: Course, args: argparse.Namespace) -> int:
    from autograde.demo import DemoState, demo

    state = DemoState(course, course.select(args.names), jobs=args.jobs,
                      grade_timeout=args.grade_timeout, cell_timeout=args.cell_timeout,
                      echo=lambda line: print(line, flush=True))
    return EXIT_OK if demo(state) else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograde",
        description="Release, validate and demo the course's nbgrader notebooks. "
                    "solutions/NAME/NAME.ipynb is the source; notebooks/ is generated.",
    )
    parser.add_argument("--root", type=Path, default=None,
                        help="course repository (default: the nearest folder at or above the "
                             "current one that holds solutions/)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rel = sub.add_parser(
        "release", help="generate the student notebooks in notebooks/ with nbgrader",
        description="Check the source notebooks against docs/authoring.md, then run nbgrader "
                    "generate_assignment from solutions/NAME into notebooks/NAME. Files are "
                    "rewritten only when their bytes change; the output is deterministic.")
    rel.add_argument("names", nargs="*", metavar="NAME", help=NAMES_HELP)
    rel.set_defaults(run=cmd_release)

    val = sub.add_parser(
        "validate", help="check that solutions pass, releases fail, and nothing leaks",
        description="For every source notebook: layout follows docs/authoring.md; the "
                    "solution runs headless with every graded cell passing and no stderr; the "
                    "committed release runs with every graded cell failing with "
                    "NotImplementedError; notebooks/ equals a fresh release; no solution or "
                    "hidden test text leaked. Exits 1 and says what to fix when a check fails.")
    val.add_argument("names", nargs="*", metavar="NAME", help=NAMES_HELP)
    val.add_argument("--timeout", type=positive(int), default=CELL_TIMEOUT,
                     help=f"seconds one cell may run (default: {CELL_TIMEOUT})")
    val.set_defaults(run=cmd_validate)

    dem = sub.add_parser(
        "demo", help="release, validate, then execute the solutions into build/demo/",
        description="Release and validate the course, execute every solution notebook with its "
                    "plots into build/demo/executed/ and export it as HTML into "
                    "build/demo/html/.")
    dem.add_argument("names", nargs="*", metavar="NAME", help=NAMES_HELP)
    dem.add_argument("--grade-timeout", type=float, default=120.0,
                     help="seconds one sample notebook may run when grading (default: 120)")
    dem.add_argument("--cell-timeout", type=float, default=10.0,
                     help="seconds one cell may run when grading: the sample students with an "
                          "endless loop wait this long (default: 10)")
    dem.set_defaults(run=cmd_demo)

    add_grading_parsers(sub)
    add_mutate_parser(sub)

    for command in (val, dem):
        command.add_argument("-j", "--jobs", type=positive(int), default=2,
                             help="notebooks executed at the same time (default: 2)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``autograde`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        root = args.root.resolve() if args.root else find_root(Path.cwd())
        return args.run(Course(root), args)
    except LayoutError as err:
        print(f"autograde {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILED
    except AutogradeError as err:
        print(f"autograde {args.command}: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"autograde {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
