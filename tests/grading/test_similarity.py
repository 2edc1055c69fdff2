"""Similarity of solutions: a planted copy (renamed, reformatted) ranks above independent
correct answers; the release's template and prompt code count for no one; student code
cannot break the report; `autograde similarity` works end to end.

The class is built from notebook 03's release, its reference solutions and the mistakes
corpus's correct alternatives (tests/mistakes/test_03_backprop.py), without grading.
"""

from __future__ import annotations

import copy
import csv
import re
from pathlib import Path

import nbformat
import pytest

from autograde import notebook
from autograde.cli import main
from autograde.config import Course
from autograde.grading import record, similarity
from autograde.grading.result import GradeResult
from tests.mistakes.test_03_backprop import ALTERNATIVES

COURSE = Course(Path(__file__).resolve().parents[2])
NAME = "03_backprop"
RELEASE = notebook.read(COURSE.release_notebook(COURSE.source_notebook(NAME)))
SOURCE = notebook.read(COURSE.source_notebook(NAME))
LONG = ["forward", "backward", "train_mlp"]

# The alternative `shuffle_and_array_split` of train_mlp with every local name changed,
# other spacing, comments, blank lines and line breaks: what a student who copies does.
PLANTED = '''
    # make float copies first
    inputs = np.asarray(X, dtype = np.float64)
    targets = np.asarray(Y,
                         dtype=np.float64)
    net = init_params(layer_sizes, rng)
    log = {"loss": [],
           "accuracy": []}
    idx = np.arange(len(inputs))
    count = int(np.ceil(len(inputs)/batch_size))   # number of batches

    for ep in range(epochs):
        rng.shuffle(idx)    # a new order every epoch
        for chunk in np.array_split(idx, count):
            probs, store = forward(net, inputs[chunk], activation)
            for (weights, bias), (g_w, g_b) in zip(net,
                                                   backward(net, store, targets[chunk])):
                weights -= lr*g_w
                bias -= lr*g_b
        # bookkeeping after the epoch
        log["loss"].append(cross_entropy_loss(forward(net, inputs, activation)[0],
                                              targets))
        log["accuracy"].append(float(np.mean(predict(net, inputs, activation)
                                              == targets.argmax(1))))
    return net, log
'''


def head(exercise: str) -> str:
    """The release cell's signature and docstring, without its stub."""
    return notebook.cells_by_id(RELEASE)[exercise].source.split("    # YOUR CODE HERE")[0]


def solved(exercise: str, source: str) -> str:
    """The release cell of ``exercise`` with the body of ``source`` (``def exercise(...):``
    and its body, maybe after other code) in place of the stub."""
    lines = source.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"def {exercise}("))
    return "\n".join(lines[:at] + [head(exercise).rstrip("\n")] + lines[at + 1:]) + "\n"


def reference(exercise: str) -> str:
    source = notebook.cells_by_id(SOURCE)[exercise].source
    return re.sub(r"\n *### (BEGIN|END) SOLUTION", "", source)


def alternatives(alternative_id: str) -> dict[str, str]:
    """exercise -> the cell of the alternative ``alternative_id`` of each long exercise."""
    return {a.exercise: solved(a.exercise, a.source) for a in ALTERNATIVES
            if a.exercise in LONG and a.id == alternative_id}


def independent_class() -> dict[str, dict[str, str]]:
    """student -> {exercise -> code}: the reference and two alternatives per long exercise,
    written independently, and a renamed, reformatted copy of one of them."""
    return {
        "reference": {e: reference(e) for e in LONG},
        "alt-a": {**alternatives("dict_cache"), **alternatives("shuffle_and_array_split")},
        "alt-b": {**alternatives("hidden_then_output"), **alternatives("recursive"),
                  **alternatives("shuffled_copies_per_epoch")},
        "planted-copy": {"train_mlp": head("train_mlp") + PLANTED.lstrip("\n")},
    }


def graded_out(out: Path, students: dict[str, dict[str, str]]) -> Path:
    """An OUT folder as `autograde grade` leaves it: a result and an autograded notebook
    (the release with the student's code) per student."""
    for student, codes in students.items():
        nb = copy.deepcopy(RELEASE)
        cells = notebook.cells_by_id(nb)
        for exercise, code in codes.items():
            cells[exercise].source = code
        path = out / "autograded" / record.safe_name(student) / f"{NAME}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        record.save_result(out, GradeResult(student, NAME, "graded"))
    return out


def test_planted_copy_ranks_above_every_pair_of_independent_answers(tmp_path):
    out = graded_out(tmp_path, independent_class())
    pairs = similarity.ranked(similarity.compare_class(COURSE, out))
    planted, *others = pairs
    assert (planted.exercise, planted.a.student, planted.b.student) == (
        "train_mlp", "alt-a", "planted-copy"), similarity.table(pairs)
    assert min(planted.similarity_a, planted.similarity_b) > 0.9, similarity.table(pairs)
    independent = [p for p in others if "planted-copy" not in (p.a.student, p.b.student)]
    assert len(independent) >= 3, similarity.table(pairs)   # they do share some code
    assert planted.score > max(p.score for p in others), similarity.table(pairs)


def test_unsolved_cells_do_not_pair_up(tmp_path):
    """Blank notebooks share the whole template: with the release removed nothing is left,
    even without a minimum length."""
    students = {f"blank-{i}": {} for i in range(3)} | {"solved": {"train_mlp": reference(
        "train_mlp")}}
    exercises = similarity.compare_class(COURSE, graded_out(tmp_path, students), min_tokens=1)
    assert not similarity.ranked(exercises)
    train = next(e for e in exercises if e.name == "train_mlp")
    assert train.too_short == ["blank-0", "blank-1", "blank-2"]


