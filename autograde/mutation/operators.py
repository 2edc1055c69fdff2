"""Mutation operators: small, named changes to a solution's syntax tree.

Each operator family is one small class with a ``family`` name and a
``mutate(node, ctx)`` method that yields ``(label, replacement)`` pairs for a
node it applies to (and nothing for any other node). ``replacement`` is the
node to put in the original's place, or ``None`` to delete a statement. The
families model the mistakes students make when they turn a formula into
NumPy: a wrong operator, sign, constant, axis or transpose, a dropped term or
update, swapped arguments, or returning an input unchanged.

:func:`find_mutations` walks the code between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` of a cell (as :func:`parse` reads it: without docstrings)
and collects every family's mutations; :func:`apply` turns one into the
mutant's full source, changed only where the mutation is, and its code.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import Iterator

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

Replacement = tuple[str, "ast.AST | None"]


@dataclass(frozen=True)
class Slot:
    """Where a node sits: ``getattr(parent, field)`` or ``getattr(parent, field)[index]``."""

    parent: ast.AST
    field: str
    index: int | None


@dataclass
class Context:
    """What an operator may need beyond the node: its slot and the graded function."""

    params: list[str]
    slots: dict[int, Slot] = field(default_factory=dict)
    own_returns: set[int] = field(default_factory=set)

    def parent(self, node: ast.AST) -> ast.AST | None:
        slot = self.slots.get(id(node))
        return slot.parent if slot else None

    def is_keyword_value(self, node: ast.AST, *names: str) -> bool:
        parent = self.parent(node)
        if isinstance(parent, ast.UnaryOp):  # axis=-1
            parent = self.parent(parent)
        return isinstance(parent, ast.keyword) and parent.arg in names


def _num(value: int | float) -> ast.expr:
    """A number as the parser would read it (negative numbers are a unary minus)."""
    if value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _number(node: ast.AST) -> int | float | None:
    """The value of a literal number (``3``, ``-1``, ``0.5``), else None (bools excluded)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _with(node: ast.AST, **changes) -> ast.AST:
    """A shallow copy of ``node`` with some fields replaced (children are shared)."""
    new = copy.copy(node)
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def _short(node: ast.AST, limit: int = 40) -> str:
    """``node``'s code on one line, cut to ``limit`` characters for a label."""
    text = ast.unparse(node)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _is_transpose(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "T"


class Arithmetic:
    """Swapped arithmetic operators: + -, * /, ** -> *, // -> /, @ -> * (also in ``x op= y``)."""

    family = "arithmetic"
    SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
             ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.MatMult: ast.Mult}
    SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
               ast.FloorDiv: "//", ast.MatMult: "@"}

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in self.SWAPS:
            new = self.SWAPS[type(node.op)]
            yield f"{self.SYMBOLS[type(node.op)]} -> {self.SYMBOLS[new]}", _with(node, op=new())


class Comparison:
    """Swapped comparisons: > >=, < <=, == !=, is / is not, in / not in."""

    family = "comparison"
    SWAPS = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
             ast.In: ast.NotIn, ast.NotIn: ast.In}

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if not isinstance(node, ast.Compare):
            return
        for k, op in enumerate(node.ops):
            if type(op) in self.SWAPS:
                ops = list(node.ops)
                ops[k] = self.SWAPS[type(op)]()
                yield f"comparison {k + 1}: {type(op).__name__} -> {type(ops[k]).__name__}", \
                    _with(node, ops=ops)


class Constant:
    """Changed numbers (0 <-> 1, 1 -> 2, k -> k +- 1, c -> 2c and c/2) and True <-> False."""

    family = "constant"

    @staticmethod
    def values(value: int | float) -> list[int | float]:
        if isinstance(value, int):
            return {0: [1], 1: [0, 2]}.get(value, [value - 1, value + 1])
        if value == 0.0:
            return [1.0]
        if value == 1.0:
            return [0.0, 2.0]
        return [value * 2, value / 2]

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if not isinstance(node, ast.Constant) or ctx.is_keyword_value(node, "axis", "keepdims"):
            return
        if isinstance(node.value, bool):
            yield f"{node.value} -> {not node.value}", ast.Constant(not node.value)
        elif type(node.value) in (int, float):
            for new in self.values(node.value):
                yield f"{node.value!r} -> {new!r}", ast.Constant(new)


class DropTerm:
    """A binary operation reduced to one operand: ``a + b`` -> ``a`` and -> ``b``."""

    family = "drop_term"

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if isinstance(node, ast.BinOp):
            for kept in (node.left, node.right):
                yield f"{_short(node)} -> {_short(kept)}", kept


