"""autograde keeps rfc3987_syntax out (1.4 s per process) and nbformat still validates."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent("""
    import sys, time
    import autograde
    start = time.perf_counter()
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.validate(nb)
    nb.cells[0]["outputs"] = "not a list"
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        print("invalid notebook rejected")
    print("rfc3987_syntax loaded:", sys.modules.get("rfc3987_syntax") is not None)
""")


def test_notebooks_are_validated_without_the_iri_parser():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "invalid notebook rejected" in done.stdout
    assert "rfc3987_syntax loaded: False" in done.stdout
