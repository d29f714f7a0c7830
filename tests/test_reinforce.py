"""adam.experiments.reinforce: the corridor and the policy-gradient agent."""

import numpy as np
import pytest

from adam.numpy import Adam


def test_corridor_rules_and_reinforce_learns():
    from adam.experiments import reinforce

    env = reinforce.Corridor(length=6, step_cost=0.1)
    assert (
        env.start == 1
        and env.step(1, 0) == (0, -1.1, True)
        and env.step(4, 1) == (5, 0.9, True)
    )
    assert env.step(2, 1) == (3, -0.1, False)
    with pytest.raises(ValueError):
        reinforce.Corridor(length=2)
    logits = np.random.default_rng(0).normal(size=(6, 2))
    cells, actions = [1, 2, 3], [1, 1, 0]
    grad = reinforce.reinforce_gradient(
        logits, cells, actions, episode_return=1.0, baseline=0.0
    )

    def log_prob(z):
        return sum(np.log(reinforce.policy(z, c)[a]) for c, a in zip(cells, actions))

    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        e = np.zeros_like(logits)
        e[index] = 1e-6
        numeric[index] = -(log_prob(logits + e) - log_prob(logits - e)) / 2e-6
    np.testing.assert_allclose(grad, numeric, atol=1e-6)
    returns = reinforce.train(Adam(learning_rate=0.1), episodes=300, seed=0)
    assert returns[-50:].mean() > 0.8 > returns[:30].mean()