class DropStatement:
    """A dropped update: ``x op= ...``, ``x = f(x)``, ``a[i] = ...`` or a call statement.

    ``x = np.asarray(x, dtype=...)`` is not dropped: for the arrays the docstrings
    promise it changes nothing, so the mutant would be equivalent.
    """

    family = "drop_statement"

    CONVERSIONS = {"asarray", "asanyarray", "array", "ascontiguousarray"}

    @classmethod
    def is_conversion(cls, node: ast.Assign) -> bool:
        """``x = np.asarray(x, ...)``: dropping it only matters for inputs that are not arrays."""
        value = node.value
        return (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr in cls.CONVERSIONS and len(value.args) == 1
                and isinstance(value.args[0], ast.Name)
                and value.args[0].id == node.targets[0].id)

    @classmethod
    def is_update(cls, node: ast.AST) -> bool:
        if isinstance(node, ast.AugAssign):
            return True
        if isinstance(node, ast.Expr):
            return isinstance(node.value, ast.Call)
        if not isinstance(node, ast.Assign) or cls.is_conversion(node):
            return False
        if any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in node.targets):
            return True
        written = {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        read = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
        return bool(written & read)

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if isinstance(node, ast.stmt) and self.is_update(node):
            yield "statement dropped", None


class SwapArguments:
    """Two neighbouring positional arguments of a call swapped: ``f(a, b)`` -> ``f(b, a)``.

    Arguments that commute are left alone (the mutant would be equivalent):
    both of ``np.maximum``, ``np.add``, ..., and the first two of ``np.clip``.
    """

    family = "swap_args"
    SYMMETRIC = {"maximum", "minimum", "fmax", "fmin", "add", "multiply", "hypot",
                 "logical_and", "logical_or", "logical_xor", "max", "min", "array_equal",
                 "allclose", "isclose"}
    FIRST_PAIR_SYMMETRIC = {"clip"}

    @staticmethod
    def name(call: ast.Call) -> str:
        func = call.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args):
            return
        name = self.name(node)
        if name in self.SYMMETRIC:
            return
        for k in range(1 if name in self.FIRST_PAIR_SYMMETRIC else 0, len(node.args) - 1):
            args = list(node.args)
            args[k], args[k + 1] = args[k + 1], args[k]
            yield f"arguments {k + 1} and {k + 2} swapped", _with(node, args=args)


class Transpose:
    """A transpose removed (``A.T`` -> ``A``) or added to a matrix operand of ``@``.

    An operand counts as a matrix when it names one by the course's convention,
    an upper-case letter (``X``, ``W``, ``dZ``, ``A_prev``, ``params["W_f"]``):
    ``.T`` of a 1-D vector (``w``, ``error``) is the vector itself, an equivalent mutant.
    """

    family = "transpose"

    @staticmethod
    def is_matrix(node: ast.AST) -> bool:
        names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
        names += [n.value for n in ast.walk(node)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        return any(c.isupper() for name in names for c in name)

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if _is_transpose(node) and isinstance(node.ctx, ast.Load):
            yield ".T removed", node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            for side in ("left", "right"):
                operand = getattr(node, side)
                if not _is_transpose(operand) and self.is_matrix(operand):
                    yield f".T added to the {side} operand of @", _with(
                        node, **{side: ast.Attribute(operand, "T", ast.Load())})


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _replace_keyword(call: ast.Call, name: str, value: ast.expr | None) -> ast.Call:
    """``call`` with keyword ``name`` set to ``value`` (added if absent), or removed if None."""
    keywords = [k for k in call.keywords if k.arg != name]
    if value is not None:
        old = _keyword(call, name)
        at = call.keywords.index(old) if old else len(keywords)
        keywords.insert(at, ast.keyword(name, value))
    return _with(call, keywords=keywords)


class Axis:
    """``axis=`` changed: 0 -> 1 and -1, 1 -> 0, -1 -> 0, k -> 0, or removed (None)."""

    family = "axis"

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if not isinstance(node, ast.Call) or _keyword(node, "axis") is None:
            return
        old = _number(_keyword(node, "axis").value)
        if isinstance(old, int):
            for new in {0: [1, -1], 1: [0], -1: [0]}.get(old, [0]):
                yield f"axis={old} -> axis={new}", _replace_keyword(node, "axis", _num(new))
        yield "axis= removed", _replace_keyword(node, "axis", None)


class Keepdims:
    """``keepdims`` toggled, or ``keepdims=True`` added to a reduction along an axis."""

    family = "keepdims"
    REDUCTIONS = {"sum", "mean", "max", "min", "std", "var", "prod", "amax", "amin",
                  "logsumexp", "reduce_sum", "reduce_mean", "reduce_max"}

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if not isinstance(node, ast.Call):
            return
        keep = _keyword(node, "keepdims")
        if keep is not None and isinstance(keep.value, ast.Constant):
            flag = not keep.value.value
            yield f"keepdims={flag}", _replace_keyword(node, "keepdims", ast.Constant(flag))
        elif (keep is None and _keyword(node, "axis") is not None
              and isinstance(node.func, ast.Attribute) and node.func.attr in self.REDUCTIONS):
            yield "keepdims=True added", _replace_keyword(node, "keepdims", ast.Constant(True))


class Reduction:
    """Swapped functions: max <-> min, sum <-> mean, maximum <-> minimum, argmax <-> argmin."""

    family = "reduction"
    SWAPS = {"max": "min", "min": "max", "sum": "mean", "mean": "sum", "maximum": "minimum",
             "minimum": "maximum", "argmax": "argmin", "argmin": "argmax", "amax": "amin",
             "amin": "amax"}

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if not isinstance(node, ast.Call):
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in self.SWAPS:
            new = self.SWAPS[func.attr]
            yield f".{func.attr} -> .{new}", _with(node, func=_with(func, attr=new))
        elif isinstance(func, ast.Name) and func.id in ("max", "min"):
            new = self.SWAPS[func.id]
            yield f"{func.id} -> {new}", _with(node, func=ast.Name(new, ast.Load()))


class Unary:
    """A unary minus (or ``not``) removed, or a minus added to a result or an exponent.

    The sign of an ``axis=`` value is left to :class:`Axis`.
    """

    family = "unary"
    SIGN_SENSITIVE = {"exp", "log", "log1p", "expm1", "tanh", "sqrt"}

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not))
                and not ctx.is_keyword_value(node, "axis")):
            yield f"unary {type(node.op).__name__} removed", node.operand
        if (id(node) in ctx.own_returns and node.value is not None
                and not isinstance(node.value, (ast.Tuple, ast.Constant, ast.UnaryOp))):
            yield "result negated", _with(node, value=ast.UnaryOp(ast.USub(), node.value))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in self.SIGN_SENSITIVE and len(node.args) == 1
                and not isinstance(node.args[0], ast.UnaryOp)):
            yield f"argument of {node.func.attr} negated", _with(
                node, args=[ast.UnaryOp(ast.USub(), node.args[0])])


