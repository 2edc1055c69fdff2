"""The course's NumPy reference code against TensorFlow on the same work, side by side.

(a) One training epoch of the 784-16-16-10 network (sigmoid hidden layers,
    softmax + cross-entropy, plain SGD, batch 32, lr 1.0) on the shipped MNIST
    train split. NumPy: notebook 03's reference ``init_params``, ``forward``
    and ``backward``. TensorFlow: the same Keras model (float32, Keras's
    default) trained by ``model.fit`` for one epoch, and by a loop of
    ``tf.function`` GradientTape steps. All start from 03's initial weights and
    see the batches in the same order (no shuffling), so after the epoch their
    weights must agree up to float32 rounding.
(b) ``conv2d`` on a batch of digits with a 3x3 kernel: notebook 05's reference
    (one image at a time, as written) against one ``tf.nn.conv2d`` call on the
    batch (NHWC, float32). The outputs must agree.

The reference functions are executed from the solution notebooks' setup and
solution cells, never copied. Each timing is a median over ``--repeats``
alternating which side goes first; each side was warmed up (and TensorFlow's
graphs traced) before. Prints one markdown table; exits 1 when a pair disagrees.

    python bench/numpy_vs_tf.py [--repeats 5] [--subset 8000] [--conv-batch 256]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from benchtable import markdown_table

from autograde import notebook
from nnutils.data import load_mnist

ROOT = Path(__file__).resolve().parents[1]
LAYER_SIZES = [784, 16, 16, 10]
BATCH_SIZE = 32
LR = 1.0
SEED = 0
# Largest |NumPy float64 - TF float32| accepted: conv outputs, weights after the epoch.
CONV_TOLERANCE = 1e-5
WEIGHTS_TOLERANCE = 1e-4
NOTEBOOKS = {"mlp": "solutions/03_backprop/03_backprop.ipynb",
             "conv": "solutions/05_cnn/05_cnn.ipynb"}
WORKS = {"mlp": "MLP 784-16-16-10, one epoch", "conv": "conv2d on a batch of digits"}
HEADERS = ("work", "NumPy side", "TensorFlow side", "NumPy (s)", "TensorFlow (s)",
           "NumPy / TF", "max abs diff", "agree")


@dataclass
class Contest:
    """One piece of work done with NumPy and one or more TensorFlow ways.

    Each ``run`` callable does the whole work once and returns its result as one array.
    """

    work: str
    numpy_side: tuple[str, Callable[[], np.ndarray]]
    tf_sides: list[tuple[str, Callable[[], np.ndarray]]]
    tolerance: float


def reference_namespace(path: Path) -> dict:
    """Names defined by a solution notebook's setup cell and all of its solution cells.

    Parameters
    ----------
    path : solution notebook (nbgrader layout of docs/authoring.md).

    Returns
    -------
    namespace : dict holding the reference functions, e.g. namespace["forward"].
    """
    nb = notebook.read(path)
    cells = notebook.cells_by_id(nb)
    namespace: dict = {"__name__": f"reference_{path.stem}"}
    with contextlib.redirect_stdout(sys.stderr):   # keep the table alone on stdout
        for gid in ["setup", *notebook.solution_ids(nb)]:
            code = compile(cells[gid].source, f"<{path.stem}:{gid}>", "exec")
            exec(code, namespace)  # noqa: S102 - the course's own reference code
    return namespace


def flat_weights(params: list[np.ndarray]) -> np.ndarray:
    """Keras-ordered weights [W^1.T (n_0, n_1), b^1 (n_1,), ...] as one 1-D array (p,)."""
    return np.concatenate([np.ravel(p) for p in params])


def keras_order(params: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """03's params [(W (n_out, n_in), b (n_out,)), ...] as Keras weights [W.T, b, ...]."""
    return [a for W, b in params for a in (W.T, b)]


def numpy_epoch(ns: dict, X: np.ndarray, Y: np.ndarray,
                init: list[tuple[np.ndarray, np.ndarray]]) -> Callable[[], np.ndarray]:
    """One SGD epoch with 03's forward/backward from ``init``; X (m, 784), Y (m, 10)."""
    forward, backward = ns["forward"], ns["backward"]

    def run() -> np.ndarray:
        params = init
        for start in range(0, len(X), BATCH_SIZE):
            _, cache = forward(params, X[start:start + BATCH_SIZE], "sigmoid")
            grads = backward(params, cache, Y[start:start + BATCH_SIZE])
            params = [(W - LR * dW, b - LR * db) for (W, b), (dW, db) in zip(params, grads)]
        return flat_weights(keras_order(params))
    return run


