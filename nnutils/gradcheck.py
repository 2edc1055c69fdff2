"""Numerical gradients and gradient checks: the trusted reference for backprop.

- :func:`numerical_gradient`: centred differences of a scalar function, any shape.
- :func:`relative_error`: the largest elementwise relative difference, guarded at zero.
- :func:`numerical_param_grads`: the same for a network's ``[(W, b), ...]``.
- :func:`check_gradients`: fail with :class:`~nnutils.checks.CheckFailed`, naming the
  layer, the parameter and the worst entry, when backprop disagrees with the numbers.
- :func:`gradient_table`: one row per parameter, to print as a table.

Everything is computed in float64: with ``eps = 1e-5`` the centred difference has
truncation error of order ``eps**2`` and round-off of order ``1e-16 / eps``, so
entries of ordinary size agree with a correct analytic gradient to about 1e-9.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from nnutils.checks import CheckFailed, as_array, size_hint

__all__ = [
    "numerical_gradient",
    "relative_error",
    "numerical_param_grads",
    "check_gradients",
    "gradient_table",
]

PARAM_NAMES = ("W", "b")


def _to_float(value: Any, what: str) -> float:
    """The single number ``value`` as a float; ValueError if it holds more than one."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"{what} must return one number (a scalar loss), got shape {arr.shape}.")
    return float(arr.reshape(()))


def _float64_work_array(x: Any) -> np.ndarray:
    """``x`` itself if it is a writeable float64 array (nudged in place), else a float64 copy."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64 and x.flags.writeable:
        return x
    return np.array(x, dtype=np.float64)


def _centred_differences(evaluate: Callable[[], float], x: np.ndarray, eps: float) -> np.ndarray:
    """d evaluate() / d x by centred differences, nudging each entry of ``x`` in place.

    Parameters
    ----------
    evaluate : callable () -> float that reads ``x``.
    x : float64 array of any shape; each entry is restored exactly, even if evaluate raises.
    eps : the nudge h in (f(x + h) - f(x - h)) / (2 h).

    Returns
    -------
    grad : float64 array with the shape of ``x``.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        old = x[index]
        try:
            x[index] = old + eps
            plus = evaluate()
            x[index] = old - eps
            minus = evaluate()
        finally:
            x[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def numerical_gradient(f: Callable[[Any], Any], x: Any, eps: float = 1e-5):
    """The gradient of a scalar function by centred differences, in float64.

    Parameters
    ----------
    f : callable taking ``x`` (shape S) and returning one number.
    x : number or array of any shape S. A float64 array is nudged in place, one entry
        at a time, and restored exactly afterwards (so ``f`` may also read ``x``
        through a closure); other inputs are first copied to float64.
    eps : the nudge h in (f(x + h) - f(x - h)) / (2 h).

    Returns
    -------
    grad : float64 array of shape S (a float when ``x`` is a number).
    """
    work = _float64_work_array(x)
    grad = _centred_differences(lambda: _to_float(f(work), "f"), work, eps)
    return float(grad) if grad.ndim == 0 else grad


def relative_error(a: Any, b: Any) -> float:
    """max over entries of |a - b| / max(|a| + |b|, 1e-12): 0 for equal arrays, at most 1.

    Parameters
    ----------
    a, b : numbers or arrays of the same shape S.

    Returns
    -------
    error : float (0.0 for empty arrays; nan if either holds nan).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes {a.shape} and {b.shape} differ.")
    if a.size == 0:
        return 0.0
    return float(np.max(_elementwise_relative_error(a, b)))


def _elementwise_relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| / max(|a| + |b|, 1e-12) for float64 arrays a, b of one shape."""
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)


def numerical_param_grads(loss_fn: Callable[[list], Any], params: Sequence[tuple],
                          eps: float = 1e-5) -> list[tuple[np.ndarray, np.ndarray]]:
    """Numerical gradients of a network's loss with respect to every W and b.

    Parameters
    ----------
    loss_fn : callable params -> float, the loss of the network with these parameters.
    params : list of L pairs (W, b), W (n_out, n_in) and b (n_out,) for each layer.
        Float64 arrays are nudged in place and restored; others are copied to
        float64 and the copies are what ``loss_fn`` receives.
    eps : the nudge h of the centred differences.

    Returns
    -------
    grads : list of L pairs (dW, db), float64, with the shapes of (W, b).
    """
    work = [tuple(_float64_work_array(p) for p in layer) for layer in params]

    def evaluate() -> float:
        return _to_float(loss_fn(work), "loss_fn")

    return [tuple(_centred_differences(evaluate, p, eps) for p in layer) for layer in work]


