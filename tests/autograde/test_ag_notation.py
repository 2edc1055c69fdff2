"""The course-wide notation and glossary: `autograde release` copies solutions/notation.md
to notebooks/notation.md (written only when its bytes change), and validate's fresh check
reports a notebooks/notation.md that differs from its source."""

from __future__ import annotations

import pytest
from ag_support import REAL, TINY

from autograde.release import course_file_differences, release, sync_course_files
from autograde.validate import static_checks

NOTATION = "# Notation\n\n| symbol | meaning |\n|---|---|\n| $m$ | samples |\n"


@pytest.fixture
def with_notation(tiny):
    (tiny.source_dir / "notation.md").write_text(NOTATION)
    return tiny


def statuses(written):
    return {w.path.name: w.status for w in written}


def test_release_writes_the_notation_beside_the_assignments(with_notation):
    written = release(with_notation, [TINY])
    assert statuses(written) == {f"{TINY}.ipynb": "new", "notation.md": "new"}
    assert (with_notation.release_dir / "notation.md").read_text() == NOTATION


def test_release_rewrites_the_notation_only_when_its_bytes_change(with_notation):
    release(with_notation, [TINY])
    target = with_notation.release_dir / "notation.md"
    before = target.stat().st_mtime_ns
    assert statuses(sync_course_files(with_notation)) == {"notation.md": "unchanged"}
    assert target.stat().st_mtime_ns == before
    (with_notation.source_dir / "notation.md").write_text(NOTATION + "| $T$ | steps |\n")
    assert statuses(release(with_notation, [TINY]))["notation.md"] == "updated"
    assert target.read_text().endswith("| $T$ | steps |\n")


def test_release_removes_the_notation_whose_source_is_gone(with_notation):
    release(with_notation, [TINY])
    (with_notation.source_dir / "notation.md").unlink()
    assert statuses(sync_course_files(with_notation)) == {"notation.md": "removed"}
    assert not (with_notation.release_dir / "notation.md").exists()


def test_a_course_without_notation_releases_none(tiny):
    assert statuses(release(tiny, [TINY])) == {f"{TINY}.ipynb": "new"}
    assert course_file_differences(tiny) == {}


def fresh_problems(course):
    (report,) = static_checks(course, [TINY])
    return report.checks["fresh"].problems


def test_validate_passes_a_released_notation(with_notation):
    release(with_notation, [TINY])
    assert fresh_problems(with_notation) == []


@pytest.mark.parametrize("edit, problem", [
    (lambda c: (c.release_dir / "notation.md").write_text(NOTATION.replace("$m$", "$n$")),
     "bytes differ from solutions/notation.md"),
    (lambda c: (c.release_dir / "notation.md").unlink(), "missing: it was never released"),
    (lambda c: (c.source_dir / "notation.md").unlink(), "not produced by a release any more"),
])
def test_validate_reports_a_drifted_notation(with_notation, edit, problem):
    release(with_notation, [TINY])
    edit(with_notation)
    assert fresh_problems(with_notation) == [
        f"notebooks/notation.md: {problem}; run `autograde release`"]


def test_the_course_notation_is_released():
    assert (REAL.source_dir / "notation.md").is_file()
    assert course_file_differences(REAL) == {}, \
        "notebooks/notation.md differs from solutions/notation.md: run `autograde release`"
