"""Mistakes corpus of notebook 03 (backpropagation: a multilayer network from scratch).

For every exercise: wrong implementations that students really write, which the public
test cell must already reject (issue 16: every stated requirement is exercised before the
student submits; ``PUBLIC_MISSES`` lists the deliberate exceptions, none today) and the
hidden test cell must reject with a message naming the function, and different correct
implementations that both test cells must accept. Each runs through the grader's engine
(``autograde.grading.trials.run_exercise``), with the exercise's solution cell replaced
by the variant's source. A variant of ``backward`` may redefine ``forward`` too (its own
cache format): the test cells call the student's ``forward`` and then the student's
``backward``. ``hint`` / ``public_hint`` is text the message must contain where a known
confusion or the size of the error explains the mistake; ``BLAME`` proves that a later
exercise's public test names a broken earlier function and that its hidden tests, run on
reference copies of the earlier functions, do not charge the same bug twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from . import corpus

NOTEBOOK = (Path(__file__).resolve().parents[2]
            / "solutions" / "03_backprop" / "03_backprop.ipynb")

SIGNATURES = {
    "count_parameters": "layer_sizes",
    "sigmoid": "z",
    "relu": "z",
    "init_params": "layer_sizes, rng",
    "softmax": "Z",
    "forward": 'params, X, activation="sigmoid"',
    "cross_entropy_loss": "P, Y",
    "sigmoid_prime": "z",
    "relu_prime": "z",
    "backward": "params, cache, Y",
    "predict": 'params, X, activation="sigmoid"',
    "train_mlp": 'X, Y, layer_sizes, lr, epochs, batch_size, rng, activation="sigmoid"',
}


@dataclass(frozen=True)
class Variant:
    """One implementation of an exercise: its function, a short id, why it exists, its code."""

    exercise: str
    id: str
    why: str
    source: str
    hint: str = ""          # text the hidden tests' message must contain (a mistake's cause)
    public_hint: str = ""   # text the public test's message must contain


def _src(exercise: str, body: str, prelude: str = "") -> str:
    """``prelude`` then ``def exercise(<signature>):`` with ``body`` indented by 4 spaces."""
    lines = body.strip("\n").splitlines()
    head = f"def {exercise}({SIGNATURES[exercise]}):\n"
    return prelude.strip("\n") + "\n\n" * bool(prelude) + head + "\n".join(
        "    " + line if line else "" for line in lines) + "\n"


def _v(exercise: str, mid: str, why: str, body: str, prelude: str = "", hint: str = "",
       public_hint: str = "") -> Variant:
    return Variant(exercise, mid, why, _src(exercise, body, prelude), hint, public_hint)


# The correct forward (reference cache format), repeated by the backward variants below.
_FORWARD_BODY = """
functions = {"sigmoid": sigmoid, "relu": relu}
A = np.asarray(X, dtype=np.float64)
cache = []
for l, (W, b) in enumerate(params, start=1):
    Z = A @ W.T + b
    name = "softmax" if l == len(params) else activation
    cache.append((A, Z, name))
    A = softmax(Z) if name == "softmax" else functions[name](Z)
return A, cache
"""


def _forward_with(changed: str, into: str) -> str:
    """The correct forward body with the line ``changed`` replaced by ``into``."""
    assert changed in _FORWARD_BODY, changed
    return _FORWARD_BODY.replace(changed, into)


# The correct backward, with one thing changed per mistake.
_BACKWARD_BODY = """
derivatives = {"sigmoid": sigmoid_prime, "relu": relu_prime}
Y = np.asarray(Y, dtype=np.float64)
grads = []
for (W, _), (A_prev, Z, name) in zip(reversed(params), reversed(cache)):
    if name == "softmax":
        dZ = (softmax(Z) - Y) / len(Y)
    else:
        dZ = dA * derivatives[name](Z)
    grads.insert(0, (dZ.T @ A_prev, dZ.sum(axis=0)))
    dA = dZ @ W
return grads
"""


def _backward_with(changed: str, into: str) -> str:
    assert changed in _BACKWARD_BODY, changed
    return _BACKWARD_BODY.replace(changed, into)


# The correct training loop, with one thing changed per mistake.
_TRAIN_BODY = """
X = np.asarray(X, dtype=np.float64)
Y = np.asarray(Y, dtype=np.float64)
params = init_params(layer_sizes, rng)
history = {"loss": [], "accuracy": []}
for _ in range(epochs):
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        _, cache = forward(params, X[batch], activation)
        grads = backward(params, cache, Y[batch])
        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
    P, _ = forward(params, X, activation)
    history["loss"].append(cross_entropy_loss(P, Y))
    history["accuracy"].append(float(np.mean(P.argmax(axis=1) == Y.argmax(axis=1))))
