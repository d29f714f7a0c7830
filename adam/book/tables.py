"""`table`: a cell's results as a table that reads in the book, in Jupyter and on a
phone.

A table printed with aligned f-strings wraps into a muddle on a narrow screen and
scrolls sideways on a phone. `table` returns an object that Jupyter, Colab and the built
book show as an HTML table (its columns keep their words whole; a table wider than the
column scrolls in its own box), and that ``print`` shows as aligned text.

    table([("Adam", 0.0312), ("SGD", 0.25)], columns=["optimizer", "loss"],
          formats={"loss": ".3f"})

A number is written with its column's format: a format spec (``".3f"``), ``"sci"`` for
prose's scientific notation (1.2 × 10⁻⁴, see `adam.book.glue.scientific`), or a
function. Without one, integers print whole and other numbers with four significant
digits.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence

from adam.book.glue import scientific

Format = str | Callable[[object], str]


def _write(value, fmt: Format | None) -> str:
    if isinstance(value, str):
        return value
    if fmt is not None and value is not None:
        if callable(fmt):
            return str(fmt(value))
        if fmt == "sci":
            return str(scientific(value))
        return format(value, fmt)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return format(float(value), ".4g")
    return "" if value is None else str(value)


class Table:
    """Rows of results under named columns (see `table`)."""

    def __init__(
        self,
        rows: Iterable[Sequence],
        columns: Sequence[str],
        formats: Mapping[str, Format] | None = None,
    ):
        self.columns = [str(c) for c in columns]
        self.rows = [list(row) for row in rows]
        formats = dict(formats or {})
        unknown = set(formats) - set(self.columns)
        if unknown:
            raise ValueError(
                f"formats names columns the table does not have: "
                f"{sorted(unknown)}; its columns are {self.columns}"
            )
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {i} has {len(row)} values for "
                    f"{len(self.columns)} columns ({self.columns})"
                )
        self.cells = [
            [_write(v, formats.get(c)) for v, c in zip(row, self.columns)]
            for row in self.rows
        ]
        # A column of numbers is aligned on the right, as numbers are in print.
        self.numeric = [
            all(
                isinstance(row[j], numbers.Number) or row[j] is None
                for row in self.rows
            )
            and bool(self.rows)
            for j in range(len(self.columns))
        ]

    def __str__(self) -> str:
        widths = [
            max([len(c)] + [len(row[j]) for row in self.cells])
            for j, c in enumerate(self.columns)
        ]

        def line(cells):
            return "  ".join(
                cell.rjust(w) if num else cell.ljust(w)
                for cell, w, num in zip(cells, widths, self.numeric)
            ).rstrip()

        return "\n".join([line(self.columns)] + [line(row) for row in self.cells])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        def cell(tag, text, num):
            align = ' class="adam-number"' if num else ""
            return f"<{tag}{align}>{html.escape(text)}</{tag}>"

        head = "".join(cell("th", c, n) for c, n in zip(self.columns, self.numeric))
        body = "".join(
            "<tr>"
            + "".join(cell("td", v, n) for v, n in zip(row, self.numeric))
            + "</tr>"
            for row in self.cells
        )
        return (
            f'<table class="adam-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )


def table(
    rows: Iterable[Sequence],
    columns: Sequence[str],
    formats: Mapping[str, Format] | None = None,
) -> Table:
    """Show `rows` (sequences of values) under `columns`; `formats` maps a column's
    name to its number format (a format spec, ``"sci"`` or a function)."""
    return Table(rows, columns, formats)