class ReturnArgument:
    """The graded function returns one of its arguments instead of its result."""

    family = "return_arg"

    def mutate(self, node: ast.AST, ctx: Context) -> Iterator[Replacement]:
        if id(node) not in ctx.own_returns:
            return
        for name in ctx.params:
            if not (isinstance(node.value, ast.Name) and node.value.id == name):
                yield f"returns argument {name}", _with(node, value=ast.Name(name, ast.Load()))


FAMILIES = (Arithmetic(), Comparison(), Constant(), DropTerm(), DropStatement(),
            SwapArguments(), Transpose(), Axis(), Keepdims(), Reduction(), Unary(),
            ReturnArgument())


@dataclass(frozen=True)
class Mutation:
    """One change: ``node`` (a node of the cell's tree) becomes ``replacement`` (None: deleted)."""

    family: str
    label: str
    node: ast.AST
    replacement: ast.AST | None


def solution_regions(source: str) -> list[tuple[int, int]]:
    """Line ranges (1-based, exclusive) between BEGIN / END SOLUTION markers."""
    regions, begin = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            begin = number
        elif line.strip() == END and begin is not None:
            regions.append((begin, number))
            begin = None
    return regions


def _slots(tree: ast.AST) -> Iterator[tuple[ast.AST, Slot]]:
    """Every node below ``tree`` with its slot, in source order (pre-order)."""
    for name, value in ast.iter_fields(tree):
        children = value if isinstance(value, list) else [value]
        for k, child in enumerate(children):
            if isinstance(child, ast.AST):
                yield child, Slot(tree, name, k if isinstance(value, list) else None)
                yield from _slots(child)


def _skipped(node: ast.AST, slot: Slot) -> bool:
    """Nodes no family should touch: f-strings, annotations, assignment targets."""
    return (isinstance(node, ast.JoinedStr) or slot.field in ("annotation", "returns")
            or isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)))


def _graded_function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    return next((n for n in tree.body
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name),
                None)


