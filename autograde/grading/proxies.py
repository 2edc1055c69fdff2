"""The names a test cell uses from the student's cells, as the grader sees them.

Calling a :class:`RemoteFunction` or using a :class:`RemoteObject` asks the
student's worker, through the :class:`~autograde.grading.session.Session` the
proxy holds; only data comes back. The proxies import nothing of the session:
it hands itself to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograde.grading import wire

if TYPE_CHECKING:       # the session imports the proxies, not the other way round
    from autograde.grading.session import Session


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
