"""What crosses between the grader and the student's worker, beyond wire's data: errors,
test functions sent as source, in-place changes, TensorFlow and Keras objects.

:mod:`autograde.grading.wire` encodes data (numbers, arrays, lists, dicts); this
module decides what the grader makes of the rest: the student's exception comes
back as the same built-in type (or :class:`StudentError`), a test's
self-contained function may travel as source (:func:`portable_source`), the
student's in-place changes are copied into the test's arrays
(:func:`write_back`), and packed tensors and Keras models are rebuilt
(:func:`unpack`).
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import linecache
import sys
from typing import Any

import numpy as np

from autograde.grading import wire


class StudentError(Exception):
    """The student's code raised an exception that is not a built-in one."""


def rebuild_error(error: dict) -> Exception:
    ename, message = str(error.get("ename", "Error")), str(error.get("message", ""))
    cls = getattr(builtins, ename, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls is not StopIteration:
        try:
            exc = cls(message)
        except TypeError:  # built-ins with other constructors, e.g. UnicodeDecodeError
            exc = StudentError(f"{ename}: {message}")
    else:
        exc = StudentError(f"{ename}: {message}")
    tb = str(error.get("traceback", "")).rstrip()
    if tb.strip():
        exc.add_note("Traceback from your code (most recent call last):\n" + tb)
    return exc


def portable_source(fn: Any, portable_globals: set[str]) -> tuple[str, str] | None:
    """The source of a test's function that may run in the worker, or None.

    A function qualifies when it was defined in a test cell (its source is in
    ``linecache``), closes over nothing and uses no global but the setup
    cell's names (``np``, ``tf``, ...): then it computes the same thing on
    either side, and running it in the worker lets the student's code use it
    inside a ``tf.GradientTape``. Anything else (a function that records its
    calls in a test's list, say) is called back in the grader instead.
    Returns ``(kind, source)`` with kind "def" or "lambda".
    """
    if not inspect.isfunction(fn) or fn.__closure__:
        return None
    try:
        refs = inspect.getclosurevars(fn)
    except (TypeError, ValueError):
        return None
    if refs.nonlocals or not set(refs.globals) <= portable_globals:
        return None
    text = "".join(linecache.getlines(fn.__code__.co_filename))
    if not text:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    line = fn.__code__.co_firstlineno
    for node in ast.walk(tree):
        if fn.__name__ == "<lambda>" and isinstance(node, ast.Lambda) and node.lineno == line:
            segment = ast.get_source_segment(text, node)
            if segment and _same_code(compile(segment, "<shipped>", "eval"), fn.__code__):
                return "lambda", segment
        elif isinstance(node, ast.FunctionDef) and node.name == fn.__name__ and \
                (node.decorator_list[0].lineno if node.decorator_list else node.lineno) == line:
            node.decorator_list = []
            return "def", ast.unparse(node)
    return None


def _same_code(expression: Any, code: Any) -> bool:
    lambdas = [c for c in expression.co_consts if inspect.iscode(c)]
    return any(c.co_code == code.co_code and c.co_varnames == code.co_varnames for c in lambdas)


def write_back(inputs: list[np.ndarray], reply: dict, blobs: list[bytes]) -> None:
    """Copy the worker's in-place changes of the test's arrays into the test's arrays."""
    for entry in reply.get("mutated") or []:
        try:
            index, blob = int(entry[0]), int(entry[1])
            changed = wire.blob_array(blobs[blob])
            target = inputs[index]
            if changed.shape == target.shape and target.flags.writeable:
                target[...] = changed
        except (IndexError, TypeError, ValueError, wire.WireError):
            continue


class KerasRebuildError(Exception):
    """A model from the student's code could not be rebuilt from its config."""


def unpack(tag: str, payload: Any) -> Any:
    """Rebuild a packed object in the grader: a TensorFlow tensor or variable from its
    values, a Keras model from its config and weights."""
    if tag not in ("keras", "tensor") or not isinstance(payload, dict):
        raise wire.WireError(f"unknown packed object {tag!r}")
    from nnutils.tfsetup import quiet_tensorflow
    if tag == "tensor":    # the test's setup imported TensorFlow: do not seed it again
        value = payload.get("value")
        if type(value) is not np.ndarray:
            raise wire.WireError("a packed tensor must hold an array")
        tf = sys.modules.get("tensorflow") or quiet_tensorflow()[0]
        return tf.Variable(value) if payload.get("variable") else tf.constant(value)
    if "keras" not in sys.modules:
        quiet_tensorflow()
    from nnutils.tfsetup import rebuild_model
    try:
        return rebuild_model(str(payload["config"]), list(payload["weights"]),
                             json.loads(payload["compile"]) if payload.get("compile") else {})
    except (ValueError, TypeError, KeyError) as err:
        raise KerasRebuildError(f"the Keras model could not be rebuilt from its config "
                                f"({err}); build it from keras.layers only") from None
