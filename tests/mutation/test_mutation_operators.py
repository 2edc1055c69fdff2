"""Each mutation operator family makes the expected mutants, and none where it does not apply."""

from __future__ import annotations

import ast
import textwrap

import pytest

from autograde.mutation import operators as ops
from autograde.mutation.generate import family_counts, generate, select


def cell(body: str, params: str = "x, y", before: str = "", doc: str = "Doc.") -> str:
    """A solution cell ``def f(params)`` whose solution region is ``body``."""
    inner = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return (f"{before}def f({params}):\n    \"\"\"{doc}\"\"\"\n    ### BEGIN SOLUTION\n"
            f"{inner}\n    ### END SOLUTION\n")


def changes(body: str, family, **kwargs) -> set[str]:
    """Each mutant of ``body`` by ``family`` as its new lines (or "deleted: <old line>")."""
    mutants = generate(cell(body, **kwargs), "f", families=(family,))
    found = set()
    for mutant in mutants:
        new = [line[1:] for line in mutant.diff if line.startswith("+")]
        old = [line[1:] for line in mutant.diff if line.startswith("-")]
        found.add(" | ".join(new) if new else "deleted: " + " | ".join(old))
    return found


CASES = [
    # family, body, expected mutants (new lines)
    (ops.Arithmetic(), "return x + y * 2", {"return x - y * 2", "return x + y / 2"}),
    (ops.Arithmetic(), "return x ** 2 // y", {"return x * 2 // y", "return x ** 2 / y"}),
    (ops.Arithmetic(), "return x @ y", {"return x * y"}),
    (ops.Arithmetic(), "x /= y\nreturn x", {"x *= y"}),
    (ops.Arithmetic(), "return x | y and f(x)", set()),
    (ops.Comparison(), "return x < y <= 2", {"return x <= y <= 2", "return x < y < 2"}),
    (ops.Comparison(), "return x == y", {"return x != y"}),
    (ops.Comparison(), "return x is None", {"return x is not None"}),
    (ops.Comparison(), "return x and not y", set()),
    (ops.Constant(), "return x * 0 + 1", {"return x * 1 + 1", "return x * 0 + 0",
                                          "return x * 0 + 2"}),
    (ops.Constant(), "return x * 0.5 + 7", {"return x * 1.0 + 7", "return x * 0.25 + 7",
                                            "return x * 0.5 + 6", "return x * 0.5 + 8"}),
    (ops.Constant(), "return 1e-12 + x", {"return 2e-12 + x", "return 5e-13 + x"}),
    (ops.Constant(), "return x if True else y", {"return x if False else y"}),
    (ops.Constant(), 'return x["key"].sum(axis=1, keepdims=True)', set()),
    (ops.DropTerm(), "return x - y", {"return x", "return y"}),
    (ops.DropTerm(), "return f(x, y)", set()),
    (ops.SwapArguments(), "return f(x, y, 3)", {"return f(y, x, 3)", "return f(x, 3, y)"}),
    (ops.SwapArguments(), "return np.clip(x, 0, y)", {"return np.clip(x, y, 0)"}),
    (ops.SwapArguments(), "return np.maximum(x, y) + g(x) + h(*x, y) + f(x, x)", set()),
    (ops.Transpose(), "return X @ W.T", {"return X @ W", "return X.T @ W.T"}),
    (ops.Transpose(), "return x @ w", set()),
    (ops.Axis(), "return x.sum(axis=0)", {"return x.sum(axis=1)", "return x.sum(axis=-1)",
                                          "return x.sum()"}),
    (ops.Axis(), "return x.max(axis=-1, keepdims=True)",
     {"return x.max(axis=0, keepdims=True)", "return x.max(keepdims=True)"}),
    (ops.Axis(), "return np.sum(x, axis=(0, 1))", {"return np.sum(x)"}),
    (ops.Axis(), "return x.sum(0) + x.sum()", set()),
    (ops.Keepdims(), "return x.max(axis=1, keepdims=True)",
     {"return x.max(axis=1, keepdims=False)"}),
    (ops.Keepdims(), "return x.mean(axis=1)", {"return x.mean(axis=1, keepdims=True)"}),
    (ops.Keepdims(), "return x.mean() + f(x, axis=1) + x.argmax(axis=1)", set()),
    (ops.Reduction(), "return np.max(x) + x.sum()", {"return np.min(x) + x.sum()",
                                                     "return np.max(x) + x.mean()"}),
    (ops.Reduction(), "return max(x, y)", {"return min(x, y)"}),
    (ops.Reduction(), "return np.exp(x) + x.shape[0]", set()),
    (ops.Unary(), "return -x", {"return x"}),
    (ops.Unary(), "return np.exp(x)", {"return np.exp(-x)", "return -np.exp(x)"}),
    (ops.Unary(), "z = not x\nreturn (z, y)", {"z = x"}),
    (ops.Unary(), "return (x.sum(axis=-1), 1)", set()),
    (ops.ReturnArgument(), "z = x + y\nreturn z", {"return x", "return y"}),
    (ops.ReturnArgument(), "def g(a):\n    return a\nreturn g(x)", {"return x", "return y"}),
    (ops.ReturnArgument(), "print(x)", set()),
]


