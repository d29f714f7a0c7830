"""Learning-rate schedules used with Adam in the literature, as plain functions of the
step."""

from __future__ import annotations

import numpy as np


def transformer_learning_rate(step, d_model: int = 512, warmup_steps: int = 4000):
    """Vaswani et al. (2017), Sec. 5.3:
    ``d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)``.

    It rises linearly for `warmup_steps` steps, peaks at ``(d_model *
    warmup_steps)^-0.5`` and then decays as ``1/sqrt(step)``. Steps count from 1.
    """
    step = np.asarray(step, dtype=float)
    if np.any(step < 1):
        raise ValueError("steps count from 1")
    return d_model**-0.5 * np.minimum(step**-0.5, step * warmup_steps**-1.5)


def adaptive_rate_spread(
    beta_2: float = 0.999,
    steps: int = 1000,
    streams: int = 10_000,
    seed: int = 0,
    quantiles=(0.05, 0.95),
) -> np.ndarray:
    """How uncertain Adam's per-coordinate scale ``1/sqrt(v_hat_t)`` is at each step.

    For `streams` independent streams of standard normal gradients, returns for each
    step t the ratio between the upper and lower `quantiles` of ``1/sqrt(v_hat_t)``
    across the streams. Liu et al. (2020) argue that this spread, huge in the first
    steps, is why warm-up helps.
    """
    rng = np.random.default_rng(seed)
    v = np.zeros(streams)
    ratios = np.empty(steps)
    for t in range(1, steps + 1):
        g = rng.standard_normal(streams)
        v = beta_2 * v + (1 - beta_2) * g * g
        scale = 1 / np.sqrt(v / (1 - beta_2**t))
        low, high = np.quantile(scale, quantiles)
        ratios[t - 1] = high / low
    return ratios
