"""Show the package's own code in a chapter, so that the book never holds a second
copy."""

from __future__ import annotations

import inspect
import textwrap


def show_source(obj):
    """The source of a function or class of the package, highlighted in Jupyter and the
    book."""
    from IPython.display import Code

    return Code(textwrap.dedent(inspect.getsource(obj)), language="python")
