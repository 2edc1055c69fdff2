"""The student's side of grading: runs inside the sandbox, executes cells, serves calls.

Started by the grader as ``python -m autograde.grading.worker IN_FD OUT_FD
OUTPUT_CHARS`` with two pipe ends and the printed output to keep per cell
(``Limits.output_kb``). It reads requests and answers each with one message:

- ``{"op": "exec", "source": ...}``: run a cell in an IPython shell (magics
  work); answer with its captured output and error, if any;
- ``{"op": "define", "source": ...}``, ``{"op": "undefine"}``: the test's reference
  functions in place of the student's for a while (``nnutils.checks.using``);
- ``{"op": "names"}``: the student's global names, and which are callable;
- ``{"op": "get", "name": ...}``: a global's value;
- ``{"op": "call", "target": ..., "args": ..., "kwargs": ...}``: call a global
  or a kept object; ``{"op": "attr"}``, ``{"op": "item"}``, ``{"op": "len"}``
  read from a kept object; ``{"op": "retire", "functions": {name: why}}``
  replaces functions that stopped an earlier worker; ``mark`` and ``reset``
  keep a warm worker for trusted runs of many variants. While a call runs, the
  worker may ask the grader to call one of the grader's callables
  (``{"op": "callback"}``).

Nothing here is trusted by the grader: whatever comes back is only the
student's answer, judged on the grader's side.
"""

from __future__ import annotations

import ast
import contextlib
import faulthandler
import functools
import io
import json
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from autograde.grading import wire

_REAL_EXIT = os._exit
MAX_FIGURE_BYTES = 256_000    # a larger PNG is dropped


def _figures() -> list[bytes]:
    """The figures the cell showed or left open, as small PNGs (the headless backend
    renders them, see :mod:`autograde.mplbackend`): what the student drew goes back into
    the autograded notebook and the feedback."""
    backend = sys.modules.get("autograde.mplbackend")
    if backend is None:
        return []
    return [png for png in backend.take() if len(png) <= MAX_FIGURE_BYTES]


