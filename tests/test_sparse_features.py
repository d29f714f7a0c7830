"""adam.experiments.sparse_features: rare features and their gradients."""

import numpy as np

from adam.experiments import sparse_features
from adam.numpy import SGD, Adam


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


def test_sparse_learns_reports_divergence():
    problem = sparse_features.make_problem(n=2000, d=20, seed=2)
    w = sparse_features.train(problem, Adam(learning_rate=0.05), steps=300)
    assert problem.loss(w) < 0.8 * problem.loss(np.zeros(20))
    assert sparse_features.train(problem, SGD(1e9), steps=50) is None