def keras_mlp(keras):
    """The 784-16-16-10 network in Keras: sigmoid, sigmoid, softmax; SGD(lr), cross-entropy."""
    model = keras.Sequential([keras.Input((LAYER_SIZES[0],))]
                             + [keras.layers.Dense(n, activation="sigmoid")
                                for n in LAYER_SIZES[1:-1]]
                             + [keras.layers.Dense(LAYER_SIZES[-1], activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR),
                  loss=keras.losses.CategoricalCrossentropy())
    return model


def fit_epoch(keras, X: np.ndarray, Y: np.ndarray,
              init: list[np.ndarray]) -> Callable[[], np.ndarray]:
    """One epoch of ``model.fit`` (batch 32, no shuffling) from the weights ``init``."""
    model = keras_mlp(keras)
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)

    def run() -> np.ndarray:
        model.set_weights(init)
        model.fit(X32, Y32, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0)
        return flat_weights(model.get_weights())
    return run


def tape_epoch(tf, keras, X: np.ndarray, Y: np.ndarray,
               init: list[np.ndarray]) -> Callable[[], np.ndarray]:
    """One epoch of a Python loop over a ``tf.function`` GradientTape step, from ``init``."""
    model = keras_mlp(keras)
    loss_fn = keras.losses.CategoricalCrossentropy()
    batches = [(tf.constant(X[s:s + BATCH_SIZE], tf.float32),
                tf.constant(Y[s:s + BATCH_SIZE], tf.float32))
               for s in range(0, len(X), BATCH_SIZE)]

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        for var, grad in zip(model.trainable_variables,
                             tape.gradient(loss, model.trainable_variables)):
            var.assign_sub(LR * grad)

    def run() -> np.ndarray:
        model.set_weights(init)
        for x, y in batches:
            step(x, y)
        return flat_weights(model.get_weights())
    return run


def mlp_contest(tf, keras, ns03: dict, X: np.ndarray, y: np.ndarray) -> Contest:
    """The epoch of the digit network: NumPy, model.fit and a tape loop; X (m, 784), y (m,)."""
    Y = np.eye(LAYER_SIZES[-1])[y]
    init = ns03["init_params"](LAYER_SIZES, np.random.default_rng(SEED))
    return Contest(f"MLP 784-16-16-10, 1 epoch of {len(X):,} digits "
                   f"(batch {BATCH_SIZE}, lr {LR}, float64 vs float32)",
                   ("03 forward/backward", numpy_epoch(ns03, X, Y, init)),
                   [("Keras model.fit", fit_epoch(keras, X, Y, keras_order(init))),
                    ("tf.function GradientTape loop",
                     tape_epoch(tf, keras, X, Y, keras_order(init)))],
                   WEIGHTS_TOLERANCE)


def conv_contest(tf, ns05: dict, images: np.ndarray) -> Contest:
    """05's conv2d on each of the b images (b, 28, 28) against tf.nn.conv2d on (b, 28, 28, 1)."""
    kernel = np.random.default_rng(SEED).normal(size=(3, 3))
    conv2d = ns05["conv2d"]
    x32 = tf.constant(images[..., None], tf.float32)          # NHWC
    k32 = tf.constant(kernel[:, :, None, None], tf.float32)   # (k, k, C_in, C_out)

    def run_numpy() -> np.ndarray:
        return np.stack([conv2d(image, kernel) for image in images])

    def run_tf() -> np.ndarray:
        return tf.nn.conv2d(x32, k32, strides=1, padding="VALID").numpy()[..., 0]
    return Contest(f"conv2d, {len(images)} digits 28x28, one 3x3 kernel, no padding",
                   ("05 conv2d, image by image", run_numpy),
                   [("tf.nn.conv2d, whole batch (NHWC)", run_tf)], CONV_TOLERANCE)


def median_seconds(runs: list[Callable[[], object]], repeats: int) -> list[float]:
    """Median seconds per call of each of k callables; the order reverses every other sample.

    timeit's autorange first picks, per callable, how many calls make one sample
    last at least 0.2 s (which also warms it up).
    """
    numbers = [timeit.Timer(fn).autorange()[0] for fn in runs]
    samples: list[list[float]] = [[] for _ in runs]
    for r in range(repeats):
        order = range(len(runs)) if r % 2 == 0 else reversed(range(len(runs)))
        for i in order:
            samples[i].append(timeit.Timer(runs[i]).timeit(numbers[i]) / numbers[i])
    return [statistics.median(s) for s in samples]


