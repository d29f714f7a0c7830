"""Every chapter's first cell, run as in a fresh Colab runtime and again after a
restart.

A runtime here is a new virtual environment that sees the packages Colab preinstalls
(those of this project's environment: NumPy, matplotlib, TensorFlow, ...) but not the
`adam` package, an empty working folder (Colab's /content), and the chapter's setup cell
with its REPOSITORY pointed at a local clone. The cell must clone, install and make
`adam` importable; then every module the chapter imports must import. After a restart (a
new process in the same runtime, back in the empty folder, the package installed) the
setup cell must do nothing and the imports and the benchmark results must still be
found.

One fresh runtime per kind of setup cell (they differ only in the extras they install),
then every chapter's imports in it: the cell is the same template everywhere
(tests/notebook_setup.py).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from notebook_setup import notebooks, setup_cell

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def imports_of(notebook: dict) -> str:
    """Every top-level import statement of the chapter's code cells after the setup
    cell."""
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"][1:]
    lines = []
    for cell in code:
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line
            for line in "".join(cell["source"]).splitlines()
        )
        for node in ast.parse(source).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                lines.append(ast.unparse(node))
    return "\n".join(dict.fromkeys(lines))


def runtime_script(chapters: list[tuple[str, str, str]], fresh: bool) -> str:
    """Python that runs, per chapter, its setup cell and then its imports, from
    /content."""
    parts = ["import os, sys, importlib", "content = os.getcwd()"]
    for name, cell, imports in chapters:
        parts.append(f"# --- {name}")
        parts.append("os.chdir(content)")
        parts.append(cell)
        if not fresh:
            parts.append(
                f"assert os.getcwd() == content, '{name}: the cell moved after a "
                "restart'"
            )
        parts.append("importlib.invalidate_caches()")
        parts.append(imports)
        parts.append("from adam.book.results import RESULTS")
        parts.append(f"assert RESULTS.is_dir(), '{name}: no benchmarks/results'")
        parts.append(f"print('ok', {name!r})")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """A local clone standing in for GitHub, and a factory of bare runtimes."""
    base = tmp_path_factory.mktemp("colab")
    clone = base / "origin"
    subprocess.run(
        ["git", "clone", "-q", "--no-local", str(ROOT), str(clone)], check=True
    )
    return {"base": base, "clone": clone}


def new_runtime(colab, name: str) -> Path:
    """A bare runtime: a venv that sees this environment's packages, except `adam`."""
    venv = colab["base"] / name
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [
                str(python),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # A plain path entry: the packages of this environment, without the editable `adam`
    # (its finder is only loaded by a .pth file inside a site directory).
    (site / "preinstalled.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


def run_in(colab, python: Path, content: Path, script: str):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        HOME=str(colab["base"] / "home"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        TF_ENABLE_ONEDNN_OPTS="0",
        MPLBACKEND="Agg",
    )
    return subprocess.run(
        [str(python), "-c", script],
        cwd=content,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_install_fresh_and_after_restart(colab):
    url = colab["clone"].as_uri()
    chapters = []
    for path in notebooks():
        notebook = json.loads(path.read_text())
        cell = setup_cell(url, notebook)
        chapters.append((path.name, cell, imports_of(notebook)))
    kinds = {}
    for chapter in chapters:
        kinds.setdefault(chapter[1], []).append(chapter)
    for n, (_cell, group) in enumerate(kinds.items()):
        python = new_runtime(colab, f"runtime{n}")  # a fresh runtime per kind of cell
        content = colab["base"] / f"content{n}"
        content.mkdir()
        fresh = run_in(colab, python, content, runtime_script(group, fresh=True))
        assert fresh.returncode == 0, (
            f"fresh runtime:\n{fresh.stdout}\n{fresh.stderr[-3000:]}"
        )
        assert (content / "adam-book" / "pyproject.toml").exists(), (
            "the cell did not clone"
        )
        restarted = run_in(colab, python, content, runtime_script(group, fresh=False))
        assert restarted.returncode == 0, (
            f"after a restart:\n{restarted.stdout}\n{restarted.stderr[-3000:]}"
        )
        assert restarted.stdout.count("ok ") == len(group)
