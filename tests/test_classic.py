"""The baseline optimizers follow their one-line definitions and share Adam's
interface."""

import numpy as np
import pytest

from adam.experiments.landscapes import (
    ill_conditioned_quadratic,
    rosenbrock,
    trajectory,
)
from adam.numpy import SGD, AdaGrad, Adam, RMSProp

G1, G2 = np.array([1.0, -2.0]), np.array([0.5, 4.0])


def two_steps(opt):
    p = np.array([1.0, 1.0])
    opt.step([p], [G1.copy()])
    opt.step([p], [G2.copy()])
    return p


def test_sgd():
    np.testing.assert_allclose(two_steps(SGD(0.1)), 1 - 0.1 * (G1 + G2))


def test_momentum():
    v2 = 0.9 * G1 + G2
    np.testing.assert_allclose(
        two_steps(SGD(0.1, momentum=0.9)), 1 - 0.1 * G1 - 0.1 * v2
    )


def test_nesterov():
    v1, v2 = G1, 0.9 * G1 + G2
    expected = 1 - 0.1 * (G1 + 0.9 * v1) - 0.1 * (G2 + 0.9 * v2)
    np.testing.assert_allclose(
        two_steps(SGD(0.1, momentum=0.9, nesterov=True)), expected
    )


def test_adagrad():
    s1, s2 = G1**2, G1**2 + G2**2
    expected = 1 - 0.1 * G1 / (np.sqrt(s1) + 1e-8) - 0.1 * G2 / (np.sqrt(s2) + 1e-8)
    np.testing.assert_allclose(two_steps(AdaGrad(0.1)), expected)


def test_rmsprop():
    s1 = 0.1 * G1**2
    s2 = 0.9 * s1 + 0.1 * G2**2
    expected = 1 - 0.1 * G1 / (np.sqrt(s1) + 1e-8) - 0.1 * G2 / (np.sqrt(s2) + 1e-8)
    np.testing.assert_allclose(two_steps(RMSProp(0.1)), expected)


@pytest.mark.parametrize(
    "opt, slots",
    [
        (SGD(), 0),
        (SGD(momentum=0.9), 1),
        (AdaGrad(), 1),
        (RMSProp(), 1),
        (Adam(), 2),
        (Adam(amsgrad=True), 3),
    ],
)
def test_state_size_in_units_of_the_parameters(opt, slots):
    p = [np.zeros(1000, np.float32)]
    opt.step(p, [np.ones(1000, np.float32)])
    assert opt.state_bytes() == slots * p[0].nbytes


@pytest.mark.parametrize(
    "cls, kw", [(SGD, {"momentum": 0.5}), (AdaGrad, {}), (RMSProp, {})]
)
def test_checkpoint_round_trip(cls, kw):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=3) for _ in range(6)]
    a, b = np.zeros(3), np.zeros(3)
    one = cls(**kw)
    for g in grads:
        one.step([a], [g])
    two = cls(**kw)
    for g in grads[:3]:
        two.step([b], [g])
    three = cls(learning_rate=0.5)
    three.load_state_dict(two.state_dict())
    for g in grads[3:]:
        three.step([b], [g])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "cls, kw, message",
    [
        (SGD, {"momentum": 1.0}, "momentum"),
        (SGD, {"nesterov": 1}, "nesterov"),
        (AdaGrad, {"learning_rate": 0}, "learning_rate"),
        (RMSProp, {"rho": -0.5}, "rho"),
    ],
)
def test_bad_hyperparameters(cls, kw, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cls(**kw)


def test_checkpoints_are_not_interchangeable():
    with pytest.raises(ValueError, match="saved by 'RMSProp', not 'AdaGrad'"):
        AdaGrad().load_state_dict(RMSProp().state_dict())


def test_landscape_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    for land in (ill_conditioned_quadratic(), rosenbrock()):
        for _ in range(5):
            p = rng.uniform(-1.5, 1.5, size=2)
            h = 1e-6
            numeric = [
                (land.value(p + h * e) - land.value(p - h * e)) / (2 * h)
                for e in np.eye(2)
            ]
            np.testing.assert_allclose(land.gradient(p), numeric, rtol=1e-5, atol=1e-6)
        assert land.value(np.array(land.minimum)) == pytest.approx(0.0)


def test_trajectory_records_start_and_every_step():
    land = ill_conditioned_quadratic()
    path = trajectory(SGD(0.01), land, steps=10)
    assert path.shape == (11, 2)
    np.testing.assert_array_equal(path[0], land.start)
    assert land.value(path[-1]) < land.value(path[0])


def test_a_diverging_run_ends_in_nan_rows():
    land = ill_conditioned_quadratic(50.0)
    path = trajectory(SGD(1.0), land, steps=500)  # step size far above 2 / 50
    assert np.isnan(path[-1]).all() and np.isfinite(path[:10]).all()
    values = land.values(path)
    assert (
        np.isnan(values[-1])
        and np.isfinite(values[0])
        and (np.isinf(values) | np.isfinite(values) | np.isnan(values)).all()
    )


def test_moment_traces_for_a_constant_gradient():
    from adam.experiments.moments import moment_traces

    t = np.arange(1, 51)
    m, v = moment_traces(np.full((50, 2), 3.0), beta_1=0.8, beta_2=0.95)
    np.testing.assert_allclose(m[:, 0], 3.0 * (1 - 0.8**t), rtol=1e-12)
    np.testing.assert_allclose(v[:, 1], 9.0 * (1 - 0.95**t), rtol=1e-12)
