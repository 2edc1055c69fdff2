"""Mistakes corpus of notebook 02 (cost functions and gradient descent).

For every exercise: wrong implementations that students really write, which the hidden
test cell must reject with a specific message (it names the function and contains the
hint written next to the mistake), and different correct implementations that both test
cells must accept. Each runs through the grader's engine
(``autograde.grading.trials.run_exercise``), with the exercise's solution cell replaced
by the variant's source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from . import corpus

NOTEBOOK = (Path(__file__).resolve().parents[2]
            / "solutions" / "02_gradient_descent" / "02_gradient_descent.ipynb")

SIGNATURES = {
    "mse": "y_true, y_pred",
    "binary_cross_entropy": "y_true, p",
    "categorical_cross_entropy": "Y_onehot, P",
    "grad_C": "v",
    "numerical_gradient": "f, x, eps=1e-5",
    "gradient_descent": "grad_f, x0, lr, steps",
    "linear_regression_gd": "X, y, lr, epochs",
    "minibatches": "X, y, batch_size, rng",
    "predict_proba": "X, w, b",
    "logistic_gradients": "X, y, w, b",
    "logistic_regression_sgd": "X, y, lr, epochs, batch_size, rng",
}


@dataclass(frozen=True)
class Variant:
    """One implementation of an exercise: function, short id, why it exists, code, hint.

    ``hint`` is a piece of text the hidden tests' message must contain for a mistake
    (empty for a correct alternative); ``public_hint``, when given, one the public test's
    message must contain (the mistakes whose size or kind the public test names).
    """

    exercise: str
    id: str
    why: str
    source: str
    hint: str = ""
    public_hint: str = ""


def _v(exercise: str, mid: str, why: str, body: str, hint: str = "",
       public_hint: str = "") -> Variant:
    """A variant whose source is ``def exercise(<its signature>):`` followed by ``body``."""
    lines = body.strip("\n").splitlines()
    source = (f"def {exercise}({SIGNATURES[exercise]}):\n"
              + "\n".join("    " + line for line in lines) + "\n")
    return Variant(exercise, mid, why, source, hint, public_hint)


MISTAKES = [
    # ------------------------------------------------------------------------------ mse
    _v("mse", "sum-not-mean",
       "The per-example loss 1/2 (y - y_hat)^2 is copied from the notes and never averaged.",
       """
d = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
return 0.5 * np.sum(d ** 2)
""", "average over the samples",
       public_hint="average over the samples"),
    _v("mse", "no-half",
       "Keras, scikit-learn and the notes' 'MSE = RSS * 1/N' have no 1/2.",
       "return np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)", "1/2",
       public_hint="course's factor 1/2"),
    _v("mse", "mean-over-all-entries",
       "np.mean is right for a vector, so students use it for (m, k) too and divide by m*k.",
       "return 0.5 * np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)", "m * k",
       public_hint="not by m * k"),
    _v("mse", "rmse",
       "The slide titles the formula 'RMSE Loss', so students take the square root.",
       "return np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2) / 2)",
       "expected"),
    _v("mse", "square-of-mean",
       "Squares the average error, so positive and negative errors cancel first.",
       "return 0.5 * np.mean(np.asarray(y_true) - np.asarray(y_pred)) ** 2", "expected"),
    # ------------------------------------------------------------- binary_cross_entropy
    _v("binary_cross_entropy", "no-clip",
       "The textbook formula typed in directly: log(0) at p = 0 or 1 gives inf and nan.",
       """
y, p = np.asarray(y_true, dtype=np.float64), np.asarray(p, dtype=np.float64)
return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
""", "clip p"),
    _v("binary_cross_entropy", "log-of-label",
       "The slide's letters are swapped (y is the output there), so the log lands on the label.",
       """
y = np.asarray(y_true, dtype=np.float64)
p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
return -np.mean(p * np.log(y) + (1 - p) * np.log(1 - y))
""", "never of the label"),
    _v("binary_cross_entropy", "missing-minus",
       "The minus sign in front of the sum is easy to drop; the loss then comes out negative.",
       """
y = np.asarray(y_true, dtype=np.float64)
p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
""", "minus sign"),
    _v("binary_cross_entropy", "sum-not-mean",
       "The notes' 'total loss = sum of all individual losses' taken literally.",
       """
y = np.asarray(y_true, dtype=np.float64)
p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
""", "average over the samples"),
    _v("binary_cross_entropy", "only-positive-term",
       "The categorical formula -sum y log p used for two classes drops the (1 - y) term.",
       """
