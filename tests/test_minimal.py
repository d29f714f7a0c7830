"""The book's teaching versions (`adam.numpy.minimal`) against the paper and the
package."""

import inspect

import numpy as np
import pytest
from reference import reference_adam

from adam.hyperparameters import Hyperparameters
from adam.numpy import SGD, AdaGrad, RMSProp, init, update
from adam.numpy.minimal import (
    adagrad_step,
    adam_step,
    momentum_step,
    rmsprop_step,
    sgd_step,
)

SETTINGS = [
    dict(alpha=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8),  # Algorithm 1's defaults
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
    scales = np.geomspace(1e-4, 1e3, size)  # coordinates of very different sizes
    return rng.normal(size=(steps, size)) * scales


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_matches_paper_transcription(kwargs):
    theta0 = np.random.default_rng(1).normal(size=7)
    grads = gradients()
    ours, _, _ = run_minimal(theta0, grads, **kwargs)
    paper = reference_adam(
        theta0,
        grads,
        learning_rate=kwargs["alpha"],
        beta_1=kwargs["beta_1"],
        beta_2=kwargs["beta_2"],
        epsilon=kwargs["epsilon"],
    )
    np.testing.assert_allclose(ours, np.array(paper), rtol=1e-14, atol=0)


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_matches_checked_update_per_step(kwargs):
    theta0 = np.random.default_rng(2).normal(size=7)
    grads = gradients(seed=3)
    h = Hyperparameters(
        learning_rate=kwargs["alpha"],
        beta_1=kwargs["beta_1"],
        beta_2=kwargs["beta_2"],
        epsilon=kwargs["epsilon"],
    )
    theta, m, v = theta0, np.zeros(7), np.zeros(7)
    params, state = [theta0], init([theta0])
    for t, g in enumerate(grads, start=1):
        theta, m, v = adam_step(theta, g, m, v, t, **kwargs)
        params, state = update([g], state, params, h)
        assert state.step == t
        np.testing.assert_allclose(theta, params[0], rtol=1e-15, atol=0)
        np.testing.assert_allclose(m, state.first_moment[0], rtol=1e-15, atol=0)
        np.testing.assert_allclose(v, state.second_moment[0], rtol=1e-15, atol=0)


def test_float64_out_inputs_untouched():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, -0.5])
    m, v = np.zeros(2), np.zeros(2)
    new_theta, new_m, new_v = adam_step(theta, g, m, v, 1, alpha=0.1)
    assert new_theta.dtype == np.float64
    np.testing.assert_array_equal(theta, [1.0, -2.0])
    np.testing.assert_array_equal(m, 0.0)
    # the first step moves each coordinate by alpha, against the gradient
    np.testing.assert_allclose(new_theta, [0.9, -1.9], rtol=1e-6)


def test_short_enough_to_read():
    """Chapter 1 promises at most 12 lines, one per formula of Algorithm 1."""
    source = inspect.getsource(adam_step)
    assert len(source.splitlines()) <= 12
    assert "adam.numpy.update" in adam_step.__doc__


# -- the classic rules of chapter 2 against the package's classes ----------------------


def run_class(opt, theta0, grads, slot=None):
    """Step `opt` through `grads` in float64; each step's parameters (and slot)."""
    theta = theta0.copy()
    thetas, slots = [], []
    for g in grads:
        opt.step([theta], [g.copy()])
        thetas.append(theta.copy())
        slots.append(opt._slots[slot][0].copy() if slot else None)
    return thetas, slots


def run_step(step, theta0, grads, state=None, **kwargs):
    """The same with a teaching function: (theta, g, [state], **kwargs)."""
    theta = theta0
    thetas, states = [], []
    for g in grads:
        if state is None:
            theta = step(theta, g, **kwargs)
        else:
            theta, state = step(theta, g, state, **kwargs)
        thetas.append(theta)
        states.append(state)
    return thetas, states


def check_agree(ours, theirs, rtol):
    for t, (a, b) in enumerate(zip(ours, theirs), start=1):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0, err_msg=f"step {t}")


