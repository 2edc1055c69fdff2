"""Generate the mutants of a solution cell: distinct, compiling, capped per operator family."""

from __future__ import annotations

import ast
import difflib
import hashlib
from collections import defaultdict

from autograde.mutation import operators
from autograde.mutation.model import Mutant


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _changed_lines(old: str, new: str) -> tuple[int, tuple[str, ...]]:
    """First changed line (1-based) of ``old`` and the changed lines, stripped, as -/+ lines."""
    a, b = old.splitlines(), new.splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    lines = [f"-{a[i].strip()}" for _, i1, i2, _, _ in ops for i in range(i1, i2)]
    lines += [f"+{b[j].strip()}" for _, _, _, j1, j2 in ops for j in range(j1, j2)]
    return (ops[0][1] + 1 if ops else 0), tuple(lines)


def generate(source: str, name: str, families=operators.FAMILIES) -> list[Mutant]:
    """The distinct mutants of solution cell ``source`` of exercise ``name``, in source order.

    Mutants that do not compile, whose code equals the reference's, or that
    repeat an earlier mutant are dropped.
    """
    tree = operators.parse(source)
    reference = ast.unparse(tree)
    found, ctx = operators.find_mutations(tree, source, name, families)
    unique: dict[str, Mutant] = {}
    for mutation in found:
        text, code = operators.apply(tree, source, ctx, mutation)
        mid = digest(code)[:12]
        if code == reference or mid in unique or not _compiles(text):
            continue
        line, diff = _changed_lines(source, text)
        unique[mid] = Mutant(mid, mutation.family, mutation.label, line, diff, text, code)
    return list(unique.values())


def select(mutants: list[Mutant], max_per_family: int | None) -> list[Mutant]:
    """At most ``max_per_family`` mutants of each family (None: all), in the given order.

    A family keeps the mutants with the smallest ids: a deterministic choice
    that does not depend on where in the code the mutants are.
    """
    if not max_per_family:
        return list(mutants)
    by_family: dict[str, list[str]] = defaultdict(list)
    for mutant in mutants:
        by_family[mutant.family].append(mutant.id)
    kept = {mid for ids in by_family.values() for mid in sorted(ids)[:max_per_family]}
    return [m for m in mutants if m.id in kept]


def family_counts(mutants: list[Mutant]) -> dict[str, int]:
    """How many of ``mutants`` each operator family made."""
    counts: dict[str, int] = defaultdict(int)
    for mutant in mutants:
        counts[mutant.family] += 1
    return dict(counts)


def _compiles(text: str) -> bool:
    try:
        compile(text, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True
