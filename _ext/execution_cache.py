"""The book's execution cache, kept honest and shared by `make test` and `make book`.

Jupyter Book executes each chapter and keeps the executed notebook in a cache
(`_build/.jupyter_cache`), keyed by the notebook's code cells. This module adds two
things:

* **Inputs beyond the notebook.** A chapter's outputs also depend on the package, the
  benchmark results, the pinned environment and the MNIST file. Their fingerprint is
  kept beside the cache; when it changes, the cache is emptied, and Sphinx reads again
  every page it read with other inputs, so the book never shows outputs of older code (a
  Sphinx extension: `setup`).
* **One execution for tests and book.** When nbmake executes a chapter without error
  during `make test`, the executed notebook goes into the same cache (a pytest plugin:
  `pytest_configure`). `make book` right after `make test`, as CI runs them, then shows
  those outputs instead of executing every chapter a second time. A chapter whose code
  or inputs changed in between misses the cache and is executed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"  # where `jupyter-book build .` keeps it
FINGERPRINT_FILE = "inputs.sha256"

#: What the chapters read besides themselves (globs relative to the book's root).
#: (`requirements*.lock`: the lock of every supported Python, whichever one installed
#: the book.)
INPUT_GLOBS = (
    "adam/**/*.py",
    "benchmarks/results/*.json",
    "requirements*.lock",
    "pyproject.toml",
)
#: Environment variables that change what a chapter computes or loads: the data, the
#: backend, the seeds (adam.book.seeds), and the arithmetic of NumPy, OpenBLAS, oneDNN
#: and XLA.
INPUT_VARIABLES = (
    "ADAM_BOOK_MNIST",
    "KERAS_BACKEND",
    "ADAM_BOOK_SEED",
    "NPY_DISABLE_CPU_FEATURES",
    "OPENBLAS_CORETYPE",
    "TF_ENABLE_ONEDNN_OPTS",
    "XLA_FLAGS",
)


def fingerprint(root: Path = ROOT) -> str:
    """SHA-256 of the chapters' inputs: files (path and content), environment, Python
    version."""
    digest = hashlib.sha256(sys.version.encode())
    for pattern in INPUT_GLOBS:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in INPUT_VARIABLES:
        value = os.environ.get(name, "")
        digest.update(f"{name}={value}\0".encode())
        if name == "ADAM_BOOK_MNIST" and value and Path(value).is_file():
            stat = Path(value).stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def refresh(cache: Path = CACHE, root: Path = ROOT) -> bool:
    """Empty `cache` if it was filled from other inputs than the current ones, and
    record the current fingerprint. Returns True when the cache was emptied."""
    current = fingerprint(root)
    stamp = cache / FINGERPRINT_FILE
    recorded = stamp.read_text().strip() if stamp.is_file() else None
    if recorded == current:
        return False
    emptied = cache.exists()
    if emptied:
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    stamp.write_text(current + "\n")
    return emptied


@contextlib.contextmanager
def _locked(cache: Path):
    """One writer at a time (pytest-xdist runs notebooks in several processes)."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache.parent / (cache.name + ".lock"), "w") as lock:
        try:
            import fcntl
        except ImportError:  # not POSIX: no sharing, the book executes itself
            yield False
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def with_outputs(path: Path, executed_notebook):
    """The notebook at `path`, as stored, with the outputs of `executed_notebook`.

    The cache finds a notebook by a hash of its code cells *and their metadata*; an
    executor that records timings in the cells' metadata (nbmake does) would otherwise
    store a notebook that the book's lookup never matches. Returns None when the two do
    not have the same code cells (the file changed while it was executed)."""
    import nbformat

    stored = nbformat.read(str(path), as_version=4)
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    executed = [cell for cell in executed_notebook.cells if cell.cell_type == "code"]
    if [c.source for c in code] != [c.source for c in executed]:
        return None
    for cell, run in zip(code, executed):
        cell.outputs = run.outputs
        cell.execution_count = run.execution_count
    return stored


def store(
    path: Path,
    executed_notebook,
    seconds: float | None = None,
    cache: Path = CACHE,
    root: Path = ROOT,
) -> bool:
    """Put an executed notebook into the book's cache, as the book's own execution
    would. Returns whether it was stored."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    notebook = with_outputs(Path(path), executed_notebook)
    if notebook is None:
        return False
    with _locked(cache) as can_write:
        if not can_write:
            return False
        refresh(cache, root)
        data = {} if seconds is None else {"execution_seconds": seconds}
        get_cache(str(cache)).cache_notebook_bundle(
            CacheBundleIn(notebook, str(Path(path).resolve()), data=data),
            check_validity=False,
            overwrite=True,
        )
    return True


# -- pytest plugin (registered by conftest.py) -----------------------------------------
def pytest_configure(config):
    if not getattr(config.option, "nbmake", False):
        return
    from nbmake.nb_run import NotebookRun

    execute = NotebookRun.execute

    def execute_and_store(self):
        start = time.perf_counter()
        result = execute(self)
        path = Path(self.filename).resolve()
        if result.error is None and (
            path.is_relative_to(ROOT / "chapters") or path == ROOT / "intro.ipynb"
        ):
            store(self.filename, result.nb, seconds=time.perf_counter() - start)
        return result

    NotebookRun.execute = execute_and_store


# -- Sphinx extension (listed in _config.yml) ------------------------------------------
def _cache_path(app) -> Path:
    configured = getattr(app.config, "nb_execution_cache_path", "")
    return (
        Path(configured).resolve()
        if configured
        else Path(app.outdir).parent / ".jupyter_cache"
    )


def _on_config_inited(app, config):
    with _locked(_cache_path(app)):
        refresh(_cache_path(app), Path(app.srcdir))
    app._chapter_inputs = fingerprint(Path(app.srcdir))


def _on_env_get_outdated(app, env, added, changed, removed):
    # Pages read from other inputs may show stale outputs: read them all again. The
    # cache was emptied at the same time (or refilled by nbmake from the current
    # inputs).
    outdated = getattr(env, "chapter_inputs", None) != app._chapter_inputs
    env.chapter_inputs = app._chapter_inputs
    return sorted(env.found_docs - added - changed) if outdated else []


def setup(app):
    app.connect("config-inited", _on_config_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
