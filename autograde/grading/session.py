"""The grader's end of the channel to a student's worker: proxies and requests.

Test cells run in the grader's process. The names they use from the
student's solution cells are bound to proxies: calling a
:class:`RemoteFunction` sends the arguments to the worker and returns the
student's answer as plain data; objects that are not data stay in the worker
behind a :class:`RemoteObject`. An exception in the student's code comes back
as the same built-in exception type (so ``except ValueError`` in a test
works), or as :class:`StudentError`.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import linecache
import sys
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograde.grading import wire
from autograde.grading.sandbox import Sandbox


class StudentError(Exception):
    """The student's code raised an exception that is not a built-in one."""


class WorkerGone(BaseException):
    """The worker stopped answering: it was stopped (time, memory) or it died.

    A BaseException, so a test's ``except Exception`` cannot take a dead worker
    for the exception it expected. ``reason`` is ``timeout`` (the notebook's
    total budget), ``cell_timeout``, ``memory`` or ``crashed``; ``functions``
    are the student's functions that were running, innermost first, when the
    grader could tell.
    """

    def __init__(self, reason: str, detail: str, functions: list[str] | None = None):
        super().__init__(detail)
        self.reason, self.detail = reason, detail
        self.functions: list[str] = list(functions or [])

    @property
    def cause(self) -> str:
        """What an incident report calls it: timeout, memory or crashed."""
        return "timeout" if self.reason == "cell_timeout" else self.reason

    def about(self) -> str:
        """What happened, said of the function that was running (or of the cell)."""
        if self.functions:
            who = f"`{self.functions[0]}`"
            if len(self.functions) > 1:
                who += " (called by " + ", ".join(f"`{f}`" for f in self.functions[1:]) + ")"
        else:
            who = "this cell"
        return f"{who} {self.detail}"


class FunctionStopped(Exception):
    """A call of a student's function that stopped the worker earlier: not run again."""


@dataclass
class CellRun:
    """What running one of the student's cells produced."""

    ok: bool
    output: str
    error: dict | None


