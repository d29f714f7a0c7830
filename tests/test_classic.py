"""The baseline optimizers follow their one-line definitions and share Adam's
interface."""

import numpy as np
import pytest

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
