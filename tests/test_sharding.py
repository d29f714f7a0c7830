"""adam.experiments.sharding: Adam's state replicated or sharded (ZeRO stage 1) over 8
virtual CPU devices, with Keras on JAX.

Each check runs in a fresh process: JAX must see XLA_FLAGS before it starts, and Keras
must see KERAS_BACKEND=jax before it is imported (this test session imports Keras on its
default backend).
"""

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")

ENV = dict(
    os.environ,
    KERAS_BACKEND="jax",
    TF_CPP_MIN_LOG_LEVEL="2",
    XLA_FLAGS="--xla_force_host_platform_device_count=8",
)


def run(script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


TRAIN = """
    import jax, keras, numpy as np
    import adam.keras
    from adam.experiments import sharding as S

    assert len(S.training_devices()) == 8
    rng = np.random.default_rng(0)
    x = rng.random((2560, 784), dtype=np.float32)
    y = rng.integers(0, 10, 2560).astype(np.int32)
    runs = {layout: S.train(layout, x, y, steps=10) for layout in S.LAYOUTS}
    single, replicated, sharded = (runs[k] for k in S.LAYOUTS)

    # 784*128 + 128 + 128*10 + 10 parameters, two float32 moments each, and two
    # 4-byte scalars (the step counter and the learning rate).
    params = 784 * 128 + 128 + 128 * 10 + 10
    total = 2 * 4 * params + 8
    assert single.total_state_bytes == replicated.total_state_bytes == total
    assert list(single.bytes_per_device.values()) == [total]
    assert len(replicated.bytes_per_device) == 8
    assert set(replicated.bytes_per_device.values()) == {total}
    # Sharded: 1/8 of every moment whose first axis divides by 8; the moments of the
    # 10-output bias and the two scalars stay whole on every device.
    kept = 2 * 4 * 10 + 8
    per_device = (total - kept) // 8 + kept
    assert len(sharded.bytes_per_device) == 8
    assert set(sharded.bytes_per_device.values()) == {per_device}
    assert sharded.expected_bytes == per_device
    assert replicated.expected_bytes == total

    # The same training: equal to one device within float32 rounding, as close as the
    # same batches summed in another order on one device.
    reordered = S.train("single", *S.reorder_within_batches(x, y), steps=10)
    rounding = S.largest_difference(reordered, single)
    assert 0 < rounding < 1e-3, rounding
    for run in (replicated, sharded):
        gap = S.largest_difference(run, single)
        assert gap <= 2 * rounding, (gap, rounding)
        assert np.allclose(run.losses, single.losses, rtol=1e-5)
    assert single.losses[-1] < single.losses[0]

    # The communication the compiler added: none on one device; the gradients summed
    # over the devices; with split state, also the updated slices of the weights
    # gathered (JAX 0.10 on CPU: one per split weight; the 10-output bias is updated
    # everywhere).
    assert not any(single.collectives.values())
    assert replicated.collectives["all-reduce"] >= 1
    assert replicated.collectives["all-gather"] == 0
    assert sharded.collectives["all-gather"] >= 1, sharded.collectives

    # Keras's own Adam has the same variables, sharded the same way.
    keras_adam = S.train("sharded", x, y, steps=3,
                         optimizer=keras.optimizers.Adam(1e-3))
    assert set(keras_adam.bytes_per_device.values()) == {per_device}
    print("ok", rounding)
"""


def test_replicated_vs_sharded_bytes_weights():
    assert run(TRAIN).startswith("ok")


UNITS = """
    import numpy as np, pytest
    from jax.sharding import PartitionSpec
    from adam.experiments import sharding as S

    mesh = S.device_mesh("sharded")
    assert mesh.shape["data"] == 8 and S.device_mesh("single").shape["data"] == 1
    assert S.state_sharding((784, 128), mesh, "sharded").spec == PartitionSpec("data")
    assert S.state_sharding((128,), mesh, "sharded").spec == PartitionSpec("data")
    for shape in [(10,), (), (12, 8)]:              # 10 and 12 do not divide by 8
        assert S.state_sharding(shape, mesh, "sharded").spec == PartitionSpec()
    assert S.state_sharding((784, 128), mesh, "replicated").spec == PartitionSpec()
    with pytest.raises(ValueError, match="layout"):
        S.device_mesh("zero3")
    x, y = np.zeros((100, 784), np.float32), np.zeros(100, np.int32)
    with pytest.raises(ValueError, match="rows"):
        S.train("single", x, y, steps=1, batch=256)
    a, b = S.reorder_within_batches(np.arange(512), np.arange(512))
    assert (a == b).all() and (np.sort(a[:256]) == np.arange(256)).all()
    assert (a != np.arange(512)).any()
    print("ok")
"""


def test_layouts_and_helpers():
    assert run(UNITS).startswith("ok")
