"""Tests of nnutils.plots.plot_matrix (added for notebook 05's worked convolution examples)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnutils.plots import plot_matrix


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
