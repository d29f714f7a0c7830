"""adam.book.tables: one helper for the tables the chapters print."""

import numpy as np
import pytest

from adam.book.tables import table


def test_html_header_and_row_per_result():
    t = table(
        [("Adam", 0.03125), ("SGD", 0.25)],
        ["optimizer", "loss"],
        formats={"loss": ".3f"},
    )
    page = t._repr_html_()
    assert page.count("</th>") == 2 and page.count("<tr>") == 3
    assert "0.031" in page and "0.250" in page


def test_numbers_right_words_left_aligned():
    lines = str(
        table([("Adam", 1), ("AdamW", 100)], ["optimizer", "steps"])
    ).splitlines()
    assert lines == ["optimizer  steps", "Adam           1", "AdamW        100"]
    assert 'class="adam-number"' in table([(1,)], ["n"])._repr_html_()


def test_formats_spec_scientific_and_function():
    t = table(
        [(1.2e-4, 0.5, 3)],
        ["a", "b", "c"],
        formats={"a": "sci", "b": ".0%", "c": lambda n: f"{n} steps"},
    )
    assert t.cells == [["1.2 × 10⁻⁴", "50%", "3 steps"]]


def test_default_formats_and_numpy_values():
    t = table([(np.float32(0.123456), np.int64(7), None)], ["x", "n", "empty"])
    assert t.cells == [["0.1235", "7", ""]]


def test_text_is_escaped_in_html():
    assert "&lt;b&gt;" in table([("<b>",)], ["name"])._repr_html_()


def test_bad_row_and_format_column_named():
    with pytest.raises(ValueError, match="row 1 has 1 values for 2 columns"):
        table([(1, 2), (3,)], ["a", "b"])
    with pytest.raises(ValueError, match="does not have: \\['c'\\]"):
        table([(1, 2)], ["a", "b"], formats={"c": ".2f"})
