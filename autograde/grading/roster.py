"""The class list: who should hand in, under which id, with their name and email.

``--roster FILE`` is a CSV with a header row. Its columns are found by name,
case-insensitively: the id (``id``, ``student_id``, ``user_id``, ``identifier``:
the id the LMS download uses), ``name`` (or ``full name``, ``student``) and
``email`` (or ``email address``). A Canvas gradebook export works as it is
(``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``; its
"Points Possible" row is skipped), and so does a Moodle grading worksheet
(``Identifier`` "Participant 123456", ``Full name``, ``Email address``).
Other columns are kept (the Canvas export writes the SIS ones back).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from autograde.errors import AutogradeError

ID_COLUMNS = ("id", "student_id", "student id", "user_id", "user id", "identifier",
              "canvas id", "participant")
NAME_COLUMNS = ("name", "full name", "student", "student name")
EMAIL_COLUMNS = ("email", "email address", "e-mail")
SAVED = "roster.csv"        # the copy `autograde grade --roster` keeps in OUT, for export


@dataclass
class Person:
    """One row of the class list."""

    student_id: str
    name: str = ""
    email: str = ""
    extra: dict[str, str] = field(default_factory=dict)   # other columns, by header


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    by_lower = {h.strip().lower(): h for h in header}
    return next((by_lower[n] for n in names if n in by_lower), None)


def parse(text: str, where: str = "the roster") -> dict[str, Person]:
    """student id -> Person, from CSV text; AutogradeError says what is wrong."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = rows.fieldnames or []
    id_col = _column(header, ID_COLUMNS)
    if id_col is None:
        raise AutogradeError(f"{where} has no id column: its header must name one of "
                             f"{', '.join(ID_COLUMNS)} (found: {', '.join(header) or 'none'})")
    name_col, email_col = _column(header, NAME_COLUMNS), _column(header, EMAIL_COLUMNS)
    people: dict[str, Person] = {}
    for line, row in enumerate(rows, start=2):
        student_id = (row.get(id_col) or "").strip().removeprefix("Participant ").strip()
        name = (row.get(name_col) or "").strip() if name_col else ""
        if not student_id or "points possible" in name.lower():
            continue
        if student_id in people:
            raise AutogradeError(f"{where}, line {line}: student id {student_id} appears "
                                 f"twice; keep one row per student")
        extra = {k: (v or "").strip() for k, v in row.items()
                 if k not in (id_col, name_col, email_col) and k is not None}
        people[student_id] = Person(student_id, name,
                                    (row.get(email_col) or "").strip() if email_col else "",
                                    extra)
    return people


def read(path: Path) -> dict[str, Person]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise AutogradeError(f"cannot read the roster {path}: {err}") from None
    return parse(text, str(path))
