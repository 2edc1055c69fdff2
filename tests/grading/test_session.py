"""The channel between the grader and a student's worker: what crosses, and how."""

from __future__ import annotations

import numpy as np
import pytest

from autograde.grading import wire
from autograde.grading.codec import StudentError
from autograde.grading.proxies import RemoteFunction
from autograde.grading.sandbox import Limits, Sandbox, resolve_mode
from autograde.grading.session import Session

STUDENT_CODE = '''
import numpy as np
def scalar(x):
    return np.float64(x) * 2
def zero_d(x):
    return np.array(x * 2)
def in_place(x):
    x[0] = 99.0
    return x.sum()
def draw(rng, n):
    return rng.normal(size=n)
def apply(f, x):
    return f(x) + 1
def compose(g, x):
    return g(x) * 10
def double(x):
    return 2 * x
def fails(x):
    raise ValueError(f"bad x: {x}")
def batches(n):
    for i in range(n):
        yield np.full(i, i)
class Yes(np.ndarray):
    def __eq__(self, other):
        return True
def lying():
    return np.zeros(3).view(Yes)
'''


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    worker = Sandbox(tmp_path_factory.mktemp("w"), Limits(timeout=120), resolve_mode("auto"))
    sess = Session(worker)
    assert sess.exec_cell(STUDENT_CODE).ok
    yield sess
    worker.close()


def fn(session, name):
    return RemoteFunction(session, name)


def test_scalars_stay_scalars(session):
    got = fn(session, "scalar")(1.5)
    assert type(got) is np.float64 and got == 3.0
    got = fn(session, "zero_d")(np.float64(2.0))
    assert isinstance(got, np.ndarray) and got.shape == () and got == 4.0


def test_in_place_changes_reach_the_test(session):
    x = np.zeros(3)
    fn(session, "in_place")(x)
    assert x[0] == 99.0


def test_generators_cross_as_state_and_advance(session):
    rng, twin = np.random.default_rng(7), np.random.default_rng(7)
    got = fn(session, "draw")(rng, 4)
    np.testing.assert_array_equal(got, twin.normal(size=4))
    assert rng.normal() == twin.normal()     # the test's generator moved on as far


def test_callbacks_and_student_functions_as_arguments(session):
    assert fn(session, "apply")(lambda v: v * 3, 2.0) == 7.0
    assert fn(session, "compose")(fn(session, "double"), 2.0) == 40.0


def test_student_exceptions_keep_their_builtin_type(session):
    with pytest.raises(ValueError, match="bad x: 3"):
        fn(session, "fails")(3)
    with pytest.raises(KeyError):
        fn(session, "no_such_function")()


def test_generators_are_iterated_in_the_worker(session):
    batches = list(fn(session, "batches")(3))
    assert [b.tolist() for b in batches] == [[], [1], [2, 2]]


def test_array_subclasses_do_not_cross_as_arrays(session):
    got = fn(session, "lying")()
    assert not isinstance(got, np.ndarray)


def test_wire_refuses_pickled_or_object_arrays():
    import io
    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError):
        wire.blob_array(buf.getvalue())


def test_student_cannot_exhaust_the_grader_with_a_huge_message():
    import struct
    stream = io_bytes(struct.pack("!Q", wire.MAX_MESSAGE_BYTES + 1))
    with pytest.raises(wire.WireError, match="larger than"):
        wire.receive(stream)


def io_bytes(data: bytes):
    import io
    return io.BytesIO(data)


def test_nested_or_malformed_values_are_rejected():
    with pytest.raises(wire.WireError):
        wire.decode({"$evil": 1}, [], lambda r: None)
    with pytest.raises(wire.WireError):
        wire.decode({"$array": 5}, [], lambda r: None)


def test_non_builtin_exception_becomes_student_error(session):
    assert session.exec_cell("class Oops(Exception):\n    pass\n"
                             "def oops():\n    raise Oops('x')").ok
    with pytest.raises(StudentError, match="Oops: x"):
        fn(session, "oops")()


def test_private_tmp_is_mounted_before_the_course_is_bound(tmp_path):
    """A course under /tmp (a CI clone) must stay visible inside the sandbox."""
    from autograde.grading.sandbox import bwrap_command
    cmd = bwrap_command(tmp_path, ["python"], Limits())
    first_bind = min(i for i, arg in enumerate(cmd) if arg in ("--ro-bind", "--bind"))
    assert cmd.index("--tmpfs") < first_bind


@pytest.mark.parametrize("value", [..., [1, ...], {"q": ...}, None])
def test_wire_carries_the_unanswered_placeholder_and_none(value):
    blobs: list[bytes] = []
    encoded = wire.encode(value, blobs, lambda v: pytest.fail(f"{v!r} became a reference"))
    assert wire.decode(encoded, blobs, lambda r: None) == value
