"""Mutation results cached by content, and what the key depends on besides the notebook.

A key hashes the mutant's code, the setup cell, the other solution cells, the
exercise's test cells and the sources of ``nnutils`` and of the grading engine
(:func:`harness_digest`), so a re-run only executes what changed.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from autograde.mutation.generate import digest
from autograde.mutation.pool import CRASHED, Outcome

ENGINE_VERSION = "2"   # 2: mutants run through the grader's Judge
CACHE_DIR = "build/mutation-cache"


def _sources_digest(folder: Path) -> str:
    files = sorted(folder.rglob("*.py"))
    return digest(*(f"{f.relative_to(folder)}\n{f.read_text(encoding='utf-8')}" for f in files))


def harness_digest() -> str:
    """Hash of the code every mutant's run depends on besides the notebook: nnutils and the
    grading engine."""
    spec = importlib.util.find_spec("nnutils")
    nnutils_dir = Path(next(iter(spec.submodule_search_locations)))
    grading_dir = Path(importlib.util.find_spec("autograde.grading").origin).parent
    notebook_py = Path(importlib.util.find_spec("autograde.notebook").origin)
    return digest(ENGINE_VERSION, _sources_digest(nnutils_dir), _sources_digest(grading_dir),
                   notebook_py.read_text(encoding="utf-8"))


class Cache:
    """Outcomes stored as JSON files named by their key; ``folder`` None disables it."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Outcome | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return Outcome(data["status"], data["detail"], float(data["seconds"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, outcome: Outcome) -> None:
        if self.folder is None or outcome.status == CRASHED:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(outcome.__dict__), encoding="utf-8")
        os.replace(tmp, path)
