"""`glue`: hand a value computed in a chapter to its text, in the built book and
elsewhere.

When the book is built, MyST-NB's `glue` stores the value for ``{glue:text}`` roles in
the prose. In a plain Jupyter or Colab session without MyST-NB the prose is not rendered
from the notebook, so the value is only kept here (`glued`) and, unless
``display=False``, shown.
"""

from __future__ import annotations

import numpy as np

try:
    from myst_nb import glue as _myst_glue
except ImportError:  # Colab and plain Jupyter: no book to feed
    _myst_glue = None

#: Every value glued in this session, by name (useful for checking a chapter's numbers).
glued: dict = {}


def glue(name: str, value, display: bool = True) -> None:
    # NumPy scalars print as "np.float64(1.5)" under NumPy 2, which the book's format
    # specs ({glue:text}`name:.2f`) cannot parse: hand over the plain Python number.
    if isinstance(value, np.generic):
        value = value.item()
    glued[name] = value
    if _myst_glue is not None:
        _myst_glue(name, value, display=display)
    elif display:
        from IPython.display import display as show

        show(value)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class Typeset(str):
    """Text to glue as it is: its representation is itself, without quotes, so that
    ``{glue:text}`name``` (no format) shows it in the book as in `adam.book.prose`."""

    def __repr__(self) -> str:
        return str(self)


def scientific(value: float, digits: int = 1) -> Typeset:
    """`value` as prose writes it, with `digits` decimals: 1.2 × 10⁻⁴, 10⁻² (not
    1.2e-04).

    Glue the result and quote it with ``{glue:text}`name``` (no format spec)."""
    value = float(value)
    if value == 0 or not np.isfinite(value):
        return Typeset(f"{value:.{digits}f}" if value == 0 else str(value))
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    if int(exponent) == 0:
        return Typeset(mantissa)
    if float(mantissa) in (1.0, -1.0) and digits == 0:
        return Typeset(("−" if value < 0 else "") + power)
    return Typeset(f"{mantissa.replace('-', '−')} × {power}")
