"""adam.numpy.functional: `init` and `update`, pure functions that check inputs."""

import numpy as np
import pytest

from adam.numpy import AdamState, Hyperparameters, init, update


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"step": -1}, ValueError, r"state.step must be a non-negative integer"),
        ({"step": 1.5}, ValueError, r"state.step must be a non-negative integer"),
        ({"step": "3"}, TypeError, r"state.step must be a non-negative integer"),
        (
            {"second_moment": (np.zeros(1, np.float32),)},
            ValueError,
            r"state.second_moment\[0\] is float32\[1\] but params\[0\] is float32\[3\]",
        ),
        (
            {"second_moment": (np.zeros(3),)},
            ValueError,
            r"state.second_moment\[0\] is float64\[3\] but params\[0\] is float32\[3\]",
        ),
        (
            {"second_moment": (np.full(3, -1.0, np.float32),)},
            ValueError,
            r"state.second_moment\[0\] holds negative values",
        ),
        (
            {"second_moment": ()},
            ValueError,
            r"state.second_moment holds 0 arrays for 1 parameters",
        ),
        (
            {"first_moment": (np.full(3, np.nan, np.float32),)},
            ValueError,
            r"state.first_moment\[0\] contains 1|state.first_moment\[0\] contains 3",
        ),
        (
            {"first_moment": np.zeros(3, np.float32)},
            TypeError,
            r"state.first_moment must be a tuple",
        ),
        (
            {"first_moment": ([0.0, 0.0, 0.0],)},
            TypeError,
            r"state.first_moment\[0\] must be a NumPy",
        ),
    ],
)
def test_functional_update_checks_its_state(change, error, message):
    from adam.numpy import update

    p, g, s = _functional_setup()
    with pytest.raises(error, match=message):
        update(g, s._replace(**change), p)


def test_step_is_a_python_int():
    """np.int8(127) + 1 wrapped to -128 (a NaN bias correction)."""
    from adam.numpy import update

    p, g, s = _functional_setup()
    _, new = update(g, s._replace(step=np.int8(127)), p)
    assert new.step == 128 and type(new.step) is int


def test_state_checked_with_two_parameters():
    """zip() truncated: 2 parameters in, 1 out."""
    from adam.numpy import init, update

    p = [np.ones(3, np.float32), np.ones(2, np.float32)]
    s = init(p)
    with pytest.raises(
        ValueError, match="state.second_moment holds 1 arrays for 2 parameters"
    ):
        update(
            [np.ones(3, np.float32), np.ones(2, np.float32)],
            s._replace(second_moment=s.second_moment[:1]),
            p,
        )


@pytest.mark.parametrize("hyperparameters", [{"learning_rate": 0.1}, None])
def test_other_hyperparameters_refused(hyperparameters):
    """A dict gave a bare AttributeError; a duck-typed object was used unchecked."""
    from types import SimpleNamespace

    from adam.numpy import Hyperparameters, update

    p, g, s = _functional_setup()
    if hyperparameters is None:
        fields = Hyperparameters().as_dict()
        hyperparameters = SimpleNamespace(**{**fields, "learning_rate": -1.0})
    with pytest.raises(
        TypeError, match="hyperparameters must be an adam.numpy.Hyperparameters"
    ):
        update(g, s, p, hyperparameters)


def test_functional_state_is_a_named_tuple():
    state = init([np.zeros(2)], amsgrad=True)
    assert (
        isinstance(state, AdamState)
        and state.step == 0
        and state.max_second_moment is not None
    )


def test_inputs_are_checked():
    params = [np.zeros(3)]
    state = init(params)
    with pytest.raises(ValueError, match="contains 1 non-finite"):
        update([np.array([0.0, np.nan, 0.0])], state, params)
    with pytest.raises(ValueError, match="amsgrad does not match the state"):
        update([np.ones(3)], state, params, Hyperparameters(amsgrad=True))
    with pytest.raises(TypeError, match="parameters must be floating-point"):
        init([np.arange(3)])
    assert params[0].tolist() == [0.0, 0.0, 0.0]


def _functional_setup():
    from adam.numpy import init

    p = [np.ones(3, np.float32)]
    g = [np.full(3, 0.5, np.float32)]
    return p, g, init(p)
