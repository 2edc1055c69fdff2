"""Assertion helpers that the notebooks' graded tests call.

Every check raises :class:`CheckFailed` (an ``AssertionError``) with a message
written for a student: it names the function and the input, then says what was
expected and what came back, and for arrays where the worst entry is.  Checks
go from coarse to fine: ``None`` or wrong type, then shape, then finiteness,
then values, so the first message is the most useful one.

A test cell typically reads::

    got = call(sigmoid, z)                       # quiet, explains NotImplementedError
    check_close("sigmoid(z)", got, expected, inputs={"z": z})
    passed("sigmoid")

Stock nbgrader scores a graded cell zero when it writes to stderr, so
:func:`call` silences warnings and captures anything the student's function
prints while it is being tested.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import warnings
from fractions import Fraction
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

__all__ = [
    "CheckFailed",
    "Blamed",
    "call",
    "as_array",
    "check_type",
    "check_shape",
    "check_finite",
    "check_close",
    "check_equal",
    "check_rows_sum_to_one",
    "check_in_range",
    "check_unchanged",
    "call_pure",
    "check_returns",
    "check_true",
    "passed",
    "depends_on",
    "using",
    "check_answered",
    "check_answer",
]


class CheckFailed(AssertionError):
    """A test found a mistake. The message is meant to be read by the student."""


class Blamed(CheckFailed):
    """A test of ``exercise`` failed, and ``earlier``, a function it calls, is wrong
    (raised by :func:`depends_on`; the grader may then judge ``exercise`` alone)."""

    def __init__(self, message: str, exercise: str, earlier: str):
        super().__init__(message)
        self.exercise, self.earlier = exercise, earlier


def _fmt(value: Any) -> str:
    """Short, readable text for a number or a small array."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        item = arr.item()
        if isinstance(item, float):
            return f"{item:.6g}"
        return repr(item)
    with np.printoptions(precision=6, suppress=False, threshold=12, edgeitems=3):
        return np.array2string(arr, separator=", ")


def _a(word: str) -> str:
    """'a list', 'an int', 'an ndarray': the word with its article."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _where(index: tuple[int, ...]) -> str:
    return "" if index == () else f" at index {tuple(int(i) for i in index)}"


def _describe_inputs(inputs: Mapping[str, Any] | None, index: tuple[int, ...] | None = None,
                     shape: tuple[int, ...] | None = None) -> str:
    """'with z of shape (3, 4)' or, when the input lines up with the output, its value there."""
    if not inputs:
        return ""
    parts = []
    for key, value in inputs.items():
        arr = np.asarray(value) if not callable(value) else None
        if arr is None or arr.dtype == object:
            parts.append(f"{key}={value!r}" if np.isscalar(value) else key)
        elif arr.ndim == 0:
            parts.append(f"{key}={_fmt(arr)}")
        elif index is not None and shape is not None and arr.shape == shape:
            parts.append(f"{key}{list(int(i) for i in index)} = {_fmt(arr[index])}")
        else:
            parts.append(f"{key} of shape {arr.shape}")
    return " (input: " + ", ".join(parts) + ")"


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a student's function quietly and return its result.

    Warnings (``RuntimeWarning: overflow`` and the like) and anything the
    function prints are swallowed, because stock nbgrader scores a test cell
    zero when it writes to stderr. A ``NotImplementedError`` is re-raised
    with a sentence telling the student what to do; any other exception keeps
    its traceback and gains a note saying which call raised it.
    """
    name = getattr(fn, "__name__", repr(fn))
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except NotImplementedError as err:
        inner = _raised_in(err)
        who = f"`{name}`" if inner in (None, name) else f"`{inner}` (which `{name}` calls)"
        raise NotImplementedError(
            f"{who} is not implemented yet: replace `raise NotImplementedError()` "
            f"in its cell with your code, run that cell, then run this test again."
        ) from None
    except Exception as err:  # keep the student's traceback, add where it happened
        shapes = ", ".join(
            f"shape {np.shape(a)}" if isinstance(a, np.ndarray) else type(a).__name__
            for a in args
        )
        err.add_note(f"(raised inside `{name}` while the test called it with: {shapes})")
        raise


