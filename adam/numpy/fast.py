"""`Adam`: the mathematics of `adam.numpy.functional.update`, run in place and fast.

Adam is memory-bound: a step reads p, g, m, v and writes p, m, v. Two things keep the
NumPy version near what memory allows:

* No temporaries. Every operation writes into an existing array (``out=``); the only
  extra memory is one scratch block per dtype and thread, made once.
* Cache-sized blocks. The dozen operations of a step run on one block of each array at a
  time, so each block is fetched from memory once and then stays in cache.
* Threads. NumPy releases the GIL inside its loops, so the blocks of a large array are
  shared between threads, one per core. Every element goes through the same operations
  whichever thread takes its block: the result does not depend on the number of threads.

The three forms of the step (Algorithm 1, the reordered ``epsilon_hat`` form, no bias
correction) all reduce to ``p -= a * m / (sqrt(v) + e)`` with two scalars per step. They
are computed in float64 and only then cast to the parameter's dtype, once. Where
``sqrt(v) + e`` is 0 (no gradient yet, epsilon = 0 or rounded to 0 in float16) the step
is 0.

Low precision: a gradient whose square overflows the parameter's dtype (|g| > 256 in
float16, > 1.8e19 in float32) would make v infinite and freeze its weight for good. The
step refuses it before writing anything (`MomentOverflowError`). The test costs nothing
on the common path: the finite check's sum of squares bounds every square, so a running
bound on the moments (Python floats) proves most steps safe; only a step near the limit
computes its new moments in full first.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np

from adam.hyperparameters import Hyperparameters
from adam.numpy.base import Optimizer
from adam.numpy.checks import check_finite, check_scalar_fits, moment_overflow

#: Elements per block. 256 Ki float32 values are 1 MiB per array, so the five arrays a
#: block touches stay in the last-level cache. Each NumPy call then loops for tens of
#: microseconds, against its ~1 us of Python, during which a thread holds the GIL and
#: the others wait.
BLOCK = 1 << 18


def default_threads() -> int:
    """The cores this process may run on (at most 8: memory, not arithmetic, limits
    beyond)."""
    cores = (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count()
    )
    return max(1, min(8, cores or 1))


def check_threads(threads) -> int:
    if threads is None:
        return default_threads()
    if (
        isinstance(threads, bool)
        or not isinstance(threads, (int, np.integer))
        or threads < 1
    ):
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
    return int(threads)


def _pool(threads: int) -> ThreadPoolExecutor:
    # One pool per thread count, shared by every optimizer, made on first use. Keyed by
    # the process too: a child made by fork() inherits the pool but not its threads.
    return _pool_of_process(os.getpid(), threads)


@cache
def _pool_of_process(pid: int, threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="adam-step")


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
    >>> w      # the first step moves each coordinate by learning_rate, against g
    array([ 0.9, -1.9])

    Arguments and defaults are those of Algorithm 1 (see
    `adam.hyperparameters.Hyperparameters`). Parameters keep their dtype: float32 stays
    float32. `threads` is how many threads share the blocks of a large parameter
    (default: the cores available, at most 8); it changes the speed, never the result,
    and is not part of the checkpoint.
    """

    hyperparameters_type = Hyperparameters
    non_negative_slots = ("second_moment", "max_second_moment")
    same_checkpoints_as = ("FusedAdam",)  # the same step, compiled (adam.fused)

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        amsgrad=False,
        weight_decay=0.0,
        bias_correction=True,
        epsilon_hat=False,
        *,
        threads=None,
    ):
        threads = check_threads(threads)
        # Every keyword by name, as Keras's adamw.py passes them on: each argument can
        # be followed from the signature to the one check. Alike in every optimizer of
        # the package, and deliberately so (`duplicates` lists these lists as pairs).
        super().__init__(
            Hyperparameters(
                learning_rate=learning_rate,
                beta_1=beta_1,
                beta_2=beta_2,
                epsilon=epsilon,
                amsgrad=amsgrad,
                weight_decay=weight_decay,
                bias_correction=bias_correction,
                epsilon_hat=epsilon_hat,
            )
        )
        self.threads = threads
        self._scratch: dict[
            tuple[np.dtype, int], np.ndarray
        ] = {}  # one block per dtype and thread
        self._bounds = None  # per parameter: upper bounds on max(v, v_max) and max|m|

    # A checked property, as `Optimizer.iterations` is (alike, deliberately).
    @property
    def threads(self) -> int:
        return self._threads

    @threads.setter
    def threads(self, value) -> None:
        self._threads = check_threads(value)

    def _forget_caches(self):
        self._bounds = None

    def _check_finite(self, name, a):
        """`check_finite`, with the quick pass over a large gradient shared between
        threads."""
        threads = min(self.threads, a.size // BLOCK)
        if threads <= 1 or a.dtype.kind != "f" or not a.flags.c_contiguous:
            return check_finite(name, a)

        def sum_of_squares(part):
            with np.errstate(over="ignore", invalid="ignore", under="ignore"):
                return np.dot(part, part)

        parts = np.array_split(a.reshape(-1), threads)
        total = sum(_pool(threads).map(sum_of_squares, parts))
        if not np.isfinite(total):
            return check_finite(
                name, a
            )  # the exact test, which finds and names the bad element
        return total

    @classmethod
    def slots_for(cls, hyperparameters):
        names = ("first_moment", "second_moment")
        return names + ("max_second_moment",) if hyperparameters.amsgrad else names

    def _moment_bounds(self, params, grads):
        """Refuse the step (`MomentOverflowError`) if it would make m or v infinite.

        Returns new upper bounds on max(v, v_max) and max|m| per parameter. With ``G``
        the finite check's sum of squares (at least every rounded square g*g), one step
        gives ``v <= (b2 V + (1 - b2) G)(1 + 8 eps)``, all in float64, with the scalars
        as cast to the dtype. When a bound reaches the dtype's largest value, the new
        moments are computed exactly as the step will, and checked. An instance whose
        finite check was switched off (returns None) gets no guard either."""
        quick = self._quick
        if len(quick) != len(params) or any(q is None for q in quick):
            return None
        h = self.hyperparameters
        bounds = self._bounds or [None] * len(params)
        slots = self._slots
        new_bounds, constants = [], {}
        for i, (p, g, G) in enumerate(zip(params, grads, quick)):
            cast = p.dtype.type
            m, v = slots["first_moment"][i], slots["second_moment"][i]
            v_max = slots["max_second_moment"][i] if h.amsgrad else v
            if (
                bounds[i] is None
            ):  # first step, or a loaded state: read the moments once
                bounds[i] = (max(_largest(v), _largest(v_max)), _largest(m))
            v_peak, m_peak = bounds[i]
            if p.dtype not in constants:  # the scalars as cast, the growth, the limit
                finfo = np.finfo(p.dtype)
                constants[p.dtype] = (
                    *(
                        float(cast(x))
                        for x in (h.beta_1, 1 - h.beta_1, h.beta_2, 1 - h.beta_2)
                    ),
                    1 + 8 * float(finfo.eps),
                    min(float(finfo.max), _FLOAT64_MAX),
                )
            b1, c1, b2, c2, grow, limit = constants[p.dtype]
            G = float(G)
            v_bound = (b2 * v_peak + c2 * G) * grow
            m_bound = (b1 * m_peak + c1 * math.sqrt(G)) * grow
            if not (
                v_bound < limit and m_bound < limit
            ):  # near the limit: compute them
                with np.errstate(over="ignore", invalid="ignore", under="ignore"):
                    v_new = v * cast(b2) + np.square(g) * cast(c2)
                    m_new = m * cast(b1) + g * cast(c1)
                for name, new in (("second moment", v_new), ("first moment", m_new)):
                    if not np.isfinite(new).all():
                        raise moment_overflow(i, p.dtype, name)
                v_bound, m_bound = _largest(v_new), _largest(m_new)
            new_bounds.append((max(v_bound, v_peak) if h.amsgrad else v_bound, m_bound))
        return new_bounds

    def _apply(self, params, grads):
        h = self.hyperparameters
        t = self.iterations + 1
        a, e = folded_scalars(h, t)
        if a != h.learning_rate:  # learning_rate itself was checked with the betas
            check_scalar_fits(
                "learning_rate",
                h.learning_rate,
                params,
                what=(
                    "its step scalar learning_rate * sqrt(1 - beta_2**t) / (1 - "
                    f"beta_1**t) at t={t}"
                ),
                value_used=a,
            )
        self._bounds = self._moment_bounds(
            params, grads
        )  # may refuse: nothing written yet
        decay = 1 - h.learning_rate * h.weight_decay
        slots = self._slots
        maxima = slots["max_second_moment"] if h.amsgrad else [None] * len(params)
        for p, g, m, v, v_max in zip(
            params, grads, slots["first_moment"], slots["second_moment"], maxima
        ):
            # Scalars cast once to the parameter's dtype, as NumPy would at every call.
            cast = p.dtype.type
            scalars = (
                cast(h.beta_1),
                cast(1 - h.beta_1),
                cast(h.beta_2),
                cast(1 - h.beta_2),
                cast(a),
                cast(e),
                cast(decay),
            )
            # Flat views; a non-contiguous parameter goes through a contiguous copy.
            flat_p = (
                p.reshape(-1)
                if p.flags.c_contiguous
                else np.ascontiguousarray(p).reshape(-1)
            )
            self._step_flat(
                flat_p,
                np.ascontiguousarray(g).reshape(-1),
                m.reshape(-1),
                v.reshape(-1),
                None if v_max is None else v_max.reshape(-1),
                scalars,
            )
            if not p.flags.c_contiguous:
                p[...] = flat_p.reshape(p.shape)

    def _step_flat(self, p, g, m, v, v_max, scalars):
        """The step on flat, contiguous arrays (`v_max` is None without AMSGrad), one
        cache-sized block at a time; with k threads, thread i takes blocks i, i + k,
        ..."""
        starts = range(0, p.size, BLOCK)
        threads = max(1, min(self.threads, len(starts)))
        # NumPy's error handling is per thread: pass the caller's on, but for underflow,
        # which is harmless and would stop a step halfway (np.seterr(all="raise"))
        errors = {**np.geterr(), "under": "ignore"}

        def run(first):
            scratch = self._block_scratch(p.dtype, first)
            # With epsilon = 0 the division needs a mask of the zero denominators
            # (scratch).
            epsilon = scalars[
                5
            ]  # (beta_1, 1 - beta_1, beta_2, 1 - beta_2, a, e, decay)
            mask = self._block_scratch(np.dtype(bool), first) if epsilon == 0 else None
            with np.errstate(**errors):
                for lo in starts[first::threads]:
                    hi = min(lo + BLOCK, p.size)
                    adam_block(
                        p[lo:hi],
                        g[lo:hi],
                        m[lo:hi],
                        v[lo:hi],
                        None if v_max is None else v_max[lo:hi],
                        scratch[: hi - lo],
                        *scalars,
                        mask=None if mask is None else mask[: hi - lo],
                    )

        if threads <= 1:
            run(0)
        else:
            for done in [_pool(threads).submit(run, i) for i in range(threads)]:
                done.result()

    def _block_scratch(self, dtype, thread):
        scratch = self._scratch.get((dtype, thread))
        if scratch is None or scratch.size != BLOCK:
            scratch = self._scratch[dtype, thread] = np.empty(BLOCK, dtype)
        return scratch


_FLOAT64_MAX = float(np.finfo(np.float64).max)


def _largest(a) -> float:
    """max |a| as a float (0 for an empty array), without a temporary array."""
    return max(float(a.max()), -float(a.min())) if a.size else 0.0


def adam_block(
    p,
    g,
    m,
    v,
    v_max,
    s,
    beta_1,
    one_minus_beta_1,
    beta_2,
    one_minus_beta_2,
    a,
    e,
    decay,
    mask=None,
):
    """One block of the step, in place; `s` is scratch, and so is `mask` (needed when
    e = 0). Same order of operations as `functional.update`: m and v match its bits."""
    if decay != 1:
        np.multiply(p, decay, out=p)
    np.multiply(m, beta_1, out=m)  # m = beta_1 m + (1 - beta_1) g
    np.multiply(g, one_minus_beta_1, out=s)
    np.add(m, s, out=m)
    np.square(g, out=s)  # v = beta_2 v + (1 - beta_2) g^2
    np.multiply(s, one_minus_beta_2, out=s)
    np.multiply(v, beta_2, out=v)
    np.add(v, s, out=v)
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)
        v = v_max
    np.sqrt(v, out=s)  # p -= a m / (sqrt(v) + e)
    if e:
        np.add(s, e, out=s)
        np.divide(m, s, out=s)
    else:  # where sqrt(v) = 0, s stays 0: no gradient, no step
        np.not_equal(s, 0, out=mask)
        np.divide(m, s, out=s, where=mask)
    np.multiply(s, a, out=s)
    np.subtract(p, s, out=p)
