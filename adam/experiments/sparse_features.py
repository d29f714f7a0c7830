"""Logistic regression with binary features of very different frequencies.

Feature j is present in a fraction ``frequencies[j]`` of the examples, from common (one
in two) to rare (one in five hundred). A fixed learning rate that is safe for the common
features is too small for the rare ones; per-coordinate step sizes (AdaGrad, Adam) fix
that.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Problem:
    features: np.ndarray  # (n, d) of 0.0 / 1.0
    labels: np.ndarray  # (n,) of 0.0 / 1.0
    true_weights: np.ndarray  # (d,)
    frequencies: np.ndarray  # (d,)

    def loss(self, w: np.ndarray, rows=slice(None)) -> float:
        """Mean logistic loss (cross-entropy) over `rows`."""
        z = self.features[rows] @ w
        return float(np.mean(np.logaddexp(0.0, z) - self.labels[rows] * z))

    def gradient(self, w: np.ndarray, rows) -> np.ndarray:
        x = self.features[rows]
        z = x @ w
        p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function, without overflow
        return x.T @ (p - self.labels[rows]) / len(z)


def make_problem(
    n: int = 10_000,
    d: int = 100,
    most: float = 0.5,
    least: float = 0.002,
    weight_scale: float = 2.0,
    seed: int = 0,
) -> Problem:
    """Labels drawn from a logistic model with weights N(0, weight_scale^2)."""
    rng = np.random.default_rng(seed)
    frequencies = np.geomspace(most, least, d)
    features = (rng.random((n, d)) < frequencies).astype(np.float64)
    true_weights = rng.normal(0.0, weight_scale, size=d)
    z = features @ true_weights
    labels = (rng.random(n) < 0.5 * (1.0 + np.tanh(0.5 * z))).astype(np.float64)
    return Problem(features, labels, true_weights, frequencies)


def train(
    problem: Problem, optimizer, steps: int = 1000, batch_size: int = 32, seed: int = 0
):
    """Minibatch training from zero weights; returns the weights, or None if they
    diverged."""
    rng = np.random.default_rng(seed)
    w = np.zeros(problem.features.shape[1])
    for _ in range(steps):
        rows = rng.integers(0, len(problem.labels), batch_size)
        optimizer.step([w], [problem.gradient(w, rows)])
        if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e6:
            return None
    return w
