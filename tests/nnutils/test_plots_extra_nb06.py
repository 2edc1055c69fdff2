"""Tests of nnutils.plots.plot_unrolled_rnn (the RNN architecture diagrams of notebook 06)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from nnutils.plots import plot_unrolled_rnn


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