return params, history
"""


def _train_with(*changes: tuple[str, str]) -> str:
    body = _TRAIN_BODY
    for changed, into in changes:
        assert changed in body, changed
        body = body.replace(changed, into)
    return body


# Notebook 02's loss, whose arguments come in the other order: (Y_onehot, P).
_CATEGORICAL_CROSS_ENTROPY_02 = """
def categorical_cross_entropy(Y_onehot, P):
    Y = np.asarray(Y_onehot, dtype=np.float64)
    P = np.clip(np.asarray(P, dtype=np.float64), 1e-12, 1.0)
    return float(np.sum(Y * -np.log(P)) / Y.shape[0])
"""

MISTAKES = [
    # --------------------------------------------------------------- count_parameters
    _v("count_parameters", "no_biases",
       "Students count the connections and forget that every neuron after the input layer "
       "has a bias too (12,960 instead of 13,002).",
       "s = list(layer_sizes)\nreturn sum(a * b for a, b in zip(s[:-1], s[1:]))"),
    _v("count_parameters", "input_layer_biases",
       "Students give every neuron a bias, the 784 input neurons included, although those "
       "only hold pixel values.",
       "s = list(layer_sizes)\nreturn sum(a * b for a, b in zip(s[:-1], s[1:])) + sum(s)"),
    _v("count_parameters", "one_bias_per_layer",
       "From the perceptron's single b, students count one bias per layer instead of one "
       "per neuron.",
       "s = list(layer_sizes)\nreturn sum(a * b for a, b in zip(s[:-1], s[1:])) + len(s) - 1"),
    _v("count_parameters", "loop_skips_last_layer",
       "An off-by-one range(len(layer_sizes) - 2) leaves out the last pair of layers.",
       "total = 0\nfor i in range(len(layer_sizes) - 2):\n"
       "    total += layer_sizes[i] * layer_sizes[i + 1] + layer_sizes[i + 1]\nreturn total"),
    # ---------------------------------------------------------------------- sigmoid
    _v("sigmoid", "sign_flipped",
       "Students drop the minus sign of e^(-z), which mirrors the curve.",
       "return 1 / (1 + np.exp(z))"),
    _v("sigmoid", "operator_precedence",
       "Without brackets, 1 / 1 + np.exp(-z) is 1 + e^(-z).",
       "return 1 / 1 + np.exp(-z)"),
    _v("sigmoid", "exp_ratio_overflows",
       "Students use the equal form e^z / (1 + e^z) everywhere, which is inf / inf = nan "
       "for large positive z.",
       "z = np.asarray(z, dtype=np.float64)\nreturn np.exp(z) / (1 + np.exp(z))"),
    _v("sigmoid", "clips_input_in_place",
       "To avoid the overflow warning students clip z in place, which changes the "
       "caller's array.",
       "z = np.asarray(z, dtype=np.float64)\nz[z < -500] = -500.0\nreturn 1 / (1 + np.exp(-z))"),
    # ------------------------------------------------------------------------- relu
    _v("relu", "np_max_reduces",
       "np.max(z, 0) is the largest entry along axis 0, not the elementwise maximum.",
       "return np.max(z, 0)"),
    _v("relu", "zeroes_input_in_place",
       "Setting the negative entries to 0 in place changes the caller's array.",
       "z[z < 0] = 0\nreturn z"),
    _v("relu", "returns_mask",
       "Students confuse ReLU with its derivative and return where z is positive.",
       "return (np.asarray(z) > 0).astype(np.float64)"),
    # ------------------------------------------------------------------ init_params
    _v("init_params", "transposed_W",
       "Students shape W as (n_in, n_out), the way X @ W would need it.",
       "return [(rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_in, n_out)), np.zeros(n_out))\n"
       "        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]"),
    _v("init_params", "all_zeros",
       "Zeros look like a neutral start, but then every neuron of a layer stays a copy of "
       "the others (symmetry).",
       "return [(np.zeros((n_out, n_in)), np.zeros(n_out))\n"
       "        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]"),
    _v("init_params", "global_rng",
       "Students reach for np.random.randn and ignore the rng argument, so a seed does not "
       "reproduce the network.",
       "return [(np.random.randn(n_out, n_in) / np.sqrt(n_in), np.zeros(n_out))\n"
       "        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]"),
    _v("init_params", "unscaled_normal",
       "Standard normal weights without the 1/sqrt(n_in) make first-layer sums of about 9 "
       "and saturate the sigmoid.",
       "return [(rng.standard_normal((n_out, n_in)), np.zeros(n_out))\n"
       "        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]"),
    _v("init_params", "column_bias",
       "The notes draw b as a column vector, so students make it (n_out, 1).",
       "return [(rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_out, n_in)), np.zeros((n_out, 1)))\n"
       "        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]"),
    _v("init_params", "uniform_positive",
       "rng.random (like np.random.rand) draws from [0, 1): every weight positive.",
       "return [(rng.random((n_out, n_in)) / np.sqrt(n_in), np.zeros(n_out))\n"
       "        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]"),
    # ---------------------------------------------------------------------- softmax
    _v("softmax", "no_max_subtraction",
       "The textbook formula, exactly as written, overflows to inf / inf for scores of 1000.",
       "E = np.exp(Z)\nreturn E / E.sum(axis=1, keepdims=True)"),
    _v("softmax", "axis_0",
       "Students normalise the columns (axis=0) instead of each sample's row.",
       "E = np.exp(Z - Z.max(axis=0, keepdims=True))\nreturn E / E.sum(axis=0, keepdims=True)"),
    _v("softmax", "no_keepdims",
       "Without keepdims the (m,) row sums broadcast along the columns.",
       "E = np.exp(Z - Z.max(axis=1, keepdims=True))\nreturn E / E.sum(axis=1)"),
    _v("softmax", "global_max",
       "Subtracting the largest score of the whole batch leaves rows of small scores to "
       "underflow to 0 / 0.",
       "E = np.exp(Z - np.max(Z))\nreturn E / E.sum(axis=1, keepdims=True)"),
    _v("softmax", "row_mean_shift",
       "Students centre each row on its mean, believing any shift keeps np.exp in range; a "
       "row from -1000 to 1000 still overflows.",
       "E = np.exp(Z - Z.mean(axis=1, keepdims=True))\nreturn E / E.sum(axis=1, keepdims=True)"),
    # ---------------------------------------------------------------------- forward
    _v("forward", "no_transpose",
       "Students write A @ W, which only runs for square W and then uses the wrong weights.",
       _forward_with("Z = A @ W.T + b", "Z = A @ W + b")),
    _v("forward", "forgets_bias",
       "The bias is left out of the weighted sum.",
       _forward_with("Z = A @ W.T + b", "Z = A @ W.T")),
    _v("forward", "sigmoid_before_softmax",
       "Students squash the output layer with the sigmoid and then apply softmax on top.",
       _forward_with('A = softmax(Z) if name == "softmax" else functions[name](Z)',
                     'A = softmax(sigmoid(Z)) if name == "softmax" else functions[name](Z)')),
    _v("forward", "ignores_activation",
       "The activation argument is never used: hidden layers are always sigmoid.",
       _forward_with('A = softmax(Z) if name == "softmax" else functions[name](Z)',
                     'A = softmax(Z) if name == "softmax" else sigmoid(Z)')),
    _v("forward", "returns_scores",
       "Students return the output layer's weighted sums (logits) instead of probabilities.",
       _forward_with("return A, cache", "return Z, cache")),
    _v("forward", "cache_left_for_later",
       "Writing forward before backward, students return (P, None) and mean to fill the "
       "cache in later.",
       _forward_with("return A, cache", "return A, None")),
    _v("forward", "inline_unstable_softmax",
       "An inline softmax without the max subtraction overflows for large inputs.",
       _forward_with('A = softmax(Z) if name == "softmax" else functions[name](Z)',
                     'A = (np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True) if name == '
                     '"softmax"\n         else functions[name](Z))')),
    # ------------------------------------------------------------ cross_entropy_loss
    _v("cross_entropy_loss", "sum_not_mean",
       "The notes' 'Total Loss = Sum of all individual losses': students forget to average.",
       "return -np.sum(Y * np.log(np.clip(P, 1e-12, 1.0)))",
       hint="5 times too large, the sum over the m = 5 samples", public_hint="2 times"),
    _v("cross_entropy_loss", "mean_over_all_entries",
       "np.mean over the (m, c) array divides by m * c instead of m.",
       "return -np.mean(Y * np.log(np.clip(P, 1e-12, 1.0)))",
       hint="divides by m * c = 20", public_hint="divides by m * c = 6"),
    _v("cross_entropy_loss", "no_clip",
       "Without clipping, a probability of 0 in a wrong class gives 0 * log(0) = nan.",
       "return -np.sum(Y * np.log(P)) / len(P)"),
    _v("cross_entropy_loss", "arguments_swapped",
       "Notebook 02's categorical_cross_entropy takes (Y_onehot, P); students paste it in and "
       "call it with cross_entropy_loss's (P, Y), so the labels are logged and the "
       "probabilities weigh them.",
       "return categorical_cross_entropy(P, Y)",
       prelude=_CATEGORICAL_CROSS_ENTROPY_02,
       hint="the arguments look swapped", public_hint="the arguments look swapped"),
    _v("cross_entropy_loss", "missing_minus",
       "Students forget the minus sign and get a negative loss.",
       "return np.sum(Y * np.log(np.clip(P, 1e-12, 1.0))) / len(P)"),
    # ---------------------------------------------------------------- sigmoid_prime
    _v("sigmoid_prime", "returns_sigmoid",
       "Students return the activation instead of its derivative.",
       "return sigmoid(z)"),
    _v("sigmoid_prime", "derivative_of_activation",
       "The formula a (1 - a) in terms of the activation, applied to z instead.",
       "return z * (1 - z)"),
    _v("sigmoid_prime", "exp_form_overflows",
       "e^(-z) / (1 + e^(-z))^2 is inf / inf = nan for large negative z.",
       "e = np.exp(-np.asarray(z, dtype=np.float64))\nreturn e / (1 + e) ** 2"),
    _v("sigmoid_prime", "plus_sign",
       "A sign slip: sigma (1 + sigma).",
       "s = sigmoid(z)\nreturn s * (1 + s)"),
    # ------------------------------------------------------------------- relu_prime
    _v("relu_prime", "np_sign",
       "np.sign looks like a step but gives -1 for negative z.",
       "return np.sign(z)"),
    _v("relu_prime", "one_at_zero",
       "z >= 0 gives 1 at the kink, against the stated convention (0 at z = 0).",
       "return (np.asarray(z) >= 0).astype(np.float64)"),
    _v("relu_prime", "returns_relu",
       "Students return ReLU itself instead of its derivative.",
       "return np.maximum(z, 0.0)"),
    _v("relu_prime", "overwrites_input",
       "Writing the 0s and 1s into z itself changes the caller's array.",
       "z[z > 0] = 1.0\nz[z <= 0] = 0.0\nreturn z"),
    # --------------------------------------------------------------------- backward
    _v("backward", "no_mean",
       "Students forget the 1/m, which gives the gradient of the summed loss.",
       _backward_with("dZ = (softmax(Z) - Y) / len(Y)", "dZ = softmax(Z) - Y"),
       hint="5 = m, the number of samples"),
    _v("backward", "sigmoid_not_derivative",
       "The activation itself is used where its derivative belongs.",
       _backward_with('derivatives = {"sigmoid": sigmoid_prime, "relu": relu_prime}',
                      'derivatives = {"sigmoid": sigmoid, "relu": relu_prime}')),
    _v("backward", "derivative_of_activation",
       "sigmoid_prime applied to the activation a = sigma(z) instead of to z.",
       _backward_with("dZ = dA * derivatives[name](Z)",
                      "A = sigmoid(Z) if name == \"sigmoid\" else relu(Z)\n"
                      "        dZ = dA * derivatives[name](A)")),
    _v("backward", "transposed_weights",
       "dA = dZ @ W.T, copied from the forward pass's transpose.",
       _backward_with("dA = dZ @ W", "dA = dZ @ W.T")),
    _v("backward", "db_summed_not_averaged",
       "With the 1/m on dW only, the bias gradient stays a sum over the batch.",
       _backward_with("dZ = (softmax(Z) - Y) / len(Y)", "dZ = softmax(Z) - Y").replace(
           "grads.insert(0, (dZ.T @ A_prev, dZ.sum(axis=0)))",
           "grads.insert(0, (dZ.T @ A_prev / len(Y), dZ.sum(axis=0)))"),
       hint="5 = m, the number of samples"),
    _v("backward", "softmax_times_its_derivative",
       "Treating softmax like the sigmoid, students multiply P - Y by P (1 - P).",
       _backward_with("dZ = (softmax(Z) - Y) / len(Y)",
                      "P = softmax(Z)\n        dZ = (P - Y) * P * (1 - P) / len(Y)")),
    _v("backward", "always_sigmoid_prime",
       "The cached activation is ignored: ReLU layers get the sigmoid's derivative.",
       _backward_with("dZ = dA * derivatives[name](Z)", "dZ = dA * sigmoid_prime(Z)")),
    # ---------------------------------------------------------------------- predict
    _v("predict", "argmax_axis_0",
       "np.argmax(P, axis=0) picks, for each class, the sample that scores highest.",
       "P, _ = forward(params, X, activation)\nreturn np.argmax(P, axis=0)"),
    _v("predict", "returns_probabilities",
       "Students return forward's probabilities instead of the class index.",
       "P, _ = forward(params, X, activation)\nreturn P"),
    _v("predict", "flat_argmax",
       "np.argmax without an axis gives one index into the flattened array.",
       "P, _ = forward(params, X, activation)\nreturn np.argmax(P)"),
    _v("predict", "ignores_activation",
       "The activation is not passed on, so ReLU networks are evaluated with sigmoid.",
       "P, _ = forward(params, X)\nreturn np.argmax(P, axis=1)"),
    # -------------------------------------------------------------------- train_mlp
    _v("train_mlp", "never_shuffles",
       "Students loop over the batches in the data's order, every epoch the same.",
       _train_with(("order = rng.permutation(len(X))", "order = np.arange(len(X))"))),
    _v("train_mlp", "drops_last_batch",
       "range(0, m - batch_size + 1, batch_size) silently skips a last, smaller batch.",
       _train_with(("range(0, len(X), batch_size)",
                    "range(0, len(X) - batch_size + 1, batch_size)"))),
    _v("train_mlp", "global_rng",
       "np.random.permutation ignores the rng argument, so the seed does not reproduce "
       "the run.",
       _train_with(("order = rng.permutation(len(X))", "order = np.random.permutation(len(X))"))),
    _v("train_mlp", "separate_permutations",
       "X and Y are shuffled with two different permutations, which scrambles the labels.",
       _train_with(("order = rng.permutation(len(X))",
                    "X_shuffled = X[rng.permutation(len(X))]\n"
                    "    Y_shuffled = Y[rng.permutation(len(X))]\n"
                    "    order = np.arange(len(X))"),
                   ("forward(params, X[batch], activation)",
                    "forward(params, X_shuffled[batch], activation)"),
                   ("backward(params, cache, Y[batch])",
                    "backward(params, cache, Y_shuffled[batch])"))),
    _v("train_mlp", "shuffles_callers_arrays",
       "Shuffling X and Y in place (X[:] = X[order]) reorders the caller's data.",
       _train_with(("order = rng.permutation(len(X))",
                    "order = rng.permutation(len(X))\n"
                    "    X[:] = X[order]\n"
                    "    Y[:] = Y[order]\n"
                    "    order = np.arange(len(X))"))),
    _v("train_mlp", "history_per_batch",
       "Students record the loss after every mini-batch instead of once per epoch.",
       _train_with(("        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in "
                    "zip(params, grads)]\n"
                    "    P, _ = forward(params, X, activation)\n"
                    "    history[\"loss\"].append(cross_entropy_loss(P, Y))\n"
                    "    history[\"accuracy\"]",
                    "        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in "
                    "zip(params, grads)]\n"
                    "        P, _ = forward(params, X, activation)\n"
                    "        history[\"loss\"].append(cross_entropy_loss(P, Y))\n"
                    "        history[\"accuracy\"]"))),
    _v("train_mlp", "accuracy_as_count",
       "np.sum of the correct predictions records how many rows are right, not the fraction.",
       _train_with(("float(np.mean(P.argmax(axis=1)", "float(np.sum(P.argmax(axis=1)"))),
    _v("train_mlp", "weights_only_step",
       "Students update every W and leave the biases at their initial values.",
       _train_with(("(W - lr * dW, b - lr * db)", "(W - lr * dW, b)"))),
    _v("train_mlp", "one_step_per_epoch",
       "Students add up the mini-batch gradients and take one step at the end of the epoch, "
       "confusing an epoch with a step.",
       _train_with(("    for start in range(0, len(X), batch_size):",
                    "    total = None\n    for start in range(0, len(X), batch_size):"),
                   ("        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in "
                    "zip(params, grads)]\n",
                    "        total = grads if total is None else [\n"
                    "            (tW + dW, tb + db) for (tW, tb), (dW, db) in zip(total, grads)]\n"
                    "    params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in "
                    "zip(params, total)]\n"))),
]

# A forward that keeps a dict cache, for the backward alternative that reads it.
_DICT_FORWARD_BODY = """
A = np.asarray(X, dtype=np.float64)
cache = {"inputs": [], "sums": [], "activation": activation}
for l, (W, b) in enumerate(params):
    cache["inputs"].append(A)
    Z = A @ W.T + b
    cache["sums"].append(Z)
    if l == len(params) - 1:
        A = softmax(Z)
    elif activation == "relu":
        A = relu(Z)
    else:
        A = sigmoid(Z)
