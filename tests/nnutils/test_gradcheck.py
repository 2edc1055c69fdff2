"""nnutils.gradcheck: numerical gradients are right, checks name the wrong parameter."""

import re
import warnings

import numpy as np
import pytest

from nnutils.checks import CheckFailed
from nnutils.gradcheck import (
    check_gradients,
    gradient_table,
    numerical_gradient,
    numerical_param_grads,
    relative_error,
)


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------- a tiny network

def make_params(seed=0, sizes=(3, 4, 2)):
    """Odd, non-symmetric parameters [(W1 (4, 3), b1 (4,)), (W2 (2, 4), b2 (2,))]."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(n_out, n_in)), rng.normal(size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


X = np.random.default_rng(42).normal(size=(5, 3))


def loss(params):
    """Half the sum of squares of a tanh network's output on X (5, 3)."""
    (W1, b1), (W2, b2) = params
    out = np.tanh(X @ W1.T + b1) @ W2.T + b2
    return 0.5 * np.sum(out ** 2)


def backprop(params):
    """The analytic gradient of :func:`loss`, as [(dW1, db1), (dW2, db2)]."""
    (W1, b1), (W2, b2) = params
    h = np.tanh(X @ W1.T + b1)
    out = h @ W2.T + b2
    dz = (out @ W2) * (1 - h ** 2)
    return [(dz.T @ X, dz.sum(axis=0)), (out.T @ h, out.sum(axis=0))]


# ---------------------------------------------------------------- numerical_gradient

def test_derivative_of_a_square_at_three():
    assert numerical_gradient(lambda w: w ** 2, 3.0) == pytest.approx(6.0, abs=1e-8)
    assert isinstance(numerical_gradient(lambda w: w ** 2, 3.0), float)


def test_gradient_of_the_notes_cost_at_one_one():
    grad = numerical_gradient(lambda v: 1.5 * v[0] ** 2 + 0.5 * v[1] ** 2, np.array([1, 1]))
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [3.0, 1.0], atol=1e-8)


