"""Cheap checks on the chapter notebooks that would otherwise crash or spoil the book build."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def toc_files():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return files


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks in chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_metadata_and_stripped_outputs(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3", "kernelspec must be python3"
    assert nb["metadata"]["language_info"]["name"] == "python"
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# "), \
        "the first cell must be a Markdown '# Title'"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, \
                f"cell {i} has outputs: store notebooks stripped"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_chapter_is_in_the_table_of_contents(path):
    assert f"chapters/{path.stem}" in toc_files()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_first_code_cell_installs_the_package_from_the_configured_repository(path):
    """Colab opens a chapter on its own: its first code cell must fetch the package, from the
    repository `_config.yml` names (set both with `python tests/notebook_setup.py URL`)."""
    from notebook_setup import first_code_cell, setup_cell

    cell = first_code_cell(json.loads(path.read_text()))
    assert "".join(cell["source"]) == setup_cell()
    assert cell["metadata"].get("tags") == ["remove-cell"]


def test_repository_url_is_not_a_placeholder():
    from notebook_setup import repository_url

    url = repository_url()
    assert url.startswith("https://github.com/") and "OWNER" not in url and "<" not in url


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_goals_summary_and_captioned_figures(path):
    """Every chapter opens with what the reader will learn and ends with a summary; every cell
    that draws a figure gives it a caption and a name to refer to it by."""
    cells = json.loads(path.read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "In this chapter" in text or "Learning goals" in text
    assert "## Summary" in text
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "plt.show()" in "".join(cell["source"]):
            figure = cell["metadata"].get("mystnb", {}).get("figure", {})
            assert figure.get("caption") and figure.get("name"), f"cell {i} draws an uncaptioned figure"
