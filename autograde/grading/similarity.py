"""`autograde similarity OUT`: which students' solutions look alike, exercise by exercise.

Each solution cell of the autograded notebooks in ``OUT/autograded/`` (the code the
students submitted) is fingerprinted with copydetect: pygments tokens, every name
replaced by one letter (so renaming hides nothing), whitespace and comments dropped,
then every run of ``NOISE_TOKENS`` normalised characters hashed. What the release
notebook gave everyone counts for no one: the cell's head (signature and docstring) is
blanked out where the student left it intact, and runs that occur anywhere in the
release (the templates, the other cells, the code in the prompts) are dropped. Two
solutions of the same exercise are as similar as the share of each one's remaining
runs that the other has too.

Writes ``OUT/similarity/report.html`` (the most similar pairs side by side, the shared
code highlighted) and ``OUT/similarity/pairs.csv`` (every pair that shares code).
A high score is a reason to look, not proof.
"""

from __future__ import annotations

import html
import io
import re
import statistics
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from autograde import notebook
from autograde.config import Course
from autograde.errors import AutogradeError
from autograde.grading import record
from autograde.grading.result import GradeResult

NOISE_TOKENS = 25   # copydetect's default: shared runs shorter than this are noise
MIN_TOKENS = 40     # solutions with less code of their own than this are not compared
PAIRS_CSV = ["assignment", "exercise", "student_a", "student_b", "similarity_a",
             "similarity_b", "score", "shared_tokens", "tokens_a", "tokens_b"]
STUB_LINE = "# YOUR CODE HERE"   # nbgrader's stub: the head of a solution cell ends here
_FENCED = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
_INLINE = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Solution:
    """One student's code for one exercise, with its copydetect fingerprint."""

    student: str
    code: str
    fingerprint: object   # copydetect.CodeFingerprint of the code, release code removed

    @property
    def tokens(self) -> int:
        """Normalised characters of the student's own code (covered by a kept run)."""
        return int(self.fingerprint.token_coverage)


@dataclass(frozen=True)
class Pair:
    """Two solutions of one exercise that share code; ``a`` before ``b`` by student id.

    ``similarity_a`` is the share of a's own code also found in b (and the other way);
    ``slices_a`` are a's shared parts as a 2 x S array of (start, end) offsets in a.code.
    """

    assignment: str
    exercise: str
    a: Solution
    b: Solution
    similarity_a: float
    similarity_b: float
    shared_tokens: int
    slices_a: np.ndarray
    slices_b: np.ndarray

    @property
    def score(self) -> float:
        """The larger share: one student may have added code to what they copied."""
        return max(self.similarity_a, self.similarity_b)


