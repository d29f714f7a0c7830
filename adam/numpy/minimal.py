"""Adam in a dozen lines: Algorithm 1 of Kingma & Ba (2015), one line per formula.

The teaching version that chapter 1 shows: no input checks and no switches.
`adam.numpy.update` is the checked, complete version and `adam.numpy.Adam` the fast
one; the tests check that all three agree with a transcription of the paper.
"""
import numpy as np


def adam_step(theta, g, m, v, t,
              alpha=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """Step t = 1, 2, ... of Adam; returns the new theta, m, v. The teaching version:
    no checks, no switches (`adam.numpy.update` is the checked one)."""
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m / (1 - beta_1**t)
    v_hat = v / (1 - beta_2**t)
    theta = theta - alpha * m_hat / (np.sqrt(v_hat) + epsilon)
    return theta, m, v
