"""A chapter's paragraph with its numbers, for readers outside the built book.

The book's prose takes its numbers from the cells through MyST roles
(``{glue:text}`name:.2f```) and cites with ``{cite}``; Jupyter and Colab show those
roles as they are written. After every paragraph that quotes a number, a cell that the
book removes calls `paragraph` with the paragraph's cell id: it reads the paragraph from
the chapter's notebook in the clone, puts the values the chapter glued in place of the
roles, turns citations and cross-references into plain text, and displays it as
Markdown. The notebook stays the one source of the text.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path

import adam
from adam.book.glue import glued

ROOT = Path(adam.__file__).resolve().parents[1]

_ROLE = re.compile(r"\{(?P<role>[a-z:]+)\}`(?P<body>[^`]*)`")
_TEXT_AND_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^>]*)>$", re.S)


class MissingNumber(KeyError):
    """A paragraph quotes a value that the chapter has not glued (yet)."""


def notebooks() -> list[Path]:
    return sorted(ROOT.glob("chapters/*.ipynb")) + sorted(ROOT.glob("intro.ipynb"))


@cache
def _cells(path: Path, mtime: float) -> dict:
    cells = json.loads(path.read_text())["cells"]
    return {c["id"]: "".join(c["source"]) for c in cells if "id" in c}


def source(cell_id: str) -> str:
    """The Markdown source of the cell `cell_id`, from the book's notebooks."""
    for path in notebooks():
        cells = _cells(path, path.stat().st_mtime)
        if cell_id in cells:
            return cells[cell_id]
    raise KeyError(f"no cell {cell_id!r} in the book's notebooks under {ROOT.name}/")


@lru_cache(maxsize=1)
def _bibliography() -> dict:
    """Citation key -> "Author et al., year", from references.bib."""
    entries = {}
    path = ROOT / "references.bib"
    text = path.read_text() if path.is_file() else ""
    for match in re.finditer(r"@\w+\{([^,]+),(.*?)\n\}", text, re.S):
        key, body = match.group(1).strip(), match.group(2)
        authors = re.search(r"author\s*=\s*[{\"](.*?)[}\"],?\s*\n", body, re.S)
        year = re.search(r"year\s*=\s*[{\"]?(\d{4})", body)
        names = [
            a.strip() for a in (authors.group(1) if authors else key).split(" and ")
        ]
        last = [
            n.split(",")[0].strip(" {}") if "," in n else n.split()[-1].strip(" {}")
            for n in names
            if n
        ]
        who = (
            (
                last[0]
                if len(last) == 1
                else f"{last[0]} & {last[1]}"
                if len(last) == 2
                else f"{last[0]} et al."
            )
            if last
            else key
        )
        entries[key] = f"{who}, {year.group(1)}" if year else who
    return entries


def _value(body: str, values: dict) -> str:
    name, _, spec = body.partition(":")
    if name not in values:
        raise MissingNumber(
            f"the paragraph quotes {name!r}, which the chapter has not glued"
        )
    value = values[name]
    return format(value, spec) if spec else str(value)


def _plain(role: str, body: str, values: dict) -> str:
    if role.startswith("glue"):
        return _value(body, values)
    if role == "cite":
        books = _bibliography()
        return (
            "("
            + "; ".join(books.get(k.strip(), k.strip()) for k in body.split(","))
            + ")"
        )
    if role == "math":
        return f"${body}$"
    match = _TEXT_AND_TARGET.match(body)
    if match:  # {term}`text <Term>`, {ref}`text <label>`
        return match.group("text")
    if role == "numref":
        return "the figure" if body.startswith("fig") else "the table below"
    if role == "eq":
        return "the equation"
    if role in ("ref", "doc"):
        return "another chapter" if role == "doc" else "another section"
    return body  # {term}`Term`


def render(text: str, values: dict | None = None) -> str:
    """`text` (MyST Markdown) as plain Markdown, with the glued values in place."""
    values = glued if values is None else values
    text = _ROLE.sub(lambda m: _plain(m.group("role"), m.group("body"), values), text)
    lines = []
    for line in text.splitlines():
        fence = re.match(r"^(`{3,}|:{3,})\{(\w+)\}\s*(.*)$", line)
        if fence:  # ```{admonition} Title -> **Title**
            name, argument = fence.group(2), fence.group(3)
            titled = name not in ("exercise", "solution") and argument
            lines.append(f"**{argument if titled else name.capitalize()}**")
        elif re.match(r"^(`{3,}|:{3,})\s*$", line) or re.match(r"^:\w+:", line):
            continue  # a directive's end and its options
        elif re.match(r"^\([\w-]+\)=\s*$", line):
            continue  # a label
        else:
            lines.append(line)
    return "\n".join(lines)


def paragraph(cell_id: str, values: dict | None = None) -> None:
    """Display the Markdown cell `cell_id` with its numbers."""
    text = render(source(cell_id), values)
    try:
        from IPython.display import Markdown, display
    except ImportError:  # not in IPython: print it
        print(text)
    else:
        display(Markdown(text))
