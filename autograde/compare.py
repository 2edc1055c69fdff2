"""Tell whether the committed release still matches a fresh one.

Notebooks are compared by what a student gets: each cell's type, source and
metadata (nbgrader's checksums and locks included) and the kernelspec.
Outputs, execution counts, cell ids and viewing state (collapsed, scrolled)
are ignored, so running the released notebook does not make it stale. Other
files must be byte-identical.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograde.layout import cell_label
from autograde.notebook import read

VOLATILE_CELL_METADATA = {"execution", "collapsed", "scrolled", "ExecuteTime", "jupyter"}


def files_under(folder: Path) -> dict[str, Path]:
    """Files under ``folder`` (recursively) by their path relative to it, sorted."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.is_file()}


def cell_content(cell: nbformat.NotebookNode) -> tuple:
    """The parts of a cell that a release fixes: type, source, lasting metadata."""
    metadata = {k: v for k, v in cell.get("metadata", {}).items()
                if k not in VOLATILE_CELL_METADATA}
    return cell.cell_type, cell.source, metadata


def notebook_differences(committed: nbformat.NotebookNode,
                         fresh: nbformat.NotebookNode) -> list[str]:
    """How ``committed`` differs from ``fresh``, first difference first (empty when equal)."""
    problems = []
    kernels = [nb.metadata.get("kernelspec") for nb in (committed, fresh)]
    if kernels[0] != kernels[1]:
        problems.append(f"kernelspec is {kernels[0]}, a fresh release has {kernels[1]}")
    if len(committed.cells) != len(fresh.cells):
        problems.append(f"it has {len(committed.cells)} cells, a fresh release has "
                        f"{len(fresh.cells)}")
    for index, (old, new) in enumerate(zip(committed.cells, fresh.cells)):
        if cell_content(old) != cell_content(new):
            problems.append(f"{cell_label(fresh, index)} differs from a fresh release")
            break
    return problems


def release_differences(committed: Path, fresh: Path) -> dict[str, list[str]]:
    """Per file of either release folder, how the committed one differs from the fresh one.

    Returns
    -------
    dict: relative path -> problems; files that match are left out.
    """
    old, new = files_under(committed), files_under(fresh)
    problems = {rel: ["missing: it was never released"] for rel in new if rel not in old}
    problems.update({rel: ["not produced by a release any more"] for rel in old if rel not in new})
    for rel in sorted(set(old) & set(new)):
        if rel.endswith(".ipynb"):
            found = notebook_differences(read(old[rel]), read(new[rel]))
        else:
            found = [] if old[rel].read_bytes() == new[rel].read_bytes() else ["bytes differ"]
        if found:
            problems[rel] = found
    return problems
