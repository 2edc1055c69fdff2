"""The grader's end of the channel to a student's worker: requests, replies, callbacks.

Test cells run in the grader's process. The names they use from the
student's solution cells are bound to proxies (:mod:`autograde.grading.proxies`)
that ask the worker through a :class:`Session`; what comes back is decoded by
:mod:`autograde.grading.wire` and :mod:`autograde.grading.codec` (an
exception in the student's code comes back as the same built-in type, so
``except ValueError`` in a test works, or as ``codec.StudentError``). When
the worker stops answering, the session raises :class:`WorkerGone`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from autograde.grading import codec, wire
from autograde.grading.proxies import RemoteFunction, RemoteObject
from autograde.grading.sandbox import Sandbox


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
    figures: list[bytes] = field(default_factory=list)   # PNGs of what the cell drew


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
        shipped = codec.portable_source(obj, self.portable_globals)
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
        return wire.decode(value, blobs, self._from_ref, unpack=codec.unpack)

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
            raise codec.rebuild_error(reply.get("error") or {})
        try:
            return self._decode(reply.get("value"), blobs)
        except (wire.WireError, codec.KerasRebuildError) as err:
            raise codec.StudentError(f"the answer could not be read: {err}") from None

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
        reply, figures = self.reply()
        return CellRun(bool(reply.get("ok")), str(reply.get("output", "")), reply.get("error"),
                       list(figures))

    def names(self) -> dict[str, bool]:
        """The student's global names, each with whether it is callable."""
        reply, _ = self.request({"op": "names"})
        names = reply.get("names")
        return {str(k): bool(v) for k, v in names.items()} if isinstance(names, dict) else {}

    def retire(self, functions: dict[str, str]) -> None:
        """Make the student's functions that stopped a worker fail at once from now on."""
        if functions:
            self.request({"op": "retire", "functions": dict(functions)})

    def define(self, source: str) -> Callable[[], None]:
        """Define a test's reference functions in the student's namespace in place of the
        student's (``nnutils.checks.using``); returns the function that puts them back."""
        self._value(*self.request({"op": "define", "source": source}))

        def undo() -> None:
            self.request({"op": "undefine"})
        return undo

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
        codec.write_back(list(wire.arrays_in([list(args), dict(kwargs)])), reply, rblobs)
        return self._value(reply, rblobs)

    def on_object(self, op: str, ref: "RemoteObject", **fields: Any) -> Any:
        blobs: list[bytes] = []
        header = {"op": op, "target": self._encode(ref, blobs)}
        for key, value in fields.items():
            header[key] = value if key == "name" else self._encode(value, blobs)
        return self._value(*self.request(header, blobs))