@dataclass(frozen=True)
class Exercise:
    """What was compared for one exercise: the solutions, the pairs sharing code, and
    the students whose solution is too short to judge (under ``MIN_TOKENS``)."""

    assignment: str
    name: str
    solutions: list[Solution]
    too_short: list[str]
    pairs: list[Pair]

    def scores(self) -> list[float]:
        """The score of every compared pair, sharing code or not."""
        n = len(self.solutions)
        return [p.score for p in self.pairs] + [0.0] * (n * (n - 1) // 2 - len(self.pairs))


def prompt_code(markdown: str) -> list[str]:
    """The code a markdown cell gives: fenced blocks and `inline` spans."""
    blocks = _FENCED.findall(markdown)
    return blocks + _INLINE.findall(_FENCED.sub("", markdown))


def release_code(release) -> list[str]:
    """Everything the release notebook gives every student: its code cells (solution
    templates included) and the code in its markdown cells."""
    code = []
    for cell in release.cells:
        code += [cell.source] if cell.cell_type == "code" else prompt_code(cell.source)
    return code


def fingerprint(code: str, boilerplate: np.ndarray | None = None):
    """copydetect's fingerprint of Python ``code``, runs in ``boilerplate`` removed."""
    from copydetect import CodeFingerprint  # imports matplotlib: only when comparing
    return CodeFingerprint("cell.py", NOISE_TOKENS, 1, boilerplate=boilerplate,
                           language="python", fp=io.StringIO(code))


@dataclass(frozen=True)
class Given:
    """What the release notebook gives every student: the hashes of every run of its code
    (``boilerplate``), and each solution cell's head, its signature and docstring."""

    boilerplate: np.ndarray
    heads: dict[str, str]

    @classmethod
    def of(cls, release) -> Given:
        hashes = [h for code in release_code(release) for h in fingerprint(code).hashes]
        heads = {notebook.grade_id(c): c.source.split(STUB_LINE)[0].rstrip(" ")
                 for c in release.cells if c.cell_type == "code"
                 and notebook.meta(c).get("solution") and STUB_LINE in c.source}
        return cls(np.unique(np.array(hashes, dtype=np.int64)), heads)

    def own_code(self, exercise: str, code: str) -> str:
        """``code`` with the exercise's head blanked out where it is intact: the runs
        that join the head to the student's code are not counted as theirs, and the
        offsets in the blanked code are those of ``code``."""
        head = self.heads.get(exercise, "")
        return code.replace(head, re.sub(r"[^\n]", " ", head)) if head else code


def compare_exercise(assignment: str, name: str, codes: dict[str, str], given: Given,
                     min_tokens: int = MIN_TOKENS) -> Exercise:
    """Fingerprint each student's code (student -> code) and compare every pair."""
    from copydetect import compare_files
    solutions, too_short = [], []
    for student, code in sorted(codes.items()):
        own = fingerprint(given.own_code(name, code), given.boilerplate)
        solution = Solution(student, code, own)
        if solution.tokens < min_tokens:
            too_short.append(student)
        else:
            solutions.append(solution)
    pairs = []
    for a, b in combinations(solutions, 2):
        shared, (sim_a, sim_b), (slices_a, slices_b) = compare_files(a.fingerprint,
                                                                      b.fingerprint)
        if shared:
            pairs.append(Pair(assignment, name, a, b, float(sim_a), float(sim_b),
                              int(shared), slices_a, slices_b))
    return Exercise(assignment, name, solutions, too_short, pairs)


def submitted_code(out: Path, results: list[GradeResult],
                   assignment: str) -> dict[str, dict[str, str]]:
    """exercise -> {student -> code of their solution cell}, from OUT/autograded/."""
    by_exercise: dict[str, dict[str, str]] = {}
    for result in results:
        path = (out / "autograded" / record.safe_name(result.student_id)
                / f"{record.safe_name(assignment)}.ipynb")
        if result.assignment != assignment or not path.is_file():   # invalid, missing
            continue
        nb = notebook.read(path)
        cells = notebook.cells_by_id(nb)
        for exercise in notebook.exercise_ids(nb):   # right answers to questions all agree
            by_exercise.setdefault(exercise, {})[result.student_id] = cells[exercise].source
    return by_exercise


def release_of(course: Course, assignment: str):
    """The release notebook of ``assignment``, or an error that says how to make it."""
    path = course.release_notebook(course.source_notebook(assignment))
    if not path.is_file():
        raise AutogradeError(f"no release notebook {course.relative(path)} for {assignment}: "
                             f"its template is what similarity ignores; run "
                             f"`autograde release {assignment}` first")
    return notebook.read(path)


def compare_class(course: Course, out: Path, assignment: str | None = None,
                  min_tokens: int = MIN_TOKENS) -> list[Exercise]:
    """Every exercise of every graded assignment in OUT (or of ``assignment`` only)."""
    results = record.all_results(out)
    graded = sorted({r.assignment for r in results if r.assignment})
    if not graded:
        raise AutogradeError(f"{out} holds no results: run `autograde grade SUBMISSIONS "
                             f"--out {out}` first")
    if assignment is not None and assignment not in graded:
        raise AutogradeError(f"no results for {assignment} in {out} "
                             f"(there are: {', '.join(graded)})")
    exercises = []
    for name in [assignment] if assignment else graded:
        given = Given.of(release_of(course, name))
        for exercise, codes in submitted_code(out, results, name).items():
            exercises.append(compare_exercise(name, exercise, codes, given, min_tokens))
    return exercises


def ranked(exercises: list[Exercise]) -> list[Pair]:
    """Every pair sharing code, most similar first."""
    pairs = [p for e in exercises for p in e.pairs]
    return sorted(pairs, key=lambda p: (-p.score, -p.shared_tokens, p.exercise,
                                        p.a.student, p.b.student))


def repeated(pairs: list[Pair]) -> list[tuple[str, str, list[str]]]:
    """(student a, student b, their exercises) for the students paired on more than one
    exercise among ``pairs``, most exercises first."""
    together: dict[tuple[str, str], list[str]] = {}
    for p in pairs:
        together.setdefault((p.a.student, p.b.student), []).append(
            f"{p.assignment}/{p.exercise}")
    found = [(a, b, names) for (a, b), names in together.items() if len(names) > 1]
    return sorted(found, key=lambda t: (-len(t[2]), t[0], t[1]))


def csv_text(pairs: list[Pair]) -> str:
    """pairs.csv: one row per pair sharing code, in the order given."""
    return record.csv_text(PAIRS_CSV, (dict(zip(PAIRS_CSV, [
        p.assignment, p.exercise, p.a.student, p.b.student, f"{p.similarity_a:.3f}",
        f"{p.similarity_b:.3f}", f"{p.score:.3f}", p.shared_tokens, p.a.tokens, p.b.tokens]))
        for p in pairs))


def table(pairs: list[Pair]) -> str:
    """The short text table the command prints."""
    lines = [" score   a in b  b in a  exercise                         student a / student b"]
    for p in pairs:
        lines.append(f"{p.score:6.0%}  {p.similarity_a:6.0%}  {p.similarity_b:6.0%}  "
                     f"{p.assignment + '/' + p.exercise:<31}  {p.a.student} / {p.b.student}")
    return "\n".join(lines)


def _highlighted(code: str, slices: np.ndarray) -> str:
    """``code`` as escaped HTML, its shared parts (a non-empty 2 x S array) in <mark>."""
    from copydetect.utils import highlight_overlap
    marked, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return marked


_CSS = """
body { font-family: sans-serif; margin: 2em; max-width: 110em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 8px; }
td.n { text-align: right; } .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; font-size: 85%; }
mark { background: #ffd27a; } .note { max-width: 60em; }
"""


def _explanation(min_tokens: int) -> str:
    return f"""<div class="note">
<p>Each solution cell is compared with the same exercise's cell of every other student,
with <a href="https://github.com/blingenf/copydetect">copydetect</a>: names are replaced by
one letter (so <code>np.exp</code> and <code>np.tanh</code> look alike, and renaming a
variable changes nothing), whitespace and comments are dropped, and every run of
{NOISE_TOKENS} characters of what is left is a fingerprint. What the release gave everyone
is removed first: the cell's signature and docstring, and every fingerprint found anywhere
in the release notebook (the templates, the other cells, the code in the prompts).
<b>a in b</b> is the share of a's own code also found in b; a pair's score is the larger
of the two, since one student may add code to what they copied. The highlighted parts are
the shared ones.</p>
<p><b>A high score is a reason to look, not proof.</b> Short code is similar by nature
(there are few ways to write a one-line sigmoid), so a solution with fewer than
{min_tokens} normalised characters of its own is not compared at all: unsolved cells and
one-line answers are counted as <i>too short</i>. Compare a pair's score with the
exercise's median. On the course's exercises, independent correct answers score at most
about 60% (70-80% where they differ in a constant or a line), a copy that was renamed and
reformatted 100%. The same two students high on several exercises say more than one high
score.</p>
</div>"""


def _exercise_rows(exercises: list[Exercise]) -> str:
    rows = []
    for e in exercises:
        scores = e.scores()
        median = f"{statistics.median(scores):.0%}" if scores else "-"
        top = f"{max(scores):.0%}" if scores else "-"
        rows.append(f"<tr><td>{html.escape(e.assignment)}</td><td>{html.escape(e.name)}</td>"
                    f"<td class=n>{len(e.solutions)}</td><td class=n>{len(e.too_short)}</td>"
                    f"<td class=n>{median}</td><td class=n>{top}</td></tr>")
    return ("<table><tr><th>assignment</th><th>exercise</th><th>compared</th>"
            "<th>too short</th><th>median pair</th><th>highest pair</th></tr>"
            + "".join(rows) + "</table>")


def _pair_section(i: int, p: Pair) -> str:
    a, b = html.escape(p.a.student), html.escape(p.b.student)
    where = html.escape(f"{p.assignment} / {p.exercise}")
    return (f'<h3 id="pair{i}">{i}. {where}: {a} and {b}, score {p.score:.0%}</h3>'
            f"<p>{p.similarity_a:.0%} of {a}'s code is in {b}'s, {p.similarity_b:.0%} of "
            f"{b}'s in {a}'s ({p.shared_tokens} shared characters; own code: "
            f"{p.a.tokens} and {p.b.tokens}).</p>"
            f'<div class="sides"><div><b>{a}</b><pre>{_highlighted(p.a.code, p.slices_a)}'
            f'</pre></div><div><b>{b}</b><pre>{_highlighted(p.b.code, p.slices_b)}</pre>'
            f"</div></div>")


def _repeated_rows(pairs: list[Pair]) -> str:
    rows = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td>"
                   f"<td class=n>{len(names)}</td><td>{html.escape(', '.join(names))}</td></tr>"
                   for a, b, names in repeated(pairs))
    if not rows:
        return "<p>No two students are paired on more than one exercise.</p>"
    return ("<table><tr><th>student a</th><th>student b</th><th>exercises</th><th>which</th>"
            f"</tr>{rows}</table>")


