"""The benchmark results the chapters read, found through the package, not the working
directory: a notebook finds them wherever its kernel started (after a restart in Colab,
too).

The files live in the repository's `benchmarks/results/`, beside the package, which is
where an editable install or a clone leaves them.
"""

from __future__ import annotations

import json
from pathlib import Path

import adam

#: `benchmarks/results/` of the repository that holds this package.
RESULTS = Path(adam.__file__).resolve().parents[1] / "benchmarks" / "results"


class MissingResults(FileNotFoundError):
    """A results file the chapter reads is not there."""


def results_path(name: str) -> Path:
    """The path of results file `name`; `MissingResults` says where it looked when it is
    absent."""
    path = RESULTS / name
    if not path.is_file():
        raise MissingResults(
            f"no results file {name!r} in benchmarks/results/ beside the adam package "
            f"(the package must come from a clone of the book's repository); "
            f"its benchmark script in benchmarks/ writes it"
        )
    return path


def load_results(name: str) -> dict:
    """The JSON results file `name`, read."""
    return json.loads(results_path(name).read_text())


def find_results(pattern: str) -> list[Path]:
    """Results files matching `pattern` (a glob), sorted; [] when there are none."""
    return sorted(RESULTS.glob(pattern))
