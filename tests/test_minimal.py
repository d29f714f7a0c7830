"""The book's dozen-line Adam (`adam.numpy.minimal`) against the paper and the package."""
import inspect

import numpy as np
import pytest

from adam.hyperparameters import Hyperparameters
from adam.numpy import init, update
from adam.numpy.minimal import adam_step
from reference import reference_adam

SETTINGS = [
    dict(alpha=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8),      # Algorithm 1's defaults
    dict(alpha=0.1, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
    dict(alpha=0.03, beta_1=0.0, beta_2=0.99, epsilon=0.0),
]


def run_minimal(theta, grads, **kwargs):
    m = v = np.zeros_like(theta)
    history = []
    for t, g in enumerate(grads, start=1):
        theta, m, v = adam_step(theta, g, m, v, t, **kwargs)
        history.append(theta)
    return np.array(history), m, v


def gradients(steps=25, size=7, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.geomspace(1e-4, 1e3, size)          # coordinates of very different sizes
    return rng.normal(size=(steps, size)) * scales


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_matches_the_independent_transcription_of_the_paper(kwargs):
    theta0 = np.random.default_rng(1).normal(size=7)
    grads = gradients()
    ours, _, _ = run_minimal(theta0, grads, **kwargs)
    paper = reference_adam(theta0, grads, learning_rate=kwargs["alpha"],
                           beta_1=kwargs["beta_1"], beta_2=kwargs["beta_2"],
                           epsilon=kwargs["epsilon"])
    np.testing.assert_allclose(ours, np.array(paper), rtol=1e-14, atol=0)


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_matches_the_checked_update_step_by_step(kwargs):
    theta0 = np.random.default_rng(2).normal(size=7)
    grads = gradients(seed=3)
    h = Hyperparameters(learning_rate=kwargs["alpha"], beta_1=kwargs["beta_1"],
                        beta_2=kwargs["beta_2"], epsilon=kwargs["epsilon"])
    theta, m, v = theta0, np.zeros(7), np.zeros(7)
    params, state = [theta0], init([theta0])
    for t, g in enumerate(grads, start=1):
        theta, m, v = adam_step(theta, g, m, v, t, **kwargs)
        params, state = update([g], state, params, h)
        assert state.step == t
        np.testing.assert_allclose(theta, params[0], rtol=1e-15, atol=0)
        np.testing.assert_allclose(m, state.first_moment[0], rtol=1e-15, atol=0)
        np.testing.assert_allclose(v, state.second_moment[0], rtol=1e-15, atol=0)


def test_float64_in_float64_out_and_inputs_untouched():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, -0.5])
    m, v = np.zeros(2), np.zeros(2)
    new_theta, new_m, new_v = adam_step(theta, g, m, v, 1, alpha=0.1)
    assert new_theta.dtype == np.float64
    np.testing.assert_array_equal(theta, [1.0, -2.0])
    np.testing.assert_array_equal(m, 0.0)
    # the first step moves each coordinate by alpha, against the gradient
    np.testing.assert_allclose(new_theta, [0.9, -1.9], rtol=1e-6)


def test_it_is_short_enough_to_read_in_one_glance():
    """Chapter 1 promises at most 12 lines, one per formula of Algorithm 1."""
    source = inspect.getsource(adam_step)
    assert len(source.splitlines()) <= 12
    assert "adam.numpy.update" in adam_step.__doc__
