"""`glue`: hand a value computed in a chapter to its text, in the built book and elsewhere.

When the book is built, MyST-NB's `glue` stores the value for ``{glue:text}`` roles in the
prose. In a plain Jupyter or Colab session without MyST-NB the prose is not rendered from the
notebook, so the value is only kept here (`glued`) and, unless ``display=False``, shown.
"""
from __future__ import annotations

import numpy as np

try:
    from myst_nb import glue as _myst_glue
except ImportError:          # Colab and plain Jupyter: no book to feed
    _myst_glue = None

#: Every value glued in this session, by name (useful for checking a chapter's numbers).
glued: dict = {}


def glue(name: str, value, display: bool = True) -> None:
    # NumPy scalars print as "np.float64(1.5)" under NumPy 2, which the book's format specs
    # ({glue:text}`name:.2f`) cannot parse: hand over the plain Python number.
    if isinstance(value, np.generic):
        value = value.item()
    glued[name] = value
    if _myst_glue is not None:
        _myst_glue(name, value, display=display)
    elif display:
        from IPython.display import display as show
        show(value)
