"""An independent float64 transcription of Adam, element by element, for the tests.

Written straight from Algorithm 1 of Kingma & Ba (2015) and the switches' definitions,
in plain Python floats, sharing no code with the package.
"""

import math

import numpy as np


def reference_adam(
    params,
    grad_sequence,
    learning_rate=0.001,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    amsgrad=False,
    weight_decay=0.0,
    bias_correction=True,
    epsilon_hat=False,
):
    """Run Adam on a flat list of floats; `grad_sequence[t][i]` is the gradient of
    element i at step t+1. Returns the list of parameter lists after each step."""
    theta = [float(x) for x in params]
    m = [0.0] * len(theta)
    v = [0.0] * len(theta)
    v_max = [0.0] * len(theta)
    history = []
    for t, grads in enumerate(grad_sequence, start=1):
        for i, g in enumerate(grads):
            g = float(g)
            theta[i] *= 1.0 - learning_rate * weight_decay
            m[i] = beta_1 * m[i] + (1.0 - beta_1) * g
            v[i] = beta_2 * v[i] + (1.0 - beta_2) * g * g
            v_max[i] = max(v_max[i], v[i])
            second = v_max[i] if amsgrad else v[i]
            if not bias_correction:
                theta[i] -= learning_rate * m[i] / (math.sqrt(second) + epsilon)
            elif epsilon_hat:
                alpha_t = learning_rate * math.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
                theta[i] -= alpha_t * m[i] / (math.sqrt(second) + epsilon)
            else:
                m_hat = m[i] / (1.0 - beta_1**t)
                v_hat = second / (1.0 - beta_2**t)
                theta[i] -= learning_rate * m_hat / (math.sqrt(v_hat) + epsilon)
        history.append(list(theta))
    return history


def random_problem(
    seed, shapes=((3, 4), (5,), ()), steps=30, dtype=np.float64, scale=1.0
):
    """Parameters and `steps` gradients whose scales span orders of magnitude."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s).astype(dtype) for s in shapes]
    grads = [
        [
            (scale * rng.normal(size=s) * rng.lognormal(0, 2, size=s)).astype(dtype)
            for s in shapes
        ]
        for _ in range(steps)
    ]
    return params, grads
