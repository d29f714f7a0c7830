"""pytest, for the whole repository: chapters that nbmake executes without error also go
into the book's execution cache, so that `make book` after `make test` does not run them
again (see _ext/execution_cache.py)."""

pytest_plugins = ["execution_cache"]