y = np.asarray(y_true, dtype=np.float64)
p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
return -np.mean(y * np.log(p))
""", "expected"),
    _v("binary_cross_entropy", "clip-below-only",
       "Guards log(p) with np.maximum(p, eps) but forgets that log(1 - p) needs p < 1 too.",
       """
y = np.asarray(y_true, dtype=np.float64)
p = np.maximum(np.asarray(p, dtype=np.float64), 1e-12)
return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
""", "clip p"),
    # --------------------------------------------------------- categorical_cross_entropy
    _v("categorical_cross_entropy", "no-clip",
       "Without clipping, 0 * log(0) in the wrong classes gives nan.",
       "return -np.sum(np.asarray(Y_onehot) * np.log(np.asarray(P))) / len(P)", "clip P"),
    _v("categorical_cross_entropy", "mean-over-all-entries",
       "np.mean over the whole matrix divides by m * c instead of m.",
       "return -np.mean(np.asarray(Y_onehot) * np.log(np.clip(P, 1e-12, 1.0)))", "m * c",
       public_hint="divide by m only"),
    _v("categorical_cross_entropy", "binary-formula-per-class",
       "The binary formula, with its (1 - y) log(1 - p) term, applied to every class.",
       """
Y, P = np.asarray(Y_onehot, dtype=np.float64), np.clip(P, 1e-12, 1 - 1e-12)
return -np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / len(Y)
""", "(1 - Y) log(1 - P)"),
    _v("categorical_cross_entropy", "sum-not-mean",
       "The notes' 'total loss' instead of the average that we minimise.",
       "return -np.sum(np.asarray(Y_onehot) * np.log(np.clip(P, 1e-12, 1.0)))",
       "average over the samples"),
    _v("categorical_cross_entropy", "missing-minus",
       "Drops the minus of 'individual loss = -sum actual * log(predicted)'.",
       "return np.sum(np.asarray(Y_onehot) * np.log(np.clip(P, 1e-12, 1.0))) / len(P)",
       "minus sign"),
    _v("categorical_cross_entropy", "swapped-arguments",
       "Written in notebook 03's order, cross_entropy_loss(P, Y): the first argument is taken "
       "as the probabilities, so the log lands on the one-hot targets.",
       """
P_, Y_ = np.asarray(Y_onehot, dtype=np.float64), np.asarray(P, dtype=np.float64)
return float(-np.sum(Y_ * np.log(np.clip(P_, 1e-12, 1.0))) / len(Y_))
""", "the arguments look swapped", public_hint="the arguments look swapped"),
    # ---------------------------------------------------------------------------- grad_C
    _v("grad_C", "negated",
       "Students remember 'go against the gradient' and put the minus sign in here.",
       "v = np.asarray(v, dtype=np.float64)\n"
       "return -np.stack([3 * v[..., 0], v[..., 1]], axis=-1)", "uphill"),
    _v("grad_C", "coefficients-not-derivatives",
       "Keeps the coefficients 3/2 and 1/2 without bringing the exponent down.",
       "v = np.asarray(v, dtype=np.float64)\n"
       "return np.stack([1.5 * v[..., 0], 0.5 * v[..., 1]], axis=-1)", "exponent"),
    _v("grad_C", "swapped",
       "Stacks dC/dy before dC/dx.",
       "v = np.asarray(v, dtype=np.float64)\n"
       "return np.stack([v[..., 1], 3 * v[..., 0]], axis=-1)", "swapped"),
    _v("grad_C", "one-point-only",
       "v[0] and v[1] pick rows, not coordinates, when v is a batch of points.",
       "return np.array([3.0 * v[0], v[1]])", "shape"),
    # ---------------------------------------------------------------- numerical_gradient
    _v("numerical_gradient", "forward-difference",
       "The definition of the derivative from school: (f(x + h) - f(x)) / h.",
       """
x = np.array(x, dtype=np.float64)
grad = np.zeros_like(x)
f_x = f(x)
for i in np.ndindex(x.shape):
    old = x[i]
    x[i] = old + eps
    grad[i] = (f(x) - f_x) / eps
    x[i] = old
return grad
""", "one-sided",
       public_hint="(2 eps)"),
    _v("numerical_gradient", "no-restore",
       "Nudges the caller's array in place (no copy) and never puts the old value back.",
       """
