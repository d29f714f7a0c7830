"""`Adam`: the mathematics of `adam.numpy.functional.update`, run in place and fast.

Adam is memory-bound: a step reads p, g, m, v and writes p, m, v. Two things keep the NumPy
version near what memory allows:

* No temporaries. Every operation writes into an existing array (``out=``); the only extra
  memory is one scratch block per dtype, made once.
* Cache-sized blocks. The dozen operations of a step run on one block of each array at a
  time, so each block is fetched from memory once and then stays in the L2 cache.

The three forms of the step (Algorithm 1, the reordered ``epsilon_hat`` form, no bias
correction) all reduce to ``p -= a * m / (sqrt(v) + e)`` with two scalars per step.
"""
from __future__ import annotations

import math

import numpy as np

from adam.hyperparameters import Hyperparameters
from adam.numpy.base import Optimizer

#: Elements per block. 64 Ki float32 values are 256 KiB per array: the five arrays a block
#: touches stay in L2/L3 cache, and each NumPy call does enough work to hide its ~1 us overhead.
BLOCK = 1 << 16


def folded_scalars(h: Hyperparameters, t: int) -> tuple[float, float]:
    """Scalars `a`, `e` with ``step = a * m / (sqrt(v) + e)`` at step `t`.

    Algorithm 1's ``lr * m_hat / (sqrt(v_hat) + eps)`` equals
    ``lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + eps * sqrt(1 - b2**t))``.
    """
    if not h.bias_correction:
        return h.learning_rate, h.epsilon
    correction_2 = math.sqrt(1 - h.beta_2**t)
    alpha_t = h.learning_rate * correction_2 / (1 - h.beta_1**t)
    return alpha_t, (h.epsilon if h.epsilon_hat else h.epsilon * correction_2)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) for a list of NumPy arrays, updated in place.

    >>> import numpy as np
    >>> w = np.array([1.0, -2.0])
    >>> opt = Adam(learning_rate=0.1)
    >>> opt.step([w], [np.array([0.5, -0.5])])
    >>> w      # the first step moves each coordinate by learning_rate, against the gradient
    array([ 0.9, -1.9])

    Arguments and defaults are those of Algorithm 1 (see `adam.hyperparameters.Hyperparameters`).
    Parameters keep their dtype: float32 stays float32.
    """

    hyperparameters_type = Hyperparameters
    non_negative_slots = ("second_moment", "max_second_moment")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 amsgrad=False, weight_decay=0.0, bias_correction=True, epsilon_hat=False):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         bias_correction=bias_correction, epsilon_hat=epsilon_hat)
        self._scratch: dict[np.dtype, np.ndarray] = {}    # one block per dtype

    @classmethod
    def slots_for(cls, hyperparameters):
        names = ("first_moment", "second_moment")
        return names + ("max_second_moment",) if hyperparameters.amsgrad else names

    def _apply(self, params, grads):
        h = self.hyperparameters
        a, e = folded_scalars(h, self.iterations + 1)
        decay = 1 - h.learning_rate * h.weight_decay
        slots = self._slots
        maxima = slots["max_second_moment"] if h.amsgrad else [None] * len(params)
        for p, g, m, v, v_max in zip(params, grads, slots["first_moment"],
                                     slots["second_moment"], maxima):
            # Scalars cast once to the parameter's dtype, as NumPy would at every call.
            cast = p.dtype.type
            scalars = (cast(h.beta_1), cast(1 - h.beta_1), cast(h.beta_2), cast(1 - h.beta_2),
                       cast(a), cast(e), cast(decay))
            # Flat views; a non-contiguous parameter goes through a contiguous copy.
            flat_p = p.reshape(-1) if p.flags.c_contiguous else np.ascontiguousarray(p).reshape(-1)
            self._step_flat(flat_p, np.ascontiguousarray(g).reshape(-1), m.reshape(-1),
                            v.reshape(-1), None if v_max is None else v_max.reshape(-1), scalars)
            if not p.flags.c_contiguous:
                p[...] = flat_p.reshape(p.shape)

    def _step_flat(self, p, g, m, v, v_max, scalars):
        """The step on flat, contiguous arrays (`v_max` is None without AMSGrad), one
        cache-sized block at a time."""
        scratch = self._scratch.get(p.dtype)
        if scratch is None or scratch.size != BLOCK:
            scratch = self._scratch[p.dtype] = np.empty(BLOCK, p.dtype)
        for lo in range(0, p.size, BLOCK):
            hi = min(lo + BLOCK, p.size)
            _adam_block(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi],
                        None if v_max is None else v_max[lo:hi], scratch[: hi - lo], *scalars)

def _adam_block(p, g, m, v, v_max, s, beta_1, one_minus_beta_1, beta_2, one_minus_beta_2,
                a, e, decay):
    """One block of the step, in place; `s` is scratch. Same order of operations as
    `functional.update`, so m and v match it bit for bit."""
    if decay != 1:
        np.multiply(p, decay, out=p)
    np.multiply(m, beta_1, out=m)             # m = beta_1 m + (1 - beta_1) g
    np.multiply(g, one_minus_beta_1, out=s)
    np.add(m, s, out=m)
    np.square(g, out=s)                       # v = beta_2 v + (1 - beta_2) g^2
    np.multiply(s, one_minus_beta_2, out=s)
    np.multiply(v, beta_2, out=v)
    np.add(v, s, out=v)
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)
        v = v_max
    np.sqrt(v, out=s)                         # p -= a m / (sqrt(v) + e)
    np.add(s, e, out=s)
    np.divide(m, s, out=s)
    np.multiply(s, a, out=s)
    np.subtract(p, s, out=p)