return A, cache
"""

ALTERNATIVES = [
    _v("count_parameters", "explicit_loop",
       "A loop over the indices of consecutive layers.",
       "total = 0\nfor i in range(1, len(layer_sizes)):\n"
       "    total += layer_sizes[i - 1] * layer_sizes[i]   # weights\n"
       "    total += layer_sizes[i]                        # biases\nreturn total"),
    _v("count_parameters", "numpy_dot",
       "Weights as one dot product of the shifted size vectors, biases as a sum.",
       "s = np.asarray(layer_sizes, dtype=np.int64)\nreturn int(s[:-1] @ s[1:] + s[1:].sum())"),
    _v("sigmoid", "naive_formula",
       "1 / (1 + e^(-z)) is correct in float64: e^1000 overflows to inf and 1 / inf = 0.",
       "return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))"),
    _v("sigmoid", "tanh_form",
       "sigma(z) = (1 + tanh(z / 2)) / 2.",
       "return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=np.float64) / 2.0))"),
    _v("relu", "times_mask", "z times the mask z > 0.",
       "z = np.asarray(z, dtype=np.float64)\nreturn z * (z > 0)"),
    _v("relu", "np_where", "np.where picks z or 0.",
       "return np.where(np.asarray(z) > 0, z, 0.0).astype(np.float64)"),
    _v("relu", "np_clip", "Clipping from below at 0 (a new array).",
       "return np.clip(np.asarray(z, dtype=np.float64), 0.0, None)"),
    _v("init_params", "xavier_uniform",
       "Glorot/Xavier uniform weights and zero biases.",
       "params = []\nfor n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):\n"
       "    limit = np.sqrt(6.0 / (n_in + n_out))\n"
       "    params.append((rng.uniform(-limit, limit, size=(n_out, n_in)), np.zeros(n_out)))\n"
       "return params"),
    _v("init_params", "he_normal_small_bias",
       "He weights N(0, 2 / n_in) and small random biases.",
       "return [(rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in),\n"
       "         rng.normal(0.0, 0.01, size=n_out))\n"
       "        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]"),
    _v("softmax", "log_sum_exp",
       "Through the log-sum-exp of each row.",
       "Z = np.asarray(Z, dtype=np.float64)\nm = Z.max(axis=1, keepdims=True)\n"
       "log_norm = m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))\n"
       "return np.exp(Z - log_norm)"),
    _v("softmax", "none_indexing",
       "Row maxima and sums made into columns with [:, None].",
       "E = np.exp(Z - np.max(Z, axis=1)[:, None])\nreturn E / np.sum(E, axis=1)[:, None]"),
    _v("forward", "dict_cache",
       "A dict of lists as cache, and the output layer handled in its own branch.",
       _DICT_FORWARD_BODY),
    _v("forward", "hidden_then_output",
       "A loop over the hidden layers, then the output layer written out.",
       "act = relu if activation == \"relu\" else sigmoid\nA, cache = X, []\n"
       "for W, b in params[:-1]:\n    Z = A @ W.T + b\n    cache.append((A, Z, activation))\n"
       "    A = act(Z)\nW, b = params[-1]\nZ = A @ W.T + b\ncache.append((A, Z, \"softmax\"))\n"
       "return softmax(Z), cache"),
    _v("cross_entropy_loss", "true_class_probabilities",
       "-log of the probability of the right class, averaged.",
       "P = np.asarray(P, dtype=np.float64)\nrows = np.arange(len(P))\n"
       "return float(-np.mean(np.log(np.clip(P[rows, np.argmax(Y, axis=1)], 1e-12, 1.0))))"),
    _v("cross_entropy_loss", "row_sums_then_mean",
       "Per-sample losses, then their mean, with a smaller clipping constant.",
       "per_sample = -np.sum(Y * np.log(np.maximum(P, 1e-15)), axis=1)\n"
       "return float(per_sample.mean())"),
    _v("sigmoid_prime", "tanh_form", "sigma'(z) = (1 - tanh(z / 2)^2) / 4.",
       "return 0.25 * (1.0 - np.tanh(np.asarray(z, dtype=np.float64) / 2.0) ** 2)"),
    _v("sigmoid_prime", "stable_exp_form",
       "e^(-|z|) / (1 + e^(-|z|))^2: the derivative is symmetric in z.",
       "e = np.exp(-np.abs(np.asarray(z, dtype=np.float64)))\nreturn e / (1.0 + e) ** 2"),
    _v("relu_prime", "np_where", "np.where of the comparison.",
       "return np.where(np.asarray(z) > 0, 1.0, 0.0)"),
    _v("relu_prime", "heaviside", "NumPy's Heaviside step with the value 0 at 0.",
       "return np.heaviside(np.asarray(z, dtype=np.float64), 0.0)"),
    Variant("backward", "dict_cache",
            "Its own forward with a dict cache, and 1/m applied to each dW and db.",
            _src("forward", _DICT_FORWARD_BODY) + "\n\n" + _src("backward", """
