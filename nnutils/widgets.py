"""Interactive explorers: a few chosen settings side by side, and sliders to try others.

A notebook explains an idea (the bias moving the perceptron's line, the learning
rate on the contour of C, ...) with one drawing function and calls :func:`explore`::

    def draw(ax, w, b):
        x = np.linspace(-2, 2, 50)
        ax.plot(x, w * x + b)

    explore(draw, static=[{"w": 1.0, "b": 0.0}, {"w": 1.0, "b": 1.0}],
            w=(-2.0, 2.0, 0.1), b=(-2.0, 2.0, 0.1))

Every run shows the static figure, one panel per setting: headless runs, CI, the
grader and the HTML export all see the comparison the text talks about. Only in a
live Jupyter front end does a row of ipywidgets controls follow, redrawing one panel
for the values the student picks. ipywidgets is imported only then, so headless runs
never need it.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt

from nnutils.tfsetup import grading

__all__ = ["explore"]

# matplotlib backends that mean a Jupyter front end is drawing the figures (lower case).
LIVE_BACKENDS = frozenset({
    "module://matplotlib_inline.backend_inline", "inline",
    "module://ipympl.backend_nbagg", "ipympl", "widget",
})
# Set to 1 by whatever runs a notebook with no one watching (autograde's headless runs,
# which also make the HTML exports): the static figure is all anyone will see.
HEADLESS_ENV_VAR = "NNUTILS_HEADLESS"
PANEL_SIZE = (4.0, 3.2)   # inches (width, height) of one panel

Setting = Mapping[str, Any]


def explore(draw: Callable[..., None], static: Sequence[Setting], *, live: bool | None = None,
            **controls: Any) -> None:
    """Draw ``static`` side by side, then, in a live front end, controls to try other settings.

    Parameters
    ----------
    draw : ``draw(ax, **setting)`` draws one setting on the matplotlib Axes ``ax``. The
        Axes is already titled from the setting ("lr = 0.05"); draw may set its own title.
    static : the settings of the static figure, [{name: value}] with one panel each
        (1-4 panels read well). Each setting names every control. The first one is where
        the live controls start.
    live : show the controls (True), do not (False), or decide from the environment
        (None): live when matplotlib's backend is Jupyter's inline or ipympl backend,
        the autograder is not running (``NNUTILS_GRADING=1``) and ipywidgets is installed.
    **controls : name -> an ipywidgets.interact abbreviation: ``(min, max, step)`` for a
        slider (ints for an IntSlider), a list of options for a dropdown, a bool for a
        checkbox.

    Returns
    -------
    None, so that a call on a cell's last line adds nothing to the output.

    Raises
    ------
    ValueError : ``static`` is empty or not a list of dicts, a setting's names differ from
        the controls', or a value is one its control cannot take.
    """
    _check_settings(static, controls)
    _show_static(draw, static)
    if _is_live() if live is None else live:
        _show_controls(draw, static[0], controls)


def _check_settings(static: Sequence[Setting], controls: Mapping[str, Any]) -> None:
    """Raise ValueError unless every setting in ``static`` names each control with a value
    the control can take."""
    example = "static=[{" + ", ".join(f"{name!r}: ..." for name in controls) + "}]"
    if isinstance(static, Mapping) or not isinstance(static, Sequence) or not static:
        raise ValueError(f"explore: static must be a non-empty list of settings (dicts), e.g. "
                         f"{example}; got {static!r}")
    for i, setting in enumerate(static):
        if not isinstance(setting, Mapping):
            raise ValueError(f"explore: static[{i}] must be a dict like {example}; "
                             f"got {setting!r}")
        unknown = sorted(set(setting) - set(controls))
        if unknown:
            raise ValueError(f"explore: static[{i}] sets {unknown}, which are not controls; "
                             f"add a control for each (e.g. {unknown[0]}=(0.0, 1.0, 0.1)) or "
                             "drop it from the setting")
        missing = sorted(set(controls) - set(setting))
        if missing:
            raise ValueError(f"explore: static[{i}] does not set {missing}; every setting "
                             f"gives a value to each control, like {example}")
        for name, value in setting.items():
            _check_value(f"static[{i}][{name!r}]", value, controls[name])


def _check_value(where: str, value: Any, control: Any) -> None:
    """Raise ValueError if ``value`` is outside the range of a slider ``control`` (a tuple),
    not an option of a dropdown (a list) or not a bool for a checkbox (a bool)."""
    if isinstance(control, tuple) and len(control) >= 2:
        low, high = control[0], control[1]
        if not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"explore: {where} = {value!r} is outside its slider's range "
                             f"[{low}, {high}]; widen the control or change the setting")
    elif isinstance(control, list) and value not in control:
        raise ValueError(f"explore: {where} = {value!r} is not one of its dropdown's options "
                         f"{control}; add it to the list or pick one of them")
    elif isinstance(control, bool) and not isinstance(value, bool):
        raise ValueError(f"explore: {where} = {value!r} has a checkbox; give True or False")


def _title(setting: Setting) -> str:
    """The panel title of a setting, e.g. {"lr": 0.05, "momentum": True} ->
    "lr = 0.05, momentum = True"."""
    return ", ".join(f"{name} = {_format(value)}" for name, value in setting.items())


def _format(value: Any) -> str:
    """A value as a title shows it: floats in at most 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _show_static(draw: Callable[..., None], static: Sequence[Setting]) -> None:
    """One figure, one titled Axes per setting in a row, each drawn by ``draw``; shown."""
    n = len(static)
    fig, axes = plt.subplots(1, n, figsize=(PANEL_SIZE[0] * n, PANEL_SIZE[1]),
                             layout="constrained", squeeze=False)
    for ax, setting in zip(axes[0], static):
        ax.set_title(_title(setting))
        draw(ax, **setting)
    plt.show()


def _is_live() -> bool:
    """True in a live Jupyter front end: an inline or ipympl matplotlib backend, not under
    the autograder (``NNUTILS_GRADING=1``) or a headless run (``NNUTILS_HEADLESS=1``),
    and ipywidgets installed."""
    return (not grading() and os.environ.get(HEADLESS_ENV_VAR) != "1"
            and matplotlib.get_backend().lower() in LIVE_BACKENDS
            and importlib.util.find_spec("ipywidgets") is not None)


def _show_controls(draw: Callable[..., None], start: Setting,
                   controls: Mapping[str, Any]) -> None:
    """Display an ipywidgets ``interactive``: one widget per control, starting at ``start``,
    and one panel redrawn by ``draw`` whenever a value changes."""
    import ipywidgets
    from IPython.display import display

    widgets = {}
    for name, control in controls.items():
        widget = ipywidgets.interactive.widget_from_abbrev(control)
        if widget is None:
            raise ValueError(f"explore: control {name}={control!r} is not an ipywidgets "
                             "abbreviation; pass (min, max, step), a list of options or a bool")
        if hasattr(widget, "continuous_update"):
            widget.continuous_update = False    # redraw when the slider is let go
        widget.value = start[name]
        widgets[name] = widget

    def redraw(**setting: Any) -> None:
        _, ax = plt.subplots(figsize=PANEL_SIZE, layout="constrained")
        ax.set_title(_title(setting))
        draw(ax, **setting)
        plt.show()

    display(ipywidgets.interactive(redraw, **widgets))