class CappedText(io.TextIOBase):
    """A text sink that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.kept, self.dropped = limit, [], 0
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self._size
        if room > 0:
            self.kept.append(text[:room])
            self._size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        note = f"\n[... {self.dropped:,} more characters of output not kept]" \
            if self.dropped else ""
        return "".join(self.kept) + note


class StudentKernel:
    """The student's side: their namespace, the objects handed out, and the channel."""

    def __init__(self, rfile, wfile, output_limit: int):
        self.rfile, self.wfile, self.output_limit = rfile, wfile, output_limit
        self.kept: dict[int, Any] = {}
        self.generators: list[np.random.Generator] = []   # copies of the test's generators
        self.marked: dict[str, Any] = {}
        self.replaced: list[tuple[dict[str, Any], list[str]]] = []   # see op_define
        self.shell = self._make_shell()

    @staticmethod
    def _make_shell():
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance(colors="nocolor", autocall=0)
        shell.showtraceback = lambda *args, **kwargs: None   # errors are reported as data
        return shell

    # values ---------------------------------------------------------------
    def _to_ref(self, obj: Any) -> wire.Ref | wire.Packed:
        if isinstance(obj, _Opaque):
            obj = obj.obj
        elif _is_keras_model(obj):
            return _pack_keras(obj)
        else:
            tensor = _pack_tensor(obj)
            if tensor is not None:
                return tensor
        key = id(obj)
        self.kept[key] = obj
        return wire.Ref("object", key, type(obj).__name__)

    def _from_ref(self, ref: wire.Ref) -> Any:
        if ref.kind == "object":
            if ref.id not in self.kept:
                raise wire.WireError("unknown object reference")
            return self.kept[ref.id]
        if ref.kind == "callable":
            return _Callback(self, ref)
        if ref.kind == "global":
            return self.shell.user_ns[ref.type_name]
        raise wire.WireError(f"unknown reference kind {ref.kind!r}")

    def encode(self, value: Any) -> tuple[Any, list[bytes]]:
        blobs: list[bytes] = []
        return wire.encode(value, blobs, self._to_ref), blobs

    def decode(self, value: Any, blobs: list[bytes]) -> Any:
        return wire.decode(value, blobs, self._from_ref, unpack=self._unpack)

    def _unpack(self, tag: str, payload: Any) -> Any:
        """A generator sent as its state (its copy's state goes back after the call),
        or a test's self-contained function sent as source (run here, e.g. in a tape)."""
        if tag == "function" and isinstance(payload, dict):
            return self._function(str(payload.get("kind")), str(payload.get("source")))
        if tag != "rng" or not isinstance(payload, dict):
            raise wire.WireError(f"unknown packed object {tag!r}")
        bit_generator = getattr(np.random, str(payload.get("bit_generator")), None)
        if not (isinstance(bit_generator, type)
                and issubclass(bit_generator, np.random.BitGenerator)):
            raise wire.WireError("unknown bit generator")
        bits = bit_generator()
        bits.state = payload
        gen = np.random.Generator(bits)
        self.generators.append(gen)
        return gen

    # requests -------------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                header, blobs = wire.receive(self.rfile)
            except wire.WireError:
                return
            if header.get("op") == "bye":
                return
            self.dispatch(header, blobs)

    def dispatch(self, header: dict, blobs: list[bytes]) -> None:
        """Answer one request (also while waiting for a callback: requests may nest)."""
        op = header.get("op")
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            self.reply({"ok": False, "error": _error_dict("ProtocolError", f"bad op {op}")})
        else:
            handler(header, blobs)

    def reply(self, header: dict, blobs: list[bytes] = ()) -> None:
        states = [g.bit_generator.state for g in self.generators]
        self.generators = []
        wire.send(self.wfile, dict(header, op="reply", rng_states=states), blobs)

    def op_exec(self, header: dict, blobs: list[bytes]) -> None:
        out = CappedText(self.output_limit)
        error = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                result = self.shell.run_cell(header["source"], store_history=False)
                if result.error_before_exec or result.error_in_exec:
                    raise result.error_before_exec or result.error_in_exec
            except BaseException as err:  # any failure of the student's cell is reported
                error = _error_dict(type(err).__name__, str(err), err)
            figures = _figures()
        self.reply({"ok": error is None, "output": out.getvalue(), "error": error}, figures)

    def op_names(self, header: dict, blobs: list[bytes]) -> None:
        ns = self.shell.user_ns
        hidden = set(self.shell.user_ns_hidden)
        names = {k: callable(v) for k, v in ns.items()
                 if not k.startswith("_") and k not in hidden}
        self.reply({"ok": True, "names": names})

    def op_retire(self, header: dict, blobs: list[bytes]) -> None:
        """Replace the student's functions that stopped an earlier worker (or ran out of
        memory) by ones that fail at once, so the student's other functions that call
        them fail as they would if those were unsolved, without waiting for the limit."""
        functions = header.get("functions")
        for name, why in (functions.items() if isinstance(functions, dict) else ()):
            if callable(self.shell.user_ns.get(name)):
                self.shell.user_ns[name] = _retired(str(name), str(why))
        self.reply({"ok": True})

    def op_define(self, header: dict, blobs: list[bytes]) -> None:
        """Put a test's reference functions in place of the student's (``nnutils.checks.
        using`` in a hidden test), so the student's later function calls them; ``undefine``
        puts the student's back."""
        ns = self.shell.user_ns
        try:
            tree = ast.parse(header["source"])
            names = [node.name for node in tree.body
                     if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
            self.replaced.append(({n: ns[n] for n in names if n in ns}, names))
            exec(compile(tree, "<reference>", "exec"), ns)  # noqa: S102 (the grader's code)
        except Exception as err:
            self.reply({"ok": False, "error": _error_dict(type(err).__name__, str(err), err)})
            return
        self.reply({"ok": True})

    def op_undefine(self, header: dict, blobs: list[bytes]) -> None:
        if self.replaced:
            saved, names = self.replaced.pop()
            for name in names:
                self.shell.user_ns.pop(name, None)
            self.shell.user_ns.update(saved)
        self.reply({"ok": True})

    def op_mark(self, header: dict, blobs: list[bytes]) -> None:
        """Remember the namespace as it is now (after the setup cell), for ``reset``."""
        self.marked = dict(self.shell.user_ns)
        self.reply({"ok": True})

    def op_reset(self, header: dict, blobs: list[bytes]) -> None:
        """Back to the marked namespace: a warm worker for the next variant of a solution
        (trusted runs only: the corpus and the mutants; students get a fresh worker)."""
        self.shell.user_ns.clear()
        self.shell.user_ns.update(self.marked)
        self.kept.clear()
        self.generators = []
        self.replaced = []
        self.reply({"ok": True})

    def op_get(self, header: dict, blobs: list[bytes]) -> None:
        self._answer(lambda: self.shell.user_ns[header["name"]])

    def _function(self, kind: str, source: str) -> Any:
        namespace = dict(self.shell.user_ns)
        if kind == "lambda":
            return eval(compile(source, "<test function>", "eval"), namespace)  # noqa: S307
        tree = ast.parse(source)
        exec(compile(tree, "<test function>", "exec"), namespace)  # noqa: S102
        return namespace[tree.body[0].name]

    def op_call(self, header: dict, blobs: list[bytes]) -> None:
        inputs: list[tuple[np.ndarray, np.ndarray]] = []

        def run():
            target = self._target(header["target"], blobs)
            args = self.decode(header.get("args", []), blobs)
            kwargs = self.decode(header.get("kwargs", {"$dict": []}), blobs)
            inputs.extend((a, a.copy()) for a in wire.arrays_in([args, kwargs]))
            return target(*args, **kwargs)
        self._answer(run, inputs)

    def op_attr(self, header: dict, blobs: list[bytes]) -> None:
        self._answer(lambda: getattr(self._target(header["target"], blobs), header["name"]))

    def op_item(self, header: dict, blobs: list[bytes]) -> None:
        self._answer(lambda: self._target(header["target"], blobs)[
            self.decode(header["key"], blobs)])

    def op_len(self, header: dict, blobs: list[bytes]) -> None:
        self._answer(lambda: len(self._target(header["target"], blobs)))

    def op_iter(self, header: dict, blobs: list[bytes]) -> None:
        self._answer(lambda: _Opaque(iter(self._target(header["target"], blobs))))

    def op_next(self, header: dict, blobs: list[bytes]) -> None:
        iterator = self._target(header["target"], blobs)
        try:
            with contextlib.redirect_stdout(CappedText(self.output_limit)), \
                    contextlib.redirect_stderr(CappedText(self.output_limit)):
                value = next(iterator)
        except StopIteration:
            self.reply({"ok": True, "stop": True})
            return
        except BaseException as err:  # the student's generator failed
            self.reply({"ok": False, "error": _error_dict(type(err).__name__, str(err), err)})
            return
        self._answer(lambda: value)

    def _target(self, target: Any, blobs: list[bytes]) -> Any:
        if isinstance(target, str):
            return self.shell.user_ns[target]
        return self.decode(target, blobs)

    def _answer(self, compute, inputs: list[tuple[np.ndarray, np.ndarray]] = ()) -> None:
        """Reply with the value ``compute`` returns, and with the inputs it changed in place."""
        out = CappedText(self.output_limit)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                value = compute()
            encoded, blobs = self.encode(value)
        except BaseException as err:  # the student's exception travels back as data
            header = {"ok": False, "output": out.getvalue(),
                      "error": _error_dict(type(err).__name__, str(err), err)}
            blobs = []
        else:
            header = {"ok": True, "output": out.getvalue(), "value": encoded}
        header["mutated"] = []
        for i, (arr, before) in enumerate(inputs):
            if arr.shape != before.shape or not np.array_equal(arr, before, equal_nan=True):
                header["mutated"].append([i, len(blobs)])
                blobs.append(wire.array_blob(arr))
        self.reply(header, blobs)


def _retired(name: str, why: str):
    def retired(*args, **kwargs):
        raise RuntimeError(f"`{name}` is not run again: earlier, {why}")
    retired.__name__ = retired.__qualname__ = name
    return retired


class _Opaque:
    """Wraps a value that must travel as a reference even if it is data (an iterator)."""

    def __init__(self, obj: Any):
        self.obj = obj


class _Callback:
    """A grader-side callable (e.g. the ``f`` given to ``numerical_gradient``)."""

    def __init__(self, kernel: StudentKernel, ref: wire.Ref):
        self.kernel, self.ref = kernel, ref

    def __call__(self, *args, **kwargs):
        blobs: list[bytes] = []
        enc_args = wire.encode(list(args), blobs, self.kernel._to_ref)
        enc_kwargs = wire.encode(dict(kwargs), blobs, self.kernel._to_ref)
        wire.send(self.kernel.wfile, {"op": "callback", "id": self.ref.id,
                                      "args": enc_args, "kwargs": enc_kwargs}, blobs)
        while True:
            header, blobs = wire.receive(self.kernel.rfile)
            if header.get("op") == "reply":
                break
            self.kernel.dispatch(header, blobs)   # the grader asked something meanwhile
        if not header.get("ok"):
            raise RuntimeError(header.get("error", {}).get("message", "callback failed"))
        return self.kernel.decode(header["value"], blobs)


def _is_keras_model(obj: Any) -> bool:
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(obj, keras.Model)


def _pack_keras(model: Any) -> wire.Packed:
    """A Keras model as data (:func:`nnutils.tfsetup.model_parts`)."""
    from nnutils.tfsetup import model_parts
    architecture, weights, compile_config = model_parts(model)
    return wire.Packed("keras", {"config": architecture,
                                 "weights": [np.asarray(w) for w in weights],
                                 "compile": json.dumps(compile_config) if compile_config else None})


def _pack_tensor(obj: Any) -> wire.Packed | None:
    """A TensorFlow tensor or variable of numbers as data (its values), or None."""
    tf = sys.modules.get("tensorflow")
    if tf is None or not isinstance(obj, (tf.Tensor, tf.Variable)) or not hasattr(obj, "numpy"):
        return None
    value = np.asarray(obj.numpy())
    if value.dtype.kind not in "biufc":
        return None
    return wire.Packed("tensor", {"value": value, "variable": isinstance(obj, tf.Variable)})


@functools.cache
def _machinery() -> tuple[str, ...]:
    """Folders of the grader's own machinery (this package, IPython running the cell):
    a student never sees their frames in Jupyter, so their tracebacks leave them out."""
    import IPython

    import autograde
    return tuple(str(Path(m.__file__).resolve().parent) + os.sep for m in (autograde, IPython))


def _student_traceback(err: BaseException) -> str:
    """``err``'s traceback as Jupyter would show it: the student's frames and the
    libraries', not the grader's, without the "Traceback (most recent call last)" line."""
    report = traceback.TracebackException.from_exception(err)
    report.stack = traceback.StackSummary.from_list(
        [f for f in report.stack if not str(Path(f.filename).resolve()).startswith(_machinery())])
    return "".join(line for line in report.format()
                   if not line.startswith("Traceback (most recent call last)"))


def _error_dict(ename: str, message: str, err: BaseException | None = None) -> dict:
    text = _student_traceback(err) if err is not None else ""
    return {"ename": ename, "message": message[:4000], "traceback": text[-8000:]}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    in_fd, out_fd, output_limit = int(argv[0]), int(argv[1]), int(argv[2])
    rfile = os.fdopen(in_fd, "rb", buffering=0)
    wfile = os.fdopen(out_fd, "wb", buffering=0)
    # The stack goes to the console (which the grader reads) on a crash, and on SIGUSR1,
    # which the grader sends before it stops a worker for time or memory: so the grader
    # can say which of the student's functions was running.
    faulthandler.enable(file=sys.__stderr__, all_threads=True)
    faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)
    os._exit = _exit_with_stack
    StudentKernel(rfile, wfile, output_limit).serve()
    _REAL_EXIT(0)  # do not wait for threads the student's code may have left running


def _exit_with_stack(status: int) -> None:
    """``os._exit`` for the student's code: the stack first, so the grader knows who called it."""
    faulthandler.dump_traceback(file=sys.__stderr__, all_threads=False)
    sys.__stderr__.flush()
    _REAL_EXIT(status)


if __name__ == "__main__":
    main()
