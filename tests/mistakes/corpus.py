"""What every notebook's mistakes corpus shares: running a variant, naming it, the release
stub, and the checks each corpus makes (the reference passes, every mistake is rejected with
a message naming the function, every alternative is accepted).

Variants run through the grader's own engine (:mod:`autograde.grading.trials`: the
student's code in a worker process, the tests in the Judge), so what the corpus proves
holds for ``autograde grade``."""

from __future__ import annotations

import functools
from pathlib import Path

from autograde.grading.trials import run_exercise
from autograde.notebook import cells_by_id, exercise_ids, read


@functools.lru_cache(maxsize=None)
def outcomes(notebook: Path, exercise: str, source: str | None):
    """The test cells' outcomes for ``exercise`` with its solution replaced by ``source``
    (None: the reference), cached because several tests ask about the same variant."""
    return run_exercise(notebook, exercise, replacement=source)


def ids(variants) -> list[str]:
    """pytest ids "exercise-variant_id" for a list of variants."""
    return [f"{v.exercise}-{v.id}" for v in variants]


def release_stub(notebook: Path, exercise: str) -> str:
    """The solution cell as the release shows it: signature, docstring, NotImplementedError."""
    source = cells_by_id(read(notebook))[exercise].source
    head = source.split("### BEGIN SOLUTION")[0].rstrip()
    return head + "\n    raise NotImplementedError()\n"


def _failed(outcome) -> str:
    return f"{outcome.grade_id}: {outcome.error}: {outcome.message}"


def assert_reference_passes(notebook: Path, exercises: list[str]) -> None:
    """The notebook's exercises are ``exercises``, in order, and pass every test cell."""
    assert exercise_ids(read(notebook)) == exercises
    for exercise in exercises:
        for outcome in outcomes(notebook, exercise, None).values():
            assert outcome.passed, _failed(outcome)


def assert_signatures(notebook: Path, signatures: dict[str, str]) -> None:
    """Each solution cell starts with ``def exercise(signature):``."""
    cells = cells_by_id(read(notebook))
    for exercise, signature in signatures.items():
        assert cells[exercise].source.startswith(f"def {exercise}({signature}):"), exercise


def assert_covers(exercises: list[str], mistakes, alternatives) -> None:
    """At least 3 mistakes and 2 alternatives per exercise, unique ids, no stray exercise."""
    for exercise in exercises:
        n_mistakes = sum(m.exercise == exercise for m in mistakes)
        n_alternatives = sum(a.exercise == exercise for a in alternatives)
        assert n_mistakes >= 3, f"{exercise}: only {n_mistakes} mistakes"
        assert n_alternatives >= 2, f"{exercise}: only {n_alternatives} alternatives"
    variants = list(mistakes) + list(alternatives)
    assert len(set(ids(variants))) == len(variants)
    assert {v.exercise for v in variants} <= set(exercises)


def assert_release_stub_fails(notebook: Path, exercise: str) -> None:
    """The released stub fails both test cells with NotImplementedError, naming the function."""
    results = outcomes(notebook, exercise, release_stub(notebook, exercise))
    assert set(results) == {f"test_{exercise}", f"hidden_{exercise}"}
    for outcome in results.values():
        assert not outcome.passed and outcome.error == "NotImplementedError", outcome
        assert exercise in outcome.message


def rejected(notebook: Path, mistake, errors: tuple[str, ...] = ("CheckFailed",)):
    """The hidden test cell's outcome for ``mistake``, asserted to fail a check (one of
    ``errors``, not a crash) with a message that names the function."""
    hidden = outcomes(notebook, mistake.exercise, mistake.source)[f"hidden_{mistake.exercise}"]
    assert not hidden.passed, f"the hidden tests accept {mistake.id}: {mistake.why}"
    assert hidden.error in errors, (
        f"{mistake.id} made the hidden tests crash with {hidden.error} instead of failing a "
        f"check: {hidden.message}")
    assert mistake.exercise in hidden.message, hidden.message
    return hidden


def assert_accepted(notebook: Path, alternative) -> None:
    """A correct alternative passes both of its exercise's test cells."""
    results = outcomes(notebook, alternative.exercise, alternative.source)
    assert set(results) == {f"test_{alternative.exercise}", f"hidden_{alternative.exercise}"}
    for outcome in results.values():
        assert outcome.passed, _failed(outcome)


def assert_public_verdict(notebook: Path, exercise: str, variant_id: str, source: str,
                          misses: dict[str, str]) -> None:
    """The public test cell rejects the mistake ``exercise``-``variant_id`` before the
    student submits, unless it is one of ``misses`` (pytest id -> why the public test
    deliberately lets it through: an edge case or a size the hidden tests keep). A listed
    miss must really pass the public test, so the list stays true."""
    key = f"{exercise}-{variant_id}"
    public = outcomes(notebook, exercise, source)[f"test_{exercise}"]
    if key in misses:
        assert public.passed, (f"{key} is listed as a mistake the public test lets through "
                               f"({misses[key]}), but it fails it: take it off the list")
        return
    assert not public.passed, (f"the public test of {exercise} accepts {key}, which breaks a "
                               f"requirement its prompt states: make the public test exercise "
                               f"that requirement, or list it with the reason it is hidden")
    assert public.error != "NotImplementedError", public
    assert exercise in public.message, public.message


def assert_misses_are_mistakes(misses: dict[str, str], variants) -> None:
    """Every listed public-test miss names a mistake of the corpus and gives a reason."""
    known = set(ids(variants))
    for key, why in misses.items():
        assert key in known, f"{key} is not a mistake of the corpus"
        assert why.strip(), f"{key}: say why the public test lets it through"


def reference_source(notebook: Path, exercise: str) -> str:
    """The reference solution cell of ``exercise`` (its markers are only comments)."""
    return cells_by_id(read(notebook))[exercise].source


def assert_blamed(results, later: str, earlier: str, hidden_passes: bool = True) -> None:
    """``results`` of exercise ``later`` run on a wrong ``earlier`` function: the public test
    fails a check that names ``earlier`` as the function to fix first, and the hidden test,
    which judges ``later`` with the reference of ``earlier`` (``using``), passes, so one bug
    does not cost twice. With ``hidden_passes`` False the hidden test blames it too."""
    public, hidden = results[f"test_{later}"], results[f"hidden_{later}"]
    assert not public.passed and public.error == "CheckFailed", public
    for outcome in [public] if hidden_passes else [public, hidden]:
        assert f"it calls {earlier}, which is wrong" in outcome.message, outcome.message
        assert f"Fix {earlier} first" in outcome.message, outcome.message
    if hidden_passes:
        assert hidden.passed, f"{hidden.error}: {hidden.message}"
