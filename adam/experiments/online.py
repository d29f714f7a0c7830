"""The online problem on which Adam fails to converge (Reddi, Kale & Kumar, 2018, Sec.
3).

On the interval [-1, 1] the loss at step t is ``C * x`` when ``t % 3 == 1`` and ``-x``
otherwise, with ``C > 2``. Over every three steps the sum is ``(C - 2) x``, so the best
fixed point is ``x = -1``. With ``beta_1 = 0`` and ``beta_2 = 1 / (1 + C**2)`` Adam's
large, rare gradient ``C`` is damped by its own second moment within a step, while the
frequent ``-1`` gradients are not, and Adam drifts to ``x = +1``. AMSGrad, which never
lets the second moment shrink, does not.
"""

from __future__ import annotations

import numpy as np

from adam.numpy import Adam


def gradient(t: int, C: float) -> float:
    """Gradient of the step-t loss (t counts from 1)."""
    return C if t % 3 == 1 else -1.0


def run(
    C: float = 3.0,
    steps: int = 30_000,
    learning_rate: float = 0.1,
    amsgrad: bool = False,
    x0: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Projected online Adam: beta_1 = 0, beta_2 = 1/(1+C^2), step size lr/sqrt(t).

    Returns the iterates x_t and the average regret R_t / t against the best point, -1.
    """
    if not C > 2:
        raise ValueError(f"the counterexample needs C > 2, got {C!r}")
    x = np.array([float(x0)])
    beta_2 = 1.0 / (1.0 + C * C)
    opt = Adam(learning_rate=learning_rate, beta_1=0.0, beta_2=beta_2, amsgrad=amsgrad)
    xs = np.empty(steps)
    regret = np.empty(steps)
    total = 0.0
    for t in range(1, steps + 1):
        g = gradient(t, C)
        total += g * x[0] - g * (-1.0)  # the iterate's loss minus the best point's
        regret[t - 1] = total / t
        opt.learning_rate = learning_rate / np.sqrt(t)  # the theorem's decaying step
        opt.step([x], [np.array([g])])
        np.clip(x, -1.0, 1.0, out=x)  # projection onto the feasible interval
        xs[t - 1] = x[0]
    return xs, regret
