"""adam.experiments.memory: optimizer state and training bytes, read from Keras's
variables.

Run on JAX with 8 virtual CPU devices, as the chapter runs, in a subprocess (the test
session has already imported Keras on its own backend). One subprocess measures
everything; the tests check the arithmetic of each optimizer against what its source
code keeps.
"""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("jax")

SCRIPT = r"""
import json
from adam.experiments import memory
from adam.experiments.quickstart import build_model
states = memory.compare_optimizers(build_model)
out = {"n": states["Adam"].parameters,
       "states": {k: [s.slots, s.scalars, s.per_parameter] for k, s in states.items()},
       "factored": memory.factored_second_moment_bytes(build_model()),
       "training": {}}
for policy in ("float32", "mixed_bfloat16", "bfloat16"):
    t = memory.training_bytes(build_model, policy)
    out["training"][policy] = [t.per_parameter(), t.variable_dtype, t.compute_dtype]
print("RESULT" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def measured():
    env = dict(
        os.environ,
        KERAS_BACKEND="jax",
        TF_CPP_MIN_LOG_LEVEL="2",
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


# The quickstart model: Dense(784 -> 128) and Dense(128 -> 10), with biases.
N = 784 * 128 + 128 + 128 * 10 + 10
MATRICES, VECTORS = 784 * 128 + 128 * 10, 128 + 10


def test_parameter_count(measured):
    assert measured["n"] == N


@pytest.mark.parametrize(
    "name, slots",
    [
        ("Momentum", 4 * N),  # one float32 velocity per weight
        ("Adam", 8 * N),
        ("AdamW", 8 * N),
        ("adam.keras.Adam", 8 * N),  # m and v
        ("AMSGrad", 12 * N),  # and the running maximum of v
        ("Lion", 4 * N),  # one momentum
        ("Schedule-Free AdamW", 8 * N),  # z (called momentum) and v
        # Muon: a momentum for every weight, and AdamW's velocity for the non-matrices
        ("Muon", 4 * N + 4 * VECTORS),
        # Keras's Adafactor: row and column statistics for each matrix AND a full-size v
        ("Adafactor", 4 * N + 4 * (784 + 128 + 128 + 10)),
    ],
)
def test_slot_bytes_match_each_optimizer(measured, name, slots):
    assert measured["states"][name][0] == slots


def test_scalars_are_step_and_lr(measured):
    # int32 iterations and float32 learning rate on JAX; Adafactor adds 0-d placeholders
    for name, (_, scalars, _) in measured["states"].items():
        assert scalars == (24 if name == "Adafactor" else 8), name


def test_factored_second_moment_is_tiny(measured):
    assert measured["factored"] == 4 * (784 + 128 + 128 + 10) + 4 * VECTORS
    assert measured["factored"] < 0.01 * 8 * N


def test_training_bytes_per_parameter(measured):
    t = measured["training"]
    # float32 and Keras's mixed policy store the same bytes: float32 variables (the
    # master copy), float32 gradients, two float32 moments; only the computation is
    # 16-bit.
    for policy in ("float32", "mixed_bfloat16"):
        per, variable_dtype, _ = t[policy]
        assert variable_dtype == "float32"
        assert (per["weights"], per["gradients"]) == (4, 4)
        assert per["total"] == pytest.approx(16, abs=1e-3)
    assert t["mixed_bfloat16"][2] == "bfloat16"
    per, variable_dtype, compute_dtype = t["bfloat16"]
    assert (variable_dtype, compute_dtype) == ("bfloat16", "bfloat16")
    assert per["total"] == pytest.approx(8, abs=1e-3)
