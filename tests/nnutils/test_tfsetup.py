"""nnutils.tfsetup: quiet, seeded TensorFlow, and one-epoch training while grading.

Each test runs Python in a subprocess: ``quiet_tensorflow`` changes the process
(environment, seeds, ``keras.Model.fit``) and must not leak into other tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

TRAIN = textwrap.dedent("""
    from nnutils.tfsetup import grading, quiet_tensorflow
    tf, keras = quiet_tensorflow(seed=0)
    tf, keras = quiet_tensorflow(seed=0)          # twice, as two setup cells would
    import numpy as np
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    X, y = np.ones((8, 3)), np.ones(8)
    runs = [model.fit(X, y, 4, 5, verbose=0),                  # epochs given by position
            model.fit(X, y, epochs=7, initial_epoch=5, verbose=0),
            model.fit(X, y, verbose=0)]
    print("grading", grading(), "epochs", [len(h.history["loss"]) for h in runs])
""")


def run(env_value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NNUTILS_GRADING"}
    if env_value is not None:
        env["NNUTILS_GRADING"] = env_value
    return subprocess.run([sys.executable, "-c", TRAIN], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("value", [None, "0", ""])
def test_students_train_every_epoch_they_ask_for(value):
    done = run(value)
    assert done.returncode == 0, done.stderr
    assert "grading False epochs [5, 2, 1]" in done.stdout
    assert "[autograder]" not in done.stdout


def test_the_autograder_trains_one_epoch_and_says_so():
    done = run("1")
    assert done.returncode == 0, done.stderr
    assert "grading True epochs [1, 1, 1]" in done.stdout
    notes = [line for line in done.stdout.splitlines() if line.startswith("[autograder]")]
    assert len(notes) == 2, "one note per shortened fit, none for a fit of one epoch"
    assert "1 epoch instead of 5" in notes[0] and "instead of 2" in notes[1]
    assert done.stderr == "", "nothing may reach stderr in a graded notebook"
