"""Tests of nnutils.plots.plot_network (added for notebook 01's network diagrams)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from nnutils.plots import plot_network


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
