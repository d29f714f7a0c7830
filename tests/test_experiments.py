"""adam.experiments.online (Reddi et al.'s counterexample) and
adam.experiments.sparse_features."""

import numpy as np
import pytest

from adam.experiments import online, sparse_features
from adam.numpy import SGD, Adam


def test_online_gradients_follow_the_three_step_pattern():
    assert [online.gradient(t, 3.0) for t in range(1, 7)] == [
        3.0,
        -1.0,
        -1.0,
        3.0,
        -1.0,
        -1.0,
    ]


def test_adam_drifts_to_the_worst_point_and_amsgrad_does_not():
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


def test_sparse_problem_frequencies_and_gradient():
    problem = sparse_features.make_problem(n=4000, d=20, seed=1)
    observed = problem.features.mean(axis=0)
    assert np.all(np.diff(problem.frequencies) < 0)
    np.testing.assert_allclose(observed[:5], problem.frequencies[:5], atol=0.03)
    w = np.random.default_rng(0).normal(size=20)
    rows = np.arange(500)
    numeric = np.array(
        [
            (problem.loss(w + 1e-6 * e, rows) - problem.loss(w - 1e-6 * e, rows)) / 2e-6
            for e in np.eye(20)
        ]
    )
    np.testing.assert_allclose(problem.gradient(w, rows), numeric, rtol=1e-5, atol=1e-8)


def test_sparse_training_learns_and_reports_divergence():
    problem = sparse_features.make_problem(n=2000, d=20, seed=2)
    w = sparse_features.train(problem, Adam(learning_rate=0.05), steps=300)
    assert problem.loss(w) < 0.8 * problem.loss(np.zeros(20))
    assert sparse_features.train(problem, SGD(1e9), steps=50) is None


def test_transformer_schedule_peaks_at_the_end_of_warm_up():
    from adam.experiments.schedules import transformer_learning_rate

    steps = np.arange(1, 20_001)
    rates = transformer_learning_rate(steps, d_model=512, warmup_steps=4000)
    assert steps[rates.argmax()] == 4000
    assert rates.max() == pytest.approx((512 * 4000) ** -0.5)
    assert np.all(np.diff(rates[:3999]) > 0) and np.all(np.diff(rates[4000:]) < 0)
    with pytest.raises(ValueError, match="from 1"):
        transformer_learning_rate(0)


def test_adaptive_rate_spread_shrinks():
    from adam.experiments.schedules import adaptive_rate_spread

    spread = adaptive_rate_spread(steps=200, streams=4000)
    assert spread[0] > 20 and spread[-1] < 1.5 and spread[-1] < spread[9] < spread[0]


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


def test_glue_hands_over_plain_numbers():
    from adam.book.glue import glue, glued

    glue("a_numpy_float", np.float64(1.5), display=False)
    glue("a_numpy_int", np.int64(3), display=False)
    assert type(glued["a_numpy_float"]) is float and type(glued["a_numpy_int"]) is int


def test_ulps_counts_float32_spacings_of_the_largest_entry():
    from adam.experiments.agreement import ulps

    a = np.array([1.0, 0.5], np.float32)
    one_spacing = a.astype(np.float64) + [np.spacing(np.float32(1.0)), 0.0]
    assert ulps([a], [a]) == 0.0
    assert ulps([a], [one_spacing]) == 1.0
