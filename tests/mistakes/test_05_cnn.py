"""Mistakes corpus of notebook 05 (convolutional networks).

For every exercise: wrong implementations that students really write, each with a
sentence on why, which the hidden test cell must reject with a message naming the
function; and different correct implementations, which every test cell must accept. Each
case runs the exercise's test cells through the grader's engine
(``autograde.grading.trials.run_exercise``), the solution cell replaced by the case's
source. Many wrong versions are a one-line change of a correct one: ``variant`` makes
that change and checks that the line it replaces exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from autograde.grading.trials import run_exercise

from . import corpus

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "05_cnn" / "05_cnn.ipynb"
EXERCISES = ["conv_output_size", "pad2d", "conv2d", "conv_param_count", "conv_layer_forward",
             "max_pool2d", "avg_pool2d", "build_cnn", "confusion_matrix",
             "precision_recall_f1"]


@dataclass(frozen=True)
class Variant:
    """One wrong implementation of an exercise: its function, a short id, why students
    write it, its code."""

    exercise: str
    id: str
    why: str
    source: str


def variant(source: str, old: str, new: str) -> str:
    """``source`` with the text ``old`` replaced by ``new`` (which must be there)."""
    assert old in source, f"{old!r} is not in the source it should change"
    return source.replace(old, new)


# ---------------------------------------------------------------- correct alternatives
CONV_OUTPUT_SIZE_FLOAT = '''
def conv_output_size(n, k, padding, stride):
    size = (n + 2 * padding - k) / stride + 1
    if k > n + 2 * padding or not size.is_integer():
        raise ValueError(f"output size {size} is not a whole number of positions")
    return int(size)
'''
CONV_OUTPUT_SIZE_DIVMOD = '''
def conv_output_size(n, k, padding, stride):
    steps, rest = divmod(n + 2 * padding - k, stride)
    if steps < 0 or rest:
        raise ValueError("the filter does not tile the padded image")
    return steps + 1
'''
PAD2D_MANUAL = '''
def pad2d(image, p, mode="zero"):
    if mode not in ("zero", "edge"):
        raise ValueError(f"unknown mode {mode}")
    image = np.asarray(image, dtype=float)
    H, W = image.shape[:2]
    if mode == "edge":
        rows = np.clip(np.arange(-p, H + p), 0, H - 1)
        cols = np.clip(np.arange(-p, W + p), 0, W - 1)
        return image[rows][:, cols]
    out = np.zeros((H + 2 * p, W + 2 * p) + image.shape[2:])
    out[p:p + H, p:p + W] = image
    return out
'''
PAD2D_NP_PAD = '''
def pad2d(image, p, mode="zero"):
    pad = ((p, p), (p, p)) if np.ndim(image) == 2 else ((p, p), (p, p), (0, 0))
    if mode == "zero":
        return np.pad(image, pad, constant_values=0).astype(float)
    if mode == "edge":
        return np.pad(image, pad, mode="edge").astype(float)
    raise ValueError("mode must be zero or edge")
'''
CONV2D_LOOP = '''
def conv2d(image, kernel, bias=0.0, stride=1, padding=0):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim == 2:
        image, kernel = image[:, :, None], kernel[:, :, None]
    k = kernel.shape[0]
    padded = pad2d(image, padding)
    out_h = (padded.shape[0] - k) // stride + 1
    out_w = (padded.shape[1] - k) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = padded[i * stride:i * stride + k, j * stride:j * stride + k]
            out[i, j] = np.sum(window * kernel) + bias
    return out
'''
CONV2D_IM2COL = '''
def conv2d(image, kernel, bias=0.0, stride=1, padding=0):
    image = np.atleast_3d(np.asarray(image, dtype=float))
    kernel = np.asarray(kernel, dtype=float)
    kernel = kernel.reshape(kernel.shape[0], kernel.shape[1], -1)
    k = kernel.shape[0]
    out_h = conv_output_size(image.shape[0], k, padding, stride)
    out_w = conv_output_size(image.shape[1], k, padding, stride)
    padded = pad2d(image, padding)
    rows = [padded[i * stride:i * stride + k, j * stride:j * stride + k].ravel()
            for i in range(out_h) for j in range(out_w)]
    return (np.array(rows) @ kernel.ravel() + bias).reshape(out_h, out_w)
'''
CONV2D_NO_CHANNEL_AXIS = '''
def conv2d(image, kernel, bias=0.0, stride=1, padding=0):
    image = pad2d(np.asarray(image, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    k = kernel.shape[0]
    out_h = (image.shape[0] - k) // stride + 1
    out_w = (image.shape[1] - k) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = image[i * stride:i * stride + k, j * stride:j * stride + k]
            out[i, j] = np.sum(window * kernel) + bias
    return out
'''
CONV_PARAM_COUNT_SPLIT = '''
def conv_param_count(k, c_in, n_filters, bias=True):
    weights = k ** 2 * c_in * n_filters
    biases = n_filters if bias else 0
    return weights + biases
'''
CONV_PARAM_COUNT_PROD = '''
def conv_param_count(k, c_in, n_filters, bias=True):
    return int(np.prod((k, k, c_in, n_filters))) + (n_filters if bias else 0)
'''
CONV_LAYER_LOOPS = '''
def conv_layer_forward(X, W, b, stride=1, padding=0):
    maps = [[conv2d(x, W[..., f], b[f], stride, padding) for f in range(W.shape[-1])]
            for x in X]
    return np.maximum(np.array(maps).transpose(0, 2, 3, 1), 0.0)
'''
CONV_LAYER_IM2COL = '''
def conv_layer_forward(X, W, b, stride=1, padding=0):
    X = np.pad(np.asarray(X, dtype=float),
               [(0, 0), (padding, padding), (padding, padding), (0, 0)])
    k, F = W.shape[0], W.shape[-1]
    m, H, Wd, C = X.shape
    out_h, out_w = (H - k) // stride + 1, (Wd - k) // stride + 1
    cols = np.empty((m, out_h, out_w, k, k, C))
    for a in range(k):
        for c in range(k):
            cols[:, :, :, a, c, :] = X[:, a:a + stride * out_h:stride,
                                       c:c + stride * out_w:stride, :]
    Z = cols.reshape(m, out_h, out_w, -1) @ W.reshape(-1, F) + b
    return np.maximum(Z, 0.0)
'''
MAX_POOL_LOOP = '''
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w) + x.shape[2:])
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = window.max(axis=(0, 1))
    return out
'''
MAX_POOL_SHIFTED_SLICES = '''
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    shifted = [x[a:a + stride * (out_h - 1) + 1:stride, c:c + stride * (out_w - 1) + 1:stride]
               for a in range(size) for c in range(size)]
    return np.max(shifted, axis=0)
'''
AVG_POOL_LOOP = variant(variant(MAX_POOL_LOOP, "max_pool2d", "avg_pool2d"),
                        "window.max(axis=(0, 1))", "window.mean(axis=(0, 1))")
AVG_POOL_RESHAPE = '''
def avg_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    if stride == size:   # windows do not overlap: crop, then one reshape
        h, w = x.shape[0] // size, x.shape[1] // size
        blocks = x[:h * size, :w * size].reshape((h, size, w, size) + x.shape[2:])
        return blocks.mean(axis=(1, 3))
    windows = sliding_window_view(x, (size, size), axis=(0, 1))[::stride, ::stride]
    return windows.mean(axis=(-2, -1))
'''
AVG_POOL_AS_CONVOLUTION = '''
def avg_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    x = x[:(out_h - 1) * stride + size, :(out_w - 1) * stride + size]
    box = np.full((size, size), 1.0 / size ** 2)
    if x.ndim == 2:
        return conv2d(x, box, stride=stride)
    return np.stack([conv2d(x[:, :, c], box, stride=stride) for c in range(x.shape[2])],
                    axis=-1)
'''
BUILD_CNN_SEQUENTIAL = '''
def build_cnn(input_shape, n_classes):
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
'''
BUILD_CNN_FUNCTIONAL = '''
def build_cnn(input_shape, n_classes):
    inputs = keras.Input(shape=input_shape)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Flatten()(h)
    h = keras.layers.Dense(32, activation="relu")(h)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=keras.losses.sparse_categorical_crossentropy,
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model
'''
CONFUSION_BINCOUNT = '''
def confusion_matrix(y_true, y_pred, n_classes):
    codes = n_classes * np.asarray(y_true) + np.asarray(y_pred)
    return np.bincount(codes, minlength=n_classes ** 2).reshape(n_classes, n_classes)
'''
CONFUSION_LOOP = '''
def confusion_matrix(y_true, y_pred, n_classes):
    cm = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm
'''
PRF_FROM_CM = '''
def precision_recall_f1(y_true, y_pred, n_classes):
    cm = confusion_matrix(y_true, y_pred, n_classes).astype(float)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), 0.0)
    recall = np.where(actual > 0, tp / np.maximum(actual, 1), 0.0)
    denominator = predicted + actual   # 2 TP + FP + FN
    f1 = np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0)
    return precision, recall, f1
'''
PRF_MASKS = '''
def precision_recall_f1(y_true, y_pred, n_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    precision, recall, f1 = np.zeros(n_classes), np.zeros(n_classes), np.zeros(n_classes)
    for c in range(n_classes):
        tp = np.sum((y_true == c) & (y_pred == c))
        fp = np.sum((y_true != c) & (y_pred == c))
        fn = np.sum((y_true == c) & (y_pred != c))
        if tp + fp:
            precision[c] = tp / (tp + fp)
        if tp + fn:
            recall[c] = tp / (tp + fn)
        if precision[c] + recall[c]:
            f1[c] = 2 * precision[c] * recall[c] / (precision[c] + recall[c])
    return precision, recall, f1
'''

ALTERNATIVES = [
    ("conv_output_size", "float_is_integer", CONV_OUTPUT_SIZE_FLOAT),
    ("conv_output_size", "divmod", CONV_OUTPUT_SIZE_DIVMOD),
    ("pad2d", "manual_zeros_and_clipped_indices", PAD2D_MANUAL),
    ("pad2d", "np_pad_per_axis", PAD2D_NP_PAD),
    ("conv2d", "double_loop", CONV2D_LOOP),
    ("conv2d", "im2col_matmul", CONV2D_IM2COL),
    ("conv_param_count", "weights_plus_biases", CONV_PARAM_COUNT_SPLIT),
    ("conv_param_count", "np_prod_of_kernel_shape", CONV_PARAM_COUNT_PROD),
    ("conv_layer_forward", "loops_over_conv2d", CONV_LAYER_LOOPS),
    ("conv_layer_forward", "im2col_matmul", CONV_LAYER_IM2COL),
    ("max_pool2d", "double_loop", MAX_POOL_LOOP),
    ("max_pool2d", "shifted_slices", MAX_POOL_SHIFTED_SLICES),
    ("avg_pool2d", "double_loop", AVG_POOL_LOOP),
    ("avg_pool2d", "reshape_when_stride_is_size", AVG_POOL_RESHAPE),
    ("avg_pool2d", "convolution_with_a_box_filter", AVG_POOL_AS_CONVOLUTION),
    ("build_cnn", "sequential_without_dropout", BUILD_CNN_SEQUENTIAL),
    ("build_cnn", "functional_api_same_padding", BUILD_CNN_FUNCTIONAL),
    ("confusion_matrix", "bincount", CONFUSION_BINCOUNT),
    ("confusion_matrix", "python_loop", CONFUSION_LOOP),
    ("precision_recall_f1", "from_confusion_matrix_2tp", PRF_FROM_CM),
    ("precision_recall_f1", "boolean_masks", PRF_MASKS),
]

# ---------------------------------------------------------------------- the mistakes
_MISTAKES = [
    # conv_output_size
    ("conv_output_size", "floor_division",
     "`//` looks like the formula and never complains, so the (4, 4) image quietly gets 1.",
     '''
def conv_output_size(n, k, padding, stride):
    return (n + 2 * padding - k) // stride + 1
'''),
    ("conv_output_size", "padding_on_one_side",
     "Students read 'padding P' as P extra pixels in total rather than P on every side.",
     variant(CONV_OUTPUT_SIZE_DIVMOD, "n + 2 * padding - k", "n + padding - k")),
    ("conv_output_size", "slides_typo_minus_2p",
     "The day-2 slides print (W - F - 2P)/S + 1, and students copy it.",
     variant(CONV_OUTPUT_SIZE_DIVMOD, "n + 2 * padding - k", "n - k - 2 * padding")),
    ("conv_output_size", "returns_a_float",
     "True division gives 3.0, which looks like 3 but breaks range() and array shapes.",
     variant(CONV_OUTPUT_SIZE_FLOAT, "return int(size)", "return size")),
    ("conv_output_size", "filter_larger_than_image_not_checked",
     "Only divisibility is checked; a negative span is divisible by 1 and gives size 0.",
     variant(CONV_OUTPUT_SIZE_DIVMOD, "if steps < 0 or rest:", "if rest:")),
    ("conv_output_size", "error_without_message",
     "`raise ValueError()` stops the code but tells the user nothing.",
     variant(CONV_OUTPUT_SIZE_DIVMOD, 'raise ValueError("the filter does not tile the padded '
             'image")', "raise ValueError()")),
    # pad2d
    ("pad2d", "one_side_only",
     "np.pad's (before, after) pairs are easy to get wrong: (0, p) pads below and right only.",
     variant(PAD2D_NP_PAD, "((p, p), (p, p)) if", "((0, p), (0, p)) if")),
    ("pad2d", "pads_the_channels_too",
     "np.pad(image, p) is the shortest call, and on a colour image it pads the channel "
     "axis as well.",
     '''
def pad2d(image, p, mode="zero"):
    if mode not in ("zero", "edge"):
        raise ValueError(mode)
    return np.pad(np.asarray(image, dtype=float), p,
                  mode="constant" if mode == "zero" else "edge")
'''),
    ("pad2d", "mode_ignored",
     "Zero padding is what every example shows, so the mode argument is forgotten.",
     '''
def pad2d(image, p, mode="zero"):
    if mode not in ("zero", "edge"):
        raise ValueError(mode)
    pad = ((p, p), (p, p)) if np.ndim(image) == 2 else ((p, p), (p, p), (0, 0))
    return np.pad(np.asarray(image, dtype=float), pad)
'''),
    ("pad2d", "reflect_instead_of_edge",
     "'reflect' sounds like 'use the pixels at the edge', but it mirrors the inner pixels.",
     variant(PAD2D_NP_PAD, 'mode="edge").astype', 'mode="reflect").astype')),
    ("pad2d", "unknown_mode_accepted",
     "Anything that is not 'zero' falls into the else branch, so typos pass silently.",
     '''
def pad2d(image, p, mode="zero"):
    pad = ((p, p), (p, p)) if np.ndim(image) == 2 else ((p, p), (p, p), (0, 0))
    return np.pad(np.asarray(image, dtype=float), pad,
                  mode="constant" if mode == "zero" else "edge")
'''),
    # conv2d
    ("conv2d", "flipped_kernel",
     "Signal-processing courses and scipy.signal.convolve2d flip the kernel; the notes do not.",
     variant(CONV2D_LOOP, "np.sum(window * kernel)", "np.sum(window * kernel[::-1, ::-1])")),
    ("conv2d", "stride_missing_in_window",
     "The output loop shrinks with the stride, but the window still moves one pixel a step.",
     variant(CONV2D_LOOP, "padded[i * stride:i * stride + k, j * stride:j * stride + k]",
             "padded[i:i + k, j:j + k]")),
    ("conv2d", "three_dimensional_map",
     "Summing over the filter's rows and columns only keeps one number per channel.",
     variant(variant(CONV2D_NO_CHANNEL_AXIS, "out = np.zeros((out_h, out_w))",
                     "out = np.zeros((out_h, out_w) + image.shape[2:])"),
             "np.sum(window * kernel)", "np.sum(window * kernel, axis=(0, 1))")),
    ("conv2d", "bias_forgotten",
     "The examples in the notes have no bias, so it is easy to leave out.",
     variant(CONV2D_LOOP, "np.sum(window * kernel) + bias", "np.sum(window * kernel)")),
    ("conv2d", "padding_ignored",
     "The padding argument is accepted but the image is never padded.",
     variant(CONV2D_LOOP, "padded = pad2d(image, padding)", "padded = image")),
    ("conv2d", "output_size_off_by_one",
     "Forgetting the + 1 of (n + 2P - k)/S + 1 drops the last row and column.",
     variant(variant(CONV2D_LOOP, "out_h = (padded.shape[0] - k) // stride + 1",
                     "out_h = (padded.shape[0] - k) // stride"),
             "out_w = (padded.shape[1] - k) // stride + 1",
             "out_w = (padded.shape[1] - k) // stride")),
    # conv_param_count
    ("conv_param_count", "bias_forgotten",
     "Counting the filter's weights feels like the whole answer; the notes' 28 includes a bias.",
     '''
def conv_param_count(k, c_in, n_filters, bias=True):
    return k * k * c_in * n_filters
'''),
    ("conv_param_count", "input_channels_forgotten",
     "A filter is drawn as a k x k square, so its depth c_in is forgotten.",
     '''
def conv_param_count(k, c_in, n_filters, bias=True):
    return (k * k + int(bias)) * n_filters
'''),
    ("conv_param_count", "one_bias_for_the_layer",
     "'Tied bias' is read as one bias shared by all filters instead of one per filter.",
     '''
def conv_param_count(k, c_in, n_filters, bias=True):
    return k * k * c_in * n_filters + int(bias)
'''),
    ("conv_param_count", "bias_flag_ignored",
     "The + 1 per filter is hard-coded, so bias=False still counts biases.",
     '''
def conv_param_count(k, c_in, n_filters, bias=True):
    return (k * k * c_in + 1) * n_filters
'''),
    ("conv_param_count", "kernel_not_squared",
     "Writing k * c_in for a k x k x c_in filter misses one k.",
     '''
def conv_param_count(k, c_in, n_filters, bias=True):
    return (k * c_in + int(bias)) * n_filters
'''),
    # conv_layer_forward
    ("conv_layer_forward", "relu_forgotten",
     "The convolution is the layer's main work, and the activation is left for later.",
     variant(CONV_LAYER_LOOPS, "np.maximum(np.array(maps).transpose(0, 2, 3, 1), 0.0)",
             "np.array(maps).transpose(0, 2, 3, 1)")),
    ("conv_layer_forward", "channels_first",
     "Stacking the maps filter by filter gives (m, F, H', W'), the PyTorch layout.",
     variant(CONV_LAYER_LOOPS, "np.maximum(np.array(maps).transpose(0, 2, 3, 1), 0.0)",
             "np.maximum(np.array(maps), 0.0)")),
    ("conv_layer_forward", "one_bias_for_all_filters",
     "b is treated as a single number, as in conv2d, instead of one bias per filter.",
     variant(CONV_LAYER_LOOPS, "conv2d(x, W[..., f], b[f], stride, padding)",
             "conv2d(x, W[..., f], b[0], stride, padding)")),
    ("conv_layer_forward", "relu_before_the_bias",
     "ReLU is applied to the convolution and the bias added afterwards.",
     '''
def conv_layer_forward(X, W, b, stride=1, padding=0):
    maps = [[np.maximum(conv2d(x, W[..., f], 0.0, stride, padding), 0.0) + b[f]
             for f in range(W.shape[-1])] for x in X]
    return np.array(maps).transpose(0, 2, 3, 1)
'''),
    # max_pool2d
    ("max_pool2d", "average_instead_of_max",
     "Copied from the average-pooling code, or 'pooling' remembered as averaging.",
     variant(MAX_POOL_LOOP, "window.max(axis=(0, 1))", "window.mean(axis=(0, 1))")),
    ("max_pool2d", "steps_by_size_not_stride",
     "With the default size = stride = 2 the two are interchangeable, until they are not.",
     variant(variant(variant(MAX_POOL_LOOP, "i * stride:i * stride + size",
                             "i * size:i * size + size"),
                     "j * stride:j * stride + size", "j * size:j * size + size"),
             "out_h = (x.shape[0] - size) // stride + 1\n    out_w = (x.shape[1] - size) "
             "// stride + 1", "out_h = (x.shape[0] - size) // size + 1\n    out_w = "
             "(x.shape[1] - size) // size + 1")),
    ("max_pool2d", "pools_across_channels",
     "window.max() without an axis also takes the maximum over the channels.",
     '''
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = x[i * stride:i * stride + size, j * stride:j * stride + size].max()
    return out
'''),
    ("max_pool2d", "keeps_partial_windows",
     "range(0, H, stride) visits the last, incomplete windows too (a ceil instead of a floor).",
     '''
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    rows = range(0, x.shape[0], stride)
    cols = range(0, x.shape[1], stride)
    return np.array([[x[i:i + size, j:j + size].max(axis=(0, 1)) for j in cols]
                     for i in rows])
'''),
    ("max_pool2d", "maximum_starts_at_zero",
     "A running maximum initialised to 0 is wrong whenever a whole window is negative.",
     '''
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w) + x.shape[2:])
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = np.maximum(window.max(axis=(0, 1)), 0.0)
    return out
'''),
    # avg_pool2d
    ("avg_pool2d", "max_instead_of_average",
     "max_pool2d copied and pasted, with the name changed but not the reduction.",
     variant(AVG_POOL_LOOP, "window.mean(axis=(0, 1))", "window.max(axis=(0, 1))")),
    ("avg_pool2d", "divides_by_four",
     "A 2x2 window has 4 entries, so 4 gets hard-coded instead of size * size.",
     variant(AVG_POOL_LOOP, "window.mean(axis=(0, 1))", "window.sum(axis=(0, 1)) / 4")),
    ("avg_pool2d", "stride_one",
     "The window slides one pixel at a time, as in the convolution examples.",
     '''
def avg_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    windows = sliding_window_view(x, (size, size), axis=(0, 1))
    return windows.mean(axis=(-2, -1))
'''),
    ("avg_pool2d", "averages_across_channels",
     "window.mean() without an axis also averages the channels into one map.",
     '''
def avg_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    return np.array([[x[i * stride:i * stride + size, j * stride:j * stride + size].mean()
                      for j in range(out_w)] for i in range(out_h)])
'''),
    # build_cnn
    ("build_cnn", "not_compiled",
     "The model is built and returned; compile is left to the training cell.",
     '''
def build_cnn(input_shape, n_classes):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
'''),
    ("build_cnn", "no_softmax",
     "Dense(n_classes) without an activation gives logits, not probabilities.",
     variant(BUILD_CNN_SEQUENTIAL, 'keras.layers.Dense(n_classes, activation="softmax")',
             "keras.layers.Dense(n_classes)")),
    ("build_cnn", "hard_coded_for_mnist",
     "Written for the MNIST cell, with (28, 28, 1) and 10 classes typed in.",
     variant(variant(BUILD_CNN_SEQUENTIAL, "keras.Input(shape=input_shape)",
                     "keras.Input(shape=(28, 28, 1))"),
             'keras.layers.Dense(n_classes, activation="softmax")',
             'keras.layers.Dense(10, activation="softmax")')),
    ("build_cnn", "categorical_crossentropy_with_integer_labels",
     "Notebook 04's one-hot loss is reused, but the labels here are integers.",
     variant(BUILD_CNN_SEQUENTIAL, 'loss="sparse_categorical_crossentropy"',
             'loss="categorical_crossentropy"')),
    ("build_cnn", "dense_only",
     "Notebook 04's MLP is reused: flatten and dense layers, no convolution at all.",
     '''
def build_cnn(input_shape, n_classes):
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
'''),
    # confusion_matrix
    ("confusion_matrix", "predictions_as_rows",
     "Both conventions exist; scikit-learn's (and the notebook's) has the true class as row.",
     variant(CONFUSION_LOOP, "cm[t, p] += 1", "cm[p, t] += 1")),
    ("confusion_matrix", "fancy_index_increment",
     "cm[y_true, y_pred] += 1 looks vectorised, but repeated pairs are counted only once.",
     '''
def confusion_matrix(y_true, y_pred, n_classes):
    cm = np.zeros((n_classes, n_classes), dtype=int)
    cm[np.asarray(y_true), np.asarray(y_pred)] += 1
    return cm
'''),
    ("confusion_matrix", "size_from_the_labels",
     "The number of classes is taken from the labels seen, so an absent class shrinks it.",
     '''
def confusion_matrix(y_true, y_pred, n_classes):
    n = int(max(np.max(y_true), np.max(y_pred))) + 1
    cm = np.zeros((n, n), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm
'''),
    # precision_recall_f1
    ("precision_recall_f1", "precision_and_recall_swapped",
     "Rows and columns of the confusion matrix are easy to mix up.",
     variant(PRF_FROM_CM, "predicted, actual = cm.sum(axis=0), cm.sum(axis=1)",
             "predicted, actual = cm.sum(axis=1), cm.sum(axis=0)")),
    ("precision_recall_f1", "nan_on_zero_division",
     "Plain division gives nan (with a warning) for a class that is never predicted.",
     '''
def precision_recall_f1(y_true, y_pred, n_classes):
    cm = confusion_matrix(y_true, y_pred, n_classes).astype(float)
    tp = np.diag(cm)
    precision = tp / cm.sum(axis=0)
    recall = tp / cm.sum(axis=1)
    return precision, recall, 2 * precision * recall / (precision + recall)
'''),
    ("precision_recall_f1", "arithmetic_mean_f1",
     "'The mean of precision and recall' is remembered, but F1 is the harmonic mean.",
     variant(PRF_MASKS, "f1[c] = 2 * precision[c] * recall[c] / (precision[c] + recall[c])",
             "f1[c] = (precision[c] + recall[c]) / 2")),
    ("precision_recall_f1", "micro_averaged_scalars",
     "One number per metric for the whole data set instead of one per class.",
     '''
def precision_recall_f1(y_true, y_pred, n_classes):
    accuracy = np.mean(np.asarray(y_true) == np.asarray(y_pred))
    return accuracy, accuracy, accuracy
'''),
]

MISTAKES = [Variant(*mistake) for mistake in _MISTAKES]


@pytest.mark.parametrize("exercise, source",
                         [pytest.param(m.exercise, m.source, id=f"{m.exercise}-{m.id}")
                          for m in MISTAKES])
def test_hidden_tests_reject_the_mistake(exercise, source):
    outcome = run_exercise(NOTEBOOK, exercise, replacement=source)[f"hidden_{exercise}"]
    assert not outcome.passed, f"the hidden tests of {exercise} accepted this mistake"
    assert exercise in outcome.message, (
        f"the hidden tests of {exercise} rejected the mistake with a message that does not "
        f"name the function: {outcome.error}: {outcome.message}")


@pytest.mark.parametrize("exercise, source",
                         [pytest.param(e, s, id=f"{e}-{a}") for e, a, s in ALTERNATIVES])
def test_every_test_cell_accepts_the_alternative(exercise, source):
    outcomes = run_exercise(NOTEBOOK, exercise, replacement=source)
    failed = {gid: f"{o.error}: {o.message}" for gid, o in outcomes.items() if not o.passed}
    assert not failed, f"a correct {exercise} was rejected: {failed}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_reference_solution_passes(exercise):
    outcomes = run_exercise(NOTEBOOK, exercise)
    assert set(outcomes) == {f"test_{exercise}", f"hidden_{exercise}"}
    failed = {gid: f"{o.error}: {o.message}" for gid, o in outcomes.items() if not o.passed}
    assert not failed, failed


def test_every_exercise_has_three_mistakes_and_an_alternative():
    for exercise in EXERCISES:
        mistakes = [m.id for m in MISTAKES if m.exercise == exercise]
        alternatives = [a for e, a, _ in ALTERNATIVES if e == exercise]
        assert len(mistakes) >= 3 and len(set(mistakes)) == len(mistakes), exercise
        assert len(alternatives) >= 1, exercise
    assert all(m.why.strip().endswith(".") for m in MISTAKES)


# Mistakes the public tests deliberately let through (the hidden tests keep them): an edge
# case or a size the public test leaves out so that it stays short.
PUBLIC_MISSES: dict[str, str] = {}


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_public_test_rejects_mistake(mistake):
    corpus.assert_public_verdict(NOTEBOOK, mistake.exercise, mistake.id, mistake.source,
                                 PUBLIC_MISSES)


def test_public_misses_are_mistakes_of_the_corpus():
    corpus.assert_misses_are_mistakes(PUBLIC_MISSES, MISTAKES)


# What the size or the pattern of an error says: the hidden message names the known
# confusion behind each of these mistakes (a ratio, a transpose, a formula students copy).
HINTS = {
    "conv_output_size-padding_on_one_side": "on *every* side",
    "conv_output_size-slides_typo_minus_2p": "the slides' typo",
    "pad2d-pads_the_channels_too": "pad only H and W",
    "conv2d-flipped_kernel": "flips the kernel",
    "conv2d-stride_missing_in_window": "moves 1 pixel per output",
    "conv2d-three_dimensional_map": "sum over the channels too",
    "conv2d-bias_forgotten": "add the tied bias at every position",
    "conv2d-padding_ignored": "the size without padding",
    "conv2d-output_size_off_by_one": "with the + 1",
    "conv_param_count-bias_forgotten": "add one bias per filter",
    "conv_param_count-one_bias_for_the_layer": "one bias for the whole layer",
    "conv_param_count-bias_flag_ignored": "bias=False",
    "conv_param_count-input_channels_forgotten": "input channels are missing",
    "conv_layer_forward-relu_forgotten": "output of the ReLU",
    "conv_layer_forward-channels_first": "channels first",
    "max_pool2d-steps_by_size_not_stride": "they start every stride",
    "max_pool2d-keeps_partial_windows": "do not fit are dropped",
    "max_pool2d-maximum_starts_at_zero": "not from 0",
    "max_pool2d-pools_across_channels": "each channel separately",
    "avg_pool2d-divides_by_four": "2.25 times the expected",
    "avg_pool2d-averages_across_channels": "each channel separately",
    "confusion_matrix-predictions_as_rows": "transpose",
    "precision_recall_f1-precision_and_recall_swapped": "look swapped",
    "precision_recall_f1-arithmetic_mean_f1": "harmonic mean",
    "precision_recall_f1-nan_on_zero_division": "zero_division=0",
}


@pytest.mark.parametrize("key", sorted(HINTS))
def test_hidden_message_names_the_confusion(key):
    mistake = {f"{m.exercise}-{m.id}": m for m in MISTAKES}[key]
    hidden = corpus.outcomes(NOTEBOOK, mistake.exercise, mistake.source)[
        f"hidden_{mistake.exercise}"]
    assert not hidden.passed and HINTS[key] in hidden.message, hidden.message


# Blame the right function: a later exercise written correctly on top of a wrong earlier
# one. Its public test names the earlier function to fix; its hidden tests judge it with
# the reference of the earlier one, so the earlier mistake costs points only once.
CONV2D_PADDING_IGNORED = next(m.source for m in MISTAKES
                              if (m.exercise, m.id) == ("conv2d", "padding_ignored"))
PAD2D_ONE_SIDE = next(m.source for m in MISTAKES if (m.exercise, m.id) == ("pad2d",
                                                                           "one_side_only"))
CONFUSION_TRANSPOSED = next(m.source for m in MISTAKES if (m.exercise, m.id) == (
    "confusion_matrix", "predictions_as_rows"))
ON_A_WRONG_EARLIER_FUNCTION = [
    ("conv_layer_forward", "conv2d", CONV2D_PADDING_IGNORED + CONV_LAYER_LOOPS),
    ("conv2d", "pad2d", PAD2D_ONE_SIDE + CONV2D_NO_CHANNEL_AXIS),
    ("precision_recall_f1", "confusion_matrix", CONFUSION_TRANSPOSED + PRF_FROM_CM),
]


@pytest.mark.parametrize("exercise, earlier, source", ON_A_WRONG_EARLIER_FUNCTION,
                         ids=[f"{e}-on-a-wrong-{w}" for e, w, _ in ON_A_WRONG_EARLIER_FUNCTION])
def test_a_wrong_earlier_function_is_blamed_and_costs_only_once(exercise, earlier, source):
    corpus.assert_blamed(corpus.outcomes(NOTEBOOK, exercise, source), exercise, earlier)


CONV2D_THREE_D = next(m.source for m in MISTAKES
                      if (m.exercise, m.id) == ("conv2d", "three_dimensional_map"))
CONV2D_STUB = corpus.release_stub(NOTEBOOK, "conv2d")
CRASHING_OR_MISSING_EARLIER = [
    ("crashing", CONV2D_THREE_D + CONV_LAYER_LOOPS, "it calls conv2d, which is wrong"),
    ("missing", CONV2D_STUB + CONV_LAYER_LOOPS, "`conv2d` (which `conv_layer_forward` calls) is "
                                                "not implemented"),
]


@pytest.mark.parametrize("source, said", [(s, w) for _, s, w in CRASHING_OR_MISSING_EARLIER],
                         ids=[f"conv2d-{kind}" for kind, _, _ in CRASHING_OR_MISSING_EARLIER])
def test_a_crashing_or_missing_conv2d_costs_conv_layer_forward_only_its_public_test(source,
                                                                                     said):
    results = corpus.outcomes(NOTEBOOK, "conv_layer_forward", source)
    public, hidden = results["test_conv_layer_forward"], results["hidden_conv_layer_forward"]
    assert not public.passed and said in public.message, public.message
    assert hidden.passed, f"{hidden.error}: {hidden.message}"
