"""No silent state errors in adam.numpy: Nadam's cached product, parameters and
gradients that share memory, and hyperparameters assigned as attributes."""

import copy
import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest

from adam.experiments.agreement import gradient_sequence, run_numpy
from adam.numpy import SGD, AdaGrad, Adam, AdaMax, AdamW, CompactAdam, Nadam, RMSProp


# -- Nadam's cached momentum product ---------------------------------------------------
def test_nadam_cache_reset_by_new_beta_1():
    params, grads = gradient_sequence(steps=6)
    other = Nadam(beta_1=0.5)
    run_numpy(other, params, grads[:3])
    checkpoint = other.state_dict()

    warm = Nadam()  # beta_1 = 0.9, its cache made at step 3
    start = run_numpy(warm, params, grads[:3])
    warm.load_state_dict(checkpoint)  # same step, another beta_1
    fresh = Nadam()
    fresh.load_state_dict(checkpoint)
    np.testing.assert_array_equal(
        run_numpy(warm, start, grads[3:])[0], run_numpy(fresh, start, grads[3:])[0]
    )


def test_nadam_beta_1_assigned_is_used():
    params, grads = gradient_sequence(steps=6)
    changed = Nadam()
    half = run_numpy(changed, params, grads[:3])
    changed.beta_1 = 0.5
    resumed = Nadam()
    resumed.load_state_dict(changed.state_dict())
    np.testing.assert_array_equal(
        run_numpy(changed, half, grads[3:])[0], run_numpy(resumed, half, grads[3:])[0]
    )


# -- memory shared between parameters, or between a gradient and a parameter -----------
def shared_params():
    w = np.arange(4.0)
    base = np.arange(10.0)
    return {
        "an array and its reshape": (
            [w, w.reshape(2, 2)],
            [np.ones(4), np.ones((2, 2))],
        ),
        "overlapping slices": ([base[:6], base[4:]], [np.ones(6), np.ones(6)]),
        "a view and its transpose": (
            [base[:4].reshape(2, 2), base[:4].reshape(2, 2).T],
            [np.ones((2, 2)), np.ones((2, 2))],
        ),
    }


@pytest.mark.parametrize("case", list(shared_params()))
@pytest.mark.parametrize("make", [Adam, Nadam, AdaGrad, lambda: SGD(momentum=0.5)])
def test_shared_memory_parameters_refused(case, make):
    params, grads = shared_params()[case]
    before = [p.copy() for p in params]
    opt = make()
    with pytest.raises(ValueError, match=r"params\[0\] and params\[1\] share memory"):
        opt.step(params, grads)
    for a, b in zip(params, before):
        np.testing.assert_array_equal(a, b)
    assert opt.iterations == 0 and opt.state_bytes() == 0


def test_disjoint_views_accepted():
    base = np.zeros(10)
    params = [base[:5], base[5:], base[::2][:0]]
    Adam().step(params, [np.ones(5), np.ones(5), np.ones(0)])
    interleaved = np.zeros(8)
    Adam().step([interleaved[::2], interleaved[1::2]], [np.ones(4), -np.ones(4)])
    np.testing.assert_allclose(interleaved, [-0.001, 0.001] * 4)


@pytest.mark.parametrize("make", [Adam, Nadam, RMSProp])
def test_parameter_as_gradient_refused(make):
    a, b = np.ones(3), np.full(3, 2.0)
    opt = make()
    with pytest.raises(ValueError, match=r"grads\[1\] shares memory with params\[0\]"):
        opt.step([a, b], [np.ones(3), a])
    with pytest.raises(ValueError, match=r"grads\[0\] shares memory with params\[1\]"):
        opt.step([a, b], [b[::-1], np.ones(3)])
    assert (a == 1).all() and (b == 2).all() and opt.iterations == 0


# -- hyperparameters assigned as attributes --------------------------------------------
GOOD = {
    "learning_rate": 0.05,
    "beta_1": 0.5,
    "beta_2": 0.9,
    "epsilon": 1e-3,
    "weight_decay": 0.1,
    "bias_correction": False,
    "epsilon_hat": False,
    "amsgrad": True,
    "momentum": 0.5,
    "nesterov": True,
    "rho": 0.5,
}
BAD = {
    "learning_rate": 0.0,
    "beta_1": 1.0,
    "beta_2": -0.1,
    "epsilon": -1.0,
    "weight_decay": -1.0,
    "bias_correction": 1,
    "epsilon_hat": "yes",
    "amsgrad": None,
    "momentum": 1.5,
    "nesterov": 0,
    "rho": 2.0,
}
CLASSES = [Adam, AdamW, SGD, AdaGrad, RMSProp, AdaMax, Nadam]


