"""Softmax (multinomial logistic) regression in NumPy: a small convex model with real
gradients.

Small enough to train in seconds on a CPU, so chapters can compare many optimizer
settings on real data; convex, so differences between runs come from the optimizer
alone.
"""

from __future__ import annotations

import numpy as np


def init_params(n_features: int, n_classes: int, dtype=np.float32) -> list[np.ndarray]:
    """Zero weights and biases (the loss is convex, so a zero start loses nothing)."""
    return [np.zeros((n_features, n_classes), dtype), np.zeros(n_classes, dtype)]


def loss_and_gradients(params, x, y):
    """Mean cross-entropy of ``softmax(x @ W + b)`` against integer labels `y`, and its
    gradients."""
    W, b = params
    logits = x @ W + b
    logits -= logits.max(axis=1, keepdims=True)  # stable softmax
    log_z = np.log(np.exp(logits).sum(axis=1, keepdims=True))
    log_p = logits - log_z
    n = len(y)
    loss = -log_p[np.arange(n), y].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    return float(loss), [x.T @ dlogits, dlogits.sum(axis=0)]


def accuracy(params, x, y) -> float:
    W, b = params
    return float(((x @ W + b).argmax(axis=1) == y).mean())


def train(optimizer, params, x, y, steps: int, batch_size: int = 128, seed: int = 0):
    """Minibatch training; returns the loss of each minibatch. Stops early (and pads the
    history with NaN) if the loss stops being finite."""
    rng = np.random.default_rng(seed)
    losses = np.full(steps, np.nan)
    order = rng.permutation(len(x))
    position = 0
    for t in range(steps):
        if position + batch_size > len(x):
            order, position = rng.permutation(len(x)), 0
        batch = order[position : position + batch_size]
        position += batch_size
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, grads = loss_and_gradients(params, x[batch], y[batch])
        if not (np.isfinite(loss) and all(np.isfinite(g).all() for g in grads)):
            break
        losses[t] = loss
        optimizer.step(params, grads)
    return losses
