"""`FusedAdam`: the step of `adam.numpy.Adam` as one compiled loop (needs `numba`:
``pip install adam-book[fused]``).

NumPy runs a step as a dozen passes over each block of the arrays. A compiled loop makes one
pass: each element of p, g, m and v is read once and p, m, v written once, the 28 bytes per
float32 parameter that bound any Adam step, and the loop is split over the CPU's cores.
The arithmetic is that of `adam.numpy.fast._adam_block`, in the same order and the same dtype,
so the results are identical to the last bit.
"""
from __future__ import annotations

import numba
import numpy as np

from adam.numpy.checks import check_finite
from adam.numpy.fast import Adam, folded_scalars


@numba.njit(parallel=True, fastmath={"reassoc"})
def _zero_unless_non_finite(a):
    """0 when every element is finite, NaN otherwise (inf * 0 and NaN * 0 are NaN).
    Reassociation only, so that the sum can be split over cores without assuming finiteness."""
    total = a.dtype.type(0)
    for i in numba.prange(a.size):
        total += a[i] * a.dtype.type(0)
    return total


def _check_finite_parallel(name, a):
    if a.dtype.kind != "f" or _zero_unless_non_finite(a.reshape(-1)) != 0:
        check_finite(name, a)        # the exact test, which finds and names the bad element


@numba.njit(parallel=True, fastmath=False, cache=False)
def _fused_step(p, g, m, v, v_max, beta_1, one_minus_beta_1, beta_2, one_minus_beta_2,
                a, e, decay):
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
        p[i] = p_i - (m_i / (np.sqrt(v_i) + e)) * a


class FusedAdam(Adam):
    """`adam.numpy.Adam` with its step compiled into one parallel loop; same arguments,
    checks and checkpoints.

    Checking the gradient for NaN and infinity before anything is written costs one more read
    of it (4 of 32 bytes per float32 parameter); it runs on all cores too."""

    _check_finite = staticmethod(_check_finite_parallel)

    def _apply(self, params, grads):
        h = self.hyperparameters
        a, e = folded_scalars(h, self.iterations + 1)
        decay = 1 - h.learning_rate * h.weight_decay
        slots = self._slots
        maxima = slots["max_second_moment"] if h.amsgrad else [None] * len(params)
        for p, g, m, v, v_max in zip(params, grads, slots["first_moment"],
                                     slots["second_moment"], maxima):
            cast = p.dtype.type
            flat_p = p.reshape(-1) if p.flags.c_contiguous else np.ascontiguousarray(p).reshape(-1)
            flat_max = np.empty(0, p.dtype) if v_max is None else v_max.reshape(-1)
            _fused_step(flat_p, np.ascontiguousarray(g).reshape(-1), m.reshape(-1), v.reshape(-1),
                        flat_max, cast(h.beta_1), cast(1 - h.beta_1), cast(h.beta_2),
                        cast(1 - h.beta_2), cast(a), cast(e), cast(decay))
            if not p.flags.c_contiguous:
                p[...] = flat_p.reshape(p.shape)
