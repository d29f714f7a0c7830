"""External links are listed in one place (the README's "External links") and never
fetched in CI; internal links and cross-references are checked by the book build (`-W
-n`)."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"https?://[^\s)\"'<>`\\]+")


def prose_sources():
    """The book's own text: Markdown pages and the Markdown cells of the chapters."""
    for path in [*ROOT.glob("*.md"), *(ROOT / "chapters").glob("*.md")]:
        if path.name != "README.md":
            yield path.name, path.read_text()
    for path in [
        *sorted((ROOT / "chapters").glob("*.ipynb")),
        *ROOT.glob("intro.ipynb"),
    ]:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                yield path.name, "".join(cell["source"])


def listed_links():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## External links", 1)[1].split("\n## ", 1)[0]
    return set(URL.findall(section))


def test_external_links_listed_in_readme():
    listed = listed_links()
    missing = sorted(
        {
            f"{name}: {url}"
            for name, text in prose_sources()
            for url in URL.findall(text)
            if url.rstrip(".,") not in listed
        }
    )
    assert not missing, "add these to the README's 'External links':\n" + "\n".join(
        missing
    )


def test_linkcheck_never_fetches_in_ci():
    config = (ROOT / "_config.yml").read_text()
    assert "linkcheck_ignore" in config and "'https?://.*'" in config
