"""nnutils.checks: every check passes on good input and explains each kind of bad input."""

import re
import sys
import warnings

import numpy as np
import pytest

from nnutils.checks import (
    CheckFailed,
    as_array,
    call,
    check_close,
    check_equal,
    check_finite,
    check_in_range,
    check_rows_sum_to_one,
    check_shape,
    check_true,
    check_type,
    check_unchanged,
    passed,
)


def fails(match: str):
    """pytest.raises(CheckFailed) whose message must contain ``match`` literally."""
    return pytest.raises(CheckFailed, match=re.escape(match))


@pytest.fixture(autouse=True)
def warnings_are_errors():
    """A check must never warn: a warning reaches stderr and stock nbgrader scores zero."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------- as_array / check_type

@pytest.mark.parametrize("value", [
    1, 2.5, True, [1, 2, 3], np.float32(1.5), np.arange(6, dtype=np.int8),
    np.ones((2, 3), dtype=np.float32), np.array([True, False]), np.arange(12.0)[::3],
])
def test_as_array_accepts_numbers_of_any_real_dtype(value):
    arr = as_array("f(x)", value)
    assert isinstance(arr, np.ndarray)
    np.testing.assert_array_equal(arr, np.asarray(value))


def test_as_array_returns_a_copy():
    x = np.zeros(3)
    as_array("f(x)", x)[0] = 5.0
    assert x[0] == 0.0


def test_as_array_rejects_none_with_return_hint():
    with fails("f(x) returned None: did you forget the `return` statement?"):
        as_array("f(x)", None)


@pytest.mark.parametrize("value, dtype", [
    ("abc", "<U3"), (np.array([1, "a"], dtype=object), "object"), ({"a": 1}, "object"),
])
def test_as_array_rejects_strings_and_objects(value, dtype):
    with fails(f"f(x) should return numbers, but returned a {type(value).__name__} "
               f"with dtype {dtype}"):
        as_array("f(x)", value)


def test_as_array_rejects_ragged_lists():
    with fails("f(x) returned a list that NumPy cannot read as an array of numbers"):
        as_array("f(x)", [[1, 2], [3]])


def test_check_type():
    check_type("perceptron_train(X, y)", (1, 2, 3), tuple)
    check_type("n", 3, (int, np.integer))
    with fails("perceptron_train(X, y) returned None"):
        check_type("perceptron_train(X, y)", None, tuple)
    with fails("perceptron_train(X, y) should be a tuple, but it is a list."):
        check_type("perceptron_train(X, y)", [1, 2, 3], tuple)
    with fails("n should be an int or integer, but it is a float."):
        check_type("n", 3.0, (int, np.integer))


# ---------------------------------------------------------------- check_shape

def test_check_shape_passes_and_returns_the_array():
    arr = check_shape("W", np.ones((2, 3)), (2, 3))
    assert arr.shape == (2, 3)


def test_check_shape_none():
    with fails("forward(X) returned None"):
        check_shape("forward(X)", None, (2, 3))


def test_check_shape_transpose_hint_and_input():
    z = np.zeros((2, 3))
    with fails("relu(z) has shape (3, 2), expected (2, 3) (input: z of shape (2, 3)). "
               "It has the right number of entries: check for a transpose or a reshape."):
        check_shape("relu(z)", np.zeros((3, 2)), (2, 3), inputs={"z": z})


def test_check_shape_axis_hint():
    with fails("softmax(z) has shape (4,), expected (4, 3). Check the `axis` you reduce over"):
        check_shape("softmax(z)", np.zeros(4), (4, 3))
    with pytest.raises(CheckFailed) as info:
        check_shape("f(x)", np.zeros(5), (2, 3))
    assert "transpose" not in str(info.value)


# ---------------------------------------------------------------- check_finite

def test_check_finite_passes():
    arr = check_finite("sigmoid(z)", np.array([0.0, 1.0]))
    np.testing.assert_array_equal(arr, [0.0, 1.0])


def test_check_finite_names_the_first_nan_and_the_input_there():
    got = np.zeros((2, 3))
    got[1, 2] = np.nan
    z = np.arange(6.0).reshape(2, 3) * 1000
    with fails("sigmoid(z) is nan at index (1, 2) (input: z[1, 2] = 5000); expected a finite "
               "number. nan comes from 0/0, inf - inf or inf/inf. If it is not a division by "
               "zero, large inputs overflow `np.exp`"):
        check_finite("sigmoid(z)", got, inputs={"z": z})


def test_check_finite_inf_scalar():
    with fails("bce is inf; expected a finite number."):
        check_finite("bce", np.inf)


# ---------------------------------------------------------------- check_close

@pytest.mark.parametrize("got", [
    np.array([1.0, 2.0, 3.0]), np.array([1, 2, 3]), np.array([1, 2, 3], dtype=np.float32),
    [1, 2, 3], np.array([0.0, 1.0, 0.0, 2.0, 0.0, 3.0])[1::2],
])
def test_check_close_accepts_any_real_dtype_and_views(got):
    check_close("f(x)", got, [1.0, 2.0, 3.0])


def test_check_close_accepts_bool_and_scalars():
    check_close("step(z)", np.array([True, False]), [1.0, 0.0])
    check_close("mse", np.float32(0.25), 0.25)
    check_close("mse", 0.25 * (1 + 1e-7), 0.25)


def test_check_close_names_the_worst_entry_with_got_and_expected():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[0, 1] += 0.5
    got[1, 2] += 2.0
    with fails("tanh(z) is 7 at index (1, 2), expected 5 (2 of 6 entries are off)."):
        check_close("tanh(z)", got, expected)


def test_check_close_shows_the_matching_input_entry():
    z = np.array([[-1.0, 0.0], [3.0, 4.0]])
    got = np.maximum(z, 0)
    got[0, 0] = -1.0
    with fails("relu(z) is -1 at index (0, 0), expected 0 (input: z[0, 0] = -1, alpha=0.1)"):
        check_close("relu(z)", got, np.maximum(z, 0), inputs={"z": z, "alpha": 0.1})


def test_check_close_scalar_message():
    with fails("mse(y, p) is 0.5, expected 0.25."):
        check_close("mse(y, p)", 0.5, 0.25)


def test_check_close_order_none_then_shape_then_finite():
    with fails("returned None"):
        check_close("f(x)", None, [1.0])
    with fails("has shape (2,), expected (1,)"):
        check_close("f(x)", [np.nan, 1.0], [1.0])
    with fails("f(x) is nan at index (0,)"):
        check_close("f(x)", [np.nan, 1.0], [1.0, 1.0])


def test_check_close_tolerances():
    check_close("f", 1.001, 1.0, rtol=1e-2)
    with fails("f is 1.001, expected 1"):
        check_close("f", 1.001, 1.0)
    check_close("f", 1e-9, 0.0)
    with fails("f is 1e-06, expected 0"):
        check_close("f", 1e-6, 0.0)


def test_check_close_with_infinite_expected_values_does_not_warn():
    check_close("log(p)", [-np.inf, 0.0], [-np.inf, 0.0])
    with fails("log(p) is 1 at index (1,), expected 2 (1 of 2 entries are off)."):
        check_close("log(p)", [np.inf, 1.0], [np.inf, 2.0])
    with fails("log(p) is 1 at index (0,), expected -inf"):
        check_close("log(p)", [1.0, 0.0], [-np.inf, 0.0])


# ---------------------------------------------------------------- check_equal

def test_check_equal():
    check_equal("perceptron_predict(X, w, b)", np.array([True, False]), [1, 0])
    check_equal("count_parameters", np.int64(13002), 13002)
    with fails("perceptron_predict(X, w, b) is 0 at index (1,), expected 1 "
               "(input: X of shape (4, 2)) (2 of 4 entries are off)."):
        check_equal("perceptron_predict(X, w, b)", [0, 0, 0, 0], [0, 1, 1, 0],
                    inputs={"X": np.zeros((4, 2))})
    with fails("count_parameters is 13001, expected 13002."):
        check_equal("count_parameters", 13001, 13002)
    with fails("has shape (3,), expected (4,)"):
        check_equal("y", [1, 2, 3], [1, 2, 3, 4])


# ---------------------------------------------------------------- check_rows_sum_to_one

def test_check_rows_sum_to_one_passes():
    check_rows_sum_to_one("softmax(z)", np.full((3, 4), 0.25))
    check_rows_sum_to_one("softmax(z)", np.full((2, 3, 2), 0.5))
    check_rows_sum_to_one("softmax(z)", [0.2, 0.8])


def test_check_rows_sum_to_one_names_the_row():
    with fails("row 0 of softmax(z) sums to 2, expected 1. Normalise along the last axis "
               "(axis=-1) with keepdims=True."):
        check_rows_sum_to_one("softmax(z)", [[1.0, 1.0], [0.5, 0.5]])
    with fails("row 1 of softmax(z) sums to 0.5, expected 1"):
        check_rows_sum_to_one("softmax(z)", [[0.5, 0.5], [0.25, 0.25]])
    with fails("row (0, 1) of softmax(z) sums to 3"):
        check_rows_sum_to_one("softmax(z)", [[[0.5, 0.5], [1.0, 2.0]]])
    with fails("the output of softmax(z) sums to 1.5, expected 1"):
        check_rows_sum_to_one("softmax(z)", [0.5, 1.0])


def test_check_rows_sum_to_one_rejects_nan_rows():
    with fails("row 0 of softmax(z) sums to nan, expected 1"):
        check_rows_sum_to_one("softmax(z)", [[np.nan, 0.5], [0.5, 0.5]])


# ---------------------------------------------------------------- check_in_range

def test_check_in_range():
    check_in_range("sigmoid(z)", [0.0, 0.5, 1.0], 0, 1)
    with fails("sigmoid(z) is 1 at index (2,), outside the range (0, 1)."):
        check_in_range("sigmoid(z)", [0.1, 0.5, 1.0], 0, 1, inclusive=False)
    with fails("tanh(z) is -1.5 at index (1, 0), outside the range [-1, 1]."):
        check_in_range("tanh(z)", [[0.0], [-1.5]], -1, 1)
    with fails("p is nan at index (0,)"):
        check_in_range("p", [np.nan], 0, 1)


# ---------------------------------------------------------------- check_unchanged / true

def test_check_unchanged():
    before = np.array([1.0, np.nan])
    check_unchanged("relu", before, before.copy())
    with fails("relu changed its input array in place. Build and return a new array"):
        check_unchanged("relu", before, np.array([0.0, np.nan]))


def test_check_unchanged_catches_a_real_in_place_change():
    def relu_in_place(z):
        z[z < 0] = 0
        return z

    z = np.array([-1.0, 2.0])
    before = z.copy()
    call(relu_in_place, z)
    with fails("relu changed its input array in place"):
        check_unchanged("relu", before, z)


def test_check_true():
    check_true(np.bool_(True), "never shown")
    with fails("errors_per_epoch should end with 0 for AND"):
        check_true(False, "errors_per_epoch should end with 0 for AND")


def test_passed_prints_one_line(capsys):
    passed("sigmoid")
    out = capsys.readouterr()
    assert out.out == "\u2714 sigmoid: public tests passed; more tests run when graded.\n"
    assert out.err == ""
    passed("sigmoid", hidden=True)
    assert capsys.readouterr().out == "\u2714 sigmoid: hidden tests passed.\n"


# ---------------------------------------------------------------- call

def test_call_returns_the_result_and_passes_arguments():
    assert call(np.add, 2, 3) == 5
    assert call(lambda x, alpha=0.1: x * alpha, 10.0, alpha=0.5) == 5.0


def test_call_swallows_prints_warnings_and_numpy_errors(capsys):
    def noisy(z):
        print("debug", z)
        print("oops", file=sys.stderr)
        warnings.warn("careful", UserWarning, stacklevel=2)
        return np.exp(z)

    got = call(noisy, np.array([1000.0]))
    assert np.isinf(got[0])
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_call_explains_not_implemented_error():
    def sigmoid(z):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError) as info:
        call(sigmoid, np.zeros(2))
    assert str(info.value) == (
        "`sigmoid` is not implemented yet: replace `raise NotImplementedError()` in its "
        "cell with your code, run that cell, then run this test again.")
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_call_keeps_other_exceptions_and_adds_a_note():
    def forward(params, X):
        return X @ np.ones((3, 2))

    with pytest.raises(ValueError, match="matmul") as info:
        call(forward, [], np.ones((4, 5)))
    assert info.value.__notes__ == [
        "(raised inside `forward` while the test called it with: list, shape (4, 5))"]
    assert info.traceback[-1].name == "forward"  # the student's own frame is kept


def _finite_message(name: str, value: float) -> str:
    with pytest.raises(CheckFailed) as info:
        check_finite(name, np.array([1.0, value]))
    return str(info.value)


def test_check_finite_hints_at_exp_only_where_no_log_is_involved():
    message = _finite_message("sigmoid(z)", np.nan)
    assert "overflow `np.exp`" in message and "np.log" not in message
    assert "0/0" in message
    message = _finite_message("softmax(z)", np.inf)
    assert message.endswith("Large inputs overflow `np.exp`: rewrite the formula so that it "
                            "only exponentiates numbers <= 0.")


def test_check_finite_hints_at_log_for_a_loss():
    message = _finite_message("binary_cross_entropy(y, p)", np.inf)
    assert "`np.log(0)` is -inf" in message and "np.exp" not in message
    nan = _finite_message("cross_entropy_loss(P, Y)", np.nan)
    assert "0 * np.log(0) is 0 * -inf = nan" in nan and "np.exp" not in nan
