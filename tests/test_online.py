"""adam.experiments.online: Reddi et al.'s counterexample, where Adam drifts."""

import pytest

from adam.experiments import online


def test_gradients_follow_3_step_pattern():
    assert [online.gradient(t, 3.0) for t in range(1, 7)] == [
        3.0,
        -1.0,
        -1.0,
        3.0,
        -1.0,
        -1.0,
    ]


def test_adam_drifts_to_worst_amsgrad_not():
    xs, regret = online.run(C=3.0, steps=30_000)
    assert xs[-3:].min() > 0.99  # x = +1, where the loss is largest
    assert (
        abs(regret[-1] - (2 * 3.0 - 4) / 3) < 0.02
    )  # average regret stays at (2C - 4)/3
    xs, regret = online.run(C=3.0, steps=30_000, amsgrad=True)
    assert xs[-3:].max() < -0.99
    assert regret[-1] < 0.05 and regret[-1] < regret[len(regret) // 10]


def test_online_refuses_c_at_most_two():
    with pytest.raises(ValueError, match="C > 2"):
        online.run(C=2.0, steps=10)
