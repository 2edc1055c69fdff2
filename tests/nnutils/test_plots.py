"""nnutils.plots: every plot draws what it promises, with labels, under the Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from nnutils.data import toy_2d
from nnutils.plots import (
    plot_confusion_matrix,
    plot_contour,
    plot_curves,
    plot_decision_boundary,
    plot_functions,
    plot_image_grid,
    plot_line_boundary,
    plot_matrix,
    plot_network,
    plot_unrolled_rnn,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_plot_functions():
    fns = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}
    ax = plot_functions(fns, title="Activations")
    assert legend_labels(ax) == ["sigmoid", "relu"]
    labelled = {line.get_label(): line for line in ax.get_lines()}
    z, relu = labelled["relu"].get_data()
    assert len(z) == 400 and z[0] == -6 and z[-1] == 6
    np.testing.assert_array_equal(relu, np.maximum(z, 0))
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("z", "f(z)", "Activations")


def test_plot_functions_into_given_axes_with_constant_function():
    fig, axes = plt.subplots(1, 2)
    ax = plot_functions({"one": lambda z: 1.0}, z=np.linspace(0, 1, 5), ax=axes[1])
    assert ax is axes[1] and not axes[0].lines
    np.testing.assert_array_equal(ax.get_lines()[-1].get_ydata(), np.ones(5))


def test_plot_decision_boundary_with_labels():
    X, y = toy_2d("circles", n=60)
    shapes = []

    def predict(P):
        shapes.append(P.shape)
        return (np.linalg.norm(P, axis=1) < 0.75).astype(int)

    ax = plot_decision_boundary(predict, X, y, title="circles", resolution=50)
    assert shapes == [(2500, 2)]
    assert legend_labels(ax) == ["class 0", "class 1"]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sorted(len(c.get_offsets()) for c in points) == [30, 30]
    x0, x1 = ax.get_xlim()
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max()
    assert ax.get_aspect() == 1.0 and ax.get_title() == "circles"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")


@pytest.mark.parametrize("predict, boundary", [
    (lambda P: 1 / (1 + np.exp(-(P[:, 0] + 2 * P[:, 1] - 0.3))), 0.5),
    (lambda P: (P[:, 0] + 2 * P[:, 1] - 0.3)[:, None], 0.0),
])
def test_plot_decision_boundary_with_scores(predict, boundary):
    X, y = toy_2d("linear", n=80)
    ax = plot_decision_boundary(predict, X, y, resolution=40)
    contour_sets = [c for c in ax.collections if hasattr(c, "levels") and not c.filled]
    assert [list(c.levels) for c in contour_sets] == [[boundary]]


def test_plot_decision_boundary_constant_prediction_draws_no_boundary():
    X, y = toy_2d("blobs", n=20)
    ax = plot_decision_boundary(lambda P: np.zeros(len(P)), X, y, resolution=20)
    assert not [c for c in ax.collections if hasattr(c, "levels") and not c.filled]


def test_plot_line_boundary_lies_on_the_line_and_keeps_limits():
    fig, ax = plt.subplots()
    ax.set_xlim(-2, 2)
    ax.set_ylim(-1, 3)
    w, b = np.array([1.0, 2.0]), -0.5
    assert plot_line_boundary(w, b, ax, color="r", label="epoch 1") is ax
    line = ax.get_lines()[-1]
    xs, ys = line.get_data()
    np.testing.assert_allclose(w[0] * np.asarray(xs) + w[1] * np.asarray(ys) + b, 0.0)
    assert line.get_color() == "r" and line.get_label() == "epoch 1"
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 3)


def test_plot_line_boundary_vertical_and_zero_weights():
    fig, ax = plt.subplots()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    plot_line_boundary([2.0, 0.0], -1.0, ax)
    xs, _ = ax.get_lines()[-1].get_data()
    assert list(xs) == [0.5, 0.5]
    plot_line_boundary(np.zeros(2), 1.0, ax)
    assert len(ax.get_lines()) == 1
    with pytest.raises(ValueError, match="w must hold 2 weights"):
        plot_line_boundary(np.ones(3), 0.0, ax)


def test_plot_curves():
    ax = plot_curves({"train": [3, 2, 1.5], "validation": np.array([3.5, 2.5, 2.0, 1.9])},
                     title="Loss")
    assert legend_labels(ax) == ["train", "validation"]
    xs, ys = ax.get_lines()[1].get_data()
    assert list(xs) == [1, 2, 3, 4] and list(ys) == [3.5, 2.5, 2.0, 1.9]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("epoch", "loss", "Loss")
    assert ax.get_yscale() == "linear"


def test_plot_curves_log_scale_and_labels():
    ax = plot_curves({"acc": np.linspace(0.5, 0.9, 50)}, xlabel="step", ylabel="accuracy",
                     logy=True)
    assert ax.get_yscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "accuracy")


def test_plot_image_grid():
    images = np.random.default_rng(0).random((10, 28, 28))
    fig = plot_image_grid(images, titles=[str(i) for i in range(10)], ncols=4)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 12  # 3 rows of 4
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 10
    np.testing.assert_array_equal(shown[3].images[0].get_array(), images[3])
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(10)]
    assert shown[0].images[0].get_cmap().name == "gray"
    assert not any(ax.axison for ax in fig.axes)


def test_plot_image_grid_rows_of_pixels_and_colour_images():
    W = np.random.default_rng(0).normal(size=(16, 784))
    fig = plot_image_grid(W, cmap="RdBu", vmin=-3, vmax=3)
    assert len(fig.axes) == 16
    image = fig.axes[5].images[0]
    assert isinstance(image, AxesImage) and image.get_array().shape == (28, 28)
    assert image.get_clim() == (-3, 3)
    rgb = np.random.default_rng(1).random((3, 8, 8, 3))
    fig = plot_image_grid(rgb, figsize=(3, 1))
    assert fig.axes[0].images[0].get_array().shape == (8, 8, 3)
    assert tuple(fig.get_size_inches()) == (3, 1)


def test_plot_image_grid_errors():
    with pytest.raises(ValueError, match="rows of 10 pixels are not square images"):
        plot_image_grid(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="3 titles for 2 images"):
        plot_image_grid(np.zeros((2, 4, 4)), titles=["a", "b", "c"])


def test_plot_contour_with_paths():
    seen = []

    def cost(v):
        seen.append(v.shape)
        return 1.5 * v[0] ** 2 + 0.5 * v[1] ** 2

    path = np.array([[1.0, 1.0], [0.7, 0.9], [0.49, 0.81]])
    far = np.array([[1.0, 1.0], [-2.2, 0.4], [5.0, 0.2]])
    ax = plot_contour(cost, (-2, 2), (-1.5, 1.5), paths={"lr=0.1": path, "lr=0.7": far}, levels=12)
    assert set(seen) == {(2,)}
    assert legend_labels(ax) == ["lr=0.1", "lr=0.7"]
    labelled = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(np.column_stack(labelled["lr=0.1"].get_data()), path)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1.5, 1.5)
    assert ax.get_aspect() == 1.0
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")


def test_plot_contour_without_paths_has_no_legend():
    ax = plot_contour(lambda v: v @ v, (-1, 1), (-1, 1))
    assert ax.get_legend() is None and not ax.get_lines()


def test_plot_confusion_matrix_counts():
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    ax = plot_confusion_matrix(cm, class_names=["cat", "dog", "fox"])
    assert [t.get_text() for t in ax.texts] == [str(v) for v in cm.ravel()]
    assert ax.texts[8].get_color() == "white" and ax.texts[1].get_color() == "black"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "fox"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "fox"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        "predicted", "true", "Confusion matrix")


def test_plot_confusion_matrix_fractions_and_errors():
    ax = plot_confusion_matrix(np.array([[0.75, 0.25], [0.1, 0.9]]))
    assert [t.get_text() for t in ax.texts] == ["0.75", "0.25", "0.10", "0.90"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1"]
    with pytest.raises(ValueError, match=r"cm has shape \(2, 3\), expected \(c, c\)"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="1 class names for 2 classes"):
        plot_confusion_matrix(np.eye(2), class_names=["a"])


# plot_network (notebook 01's network diagrams) -----------------------------------------

def _neurons_per_column(ax):
    """Number of neuron circles drawn in each scatter (one scatter per layer)."""
    return [len(c.get_offsets()) for c in ax.collections]


def _edges(ax):
    return [line for line in ax.lines if line.get_color() == "0.75"]


def test_small_network_draws_every_neuron_and_connection():
    ax = plot_network([4, 5, 3], output_names=["circle", "square", "triangle"], title="t")
    assert _neurons_per_column(ax) == [4, 5, 3]
    assert len(_edges(ax)) == 4 * 5 + 5 * 3
    texts = [t.get_text() for t in ax.texts]
    named = sorted((t.get_position()[1], t.get_text()) for t in ax.texts
                   if t.get_text() in {"circle", "square", "triangle"})
    assert [name for _, name in named] == ["triangle", "square", "circle"]  # first on top
    assert "input\n4" in texts and "hidden 1\n5" in texts and "output\n3" in texts
    assert "\u22ee" not in texts
    assert ax.get_title() == "t"
    plt.close("all")


def test_large_layers_are_cut_with_an_ellipsis():
    fig, ax = plt.subplots()
    returned = plot_network([784, 16, 16, 10], ax=ax, max_shown=6)
    assert returned is ax
    assert _neurons_per_column(ax) == [6, 6, 6, 6]
    assert len(_edges(ax)) == 3 * 6 * 6
    assert [t.get_text() for t in ax.texts].count("\u22ee") == 4
    plt.close(fig)


def test_shown_neurons_are_centred_and_distinct():
    ax = plot_network([3, 8, 2], max_shown=8)
    for column in ax.collections:
        ys = column.get_offsets()[:, 1]
        assert abs(ys.mean()) < 1e-12
        assert len(set(ys.round(9))) == len(ys)
    plt.close("all")


@pytest.mark.parametrize("kwargs, match", [
    ({"layer_sizes": [3]}, "at least two layers"),
    ({"layer_sizes": [3, 0]}, "at least two layers"),
    ({"layer_sizes": [3, 2], "layer_names": ["in"]}, "1 layer names for 2 layers"),
    ({"layer_sizes": [3, 2], "output_names": ["a", "b", "c"]}, "3 output names"),
    ({"layer_sizes": [3, 2], "max_shown": 1}, "max_shown"),
])
def test_bad_arguments_raise_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_network(**kwargs)
    plt.close("all")


# plot_matrix (notebook 05's worked convolutions) ---------------------------------------

def test_every_cell_gets_its_number_in_reading_order():
    values = np.array([[1.0, 2.0, 3.0], [2.0, 0.0, 0.5]])
    ax = plot_matrix(values, title="X")
    texts = [(t.get_position(), t.get_text()) for t in ax.texts]
    assert [text for _, text in texts] == ["1", "2", "3", "2", "0", "0.5"]
    assert texts[5][0] == (2, 1)   # (x = column, y = row)
    assert ax.get_title() == "X"
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0
    plt.close("all")


def test_text_is_white_on_dark_cells_and_black_on_light_ones():
    ax = plot_matrix([[0.0, 10.0]], cmap="Greys")   # Greys: 0 is white, the maximum black
    assert [t.get_color() for t in ax.texts] == ["black", "white"]
    plt.close("all")


def test_boxes_are_outlined_where_asked_even_outside_the_matrix():
    fig, ax = plt.subplots()
    returned = plot_matrix(np.zeros((4, 4)), ax=ax, boxes=[(0, 0, 3, 3), (0, 2, 3, 3, "red")],
                           fmt="{:.1f}", vmin=0, vmax=1)
    assert returned is ax
    corners = [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in ax.patches]
    assert corners == [(-0.5, -0.5, 3, 3), (1.5, -0.5, 3, 3)]
    assert ax.patches[1].get_edgecolor()[:3] == (1.0, 0.0, 0.0)
    assert {t.get_text() for t in ax.texts} == {"0.0"}
    plt.close("all")


def test_a_vector_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match=r"plot_matrix: values have shape \(3,\)"):
        plot_matrix([1.0, 2.0, 3.0])


# plot_unrolled_rnn (notebook 06's RNN diagrams) ----------------------------------------

def box_labels(ax):
    """The texts drawn in boxes (inputs, states, outputs), in drawing order."""
    return [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None]


def arrows(ax):
    return [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation)]


def test_many_to_one_has_every_input_and_state_and_one_output():
    ax = plot_unrolled_rnn([1, 1, 1], [0, 0, 1], title="many-to-one")
    labels = box_labels(ax)
    assert [s for s in labels if s.startswith("$x")] == ["$x_{1}$", "$x_{2}$", "$x_{3}$"]
    assert [s for s in labels if s.startswith("$a")] == ["$a_{1}$", "$a_{2}$", "$a_{3}$"]
    assert [s for s in labels if s.startswith("$y")] == ["$y_{1}$"]
    assert len(arrows(ax)) == 3 + 2 + 1          # x -> a, a -> a, a -> y
    assert ax.get_title() == "many-to-one"
    assert "$W_F$" in [t.get_text() for t in ax.texts]
    assert "$W_R$" in [t.get_text() for t in ax.texts]
    plt.close("all")


def test_encoder_decoder_numbers_the_decoder_from_one_in_another_colour():
    ax = plot_unrolled_rnn([1, 1, 0, 0], [0, 0, 1, 1], decoder_from=2)
    states = [t for t in ax.texts if t.get_text().startswith("$a")]
    assert [t.get_text() for t in states] == ["$a_{1}$", "$a_{2}$", "$a_{1}$", "$a_{2}$"]
    colours = [t.get_bbox_patch().get_facecolor() for t in states]
    assert colours[0] == colours[1] != colours[2] == colours[3]
    plt.close("all")


def test_bidirectional_adds_a_backward_row_feeding_every_output():
    ax = plot_unrolled_rnn([1, 1, 1], [1, 1, 1], bidirectional=True)
    labels = box_labels(ax)
    assert sum(s.startswith("$a'") for s in labels) == 3
    # x -> a and a' (6), a -> a and a' <- a' (4), a and a' -> y (6)
    assert len(arrows(ax)) == 16
    backward = [a for a in arrows(ax) if a.xy[0] < a.xyann[0]]
    assert len(backward) == 2                     # the right-to-left arrows
    plt.close("all")


@pytest.mark.parametrize("kwargs", [
    {"inputs": [1, 1], "outputs": [1]},
    {"inputs": [], "outputs": []},
    {"inputs": [1, 1, 1], "outputs": [0, 0, 1], "decoder_from": 3},
])
def test_inconsistent_arguments_are_refused(kwargs):
    with pytest.raises(ValueError, match="plot_unrolled_rnn"):
        plot_unrolled_rnn(**kwargs)
