"""Tests of nnutils.checks.keras_model_copy (added for notebook 04's Keras model tests)."""

import re
import warnings

import numpy as np
import pytest

from nnutils.checks import CheckFailed, keras_model_copy
from nnutils.tfsetup import quiet_tensorflow

tf, keras = quiet_tensorflow(seed=0)


def fails(match: str):
    """pytest.raises(CheckFailed) whose message must contain ``match`` literally."""
    return pytest.raises(CheckFailed, match=re.escape(match))


def _regression_model(compiled: bool = True):
    model = keras.Sequential([keras.Input(shape=(3,)),
                              keras.layers.Dense(2, activation="sigmoid"),
                              keras.layers.Dense(1)])
    if compiled:
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    return model


def test_copy_has_the_layers_weights_and_compile_settings():
    model = _regression_model()
    X = np.random.default_rng(0).normal(size=(5, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a check must never warn (stderr)
        copy, compile_config = keras_model_copy("build(3)", model)
    assert copy is not model
    assert [w.shape for w in copy.get_weights()] == [(3, 2), (2,), (2, 1), (1,)]
    np.testing.assert_allclose(copy(X).numpy(), model(X).numpy(), rtol=1e-6)
    assert compile_config["loss"] == "mse"
    assert isinstance(copy.optimizer, keras.optimizers.SGD)
    assert np.isclose(float(copy.optimizer.learning_rate.numpy()), 0.05)
    y = np.zeros((5, 1))
    expected = np.mean(model(X).numpy() ** 2)
    assert np.isclose(float(copy.compute_loss(x=X, y=y, y_pred=copy(X))), expected, rtol=1e-5)


def test_copy_is_independent_of_the_original():
    model = _regression_model()
    copy, _ = keras_model_copy("build(3)", model)
    copy.set_weights([np.zeros_like(w) for w in copy.get_weights()])
    assert any(np.any(w != 0) for w in model.get_weights())


def test_uncompiled_model_gives_an_empty_compile_config():
    copy, compile_config = keras_model_copy("build(3)", _regression_model(compiled=False))
    assert compile_config == {}
    assert copy.count_params() == 11


def test_functional_model_with_dropout_is_rebuilt():
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dropout(0.25)(keras.layers.Dense(5, activation="relu")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    copy, compile_config = keras_model_copy("build_mlp([4, 5, 3], 0.25)", model)
    rates = [layer.rate for layer in copy.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.25]
    assert compile_config["metrics"] == ["accuracy"]
    X = np.ones((2, 4))
    np.testing.assert_allclose(copy(X, training=False).numpy(), model(X, training=False).numpy(),
                               rtol=1e-6)


def test_none_is_a_forgotten_return():
    with fails("build_mlp([784, 16, 16, 10]) returned None: did you forget the `return`"):
        keras_model_copy("build_mlp([784, 16, 16, 10])", None)


def test_something_else_than_a_model_is_named():
    with fails("build(3) should return a Keras model (for example keras.Sequential([...])), "
               "but returned a list."):
        keras_model_copy("build(3)", [keras.layers.Dense(2)])


def test_model_without_input_size_has_no_weights():
    model = keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(1)])
    with fails("build(3) returned a model without weights"):
        keras_model_copy("build(3)", model)


def test_custom_layer_that_cannot_be_rebuilt_is_explained():
    class Doubler(keras.layers.Layer):
        def call(self, inputs):
            return 2 * inputs

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2), Doubler()])
    with fails("build(3): the returned model could not be rebuilt from its configuration"):
        keras_model_copy("build(3)", model)


def test_a_lambda_layer_is_refused_not_run():
    """Safe mode: the code inside a Lambda layer is never loaded, in a test or the grader."""
    from autograde.grading import codec

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2),
                              keras.layers.Lambda(lambda x: x * 0)])
    with fails("build(3): the returned model could not be rebuilt from its configuration"):
        keras_model_copy("build(3)", model)
    packed = {"config": model.to_json(), "weights": model.get_weights(), "compile": None}
    with pytest.raises(codec.KerasRebuildError, match="could not be rebuilt"):
        codec.unpack("keras", packed)
