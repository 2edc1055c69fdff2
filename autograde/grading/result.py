"""The one record of a grading result, and its rows: GradeResult, TestResult, Incident.

A worker process builds a :class:`GradeResult` (or collection builds one for an
invalid or missing submission); the main process records it
(``OUT/results/STUDENT/ASSIGNMENT.json`` through :meth:`GradeResult.to_json`),
and feedback, the report, the CSVs, the gradebook and the demo read it back
(:meth:`GradeResult.from_json`). Nothing else carries a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ATTENTION = "needs attention: "


@dataclass
class TestResult:
    """One graded test cell's verdict."""

    __test__ = False          # not a pytest test class, despite its name

    test: str                 # the cell's grade_id
    points: float
    max_points: float
    hidden: bool
    message: str = ""
    error: str = ""           # the type of what failed it (CheckFailed, NameError, ...)

    @property
    def passed(self) -> bool:
        return self.points == self.max_points

    def to_json(self) -> dict:
        return {"test": self.test, "points": self.points, "max_points": self.max_points,
                "hidden": self.hidden, "message": self.message, "error": self.error}

    @classmethod
    def from_json(cls, data: dict) -> TestResult:
        return cls(str(data["test"]), float(data["points"]), float(data["max_points"]),
                   bool(data["hidden"]), str(data.get("message", "")),
                   str(data.get("error", "")))


@dataclass
class Incident:
    """A cell or a call that stopped the worker (or ran out of memory), and what it cost."""

    cell: str           # the grade_id, or "cell N (after ID)" for a cell without one
    cause: str          # timeout (the limit per cell), crashed or memory
    message: str        # what happened, in a sentence a student can act on
    functions: list[str] = field(default_factory=list)   # innermost first, when known
    solution: str = ""  # grade_id of the solution cell it concerns (gradebook comment), if any

    def to_json(self) -> dict:
        return {"cell": self.cell, "cause": self.cause, "message": self.message,
                "functions": list(self.functions), "solution": self.solution}

    @classmethod
    def from_json(cls, data: dict) -> Incident:
        return cls(str(data["cell"]), str(data["cause"]), str(data["message"]),
                   [str(f) for f in data.get("functions", [])], str(data.get("solution", "")))


@dataclass
class GradeResult:
    """How one student's notebook of one assignment was graded.

    ``status`` is graded, timeout, crashed, memory (the notebook could not be
    graded to the end), invalid (the file is not a notebook we can read) or
    missing (nothing was submitted). ``digest`` identifies what was graded (the
    submission and the source notebook), so an unchanged submission is not
    graded again. ``notebook`` (the autograded notebook's JSON text) travels
    from the worker to the recorder but is not part of the saved record.
    """

    student_id: str
    assignment: str
    status: str
    detail: str = ""
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    digest: str = ""
    tests: list[TestResult] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    notebook: str | None = None
    name: str = ""              # the student's name, from the roster or the LMS download
    late: bool = False          # the LMS marked the graded file late

    @classmethod
    def ungraded(cls, student_id: str, assignment: str, status: str, detail: str,
                 max_score: float, digest: str, name: str = "") -> GradeResult:
        """An invalid or missing submission: no tests ran, score 0."""
        return cls(student_id, assignment, status, detail, 0.0, max_score, 0.0, digest,
                   name=name)

    def add_collection(self, notes: list[str], name: str, late: bool) -> None:
        """Complete the result with what collection knew: the name, the late flag, and
        ``detail``: what stopped the notebook, the collection's notes, then the incidents
        (last, so that readers can list them apart)."""
        self.name, self.late = name, late
        parts = [self.detail, *notes, self.incidents_text()]
        self.detail = "; ".join(p for p in parts if p)

    def incidents_text(self) -> str:
        if not self.incidents:
            return ""
        return ATTENTION + "; ".join(f"{i.cell}: {i.message}" for i in self.incidents)

    def detail_before_incidents(self) -> str:
        """``detail`` without its incidents part (for readers that list incidents apart)."""
        if self.incidents and ATTENTION in self.detail:
            return self.detail[: self.detail.rindex(ATTENTION)].rstrip("; ")
        return self.detail

    def to_json(self) -> dict:
        return {"student_id": self.student_id, "assignment": self.assignment,
                "status": self.status, "detail": self.detail, "score": self.score,
                "max_score": self.max_score, "seconds": self.seconds, "digest": self.digest,
                "tests": [t.to_json() for t in self.tests],
                "incidents": [i.to_json() for i in self.incidents],
                "name": self.name, "late": self.late}

    @classmethod
    def from_json(cls, data: dict) -> GradeResult:
        return cls(str(data["student_id"]), str(data.get("assignment") or ""),
                   str(data["status"]), str(data.get("detail", "")),
                   float(data.get("score", 0.0)), float(data.get("max_score", 0.0)),
                   float(data.get("seconds", 0.0)), str(data.get("digest", "")),
                   [TestResult.from_json(t) for t in data.get("tests", [])],
                   [Incident.from_json(i) for i in data.get("incidents", [])],
                   name=str(data.get("name", "")), late=bool(data.get("late", False)))
