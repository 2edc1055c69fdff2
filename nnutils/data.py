"""Data sets for the course notebooks. Everything loads offline.

- :func:`load_mnist`: handwritten digits, 28x28. A stratified 8,000/2,000 subset
  of real MNIST ships with the package (``nnutils/datasets/mnist_8k2k.npz``, see
  the README there); the full 60,000/10,000 set is used when its file is present.
- :func:`load_digits`: scikit-learn's 8x8 digits (1,797 images, shipped with sklearn).
- :func:`logic_gate`: the four rows of the AND, OR, XOR and NAND truth tables.
- :func:`toy_2d`: small seeded two-class problems in the plane.

The MNIST loader checks what it read (keys, shapes, dtypes, label range, and for
the shipped file a SHA-256 of the arrays) and says what to do when something is off.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from pathlib import Path
from typing import Mapping

import numpy as np

__all__ = ["load_mnist", "load_digits", "logic_gate", "toy_2d", "arrays_sha256"]

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
SHIPPED_MNIST = DATASETS_DIR / "mnist_8k2k.npz"
SHIPPED_MNIST_SHA256 = "55922209bd6709f63079fe8c688c04a7796d3df84efa8079be6ec2612097d50b"
SHIPPED_MNIST_SIZES = (8000, 2000)
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
MNIST_ENV_VAR = "NNUTILS_MNIST"
KERAS_MNIST = Path("~/.keras/datasets/mnist.npz")

_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
}


def arrays_sha256(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the names, dtypes, shapes and bytes of ``arrays``, in sorted key order.

    Unlike a hash of the .npz file it does not depend on how the zip was written.
    """
    digest = hashlib.sha256()
    for key in sorted(arrays):
        array = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _full_mnist_candidates() -> list[Path]:
    """Where the full MNIST file may be: $NNUTILS_MNIST first, then Keras's cache."""
    paths = [Path(os.environ[MNIST_ENV_VAR]).expanduser()] if os.environ.get(MNIST_ENV_VAR) else []
    return paths + [KERAS_MNIST.expanduser()]


def _read_npz(path: Path, remedy: str) -> dict[str, np.ndarray]:
    """The four MNIST arrays of the .npz at ``path``; a ValueError ending in ``remedy``."""
    try:
        with open(path, "rb") as file:  # closed even when np.load fails half-way
            npz = np.load(file, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise ValueError("it is a single array, not an .npz archive of arrays")
            missing = [key for key in MNIST_KEYS if key not in npz.files]
            if missing:
                raise ValueError(f"it has no {', '.join(missing)} (it holds {npz.files})")
            return {key: npz[key] for key in MNIST_KEYS}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"load_mnist could not read {path}: {err}. {remedy}") from None


def _validate(arrays: Mapping[str, np.ndarray], path: Path, remedy: str) -> None:
    """Check shapes (m, 28, 28) and (m,), dtype uint8 images, integer labels in 0..9."""
    problems = []
    for part in ("train", "test"):
        X, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if X.ndim != 3 or X.shape[1:] != (28, 28) or len(X) == 0:
            problems.append(f"x_{part} has shape {X.shape}, expected (m, 28, 28)")
        if X.dtype != np.uint8:
            problems.append(f"x_{part} has dtype {X.dtype}, expected uint8 pixels 0..255")
        if y.shape != (len(X),):
            problems.append(f"y_{part} has shape {y.shape}, expected ({len(X)},)")
        if y.dtype.kind not in "iu":
            problems.append(f"y_{part} has dtype {y.dtype}, expected integer labels")
        elif y.size and (y.min() < 0 or y.max() > 9):
            problems.append(f"y_{part} has labels {y.min()}..{y.max()}, expected 0..9")
    if problems:
        raise ValueError(f"load_mnist found a problem in {path}: {'; '.join(problems)}. {remedy}")