x = np.asarray(x, dtype=np.float64)
grad = np.zeros_like(x)
for i in np.ndindex(x.shape):
    x[i] += eps
    f_plus = f(x)
    x[i] -= 2 * eps
    f_minus = f(x)
    grad[i] = (f_plus - f_minus) / (2 * eps)
return grad
""", "old value back"),
    _v("numerical_gradient", "copy-no-restore",
       "Works on a float64 copy but steps x[i] up and down without putting it back, so every "
       "later entry is measured at a point shifted by -eps in the earlier ones.",
       """
x = np.array(x, dtype=np.float64)
grad = np.zeros_like(x)
for i in np.ndindex(x.shape):
    x[i] += eps
    f_plus = f(x)
    x[i] -= 2 * eps
    f_minus = f(x)
    grad[i] = (f_plus - f_minus) / (2 * eps)
return grad
""", "old value back", public_hint="put x[i] back"),
    _v("numerical_gradient", "integer-copy",
       "x.copy() keeps an integer dtype, so x + eps is truncated back to x.",
       """
x = x.copy()
grad = np.zeros(x.shape)
for i in np.ndindex(x.shape):
    old = x[i]
    x[i] = old + eps
    f_plus = f(x)
    x[i] = old - eps
    f_minus = f(x)
    x[i] = old
    grad[i] = (f_plus - f_minus) / (2 * eps)
return grad
""", "float64",
       public_hint="dtype=np.float64"),
    _v("numerical_gradient", "fixed-step",
       "Hard-codes h = 1e-5 inside the loop and ignores the eps argument.",
       """
x = np.array(x, dtype=np.float64)
grad = np.zeros_like(x)
h = 1e-5
for i in np.ndindex(x.shape):
    old = x[i]
    x[i] = old + h
    f_plus = f(x)
    x[i] = old - h
    f_minus = f(x)
    x[i] = old
    grad[i] = (f_plus - f_minus) / (2 * h)
return grad
""", "eps argument",
       public_hint="eps argument"),
    _v("numerical_gradient", "flattened",
       "Flattens x to loop with one index and passes the flat vector to f.",
       """
shape = np.shape(x)
x = np.array(x, dtype=np.float64).ravel()
grad = np.zeros_like(x)
for i in range(x.size):
    old = x[i]
    x[i] = old + eps
    f_plus = f(x)
    x[i] = old - eps
    f_minus = f(x)
    x[i] = old
    grad[i] = (f_plus - f_minus) / (2 * eps)
return grad.reshape(shape)
""", "shape",
       public_hint="don't flatten"),
    # ------------------------------------------------------------------ gradient_descent
    _v("gradient_descent", "ascent",
       "'Move along the gradient' read literally: x + lr * grad.",
       """
path = [np.array(x0, dtype=np.float64)]
for _ in range(steps):
    path.append(path[-1] + lr * np.asarray(grad_f(path[-1])))
return np.array(path)
""", "uphill"),
    _v("gradient_descent", "missing-x0",
       "Records each point after its update, so the start never makes it into the path.",
       """
x = np.array(x0, dtype=np.float64)
path = []
for _ in range(steps):
    x = x - lr * np.asarray(grad_f(x))
    path.append(x)
return np.array(path)
""", "steps + 1"),
    _v("gradient_descent", "aliased-rows",
       "Appends the same array object every step and updates it in place with -=.",
       """
x = np.array(x0, dtype=np.float64)
path = [x]
for _ in range(steps):
    x -= lr * np.asarray(grad_f(x))
    path.append(x)
return np.array(path)
""", "in place"),
    _v("gradient_descent", "mutates-x0",
       "Uses x0 itself as the running point (x = x0) and updates it in place.",
       """
x = x0
path = [np.array(x, dtype=np.float64)]
for _ in range(steps):
    x -= lr * np.asarray(grad_f(x))
    path.append(np.array(x, dtype=np.float64))
return np.array(path)
""", "in place"),
    # -------------------------------------------------------------- linear_regression_gd
    _v("linear_regression_gd", "loss-after-update",
       "Records the loss at the end of the epoch, after the parameters changed.",
       """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    error = X @ w + b - y
    w, b = w - lr * X.T @ error / len(y), b - lr * np.mean(error)
    losses.append(mse(y, X @ w + b))
return w, b, np.array(losses)
""", "before each epoch's update"),
    _v("linear_regression_gd", "no-bias-gradient",
       "Updates the weights and forgets the bias, which stays at 0.",
       """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    y_hat = X @ w + b
    losses.append(mse(y, y_hat))
    w = w - lr * X.T @ (y_hat - y) / len(y)