def every_attribute():
    for cls in CLASSES:
        for field in dataclasses.fields(cls.hyperparameters_type):
            yield cls, field.name


@pytest.mark.parametrize(
    "cls, name",
    list(every_attribute()),
    ids=[f"{c.__name__}.{n}" for c, n in every_attribute()],
)
def test_assignment_takes_effect(cls, name):
    params, grads = gradient_sequence(steps=4)
    assigned = cls()
    setattr(assigned, name, GOOD[name])
    assert getattr(assigned, name) == GOOD[name]
    assert getattr(assigned.hyperparameters, name) == GOOD[name]
    built = cls(**{name: GOOD[name]})
    np.testing.assert_array_equal(
        run_numpy(assigned, params, grads)[0], run_numpy(built, params, grads)[0]
    )


@pytest.mark.parametrize(
    "cls, name",
    list(every_attribute()),
    ids=[f"{c.__name__}.{n}" for c, n in every_attribute()],
)
def test_bad_assignment_changes_nothing(cls, name):
    opt = cls()
    before = opt.hyperparameters
    with pytest.raises((ValueError, TypeError), match=name):
        setattr(opt, name, BAD[name])
    assert opt.hyperparameters == before


def test_new_slots_refused_once_stateful():
    params, grads = gradient_sequence(steps=2)
    opt = Adam()
    run_numpy(opt, params, grads)
    state = copy.deepcopy(opt.state_dict())
    with pytest.raises(ValueError, match="amsgrad=True needs the slots"):
        opt.amsgrad = True
    assert (
        not opt.amsgrad
        and opt.state_dict()["hyperparameters"] == state["hyperparameters"]
    )
    sgd = SGD()
    run_numpy(sgd, params, grads)
    with pytest.raises(ValueError, match="momentum=0.9 needs the slots"):
        sgd.momentum = 0.9


def test_assignment_refuses_what_init_does():
    opt = Adam(epsilon_hat=True)
    with pytest.raises(ValueError, match="epsilon_hat=True"):
        opt.bias_correction = False
    assert opt.bias_correction


def test_threads_are_checked_when_assigned():
    opt = Adam()
    opt.threads = 2
    assert opt.threads == 2
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        opt.threads = 0
    assert opt.threads == 2


def test_hyperparameters_object_is_read_only():
    opt = Adam()
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.hyperparameters.beta_1 = 0.0
    with pytest.raises(AttributeError):
        opt.hyperparameters = None


# -- finding 4: the functional update checks its state and hyperparameters -------------


# -- checkpoints written before --------------------------------------------------------
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def old_checkpoints():
    """state_dicts written by the package at commit e50719d (before the hyperparameters
    became plain attributes), with the parameters, the next gradient and the parameters
    that commit's optimizer computed from them."""
    with open(FIXTURES / "numpy_checkpoints_e50719d.pkl", "rb") as f:
        return pickle.load(f)


CLASSES_BY_NAME = {
    "Adam": Adam,
    "AdamW": AdamW,
    "SGD": SGD,
    "AdaGrad": AdaGrad,
    "RMSProp": RMSProp,
    "AdaMax": AdaMax,
    "Nadam": Nadam,
    "CompactAdam-bfloat16": CompactAdam,
    "CompactAdam-int8": CompactAdam,
}


@pytest.mark.parametrize("name", list(CLASSES_BY_NAME))
def test_old_checkpoint_resumes_bit_for_bit(name):
    saved = old_checkpoints()[name]
    opt = CLASSES_BY_NAME[name]()
    opt.load_state_dict(saved["state"])
    assert opt.iterations == 3
    for key, value in saved["state"]["hyperparameters"].items():
        assert getattr(opt, key) == value
    params = [p.copy() for p in saved["params"]]
    opt.step(params, saved["grads"])
    for got, expected in zip(params, saved["after"]):
        np.testing.assert_array_equal(got, expected)
