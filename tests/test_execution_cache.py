"""_ext/execution_cache.py: the book's execution cache follows the chapters' inputs, and
a notebook executed by nbmake is found there by the book's own lookup."""

import execution_cache
import nbformat
import pytest
from jupyter_cache import get_cache


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A minimal book root with the inputs the fingerprint reads."""
    for name in execution_cache.INPUT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "adam").mkdir()
    (tmp_path / "adam" / "core.py").write_text("STEP = 1\n")
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "benchmarks" / "results" / "run.json").write_text("{}\n")
    (tmp_path / "requirements.lock").write_text("numpy==2.0\n")
    return tmp_path


def test_fingerprint_follows_every_input(book, monkeypatch):
    first = execution_cache.fingerprint(book)
    assert execution_cache.fingerprint(book) == first
    changes = [
        lambda: (book / "adam" / "core.py").write_text("STEP = 2\n"),
        lambda: (book / "adam" / "new.py").write_text(""),
        lambda: (book / "benchmarks" / "results" / "run.json").write_text('{"a": 1}\n'),
        lambda: (book / "requirements.lock").write_text("numpy==2.1\n"),
        lambda: monkeypatch.setenv("ADAM_BOOK_MNIST", str(book / "requirements.lock")),
        lambda: monkeypatch.setenv("KERAS_BACKEND", "jax"),
    ]
    seen = {first}
    for change in changes:
        change()
        now = execution_cache.fingerprint(book)
        assert now not in seen
        seen.add(now)


def test_refresh_drops_stale_entries(book):
    cache = book / "_build" / ".jupyter_cache"
    execution_cache.refresh(cache, book)
    (cache / "executed.ipynb").write_text("{}")
    assert execution_cache.refresh(cache, book) is False  # same inputs: kept
    assert (cache / "executed.ipynb").exists()
    (book / "adam" / "core.py").write_text("STEP = 2\n")
    assert execution_cache.refresh(cache, book) is True  # new inputs: emptied
    assert not (cache / "executed.ipynb").exists()
    assert (
        cache / execution_cache.FINGERPRINT_FILE
    ).read_text().strip() == execution_cache.fingerprint(book)


def test_book_finds_nbmake_execution(book):
    from nbmake.nb_run import NotebookRun

    source = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A chapter"),
            nbformat.v4.new_code_cell("print(6 * 7)"),
        ],
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
        },
    )
    path = book / "chapter.ipynb"
    nbformat.write(source, path)
    result = NotebookRun(path, default_timeout=120).execute()
    assert result.error is None

    # nbmake records timings in each cell's metadata, which the cache's hash includes.
    assert "execution" in result.nb.cells[1].metadata

    cache = book / "_build" / ".jupyter_cache"
    assert execution_cache.store(path, result.nb, seconds=1.5, cache=cache, root=book)
    # What myst-nb does in execute_notebooks: cache mode, with the notebook as stored in
    # git.
    record, merged = get_cache(str(cache)).merge_match_into_notebook(
        nbformat.read(path, 4)
    )
    assert merged.cells[1].outputs[0]["text"] == "42\n"
    assert get_cache(str(cache)).get_cache_record(record).data == {
        "execution_seconds": 1.5
    }


def test_changed_during_run_not_stored(book):
    executed = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = book / "chapter.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 2")]), path
    )
    cache = book / "_build" / ".jupyter_cache"
    assert not execution_cache.store(path, executed, cache=cache, root=book)
    assert not cache.exists() or not get_cache(str(cache)).list_cache_records()