@pytest.mark.parametrize("family, body, expected", CASES,
                         ids=[f"{c[0].family}-{k}" for k, c in enumerate(CASES)])
def test_family_makes_exactly_the_expected_mutants(family, body, expected):
    assert changes(body, family) == expected


def test_drop_statement_drops_updates_but_not_definitions_or_conversions():
    body = """
        x = np.asarray(x, dtype=np.float64)
        total = x * 2
        total += 1
        y = y + total
        out[0] = y
        log.append(y)
        return total
    """
    assert changes(body, ops.DropStatement()) == {
        "deleted: total += 1", "deleted: y = y + total", "deleted: out[0] = y",
        "deleted: log.append(y)"}


def test_dropping_the_only_statement_of_a_block_leaves_pass():
    assert changes("for i in y:\n    x += i\nreturn x", ops.DropStatement()) == {"pass"}


def test_code_outside_the_solution_markers_is_not_mutated():
    before = "def helper(a):\n    return a + 1\n\n\n"
    assert changes("return helper(x) * y", ops.Arithmetic(), before=before) == {
        "return helper(x) / y"}


def test_the_mutant_keeps_the_cell_and_parenthesises_when_precedence_needs_it():
    mutants = generate(cell("return -x ** 2  # the square, negated"), "f",
                       families=(ops.Arithmetic(),))
    (mutant,) = mutants
    assert mutant.diff == ("-return -x ** 2  # the square, negated",
                           "+return -(x * 2)  # the square, negated")
    assert mutant.source.startswith('def f(x, y):\n    """Doc."""\n    ### BEGIN SOLUTION\n')
    assert mutant.line == 4


def test_columns_are_utf8_offsets():
    # a column counted in characters would garble the line, and the mutant would fall back
    # to re-rendering the whole function (with single quotes)
    assert changes('return ("é·", x > y)', ops.Comparison()) == {'return ("é·", x >= y)'}


def test_ids_ignore_docstrings_comments_and_layout():
    first = generate(cell("return x + y * 2"), "f")
    second = generate(cell("return x + (y*2)  # note", doc="Other words."), "f")
    assert [m.id for m in first] == [m.id for m in second]
    assert len({m.id for m in first}) == len(first) > 0


def test_the_cap_keeps_the_smallest_ids_of_each_family_in_source_order():
    everything = generate(cell("return x * 3 + 4 * y - 5 + 6 * 7"), "f")
    assert family_counts(everything) == {"arithmetic": 6, "constant": 10, "drop_term": 12,
                                         "unary": 1, "return_arg": 2}
    capped = select(everything, 2)
    assert family_counts(capped) == {"arithmetic": 2, "constant": 2, "drop_term": 2,
                                     "unary": 1, "return_arg": 2}
    smallest = {mid for family in ("arithmetic", "constant", "drop_term", "unary", "return_arg")
                for mid in sorted(m.id for m in everything if m.family == family)[:2]}
    assert [m.id for m in capped] == [m.id for m in everything if m.id in smallest]
    assert select(everything, None) == everything


class _Broken:
    """A family that makes a mutant that does not compile and one equal to the original."""

    family = "broken"

    def mutate(self, node, ctx):
        if isinstance(node, ast.Name) and node.id == "x":
            yield "not python", ast.Name("1x", ast.Load())
            yield "the same", ast.Name("x", ast.Load())


def test_mutants_that_do_not_compile_or_change_nothing_are_dropped():
    assert generate(cell("return x + y"), "f", families=(_Broken(),)) == []