@pytest.mark.parametrize("shape", [(), (1,), (7,), (2, 3), (2, 3, 4)])
def test_any_shape_and_input_unchanged(shape):
    x = np.random.default_rng(1).normal(size=shape)
    before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert np.shape(grad) == shape
    np.testing.assert_allclose(grad, np.cos(x) * x + np.sin(x), rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_float32_input_is_differenced_in_float64():
    x = np.array([0.3, -1.2], dtype=np.float32)
    grad = numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert grad.dtype == np.float64 and x.dtype == np.float32
    np.testing.assert_allclose(grad, 3 * x.astype(np.float64) ** 2, rtol=1e-8)


def test_closure_over_a_float64_array_sees_the_nudges():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    grad = numerical_gradient(lambda _: np.sum(W ** 2), W)
    np.testing.assert_allclose(grad, 2 * W, rtol=1e-8)


def test_input_restored_when_f_raises():
    x = np.array([1.0, 2.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 2:
            raise ZeroDivisionError("boom")
        return v.sum()

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_allclose(calls[0], [1.0 + 1e-5, 2.0])


def test_f_must_return_one_number():
    with pytest.raises(ValueError, match=r"f must return one number \(a scalar loss\), "
                                         r"got shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(2))
    assert numerical_gradient(lambda v: np.array([v.sum()]), np.ones(2)).tolist() == (
        pytest.approx([1.0, 1.0]))


def test_eps_is_used():
    """For f(x) = x^3 the centred difference is 3 x^2 + eps^2 exactly."""
    assert numerical_gradient(lambda v: v ** 3, 0.0, eps=0.1) == pytest.approx(0.01)


# ---------------------------------------------------------------- relative_error

def test_relative_error_values():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0
    assert relative_error(0.0, 1e-3) == 1.0
    assert relative_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2)
    assert relative_error(np.array([], dtype=float), np.array([])) == 0.0
    assert relative_error(1e-20, 0.0) == pytest.approx(1e-8)  # guarded denominator


def test_relative_error_nan_and_shape_mismatch():
    assert np.isnan(relative_error([np.nan], [1.0]))
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(2, 1\) differ"):
        relative_error(np.zeros(2), np.zeros((2, 1)))


# ---------------------------------------------------------------- numerical_param_grads

def test_numerical_param_grads_match_backprop_and_leave_params_alone():
    params = make_params()
    before = [(W.copy(), b.copy()) for W, b in params]
    numeric = numerical_param_grads(loss, params)
    assert [tuple(g.shape for g in layer) for layer in numeric] == [((4, 3), (4,)), ((2, 4), (2,))]
    for (dW, db), (gW, gb) in zip(numeric, backprop(params)):
        assert relative_error(dW, gW) < 1e-7 and relative_error(db, gb) < 1e-7
    for (W, b), (W0, b0) in zip(params, before):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


def test_numerical_param_grads_float32_params_are_copied():
    params = [(W.astype(np.float32), b.astype(np.float32)) for W, b in make_params()]
    numeric = numerical_param_grads(loss, params)
    assert numeric[0][0].dtype == np.float64
    exact = backprop([(W.astype(np.float64), b.astype(np.float64)) for W, b in params])
    assert relative_error(numeric[1][0], exact[1][0]) < 1e-7


# ---------------------------------------------------------------- check_gradients

@pytest.fixture(scope="module")
def grads():
    params = make_params()
    return backprop(params), numerical_param_grads(loss, params)


def test_check_gradients_accepts_correct_backprop(grads):
    analytic, numeric = grads
    check_gradients("backward(params, cache, Y)", analytic, numeric)
    check_gradients("backward", [tuple(g.tolist() for g in layer) for layer in analytic], numeric)


def test_check_gradients_names_layer_param_error_and_worst_entry(grads):
    analytic, numeric = grads
    wrong = [list(layer) for layer in analytic]
    wrong[1][1] = analytic[1][1].copy()
    wrong[1][1][1] += 0.01
    with pytest.raises(CheckFailed) as info:
        check_gradients("backward(params, cache, Y)", wrong, numeric)
    message = str(info.value)
    error = relative_error(wrong[1][1], numeric[1][1])
    assert message.startswith("backward(params, cache, Y): the gradient of layer 2 b is wrong: "
                              f"relative error {error:.3g}, above the threshold 1e-06. ")
    assert (f"Worst entry db[1]: got {wrong[1][1][1]:.6g}, expected {numeric[1][1][1]:.6g} "
            "(numerical gradient).") in message
    assert "Also off" not in message


def test_check_gradients_reports_the_layer_nearest_the_output(grads):
    analytic, numeric = grads
    wrong = [(dW * 1.01, db) for dW, db in analytic]
    with pytest.raises(CheckFailed, match=r"the gradient of layer 2 W is wrong: .* Worst entry "
                                          r"dW\[\d, \d\]: .* Also off: layer 1 W\.$"):
        check_gradients("backward", wrong, numeric)


def test_check_gradients_threshold(grads):
    analytic, numeric = grads
    wrong = [list(layer) for layer in analytic]
    wrong[0][0] = analytic[0][0] * (1 + 1e-4)
    check_gradients("backward", wrong, numeric, threshold=1e-3)
    with pytest.raises(CheckFailed, match="layer 1 W .* above the threshold 1e-05"):
        check_gradients("backward", wrong, numeric, threshold=1e-5)


@pytest.mark.parametrize("mistake, expected", [
    (lambda g: None, "backward returned None: did you forget the `return` statement?"),
    (lambda g: g[:1], "backward should return a list of 2 (dW, db) pairs, one per layer, "
                      "but returned 1."),
    (lambda g: [g[0], g[1][0]], "backward: layer 2 should be a pair (dW, db), got ndarray."),
    (lambda g: [g[0], (g[1][0].T, g[1][1])],
     "backward: layer 2 dW has shape (4, 2), expected (2, 4), the shape of W (a transpose?)."),
    (lambda g: [(g[0][0], None), g[1]], "backward: layer 1 db returned None"),
    (lambda g: [(g[0][0] * np.nan, g[0][1]), g[1]],
     "the gradient of layer 1 W is wrong: relative error inf"),
])
def test_check_gradients_structure_mistakes(grads, mistake, expected):
    analytic, numeric = grads
    with pytest.raises(CheckFailed, match=re.escape(expected)):
        check_gradients("backward", mistake(analytic), numeric)


# ---------------------------------------------------------------- gradient_table

def test_gradient_table_rows(grads):
    analytic, numeric = grads
    wrong = [list(layer) for layer in analytic]
    wrong[0][1] = analytic[0][1] + np.array([0.0, 0.25, 0.0, 0.0])
    rows = gradient_table(wrong, numeric)
    assert [row[:3] for row in rows] == [
        (1, "W", (4, 3)), (1, "b", (4,)), (2, "W", (2, 4)), (2, "b", (2,))]
    for layer, param, _, rel, diff in rows:
        if (layer, param) == (1, "b"):
            assert diff == pytest.approx(0.25, abs=1e-8)
            assert rel == pytest.approx(relative_error(wrong[0][1], numeric[0][1]))
        else:
            assert rel < 1e-7 and diff < 1e-8
    assert all(isinstance(row[3], float) and isinstance(row[4], float) for row in rows)


def test_gradient_table_shape_mismatch(grads):
    analytic, numeric = grads
    with pytest.raises(ValueError, match=r"layer 1 dW has shape \(3, 4\), the numerical one "
                                         r"\(4, 3\)"):
        gradient_table([(analytic[0][0].T, analytic[0][1]), analytic[1]], numeric)


def test_check_gradients_names_a_constant_factor_the_gradient_is_off_by():
    numeric = [(np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([0.5, -0.5]))]
    analytic = [(4 * numeric[0][0], numeric[0][1])]   # forgot to divide dW by m = 4
    with pytest.raises(CheckFailed, match="It is 4 times the expected value"):
        check_gradients("backward", analytic, numeric)