def report_html(exercises: list[Exercise], pairs: list[Pair], min_tokens: int) -> str:
    """The HTML report: how to read it, the exercises, the students paired more than once,
    then ``pairs`` side by side."""
    index = "".join(
        f'<tr><td class=n><a href="#pair{i}">{i}</a></td><td class=n>{p.score:.0%}</td>'
        f"<td>{html.escape(p.assignment)}</td><td>{html.escape(p.exercise)}</td>"
        f"<td>{html.escape(p.a.student)}</td><td>{html.escape(p.b.student)}</td></tr>"
        for i, p in enumerate(pairs, 1))
    listed = (f"<table><tr><th>#</th><th>score</th><th>assignment</th><th>exercise</th>"
              f"<th>student a</th><th>student b</th></tr>{index}</table>"
              if pairs else "<p>No pair reaches the threshold.</p>")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=utf-8>"
            f"<title>Similar solutions</title><style>{_CSS}</style></head><body>"
            f"<h1>Similar solutions</h1>{_explanation(min_tokens)}"
            f"<h2>Exercises</h2>{_exercise_rows(exercises)}"
            f"<h2>Most similar pairs</h2>{listed}"
            f"<h2>Students paired on several exercises above</h2>{_repeated_rows(pairs)}"
            + "".join(_pair_section(i, p) for i, p in enumerate(pairs, 1))
            + "</body></html>\n")


def write_report(course: Course, out: Path, assignment: str | None = None, top: int = 20,
                 threshold: float = 0.5, min_tokens: int = MIN_TOKENS) -> list[Pair]:
    """Compare the class in OUT, write OUT/similarity/; the pairs shown (at most ``top``,
    score at least ``threshold``)."""
    exercises = compare_class(course, out, assignment, min_tokens)
    pairs = ranked(exercises)
    shown = [p for p in pairs if p.score >= threshold][:top]
    folder = out / "similarity"
    record.write_atomic(folder / "pairs.csv", csv_text(pairs))
    record.write_atomic(folder / "report.html", report_html(exercises, shown, min_tokens))
    return shown