@pytest.mark.parametrize("alpha", [0.01, 0.3])
def test_sgd_step_matches_SGD(alpha):
    theta0 = np.random.default_rng(4).normal(size=7)
    grads = gradients(seed=5)
    ours, _ = run_step(sgd_step, theta0, grads, alpha=alpha)
    theirs, _ = run_class(SGD(alpha), theta0, grads)
    check_agree(ours, theirs, rtol=1e-15)


@pytest.mark.parametrize("alpha, mu", [(0.01, 0.9), (0.1, 0.5), (1e-3, 0.99)])
def test_momentum_step_matches_SGD_with_momentum(alpha, mu):
    theta0 = np.random.default_rng(6).normal(size=7)
    grads = gradients(seed=7)
    ours, us = run_step(momentum_step, theta0, grads, np.zeros(7), alpha=alpha, mu=mu)
    theirs, velocities = run_class(SGD(alpha, momentum=mu), theta0, grads, "velocity")
    check_agree(ours, theirs, rtol=1e-15)
    check_agree(us, velocities, rtol=1e-15)


@pytest.mark.parametrize("alpha, epsilon", [(0.01, 1e-8), (0.5, 1e-3), (0.1, 0.0)])
def test_adagrad_step_matches_AdaGrad(alpha, epsilon):
    theta0 = np.random.default_rng(8).normal(size=7)
    grads = gradients(seed=9)
    ours, sums = run_step(
        adagrad_step, theta0, grads, np.zeros(7), alpha=alpha, epsilon=epsilon
    )
    theirs, totals = run_class(
        AdaGrad(alpha, epsilon=epsilon), theta0, grads, "sum_of_squares"
    )
    check_agree(ours, theirs, rtol=1e-15)
    check_agree(sums, totals, rtol=1e-15)


@pytest.mark.parametrize(
    "alpha, rho, epsilon", [(1e-3, 0.9, 1e-8), (0.1, 0.5, 1e-3), (0.03, 0.999, 0.0)]
)
def test_rmsprop_step_matches_RMSProp(alpha, rho, epsilon):
    theta0 = np.random.default_rng(10).normal(size=7)
    grads = gradients(seed=11)
    ours, averages = run_step(
        rmsprop_step, theta0, grads, np.zeros(7), alpha=alpha, rho=rho, epsilon=epsilon
    )
    theirs, squares = run_class(
        RMSProp(alpha, rho=rho, epsilon=epsilon), theta0, grads, "mean_square"
    )
    check_agree(ours, theirs, rtol=1e-15)
    check_agree(averages, squares, rtol=1e-15)


@pytest.mark.parametrize(
    "step, cls", [(sgd_step, SGD), (adagrad_step, AdaGrad), (rmsprop_step, RMSProp)]
)
def test_defaults_are_the_classes(step, cls):
    defaults = {
        k: p.default
        for k, p in inspect.signature(step).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    opt = cls()
    assert defaults.pop("alpha") == opt.learning_rate
    for name, value in defaults.items():
        assert getattr(opt, name) == value, name


def test_momentum_defaults():
    """SGD's learning rate; mu is SGD's `momentum`, at the book's usual 0.9."""
    parameters = inspect.signature(momentum_step).parameters
    assert parameters["alpha"].default == SGD().learning_rate
    assert parameters["mu"].default == 0.9


def test_classic_steps_leave_inputs_alone():
    theta, g, state = np.array([1.0, -2.0]), np.array([0.5, -0.5]), np.zeros(2)
    sgd_step(theta, g)
    for step in (momentum_step, adagrad_step, rmsprop_step):
        step(theta, g, state)
    np.testing.assert_array_equal(theta, [1.0, -2.0])
    np.testing.assert_array_equal(g, [0.5, -0.5])
    np.testing.assert_array_equal(state, 0.0)


@pytest.mark.parametrize("step", [sgd_step, momentum_step, adagrad_step, rmsprop_step])
def test_each_classic_step_is_a_few_lines(step):
    """Chapter 2 shows each one under its one line of mathematics."""
    assert len(inspect.getsource(step).splitlines()) <= 8
    assert "adam.numpy." in step.__doc__
