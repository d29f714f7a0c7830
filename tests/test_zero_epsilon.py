"""epsilon = 0: a coordinate whose gradient has always been zero, or whose gradient's
square underflows, gets no step instead of 0/0 = NaN, in every implementation; the other
coordinates step as usual."""

import numpy as np
import pytest

import adam.numpy.fast as fast
from adam.experiments.agreement import run_numpy
from adam.numpy import (
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    Hyperparameters,
    Nadam,
    RMSProp,
    init,
    update,
)

#: Coordinates 0 and 1 never have a usable second moment: no gradient at all, and a
#: gradient of 1e-30 whose square underflows to 0 in float32. Coordinates 2 and 3 are
#: ordinary.
STILL = [0, 1]


def problem(steps=6, size=4, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=size).astype(np.float32)]
    grads = []
    for _ in range(steps):
        g = rng.normal(size=size).astype(np.float32)
        g[0], g[1] = 0.0, 1e-30
        grads.append([g])
    return params, grads


def assert_still_and_finite(start, end, shrink=1.0):
    """Coordinates in STILL moved only by weight decay (`shrink`, the product of its
    factors)."""
    assert np.isfinite(end[0]).all(), end[0]
    if shrink == 1.0:
        np.testing.assert_array_equal(end[0][STILL], start[0][STILL])
    else:
        np.testing.assert_allclose(end[0][STILL], start[0][STILL] * shrink, rtol=1e-6)
    assert (end[0][2:] != start[0][2:]).all()


OPTIMIZERS = {
    "Adam": lambda: Adam(epsilon=0.0),
    "Adam epsilon_hat": lambda: Adam(epsilon=0.0, epsilon_hat=True),
    "Adam no bias correction": lambda: Adam(epsilon=0.0, bias_correction=False),
    "AMSGrad": lambda: Adam(epsilon=0.0, amsgrad=True),
    "AMSGrad with decay": lambda: Adam(epsilon=0.0, amsgrad=True, weight_decay=0.5),
    "AdamW": lambda: AdamW(epsilon=0.0),
    "AdaGrad": lambda: AdaGrad(epsilon=0.0),
    "RMSProp": lambda: RMSProp(epsilon=0.0),
    "AdaMax": lambda: AdaMax(epsilon=0.0),
    "Nadam": lambda: Nadam(epsilon=0.0),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_coordinates_without_v_stay_still(name):
    params, grads = problem()
    optimizer = OPTIMIZERS[name]()
    with np.errstate(
        divide="raise", invalid="raise", over="raise"
    ):  # not even a 0/0 warning
        end = run_numpy(optimizer, params, grads)
    if name == "AdaMax":  # its u = max|g| sees the 1e-30: only 0 stays
        assert np.isfinite(end[0]).all() and end[0][0] == params[0][0]
    else:
        decay = getattr(optimizer, "weight_decay", 0.0)
        assert_still_and_finite(
            params, end, (1 - optimizer.learning_rate * decay) ** len(grads)
        )


@pytest.mark.parametrize(
    "switches",
    [{}, {"epsilon_hat": True}, {"bias_correction": False}, {"amsgrad": True}],
)
def test_readable_update_matches_fast(switches):
    params, grads = problem()
    h = Hyperparameters(epsilon=0.0, **switches)
    state, readable = init(params, amsgrad=h.amsgrad), [p.copy() for p in params]
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        for g in grads:
            readable, state = update(g, state, readable, h)
        fast_end = run_numpy(Adam(epsilon=0.0, **switches), params, grads)
    assert_still_and_finite(params, readable)
    np.testing.assert_allclose(fast_end[0], readable[0], rtol=1e-6)


def test_threaded_blocks_with_the_mask(monkeypatch):
    # Coordinates without gradient in every block, over several threads.
    monkeypatch.setattr(fast, "BLOCK", 64)
    params, grads = problem(size=64 * 9 + 5)
    for g in grads:
        g[0][::7] = 0.0
    one = run_numpy(Adam(epsilon=0.0, threads=1), params, grads)
    three = run_numpy(Adam(epsilon=0.0, threads=3), params, grads)
    np.testing.assert_array_equal(one[0], three[0])
    assert np.isfinite(one[0]).all()
    np.testing.assert_array_equal(one[0][::7], params[0][::7])


def test_fused_gives_the_same_bits():
    pytest.importorskip("numba")
    from adam.fused import FusedAdam

    params, grads = problem(size=5000)
    for kw in ({}, {"amsgrad": True}, {"epsilon_hat": True}):
        expected = run_numpy(Adam(epsilon=0.0, **kw), params, grads)
        got = run_numpy(FusedAdam(epsilon=0.0, **kw), params, grads)
        np.testing.assert_array_equal(got[0], expected[0])
        assert_still_and_finite(params, got)


@pytest.mark.parametrize("kw", [{}, {"epsilon_hat": True}, {"amsgrad": True}])
def test_keras_optimizer(kw):
    pytest.importorskip("keras")
    import adam.keras
    from adam.experiments.agreement import run_keras

    params, grads = problem()
    end = run_keras(adam.keras.Adam(epsilon=0.0, **kw), params, grads)
    assert_still_and_finite(params, end)
    np.testing.assert_allclose(
        end[0], run_numpy(Adam(epsilon=0.0, **kw), params, grads)[0], rtol=1e-5
    )


def test_tensorflow_optimizer():
    pytest.importorskip("tensorflow")
    from adam.experiments.agreement import run_tensorflow

    params, grads = problem()
    end = run_tensorflow(params, grads, epsilon=0.0)
    assert_still_and_finite(params, end)
    np.testing.assert_allclose(
        end[0], run_numpy(Adam(epsilon=0.0), params, grads)[0], rtol=1e-5
    )
