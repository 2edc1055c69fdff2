"""Mistakes corpus of notebook 04 (TensorFlow and Keras).

For every exercise: wrong implementations that students really write, which the hidden
test cell must reject with a message naming the function, and different correct
implementations that both test cells must accept. Each runs through the grader's engine
(``autograde.grading.trials.run_exercise``), with the exercise's solution cell replaced
by the variant's source. TensorFlow is imported once per process, by the notebook's
setup cell (``nnutils.tfsetup.quiet_tensorflow``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from . import corpus

NOTEBOOK = (Path(__file__).resolve().parents[2]
            / "solutions" / "04_tensorflow" / "04_tensorflow.ipynb")

SIGNATURES = {
    "gradient_with_tape": "f, x",
    "build_regression_model": "n_features",
    "build_mlp": "layer_sizes, dropout=0.0",
    "dropout_forward": "a, rate, rng, training",
    "batchnorm_forward": "H, gamma, beta, eps=1e-3",
    "update_moving_stats": "moving_mean, moving_var, H, momentum=0.99",
}


@dataclass(frozen=True)
class Variant:
    """One implementation of an exercise: its function, a short id, why it exists, its code."""

    exercise: str
    id: str
    why: str
    source: str


def _v(exercise: str, vid: str, why: str, body: str) -> Variant:
    """A variant whose source is ``def exercise(signature):`` with ``body`` indented."""
    lines = body.strip("\n").splitlines()
    source = (f"def {exercise}({SIGNATURES[exercise]}):\n"
              + "\n".join("    " + line for line in lines) + "\n")
    return Variant(exercise, vid, why, source)


# Bodies shared by several variants, each used with one thing changed.
_TAPE = """
with tf.GradientTape() as tape:
    y = f(x)
"""

_REGRESSION = """
model = keras.Sequential([
    keras.Input(shape=({inputs},)),
    keras.layers.Dense(2, activation="{hidden}"),
    keras.layers.Dense(1, activation="{output}"),
])
{compile}
return model
"""
_SGD_MSE = 'model.compile(optimizer=keras.optimizers.SGD(), loss="mean_squared_error")'


def _regression(vid: str, why: str, inputs: str = "n_features", hidden: str = "sigmoid",
                output: str = "linear", compile_line: str = _SGD_MSE) -> Variant:
    body = _REGRESSION.format(inputs=inputs, hidden=hidden, output=output, compile=compile_line)
    return _v("build_regression_model", vid, why, body)


_MLP = """
layers = [keras.Input(shape=({inputs},))]
for n_hidden in {hidden}:
    layers.append(keras.layers.Dense(n_hidden, activation="relu"))
    if dropout > 0:
        layers.append(keras.layers.Dropout({rate}))
layers.append(keras.layers.Dense(layer_sizes[-1], activation="{output}"))
{extra}model = keras.Sequential(layers)
{compile}
return model
"""
_ADAM_SPARSE = ('model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", '
                'metrics=["accuracy"])')


def _mlp(vid: str, why: str, inputs: str = "layer_sizes[0]", hidden: str = "layer_sizes[1:-1]",
         rate: str = "dropout", output: str = "softmax", extra: str = "",
         compile_line: str = _ADAM_SPARSE) -> Variant:
    body = _MLP.format(inputs=inputs, hidden=hidden, rate=rate, output=output, extra=extra,
                       compile=compile_line)
    return _v("build_mlp", vid, why, body)


_DROPOUT = """
a = np.asarray(a, dtype=np.float64)
if not training:
    return a.copy(), np.ones_like(a)
mask = ({draw}).astype(np.float64)
return {out}, mask
"""


def _dropout(vid: str, why: str, draw: str = "rng.random(a.shape) >= rate",
             out: str = "a * mask / (1.0 - rate)") -> Variant:
    return _v("dropout_forward", vid, why, _DROPOUT.format(draw=draw, out=out))


_BATCHNORM = """
H = np.asarray(H, dtype=np.float64)
mu = H.mean(axis={axis}, keepdims=True)
var = H.var(axis={axis}, ddof={ddof}, keepdims=True)
return {out}
"""


def _batchnorm(vid: str, why: str, axis: str = "0", ddof: str = "0",
               out: str = "gamma * (H - mu) / np.sqrt(var + eps) + beta") -> Variant:
    return _v("batchnorm_forward", vid, why, _BATCHNORM.format(axis=axis, ddof=ddof, out=out))


_MOVING = """
H = np.asarray(H, dtype=np.float64)
mu, var = H.mean(axis={axis}), H.{spread}(axis={axis}, ddof={ddof})
return ({keep} * np.asarray(moving_mean) + {new} * mu,
        {keep} * np.asarray(moving_var) + {new} * var)