def _flatten(name: str, analytic: Sequence, numeric: Sequence) -> list[tuple[int, str, Any, Any]]:
    """(layer, param, analytic array, numeric array) per parameter; CheckFailed on bad structure.

    Layers are numbered from 1, parameters are "W" then "b".
    """
    if analytic is None:
        raise CheckFailed(f"{name} returned None: did you forget the `return` statement?")
    if not isinstance(analytic, (list, tuple)) or len(analytic) != len(numeric):
        length = len(analytic) if isinstance(analytic, (list, tuple)) else type(analytic).__name__
        raise CheckFailed(f"{name} should return a list of {len(numeric)} (dW, db) pairs, "
                          f"one per layer, but returned {length}.")
    rows = []
    for layer, (got_layer, want_layer) in enumerate(zip(analytic, numeric), start=1):
        if not isinstance(got_layer, (list, tuple)) or len(got_layer) != len(want_layer):
            raise CheckFailed(f"{name}: layer {layer} should be a pair (dW, db), "
                              f"got {type(got_layer).__name__}.")
        for param, got, want in zip(PARAM_NAMES, got_layer, want_layer):
            rows.append((layer, param, got, want))
    return rows


def gradient_table(analytic: Sequence, numeric: Sequence) -> list[tuple]:
    """Compare two gradients parameter by parameter.

    Parameters
    ----------
    analytic, numeric : lists of L pairs (dW, db), with matching shapes.

    Returns
    -------
    rows : list of 2 L tuples (layer, param, shape, rel_error, max_abs_diff):
        layer counted from 1, param "W" or "b", shape a tuple, the two errors floats.
    """
    rows = []
    for layer, param, got, want in _flatten("gradient_table", analytic, numeric):
        got = np.asarray(got, dtype=np.float64)
        want = np.asarray(want, dtype=np.float64)
        if got.shape != want.shape:
            raise ValueError(f"gradient_table: layer {layer} d{param} has shape {got.shape}, "
                             f"the numerical one {want.shape}.")
        diff = float(np.max(np.abs(got - want))) if got.size else 0.0
        rows.append((layer, param, got.shape, relative_error(got, want), diff))
    return rows


def check_gradients(name: str, analytic: Sequence, numeric: Sequence,
                    threshold: float = 1e-6) -> None:
    """Fail unless every analytic gradient matches the numerical one.

    Parameters
    ----------
    name : what computed ``analytic``, e.g. "backward(params, cache, Y)".
    analytic : list of L pairs (dW, db) from the student's backprop.
    numeric : list of L pairs (dW, db) from :func:`numerical_param_grads`.
    threshold : the largest relative error accepted (see :func:`relative_error`).

    Raises
    ------
    CheckFailed : on None, a wrong structure or shape, nan/inf, or a relative error
        above ``threshold``. When several parameters are off, the message names the
        one nearest the output (an error there spreads to all the layers before it)
        and lists the others.
    """
    failures = []
    for layer, param, got, want in _flatten(name, analytic, numeric):
        label = f"layer {layer} d{param}"
        got = as_array(f"{name}: {label}", got).astype(np.float64)
        want = np.asarray(want, dtype=np.float64)
        if got.shape != want.shape:
            hint = " (a transpose?)" if got.shape == want.shape[::-1] else ""
            raise CheckFailed(f"{name}: {label} has shape {got.shape}, expected {want.shape}, "
                              f"the shape of {param}{hint}.")
        errors = _elementwise_relative_error(got, want)
        errors = np.where(np.isnan(errors), np.inf, errors)
        if errors.size and errors.max() > threshold:
            failures.append((layer, param, got, want, errors))
    if not failures:
        return
    layer, param, got, want, errors = failures[-1]
    index = np.unravel_index(int(np.argmax(errors)), errors.shape)
    where = f"[{', '.join(str(int(i)) for i in index)}]"
    others = [f"layer {f[0]} {f[1]}" for f in failures[:-1]]
    also = f" Also off: {', '.join(others)}." if others else ""
    raise CheckFailed(
        f"{name}: the gradient of layer {layer} {param} is wrong: relative error "
        f"{float(errors.max()):.3g}, above the threshold {threshold:g}. Worst entry "
        f"d{param}{where}: got {got[index]:.6g}, expected {want[index]:.6g} "
        f"(numerical gradient).{size_hint(got, want)}{also}"
    )
