"""The `autograde grade` and `autograde report` subcommands."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from autograde.argtypes import fraction, positive
from autograde.config import Course
from autograde.errors import AutogradeError
from autograde.grading.layouts import LAYOUTS

EXIT_OK = 0
EXIT_NOT_READY = 1


def cmd_grade(course: Course, args: argparse.Namespace) -> int:
    from autograde.grading.report import summary
    from autograde.grading.run import Options, grade_class  # heavy: only when grading
    from autograde.grading.sandbox import Limits
    if not (args.submissions.is_dir() or (args.submissions.is_file()
                                          and args.submissions.suffix.lower() == ".zip")):
        raise AutogradeError(f"{args.submissions} is neither a folder nor a .zip: SUBMISSIONS "
                             f"is a folder (one folder or .zip per student, a Moodle download, "
                             f"an nbgrader course) or a Canvas or Moodle download .zip")
    if args.roster and not args.roster.is_file():
        raise AutogradeError(f"the roster {args.roster} does not exist: pass a CSV with a "
                             f"header row naming the id, name and email columns")
    out = args.out.resolve()
    if out == args.submissions.resolve() or args.submissions.resolve() in out.parents:
        raise AutogradeError("--out must not be inside SUBMISSIONS (it would be graded too)")
    begin = time.perf_counter()
    limits = Limits(timeout=args.timeout, cell_timeout=args.cell_timeout,
                    memory_mb=args.memory_mb)
    results = grade_class(Options(
        args.submissions, out, course, assignment=args.assignment, workers=args.workers,
        limits=limits, sandbox=args.sandbox, dask_scheduler=args.dask_scheduler,
        force=args.force, db_url=args.db_url, progress=not args.no_progress,
        layout=args.layout, roster=args.roster))
    print(summary(results))
    print(f"\ngraded in {time.perf_counter() - begin:.1f} s; outputs in {out}:")
    for name, what in (("grades.csv", "one row per student and assignment"),
                       ("tests.csv", "one row per test"),
                       ("feedback/", "HTML feedback per student and notebook"),
                       ("autograded/", "the executed notebooks"),
                       ("gradebook.db" if not args.db_url else args.db_url, "nbgrader gradebook")):
        print(f"  {name:<14} {what}")
    return EXIT_OK


def cmd_report(course: Course, args: argparse.Namespace) -> int:
    from autograde.grading.report import write_report
    try:
        print(write_report(args.out))
    except FileNotFoundError as err:
        raise AutogradeError(str(err)) from None
    print(f"written to {args.out / 'report'}/ (report.md, pass_rates.csv, common_failures.csv, "
          f"histogram_*.png, exercises_*.png)")
    return EXIT_OK


def cmd_export(course: Course, args: argparse.Namespace) -> int:
    from autograde.grading.export import export
    for path in export(args.out, args.format, args.assignment, args.roster):
        print(f"wrote {path}")
    return EXIT_OK


def cmd_diff(course: Course, args: argparse.Namespace) -> int:
    from autograde.grading.diff import changes, text
    print(text(changes(args.old, args.new), args.old, args.new))
    return EXIT_OK


def cmd_similarity(course: Course, args: argparse.Namespace) -> int:
    from autograde.grading.similarity import MIN_TOKENS, table, write_report
    min_tokens = MIN_TOKENS if args.min_tokens is None else args.min_tokens
    shown = write_report(course, args.out, args.assignment, top=args.top,
                         threshold=args.threshold, min_tokens=min_tokens)
    print(table(shown) if shown else f"no pair of solutions scores {args.threshold:.0%} or more")
    print(f"\nwritten to {args.out / 'similarity'}/ (report.html: these pairs side by side; "
          f"pairs.csv: every pair that shares code). A high score is a reason to look, "
          f"not proof.")
    return EXIT_OK


def cmd_doctor(course: Course, args: argparse.Namespace) -> int:
    from autograde.grading.doctor import diagnose, report
    findings = diagnose(course)
    print(report(findings))
    return EXIT_OK if all(f.ok for f in findings) else EXIT_NOT_READY


def add_parsers(sub) -> None:
    """Add `grade` and `report` to the `autograde` command's subparsers."""
    grade = sub.add_parser(
        "grade", help="grade a class of submissions in parallel, sandboxed",
        description="Grade SUBMISSIONS (one folder or .zip per student, named by student id; "
                    "a Canvas or Moodle download, as a folder or its .zip; nbgrader's course "
                    "directory or exchange inbound) against solutions/. Student code runs "
                    "in a sandbox; tests run in the grader. Finished submissions are kept: "
                    "run again to resume, --force to regrade. See docs/grading.md.")
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS")
    grade.add_argument("--out", type=Path, required=True,
                       help="folder for grades.csv, tests.csv, feedback/, autograded/")
    grade.add_argument("--assignment", default=None,
                       help="grade this assignment only (students without it: missing)")
    grade.add_argument("--layout", default="auto",
                       choices=("auto", *LAYOUTS),
                       help="how SUBMISSIONS is laid out (default: detected): one entry per "
                            "student id, a Canvas or Moodle download, nbgrader's course "
                            "directory (submitted/) or exchange (inbound/)")
    grade.add_argument("--roster", type=Path, default=None, metavar="CSV",
                       help="the class list (id, name, email columns; a Canvas gradebook "
                            "export works): names in grades.csv, and every student on it "
                            "without a notebook is graded as missing")
    grade.add_argument("--workers", type=positive(int), default=os.cpu_count() or 1,
                       help="submissions graded at the same time (default: cores)")
    grade.add_argument("--timeout", type=positive(float), default=600.0,
                       help="seconds one notebook may run in all (default: 600)")
    grade.add_argument("--cell-timeout", type=positive(float), default=60.0,
                       help="seconds one cell may run (a student's cell, or a test cell's "
                            "calls of the student's code); a cell over it costs only the "
                            "tests that need it (default: 60)")
    grade.add_argument("--memory-mb", type=positive(int), default=3072,
                       help="memory one notebook may use (default: 3072)")
    grade.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                       help="bubblewrap when available (auto), required (bwrap), or off")
    grade.add_argument("--dask-scheduler", default=None, metavar="ADDRESS",
                       help="run the work on this Dask scheduler instead of local workers")
    grade.add_argument("--db-url", default=None,
                       help="nbgrader gradebook as an SQLAlchemy URL "
                            "(default: sqlite in OUT/gradebook.db)")
    grade.add_argument("--force", action="store_true",
                       help="regrade finished submissions (the results they replace are kept "
                            "in OUT/history/, for `autograde diff`)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.set_defaults(run=cmd_grade)

    report = sub.add_parser(
        "report", help="pass rates, score histogram and slowest submissions of a graded class",
        description="Read the results `autograde grade` left in OUT and write OUT/report/.")
    report.add_argument("out", type=Path, metavar="OUT")
    report.set_defaults(run=cmd_report)

    export = sub.add_parser(
        "export", help="write the grades file Canvas or Moodle imports (or a plain CSV)",
        description="Read the results `autograde grade` left in OUT and write OUT/export/: "
                    "canvas.csv (Canvas gradebook import), moodle_ASSIGNMENT.csv (Moodle's "
                    "grading worksheet, per assignment) or csv.csv (one row per student). "
                    "Missing submissions are left blank.")
    export.add_argument("out", type=Path, metavar="OUT")
    export.add_argument("--format", choices=("canvas", "moodle", "csv"), required=True)
    export.add_argument("--assignment", default=None, help="this assignment only")
    export.add_argument("--roster", type=Path, default=None, metavar="CSV",
                        help="names, emails, SIS columns (default: the roster grading kept "
                             "in OUT, if any)")
    export.set_defaults(run=cmd_export)

    diff = sub.add_parser(
        "diff", help="which students' grades changed between two grading runs",
        description="Compare two result sets (OUT folders of `autograde grade`, or the "
                    "OUT/history/* snapshots that `grade --force` keeps) and list every "
                    "student whose score or status changed, with the tests that changed. "
                    "Run it after a regrade, before publishing.")
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")
    diff.set_defaults(run=cmd_diff)

    similarity = sub.add_parser(
        "similarity", help="the most similar solutions of a graded class, side by side",
        description="Compare every pair of students' solution cells, exercise by exercise, "
                    "with copydetect (names normalised, whitespace and comments ignored, the "
                    "release's template and prompt code removed), and write "
                    "OUT/similarity/report.html and pairs.csv. A high score is a reason to "
                    "look, not proof. See docs/grading.md.")
    similarity.add_argument("out", type=Path, metavar="OUT",
                            help="the --out folder of `autograde grade`")
    similarity.add_argument("--assignment", default=None,
                            help="compare this assignment only (default: every graded one)")
    similarity.add_argument("--top", type=positive(int), default=20,
                            help="pairs shown in the report and printed (default: 20)")
    similarity.add_argument("--threshold", type=fraction, default=0.5,
                            help="lowest score shown, 0 to 1 (default: 0.5); pairs.csv has "
                                 "every pair that shares code")
    similarity.add_argument("--min-tokens", type=positive(int), default=None,
                            help="solutions with less code of their own (normalised "
                                 "characters, beyond the template) are not compared "
                                 "(default: 40)")
    similarity.set_defaults(run=cmd_similarity)

    doctor = sub.add_parser(
        "doctor", help="check that this machine can grade, and grade in a sandbox",
        description="Check Python, the bubblewrap sandbox, a student worker, TensorFlow and "
                    "the course, and say what to do about each problem. Exits with 1 when "
                    "something is missing.")
    doctor.set_defaults(run=cmd_doctor)
