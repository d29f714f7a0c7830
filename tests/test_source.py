"""adam.book.source: a chapter shows the package's own code."""

import inspect

from adam.book.source import show_source
from adam.numpy.fast import adam_block


def test_shows_the_code_itself():
    shown = show_source(adam_block)
    assert shown.data == inspect.getsource(adam_block)
    assert shown.language == "python"