_FRAME = re.compile(r"line \d+, in (\w+)")


def _raised_in(err: BaseException) -> str | None:
    """The function an exception was raised in: the innermost frame of the student's
    traceback (kept as a note when the grader ran the code in another process), else of
    the local one."""
    frames = _FRAME.findall("\n".join(getattr(err, "__notes__", ())))
    if frames:
        return frames[-1]
    tb, name = err.__traceback__, None
    while tb is not None:
        name, tb = tb.tb_frame.f_code.co_name, tb.tb_next
    return name


def as_array(name: str, got: Any) -> np.ndarray:
    """Turn a student's result into a plain NumPy array of numbers, or explain why not.

    Accepts Python numbers, lists, NumPy scalars and arrays of any numeric
    dtype (views included). Rejects ``None`` (a forgotten ``return``),
    strings and other objects.
    """
    if got is None:
        raise CheckFailed(f"{name} returned None: did you forget the `return` statement?")
    try:
        arr = np.array(got, copy=True, subok=False)
    except Exception as err:  # e.g. ragged lists
        raise CheckFailed(
            f"{name} returned {_a(type(got).__name__)} that NumPy cannot read as an array "
            f"of numbers ({err})."
        ) from None
    if arr.dtype.kind not in "biuf":
        raise CheckFailed(
            f"{name} should return numbers, but returned {_a(type(got).__name__)} "
            f"with dtype {arr.dtype}."
        )
    return arr


def check_type(name: str, got: Any, expected_type: type | tuple[type, ...]) -> None:
    """Fail unless ``got`` is an instance of ``expected_type``."""
    if got is None:
        raise CheckFailed(f"{name} returned None: did you forget the `return` statement?")
    if not isinstance(got, expected_type):
        names = (expected_type,) if isinstance(expected_type, type) else expected_type
        wanted = " or ".join(t.__name__ for t in names)
        raise CheckFailed(f"{name} should be {_a(wanted)}, but it is "
                          f"{_a(type(got).__name__)}.")


def check_shape(name: str, got: Any, expected_shape: tuple[int, ...],
                inputs: Mapping[str, Any] | None = None) -> np.ndarray:
    """Fail unless ``got`` has exactly ``expected_shape``; return it as an array."""
    arr = as_array(name, got)
    expected_shape = tuple(expected_shape)
    if arr.shape != expected_shape:
        hint = ""
        if arr.size == int(np.prod(expected_shape)):
            hint = " It has the right number of entries: check for a transpose or a reshape."
        elif arr.ndim == len(expected_shape) + 1 or arr.ndim + 1 == len(expected_shape):
            hint = " Check the `axis` you reduce over and whether you keep dimensions."
        raise CheckFailed(
            f"{name} has shape {arr.shape}, expected {expected_shape}"
            f"{_describe_inputs(inputs)}.{hint}"
        )
    return arr


def check_finite(name: str, got: Any, inputs: Mapping[str, Any] | None = None) -> np.ndarray:
    """Fail if ``got`` holds nan or inf; the message says where the first one is."""
    arr = as_array(name, got)
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(np.argwhere(bad)[0]) if arr.ndim else ()
        value = arr[index] if arr.ndim else arr
        raise CheckFailed(
            f"{name} is {_fmt(value)}{_where(index)}"
            f"{_describe_inputs(inputs, index, arr.shape)}; expected a finite number. "
            + _finite_hint(name, float(value))
        )
    return arr


_LOG_WORDS = ("log", "entropy", "loss", "likelihood", "bce", "cost")


