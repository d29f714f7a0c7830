"""adam.tensorflow against bad or unusual input: bfloat16 moments, the step count,
replica contexts of tf.distribute, and Keras's (gradient, variable) pairs (more in
test_tensorflow_safety.py)."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import adam.tensorflow  # noqa: E402
from adam.experiments.agreement import run_numpy  # noqa: E402
from adam.numpy import Adam as NumpyAdam  # noqa: E402


def state(opt):
    arrays = opt.first_moments + opt.second_moments + opt.variables
    return [tf.cast(a, tf.float64).numpy() for a in arrays] + [int(opt.iterations)]


def assert_same(a, b):
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def shrinking_gradients(steps=1200, size=64, seed=0):
    """Gradients of scale 0.9 for 200 steps, then 0.18: a loss that starts to fall."""
    grads = np.random.default_rng(seed).normal(0.0, 0.18, size=(steps, size))
    grads[:200] *= 5
    return grads


def exact_second_moment(grads, beta_2=0.999):
    v = np.zeros(grads.shape[1])
    for g in grads:
        v = beta_2 * v + (1 - beta_2) * g * g
    return v


def test_bfloat16_second_moment_does_not_stall():
    """In bfloat16, 0.999 * v rounds back to v: once gradients shrink, v stalls (here at
    2.1x the exact value, so steps are 0.7x as large). In float32 it follows it."""
    grads = shrinking_gradients()
    w = tf.Variable(tf.zeros(64, tf.bfloat16))
    opt = adam.tensorflow.Adam([w], learning_rate=1e-3)
    for g in grads:
        opt.apply_gradients([tf.constant(g, tf.bfloat16)])
    assert opt.second_moments[0].dtype == tf.float32 == opt.first_moments[0].dtype
    rounded = grads.astype(tf.bfloat16.as_numpy_dtype).astype(np.float64)
    exact = exact_second_moment(rounded)
    ratio = opt.second_moments[0].numpy().mean() / exact.mean()
    assert abs(ratio - 1) < 0.01, ratio


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_other_dtypes_keep_own_moments(dtype):
    opt = adam.tensorflow.Adam([tf.Variable(tf.zeros(3, dtype))], amsgrad=True)
    arrays = opt.first_moments + opt.second_moments + opt.max_second_moments
    assert {a.dtype for a in arrays} == {dtype}


@pytest.mark.parametrize(
    "value, error",
    [(1.5, ValueError), (-3, ValueError), (True, TypeError), ("2", TypeError)],
)
def test_iterations_non_negative_int(value, error):
    w = tf.Variable([1.0, 2.0])
    opt = adam.tensorflow.Adam([w], learning_rate=0.1)
    opt.apply_gradients([tf.constant([0.5, 0.5])])
    before = state(opt)
    with pytest.raises(error, match="iterations must be a non-negative integer"):
        opt.iterations = value
    assert_same(state(opt), before)
    opt.apply_gradients([tf.constant([0.5, 0.5])])  # still a working optimizer
    assert int(opt.iterations) == 2


def test_assigned_step_count_resumes():
    rng = np.random.default_rng(0)
    grads = [[rng.normal(size=3).astype(np.float32)] for _ in range(6)]
    expected = run_numpy(NumpyAdam(learning_rate=0.1), [np.ones(3, np.float32)], grads)[
        0
    ]
    w = tf.Variable(np.ones(3, np.float32))
    first = adam.tensorflow.Adam([w], learning_rate=0.1)
    for g in grads[:3]:
        first.apply_gradients(g)
    second = adam.tensorflow.Adam([w], learning_rate=0.1)
    for theirs, ours in zip(
        first.first_moments + first.second_moments,
        second.first_moments + second.second_moments,
    ):
        ours.assign(theirs)
    second.iterations = np.int64(3)
    for g in grads[3:]:
        second.apply_gradients(g)
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-6)


def test_negative_step_count_refused():
    """tf.train.Checkpoint or iterations.assign write the variable directly: the step
    checks it before writing anything."""
    w = tf.Variable([1.0, 2.0])
    opt = adam.tensorflow.Adam([w], learning_rate=0.1)
    opt.apply_gradients([tf.constant([0.5, 0.5])])
    opt.iterations.assign(-3)
    before = state(opt)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="iterations .*is negative"
    ):
        opt.apply_gradients([tf.constant([0.5, 0.5])])
    assert_same(state(opt), before)


def test_keras_pairs_are_accepted():
    """apply_gradients(zip(grads, variables)), as Keras's optimizers take it, in any
    order and for a subset of the variables (the others are skipped as for None)."""
    grads = [tf.constant([0.5, -0.5]), tf.constant([2.0])]
    runs = []
    for form in ("list", "pairs", "reversed pairs"):
        w, b = tf.Variable([1.0, 2.0]), tf.Variable([3.0])
        opt = adam.tensorflow.Adam([w, b], learning_rate=0.1)
        pairs = list(zip(grads, [w, b]))
        for _ in range(3):
            opt.apply_gradients(
                {
                    "list": grads,
                    "pairs": zip(grads, [w, b]),
                    "reversed pairs": pairs[::-1],
                }[form]
            )
        runs.append((w.numpy(), b.numpy()))
    for run in runs[1:]:
        assert_same(run, runs[0])
    w, b = tf.Variable([1.0, 2.0]), tf.Variable([3.0], name="b")
    opt = adam.tensorflow.Adam([w, b], learning_rate=0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist for variables.*b"):
        opt.apply_gradients([(grads[0], w)])
    assert b.numpy().tolist() == [3.0] and w.numpy()[0] < 1.0


def test_pairs_for_other_variables_are_refused():
    w, other = tf.Variable([1.0, 2.0]), tf.Variable([5.0], name="other")
    opt = adam.tensorflow.Adam([w])
    with pytest.raises(ValueError, match="pair 1: other.* is not one of this"):
        opt.apply_gradients([(tf.constant([1.0, 1.0]), w), (tf.constant([1.0]), other)])
    with pytest.raises(ValueError, match="pair 1: .* has a gradient twice"):
        opt.apply_gradients([(tf.constant([1.0, 1.0]), w)] * 2)
    assert w.numpy().tolist() == [1.0, 2.0] and int(opt.iterations) == 0


MIRRORED = textwrap.dedent("""
    import numpy as np, tensorflow as tf
    import adam.tensorflow
    cpu = tf.config.list_physical_devices("CPU")[0]
    two = [tf.config.LogicalDeviceConfiguration()] * 2
    tf.config.set_logical_device_configuration(cpu, two)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        w = tf.Variable([1.0, 2.0])
        opt = adam.tensorflow.Adam([w], learning_rate=0.1)

    def step():
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        sign = 1.0 if replica == 0 else -1.0
        opt.apply_gradients([tf.constant([sign, sign])])

    try:
        strategy.run(step)
    except RuntimeError as e:
        print("refused:", e)
    copies = [v.numpy().tolist() for v in strategy.experimental_local_results(w)]
    steps = int(tf.convert_to_tensor(opt.iterations))
    print("copies", copies, "iterations", steps)
    assert copies == [[1.0, 2.0], [1.0, 2.0]] and steps == 0
    # Outside strategy.run (cross-replica context) one step updates every copy alike.
    opt.apply_gradients([tf.constant([1.0, 1.0])])
    copies = [v.numpy().tolist() for v in strategy.experimental_local_results(w)]
    assert copies[0] == copies[1] and copies[0][0] < 1.0, copies
    print("cross-replica step", copies)
""")


def test_replica_context_refused():
    """Each replica would step its own copy with its own gradient, with nothing reduced.
    In a fresh process: logical devices must be set up before TensorFlow starts."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-c", MIRRORED],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    refused = "refused: adam.tensorflow.Adam does not reduce gradients across replicas"
    assert refused in result.stdout


@pytest.mark.parametrize(
    "value",
    [1e30, 2**63, np.uint64(2**64 - 1)],
    ids=["1e30", "2**63", "uint64 2**64-1"],
)
def test_iterations_beyond_int64_are_refused(value):
    """opt.iterations = 1e30 gave TensorFlow's "Can't convert Python sequence with
    out-of-range integer": refused now by the same check, naming the bound."""
    w = tf.Variable([1.0, 2.0])
    opt = adam.tensorflow.Adam([w], learning_rate=0.1)
    opt.apply_gradients([tf.constant([0.5, 0.5])])
    before = state(opt)
    with pytest.raises(
        ValueError, match=r"iterations must be at most 9223372036854775807"
    ):
        opt.iterations = value
    assert_same(state(opt), before)
    opt.iterations = 2**63 - 1  # the largest the variable holds
    assert int(opt.iterations.numpy()) == 2**63 - 1
