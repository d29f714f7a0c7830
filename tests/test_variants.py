"""adam.numpy.variants against Keras's own AdamW, Adamax and Nadam, plus their
checks."""

import numpy as np
import pytest
from test_keras import assert_within_ulps

from adam.experiments.agreement import gradient_sequence, run_keras, run_numpy
from adam.numpy import Adam, AdaMax, AdamW, Nadam

keras = pytest.importorskip("keras")


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: AdaMax(), lambda: keras.optimizers.Adamax()),
        (
            lambda: AdaMax(learning_rate=0.01, beta_2=0.99),
            lambda: keras.optimizers.Adamax(learning_rate=0.01, beta_2=0.99),
        ),
        (lambda: Nadam(), lambda: keras.optimizers.Nadam()),
        (
            lambda: Nadam(learning_rate=0.01, beta_1=0.8),
            lambda: keras.optimizers.Nadam(learning_rate=0.01, beta_1=0.8),
        ),
        (
            lambda: AdamW(epsilon_hat=True, epsilon=1e-7),
            lambda: keras.optimizers.AdamW(),
        ),
        (
            lambda: AdamW(
                epsilon_hat=True, epsilon=1e-7, weight_decay=0.1, amsgrad=True
            ),
            lambda: keras.optimizers.AdamW(weight_decay=0.1, amsgrad=True),
        ),
    ],
    ids=["adamax", "adamax-lr", "nadam", "nadam-beta", "adamw", "adamw-amsgrad"],
)
def test_matches_keras(ours, theirs):
    params, grads = gradient_sequence(steps=100)
    assert_within_ulps(
        run_numpy(ours(), params, grads), run_keras(theirs(), params, grads)
    )


def test_adamax_first_step_is_lr_sign():
    """t = 1: m = (1 - b1) g, u = |g|, step = lr / (1 - b1) * m / |g| = lr * sign(g)."""
    p = np.array([1.0, 1.0])
    AdaMax(learning_rate=0.1, epsilon=0.0).step([p], [np.array([3.0, -0.002])])
    np.testing.assert_allclose(p, [0.9, 1.1])


def test_nadam_product_survives_a_checkpoint():
    params, grads = gradient_sequence(steps=12)
    straight = run_numpy(Nadam(), params, grads)
    first = Nadam()
    half = run_numpy(first, params, grads[:5])
    resumed = Nadam()
    resumed.load_state_dict(first.state_dict())
    for a, b in zip(run_numpy(resumed, half, grads[5:]), straight):
        np.testing.assert_array_equal(a, b)


def test_nadam_restore_late_fast_and_exact():
    """The momentum product is only needed while 1 - P_t differs from 1: restoring at
    step three million costs what a restore at step one thousand does, same bits."""
    import math
    import time

    from adam.numpy.variants import nadam_momentum, nadam_product

    for beta_1 in (0.9, 0.5, 0.99):
        for t in (1, 10, 300, 1000, 20_000):
            exact = math.prod(nadam_momentum(beta_1, i) for i in range(1, t + 1))
            assert 1 - nadam_product(beta_1, t) == 1 - exact
            assert 1 - nadam_product(beta_1, t) * nadam_momentum(
                beta_1, t + 1
            ) == 1 - exact * nadam_momentum(beta_1, t + 1)
    saved = {
        "optimizer": "Nadam",
        "hyperparameters": Nadam().hyperparameters.__dict__,
        "iterations": 3_000_000,
        "slots": {
            "first_moment": [np.full(3, 0.1)],
            "second_moment": [np.full(3, 0.2)],
        },
    }
    resumed = Nadam()
    resumed.load_state_dict(saved)
    p = np.ones(3)
    start = time.perf_counter()
    resumed.step([p], [np.ones(3)])
    assert time.perf_counter() - start < 0.05


def test_adamw_decay_and_amsgrad_flag():
    params, grads = gradient_sequence(steps=20)
    np.testing.assert_array_equal(
        run_numpy(AdamW(weight_decay=0.01), params, grads)[0],
        run_numpy(Adam(weight_decay=0.01), params, grads)[0],
    )
    assert AdamW().hyperparameters.weight_decay == 0.004


@pytest.mark.parametrize("make", [AdaMax, Nadam])
@pytest.mark.parametrize(
    "kw, message",
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"beta_1": 1.0}, "beta_1"),
        ({"beta_2": 2.0}, "beta_2"),
        ({"epsilon": -1.0}, "epsilon"),
    ],
)
def test_bad_hyperparameters(make, kw, message):
    with pytest.raises(ValueError, match=message):
        make(**kw)


@pytest.mark.parametrize("make", [AdaMax, Nadam])
def test_non_finite_gradient_changes_nothing(make):
    params, grads = gradient_sequence(steps=3)
    opt = make()
    params = run_numpy(opt, params, grads[:2])
    before = [p.copy() for p in params]
    bad = [g.copy() for g in grads[2]]
    bad[1][0] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        opt.step(params, bad)
    for a, b in zip(params, before):
        np.testing.assert_array_equal(a, b)
    assert opt.iterations == 2
