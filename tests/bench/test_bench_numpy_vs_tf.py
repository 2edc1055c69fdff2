"""bench/numpy_vs_tf.py: the notebooks' NumPy references against TensorFlow, same answers."""

from __future__ import annotations

import nbformat
import pytest

from .conftest import ROOT, run_script

pytestmark = pytest.mark.slow   # grades or runs whole notebooks: make test only

FLIPPED_CONV2D = '''
def conv2d(image, kernel, bias=0.0, stride=1, padding=0):
    """True convolution (kernel flipped): what tf.nn.conv2d does NOT compute."""
    k = kernel[::-1, ::-1]
    n = image.shape[0] - k.shape[0] + 1
    return np.array([[np.sum(image[i:i + 3, j:j + 3] * k) for j in range(n)]
                     for i in range(n)]) + bias
'''


def solution_notebook(setup: str, solutions: dict[str, str]) -> nbformat.NotebookNode:
    """A notebook in the course layout: a setup cell, then one solution cell per name."""
    def cell(source: str, gid: str, solution: bool) -> nbformat.NotebookNode:
        meta = {"grade": False, "grade_id": gid, "locked": not solution,
                "schema_version": 3, "solution": solution, "task": False}
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell(setup, "setup", False)]
    nb.cells += [cell(source, gid, True) for gid, source in solutions.items()]
    return nb


def write(root, relative: str, nb: nbformat.NotebookNode) -> None:
    path = root / relative
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)


def test_both_sides_agree_on_the_course_notebooks(bench):
    done = run_script("numpy_vs_tf", "--repeats", "1", "--subset", "64", "--conv-batch", "4")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = bench("benchtable").parse_markdown_table(done.stdout)
    has_cnn = (ROOT / "solutions" / "05_cnn" / "05_cnn.ipynb").exists()
    assert [r["TensorFlow side"] for r in rows] == [
        "Keras model.fit", "tf.function GradientTape loop",
        "tf.nn.conv2d, whole batch (NHWC)" if has_cnn else ""]
    timed = rows if has_cnn else rows[:2]
    for row in timed:
        assert row["NumPy side"].startswith(("03 forward/backward", "05 conv2d"))
        assert float(row["NumPy (s)"]) > 0 and float(row["TensorFlow (s)"]) > 0
        assert row["NumPy / TF"].endswith("x") and float(row["NumPy / TF"][:-1]) > 0
        assert row["agree"] == "yes" and float(row["max abs diff"]) < 1e-4, row
    assert "64 digits" in rows[0]["work"] and "first fit" in done.stdout


def test_a_wrong_reference_disagrees_and_a_broken_one_is_skipped(tmp_path, bench):
    write(tmp_path, "solutions/03_backprop/03_backprop.ipynb",
          solution_notebook("raise RuntimeError('setup is broken')", {"forward": "pass"}))
    write(tmp_path, "solutions/05_cnn/05_cnn.ipynb",
          solution_notebook("import numpy as np", {"conv2d": FLIPPED_CONV2D}))
    done = run_script("numpy_vs_tf", "--root", str(tmp_path), "--repeats", "1",
                      "--conv-batch", "3")
    assert done.returncode == 1, done.stderr[-3000:]   # a disagreement fails the benchmark
    mlp, conv = bench("benchtable").parse_markdown_table(done.stdout)
    assert mlp["NumPy side"] == ("skipped: solutions/03_backprop/03_backprop.ipynb does not "
                                 "load: RuntimeError: setup is broken")
    assert conv["agree"] == "NO" and float(conv["max abs diff"]) > 1e-2


def test_missing_notebooks_are_skipped_with_a_message(tmp_path, bench, capsys):
    assert bench("numpy_vs_tf").main(["--root", str(tmp_path)]) == 0
    rows = bench("benchtable").parse_markdown_table(capsys.readouterr().out)
    assert [r["NumPy side"] for r in rows] == [
        f"skipped: solutions/{name}.ipynb not found (not written yet?)"
        for name in ("03_backprop/03_backprop", "05_cnn/05_cnn")]


@pytest.mark.parametrize("args", [["--subset", "8001"], ["--subset", "10"], ["--repeats", "0"],
                                  ["--conv-batch", "0"]])
def test_impossible_settings_are_refused(bench, args):
    with pytest.raises(SystemExit) as exit_info:
        bench("numpy_vs_tf").main(args)
    assert exit_info.value.code == 2
