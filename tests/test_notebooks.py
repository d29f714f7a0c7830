"""Cheap checks on the chapter notebooks that would otherwise crash or spoil the book
build."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NOTEBOOKS = CHAPTERS + sorted(
    ROOT.glob("intro.ipynb")
)  # the introduction is a notebook too


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
def test_metadata_and_stripped_outputs(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3", (
        "kernelspec must be python3"
    )
    assert nb["metadata"]["language_info"]["name"] == "python"
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith(
        "# "
    ), "the first cell must be a Markdown '# Title'"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"cell {i} has outputs: store notebooks stripped"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_chapter_is_in_the_toc(path):
    assert str(path.relative_to(ROOT).with_suffix("")) in toc_files() + ["intro"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_first_cell_installs_from_repository(path):
    """Colab opens a chapter on its own: its first code cell must fetch the package,
    from the repository `_config.yml` names (set both with `python
    tests/notebook_setup.py URL`)."""
    from notebook_setup import first_code_cell, setup_cell

    notebook = json.loads(path.read_text())
    cell = first_code_cell(notebook)
    assert "".join(cell["source"]) == setup_cell(notebook=notebook)
    assert cell["metadata"].get("tags") == ["remove-cell"]


def test_repository_url_is_not_a_placeholder():
    from notebook_setup import repository_url

    url = repository_url()
    assert (
        url.startswith("https://github.com/") and "OWNER" not in url and "<" not in url
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_goals_summary_and_captioned_figures(path):
    """Every chapter opens with what the reader will learn and ends with a summary;
    every cell that draws a figure gives it a caption and a name to refer to it by."""
    cells = json.loads(path.read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    # An appendix says what the reader will find in it as a chapter does, in its own
    # words.
    opening = (
        "In this appendix"
        if path.name.startswith(("a1_", "a2_", "a3_"))
        else "In this chapter"
    )
    assert opening in text or "Learning goals" in text, f"no '{opening}' opening"
    assert "## Summary" in text
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "plt.show()" in "".join(cell["source"]):
            figure = cell["metadata"].get("mystnb", {}).get("figure", {})
            assert figure.get("caption") and figure.get("name"), (
                f"cell {i} draws an uncaptioned figure"
            )


# --- What the page shows: teaching code, checks folded away
# -------------------------------- A cell's input is on the page unless it is removed; a
# `hide-input` cell shows only a folded "Show code cell source" button, so its code is
# one click away but out of the reading path.
REMOVED = {"remove-cell", "remove-input"}
FOLDED = {"hide-input", "hide-cell"}
MAX_LINE = 88
MAX_VISIBLE_ASSERTS = 2


def code_cells(path):
    """(index, tags, source) of every code cell after the Colab setup cell."""
    cells = json.loads(path.read_text())["cells"]
    code = [
        (i, set(c["metadata"].get("tags", [])), "".join(c["source"]))
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
    ]
    return code[1:]


def visible(tags):
    return not (tags & REMOVED or tags & FOLDED)


def python_of(source):
    """The cell as Python: IPython's `%magic` and `!shell` lines become blank lines."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_code_lines_fit_the_page(path):
    setup = first_code_cell_source(path)
    for i, _, source in [(0, set(), setup)] + code_cells(path):
        for n, line in enumerate(source.splitlines(), 1):
            assert len(line) <= MAX_LINE, (
                f"cell {i} line {n} has {len(line)} characters (at most {MAX_LINE}): "
                f"{line!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_checks_are_folded_away(path):
    """No `glue(` on the page, and at most two visible asserts, where the assert is the
    lesson."""
    import ast

    asserts = []
    for i, tags, source in code_cells(path):
        if not visible(tags):
            continue
        assert "glue(" not in source, (
            f"cell {i} shows glue(...): fold it (hide-input) or remove it"
        )
        tree = ast.parse(python_of(source))
        asserts += [i for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert len(asserts) <= MAX_VISIBLE_ASSERTS, (
        f"{len(asserts)} visible asserts (cells {sorted(set(asserts))}): fold the "
        "checks (hide-input)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_imports_first_and_copied_page_runs(path):
    """The first visible code cell holds the imports. No visible cell uses a name that
    only a removed cell defines, so the page's code runs when copied in order."""
    import ast

    cells = code_cells(path)
    shown = [(i, source) for i, tags, source in cells if visible(tags)]
    assert shown, "the chapter shows no code"
    first_index, first_source = shown[0]
    first = ast.parse(python_of(first_source))
    assert any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in first.body), (
        f"the first visible code cell ({first_index}) must hold the chapter's imports"
    )
    for i, source in shown[1:]:
        for node in ast.walk(ast.parse(python_of(source))):
            assert not isinstance(node, (ast.Import, ast.ImportFrom)) or _inside_def(
                node, source
            ), (
                f"cell {i} imports {ast.unparse(node)!r}: move it to the first "
                "visible cell"
            )
    hidden_names = set()
    for i, tags, source in cells:
        tree = ast.parse(python_of(source))
        if tags & REMOVED:
            hidden_names |= _bound_names(tree)
        elif visible(tags):
            hidden_names -= _bound_names(tree)
            used = {
                n.id
                for n in ast.walk(tree)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            leaked = used & hidden_names
            assert not leaked, (
                f"cell {i} uses {sorted(leaked)}, defined only in removed cells"
            )


def _inside_def(node, source):
    """Whether an import sits inside a function (a local import a reader can copy as
    is)."""
    import ast

    for outer in ast.walk(ast.parse(python_of(source))):
        if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(getattr(n, "lineno", None) == node.lineno for n in ast.walk(outer)):
                return True
    return False


def _bound_names(tree):
    import ast

    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def first_code_cell_source(path):
    from notebook_setup import first_code_cell

    return "".join(first_code_cell(json.loads(path.read_text()))["source"])


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_chapters_end_with_solved_exercises(path):
    cells = json.loads(path.read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    exercises = text.count("```{exercise}")
    assert exercises >= 1, "the chapter has no exercises"
    assert text.count("```{solution}") == exercises, (
        "every exercise needs a worked solution"
    )
    assert text.rindex("## Exercises") > text.rindex("## Summary"), (
        "the exercises come at the end, after the summary"
    )
