"""adam.experiments.warmup_clipping: the tiny Transformer, its task, the warm-up
schedule and the compiled training loop (Keras's Adam on JAX).

The training checks run in a fresh process: Keras must see KERAS_BACKEND=jax before it
is imported, and this test session imports Keras on its default backend. They check the
pieces on a few steps, not the chapter's experiment.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("jax")

ENV = dict(
    os.environ,
    KERAS_BACKEND="jax",
    TF_CPP_MIN_LOG_LEVEL="2",
    XLA_FLAGS="--xla_force_host_platform_device_count=8",
)


def run(script: str, env=ENV) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_warmup_rises_to_peak_and_stays():
    from adam.experiments.warmup_clipping import linear_warmup

    rates = linear_warmup(10, 0.03, warmup_steps=4)
    assert rates.shape == (10,)
    np.testing.assert_allclose(rates[:4], [0.0075, 0.015, 0.0225, 0.03])
    np.testing.assert_allclose(rates[4:], 0.03)
    np.testing.assert_allclose(linear_warmup(5, 0.1, warmup_steps=0), 0.1)
    with pytest.raises(ValueError):
        linear_warmup(5, 0.1, warmup_steps=-1)


def test_sort_batches_are_seeded_and_sorted():
    from adam.experiments.warmup_clipping import sort_batches

    x, y = sort_batches(3, batch=5, seed=7)
    assert x.shape == y.shape == (3, 5, 12) and x.dtype == y.dtype == np.int32
    assert x.min() >= 0 and x.max() < 12
    np.testing.assert_array_equal(y, np.sort(x, axis=-1))
    np.testing.assert_array_equal(x, sort_batches(3, batch=5, seed=7)[0])
    assert not np.array_equal(x, sort_batches(3, batch=5, seed=8)[0])


TRAIN = """
    import numpy as np
    from adam.experiments import warmup_clipping as W

    model = W.tiny_transformer(seed=0)
    x, y = W.sort_batches(12, batch=8, seed=0)
    assert model(x[0]).shape == (8, 12, 12)

    rates = W.linear_warmup(12, 0.01, warmup_steps=4)
    a = W.train(x, y, rates, seed=0)
    b = W.train(x, y, rates, seed=0)
    for name in ("loss", "grad_norm", "step_ratio", "quiet_ratio"):
        values = getattr(a, name)
        assert values.shape == (12,) and np.isfinite(values).all(), name
        np.testing.assert_array_equal(values, getattr(b, name))   # deterministic
    assert not np.array_equal(a.loss, W.train(x, y, rates, seed=1).loss)
    try:
        W.train(x, y, np.zeros(12))
        raise SystemExit("a zero learning rate was accepted")
    except ValueError:
        pass
    # Adam's first step is about alpha * sign(g): the average weight moves by almost
    # alpha, never more than the paper's bound (1 - beta_1) / sqrt(1 - beta_2).
    assert 0.5 < a.step_ratio[0] <= 1 and (a.step_ratio <= 0.1 / np.sqrt(0.001)).all()
    assert abs(a.loss[0] - np.log(12)) < 1.5

    # An outlier multiplies the gradient of its batch only; earlier steps are unchanged.
    bad = W.train(x, y, rates, seed=0, outlier=(6, 100.0))
    np.testing.assert_array_equal(bad.loss[:7], a.loss[:7])
    np.testing.assert_allclose(bad.grad_norm[6], 100 * a.grad_norm[6], rtol=1e-4)

    # Keras's global_clipnorm, set between the ordinary norms and the outlier's: the
    # steps before the outlier are unchanged, the outlier's step is cut down (the
    # reported norm is the one before clipping).
    threshold = float(10 * a.grad_norm.max())
    clipped = W.train(x, y, rates, seed=0, outlier=(6, 100.0),
                        global_clipnorm=threshold)
    np.testing.assert_allclose(clipped.loss[:7], a.loss[:7], rtol=1e-5)
    np.testing.assert_allclose(clipped.grad_norm[:7], bad.grad_norm[:7], rtol=1e-5)
    assert clipped.step_ratio[6] < bad.step_ratio[6]
    assert not np.allclose(clipped.loss[7:], bad.loss[7:])
    print("ok")
"""


def test_seeded_training_clipping_outliers():
    result = run(TRAIN)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_train_refuses_other_backends():
    script = """
        import numpy as np
        from adam.experiments import warmup_clipping as W
        x, y = W.sort_batches(2, batch=2)
        try:
            W.train(x, y, np.full(2, 1e-3))
        except RuntimeError as error:
            assert "KERAS_BACKEND=jax" in str(error)
            print("refused")
    """
    result = run(script, env=dict(ENV, KERAS_BACKEND="numpy"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "refused"
