"""The softmax-regression model used by the chapters: correct gradients, training that
stops on divergence."""

import numpy as np

from adam.experiments import softmax
from adam.numpy import SGD, Adam


def data(seed=0, n=64, d=5, k=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, (x @ rng.normal(size=(d, k))).argmax(axis=1)  # learnable labels


def test_gradients_match_finite_differences():
    x, y = data()
    rng = np.random.default_rng(1)
    params = [rng.normal(size=(5, 3)), rng.normal(size=3)]
    _, grads = softmax.loss_and_gradients(params, x, y)
    h = 1e-6
    for p, g in zip(params, grads):
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up, _ = softmax.loss_and_gradients(params, x, y)
            p[idx] = old - h
            down, _ = softmax.loss_and_gradients(params, x, y)
            p[idx] = old
            assert abs((up - down) / (2 * h) - g[idx]) < 1e-6


def test_zero_start_loss_log_k_then_lower():
    x, y = data()
    params = softmax.init_params(5, 3, dtype=np.float64)
    loss, _ = softmax.loss_and_gradients(params, x, y)
    assert np.isclose(loss, np.log(3))
    losses = softmax.train(Adam(0.05), params, x, y, steps=100, batch_size=16)
    assert losses[-10:].mean() < 0.9 * np.log(3)
    assert 0 <= softmax.accuracy(params, x, y) <= 1


def test_divergence_stops_with_nan():
    x, y = data()
    x = (x * 1e30).astype(np.float32)  # one large step overflows float32 logits
    params = softmax.init_params(5, 3, dtype=np.float32)
    with np.errstate(over="ignore"):  # the overflowing step is the point of the test
        losses = softmax.train(SGD(1e10), params, x, y, steps=20, batch_size=16)
    assert np.isnan(losses[-1]) and np.isfinite(losses[0])