return w, b, np.array(losses)
""", "bias"),
    _v("linear_regression_gd", "factor-two",
       "Differentiates the square without the 1/2 convention, as in the 3Blue1Brown notes.",
       """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    y_hat = X @ w + b
    losses.append(mse(y, y_hat))
    w = w - lr * 2 * X.T @ (y_hat - y) / len(y)
    b = b - lr * 2 * np.mean(y_hat - y)
return w, b, np.array(losses)
""", "1/2",
       public_hint="no factor 2"),
    _v("linear_regression_gd", "sum-gradient",
       "Forgets the 1/m of the average in the gradient.",
       """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    y_hat = X @ w + b
    losses.append(mse(y, y_hat))
    w = w - lr * X.T @ (y_hat - y)
    b = b - lr * np.sum(y_hat - y)
return w, b, np.array(losses)
""", "divide the gradient by m",
       public_hint="divide the gradient by m"),
    _v("linear_regression_gd", "actual-minus-predicted",
       "The notes' 'actual - predicted' error with the descent update: the step goes uphill.",
       """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    y_hat = X @ w + b
    losses.append(mse(y, y_hat))
    error = y - y_hat
    w = w - lr * X.T @ error / len(y)
    b = b - lr * np.mean(error)
return w, b, np.array(losses)
""", "uphill",
       public_hint="uphill"),
    _v("linear_regression_gd", "random-init",
       "Copies a network's random initialisation from np.random instead of starting at 0.",
       """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
w, b, losses = 0.01 * np.random.randn(X.shape[1]), 0.0, []
for _ in range(epochs):
    y_hat = X @ w + b
    losses.append(mse(y, y_hat))
    w = w - lr * X.T @ (y_hat - y) / len(y)
    b = b - lr * np.mean(y_hat - y)
return w, b, np.array(losses)
""", "w = 0, b = 0"),
    # ----------------------------------------------------------------------- minibatches
    _v("minibatches", "drops-last",
       "The loop 'for k in range(m // batch_size)' silently loses the last partial batch.",
       """
order = rng.permutation(len(X))
for k in range(len(X) // batch_size):
    idx = order[k * batch_size:(k + 1) * batch_size]
    yield X[idx], y[idx]
""", "keep the last batch"),
    _v("minibatches", "not-shuffled",
       "Slices the data in its stored order.",
       """
for start in range(0, len(X), batch_size):
    yield X[start:start + batch_size], y[start:start + batch_size]
""", "not shuffled"),
    _v("minibatches", "shuffles-separately",
       "Shuffles X and y with two different permutations, so the labels no longer match.",
       """
X_shuffled, y_shuffled = rng.permutation(X), rng.permutation(y)
for start in range(0, len(X), batch_size):
    yield X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]
""", "belong together"),
    _v("minibatches", "global-random",
       "Uses the familiar np.random.permutation instead of the rng argument.",
       """
order = np.random.permutation(len(X))
for start in range(0, len(X), batch_size):
    yield X[order[start:start + batch_size]], y[order[start:start + batch_size]]
""", "rng.permutation(m)",
       public_hint="rng.permutation(m)"),
    _v("minibatches", "own-generator",
       "Creates np.random.default_rng(0) inside: the same order in every epoch and every run.",
       """
order = np.random.default_rng(0).permutation(len(X))
for start in range(0, len(X), batch_size):
    yield X[order[start:start + batch_size]], y[order[start:start + batch_size]]
""", "rng.permutation(m)",
       public_hint="rng.permutation(m)"),
    _v("minibatches", "choice-not-permutation",
       "rng.choice(m, m, replace=False) shuffles too, but not in the order rng.permutation(m) "
       "gives, which the prompt asks for so that logistic_regression_sgd can be replayed.",
       """
order = rng.choice(len(X), size=len(X), replace=False)
for start in range(0, len(X), batch_size):
    yield X[order[start:start + batch_size]], y[order[start:start + batch_size]]
""", "rng.permutation(m)", public_hint="rng.permutation(m)"),
    _v("minibatches", "with-replacement",
       "Draws each batch at random with rng.integers: some samples twice, some never.",
       """
for start in range(0, len(X), batch_size):
    idx = rng.integers(0, len(X), size=min(batch_size, len(X) - start))
    yield X[idx], y[idx]
