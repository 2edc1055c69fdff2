"""The plots the notebooks draw, labelled and readable.

Every function that takes ``ax=None`` draws into that Axes, or into a new figure
when it is None, and returns the Axes (``plot_image_grid`` returns its Figure).
Nothing calls ``plt.show()``: Jupyter shows a figure at the end of the cell.
Classes are coloured the same everywhere: class k uses matplotlib's colour "Ck".
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, to_rgb
from matplotlib.ticker import MaxNLocator

__all__ = [
    "plot_functions",
    "plot_decision_boundary",
    "plot_line_boundary",
    "plot_curves",
    "plot_image_grid",
    "plot_contour",
    "plot_confusion_matrix",
]


def _axes(ax: plt.Axes | None, figsize: tuple[float, float] = (6.0, 4.0)) -> plt.Axes:
    """``ax``, or the Axes of a new figure of ``figsize`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _class_colours(n_classes: int) -> list[tuple[float, float, float]]:
    """RGB of matplotlib's cycle colours C0, C1, ... for classes 0..n_classes-1."""
    return [to_rgb(f"C{k % 10}") for k in range(n_classes)]


def plot_functions(fns: Mapping[str, Callable[[np.ndarray], np.ndarray]],
                   z: np.ndarray | None = None, ax: plt.Axes | None = None,
                   title: str | None = None) -> plt.Axes:
    """Plot several functions of one variable on shared axes (e.g. activation functions).

    Parameters
    ----------
    fns : {label: f}, each f mapping z (k,) to f(z) (k,).
    z : (k,) points on the horizontal axis (default: 400 points from -6 to 6).
    ax : Axes to draw into, or None for a new figure.
    title : the plot's title.

    Returns
    -------
    ax : the Axes, with one labelled line per function and a legend.
    """
    ax = _axes(ax)
    z = np.linspace(-6, 6, 400) if z is None else np.asarray(z, dtype=np.float64)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.axvline(0.0, color="0.6", linewidth=0.8)
    for label, f in fns.items():
        ax.plot(z, np.broadcast_to(f(z), z.shape), label=label, linewidth=2)
    ax.set_xlabel("z")
    ax.set_ylabel("f(z)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def _grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """A (resolution, resolution) mesh covering the points X (m, 2) with a 10 % margin."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-3)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    return np.meshgrid(xs, ys)


def _scatter_classes(ax: plt.Axes, X: np.ndarray, y: np.ndarray, n_classes: int) -> None:
    """Points X (m, 2) coloured by their labels y (m,), one legend entry per class."""
    colours = _class_colours(n_classes)
    for k in np.unique(y):
        mask = y == k
        ax.scatter(X[mask, 0], X[mask, 1], color=colours[int(k)], edgecolors="k",
                   linewidths=0.5, s=28, label=f"class {int(k)}", zorder=3)


def plot_decision_boundary(predict: Callable[[np.ndarray], Any], X: Any, y: Any,
                           ax: plt.Axes | None = None, title: str | None = None,
                           resolution: int = 200) -> plt.Axes:
    """Colour the plane by a classifier's output and draw the data on top.

    Parameters
    ----------
    predict : callable mapping points (k, 2) to labels (k,) (whole numbers) or
        scores (k,): probabilities in [0, 1] get their boundary at 0.5, other
        scores at 0.
    X : (m, 2) points, y : (m,) integer labels.
    ax : Axes to draw into, or None for a new figure.
    title : the plot's title.
    resolution : the grid has resolution x resolution points.

    Returns
    -------
    ax : the Axes: filled regions, the boundary in black, the points, a legend.
    """
    ax = _axes(ax, (5.5, 5.0))
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    xx, yy = _grid(X, resolution)
    values = np.asarray(predict(np.column_stack([xx.ravel(), yy.ravel()])), dtype=np.float64)
    values = values.reshape(xx.shape)
    is_labels = bool(np.all(values == np.round(values)) and values.min() >= 0)
    n_classes = int(max(y.max(), values.max() if is_labels else 1)) + 1
    if is_labels:
        ax.contourf(xx, yy, values, levels=np.arange(n_classes + 1) - 0.5,
                    cmap=ListedColormap(_class_colours(n_classes)), alpha=0.25)
        boundaries = np.arange(n_classes - 1) + 0.5
    else:
        cut = 0.5 if values.min() >= 0 and values.max() <= 1 else 0.0
        span = max(float(np.abs(values - cut).max()), 1e-12)
        cmap = LinearSegmentedColormap.from_list("scores", ["C0", "white", "C1"])
        ax.contourf(xx, yy, values, levels=cut + span * np.linspace(-1, 1, 21), cmap=cmap,
                    alpha=0.4)
        boundaries = np.array([cut])
    crossed = boundaries[(boundaries > values.min()) & (boundaries < values.max())]
    if crossed.size:
        ax.contour(xx, yy, values, levels=crossed, colors="k", linewidths=1.5)
    _scatter_classes(ax, X, y, n_classes)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax


def plot_line_boundary(w: Any, b: float, ax: plt.Axes, **kwargs: Any) -> plt.Axes:
    """Draw the line w[0] x1 + w[1] x2 + b = 0 across the Axes' current limits.

    Draw the data first so the limits are set; they are kept as they were.

    Parameters
    ----------
    w : (2,) weights, b : bias. With w = 0 there is no line and nothing is drawn.
    ax : the Axes to draw into.
    **kwargs : passed to ``ax.plot`` (default: a black line).

    Returns
    -------
    ax : the Axes.
    """
    w = np.asarray(w, dtype=np.float64).ravel()
    b = float(np.asarray(b, dtype=np.float64).ravel()[0])
    if w.shape != (2,):
        raise ValueError(f"plot_line_boundary: w must hold 2 weights, got shape {w.shape}.")
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    style = {"color": "k", "linewidth": 2} | kwargs
    if abs(w[1]) > 1e-12 * max(abs(w[0]), 1.0):
        xs = np.array(xlim)
        ax.plot(xs, -(w[0] * xs + b) / w[1], **style)
    elif abs(w[0]) > 0:
        ax.plot([-b / w[0]] * 2, list(ylim), **style)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return ax


def plot_curves(curves: Mapping[str, Sequence[float]], xlabel: str = "epoch",
                ylabel: str = "loss", ax: plt.Axes | None = None, title: str | None = None,
                logy: bool = False) -> plt.Axes:
    """Plot training curves, e.g. {"train": losses, "validation": val_losses}.

    Parameters
    ----------
    curves : {label: values}, each values of length T_k, drawn at x = 1..T_k.
    xlabel, ylabel : axis labels.
    ax : Axes to draw into, or None for a new figure.
    title : the plot's title.
    logy : use a logarithmic vertical axis.

    Returns
    -------
    ax : the Axes, one labelled line per curve and a legend.
    """
    ax = _axes(ax)
    for label, values in curves.items():
        values = np.asarray(values, dtype=np.float64).ravel()
        marker = "o" if len(values) <= 30 else None
        ax.plot(np.arange(1, len(values) + 1), values, label=label, marker=marker,
                markersize=4, linewidth=1.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3, which="both" if logy else "major")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def _as_images(images: Any) -> np.ndarray:
    """(k, H, W) or (k, H, W, C) images; rows of a square number of pixels become squares."""
    images = np.asarray(images)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"plot_image_grid: rows of {images.shape[1]} pixels are not square "
                             "images; pass images of shape (k, H, W) or (k, H, W, C).")
        images = images.reshape(len(images), side, side)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"plot_image_grid: images have shape {images.shape}, expected "
                         "(k, H, W) or (k, H, W, C).")
    return images


def plot_image_grid(images: Any, titles: Sequence[str] | None = None, ncols: int = 8,
                    cmap: str = "gray", figsize: tuple[float, float] | None = None,
                    **imshow_kwargs: Any) -> plt.Figure:
    """Show images in a grid, each with an optional title.

    Parameters
    ----------
    images : (k, H, W) grey, (k, H, W, 3) colour, or (k, H*W) rows of square images
        (e.g. the 16 rows of a first-layer W (16, 784) as 28x28 pictures).
    titles : k strings (e.g. labels), or None.
    ncols : images per row.
    cmap : colour map for grey images.
    figsize : (width, height) in inches; by default 1.3 inches per image.
    **imshow_kwargs : passed to ``imshow`` (e.g. vmin, vmax).

    Returns
    -------
    fig : the Figure; its Axes are ``fig.axes``, one per grid cell, without ticks.
    """
    images = _as_images(images)
    k = len(images)
    if titles is not None and len(titles) != k:
        raise ValueError(f"plot_image_grid: {len(titles)} titles for {k} images.")
    ncols = max(1, min(ncols, k))
    nrows = max(1, math.ceil(k / ncols))
    figsize = figsize or (1.3 * ncols, (1.5 if titles is not None else 1.3) * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < k:
            ax.imshow(images[i], cmap=cmap if images.ndim == 3 else None, **imshow_kwargs)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=10)
    fig.tight_layout()
    return fig


def plot_contour(f: Callable[[np.ndarray], float], xlim: tuple[float, float],
                 ylim: tuple[float, float], paths: Mapping[str, Any] | None = None,
                 ax: plt.Axes | None = None, levels: int = 30) -> plt.Axes:
    """Contour lines of f(x, y) with optional descent paths on top.

    Parameters
    ----------
    f : callable mapping a point (2,) to a number, e.g. the cost C(x, y).
    xlim, ylim : (low, high) ranges shown.
    paths : {label: points (s, 2)}, e.g. gradient descent trajectories; each drawn
        as a line with a circle at the start and a cross at the end.
    ax : Axes to draw into, or None for a new figure.
    levels : number of contour levels.

    Returns
    -------
    ax : the Axes, equal aspect, limits xlim and ylim (paths leaving them are cut).
    """
    ax = _axes(ax, (6.0, 5.0))
    xs = np.linspace(*xlim, 120)
    ys = np.linspace(*ylim, 120)
    xx, yy = np.meshgrid(xs, ys)
    values = np.array([float(f(np.array([a, b]))) for a, b in zip(xx.ravel(), yy.ravel())])
    contours = ax.contour(xx, yy, values.reshape(xx.shape), levels=levels, colors="0.55",
                          linewidths=0.7)
    ax.clabel(contours, contours.levels[::5], fontsize=7)
    for i, (label, points) in enumerate((paths or {}).items()):
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        colour = f"C{(i + 1) % 10}"
        ax.plot(points[:, 0], points[:, 1], "-", color=colour, marker=".", label=label)
        ax.plot(*points[0], "o", color=colour, markersize=7)
        ax.plot(*points[-1], "X", color=colour, markersize=8, markeredgecolor="k")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if paths:
        ax.legend(loc="best", framealpha=0.9)
    return ax


def plot_confusion_matrix(cm: Any, class_names: Sequence[str] | None = None,
                          ax: plt.Axes | None = None) -> plt.Axes:
    """Show a confusion matrix with the count (or fraction) written in every cell.

    Parameters
    ----------
    cm : (c, c) matrix, rows the true classes, columns the predicted ones.
    class_names : c names for the ticks, or None for 0..c-1.
    ax : Axes to draw into, or None for a new figure.

    Returns
    -------
    ax : the Axes, titled "Confusion matrix", "predicted" below and "true" on the left.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"plot_confusion_matrix: cm has shape {cm.shape}, expected (c, c).")
    c = cm.shape[0]
    names = [str(n) for n in (class_names if class_names is not None else range(c))]
    if len(names) != c:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class names for {c} classes.")
    ax = _axes(ax, (0.55 * c + 2.5, 0.55 * c + 2.0))
    ax.imshow(cm, cmap="Blues")
    whole = np.all(cm == np.round(cm))
    threshold = (cm.max() + cm.min()) / 2
    for i in range(c):
        for j in range(c):
            text = f"{int(cm[i, j])}" if whole else f"{cm[i, j]:.2f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=9 if c <= 10 else 7,
                    color="white" if cm[i, j] > threshold else "black")
    rotate = max(map(len, names)) > 3
    ax.set_xticks(range(c), names, rotation=45 if rotate else 0,
                  ha="right" if rotate else "center")
    ax.set_yticks(range(c), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix")
    return ax


def _shown_neurons(size: int, max_shown: int) -> tuple[list[float], bool]:
    """Vertical positions, top first, of the neurons drawn for a layer of ``size``; cut or not.

    A layer larger than ``max_shown`` is drawn as its first and last ``max_shown // 2``
    neurons with a gap in the middle (where the caller writes a vertical ellipsis).
    """
    if size <= max_shown:
        return [(size - 1) / 2 - i for i in range(size)], False
    half = max_shown // 2
    top = [half + 0.5 - i for i in range(half)]
    return top + [-p for p in reversed(top)], True


def plot_network(layer_sizes: Sequence[int], ax: plt.Axes | None = None,
                 title: str | None = None, layer_names: Sequence[str] | None = None,
                 output_names: Sequence[str] | None = None, max_shown: int = 8) -> plt.Axes:
    """Draw a fully connected network: one column of neurons per layer, every connection.

    Parameters
    ----------
    layer_sizes : L + 1 layer sizes, input first, e.g. [784, 16, 16, 10].
    ax : Axes to draw into, or None for a new figure.
    title : the plot's title.
    layer_names : L + 1 labels written under the columns (default: "input", "hidden 1",
        ..., "output", each with its size).
    output_names : one label per output neuron, written to its right (e.g. class names);
        only for an output layer of at most ``max_shown`` neurons.
    max_shown : largest number of neurons drawn per layer; a larger layer shows its first
        and last max_shown // 2 neurons and a vertical ellipsis between them.

    Returns
    -------
    ax : the Axes, without ticks: input neurons in C0, hidden in C2, output in C1.
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"plot_network: need at least two layers of >= 1 neuron, got {sizes}.")
    if max_shown < 2:
        raise ValueError(f"plot_network: max_shown must be at least 2, got {max_shown}.")
    if layer_names is None:
        hidden = [f"hidden {i}\n{s}" for i, s in enumerate(sizes[1:-1], start=1)]
        layer_names = [f"input\n{sizes[0]}", *hidden, f"output\n{sizes[-1]}"]
    if len(layer_names) != len(sizes):
        raise ValueError(f"plot_network: {len(layer_names)} layer names for {len(sizes)} layers.")
    if output_names is not None and (len(output_names) != sizes[-1] or sizes[-1] > max_shown):
        raise ValueError(f"plot_network: {len(output_names)} output names for an output layer "
                         f"of {sizes[-1]} neurons (at most {max_shown} can be named).")
    ax = _axes(ax, (1.8 * len(sizes) + 1.0, 4.5))
    columns = [_shown_neurons(s, max_shown) for s in sizes]
    for x, ((left, _), (right, _)) in enumerate(zip(columns, columns[1:])):
        for y0 in left:
            for y1 in right:
                ax.plot([x, x + 1], [y0, y1], color="0.75", linewidth=0.5, zorder=1)
    colours = ["C0"] + ["C2"] * (len(sizes) - 2) + ["C1"]
    low = min(min(ys) for ys, _ in columns)
    for x, ((ys, cut), colour, name) in enumerate(zip(columns, colours, layer_names)):
        ax.scatter([x] * len(ys), ys, s=160, color=colour, edgecolors="k", zorder=3)
        if cut:
            ax.text(x, 0.0, "\u22ee", ha="center", va="center", fontsize=16, zorder=4)
        ax.text(x, low - 0.9, name, ha="center", va="top", fontsize=9)
    for y, label in zip(columns[-1][0], output_names or []):
        ax.text(len(sizes) - 1 + 0.15, y, str(label), va="center", fontsize=9)
    ax.set_xlim(-0.5, len(sizes) - 0.5 + (0.6 if output_names else 0.0))
    ax.set_ylim(low - 2.2, -low + 0.7)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


__all__.append("plot_network")


def plot_matrix(values: Any, ax: plt.Axes | None = None, title: str | None = None,
                cmap: str = "Greys", boxes: Sequence[tuple] | None = None,
                fmt: str = "{:g}", vmin: float | None = None,
                vmax: float | None = None) -> plt.Axes:
    """Draw a small matrix as coloured cells with each number written in its cell.

    Made for worked examples: an image patch, a filter, a convolution's output, a
    padded image, a pooled feature map.

    Parameters
    ----------
    values : (r, c) numbers.
    ax : Axes to draw into, or None for a new figure.
    title : the plot's title.
    cmap : colour map of the cells (text is white on dark cells, black on light ones).
    boxes : rectangles outlined on top, each (row, col, height, width) or
        (row, col, height, width, colour), in cells, e.g. the window a filter covers;
        a box may reach outside the matrix (a window that does not fit).
    fmt : format of the numbers, e.g. "{:g}" or "{:.2f}".
    vmin, vmax : the values mapped to the ends of the colour map (default: min and max).

    Returns
    -------
    ax : the Axes, without ticks, one text per cell.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"plot_matrix: values have shape {values.shape}, expected (r, c).")
    r, c = values.shape
    ax = _axes(ax, (0.45 * c + 1.0, 0.45 * r + 0.8))
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    colour_map, norm = image.get_cmap(), image.norm
    for i in range(r):
        for j in range(c):
            red, green, blue, _ = colour_map(norm(values[i, j]))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    for k, box in enumerate(boxes or []):
        row, col, height, width = box[:4]
        colour = box[4] if len(box) > 4 else f"C{(k + 3) % 10}"
        ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), width, height, fill=False,
                                   edgecolor=colour, linewidth=2.5, clip_on=False))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


__all__.append("plot_matrix")


def _box(ax: plt.Axes, x: float, y: float, text: str, colour: str) -> None:
    """A rounded, labelled box centred on (x, y), as the RNN diagrams draw a vector."""
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=3,
            bbox={"boxstyle": "round,pad=0.35", "facecolor": colour, "edgecolor": "k",
                  "alpha": 0.85})


def _arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float],
           label: str = "") -> None:
    """An arrow from ``start`` to ``end`` between two boxes, with an optional label beside it."""
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": "0.3", "linewidth": 1.2,
                            "shrinkA": 13, "shrinkB": 13})
    if label:
        ax.text((start[0] + end[0]) / 2 + 0.08, (start[1] + end[1]) / 2 + 0.08, label,
                fontsize=8, color="0.25", ha="left", va="bottom")


def plot_unrolled_rnn(inputs: Sequence[bool], outputs: Sequence[bool],
                      ax: plt.Axes | None = None, title: str | None = None,
                      decoder_from: int | None = None, bidirectional: bool = False) -> plt.Axes:
    """Draw a recurrent network unrolled in time, in the lecture notes' colours.

    Step t has a state a_t (red); an input x_t (green) below it feeds it through the
    feedforward weights W_F, the previous state feeds it through the recurrent
    weights W_R (the arrow from the left), and an output y_t (blue) may sit above it.

    Parameters
    ----------
    inputs : T flags: whether step t reads an input x_t.
    outputs : T flags: whether step t emits an output y_t.
    ax : Axes to draw into, or None for a new figure.
    title : the plot's title.
    decoder_from : first step of the decoder in an encoder-decoder network; its states
        are drawn orange and numbered from 1 again (None: a single network).
    bidirectional : also draw a second row of states a'_t (violet) that runs from right to
        left, both rows feeding every output (a bidirectional RNN).

    Returns
    -------
    ax : the Axes, without ticks or spines.
    """
    inputs, outputs = [bool(v) for v in inputs], [bool(v) for v in outputs]
    if len(inputs) != len(outputs) or not inputs:
        raise ValueError(f"plot_unrolled_rnn: {len(inputs)} input flags and {len(outputs)} "
                         f"output flags; expected the same number T >= 1.")
    steps = len(inputs)
    if decoder_from is not None and not 0 < decoder_from < steps:
        raise ValueError(f"plot_unrolled_rnn: decoder_from={decoder_from} must lie in "
                         f"1..{steps - 1}.")
    ax = _axes(ax, (1.3 * steps + 0.8, 3.6 if bidirectional else 3.0))
    rows = [1.0, 2.0] if bidirectional else [1.0]
    top = rows[-1] + 1.0
    n_x = n_y = 0
    for t in range(steps):
        decoding = decoder_from is not None and t >= decoder_from
        number = t - decoder_from + 1 if decoding else t + 1
        colour = "#f4a460" if decoding else "#f08080"
        names = [f"$a_{{{number}}}$", f"$a'_{{{number}}}$"]
        for row, name, fill in zip(rows, names, [colour, "#dda0dd"]):
            _box(ax, t, row, name, fill)
        if inputs[t]:
            n_x += 1
            _box(ax, t, 0.0, f"$x_{{{n_x}}}$", "#90ee90")
            for row in rows:
                _arrow(ax, (t, 0.0), (t, row), "$W_F$" if t == 0 and row == rows[0] else "")
        if outputs[t]:
            n_y += 1
            _box(ax, t, top, f"$y_{{{n_y}}}$", "#87cefa")
            for row in rows:
                _arrow(ax, (t, row), (t, top))
        if t > 0:
            _arrow(ax, (t - 1, rows[0]), (t, rows[0]), "$W_R$" if t == 1 else "")
            if bidirectional:
                _arrow(ax, (t, rows[1]), (t - 1, rows[1]))
    ax.set_xlim(-0.7, steps - 0.3)
    ax.set_ylim(-0.6, top + 0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


__all__.append("plot_unrolled_rnn")
