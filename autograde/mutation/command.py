"""The ``autograde mutate`` command (and ``python -m autograde.mutation``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from autograde.argtypes import fraction, positive
from autograde.config import Course, find_root
from autograde.errors import AutogradeError
from autograde.mutation import report as output
from autograde.mutation.cache import CACHE_DIR
from autograde.mutation.engine import (
    DEFAULT_CAP,
    MIN_TIMEOUT,
    TIMEOUT_FACTOR,
    Settings,
    mutate_course,
)

EXIT_OK, EXIT_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="ASSIGNMENT",
                        help="assignments to mutate, as named in solutions/ (default: all)")
    parser.add_argument("-j", "--jobs", "--workers", dest="jobs", type=positive(int),
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
    parser.add_argument("--min-score", type=fraction, default=None, metavar="S",
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
