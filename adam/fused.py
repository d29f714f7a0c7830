"""`FusedAdam`: the step of `adam.numpy.Adam` as one compiled loop (needs `numba`:
``pip install adam-book[fused]``).

NumPy runs a step as a dozen passes over each block of the arrays. A compiled loop makes
one pass: each element of p, g, m and v is read once and p, m, v written once, the 28
bytes per float32 parameter that bound any Adam step, and the loop is split over the
CPU's cores. The arithmetic is that of `adam.numpy.fast.adam_block`, in the same order
and the same dtype, so the results are identical to the last bit.

numba compiles the loop for native float32 and float64 arrays. `FusedAdam` accepts every
dtype `adam.numpy.Adam` accepts: float16, longdouble and byte-swapped arrays take
`Adam`'s NumPy step instead (the same bits, at NumPy's speed). The checks, the refusal
of a gradient too large for the dtype's moments, and the checkpoints are `Adam`'s: each
class loads the other's.
"""

from __future__ import annotations

import numba
import numpy as np

from adam.numpy.checks import check_finite
from adam.numpy.fast import Adam

#: The dtypes numba compiles the loop for; others take adam.numpy.Adam's NumPy step.
COMPILED = (np.dtype(np.float32), np.dtype(np.float64))


@numba.njit(parallel=True, fastmath={"reassoc"})
def _sum_of_squares(a):
    """Not finite when an element is not (or when the sum overflows). Reassociation
    only, so that the sum can be split over cores without assuming finiteness."""
    total = a.dtype.type(0)
    for i in numba.prange(a.size):
        total += a[i] * a[i]
    return total


def _check_finite_parallel(name, a):
    """`check_finite`, with the quick pass compiled; returns the sum of squares, as it
    does."""
    if a.dtype not in COMPILED or not a.flags.c_contiguous:
        return check_finite(name, a)
    total = _sum_of_squares(a.reshape(-1))
    if not np.isfinite(total):
        return check_finite(
            name, a
        )  # the exact test, which finds and names the bad element
    return total


@numba.njit(parallel=True, fastmath=False, cache=False)
def _fused_step(
    p, g, m, v, v_max, beta_1, one_minus_beta_1, beta_2, one_minus_beta_2, a, e, decay
):
    amsgrad = v_max.size > 0
    for i in numba.prange(p.size):
        g_i = g[i]
        m_i = m[i] * beta_1 + g_i * one_minus_beta_1
        v_i = v[i] * beta_2 + (g_i * g_i) * one_minus_beta_2
        m[i] = m_i
        v[i] = v_i
        if amsgrad:
            v_i = max(v_max[i], v_i)
            v_max[i] = v_i
        p_i = p[i] * decay if decay != 1 else p[i]
        denominator = np.sqrt(v_i) + e
        # No gradient, no step. The zero is the denominator itself, so that the
        # arithmetic stays in the parameter's dtype (a 0.0 literal would widen float32).
        ratio = m_i / denominator if denominator != 0 else denominator
        p[i] = p_i - ratio * a


class FusedAdam(Adam):
    """`adam.numpy.Adam` with its step compiled into one parallel loop; same arguments,
    checks and checkpoints.

    Checking the gradient for NaN and infinity before anything is written costs one more
    read of it (4 of 32 bytes per float32 parameter); it runs in parallel too. `threads`
    sets how many of numba's threads both use."""

    _check_finite = staticmethod(_check_finite_parallel)
    same_checkpoints_as = ("Adam",)

    def step(self, params, grads) -> None:
        previous = numba.get_num_threads()
        numba.set_num_threads(min(self.threads, numba.config.NUMBA_NUM_THREADS))
        try:
            super().step(params, grads)
        finally:
            numba.set_num_threads(previous)

    def _step_flat(self, p, g, m, v, v_max, scalars):
        if p.dtype not in COMPILED:  # float16, longdouble, byte-swapped: NumPy's step
            return super()._step_flat(p, g, m, v, v_max, scalars)
        _fused_step(
            p, g, m, v, np.empty(0, p.dtype) if v_max is None else v_max, *scalars
        )
