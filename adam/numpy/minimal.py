"""Adam and the methods it grew out of, each in a few lines of NumPy.

`adam_step` is Algorithm 1 of Kingma & Ba (2015), one line per formula; chapter 1 shows
it. `sgd_step`, `momentum_step`, `adagrad_step` and `rmsprop_step` are the classic rules
that chapter 2 shows. These are teaching versions: no input checks and no switches.
The classes are the checked ones: `adam.numpy.update` (complete) and `adam.numpy.Adam`
(fast), and `adam.numpy.SGD`, `AdaGrad` and `RMSProp`. The tests check that each
function agrees with its class (and `adam_step` with a transcription of the paper).
"""

import numpy as np


def adam_step(theta, g, m, v, t, alpha=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """Step t = 1, 2, ... of Adam; returns the new theta, m, v. The teaching version:
    no checks, no switches (`adam.numpy.update` is the checked one)."""
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m / (1 - beta_1**t)
    v_hat = v / (1 - beta_2**t)
    theta = theta - alpha * m_hat / (np.sqrt(v_hat) + epsilon)
    return theta, m, v


def sgd_step(theta, g, alpha=0.01):
    """Gradient descent; returns the new theta (`adam.numpy.SGD` is the checked one)."""
    return theta - alpha * g


def momentum_step(theta, g, u, alpha=0.01, mu=0.9):
    """Momentum, starting from u = 0; returns the new theta, u.
    (`adam.numpy.SGD(alpha, momentum=mu)` is the checked one.)"""
    u = mu * u + g
    theta = theta - alpha * u
    return theta, u


def adagrad_step(theta, g, s, alpha=0.01, epsilon=1e-8):
    """AdaGrad, starting from s = 0; returns the new theta, s.
    (`adam.numpy.AdaGrad` is the checked one.)"""
    s = s + g * g
    theta = theta - alpha * g / (np.sqrt(s) + epsilon)
    return theta, s


def rmsprop_step(theta, g, s, alpha=1e-3, rho=0.9, epsilon=1e-8):
    """RMSProp, starting from s = 0; returns the new theta, s.
    (`adam.numpy.RMSProp` is the checked one.)"""
    s = rho * s + (1 - rho) * g * g
    theta = theta - alpha * g / (np.sqrt(s) + epsilon)
    return theta, s
