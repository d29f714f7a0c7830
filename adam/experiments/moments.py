"""Adam's own moment estimates m_t and v_t along a stream of gradients.

The stream does not depend on the parameters, so it can be anything: noise with a known
mean and variance, a constant, a sudden change. Each coordinate of a gradient is an
independent stream, so one call can follow thousands of streams at once (to estimate
expectations). The values come from `adam.numpy.update` itself, not from a second copy
of the formulas.
"""

from __future__ import annotations

import numpy as np

from adam.hyperparameters import Hyperparameters
from adam.numpy.functional import init, update


def moment_traces(gradients, beta_1: float = 0.9, beta_2: float = 0.999):
    """Run Adam on `gradients` (shape ``(T, ...)``, float64) and return its raw
    (uncorrected) first and second moments after each step, two arrays of that shape."""
    gradients = np.asarray(gradients, dtype=np.float64)
    hyperparameters = Hyperparameters(beta_1=beta_1, beta_2=beta_2)
    params = [np.zeros(gradients.shape[1:])]
    state = init(params)
    first, second = np.empty_like(gradients), np.empty_like(gradients)
    for t, g in enumerate(gradients):
        params, state = update([g], state, params, hyperparameters)
        first[t], second[t] = state.first_moment[0], state.second_moment[0]
    return first, second
