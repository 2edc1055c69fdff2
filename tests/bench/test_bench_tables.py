"""bench/benchtable.py: the markdown tables every benchmark prints and the tests read back."""

import pytest


def test_table_round_trips_cells_with_pipes_and_newlines(bench):
    tables = bench("benchtable")
    text = tables.markdown_table(["name", "a|b"], [["x | y", 1.5], ["two\nlines", ""]])
    assert text.splitlines()[1] == "|---|---|"
    assert tables.parse_markdown_table("before\n\n" + text + "\n\nafter") == [
        {"name": "x | y", "a|b": "1.5"}, {"name": "two lines", "a|b": ""}]


def test_row_with_wrong_number_of_cells_is_refused(bench):
    tables = bench("benchtable")
    with pytest.raises(ValueError, match="has 1 cells, expected 2"):
        tables.markdown_table(["a", "b"], [["only one"]])
    with pytest.raises(ValueError, match="expected 2"):
        tables.parse_markdown_table("| a | b |\n|---|---|\n| 1 | 2 | 3 |")


def test_text_without_table_is_refused(bench):
    with pytest.raises(ValueError, match="no markdown table"):
        bench("benchtable").parse_markdown_table("| not a table, no rule line |")
