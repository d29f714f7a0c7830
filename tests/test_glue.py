"""adam.book.glue: numbers handed to the prose, typeset as prose writes them."""

import numpy as np
import pytest

from adam.book import prose
from adam.book.glue import Typeset, glue, glued, scientific


@pytest.mark.parametrize(
    "value, digits, text",
    [
        (1.234e-4, 1, "1.2 × 10⁻⁴"),
        (0.01, 0, "10⁻²"),
        (3e-2, 0, "3 × 10⁻²"),
        (-2.5e7, 1, "−2.5 × 10⁷"),
        (9.96e-5, 1, "1.0 × 10⁻⁴"),
        (5.0, 1, "5.0"),
        (0.0, 1, "0.0"),
    ],
)
def test_scientific_reads_as_prose(value, digits, text):
    assert scientific(value, digits) == text
    assert repr(scientific(value, digits)) == text  # no quotes in the book


def test_number_typeset_outside_the_book():
    glue("test_gap_sci", scientific(0.000123), display=False)
    assert isinstance(glued["test_gap_sci"], Typeset)
    text = prose.render("Adam is {glue:text}`test_gap_sci` away.")
    assert text.strip() == "Adam is 1.2 × 10⁻⁴ away."


def test_glue_hands_over_plain_numbers():
    from adam.book.glue import glue, glued

    glue("a_numpy_float", np.float64(1.5), display=False)
    glue("a_numpy_int", np.int64(3), display=False)
    assert type(glued["a_numpy_float"]) is float and type(glued["a_numpy_int"]) is int