""", "exactly once"),
    # --------------------------------------------------------------------- predict_proba
    _v("predict_proba", "exp-ratio",
       "e^z / (1 + e^z) looks equivalent but gives inf / inf = nan at z = 1000.",
       """
z = np.asarray(X, dtype=np.float64) @ w + b
return np.exp(z) / (1 + np.exp(z))
""", "finite"),
    _v("predict_proba", "no-bias",
       "Forgets the bias: sigmoid(X @ w).",
       "return 0.5 * (1 + np.tanh(0.5 * (np.asarray(X, dtype=np.float64) @ w)))", "expected"),
    _v("predict_proba", "tanh-not-sigmoid",
       "Takes the other S-shaped activation of notebook 01, with range (-1, 1).",
       "return np.tanh(np.asarray(X, dtype=np.float64) @ w + b)", "expected"),
    _v("predict_proba", "sigmoid-of-minus-z",
       "1 / (1 + e^z): the minus sign of e^-z lost, probabilities of the wrong class.",
       "return 0.5 * (1 - np.tanh(0.5 * (np.asarray(X, dtype=np.float64) @ w + b)))",
       "expected"),
    # ---------------------------------------------------------------- logistic_gradients
    _v("logistic_gradients", "sum-not-mean",
       "Forgets the 1/m of the average loss.",
       """
error = predict_proba(X, w, b) - y
return X.T @ error, np.sum(error)
""", "average over the batch"),
    _v("logistic_gradients", "y-minus-p",
       "Writes the error as 'actual minus predicted', which flips the gradient.",
       """
error = y - predict_proba(X, w, b)
return X.T @ error / len(X), np.mean(error)
""", "wrong sign"),
    _v("logistic_gradients", "extra-sigmoid-prime",
       "Chains through the sigmoid as for the MSE, not seeing that p (1 - p) cancels.",
       """
p = predict_proba(X, w, b)
delta = (p - y) * p * (1 - p)
return X.T @ delta / len(X), np.mean(delta)
""", "cancels",
       public_hint="cancels"),
    _v("logistic_gradients", "bias-gradient-zero",
       "Returns a zero bias gradient, as if the bias did not depend on the data.",
       """
error = predict_proba(X, w, b) - y
return X.T @ error / len(X), 0.0
""", "db of logistic_gradients"),
    # ----------------------------------------------------------- logistic_regression_sgd
    _v("logistic_regression_sgd", "loss-after-epoch",
       "Records the loss after the epoch's updates instead of before them.",
       """
