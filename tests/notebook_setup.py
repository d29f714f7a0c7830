"""The first code cell of every chapter, generated from the repository URL in
`_config.yml`.

In a clone the cell installs the `adam` package from the folder above the notebook; in a
fresh Colab runtime (no clone) it first clones the repository and moves into its
`chapters/`, so that the chapter finds the package and the files it reads (benchmark
results). When `adam` is already importable it does nothing.

For a fork, set the URL once: ``python tests/notebook_setup.py
https://github.com/you/fork`` rewrites `_config.yml` and every chapter's cell;
`tests/test_notebooks.py` checks they agree.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"

TEMPLATE = """\
# Colab and Jupyter: install the book's `adam` package when it is missing.
import importlib.util
import os
import pathlib
import subprocess
import sys

REPOSITORY = "{url}"
if importlib.util.find_spec("adam") is None:
    root = pathlib.Path.cwd()
    if not (root / "pyproject.toml").exists():
        root = root.parent  # a chapter, in chapters/ of a clone
    if not (root / "pyproject.toml").exists():  # not in a clone (Colab): fetch one
        root = pathlib.Path("adam-book").resolve()
        if not root.exists():
            git = ["git", "clone", "--depth", "1", REPOSITORY, str(root)]
            subprocess.run(git, check=True)
        os.chdir(root / "chapters")
    pip = [sys.executable, "-m", "pip", "install", "-q", "-e", f"{{root}}{extras}"]
    subprocess.run(pip, check=True)
    sys.path.insert(0, str(root))  # importable now; after a restart, through pip"""

# Optional dependencies a chapter needs beyond what Colab preinstalls (TensorFlow,
# Keras, NumPy, matplotlib): the extras of pyproject.toml, chosen by what the chapter
# imports.
EXTRAS = {"adam.fused": "fused", "adam.book.sliders": "interactive", "jax": "jax"}


def extras_for(notebook: dict | None) -> str:
    if notebook is None:
        return ""
    code = "".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"
    )
    wanted = sorted({extra for module, extra in EXTRAS.items() if module in code})
    return f"[{','.join(wanted)}]" if wanted else ""


def notebooks() -> list[Path]:
    """The book's notebooks: the chapters, and the introduction when it is a
    notebook."""
    return sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
        ROOT.glob("intro.ipynb")
    )


def repository_url() -> str:
    match = re.search(
        r"^repository:\s*\n\s+url:\s*(\S+)", CONFIG.read_text(), re.MULTILINE
    )
    if not match:
        raise ValueError("_config.yml has no repository: url: entry")
    return match.group(1)


def setup_cell(url: str | None = None, notebook: dict | None = None) -> str:
    """The first cell of `notebook`: the package with the extras that chapter
    imports."""
    return TEMPLATE.format(url=url or repository_url(), extras=extras_for(notebook))


def first_code_cell(notebook: dict) -> dict:
    return next(c for c in notebook["cells"] if c["cell_type"] == "code")


def set_repository(url: str) -> None:
    text = CONFIG.read_text()
    CONFIG.write_text(
        re.sub(
            r"(^repository:\s*\n\s+url:\s*)\S+",
            rf"\g<1>{url}",
            text,
            flags=re.MULTILINE,
        )
    )
    for path in notebooks():
        notebook = json.loads(path.read_text())
        cell = first_code_cell(notebook)
        lines = setup_cell(url, notebook).split("\n")
        cell["source"] = [line + "\n" for line in lines[:-1]] + [lines[-1]]
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].startswith("https://github.com/"):
        sys.exit(
            "usage: python tests/notebook_setup.py https://github.com/OWNER/REPOSITORY"
        )
    set_repository(sys.argv[1].rstrip("/"))
    print(
        f"repository set to {repository_url()} in _config.yml and {len(notebooks())} "
        "notebooks"
    )
