"""The headless matplotlib backend: plots as under Agg, closed by plt.show() as in JupyterLab."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from autograde.config import HEADLESS_MPLBACKEND

PLOTS = textwrap.dedent("""
    import warnings
    import matplotlib.pyplot as plt
    warnings.simplefilter("error")               # matplotlib's 20-figure warning would raise
    for _ in range(25):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        plt.show()
    kept, ax = plt.subplots()
    kept.savefig({png!r})
    print("open after show:", len(plt.get_fignums()) - 1)
""")


def run(backend: str, png: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND=backend)
    return subprocess.run([sys.executable, "-c", PLOTS.format(png=png)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_show_closes_figures_and_savefig_still_works(tmp_path):
    done = run(HEADLESS_MPLBACKEND, str(tmp_path / "kept.png"))
    assert done.returncode == 0, done.stderr
    assert "open after show: 0" in done.stdout
    assert (tmp_path / "kept.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plain_agg_is_what_it_fixes(tmp_path):
    done = run("Agg", str(tmp_path / "kept.png"))
    assert done.returncode != 0 and "More than 20 figures" in done.stderr