def _load_shipped() -> dict[str, np.ndarray]:
    """The shipped 8,000/2,000 split, verified against its SHA-256."""
    remedy = ("Restore the file from the course repository (git checkout -- "
              "nnutils/datasets/mnist_8k2k.npz) or rebuild it with "
              "`python nnutils/datasets/build_mnist.py`.")
    if not SHIPPED_MNIST.is_file():
        raise FileNotFoundError(
            f"load_mnist: the shipped file {SHIPPED_MNIST} is missing. {remedy}")
    arrays = _read_npz(SHIPPED_MNIST, remedy)
    _validate(arrays, SHIPPED_MNIST, remedy)
    sizes = (len(arrays["x_train"]), len(arrays["x_test"]))
    if sizes != SHIPPED_MNIST_SIZES:
        raise ValueError(f"load_mnist: {SHIPPED_MNIST} holds {sizes[0]} train / {sizes[1]} test "
                         f"images, expected 8000 / 2000. {remedy}")
    digest = arrays_sha256(arrays)
    if digest != SHIPPED_MNIST_SHA256:
        raise ValueError(f"load_mnist: the arrays in {SHIPPED_MNIST} have SHA-256 {digest}, "
                         f"expected {SHIPPED_MNIST_SHA256}: the file was changed. {remedy}")
    return arrays


def _load_full(path: Path) -> dict[str, np.ndarray]:
    """The full MNIST from a Keras-style mnist.npz at ``path``, checked."""
    remedy = (f"Replace it with Keras's original mnist.npz (keys {', '.join(MNIST_KEYS)}), "
              f"or use load_mnist(source='shipped').")
    arrays = _read_npz(path, remedy)
    _validate(arrays, path, remedy)
    return arrays


def _resolve_source(source: str) -> Path | None:
    """The full MNIST file to use, or None for the shipped split."""
    if source not in ("auto", "shipped", "full"):
        raise ValueError(f"load_mnist: source={source!r} is not one of 'auto', 'shipped', 'full'.")
    if source == "shipped":
        return None
    candidates = _full_mnist_candidates()
    found = next((path for path in candidates if path.is_file()), None)
    if found is None and source == "full":
        raise FileNotFoundError(
            "load_mnist(source='full') needs the full MNIST file mnist.npz (as Keras "
            f"saves it, keys {', '.join(MNIST_KEYS)}). Put it at {KERAS_MNIST} or set the "
            f"environment variable {MNIST_ENV_VAR} to its path (looked at: "
            f"{', '.join(str(p) for p in candidates)}). Or use source='shipped' for the "
            "8,000/2,000 subset that ships with the course."
        )
    return found


def load_mnist(flatten: bool = False, scale: bool = True, source: str = "auto"):
    """Load MNIST digits and print one line saying which data were used.

    Parameters
    ----------
    flatten : if True, images come as rows of 784 pixels instead of 28x28.
    scale : if True, pixels are float64 in [0, 1]; if False, uint8 0..255.
    source : "shipped" (the 8,000/2,000 subset in the package, the same on every
        machine), "full" (the standard 60,000/10,000 MNIST from ``$NNUTILS_MNIST``
        or ``~/.keras/datasets/mnist.npz``), or "auto" (full when that file exists,
        otherwise shipped).

    Returns
    -------
    X_train : (m_train, 28, 28) or (m_train, 784) images.
    y_train : (m_train,) int64 labels 0..9.
    X_test : (m_test, 28, 28) or (m_test, 784) images.
    y_test : (m_test,) int64 labels 0..9.
    """
    path = _resolve_source(source)
    arrays = _load_shipped() if path is None else _load_full(path)
    what = "shipped subset" if path is None else f"full MNIST from {path}"
    m_train, m_test = len(arrays["x_train"]), len(arrays["x_test"])
    print(f"MNIST: {what}, {m_train:,} train / {m_test:,} test images of 28x28 pixels")
    out = []
    for part in ("train", "test"):
        X = arrays[f"x_{part}"]
        X = X.astype(np.float64) / 255.0 if scale else X.copy()
        out += [X.reshape(len(X), 784) if flatten else X, arrays[f"y_{part}"].astype(np.int64)]
    return tuple(out)


