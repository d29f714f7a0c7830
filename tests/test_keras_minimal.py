"""The teaching Keras optimizer (`adam.keras_minimal.Adam`) against the package's
checked one (`adam.keras.Adam`) and the NumPy teaching version
(`adam.numpy.minimal.adam_step`)."""

import inspect

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import adam.keras  # noqa: E402
import adam.keras_minimal  # noqa: E402
from adam.experiments.agreement import gradient_sequence, run_keras, ulps  # noqa: E402
from adam.numpy.minimal import adam_step  # noqa: E402

SETTINGS = [
    dict(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8),  # Algorithm 1's
    dict(learning_rate=0.1, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
    dict(learning_rate=0.03, beta_1=0.0, beta_2=0.99, epsilon=1e-6),
]


@pytest.mark.parametrize("kwargs", SETTINGS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_float32_steps_match_checked_keras(kwargs, seed):
    """The same mathematics, rounded in another order (the checked one folds the bias
    corrections into two scalars): after 100 float32 steps a few ulps apart, as the
    implementations of chapter 5 and its appendix are (at most 64 ulps)."""
    params, grads = gradient_sequence(steps=100, seed=seed)
    teaching = run_keras(adam.keras_minimal.Adam(**kwargs), params, grads)
    checked = run_keras(adam.keras.Adam(**kwargs), params, grads)
    assert all(t.dtype == np.float32 for t in teaching)
    assert ulps(teaching, checked) <= 64


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_float64_steps_match_numpy_version(kwargs):
    """In float64, step by step, the NumPy teaching function's numbers. The learning
    rate is made a float32 number first: Keras keeps it in a float32 variable."""
    kwargs = dict(kwargs, learning_rate=float(np.float32(kwargs["learning_rate"])))
    params, grads = gradient_sequence(steps=30, seed=3)
    theta = [p.astype(np.float64) for p in params]
    variables = [keras.Variable(p) for p in theta]
    optimizer = adam.keras_minimal.Adam(**kwargs)
    m = [np.zeros_like(p) for p in theta]
    v = [np.zeros_like(p) for p in theta]
    numpy_kwargs = dict(
        alpha=kwargs["learning_rate"],
        beta_1=kwargs["beta_1"],
        beta_2=kwargs["beta_2"],
        epsilon=kwargs["epsilon"],
    )
    for t, gs in enumerate(grads, start=1):
        gs = [g.astype(np.float64) for g in gs]
        optimizer.apply_gradients(
            zip([keras.ops.convert_to_tensor(g) for g in gs], variables)
        )
        for k, g in enumerate(gs):
            theta[k], m[k], v[k] = adam_step(theta[k], g, m[k], v[k], t, **numpy_kwargs)
            np.testing.assert_allclose(
                variables[k].numpy(), theta[k], rtol=1e-14, atol=0
            )
            np.testing.assert_allclose(optimizer.m[k].numpy(), m[k], rtol=1e-14, atol=0)
            np.testing.assert_allclose(optimizer.v[k].numpy(), v[k], rtol=1e-14, atol=0)


def test_trains_like_the_checked_one():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)

    def fit(optimizer):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer=optimizer, loss="mse")
        history = model.fit(x, y, batch_size=16, epochs=5, shuffle=False, verbose=0)
        return model.get_weights(), history.history["loss"]

    teaching, losses = fit(adam.keras_minimal.Adam(learning_rate=0.05))
    checked, _ = fit(adam.keras.Adam(learning_rate=0.05))
    assert losses[-1] < losses[0]
    assert ulps(teaching, checked) <= 64


def test_step_short_enough_to_read():
    """Chapter 5 shows it as the Keras counterpart of the NumPy `adam_step`."""
    assert (
        len(inspect.getsource(adam.keras_minimal.Adam.update_step).splitlines()) <= 12
    )
    assert len(inspect.getsource(adam.keras_minimal.Adam).splitlines()) <= 30
    assert "adam.keras.Adam" in adam.keras_minimal.__doc__