def _rebuild_error(error: dict) -> Exception:
    ename, message = str(error.get("ename", "Error")), str(error.get("message", ""))
    cls = getattr(builtins, ename, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls is not StopIteration:
        try:
            exc = cls(message)
        except TypeError:  # built-ins with other constructors, e.g. UnicodeDecodeError
            exc = StudentError(f"{ename}: {message}")
    else:
        exc = StudentError(f"{ename}: {message}")
    tb = str(error.get("traceback", "")).strip()
    if tb:
        exc.add_note("Traceback from your code:\n" + tb)
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


class Session:
    """Requests to one worker, with callbacks into the grader while a call runs."""

    def __init__(self, sandbox: Sandbox, portable_globals: set[str] | None = None):
        self.sandbox = sandbox
        self.portable_globals = portable_globals if portable_globals is not None else set()
        self._callables: dict[int, Callable[..., Any]] = {}
        self._generators: list[np.random.Generator] = []
        self.gone: WorkerGone | None = None       # set once the worker stopped answering

    # encoding ---------------------------------------------------------------
    def _to_ref(self, obj: Any) -> wire.Ref | wire.Packed:
        if isinstance(obj, RemoteObject):
            return obj._ref
        if isinstance(obj, RemoteFunction):
            return wire.Ref("global", 0, obj.__name__)
        if isinstance(obj, np.random.Generator):
            self._generators.append(obj)
            return wire.Packed("rng", obj.bit_generator.state)
        shipped = portable_source(obj, self.portable_globals)
        if shipped is not None:
            return wire.Packed("function", {"kind": shipped[0], "source": shipped[1]})
        if callable(obj):
            self._callables[id(obj)] = obj
            return wire.Ref("callable", id(obj), type(obj).__name__)
        raise TypeError(f"a test cannot send a {type(obj).__name__} to the student's code")

    def _from_ref(self, ref: wire.Ref) -> Any:
        if ref.kind != "object":
            raise wire.WireError(f"unexpected reference kind {ref.kind!r} from the worker")
        return RemoteObject(self, ref)

    def _decode(self, value: Any, blobs: list[bytes]) -> Any:
        return wire.decode(value, blobs, self._from_ref, unpack=_unpack)

    def _encode(self, value: Any, blobs: list[bytes]) -> Any:
        return wire.encode(value, blobs, self._to_ref)

    # requests ---------------------------------------------------------------
    def request(self, header: dict, blobs: list[bytes] = ()) -> tuple[dict, list[bytes]]:
        """Send one request; serve callbacks until the reply comes."""
        self.send(header, blobs)
        return self.reply()

    def send(self, header: dict, blobs: list[bytes] = ()) -> None:
        """Send one request without waiting: the worker starts on it; :meth:`reply` collects."""
        if self.gone is not None:
            raise self.gone
        self.sandbox.busy = True
        try:
            wire.send(self.sandbox.wfile, header, blobs)
        except wire.WireError as err:
            raise self._gone(err) from None

    def reply(self) -> tuple[dict, list[bytes]]:
        """The reply to the request sent last, serving the worker's callbacks meanwhile."""
        try:
            while True:
                reply, rblobs = wire.receive(self.sandbox.rfile)
                if reply.get("op") == "callback":
                    self._serve_callback(reply, rblobs)
                    continue
                self.sandbox.busy = False
                return reply, rblobs
        except wire.WireError as err:
            raise self._gone(err) from None

    def _serve_callback(self, header: dict, blobs: list[bytes]) -> None:
        fn = self._callables.get(header.get("id"))
        out: list[bytes] = []
        try:
            if fn is None:
                raise wire.WireError("unknown callback")
            args = self._decode(header.get("args", []), blobs)
            kwargs = self._decode(header.get("kwargs", {"$dict": []}), blobs)
            value = self._encode(fn(*args, **kwargs), out)
            wire.send(self.sandbox.wfile, {"op": "reply", "ok": True, "value": value}, out)
        except Exception as err:  # the test's callable failed: tell the worker, as data
            wire.send(self.sandbox.wfile, {"op": "reply", "ok": False,
                                          "error": {"message": f"{type(err).__name__}: {err}"}})

    def _gone(self, err: Exception) -> WorkerGone:
        if self.gone is not None:
            return self.gone
        self.sandbox.busy = False
        self.sandbox.settle()
        self.gone = self._describe_stop()
        return self.gone

    def _describe_stop(self) -> WorkerGone:
        reason, limits = self.sandbox.reason, self.sandbox.limits
        functions = self.sandbox.student_frames()
        if reason == "timeout":
            return WorkerGone("timeout", f"stopped after {limits.timeout:g} s (the time limit "
                              f"of the whole notebook): an endless loop, or a very slow "
                              f"notebook?", functions)
        if reason == "cell_timeout":
            return WorkerGone("cell_timeout", f"did not finish within {limits.cell_timeout:g} s "
                              f"(the limit per cell): an endless loop?", functions)
        if reason == "memory":
            return WorkerGone("memory", f"used more than {limits.memory_mb} MB of memory "
                              f"(the limit) and was stopped", functions)
        code = self.sandbox.proc.returncode
        if code is not None and code > 128 and self.sandbox.mode == "bwrap":
            code = 128 - code          # bwrap reports a child killed by signal N as 128 + N
        how = (f"was killed by signal {-code}" + (" (segmentation fault)" if code == -11 else "")
               if code is not None and code < 0 else f"exited with code {code}")
        return WorkerGone("crashed", f"stopped the Python process running the notebook: it "
                          f"{how}; look for os._exit, sys.exit or code that crashes Python",
                          functions)

    def _value(self, reply: dict, blobs: list[bytes]) -> Any:
        self._sync_generators(reply)
        if not reply.get("ok"):
            raise _rebuild_error(reply.get("error") or {})
        try:
            return self._decode(reply.get("value"), blobs)
        except (wire.WireError, KerasRebuildError) as err:
            raise StudentError(f"the answer could not be read: {err}") from None

    def _sync_generators(self, reply: dict) -> None:
        """Advance the tests' generators as far as the student's code advanced the copies."""
        states = reply.get("rng_states") or []
        for gen, state in zip(self._generators, states):
            try:
                gen.bit_generator.state = state
            except (TypeError, ValueError, KeyError):
                pass          # a malformed state leaves the test's generator where it was
        self._generators = []

    def exec_cell(self, source: str, meanwhile: Callable[[], None] | None = None) -> CellRun:
        """Run a cell in the worker; ``meanwhile`` runs here while the worker is busy with it."""
        self.send({"op": "exec", "source": source})
        if meanwhile is not None:
            meanwhile()
        reply, _ = self.reply()
        return CellRun(bool(reply.get("ok")), str(reply.get("output", "")), reply.get("error"))

    def names(self) -> dict[str, bool]:
        """The student's global names, each with whether it is callable."""
        reply, _ = self.request({"op": "names"})
        names = reply.get("names")
        return {str(k): bool(v) for k, v in names.items()} if isinstance(names, dict) else {}

    def retire(self, functions: dict[str, str]) -> None:
        """Make the student's functions that stopped a worker fail at once from now on."""
        if functions:
            self.request({"op": "retire", "functions": dict(functions)})

    def mark(self) -> None:
        """Remember the student's namespace as it is now (see :meth:`reset`)."""
        self.request({"op": "mark"})

    def reset(self) -> None:
        """Back to the namespace :meth:`mark` remembered (warm trusted runs only)."""
        self.request({"op": "reset"})

    def get(self, name: str) -> Any:
        return self._value(*self.request({"op": "get", "name": name}))

    def call(self, target: Any, args: tuple, kwargs: dict) -> Any:
        """Call the student's function; inputs it changes in place change here too."""
        self._generators = []
        blobs: list[bytes] = []
        header = {"op": "call", "target": target if isinstance(target, str)
                  else self._encode(target, blobs),
                  "args": self._encode(list(args), blobs),
                  "kwargs": self._encode(dict(kwargs), blobs)}
        try:
            reply, rblobs = self.request(header, blobs)
        except WorkerGone as gone:
            if isinstance(target, str) and target not in gone.functions:
                gone.functions.append(target)    # the outermost: the function the test called
            raise
        _write_back(list(wire.arrays_in([list(args), dict(kwargs)])), reply, rblobs)
        return self._value(reply, rblobs)

    def on_object(self, op: str, ref: "RemoteObject", **fields: Any) -> Any:
        blobs: list[bytes] = []
        header = {"op": op, "target": self._encode(ref, blobs)}
        for key, value in fields.items():
            header[key] = value if key == "name" else self._encode(value, blobs)
        return self._value(*self.request(header, blobs))


def _write_back(inputs: list[np.ndarray], reply: dict, blobs: list[bytes]) -> None:
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


def _unpack(tag: str, payload: Any) -> Any:
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
    _, keras = quiet_tensorflow()
    try:
        model = keras.models.model_from_json(str(payload["config"]))   # safe mode: no lambdas
        model.set_weights(list(payload["weights"]))
        if payload.get("compile"):
            model.compile_from_config(json.loads(payload["compile"]))
    except Exception as err:  # any Keras failure means the model is not rebuildable
        raise KerasRebuildError(
            f"the Keras model could not be rebuilt from its config ({type(err).__name__}: "
            f"{err}); build it from keras.layers only") from None
    return model


class RemoteFunction:
    """A student's function, called in the worker: ``sigmoid(z)`` in a test."""

    def __init__(self, session: Session, name: str):
        self._session, self.__name__ = session, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"


class RemoteObject:
    """An object that stays in the worker (a Keras model, a generator, ...)."""

    def __init__(self, session: Session, ref: wire.Ref):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_ref", ref)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name not in ("__name__", "__qualname__"):
            raise AttributeError(name)
        return self._session.on_object("attr", self, name=name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.call(self, args, kwargs)

    def __getitem__(self, key: Any) -> Any:
        return self._session.on_object("item", self, key=key)

    def __len__(self) -> int:
        n = self._session.on_object("len", self)
        if type(n) is not int:
            raise TypeError("len() of the student's object is not an int")
        return n

    def __iter__(self):
        return _RemoteIterator(self)

    def __repr__(self) -> str:
        return f"<your {self._ref.type_name} object>"


class _RemoteIterator:
    """Iterates a worker-side object by asking the worker for ``next(iter(obj))``."""

    def __init__(self, obj: RemoteObject):
        self._it = obj._session.on_object("iter", obj)

    def __iter__(self):
        return self

    def __next__(self):
        session = self._it._session
        reply, blobs = session.request({"op": "next", "target": session._encode(self._it, [])})
        if reply.get("stop"):
            raise StopIteration
        return session._value(reply, blobs)