m = len(Y)
dZ = softmax(cache["sums"][-1]) - Y
grads = [None] * len(params)
for l in range(len(params) - 1, -1, -1):
    grads[l] = (dZ.T @ cache["inputs"][l] / m, dZ.sum(axis=0) / m)
    if l > 0:
        dA = dZ @ params[l][0]
        Z_prev = cache["sums"][l - 1]
        if cache["activation"] == "relu":
            dZ = dA * relu_prime(Z_prev)
        else:
            dZ = dA * sigmoid_prime(Z_prev)
return grads
""")),
    _v("backward", "recursive",
       "The backward pass as a recursion from the first layer (reference cache format).",
       """
derivatives = {"sigmoid": sigmoid_prime, "relu": relu_prime}


def from_layer(l):
    # returns (dZ of layer l, grads of layers l..L)
    A_prev, Z, name = cache[l]
    if name == "softmax":
        dZ = (softmax(Z) - Y) / len(Y)
        later = []
    else:
        dZ_next, later = from_layer(l + 1)
        dZ = (dZ_next @ params[l + 1][0]) * derivatives[name](Z)
    return dZ, [(dZ.T @ A_prev, dZ.sum(axis=0))] + later


return from_layer(0)[1]
"""),
    _v("predict", "last_axis", "argmax along axis -1 of forward's output.",
       "return forward(params, X, activation)[0].argmax(axis=-1)"),
    _v("predict", "argsort", "The last column of each row's argsort.",
       "P, _ = forward(params, X, activation=activation)\nreturn np.argsort(P, axis=1)[:, -1]"),
    _v("train_mlp", "shuffle_and_array_split",
       "rng.shuffle of an index array, split into nearly equal batches; in-place updates.",
       """
