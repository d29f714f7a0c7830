"""What the executed chapters print, as the built book shows it: lines that fit the page
and nothing about the machine that built the book.

Reads the notebooks the book executed (`_build/jupyter_execute/`), so it runs after
`make book` (`make browser-test` and `.ci/run` run it); without a built book it is
skipped, or fails in CI.
"""

import getpass
import json
import os
import re
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "jupyter_execute"
MAX_LINE = 88
RICH = ("text/html", "text/markdown", "text/latex", "image/png", "image/svg+xml")

if not any(EXECUTED.rglob("*.ipynb")):
    reason = "no executed notebooks in _build/jupyter_execute (run make book first)"
    if os.environ.get("ADAM_BOOK_REQUIRE_BROWSER"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

NOTEBOOKS = sorted(EXECUTED.rglob("*.ipynb"))


def machine_patterns():
    """Paths, and this machine's user and host names where they cannot be ordinary
    words."""
    patterns = [
        r"(?<![\w.])/(?:home|root|tmp|usr|work|opt|var|Users)/",
        r"site-packages",
        r"\.venv\b",
        r"[A-Za-z]:\\\\",
        re.escape(str(ROOT)),
    ]
    for name in {socket.gethostname(), getpass.getuser()}:
        if len(name) >= 6:
            patterns.append(rf"\b{re.escape(name)}\b")
    return re.compile("|".join(patterns))


def shown_text(output):
    """The text a reader sees for one output: streams, and plain text with no richer
    form."""
    if output["output_type"] == "stream":
        return "".join(output["text"])
    data = output.get("data", {})
    html = "".join(data.get("text/html", ""))
    if (
        "text/plain" in data and 'class="highlight"' in html
    ):  # code shown by show_source
        return "".join(data["text/plain"])
    if "text/plain" in data and not any(kind in data for kind in RICH):
        return "".join(data["text/plain"])
    return ""


def all_text(output):
    if output["output_type"] == "stream":
        return "".join(output["text"])
    return "".join(
        "".join(v) if isinstance(v, list) else str(v)
        for k, v in output.get("data", {}).items()
        if k.startswith("text/")
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_printed_lines_fit_the_page(path):
    cells = json.loads(path.read_text())["cells"]
    for i, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            for line in shown_text(output).splitlines():
                assert len(line) <= MAX_LINE, (
                    f"cell {i} prints a line of {len(line)} characters: {line[:100]!r}"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_outputs_say_nothing_about_the_machine(path):
    pattern = machine_patterns()
    cells = json.loads(path.read_text())["cells"]
    for i, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            found = pattern.search(all_text(output))
            assert not found, (
                f"cell {i} shows {found.group(0)!r}: {all_text(output)[:200]!r}"
            )