def _own_returns(function: ast.AST | None) -> set[int]:
    """ids of the Return nodes of ``function`` itself (not of functions nested in it)."""
    found: set[int] = set()
    stack = list(ast.iter_child_nodes(function)) if function else []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            found.add(id(node))
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                 ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def find_mutations(tree: ast.Module, source: str, name: str,
                   families=FAMILIES) -> tuple[list[Mutation], Context]:
    """All mutations of the solution region(s) of a cell, in source order.

    Parameters
    ----------
    tree : the cell as :func:`parse` returns it (mutations refer to its nodes).
    source : the cell's source, for the solution markers.
    name : the graded function's name (its parameters feed ``return_arg``).
    families : operator instances to apply.

    Returns
    -------
    (mutations, ctx) : the mutations and the context that :func:`apply` needs.
    """
    function = _graded_function(tree, name)
    params = [a.arg for a in function.args.posonlyargs + function.args.args] if function else []
    ctx = Context(params=params, own_returns=_own_returns(function))
    regions = solution_regions(source)
    found = []
    in_skipped: set[int] = set()
    for node, slot in _slots(tree):
        ctx.slots[id(node)] = slot
        if id(slot.parent) in in_skipped or _skipped(node, slot):
            in_skipped.add(id(node))
            continue
        lines = (getattr(node, "lineno", None), getattr(node, "end_lineno", None))
        if None in lines or not any(b < lines[0] and lines[1] < e for b, e in regions):
            continue
        for family in families:
            for label, replacement in family.mutate(node, ctx):
                found.append(Mutation(family.family, label, node, replacement))
    return found, ctx


def strip_docstrings(tree: ast.AST) -> ast.AST:
    """Remove the docstrings of ``tree`` in place (editing prose then keeps mutant ids)."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return tree


def parse(source: str) -> ast.Module:
    """``source`` parsed, without docstrings: the tree that mutations are made on."""
    return strip_docstrings(ast.parse(source))


def _reads_as(text: str, code: str) -> bool:
    """Whether ``text`` parses to the code ``code`` (comments, docstrings, layout aside)."""
    try:
        return ast.unparse(parse(text)) == code
    except SyntaxError:
        return False


class _Swap:
    """Context manager: put ``replacement`` in ``node``'s slot, restore it on exit."""

    def __init__(self, slot: Slot, node: ast.AST, replacement: ast.AST | None):
        self.slot, self.node, self.replacement = slot, node, replacement
        self.saved: list | None = None

    def __enter__(self) -> None:
        holder = getattr(self.slot.parent, self.slot.field)
        if self.slot.index is None:
            setattr(self.slot.parent, self.slot.field, self.replacement)
        elif self.replacement is None:
            self.saved = holder
            rest = holder[:self.slot.index] + holder[self.slot.index + 1:]
            setattr(self.slot.parent, self.slot.field, rest or [ast.Pass()])
        else:
            holder[self.slot.index] = self.replacement

    def __exit__(self, *exc) -> None:
        if self.saved is not None:
            setattr(self.slot.parent, self.slot.field, self.saved)
        elif self.slot.index is None:
            setattr(self.slot.parent, self.slot.field, self.node)
        else:
            getattr(self.slot.parent, self.slot.field)[self.slot.index] = self.node


def _splice(lines: list[bytes], node: ast.AST, text: str) -> str:
    """The source with ``node``'s exact span (UTF-8 columns) replaced by ``text``."""
    first, last = node.lineno - 1, node.end_lineno - 1
    head = lines[first][:node.col_offset]
    tail = lines[last][node.end_col_offset:]
    new = lines[:first] + [head + text.encode() + tail] + lines[last + 1:]
    return b"".join(new).decode()


def _delete_lines(lines: list[bytes], node: ast.stmt, alone: bool) -> str:
    """The source without the lines of statement ``node`` (``pass`` if its block empties)."""
    first, last = node.lineno - 1, node.end_lineno - 1
    indent = lines[first][:node.col_offset]
    keep = [indent + b"pass\n"] if alone else []
    return b"".join(lines[:first] + keep + lines[last + 1:]).decode()


def _enclosing_statement(tree: ast.Module, node: ast.AST) -> ast.stmt:
    """The top-level statement of ``tree`` whose lines hold ``node``."""
    return next(s for s in tree.body
                if s.lineno <= node.lineno and node.end_lineno <= s.end_lineno)


def apply(tree: ast.Module, source: str, ctx: Context, mutation: Mutation) -> tuple[str, str]:
    """The mutant's source text and its code (``ast.unparse`` of the mutated tree).

    ``tree`` is ``parse(source)``. The text differs from ``source`` only in the
    mutated span when that reads back as the mutated code (with parentheses if
    needed); otherwise the enclosing top-level statement is re-rendered.
    """
    slot = ctx.slots[id(mutation.node)]
    lines = source.encode().splitlines(keepends=True)
    node = mutation.node
    alone = slot.index is not None and len(getattr(slot.parent, slot.field)) == 1
    outer = _enclosing_statement(tree, node)
    with _Swap(slot, node, mutation.replacement):
        code = ast.unparse(tree)
        if mutation.replacement is None:
            candidates = [_delete_lines(lines, node, alone)]
        else:
            text = ast.unparse(mutation.replacement)
            candidates = [_splice(lines, node, text), _splice(lines, node, f"({text})")]
        for candidate in candidates:
            if _reads_as(candidate, code):
                return candidate, code
        return _splice(lines, outer, ast.unparse(outer)), code