X = np.asarray(X, dtype=np.float64)
Y = np.asarray(Y, dtype=np.float64)
params = init_params(layer_sizes, rng)
history = {"loss": [], "accuracy": []}
indices = np.arange(len(X))
n_batches = int(np.ceil(len(X) / batch_size))
for epoch in range(epochs):
    rng.shuffle(indices)
    for batch in np.array_split(indices, n_batches):
        P_batch, cache = forward(params, X[batch], activation)
        for (W, b), (dW, db) in zip(params, backward(params, cache, Y[batch])):
            W -= lr * dW
            b -= lr * db
    history["loss"].append(cross_entropy_loss(forward(params, X, activation)[0], Y))
    history["accuracy"].append(float(np.mean(predict(params, X, activation) == Y.argmax(1))))
return params, history
"""),
    _v("train_mlp", "shuffled_copies_per_epoch",
       "Shuffled copies of X and Y each epoch, sliced into batches.",
       """
params = init_params(layer_sizes, rng)
history = {"loss": [], "accuracy": []}
m = X.shape[0]
for epoch in range(epochs):
    perm = rng.permutation(m)
    X_epoch, Y_epoch = X[perm], Y[perm]
    i = 0
    while i < m:
        _, cache = forward(params, X_epoch[i:i + batch_size], activation)
        grads = backward(params, cache, Y_epoch[i:i + batch_size])
        params = [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]
        i += batch_size
    P, _ = forward(params, X, activation)
    history["loss"].append(cross_entropy_loss(P, Y))
    history["accuracy"].append(np.mean(np.argmax(P, 1) == np.argmax(Y, 1)))
