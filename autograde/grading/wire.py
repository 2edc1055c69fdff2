"""The only thing that crosses between the grader and a student's sandbox: data.

A message is a JSON header followed by raw binary blobs, each framed by its
length. Values are encoded without pickle, so decoding a student's answer can
never run the student's code:

- ``None``, ``...`` (an unanswered question), ``bool``, ``int``, ``float`` (nan/inf
  too), ``complex``, ``str``;
- ``list``, ``tuple``, ``dict`` (string or integer keys), nested;
- NumPy arrays and scalars of bool, integer, float or complex dtype
  (``np.save`` format, ``allow_pickle=False``);
- a NumPy ``Generator``, as its bit generator's state (the worker uses a
  copy; its advanced state is sent back so the test's generator moves on
  exactly as if the student's code had used it directly);
- a Keras model, as its JSON config, weights and compile config (a
  :class:`Packed` value), rebuilt on the grader's side by Keras's own safe
  deserialisation, so tests inspect a real model the student cannot fake;
- anything else is replaced by a :class:`Ref` built by the sender's
  ``to_ref`` hook: the receiving side gets an opaque reference (an object
  kept in the worker, or a callable kept in the grader).
"""

from __future__ import annotations

import io
import json
import math
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable

import numpy as np

HEADER = struct.Struct("!Q")   # length of each frame, 8 bytes, network order
MAX_MESSAGE_BYTES = 512 * 2**20
MAX_DEPTH = 64
_NUMERIC_KINDS = "biufc"


class WireError(Exception):
    """A message could not be read or written (malformed, too large, closed)."""


@dataclass(frozen=True)
class Ref:
    """An opaque reference to an object that stays on the other side."""

    kind: str   # "object" or "global" (in the worker) or "callable" (in the grader)
    id: int
    type_name: str = ""


@dataclass(frozen=True)
class Packed:
    """An object sent as data under a tag (``keras``), to be rebuilt by the receiver."""

    tag: str
    payload: Any


def arrays_in(value: Any, depth: int = 0):
    """The plain NumPy arrays inside a value, in the order :func:`encode` meets them."""
    if depth > MAX_DEPTH:
        return
    if type(value) is np.ndarray:
        yield value
    elif type(value) in (list, tuple):
        for v in value:
            yield from arrays_in(v, depth + 1)
    elif type(value) is dict:
        for v in value.values():
            yield from arrays_in(v, depth + 1)


def _array_to_blob(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)   # keeps 0-d arrays 0-d (ascontiguousarray would not)
    return buf.getvalue()


def array_blob(arr: np.ndarray) -> bytes:
    """One array as a blob (``np.save`` format)."""
    return _array_to_blob(arr)


def blob_array(blob: bytes) -> np.ndarray:
    """Inverse of :func:`array_blob`; numeric dtypes only."""
    return _blob_to_array(blob)


def _blob_to_array(blob: bytes) -> np.ndarray:
    try:
        arr = np.load(io.BytesIO(blob), allow_pickle=False)
    except Exception as err:  # a malformed blob is a wire error, whatever numpy says
        raise WireError(f"unreadable array: {err}") from None
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise WireError(f"arrays of dtype {arr.dtype} are not accepted")
    return arr


def encode(value: Any, blobs: list[bytes], to_ref: Callable[[Any], Ref], depth: int = 0) -> Any:
    """Turn ``value`` into JSON-able form, appending array data to ``blobs``."""
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if value is Ellipsis:
        return {"$ellipsis": 0}
    if isinstance(value, int) and type(value) in (int, bool):
        return value if abs(value) < 2**63 else {"$int": str(value)}
    if type(value) is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if type(value) is complex:
        return {"$complex": [repr(value.real), repr(value.imag)]}
    if isinstance(value, np.ndarray) and type(value) is np.ndarray \
            and value.dtype.kind in _NUMERIC_KINDS:
        blobs.append(_array_to_blob(value))
        return {"$array": len(blobs) - 1}
    if isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS:
        blobs.append(_array_to_blob(np.asarray(value)))
        return {"$scalar": len(blobs) - 1}
    if type(value) in (list, tuple):
        items = [encode(v, blobs, to_ref, depth + 1) for v in value]
        return items if type(value) is list else {"$tuple": items}
    if type(value) is dict and all(type(k) in (str, int) for k in value):
        return {"$dict": [[k, encode(v, blobs, to_ref, depth + 1)] for k, v in value.items()]}
    ref = to_ref(value)
    if isinstance(ref, Packed):
        return {"$packed": [ref.tag, encode(ref.payload, blobs, to_ref, depth + 1)]}
    return {"$ref": [ref.kind, ref.id, ref.type_name]}


def decode(value: Any, blobs: list[bytes], from_ref: Callable[[Ref], Any],
           depth: int = 0, unpack: Callable[[str, Any], Any] | None = None) -> Any:
    """Inverse of :func:`encode`; raises :class:`WireError` on anything unexpected."""
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(v, blobs, from_ref, depth + 1, unpack) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        raise WireError("malformed value")
    (tag, body), = value.items()
    try:
        if tag == "$int":
            return int(body)
        if tag == "$ellipsis":
            return Ellipsis
        if tag == "$float":
            return float(body)
        if tag == "$complex":
            return complex(float(body[0]), float(body[1]))
        if tag == "$array":
            return _blob_to_array(blobs[body])
        if tag == "$scalar":
            return _blob_to_array(blobs[body])[()]
        if tag == "$tuple":
            return tuple(decode(v, blobs, from_ref, depth + 1, unpack) for v in body)
        if tag == "$dict":
            return {k: decode(v, blobs, from_ref, depth + 1, unpack) for k, v in body}
        if tag == "$packed" and unpack is not None:
            return unpack(str(body[0]), decode(body[1], blobs, from_ref, depth + 1, unpack))
        if tag == "$ref":
            return from_ref(Ref(str(body[0]), int(body[1]), str(body[2])))
    except (IndexError, TypeError, ValueError) as err:
        raise WireError(f"malformed {tag}: {err}") from None
    raise WireError(f"unknown tag {tag!r}")


def send(stream: BinaryIO, header: dict, blobs: list[bytes] = ()) -> None:
    """Write one message: header JSON then each blob, each with its length."""
    head = json.dumps(dict(header, nblobs=len(blobs)), allow_nan=False).encode()
    if len(head) + sum(len(b) for b in blobs) > MAX_MESSAGE_BYTES:
        raise WireError(f"message larger than {MAX_MESSAGE_BYTES // 2**20} MiB")
    try:
        for frame in (head, *blobs):
            stream.write(HEADER.pack(len(frame)))
            stream.write(frame)
        stream.flush()
    except (BrokenPipeError, OSError, ValueError) as err:
        raise WireError(f"the other side is gone ({err})") from None


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise WireError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(stream: BinaryIO) -> tuple[dict, list[bytes]]:
    """Read one message written by :func:`send`; enforce the size limit."""
    total = 0

    def frame() -> bytes:
        nonlocal total
        (size,) = HEADER.unpack(_read_exact(stream, HEADER.size))
        total += size
        if total > MAX_MESSAGE_BYTES:
            raise WireError(f"message larger than {MAX_MESSAGE_BYTES // 2**20} MiB")
        return _read_exact(stream, size)

    try:
        header = json.loads(frame())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise WireError(f"malformed message header: {err}") from None
    if not isinstance(header, dict) or not isinstance(header.get("nblobs"), int):
        raise WireError("malformed message header")
    return header, [frame() for _ in range(header["nblobs"])]
