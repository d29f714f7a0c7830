"""The benchmark scripts run and write the result files the chapters read. Structure
only: tests never assert on wall-clock time."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def adam_step(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("adam_step", None)
    import adam_step

    return adam_step


def test_benchmark_writes_rows_bounds_parts(adam_step, tmp_path, capsys):
    out = tmp_path / "adam_step.json"
    adam_step.main(
        ["--n", "300000", "--rounds", "1", "--steps", "1", "--json", str(out)]
    )
    result = json.loads(out.read_text())
    names = [row["implementation"] for row in result["rows"]]
    assert result["reference"] == names[0] and names[0].startswith(
        "NumPy, adam.numpy.Adam"
    )
    assert "NumPy, adam.numpy.Adam (blocked, 1 thread)" in names
    assert "NumPy, readable update (allocates temporaries)" in names
    for row in result["rows"]:
        assert row["median_ms"] > 0 and row["fraction_of_bound"] > 0
        assert row["fraction_of_all_core_bound"] <= row["fraction_of_bound"]
    # The NumPy bound is the best of NumPy's kernels, on one thread and on the step's
    # threads.
    numpy_kernels = {
        k: v for k, v in result["kernel_bandwidth_GBps"].items() if "NumPy" in k
    }
    assert result["bandwidth_GBps"] == pytest.approx(max(numpy_kernels.values()))
    assert any("1 thread" in k for k in numpy_kernels)
    assert "finite-gradient check, adam.numpy.Adam" in result["parts_ms"]
    if not names[0].endswith(
        "(blocked, 1 thread)"
    ):  # threads: their no-lock ceiling too
        assert any(name.endswith("processes") for name in result["parts_ms"])
    for key in ("date", "command", "machine", "n"):
        assert key in result
    assert "bound" in capsys.readouterr().out