def test_short_answers_are_not_compared():
    """Two one-line sigmoids are alike by nature: under MIN_TOKENS they make no pair."""
    one_line = head("sigmoid") + "    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))\n"
    codes = {"ann": one_line, "ben": one_line}
    given = similarity.Given.of(RELEASE)
    compared = similarity.compare_exercise(NAME, "sigmoid", codes, given)
    assert compared.too_short == ["ann", "ben"] and not compared.pairs
    (pair,) = similarity.compare_exercise(NAME, "sigmoid", codes, given, 1).pairs
    assert pair.score == 1.0


def test_a_copy_padded_with_own_code_still_scores_high():
    """The score is the larger share: adding a helper to copied code does not hide it."""
    padded = (reference("backward").replace("def backward", "def helper", 1) + "\n\n"
              + head("train_mlp") + PLANTED.lstrip("\n"))
    codes = {"alt-a": alternatives("shuffle_and_array_split")["train_mlp"], "copy": padded}
    given = similarity.Given.of(RELEASE)
    (pair,) = similarity.compare_exercise(NAME, "train_mlp", codes, given).pairs
    assert pair.similarity_a > 0.9 > 0.7 > pair.similarity_b and pair.score > 0.9


def test_code_given_in_a_prompt_counts_for_no_one():
    """Two students who paste the helper a prompt gives, then write their own code, share
    little; without the prompt in the release the helper would make them look alike."""
    helper = ("def clipped_log(P, eps=1e-12):\n"
              "    return np.log(np.clip(np.asarray(P, dtype=np.float64), eps, 1.0))\n\n")
    template = nbformat.v4.new_code_cell(
        "def loss(P, Y):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
        metadata={"nbgrader": {"solution": True, "grade_id": "loss"}})
    codes = {"ann": helper + "def loss(P, Y):\n"
                             "    return float(-np.mean(np.sum(Y * clipped_log(P), axis=1)))\n",
             "ben": helper + "def loss(P, Y):\n"
                             "    per_row = [-(y * clipped_log(p)).sum() for p, y in zip(P, Y)]\n"
                             "    return sum(per_row) / len(per_row)\n"}
    prompt = nbformat.v4.new_markdown_cell(f"You may use this helper:\n\n```python\n{helper}```")
    release = nbformat.v4.new_notebook(cells=[prompt, template])
    with_prompt = similarity.compare_exercise(NAME, "loss", codes, similarity.Given.of(release))
    assert not with_prompt.pairs and not with_prompt.too_short
    release.cells = [template]
    (pair,) = similarity.compare_exercise(NAME, "loss", codes,
                                          similarity.Given.of(release)).pairs
    assert pair.score > 0.4


def test_student_code_and_ids_are_escaped_in_the_report():
    hostile = ("    s = '</pre></div><script>alert(1)</script>'\n"
               + reference("train_mlp").split('"""\n', 1)[1]
               + "    # <img src=x onerror=alert(2)> </mark>\n")
    codes = {"<b>eve</b>": head("train_mlp") + hostile, "mallory": head("train_mlp") + hostile}
    given = similarity.Given.of(RELEASE)
    exercise = similarity.compare_exercise(NAME, "train_mlp", codes, given)
    page = similarity.report_html([exercise], exercise.pairs, similarity.MIN_TOKENS)
    assert exercise.pairs and page.count("<pre>") == 2
    assert "<script" not in page and "<img" not in page and "<b>eve" not in page
    assert "&lt;/pre&gt;&lt;/div&gt;&lt;script&gt;" in page and "&lt;img src=x" in page
    assert page.count("</pre>") == 2 and page.count("<mark>") == page.count("</mark>") > 0


def test_cli_writes_the_report_and_the_csv(tmp_path, capsys):
    out = graded_out(tmp_path / "out", independent_class())
    record.save_result(out, GradeResult("not-a-notebook", NAME, "invalid", "not JSON"))
    assert main(["--root", str(COURSE.root), "similarity", str(out), "--top", "2",
                 "--threshold", "0"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[1].split()[-3:] == ["alt-a", "/", "planted-copy"], printed
    assert len([line for line in printed if line.startswith(" ") and "%" in line]) == 2
    page = (out / "similarity" / "report.html").read_text()
    assert "a reason to look, not proof" in page and page.count('class="sides"') == 2
    with open(out / "similarity" / "pairs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == similarity.PAIRS_CSV
    assert (rows[0]["exercise"], rows[0]["student_a"], rows[0]["student_b"]) == (
        "train_mlp", "alt-a", "planted-copy")
    assert len(rows) > 2 and "not-a-notebook" not in {r["student_a"] for r in rows}


def test_cli_says_what_is_missing(tmp_path, capsys):
    assert main(["--root", str(COURSE.root), "similarity", str(tmp_path)]) == 2
    assert "holds no results: run `autograde grade" in capsys.readouterr().err
    out = graded_out(tmp_path, {"ann": {}})
    assert main(["--root", str(COURSE.root), "similarity", str(out),
                 "--assignment", "01_perceptron"]) == 2
    assert "no results for 01_perceptron" in capsys.readouterr().err


def test_cli_help_gives_the_minimum_the_module_uses(capsys):
    with pytest.raises(SystemExit):
        main(["similarity", "--help"])
    assert f"(default: {similarity.MIN_TOKENS})" in " ".join(capsys.readouterr().out.split())