return params, history
"""),
]


def test_reference_solutions_pass_every_test_cell():
    corpus.assert_reference_passes(NOTEBOOK, list(SIGNATURES))


def test_corpus_covers_every_exercise():
    corpus.assert_covers(list(SIGNATURES), MISTAKES, ALTERNATIVES)


@pytest.mark.parametrize("exercise", list(SIGNATURES))
def test_release_stub_fails_both_test_cells(exercise):
    corpus.assert_release_stub_fails(NOTEBOOK, exercise)


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_hidden_tests_reject_mistake(mistake):
    corpus.rejected(NOTEBOOK, mistake)


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=corpus.ids(ALTERNATIVES))
def test_correct_alternative_passes_both_test_cells(alternative):
    corpus.assert_accepted(NOTEBOOK, alternative)


# Mistakes the public tests let through on purpose (pytest id -> why): each breaks only an
# edge case or a size that the hidden tests keep.
PUBLIC_MISSES: dict[str, str] = {}


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_public_test_rejects_mistake(mistake):
    corpus.assert_public_verdict(NOTEBOOK, mistake.exercise, mistake.id, mistake.source,
                                 PUBLIC_MISSES)


def test_public_misses_are_mistakes_of_the_corpus():
    corpus.assert_misses_are_mistakes(PUBLIC_MISSES, MISTAKES)


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.hint or m.public_hint],
                         ids=corpus.ids([m for m in MISTAKES if m.hint or m.public_hint]))
def test_messages_name_the_cause(mistake):
    """A known confusion or the size of the error is named: 'the arguments look swapped',
    'm = 5 times ...', 'divides by m * c'."""
    results = corpus.outcomes(NOTEBOOK, mistake.exercise, mistake.source)
    for grade_id, hint in [(f"hidden_{mistake.exercise}", mistake.hint),
                           (f"test_{mistake.exercise}", mistake.public_hint)]:
        if hint:
            assert hint in results[grade_id].message, (grade_id, results[grade_id].message)


# An earlier function broken in the later exercise's cell (so that it replaces the correct
# one), and the later exercise's reference after it: the public test blames the earlier
# function by name; the hidden tests, which run on reference copies of the earlier functions
# (``using``), pass, so one bug does not cost points twice.
BLAME = [
    ("forward", "softmax", "def softmax(Z):\n    return np.exp(Z) / np.exp(Z).sum()\n", True),
    ("sigmoid_prime", "sigmoid", "def sigmoid(z):\n    return 1 / 1 + np.exp(-z)\n", True),
    ("backward", "sigmoid_prime", "def sigmoid_prime(z):\n    return sigmoid(z)\n", True),
    ("backward", "forward", _src("forward", _forward_with("Z = A @ W.T + b", "Z = A @ W.T")),
     False),
    ("predict", "forward", _src("forward", _forward_with(
        'A = softmax(Z) if name == "softmax" else functions[name](Z)',
        'A = softmax(Z) if name == "softmax" else sigmoid(Z)')), True),
    ("train_mlp", "backward", _src("backward", _backward_with(
        "dZ = (softmax(Z) - Y) / len(Y)", "dZ = softmax(Z) - Y")), True),
    ("train_mlp", "init_params", "def init_params(layer_sizes, rng):\n"
     "    return [(np.random.randn(o, i), np.zeros(o)) for i, o in zip(layer_sizes[:-1], "
     "layer_sizes[1:])]\n", True),
]


@pytest.mark.parametrize("exercise, earlier, broken, hidden_passes", BLAME,
                         ids=[f"{b[0]}-blames-{b[1]}" for b in BLAME])
def test_later_exercise_blames_the_earlier_function(exercise, earlier, broken, hidden_passes):
    source = broken + "\n\n" + corpus.reference_source(NOTEBOOK, exercise)
    # hidden_passes False: backward reads forward's own cache, so the student's forward stays
    corpus.assert_blamed(corpus.outcomes(NOTEBOOK, exercise, source), exercise, earlier,
                         hidden_passes)
