"""The successors benchmark runs on a tiny grid and writes the file the chapter reads;
the summary picks each optimizer's best learning rate. Structure only, no timing.

The script runs Keras on JAX, so it runs in a subprocess (this test session may have
imported Keras on another backend)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from adam.experiments import successors

ROOT = Path(__file__).resolve().parents[1]


def test_grids_half_decades_from_tenth():
    assert successors.grid("Adam") == [1e-4, 3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2]
    assert successors.grid("Lion", 3) == [1e-5, 3.16e-5, 1e-4]
    assert set(successors.CENTRES) == set(successors.NAMES)


def test_best_rate_lowest_loss_diverged_lose():
    rows = [
        {
            "problem": "p",
            "optimizer": "o",
            "learning_rate": lr,
            "seed": s,
            "val_loss": v,
            "test_loss": v,
            "test_accuracy": 0.5,
        }
        for lr, s, v in [
            (1.0, 0, 0.3),
            (1.0, 1, 0.5),
            (2.0, 0, 0.35),
            (2.0, 1, 0.36),
            (3.0, 0, None),
            (3.0, 1, 0.1),
        ]
    ]
    assert successors.best_rates(rows) == {("p", "o"): 2.0}
    (summary,) = successors.summarize(rows)
    assert summary["best_learning_rate"] == 2.0 and not summary["at_grid_edge"]
    assert summary["test_loss_min"] == 0.35 and summary["diverged_runs"] == 1


def test_script_writes_each_optimizer_problem(tmp_path):
    out = tmp_path / "successors.json"
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "successors.py"),
            "--seeds",
            "1",
            "--points",
            "2",
            "--steps",
            "10",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    for key in ("date", "command", "machine", "data", "problems", "grids", "seconds"):
        assert key in result
    assert result["backend"] == "jax" and result["machine"]["jax"]
    pairs = {(r["problem"], r["optimizer"]) for r in result["rows"]}
    assert pairs == {(p, n) for p in successors.PROBLEMS for n in successors.NAMES}
    assert len(result["rows"]) == 2 * len(pairs)
    assert len(result["summary"]) == len(pairs)
    for row in result["rows"]:
        assert row["steps"] == 10 and len(row["train_loss_curve"]) == 0
        assert row["test_accuracy"] is None or 0 <= row["test_accuracy"] <= 1