def rows(contest: Contest, repeats: int) -> list[list[str]]:
    """One table row per TensorFlow side: both times, their ratio, the largest difference."""
    print(f"timing {contest.work} ...", file=sys.stderr, flush=True)
    sides = [contest.numpy_side, *contest.tf_sides]
    results = [run() for _, run in sides]        # also traces TensorFlow's graphs
    seconds = median_seconds([run for _, run in sides], repeats)
    table = []
    for (label, _), result, t_tf in zip(contest.tf_sides, results[1:], seconds[1:]):
        diff = float(np.max(np.abs(results[0] - result)))
        table.append([contest.work, contest.numpy_side[0], label, f"{seconds[0]:.4f}",
                      f"{t_tf:.4f}", f"{seconds[0] / t_tf:.3g}x", f"{diff:.1e}",
                      "yes" if diff <= contest.tolerance else "NO"])
    return table


def skipped(kind: str, reason: str) -> list[str]:
    """A table row saying why a piece of work was not timed."""
    return [WORKS[kind], f"skipped: {reason}", "", "", "", "", "", ""]


def shipped_mnist() -> tuple[np.ndarray, np.ndarray]:
    """The shipped training digits X (8000, 784) in [0, 1] and labels y (8000,), quietly."""
    with contextlib.redirect_stdout(sys.stderr):   # the loader says which set it read
        X, y, _, _ = load_mnist(flatten=True, source="shipped")
    return X, y


def first_fit_seconds(keras, X: np.ndarray, y: np.ndarray) -> float:
    """Wall time of a fresh Keras model's first one-epoch fit on X (m, 784), y (m,).

    This is what a student waits for the first time: graph tracing included.
    """
    model = keras_mlp(keras)
    start = time.perf_counter()
    model.fit(X.astype(np.float32), np.eye(LAYER_SIZES[-1], dtype=np.float32)[y],
              batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0)
    return time.perf_counter() - start


def contest_rows(args: argparse.Namespace) -> tuple[list[list[str]], list[str]]:
    """Table rows of the chosen work, and notes to print under the table."""
    paths = {kind: args.root / NOTEBOOKS[kind] for kind in args.only}
    table = [skipped(kind, f"{NOTEBOOKS[kind]} not found (not written yet?)")
             for kind, path in paths.items() if not path.exists()]
    present = [kind for kind, path in paths.items() if path.exists()]
    if not present:
        return table, []
    from nnutils.tfsetup import quiet_tensorflow  # only now: importing it takes seconds
    tf, keras = quiet_tensorflow(seed=SEED)
    X, y = shipped_mnist()
    notes = [f"TensorFlow {tf.__version__} on {os.cpu_count()} cores, float32, "
             f"op determinism on (as nnutils.tfsetup sets it for the notebooks)."]
    for kind in present:
        try:
            ns = reference_namespace(paths[kind])
        except Exception as err:  # a notebook being written may not run yet: say so, go on
            table.append(skipped(kind, f"{NOTEBOOKS[kind]} does not load: "
                                       f"{type(err).__name__}: {err}"))
            continue
        if kind == "mlp":
            table += rows(mlp_contest(tf, keras, ns, X[:args.subset], y[:args.subset]),
                          args.repeats)
            notes.append(f"Keras's first fit of a fresh model, graph tracing included: "
                         f"{first_fit_seconds(keras, X[:args.subset], y[:args.subset]):.2f} s.")
        else:
            images = X[:args.conv_batch].reshape(-1, 28, 28)
            table += rows(conv_contest(tf, ns, images), args.repeats)
    return table, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed samples per side")
    parser.add_argument("--subset", type=int, default=8000,
                        help="training digits in the epoch (at most 8,000)")
    parser.add_argument("--conv-batch", type=int, default=256,
                        help="training digits given to conv2d (at most 8,000)")
    parser.add_argument("--only", nargs="+", choices=tuple(NOTEBOOKS), default=list(NOTEBOOKS))
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="course folder holding solutions/ (default: this repository)")
    args = parser.parse_args(argv)
    if (args.repeats < 1 or not BATCH_SIZE <= args.subset <= 8000
            or not 1 <= args.conv_batch <= 8000):
        parser.error(f"need --repeats >= 1, {BATCH_SIZE} <= --subset <= 8000, "
                     "1 <= --conv-batch <= 8000")
    os.environ.setdefault("MPLBACKEND", "Agg")   # the notebooks' setup cells import pyplot
    table, notes = contest_rows(args)
    print(f"Seconds per call, median of {args.repeats} samples alternating order; "
          f"NumPy / TF > 1 means TensorFlow is faster.\n")
    print(markdown_table(HEADERS, table))
    if notes:
        print("\n" + "\n".join(notes))
    return 0 if all(r[-1] != "NO" for r in table) else 1


if __name__ == "__main__":
    sys.exit(main())