def load_digits():
    """scikit-learn's 8x8 handwritten digits (shipped with scikit-learn, no download).

    Returns
    -------
    X : (1797, 8, 8) float64 pixels in [0, 1] (the original 0..16 divided by 16).
    y : (1797,) int64 labels 0..9.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    return digits.images.astype(np.float64) / 16.0, digits.target.astype(np.int64)


def logic_gate(name: str):
    """The truth table of a two-input logic gate.

    Parameters
    ----------
    name : "and", "or", "xor" or "nand" (any case).

    Returns
    -------
    X : (4, 2) float64 inputs [0, 0], [0, 1], [1, 0], [1, 1].
    y : (4,) int64 outputs 0/1.
    """
    key = str(name).lower()
    if key not in _GATES:
        raise ValueError(f"logic_gate: unknown gate {name!r}; choose one of "
                         f"{', '.join(repr(g) for g in _GATES)}.")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array(_GATES[key], dtype=np.int64)


def _linear(n: int, noise: float, rng: np.random.Generator):
    """Uniform points in [-1, 1]^2 labelled by the side of x1 + 2 x2 = 0.3 (score noise)."""
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    score = X @ np.array([1.0, 2.0]) - 0.3 + noise * rng.standard_normal(n)
    return X, (score > 0).astype(np.int64)


def _blobs(n: int, noise: float, rng: np.random.Generator):
    """Two round Gaussian blobs around (-1, -1) and (1, 1) with standard deviation 5 * noise."""
    y = np.arange(n) % 2
    centres = np.array([[-1.0, -1.0], [1.0, 1.0]])
    return centres[y] + 5 * noise * rng.standard_normal((n, 2)), y


def _moons(n: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (as sklearn's make_moons) plus Gaussian noise ``noise``."""
    y = np.arange(n) % 2
    t = rng.uniform(0.0, np.pi, size=n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]))
    return X + noise * rng.standard_normal((n, 2)), y


def _circles(n: int, noise: float, rng: np.random.Generator):
    """A circle of radius 0.5 (class 1) inside one of radius 1 (class 0), noise ``noise``."""
    y = np.arange(n) % 2
    t = rng.uniform(0.0, 2 * np.pi, size=n)
    radius = np.where(y == 0, 1.0, 0.5)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    return X + noise * rng.standard_normal((n, 2)), y


_TOY_KINDS = {"linear": _linear, "blobs": _blobs, "moons": _moons, "circles": _circles}


def toy_2d(kind: str, n: int = 200, noise: float = 0.1, seed: int = 0):
    """A small seeded two-class data set in the plane.

    Parameters
    ----------
    kind : "linear" (labels from a straight line; separable when noise=0),
        "blobs" (two Gaussian blobs, std 5 * noise), "moons" (two interleaving
        half circles) or "circles" (a small circle inside a large one).
    n : number of points m; classes are balanced except for "linear".
    noise : standard deviation of the Gaussian noise.
    seed : seed of ``np.random.default_rng``; the same seed gives the same data.

    Returns
    -------
    X : (m, 2) float64 points.
    y : (m,) int64 labels 0/1.
    """
    if kind not in _TOY_KINDS:
        raise ValueError(f"toy_2d: unknown kind {kind!r}; choose one of "
                         f"{', '.join(repr(k) for k in _TOY_KINDS)}.")
    if int(n) < 1 or noise < 0:
        raise ValueError(f"toy_2d: need n >= 1 and noise >= 0, got n={n}, noise={noise}.")
    rng = np.random.default_rng(seed)
    X, y = _TOY_KINDS[kind](int(n), float(noise), rng)
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


SHIPPED_TEXTS = {
    "shakespeare_sonnets": "650d210d85fe9d0f4f415ada659c3216823dfa55f8ed2dc6aaac64797929a9bd",
}


def load_text(name: str = "shakespeare_sonnets") -> str:
    """A plain-text corpus that ships with the course, checked against its SHA-256.

    Parameters
    ----------
    name : which text; "shakespeare_sonnets" (the default) is Shakespeare's 154 sonnets
        (1609, public domain): 94,004 characters, one line of verse per line, a blank
        line between sonnets. Its source is in ``nnutils/datasets/README.md``.

    Returns
    -------
    text : str, the whole text (UTF-8, newlines as "\\n").
    """
    if name not in SHIPPED_TEXTS:
        raise ValueError(f"load_text: unknown text {name!r}; choose one of "
                         f"{', '.join(repr(n) for n in SHIPPED_TEXTS)}.")
    path = DATASETS_DIR / f"{name}.txt"
    remedy = (f"Restore it from the course repository "
              f"(git checkout -- nnutils/datasets/{name}.txt).")
    if not path.is_file():
        raise FileNotFoundError(f"load_text: the shipped file {path} is missing. {remedy}")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHIPPED_TEXTS[name]:
        raise ValueError(f"load_text: {path} has SHA-256 {digest}, expected "
                         f"{SHIPPED_TEXTS[name]}: the file was changed. {remedy}")
    return raw.decode("utf-8")


__all__.append("load_text")
