"""nnutils.data.load_text: the shipped text of notebook 06 (Shakespeare's sonnets)."""

import pytest

from nnutils import data
from nnutils.data import load_text


def test_the_sonnets_load_whole_and_unchanged():
    text = load_text()
    assert text == load_text("shakespeare_sonnets")
    assert len(text) == 94004
    sonnets = text.strip("\n").split("\n\n")
    assert len(sonnets) == 154
    assert sonnets[0].splitlines()[0] == "From fairest creatures we desire increase,"
    assert sonnets[-1].splitlines()[-1] == "Love's fire heats water, water cools not love."
    assert sorted(len(s.splitlines()) for s in sonnets)[:2] == [12, 14]   # 126 has 12 lines
    assert len(set(text)) == 61


def test_an_unknown_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown text 'hamlet'.*shakespeare_sonnets"):
        load_text("hamlet")


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "shakespeare_sonnets.txt").write_text("Shall I compare thee\n")
    monkeypatch.setattr(data, "DATASETS_DIR", tmp_path)
    with pytest.raises(ValueError, match="SHA-256 .* the file was changed"):
        load_text()


def test_a_missing_file_says_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATASETS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="git checkout"):
        load_text()