"""


def _moving(vid: str, why: str, axis: str = "0", spread: str = "var", ddof: str = "0",
            keep: str = "momentum", new: str = "(1 - momentum)") -> Variant:
    body = _MOVING.format(axis=axis, spread=spread, ddof=ddof, keep=keep, new=new)
    return _v("update_moving_stats", vid, why, body)


MISTAKES = [
    # ------------------------------------------------------------ gradient_with_tape
    _v("gradient_with_tape", "constant-not-watched",
       "The notes say the tape differentiates variables only; students turn x into a "
       "tf.constant like data and forget tape.watch, so the gradient is None.",
       "x = tf.constant(x, dtype=tf.float64)" + _TAPE + "return tape.gradient(y, x)"),
    _v("gradient_with_tape", "float32-variable",
       "tf.Variable(x) is the natural spelling, and it silently stores a Python number "
       "as float32, good to 7 digits only.",
       "x = tf.Variable(x)" + _TAPE + "return tape.gradient(y, x).numpy()"),
    _v("gradient_with_tape", "float32-cast-back",
       "Computed in TensorFlow's default float32 and converted to float64 at the end, in the "
       "belief that the return type is what the prompt asks for: the digits are already lost.",
       "x = tf.Variable(np.asarray(x, dtype=np.float32))" + _TAPE
       + "return tape.gradient(y, x).numpy().astype(np.float64)"),
    _v("gradient_with_tape", "f-outside-tape",
       "Students think of the tape as something called at the end and compute f(x) "
       "before opening it, so nothing is recorded.",
       "x = tf.Variable(np.asarray(x, dtype=np.float64))\ny = f(x)\n"
       "with tf.GradientTape() as tape:\n    tape.watch(x)\nreturn tape.gradient(y, x)"),
    _v("gradient_with_tape", "gradient-list",
       "Copied from training loops, tape.gradient(loss, [w, b]) with a list returns a "
       "list: one extra axis in front of the gradient.",
       "x = tf.Variable(np.asarray(x, dtype=np.float64))" + _TAPE
       + "return np.array(tape.gradient(y, [x]))"),
    # -------------------------------------------------------- build_regression_model
    _v("build_regression_model", "not-compiled",
       "Students expect fit to set up training, or leave compile for later, as in the "
       "notes where it is a separate step.",
       "return keras.Sequential([\n    keras.Input(shape=(n_features,)),\n"
       "    keras.layers.Dense(2, activation=\"sigmoid\"),\n"
       "    keras.layers.Dense(1, activation=\"linear\"),\n])"),
    _regression("sigmoid-output",
                "The hidden layer's activation copied to the output, as if a regression "
                "output had to be squashed like a probability.", output="sigmoid"),
    _regression("relu-hidden",
                "'Nowadays ReLU is used instead of sigmoid' (notes), applied to a model the "
                "notes define with sigmoid.", hidden="relu"),
    _regression("hard-coded-inputs",
                "The demo's 3 features written into the model instead of n_features.",
                inputs="3"),
    _regression("adam-optimizer",
                "Adam is the default optimiser of most tutorials; the notes use SGD.",
                compile_line='model.compile(optimizer="adam", loss="mean_squared_error")'),
    _regression("mae-loss",
                "Mean absolute and mean squared error confused: both are 'the average error'.",
                compile_line='model.compile(optimizer=keras.optimizers.SGD(), '
                             'loss="mean_absolute_error")'),
    # --------------------------------------------------------------------- build_mlp
    _mlp("dropout-after-output",
         "A loop that adds 'Dense then Dropout' for every layer, the output layer included.",
         extra="if dropout > 0:\n    layers.append(keras.layers.Dropout(dropout))\n"),
    _mlp("keep-probability",
         "The notes' q is the probability of a 1 (keeping); students pass q = 1 - rate "
         "to Keras's Dropout, whose argument is the probability of zeros.",
         rate="1 - dropout"),
    _v("build_mlp", "dropout-first-hidden-only",
       "The notes' picture drops neurons of one layer, so students add a single Dropout after "
       "the first hidden layer.",
       "layers = [keras.Input(shape=(layer_sizes[0],))]\n"
       "for k, n_hidden in enumerate(layer_sizes[1:-1]):\n"
       "    layers.append(keras.layers.Dense(n_hidden, activation=\"relu\"))\n"
       "    if dropout > 0 and k == 0:\n        layers.append(keras.layers.Dropout(dropout))\n"
       "layers.append(keras.layers.Dense(layer_sizes[-1], activation=\"softmax\"))\n"
       "model = keras.Sequential(layers)\n" + _ADAM_SPARSE + "\nreturn model"),
    _mlp("sigmoid-output",
         "The hidden layers' activation used for the output too, as in notebook 03's "
         "hidden layers; the outputs are then no probability distribution.",
         output="sigmoid"),
    _mlp("input-as-layer",
         "Every entry of layer_sizes read as a layer of neurons, so 784 becomes a Dense "
         "layer of 784 neurons.", hidden="layer_sizes[:-1]"),
    _mlp("one-hot-loss",
         "The notes' categorical cross-entropy, for one-hot labels, while load_mnist "
         "returns integer labels.",
         compile_line='model.compile(optimizer="adam", loss="categorical_crossentropy", '
                      'metrics=["accuracy"])'),
    _v("build_mlp", "hard-coded-sizes",
       "The 784-16-16-10 network of the exercise written out, ignoring the arguments.",
       "model = keras.Sequential([\n    keras.Input(shape=(784,)),\n"
       "    keras.layers.Dense(16, activation=\"relu\"),\n"
       "    keras.layers.Dense(16, activation=\"relu\"),\n"
       "    keras.layers.Dense(10, activation=\"softmax\"),\n])\n" + _ADAM_SPARSE
       + "\nreturn model"),
    # --------------------------------------------------------------- dropout_forward
    _dropout("no-rescale",
             "The notes' dropout multiplies by the mask only; the 1 / (1 - rate) of "
             "inverted dropout is easy to miss.", out="a * mask"),
    _dropout("keep-with-rate",
             "rate read as the probability of keeping (the notes' q), so 80% are dropped "
             "instead of 20%.", draw="rng.random(a.shape) < rate"),
    _dropout("multiply-by-keep",
             "The original paper scales by the keep probability at test time; students "
             "multiply by it during training instead of dividing.",
             out="a * mask * (1.0 - rate)"),
    _dropout("global-np-random",
             "Tutorials draw masks with np.random.rand, ignoring the rng argument.",
             draw="np.random.rand(*a.shape) >= rate"),
    _dropout("fresh-generator",
             "A generator seeded inside the function 'for reproducibility', so every call "
             "drops the same units whatever rng is passed.",
             draw="np.random.default_rng(0).random(a.shape) >= rate"),
    _v("dropout_forward", "dropout-at-inference",
       "The training flag ignored: dropout applied while testing, against the notes' point 5.",
       "a = np.asarray(a, dtype=np.float64)\nmask = (rng.random(a.shape) >= rate)"
       ".astype(np.float64)\nreturn a * mask / (1.0 - rate), mask"),
    _v("dropout_forward", "in-place",
       "Multiplying a in place to save memory changes the caller's activations.",
       "a = np.asarray(a, dtype=np.float64)\nmask = np.ones_like(a)\nif training:\n"
       "    mask = (rng.random(a.shape) >= rate).astype(np.float64)\n"
       "    a *= mask / (1.0 - rate)\nreturn a, mask"),
    # ------------------------------------------------------------- batchnorm_forward
    _batchnorm("axis-1",
               "Each row (sample) normalised like a softmax row, instead of each feature "
               "over the batch.", axis="1"),
    _batchnorm("unbiased-variance",
               "Statistics courses and pandas divide by m - 1; Keras divides by m.", ddof="1"),
    _batchnorm("eps-outside-sqrt",
               "eps added like the guard of a division, after the square root.",
               out="gamma * (H - mu) / (np.sqrt(var) + eps) + beta"),
    _batchnorm("no-gamma-beta",
               "The notes mention only the mean and standard deviation vectors.",
               out="(H - mu) / np.sqrt(var + eps)"),
    _batchnorm("whole-matrix",
               "'Normalising the matrix H' read as one mean and variance for all entries.",
               axis="None"),
    _batchnorm("fixed-eps",
               "Keras's default 1e-3 written into the formula instead of the eps argument.",
               out="gamma * (H - mu) / np.sqrt(var + 1e-3) + beta"),
    # ----------------------------------------------------------- update_moving_stats
    _moving("momentum-swapped",
            "The two weights swapped (PyTorch's momentum 0.1 means the opposite of "
            "Keras's 0.99).", keep="(1 - momentum)", new="momentum"),
    _moving("unbiased-variance", "The n - 1 variance of statistics courses.", ddof="1"),
    _moving("std-not-var",
            "The notes speak of the standard deviation vector, so students average std.",
            spread="std"),
    _moving("fixed-momentum", "Keras's default 0.99 written in instead of the argument.",
            keep="0.99", new="0.01"),
    _moving("axis-1", "Statistics of each sample instead of each feature.", axis="1"),
    _v("update_moving_stats", "in-place",
       "Keras updates its variables in place (assign), so students update the arrays they "
       "were given.",
       "H = np.asarray(H, dtype=np.float64)\nmoving_mean *= momentum\n"
       "moving_mean += (1 - momentum) * H.mean(axis=0)\nmoving_var *= momentum\n"
       "moving_var += (1 - momentum) * H.var(axis=0)\nreturn moving_mean, moving_var"),
]

ALTERNATIVES = [
    _v("gradient_with_tape", "watched-constant-tensor",
       "A float64 constant watched explicitly; the tensor itself is returned.",
       "x = tf.convert_to_tensor(x, dtype=tf.float64)\nwith tf.GradientTape() as tape:\n"
       "    tape.watch(x)\n    y = f(x)\nreturn tape.gradient(y, x)"),
    _v("gradient_with_tape", "variable-dtype-argument",
       "tf.Variable with dtype=tf.float64, converted with np.asarray.",
       "v = tf.Variable(x, dtype=tf.float64)\nwith tf.GradientTape() as tape:\n    y = f(v)\n"
       "return np.asarray(tape.gradient(y, v), dtype=np.float64)"),
    _v("build_regression_model", "notes-input-shape",
       "The notes' own spelling: input_shape in the first layer, 'sgd' and 'mse' strings.",
       "model = keras.Sequential([\n"
       "    keras.layers.Dense(2, activation=\"sigmoid\", input_shape=(n_features,)),\n"
       "    keras.layers.Dense(1, activation=\"linear\"),\n])\n"
       "model.compile(optimizer=\"sgd\", loss=\"mse\")\nreturn model"),
    _v("build_regression_model", "functional-api",
       "The functional API, an Activation layer, and loss and optimiser objects.",
       "inputs = keras.Input(shape=(n_features,))\n"
       "hidden = keras.layers.Activation(\"sigmoid\")(keras.layers.Dense(2)(inputs))\n"
       "model = keras.Model(inputs, keras.layers.Dense(1)(hidden))\n"
       "model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05),\n"
       "              loss=keras.losses.MeanSquaredError())\nreturn model"),
    _v("build_mlp", "functional-tanh",
       "The functional API with tanh hidden layers.",
       "inputs = keras.Input(shape=(layer_sizes[0],))\nh = inputs\n"
       "for n in layer_sizes[1:-1]:\n    h = keras.layers.Dense(n, activation=\"tanh\")(h)\n"
       "    if dropout > 0:\n        h = keras.layers.Dropout(dropout)(h)\n"
       "outputs = keras.layers.Dense(layer_sizes[-1], activation=\"softmax\")(h)\n"
       "model = keras.Model(inputs, outputs)\n"
       "model.compile(\"adam\", \"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])\n"
       "return model"),
    _v("build_mlp", "add-activation-layers",
       "model.add with separate sigmoid/softmax Activation layers and Keras objects for "
       "the optimiser, the loss and the metric.",
       "model = keras.Sequential()\nmodel.add(keras.Input(shape=(layer_sizes[0],)))\n"
       "for n in layer_sizes[1:-1]:\n    model.add(keras.layers.Dense(n))\n"
       "    model.add(keras.layers.Activation(\"sigmoid\"))\n    if dropout:\n"
       "        model.add(keras.layers.Dropout(rate=dropout))\n"
       "model.add(keras.layers.Dense(layer_sizes[-1]))\n"
       "model.add(keras.layers.Activation(\"softmax\"))\n"
       "model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),\n"
       "              loss=keras.losses.SparseCategoricalCrossentropy(),\n"
       "              metrics=[keras.metrics.SparseCategoricalAccuracy()])\nreturn model"),
    _v("dropout_forward", "binomial",
       "A Bernoulli mask from rng.binomial; at inference a itself is returned.",
       "a = np.asarray(a, dtype=float)\nif not training or rate == 0:\n"
       "    return a, np.ones(a.shape)\nkeep = 1.0 - rate\n"
       "mask = rng.binomial(1, keep, size=a.shape).astype(float)\nreturn a * mask / keep, mask"),
    _v("dropout_forward", "boolean-mask-where",
       "A boolean mask from rng.uniform and np.where for the output.",
       "a = np.array(a, dtype=np.float64)\nif not training:\n"
       "    return a, np.ones(a.shape, dtype=bool)\nmask = rng.uniform(size=a.shape) >= rate\n"
       "return np.where(mask, a / (1 - rate), 0.0), mask"),
    _v("batchnorm_forward", "explicit-sums",
       "Mean and variance written out as sums divided by m.",
       "H = np.asarray(H, dtype=float)\nm = H.shape[0]\ncentred = H - H.sum(axis=0) / m\n"
       "var = (centred ** 2).sum(axis=0) / m\nreturn gamma * centred / np.sqrt(var + eps) + beta"),
    _v("batchnorm_forward", "std-squared",
       "np.std squared back into the variance, gamma applied last.",
       "H = np.asarray(H, dtype=np.float64)\nstd = np.std(H, axis=0)\n"
       "return (H - H.mean(axis=0, keepdims=True)) / np.sqrt(std ** 2 + eps) * gamma + beta"),
    _v("update_moving_stats", "smoothing-form",
       "The exponential smoothing form: move the old value a step towards the new one.",
       "H = np.asarray(H, dtype=np.float64)\nstep = 1 - momentum\n"
       "new_mean = moving_mean + step * (H.mean(axis=0) - moving_mean)\n"
       "new_var = moving_var + step * (H.var(axis=0) - moving_var)\nreturn new_mean, new_var"),
    _v("update_moving_stats", "np-average",
       "np.average of old and new with the weights momentum and 1 - momentum.",
       "H = np.asarray(H, dtype=np.float64)\nweights = [momentum, 1 - momentum]\n"
       "return (np.average([moving_mean, H.mean(axis=0)], axis=0, weights=weights),\n"
       "        np.average([moving_var, H.var(axis=0)], axis=0, weights=weights))"),
]


def test_reference_solutions_pass_every_test_cell():
    corpus.assert_reference_passes(NOTEBOOK, list(SIGNATURES))


def test_signatures_match_the_notebook():
    corpus.assert_signatures(NOTEBOOK, SIGNATURES)


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


# Mistakes the public tests let through on purpose (pytest id -> why); every other mistake
# breaks a requirement its prompt states, and the public test rejects it before submission.
PUBLIC_MISSES: dict[str, str] = {}


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_public_test_rejects_mistake(mistake):
    corpus.assert_public_verdict(NOTEBOOK, mistake.exercise, mistake.id, mistake.source,
                                 PUBLIC_MISSES)


def test_public_misses_are_mistakes_of_the_corpus():
    corpus.assert_misses_are_mistakes(PUBLIC_MISSES, MISTAKES)


# Messages that name the size of the error or the known confusion behind it: the pytest id
# of a mistake -> a phrase its message must contain, and the test cells that must say it.
SIZE_MESSAGES = {
    "gradient_with_tape-float32-variable": ("float32", ("test", "hidden")),
    "build_mlp-keep-probability": ("of keeping", ("test", "hidden")),
    "dropout_forward-no-rescale": ("off by a factor of 1/(1 - rate)", ("test", "hidden")),
    "dropout_forward-multiply-by-keep": ("off by a factor of 1/(1 - rate)**2", ("test", "hidden")),
    "dropout_forward-keep-with-rate": ("= 1 - rate: you kept units with probability rate",
                                       ("test", "hidden")),
    "batchnorm_forward-unbiased-variance": ("sqrt((m - 1)/m)", ("test", "hidden")),
    "batchnorm_forward-axis-1": ("normalises each row", ("test", "hidden")),
    "batchnorm_forward-fixed-eps": ("use the eps argument", ("test", "hidden")),
    "batchnorm_forward-eps-outside-sqrt": ("eps goes inside", ("hidden",)),
    "batchnorm_forward-whole-matrix": ("one mean and variance", ("hidden",)),
    "batchnorm_forward-no-gamma-beta": ("ignores gamma and beta", ("hidden",)),
    "update_moving_stats-momentum-swapped": ("look swapped", ("test", "hidden")),
    "update_moving_stats-fixed-momentum": ("use the momentum argument", ("hidden",)),
    "update_moving_stats-unbiased-variance": ("divides by m - 1", ("hidden",)),
    "update_moving_stats-std-not-var": ("averages the standard deviation", ("hidden",)),
}


@pytest.mark.parametrize("key", list(SIZE_MESSAGES))
def test_message_names_the_size_of_the_error(key):
    mistake = next(m for m in MISTAKES if f"{m.exercise}-{m.id}" == key)
    phrase, cells = SIZE_MESSAGES[key]
    results = corpus.outcomes(NOTEBOOK, mistake.exercise, mistake.source)
    for cell in cells:
        outcome = results[f"{cell}_{mistake.exercise}"]
        assert not outcome.passed and phrase in outcome.message, (cell, outcome.message)