X = np.asarray(X, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    for X_batch, y_batch in minibatches(X, y, batch_size, rng):
        dw, db = logistic_gradients(X_batch, y_batch, w, b)
        w, b = w - lr * dw, b - lr * db
    losses.append(binary_cross_entropy(y, predict_proba(X, w, b)))
return w, b, np.array(losses)
""", "log 2"),
    _v("logistic_regression_sgd", "global-shuffle",
       "Shuffles with np.random.permutation inline, ignoring the rng argument.",
       """
X = np.asarray(X, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    losses.append(binary_cross_entropy(y, predict_proba(X, w, b)))
    order = np.random.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        dw, db = logistic_gradients(X[idx], y[idx], w, b)
        w, b = w - lr * dw, b - lr * db
return w, b, np.array(losses)
""", "same rng seed"),
    _v("logistic_regression_sgd", "fresh-rng-each-epoch",
       "Passes np.random.default_rng(0) to minibatches: the same batches in every epoch.",
       """
X = np.asarray(X, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    losses.append(binary_cross_entropy(y, predict_proba(X, w, b)))
    for X_batch, y_batch in minibatches(X, y, batch_size, np.random.default_rng(0)):
        dw, db = logistic_gradients(X_batch, y_batch, w, b)
        w, b = w - lr * dw, b - lr * db
return w, b, np.array(losses)
""", "with the rng argument",
       public_hint="with the rng given"),
    _v("logistic_regression_sgd", "one-update-per-epoch",
       "Averages the batch gradients over the epoch and steps once: batch GD in disguise.",
       """
X = np.asarray(X, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    losses.append(binary_cross_entropy(y, predict_proba(X, w, b)))
    grads = [logistic_gradients(X_batch, y_batch, w, b)
             for X_batch, y_batch in minibatches(X, y, batch_size, rng)]
    w = w - lr * np.mean([dw for dw, _ in grads], axis=0)
    b = b - lr * np.mean([db for _, db in grads])
return w, b, np.array(losses)
""", "for each (X_batch, y_batch)",
       public_hint="for each"),
    _v("logistic_regression_sgd", "ascent",
       "Adds the gradient instead of subtracting it.",
       """
X = np.asarray(X, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    losses.append(binary_cross_entropy(y, predict_proba(X, w, b)))
    for X_batch, y_batch in minibatches(X, y, batch_size, rng):
        dw, db = logistic_gradients(X_batch, y_batch, w, b)
        w, b = w + lr * dw, b + lr * db
return w, b, np.array(losses)
""", "w -= lr * dw"),
    _v("logistic_regression_sgd", "in-order-batches",
       "Slices the data in order instead of calling minibatches.",
       """
X = np.asarray(X, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    losses.append(binary_cross_entropy(y, predict_proba(X, w, b)))
    for start in range(0, len(X), batch_size):
        dw, db = logistic_gradients(X[start:start + batch_size], y[start:start + batch_size],
                                    w, b)
        w, b = w - lr * dw, b - lr * db
return w, b, np.array(losses)
""", "minibatches(X, y, batch_size, rng)",
       public_hint="minibatches(X, y, batch_size, rng)"),
]

ALTERNATIVES = [
    _v("mse", "row-sums-then-mean", "Half the sum of each row, then np.mean over the rows.", """
d = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
d = d.reshape(len(d), -1)
return float(np.mean(0.5 * np.sum(d ** 2, axis=1)))
"""),
    _v("mse", "dot-product", "The flattened error dotted with itself, over 2m.", """
d = (np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)).ravel()
return d @ d / (2 * len(y_true))
"""),
    _v("mse", "loop-over-samples", "A Python loop over the samples, sum / len.", """
total = 0.0
for target, prediction in zip(y_true, y_pred):
    total += 0.5 * np.sum((np.asarray(prediction, dtype=np.float64) - target) ** 2)
return total / len(y_true)
"""),
    _v("binary_cross_entropy", "where-branches",
       "-log p or -log(1 - p) picked with np.where, clipped with np.maximum/np.minimum.", """
p = np.minimum(np.maximum(np.asarray(p, dtype=np.float64), 1e-12), 1 - 1e-12)
return float(np.mean(np.where(np.asarray(y_true) == 1, -np.log(p), -np.log(1 - p))))
"""),
    _v("binary_cross_entropy", "log1p-eps-1e-7",
       "A larger eps (1e-7), log1p for log(1 - p), sum / len.", """
y = np.asarray(y_true, dtype=np.float64)
p = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
return -np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)) / len(y)
"""),
    _v("binary_cross_entropy", "eps-1e-15",
       "Keras' tiny eps, 1e-15.", """
y = np.asarray(y_true, dtype=np.float64)
p = np.clip(np.asarray(p, dtype=np.float64), 1e-15, 1 - 1e-15)
return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
"""),
    _v("categorical_cross_entropy", "pick-true-class",
       "Only the true class counts: -log of P at the one-hot positions.", """
P = np.maximum(np.asarray(P, dtype=np.float64), 1e-12)
return float(-np.mean(np.log(P[np.asarray(Y_onehot).astype(bool)])))
"""),
    _v("categorical_cross_entropy", "einsum-rows",
       "Per-sample losses with einsum, eps 1e-15, then their mean.", """
P = np.clip(np.asarray(P, dtype=np.float64), 1e-15, None)
per_sample = -np.einsum("ij,ij->i", np.asarray(Y_onehot, dtype=np.float64), np.log(P))
return per_sample.mean()
"""),
    _v("grad_C", "broadcast-multiply", "(x, y) times the constant vector (3, 1).",
       "return np.asarray(v, dtype=np.float64) * np.array([3.0, 1.0])"),
    _v("grad_C", "copy-and-scale", "A float copy with its x entries tripled.", """
g = np.array(v, dtype=np.float64)
g[..., 0] *= 3
return g
"""),
    _v("numerical_gradient", "nditer", "cs231n's np.nditer loop on a float64 copy.", """
x = np.array(x, dtype=np.float64)
grad = np.zeros_like(x)
it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
while not it.finished:
    i = it.multi_index
    old = x[i]
    x[i] = old + eps
    f_plus = f(x)
    x[i] = old - eps
    f_minus = f(x)
    x[i] = old
    grad[i] = (f_plus - f_minus) / (2 * eps)
    it.iternext()
return grad
"""),
    _v("numerical_gradient", "basis-vectors",
       "New arrays x + eps e_i and x - eps e_i; x itself is never written.", """
x = np.asarray(x, dtype=np.float64)
grad = np.zeros(x.shape)
for k in range(x.size):
    e = np.zeros(x.shape)
    e.flat[k] = eps
    grad.flat[k] = (f(x + e) - f(x - e)) / (2 * eps)
return grad
"""),
    _v("gradient_descent", "list-of-copies", "A list of copies of an in-place updated point.", """
x = np.array(x0, dtype=np.float64)
path = [x.copy()]
for _ in range(steps):
    x -= lr * np.asarray(grad_f(x))
    path.append(x.copy())
return np.array(path)
"""),
    _v("gradient_descent", "vstack", "Grows the path with np.vstack from its last row.", """
path = np.array(x0, dtype=np.float64)[None, :]
for _ in range(steps):
    path = np.vstack([path, path[-1] - lr * np.asarray(grad_f(path[-1]))])
return path
"""),
    _v("linear_regression_gd", "augmented-matrix",
       "The bias as a weight on a column of ones, one parameter vector.", """
Xa = np.column_stack([np.asarray(X, dtype=np.float64), np.ones(len(X))])
theta = np.zeros(Xa.shape[1])
losses = []
for _ in range(epochs):
    y_hat = Xa @ theta
    losses.append(mse(y, y_hat))
    theta = theta - lr * Xa.T @ (y_hat - y) / len(Xa)
return theta[:-1], theta[-1], losses
"""),
    _v("linear_regression_gd", "average-of-example-gradients",
       "The notes' averaging: one gradient per example, averaged in a loop.", """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
m, n = X.shape
w, b, losses = np.zeros(n), 0.0, []
for _ in range(epochs):
    losses.append(mse(y, X @ w + b))
    dw, db = np.zeros(n), 0.0
    for x_i, y_i in zip(X, y):
        error = x_i @ w + b - y_i
        dw += error * x_i / m
        db += error / m
    w, b = w - lr * dw, b - lr * db
return w, b, np.array(losses)
"""),
    _v("minibatches", "list-comprehension", "Returns a list instead of yielding.", """
order = rng.permutation(len(X))
return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
        for i in range(0, len(X), batch_size)]
"""),
    _v("minibatches", "shuffle-then-slice", "Shuffled copies of X and y, then plain slices.", """
perm = rng.permutation(len(y))
X_shuffled, y_shuffled = X[perm], y[perm]
for start in range(0, len(y), batch_size):
    yield X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]
"""),
    _v("minibatches", "rng-shuffle-arange", "rng.shuffle on np.arange(m), then a while loop.", """
idx = np.arange(len(X))
rng.shuffle(idx)
batches = []
while idx.size:
    batches.append((X[idx[:batch_size]], y[idx[:batch_size]]))
    idx = idx[batch_size:]
return batches
"""),
    _v("predict_proba", "tanh-identity", "sigma(z) = (1 + tanh(z / 2)) / 2.",
       "return 0.5 * (1.0 + np.tanh(0.5 * (np.asarray(X, dtype=np.float64) @ w + b)))"),
    _v("predict_proba", "logaddexp", "exp(-log(1 + e^-z)) with np.logaddexp.", """
z = np.dot(X, w) + b
return np.exp(-np.logaddexp(0.0, -z))
"""),
    _v("predict_proba", "naive-with-errstate",
       "1 / (1 + e^-z): exact values once the overflow warning is silenced.", """
with np.errstate(over="ignore"):
    return 1.0 / (1.0 + np.exp(-(np.asarray(X, dtype=np.float64) @ w + b)))
"""),
    _v("logistic_gradients", "loop-over-examples", "One example at a time, then averaged.", """
X = np.asarray(X, dtype=np.float64)
dw, db = np.zeros(X.shape[1]), 0.0
for x_i, y_i in zip(X, y):
    error = predict_proba(x_i[None, :], w, b)[0] - y_i
    dw += error * x_i
    db += error
return dw / len(X), db / len(X)
"""),
    _v("logistic_gradients", "augmented-ones", "A column of ones gives db with dw.", """
Xa = np.column_stack([np.asarray(X, dtype=np.float64), np.ones(len(X))])
g = Xa.T @ (predict_proba(X, w, b) - y) / len(X)
return g[:-1], g[-1]
"""),
    _v("logistic_regression_sgd", "inline-gradients",
       "The gradient written inline, in-place updates, losses as a list.", """
X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
w, b, losses = np.zeros(X.shape[1]), 0.0, []
for _ in range(epochs):
    losses.append(binary_cross_entropy(y, predict_proba(X, w, b)))
    for X_batch, y_batch in minibatches(X, y, batch_size, rng):
        error = predict_proba(X_batch, w, b) - y_batch
        w -= lr * X_batch.T @ error / len(y_batch)
        b -= lr * error.mean()
return w, b, losses
"""),
    _v("logistic_regression_sgd", "theta-and-logaddexp",
       "One parameter vector with a ones column; the loss written with np.logaddexp.", """
Xa = np.column_stack([np.asarray(X, dtype=np.float64), np.ones(len(X))])
theta, losses = np.zeros(Xa.shape[1]), np.zeros(epochs)
for epoch in range(epochs):
    z = Xa @ theta
    losses[epoch] = np.mean(np.logaddexp(0.0, z) - y * z)
    for X_batch, y_batch in minibatches(Xa, y, batch_size, rng):
        p = predict_proba(X_batch[:, :-1], theta[:-1], theta[-1])
        theta = theta - lr * X_batch.T @ (p - y_batch) / len(y_batch)
return theta[:-1], theta[-1], losses
"""),
]


def test_reference_solutions_pass_every_test_cell():
    corpus.assert_reference_passes(NOTEBOOK, list(SIGNATURES))


def test_corpus_covers_every_exercise():
    corpus.assert_covers(list(SIGNATURES), MISTAKES, ALTERNATIVES)
    assert all(m.hint for m in MISTAKES) and not any(a.hint for a in ALTERNATIVES)


def test_signatures_match_the_notebook():
    corpus.assert_signatures(NOTEBOOK, SIGNATURES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_hidden_tests_reject_mistake_with_a_specific_message(mistake):
    hidden = corpus.rejected(NOTEBOOK, mistake)
    assert mistake.hint in hidden.message, (
        f"the message for {mistake.id} lacks {mistake.hint!r}: {hidden.message}")


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=corpus.ids(ALTERNATIVES))
def test_correct_alternative_passes_both_test_cells(alternative):
    corpus.assert_accepted(NOTEBOOK, alternative)


# Mistakes the public tests deliberately let through (edge cases and other sizes that the
# hidden tests keep), each with its reason.
PUBLIC_MISSES: dict[str, str] = {}


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_public_test_rejects_mistake(mistake):
    corpus.assert_public_verdict(NOTEBOOK, mistake.exercise, mistake.id, mistake.source,
                                 PUBLIC_MISSES)


def test_public_misses_are_corpus_mistakes():
    corpus.assert_misses_are_mistakes(PUBLIC_MISSES, MISTAKES)


WITH_PUBLIC_HINT = [m for m in MISTAKES if m.public_hint]


@pytest.mark.parametrize("mistake", WITH_PUBLIC_HINT, ids=corpus.ids(WITH_PUBLIC_HINT))
def test_public_test_names_the_mistake(mistake):
    """Where the size or kind of a mistake explains it (a factor 2, m or k, swapped
    arguments, an ignored argument), the public test says so before grading."""
    public = corpus.outcomes(NOTEBOOK, mistake.exercise, mistake.source)[
        f"test_{mistake.exercise}"]
    assert not public.passed and mistake.public_hint in public.message, public.message


# A later exercise whose own code is right, run after a wrong earlier function (the
# replacement cell redefines the earlier function, then the later reference): its public
# test must blame the earlier function, and its hidden tests, which use the references of
# the earlier functions, must not cost the student a second time.
BLAME = [
    ("logistic_regression_sgd", "minibatches", "minibatches", "global-random"),
    ("logistic_regression_sgd", "logistic_gradients", "logistic_gradients", "sum-not-mean"),
    ("linear_regression_gd", "mse", "mse", "no-half"),
    ("logistic_gradients", "predict_proba", "predict_proba", "tanh-not-sigmoid"),
]


@pytest.mark.parametrize("later, earlier, exercise, mid", BLAME,
                         ids=[f"{later}-after-{earlier}-{mid}" for later, earlier, _, mid in BLAME])
def test_later_exercise_blames_the_wrong_earlier_function(later, earlier, exercise, mid):
    wrong = next(m for m in MISTAKES if (m.exercise, m.id) == (exercise, mid))
    source = wrong.source + "\n\n" + corpus.reference_source(NOTEBOOK, later)
    corpus.assert_blamed(corpus.outcomes(NOTEBOOK, later, source), later, earlier)