def _finite_hint(name: str, value: float) -> str:
    """Where such a value usually comes from: in a loss or a log, ``np.log`` of 0 (inf)
    or of a negative number (nan); elsewhere an ``np.exp`` that overflowed (inf), or a
    0/0 or inf/inf (nan)."""
    if any(word in name.lower() for word in _LOG_WORDS):
        if np.isnan(value):
            return ("In NumPy 0 * np.log(0) is 0 * -inf = nan (a 0 label times the log of a "
                    "probability of 0), and `np.log` of a negative number is nan: clip the "
                    "probabilities away from 0 before the log, e.g. np.clip(p, 1e-12, 1).")
        return ("`np.log(0)` is -inf: clip the argument of `np.log` away from 0, e.g. "
                "np.clip(p, 1e-12, 1).")
    overflow = ("Large inputs overflow `np.exp`: rewrite the formula so that it only "
                "exponentiates numbers <= 0.")
    if np.isnan(value):   # 0/0, inf - inf or inf/inf: an overflow is one way to get there
        return "nan comes from 0/0, inf - inf or inf/inf. " + overflow.replace(
            "Large inputs", "If it is not a division by zero, large inputs")
    return overflow


def check_close(name: str, got: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-8,
                inputs: Mapping[str, Any] | None = None,
                likely: Mapping[str, Any] | None = None, hint: str = "") -> None:
    """Fail unless ``got`` matches ``expected`` entry by entry.

    Order: None/type, shape, nan/inf, then values. The value message gives the
    worst entry (index, got, expected), how many entries are off, and the
    matching input entry when an input has the same shape as the output.
    Any real dtype is accepted (``float32``, ``int``, ``bool``).

    ``likely`` maps a hint to the answer a known mistake gives (any shape): when
    ``got`` is that answer, the message ends with the hint, e.g.
    ``likely={"the arguments look swapped: P comes first": loss(Y, P)}``. ``hint`` ends
    the message whenever the values are off and no known mistake matched (the
    requirement the case tests, e.g. "shuffle with rng.permutation(m) every epoch").
    """
    expected = np.asarray(expected, dtype=np.float64)
    known = _likely_hint(got, likely, rtol, atol) if likely else ""
    if known:
        arr = as_array(name, got)
        if arr.shape != expected.shape:
            raise CheckFailed(f"{name} has shape {arr.shape}, expected {expected.shape}"
                              f"{_describe_inputs(inputs)}. {known}")
    arr = check_shape(name, got, expected.shape, inputs).astype(np.float64)
    if np.isfinite(expected).all():
        try:
            check_finite(name, arr, inputs)
        except CheckFailed as err:
            raise CheckFailed(f"{err} {known}" if known else str(err)) from None
    off = ~np.isclose(arr, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not off.any():
        return
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: not off, masked
        err = np.where(off, np.abs(arr - expected), -np.inf)
    err = np.where(np.isnan(err), np.inf, err)
    index = np.unravel_index(int(np.argmax(err)), arr.shape) if arr.ndim else ()
    count = f" ({int(off.sum())} of {arr.size} entries are off)" if arr.size > 1 else ""
    shown, wanted = _fmt(arr[index]), _fmt(expected[index])
    if shown == wanted:   # a tight tolerance: show the digits where they differ
        shown, wanted = f"{arr[index]:.15g}", f"{expected[index]:.15g}"
    raise CheckFailed(
        f"{name} is {shown}{_where(index)}, expected {wanted}"
        f"{_describe_inputs(inputs, index, arr.shape)}{count}."
        + (f" {known}" if known else size_hint(arr, expected) + (f" {hint}" if hint else ""))
    )


def _likely_hint(got: Any, likely: Mapping[str, Any], rtol: float, atol: float) -> str:
    """The hint of the first known mistake whose answer ``got`` is, or ''."""
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return ""
    for hint, wrong in likely.items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == arr.shape and np.allclose(arr, wrong, rtol=max(rtol, 1e-6),
                                                    atol=atol, equal_nan=True):
            return hint
    return ""


def _whole(x: float) -> int | None:
    """``x`` as a whole number >= 2 when it is one (to 1e-6), else None."""
    n = round(x)
    return n if n >= 2 and abs(x - n) <= 1e-6 * n else None


def size_hint(got: np.ndarray, expected: np.ndarray) -> str:
    """What the size of the error says, when it says something: every entry off by the
    same amount (a bias), or by the same factor (a mean instead of a sum, a 1/2 too
    many), the opposite sign, or a transposed matrix. '' when the error has no such
    pattern."""
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and np.allclose(got.T, expected):
        return " It is the transpose of the expected matrix: check the order of the axes."
    if not np.isfinite(got).all() or not np.isfinite(expected).all():
        return ""
    offset = (got - expected).reshape(-1)
    varied = expected.size >= 2 and not np.allclose(expected, expected.flat[0])
    if varied and abs(offset[0]) > 1e-12 and np.allclose(offset, offset[0], rtol=1e-6,
                                                         atol=1e-12):
        return (f" Every entry is off by the same {float(offset[0]):+.4g}: a constant "
                f"added or left out (a bias, a shift).")
    nonzero = np.abs(expected) > 1e-12
    # One number off by a whole factor is as often a coincidence as a cause: only a
    # ratio that two or more entries share says something.
    if nonzero.sum() < 2 or not np.allclose(got[~nonzero], 0.0, atol=1e-12):
        return ""
    ratios = got[nonzero] / expected[nonzero]
    ratio = float(ratios.mean())
    if ratio == 0 or not np.allclose(ratios, ratio, rtol=1e-6, atol=0.0) or np.isclose(ratio, 1):
        return ""
    if np.isclose(ratio, -1.0):
        return " Every entry has the opposite sign: check the sign of your formula."
    many, few = _whole(abs(ratio)), _whole(1 / abs(ratio))
    if many or few:
        factor = f"{many} times" if many else f"1/{few} of"
        return (f" It is {'minus ' if ratio < 0 else ''}{factor} the expected value: look for "
                f"a constant you left out or added (a sum instead of a mean, a factor 1/2).")
    return (f" Every entry is {ratio:.4g} times the expected one: one constant factor is "
            f"off (a sum instead of a mean, a factor 1/2, a scale you left out).")


def check_equal(name: str, got: Any, expected: Any,
                inputs: Mapping[str, Any] | None = None) -> None:
    """Exact comparison for counts, labels and 0/1 outputs (``True`` counts as 1)."""
    expected = np.asarray(expected)
    arr = check_shape(name, got, expected.shape, inputs)
    off = arr != expected
    if not np.any(off):
        return
    index = tuple(np.argwhere(off)[0]) if arr.ndim else ()
    count = f" ({int(np.sum(off))} of {arr.size} entries are off)" if arr.size > 1 else ""
    raise CheckFailed(
        f"{name} is {_fmt(arr[index])}{_where(index)}, expected {_fmt(expected[index])}"
        f"{_describe_inputs(inputs, index, arr.shape)}{count}."
    )


def check_rows_sum_to_one(name: str, got: Any, *, atol: float = 1e-6) -> None:
    """Fail unless every slice along the last axis sums to 1: 'row 0 of softmax(z) sums to 2'."""
    arr = as_array(name, got).astype(np.float64)
    sums = arr.sum(axis=-1) if arr.ndim else arr
    off = ~(np.abs(sums - 1.0) <= atol)  # a nan sum is off too
    if np.any(off):
        index = tuple(int(i) for i in np.argwhere(off)[0]) if np.ndim(sums) else ()
        row = f"row {index[0] if len(index) == 1 else index}" if index else "the output"
        raise CheckFailed(
            f"{row} of {name} sums to {_fmt(np.asarray(sums)[index])}, expected 1. "
            f"Normalise along the last axis (axis=-1) with keepdims=True."
        )


def check_in_range(name: str, got: Any, low: float, high: float, *,
                   inclusive: bool = True) -> None:
    """Fail unless every entry lies in [low, high] (or (low, high) when not inclusive)."""
    arr = as_array(name, got)
    inside = (arr >= low) & (arr <= high) if inclusive else (arr > low) & (arr < high)
    if not np.all(inside):
        index = tuple(np.argwhere(~inside)[0]) if arr.ndim else ()
        bounds = f"[{low}, {high}]" if inclusive else f"({low}, {high})"
        raise CheckFailed(
            f"{name} is {_fmt(arr[index])}{_where(index)}, outside the range {bounds}."
        )


def call_pure(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """:func:`call`, then fail if ``fn`` changed one of its array arguments in place
    (the message names the argument by its position or keyword, and its shape)."""
    arrays = [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())
    arrays = [(where, a, a.copy()) for where, a in arrays if isinstance(a, np.ndarray)]
    result = call(fn, *args, **kwargs)
    name = getattr(fn, "__name__", repr(fn))
    for where, after, before in arrays:
        check_unchanged(f"{name} ({where}, of shape {before.shape})", before, after)
    return result


def check_returns(name: str, got: Any, fields: Sequence[str]) -> tuple:
    """Fail unless ``got`` is a tuple (or list) of ``len(fields)`` values; return it as a
    tuple, e.g. ``params, history = check_returns("train_mlp(...)", got, ("params",
    "history"))``."""
    if got is None:
        raise CheckFailed(f"{name} returned None: did you forget the `return` statement? It "
                          f"should return a tuple ({', '.join(fields)}).")
    if not isinstance(got, (tuple, list)) or len(got) != len(fields):
        what = (f"a {type(got).__name__} of {len(got)}" if isinstance(got, (tuple, list))
                else _a(type(got).__name__))
        raise CheckFailed(f"{name} should return a tuple ({', '.join(fields)}), but returned "
                          f"{what}.")
    return tuple(got)


def check_unchanged(name: str, before: Any, after: Any) -> None:
    """Fail if a function modified its input in place (``before`` is a copy taken earlier)."""
    if not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True):
        raise CheckFailed(
            f"{name} changed its input array in place. Build and return a new array "
            f"instead (for example with np.where or np.maximum) so the caller's data "
            f"stays as it was."
        )


def check_true(condition: Any, message: str) -> None:
    """Fail with ``message`` unless ``condition`` is true (for checks no helper covers)."""
    if not bool(condition):
        raise CheckFailed(message)


def passed(name: str, hidden: bool = False) -> None:
    """Print the one line a student looks for when a test cell succeeds.

    A public test says that it is not the whole story: the hidden tests, which
    try other sizes and the edge cases, run only when the notebook is graded.
    Hidden test cells call it with ``hidden=True`` inside their hidden block, so
    the released notebook never prints a pass for tests it does not contain.
    """
    if hidden:
        print(f"\u2714 {name}: hidden tests passed.")
    else:
        print(f"\u2714 {name}: public tests passed; more tests run when graded.")


@contextlib.contextmanager
def depends_on(exercise: str, **checks: Callable[[], None] | tuple) -> Iterator[None]:
    """Blame the earlier function when a test of a later exercise fails because of it.

    ``checks`` maps the name of each earlier function ``exercise`` calls to a small check
    of it: a callable that raises :class:`CheckFailed` when that function is wrong, or
    ``(function, args, expected)``, which checks ``function(*args)`` against ``expected``
    with :func:`check_close`. They run only when the block fails; the first that fails
    turns the failure into a message that says which earlier function to fix first::

        with depends_on("perceptron_predict", weighted_sum=(weighted_sum, (X, w, b), z)):
            check_equal("perceptron_predict(X, w, b)", call(perceptron_predict, X, w, b), y)
    """
    try:
        yield
    except NotImplementedError:    # nothing to blame yet: call() names the missing function
        raise
    except Exception as failure:   # a failed check, or a crash inside the earlier function
        for earlier, check in checks.items():
            try:
                _run_check(earlier, check)
            except Exception as err:
                why = str(err).strip() or type(err).__name__
                raise Blamed(
                    f"{exercise} failed ({_first_sentence(failure)}), and it calls {earlier}, "
                    f"which is wrong: {why}{'' if why.endswith(('.', '!', '?')) else '.'} Fix "
                    f"{earlier} first (its own test says more), then run this test again.",
                    exercise, earlier) from None
        raise


def _run_check(earlier: str, check: Callable[[], None] | tuple) -> None:
    if callable(check):
        check()
        return
    fn, args, expected = check
    check_close(f"{earlier}{_fmt_args(args)}", call(fn, *args), expected)


def _fmt_args(args: tuple) -> str:
    """'(x, y)' on one line: small arrays by value, others by shape."""
    return "(" + ", ".join(" ".join(_fmt(a).split()) if np.size(a) <= 6 else
                           f"an array of shape {np.shape(a)}" for a in args) + ")"


def _first_sentence(err: BaseException) -> str:
    text = str(err).strip().rstrip(".") or type(err).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# The grader puts a function under this name in the namespace its test cells run in: it
# defines code in the student's process (where the student's functions look their
# callees up) and returns how to undo it. A plain kernel has no such entry.
DEFINE_HOOK = "__nnutils_define__"


@contextlib.contextmanager
def using(namespace: dict, *sources: str) -> Iterator[None]:
    """Within the block, the functions the ``sources`` define (the text of reference
    ``def`` statements) replace the student's, so that a test of a later exercise judges
    that exercise alone and one wrong earlier function does not cost points twice.

    ``namespace`` is the test cell's ``globals()``. Afterwards the student's functions
    are back as they were. In hidden tests only: the sources are the reference code.
    """
    source = "\n\n".join(sources)
    define = namespace.get(DEFINE_HOOK)
    if define is not None:
        undo = define(source)
    else:
        names = [node.name for node in ast.parse(source).body
                 if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
        saved = {name: namespace[name] for name in names if name in namespace}
        exec(compile(source, "<reference>", "exec"), namespace)  # noqa: S102

        def undo() -> None:
            for name in names:
                namespace.pop(name, None)
            namespace.update(saved)
    try:
        yield
    finally:
        undo()


def _unanswered(got: Any) -> bool:
    return got is Ellipsis or got is None


def check_answered(name: str, got: Any) -> None:
    """The visible line of a self-check question's hidden test: fail with
    ``NotImplementedError`` while the answer still reads ``name = ...``, else say that
    the answer is graded (with its explanation) when the notebook is."""
    if _unanswered(got):
        raise NotImplementedError(
            f"{name} is not answered yet: replace the ... in `{name} = ...` with your "
            f"answer, run that cell, then run this one again.")
    print(f"{name}: answer recorded; it is graded, with an explanation, when you submit.")


_TOKENS = re.compile(r"[\s,;/()\[\]{}'\"]+")     # between the letters of a choice
_NUMBER_GAPS = re.compile(r"[\s,;()\[\]]+")       # between numbers ("/" makes fractions)


def _letters(name: str, got: Any, choices: str) -> set[str]:
    """The choice letters of an answer: 'b', ' B ', '(b)', 'a, c', 'ac', ['a', 'c']."""
    items = [got] if isinstance(got, str) else list(got) if isinstance(
        got, (list, tuple, set, frozenset)) else None
    if items is None or not all(isinstance(i, str) for i in items):
        raise CheckFailed(f"{name} should be the letter of a choice ({', '.join(choices)}) "
                          f"in quotes, for example {name} = \"{choices[0]}\"; it is "
                          f"{got!r}.")
    tokens = [t for item in items for t in _TOKENS.split(item.lower()) if t and t != "and"]
    letters = {ch for t in tokens for ch in t}
    if not tokens or not letters <= set(choices):
        raise CheckFailed(f"{name} = {got!r} is not one of the choices {', '.join(choices)}: "
                          f"answer with the letter, for example {name} = \"{choices[0]}\".")
    return letters


def _numbers(name: str, got: Any) -> np.ndarray:
    """An answer as numbers: 32, 32.0, np.int64(32), '32', '1/2', (28, 28), '(28, 28)'."""
    if isinstance(got, str):
        try:
            return np.array([float(Fraction(t)) for t in _NUMBER_GAPS.split(got) if t],
                            dtype=float)
        except (ValueError, ZeroDivisionError):
            raise CheckFailed(f"{name} should be a number; {got!r} is not one. Write it "
                              f"without units or words, for example {name} = 0.5.") from None
    try:
        return np.array(got, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number, but it is "
                          f"{_a(type(got).__name__)}.") from None


_YES, _NO = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}


def _truth(name: str, got: Any) -> bool:
    """A yes/no answer: True, np.True_, 1, 'yes', 'False'."""
    text = str(got).strip().lower()
    if isinstance(got, (bool, np.bool_, int, np.integer, str)) and text in _YES | _NO:
        return text in _YES
    raise CheckFailed(f"{name} should be True or False; it is {got!r}.")


def check_answer(name: str, got: Any, expected: Any, why: str, *, choices: str | None = None,
                 rtol: float = 1e-3) -> None:
    """Grade a self-check question's answer and explain it either way.

    ``expected`` is a number or a tuple of numbers (compared to ``rtol``), a bool, or,
    with ``choices`` (the letters offered, e.g. "abcd"), a letter or a set of letters
    ("all that apply"). The usual ways of writing an answer are accepted (see
    ``_letters``, ``_numbers``, ``_truth``). ``why`` is the explanation, printed on
    success and included in the failure message.
    """
    if _unanswered(got):
        raise CheckFailed(f"{name} is not answered: replace the ... with your answer. {why}")
    if choices is not None:
        want = {expected} if isinstance(expected, str) else set(expected)
        right, shown = _letters(name, got, choices) == want, ", ".join(sorted(want))
    elif isinstance(expected, bool):
        right, shown = _truth(name, got) == expected, str(expected)
    else:
        want = np.array(expected, dtype=float).reshape(-1)
        numbers = _numbers(name, got)
        right = numbers.shape == want.shape and np.allclose(numbers, want, rtol=rtol, atol=1e-12)
        shown = _fmt(want if want.size > 1 else want[0])
    if not right:
        plain = got.item() if isinstance(got, np.generic) else got
        raise CheckFailed(f"{name}: your answer {plain!r} is not right; the answer is {shown}. "
                          f"{why}")
    print(f"\u2714 {name}: right. {why}")


def keras_model_copy(name: str, model: Any) -> tuple[Any, dict]:
    """Rebuild a student's Keras model in the test's own process, from data only.

    A test never inspects (or trains) the returned model itself: it works on a
    copy built from the model's data, through the same two functions the
    autograder uses when a model crosses from the student's sandbox
    (:func:`nnutils.tfsetup.model_parts` and :func:`nnutils.tfsetup.rebuild_model`,
    Keras's safe mode: no Python code is loaded). Call it after
    :func:`nnutils.tfsetup.quiet_tensorflow`, as the notebooks' setup cell does.

    Parameters
    ----------
    name : how messages refer to the model, e.g. "build_mlp([784, 16, 16, 10])".
    model : what the student's function returned.

    Returns
    -------
    copy : a new ``keras.Model`` with the student's layers and weights, compiled
        like the student's model when that was compiled.
    compile_config : dict of the compile settings ({} when the model was not compiled).

    Raises
    ------
    CheckFailed : for None, an object that is not a Keras model, a model that cannot
        be rebuilt from its configuration, and a model without weights (no input
        size given, so Keras has not created them yet).
    """
    if model is None:
        raise CheckFailed(f"{name} returned None: did you forget the `return` statement?")
    if not callable(getattr(model, "to_json", None)):
        raise CheckFailed(f"{name} should return a Keras model (for example "
                          f"keras.Sequential([...])), but returned {_a(type(model).__name__)}.")
    from nnutils.tfsetup import model_parts, rebuild_model

    architecture, weights, compile_config = call(model_parts, model)
    if not weights:
        raise CheckFailed(f"{name} returned a model without weights: Keras creates them once it "
                          f"knows the input size. Start the model with keras.Input(shape=...).")
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            copy = rebuild_model(architecture, weights, compile_config)
        except ValueError as err:
            raise CheckFailed(f"{name}: the returned model could not be rebuilt from its "
                              f"configuration ({err}). Use only built-in Keras layers, "
                              f"losses and optimizers.") from None
    return copy, compile_config


__all__.append("keras_model_copy")
