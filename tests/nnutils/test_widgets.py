"""nnutils.widgets.explore: the static figure on every run, the controls only when live."""

import sys

import matplotlib

matplotlib.use("Agg")

import IPython.display
import matplotlib.pyplot as plt
import pytest

from nnutils import widgets
from nnutils.widgets import explore

SETTINGS = [{"w": 0.5, "b": -1.0}, {"w": 1.0, "b": 0.0}, {"w": 2.0, "b": 1.25}]
CONTROLS = {"w": (-2.0, 2.0, 0.25), "b": (-2.0, 2.0, 0.25)}


class Recorder:
    """A draw function that records each call: (the Axes, the setting)."""

    def __init__(self):
        self.calls = []

    def __call__(self, ax, **setting):
        self.calls.append((ax, setting))
        ax.plot([0, 1], [0, 1])


@pytest.fixture
def shown(monkeypatch):
    """The figures plt.show() was called with, in order (each closed after it)."""
    figures = []
    monkeypatch.setattr(plt, "show", lambda: figures.append(plt.gcf()))
    yield figures
    plt.close("all")


@pytest.fixture
def displayed(monkeypatch):
    """The objects IPython's display() was called with, in order."""
    objects = []
    monkeypatch.setattr(IPython.display, "display", objects.append)
    return objects


@pytest.fixture
def no_ipywidgets(monkeypatch):
    """Make `import ipywidgets` fail, as when it is not installed."""
    monkeypatch.setitem(sys.modules, "ipywidgets", None)


@pytest.mark.parametrize("live", [False, None])
def test_headless_shows_one_titled_panel_per_setting_and_no_widget(
        live, shown, displayed, no_ipywidgets):
    draw = Recorder()
    assert explore(draw, SETTINGS, live=live, **CONTROLS) is None
    assert len(shown) == 1, f"expected one figure shown, got {len(shown)}"
    (fig,) = shown
    assert len(fig.axes) == len(SETTINGS)
    assert [setting for _, setting in draw.calls] == SETTINGS
    assert [ax for ax, _ in draw.calls] == fig.axes, "each setting is drawn on its own Axes"
    assert [ax.get_title() for ax in fig.axes] == [
        "w = 0.5, b = -1", "w = 1, b = 0", "w = 2, b = 1.25"]
    assert displayed == []


def test_one_setting_makes_one_panel(shown, no_ipywidgets):
    draw = Recorder()
    explore(draw, [{"lr": 0.05}], live=False, lr=(0.001, 0.5, 0.001))
    assert len(shown[0].axes) == 1 and shown[0].axes[0].get_title() == "lr = 0.05"


@pytest.mark.parametrize("backend, env, live", [
    ("module://matplotlib_inline.backend_inline", {}, True),
    ("module://ipympl.backend_nbagg", {}, True),
    ("widget", {}, True),
    ("agg", {}, False),
    ("module://autograde.mplbackend", {}, False),
    ("module://matplotlib_inline.backend_inline", {"NNUTILS_GRADING": "1"}, False),
    ("module://matplotlib_inline.backend_inline", {"NNUTILS_HEADLESS": "1"}, False),
])
def test_live_is_decided_from_the_backend_the_grader_and_headless_runs(monkeypatch, backend,
                                                                        env, live):
    monkeypatch.setattr(matplotlib, "get_backend", lambda: backend)
    for name in ("NNUTILS_GRADING", "NNUTILS_HEADLESS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert widgets._is_live() is live


def test_not_live_without_ipywidgets(monkeypatch, no_ipywidgets):
    monkeypatch.setattr(matplotlib, "get_backend",
                        lambda: "module://matplotlib_inline.backend_inline")
    monkeypatch.delenv("NNUTILS_GRADING", raising=False)
    monkeypatch.delenv("NNUTILS_HEADLESS", raising=False)
    assert not widgets._is_live()


def test_inline_backend_displays_the_controls(monkeypatch, shown, displayed):
    monkeypatch.setattr(matplotlib, "get_backend",
                        lambda: "module://matplotlib_inline.backend_inline")
    monkeypatch.delenv("NNUTILS_GRADING", raising=False)
    monkeypatch.delenv("NNUTILS_HEADLESS", raising=False)
    explore(Recorder(), SETTINGS, **CONTROLS)
    assert len(displayed) == 1


def test_live_displays_an_interactive_starting_at_the_first_setting(shown, displayed):
    import ipywidgets

    draw = Recorder()
    assert explore(draw, [{"w": 0.5, "b": -1.0, "act": "relu", "grid": True}], live=True,
                   w=(-2.0, 2.0, 0.25), b=(-2, 2, 1), act=["identity", "relu"],
                   grid=False) is None
    (panel,) = displayed
    assert isinstance(panel, ipywidgets.interactive)
    controls = {w.description: w for w in panel.kwargs_widgets}
    assert {name: type(w) for name, w in controls.items()} == {
        "w": ipywidgets.FloatSlider, "b": ipywidgets.IntSlider,
        "act": ipywidgets.Dropdown, "grid": ipywidgets.Checkbox}
    assert {name: w.value for name, w in controls.items()} == {
        "w": 0.5, "b": -1, "act": "relu", "grid": True}
    assert (controls["w"].min, controls["w"].max, controls["w"].step) == (-2.0, 2.0, 0.25)
    assert controls["act"].options == ("identity", "relu")


def test_the_interactive_function_draws_one_panel(shown, displayed):
    draw = Recorder()
    explore(draw, SETTINGS, live=True, **CONTROLS)
    (panel,) = displayed
    static_figure, first_live = shown
    assert draw.calls[-1][1] == SETTINGS[0], "the controls first draw the first setting"
    panel.f(w=1.5, b=0.25)
    fig = shown[-1]
    assert len(shown) == 3 and len(fig.axes) == 1
    assert draw.calls[-1] == (fig.axes[0], {"w": 1.5, "b": 0.25})
    assert fig.axes[0].get_title() == "w = 1.5, b = 0.25"


def test_moving_a_slider_redraws_with_its_value(shown, displayed):
    draw = Recorder()
    explore(draw, SETTINGS, live=True, **CONTROLS)
    (panel,) = displayed
    before = len(draw.calls)
    panel.kwargs_widgets[0].value = -1.5
    assert [setting for _, setting in draw.calls[before:]] == [{"w": -1.5, "b": -1.0}]


@pytest.mark.parametrize("static, controls, message", [
    ([], CONTROLS, "static must be a non-empty list"),
    ({"w": 1.0, "b": 0.0}, CONTROLS, "static must be a non-empty list"),
    ([{"w": 1.0, "b": 0.0}, 0.5], CONTROLS, r"static\[1\] must be a dict"),
    ([{"w": 1.0, "b": 0.0, "lr": 0.1}], CONTROLS, r"static\[0\] sets \['lr'\], which are not"),
    ([{"w": 1.0}], CONTROLS, r"static\[0\] does not set \['b'\]"),
    ([{"w": 3.0, "b": 0.0}], CONTROLS, r"static\[0\]\['w'\] = 3.0 is outside .* \[-2.0, 2.0\]"),
    ([{"act": "tanh"}], {"act": ["relu", "sigmoid"]}, "'tanh' is not one of its dropdown"),
    ([{"grid": "yes"}], {"grid": True}, "'yes' has a checkbox; give True or False"),
])
def test_bad_settings_raise_before_anything_is_drawn(shown, static, controls, message):
    draw = Recorder()
    with pytest.raises(ValueError, match=message):
        explore(draw, static, live=False, **controls)
    assert draw.calls == [] and shown == []
