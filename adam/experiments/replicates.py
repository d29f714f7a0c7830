"""How many seeds a comparison needs: the run-to-run spread of a few training runs, and
the number of runs that tells two means apart.

A handful of runs gives a rough standard deviation. With three runs it is common to read
it off their range; the range of n normal draws is on average `d2(n)` standard
deviations (the d2 constant of quality control: 1.128 for two, 1.693 for three), not
six, so the standard deviation is about range / d2(n). The sample standard deviation,
pooled over several groups of runs that share a spread, uses the same runs better.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def d2(n: int) -> float:
    """Expected range of `n` independent standard normal draws (the d2 constant).

    E[max - min] = integral over x of 1 - Phi(x)^n - (1 - Phi(x))^n, computed on a fine
    grid.
    """
    if n < 2:
        raise ValueError(f"the range needs at least two draws, got n={n}")
    x = np.linspace(-10.0, 10.0, 200_001)
    phi = 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))
    integrand = 1.0 - phi**n - (1.0 - phi) ** n
    return float(np.sum(integrand) * (x[1] - x[0]))


def sd_from_range(values) -> float:
    """The standard deviation estimated from the range of a few runs: range / d2(n)."""
    values = np.asarray(values, dtype=float)
    return float((values.max() - values.min()) / d2(len(values)))


def pooled_sd(groups) -> float:
    """Sample standard deviation pooled over groups of runs (each group: one setting,
    several seeds), with sum(n_i - 1) degrees of freedom."""
    squares, dof = 0.0, 0
    for group in groups:
        group = np.asarray(group, dtype=float)
        if len(group) < 2:
            raise ValueError("every group needs at least two runs")
        squares += float(np.sum((group - group.mean()) ** 2))
        dof += len(group) - 1
    return math.sqrt(squares / dof)


def seeds_needed(
    sd: float, difference: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Runs per setting for a two-sided test at level `alpha` to detect a difference of
    means `difference` with probability `power`, when single runs spread with standard
    deviation `sd`: n = 2 (z_{1-alpha/2} + z_power)^2 sd^2 / difference^2 (the
    difference of two means of n runs has standard error sd * sqrt(2/n))."""
    if sd < 0 or difference <= 0:
        raise ValueError("sd must be >= 0 and difference > 0")
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return max(2, math.ceil(2 * (z * sd / difference) ** 2))
