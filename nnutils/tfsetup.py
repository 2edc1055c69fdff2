"""Import TensorFlow and Keras quietly and reproducibly (notebooks 04-06).

TensorFlow writes start-up messages to stderr, and stock nbgrader scores a
graded cell zero when anything reaches stderr, so the logging level must be
set before TensorFlow is imported. oneDNN's kernels are switched off too:
they announce themselves on stderr at import time whatever the log level, and
their results depend on the CPU they run on. Seeding every generator and asking for
deterministic kernels makes two runs of a notebook print the same numbers.
"""

from __future__ import annotations

import logging
import os
import warnings


def quiet_tensorflow(seed: int = 0):
    """Import TensorFlow with its logging silenced, seed everything, return ``(tf, keras)``.

    Parameters
    ----------
    seed : seed for Python's, NumPy's and TensorFlow's global generators.

    Returns
    -------
    (tf, keras) : the ``tensorflow`` and ``keras`` modules.
    """
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"     # level 2 still prints E0000 lines on fit
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import tensorflow as tf
        import keras
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    return tf, keras
