"""The appendices number their figures and exercises on their own
(_ext/appendix_numbers.py)."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from appendix_numbers import renumber  # noqa: E402


def test_appendix_counts_from_1_after_prefix():
    # As Sphinx numbers an unnumbered part: one count over all its pages.
    numbers = {
        "ch": {"figure": {"f1": (1, 1)}},
        "a1": {"figure": {"x": (1,), "y": (2,)}},
        "a2": {"figure": {"z": (3,)}, "exercise": {"e1": (4,), "e2": (5,)}},
    }
    changed = renumber(numbers, {"a1": "A1", "a2": "A2", "a3": "A3"})
    assert changed == ["a1", "a2"]
    assert numbers["ch"] == {"figure": {"f1": (1, 1)}}  # chapters untouched
    assert numbers["a1"] == {"figure": {"x": ("A1", 1), "y": ("A1", 2)}}
    assert numbers["a2"] == {
        "figure": {"z": ("A2", 1)},
        "exercise": {"e1": ("A2", 1), "e2": ("A2", 2)},
    }
    assert "a3" not in numbers  # no numbered items
    assert renumber(numbers, {"a1": "A1", "a2": "A2"}) == []  # already so


PAGE = """{title}
{underline}

.. figure:: dot.png
   :name: fig-{name}

   A caption.

.. exercise::
   :label: ex-{name}

   Do it.

See :numref:`fig-{name}` and :numref:`ex-{name}`.
"""


def test_built_book_shows_appendix_numbers(tmp_path):
    """A tiny book: a numbered chapter and two unnumbered appendices, built to HTML."""
    sphinx = pytest.importorskip("sphinx.application")
    pytest.importorskip("sphinx_exercise")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys; sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['sphinx_exercise', 'appendix_numbers']\n"
        "numfig = True\n"
        "appendix_numbers = {'a1': 'A1', 'a2': 'A2'}\n"
    )
    (src / "index.rst").write_text(
        "Book\n====\n\n.. toctree::\n   :numbered:\n\n   ch\n\n"
        ".. toctree::\n   :caption: Appendix\n\n   a1\n   a2\n"
    )
    (src / "dot.png").write_bytes(b"")
    for name, title in (
        ("ch", "Chapter"),
        ("a1", "First appendix"),
        ("a2", "Second appendix"),
    ):
        (src / f"{name}.rst").write_text(
            PAGE.format(title=title, underline="=" * len(title), name=name)
        )
    app = sphinx.Sphinx(
        str(src),
        str(src),
        str(tmp_path / "html"),
        str(tmp_path / "doctrees"),
        "html",
        status=None,
        warning=None,
        freshenv=True,
    )
    app.build()
    html = {
        name: (tmp_path / "html" / f"{name}.html").read_text()
        for name in ("ch", "a1", "a2")
    }
    assert "Fig. 1.1" in html["ch"] and "Exercise 1.1" in html["ch"]
    for prefix, page in (("A1", html["a1"]), ("A2", html["a2"])):
        assert f"Fig. {prefix}.1" in page  # the caption and the {numref}
        assert f"Exercise {prefix}.1" in page
    assert "Fig. 2" not in html["a2"] and "Exercise 2" not in html["a2"]
