"""Adam as two pure functions, in the style of Optax: ``init(params) -> state`` and
``update(grads, state, params) -> (params, state)``.

This is the version the book shows: one line per formula of Algorithm 1 (Kingma & Ba,
2015). It allocates new arrays at every step and never changes its inputs.
`adam.numpy.Adam` runs the same mathematics in place, in cache-sized blocks; the tests
check that the two agree.

Like `Adam`, `update` refuses a gradient whose square overflows the parameter's dtype
(|g| > 256 in float16): the moments would be infinite and the weight would never move
again (`MomentOverflowError`). Where ``sqrt(v_hat) + epsilon`` is 0 (no gradient yet,
and epsilon 0 or rounded to 0 in the dtype, as 1e-8 is in float16) the step is 0.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from adam.hyperparameters import Hyperparameters
from adam.iterations import check_iterations
from adam.numpy.checks import (
    check_decay_rates,
    check_finite,
    check_grad_list,
    check_param_list,
    moment_overflow,
)
from adam.numpy.division import divide_no_nan


class AdamState(NamedTuple):
    """Everything Adam remembers between steps."""

    step: int  # t, the number of updates made so far
    first_moment: tuple[np.ndarray, ...]  # m: moving average of g
    second_moment: tuple[np.ndarray, ...]  # v: moving average of g**2 (uncentered)
    max_second_moment: tuple[np.ndarray, ...] | None = None  # AMSGrad: running max of v


def init(params, amsgrad: bool = False) -> AdamState:
    """Zero moments, one pair per parameter (plus AMSGrad's maximum when asked for)."""
    params = check_param_list(params, in_place=False)
    zeros = lambda: tuple(np.zeros_like(p) for p in params)  # noqa: E731
    return AdamState(
        step=0,
        first_moment=zeros(),
        second_moment=zeros(),
        max_second_moment=zeros() if amsgrad else None,
    )


def check_state(state, params, h) -> int:
    """The checks the classes apply to a loaded state_dict: `step` a non-negative
    integer (returned as a Python int), and each moment one array per parameter, of its
    shape and dtype, finite; the second moments (and AMSGrad's maxima) not negative."""
    if not isinstance(state, AdamState):
        raise TypeError(
            f"state must be an AdamState from init(params), got {type(state).__name__}"
        )
    step = check_iterations(state.step, "state.step")
    if h.amsgrad != (state.max_second_moment is not None):
        raise ValueError(
            "amsgrad does not match the state: create it with init(params, amsgrad=...)"
        )
    names = ["first_moment", "second_moment"] + (
        ["max_second_moment"] if h.amsgrad else []
    )
    for name in names:
        arrays = getattr(state, name)
        if isinstance(arrays, np.ndarray) or not isinstance(arrays, (tuple, list)):
            raise TypeError(
                f"state.{name} must be a tuple of arrays, one per parameter, "
                f"got {type(arrays).__name__}"
            )
        if len(arrays) != len(params):
            raise ValueError(
                f"state.{name} holds {len(arrays)} arrays for {len(params)} "
                "parameters; make the state with init(params)"
            )
        for i, (a, p) in enumerate(zip(arrays, params)):
            label = f"state.{name}[{i}]"
            if isinstance(
                a, np.generic
            ):  # a 0-d moment comes back from arithmetic as a scalar
                a = np.asarray(a)
            if not isinstance(a, np.ndarray):
                raise TypeError(
                    f"{label} must be a NumPy array, got {type(a).__name__}"
                )
            if a.shape != p.shape or a.dtype != p.dtype:
                raise ValueError(
                    f"{label} is {a.dtype}{list(a.shape)} but params[{i}] is "
                    f"{p.dtype}{list(p.shape)}"
                )
            check_finite(label, a)
            if name != "first_moment" and a.size and a.min() < 0:
                raise ValueError(
                    f"{label} holds negative values, but it is a running "
                    "average of squares"
                )
    return step


#: Algorithm 1's hyperparameters (frozen, so one instance serves every call).
DEFAULTS = Hyperparameters()


def update(
    grads,
    state: AdamState,
    params,
    hyperparameters: Hyperparameters = DEFAULTS,
):
    """One Adam step. Returns ``(new_params, new_state)``; the inputs stay untouched.
    Underflow is ignored whatever the caller's ``np.seterr`` says (it is harmless)."""
    with np.errstate(under="ignore"):
        return _update(grads, state, params, hyperparameters)


def _update(grads, state, params, hyperparameters):
    h = hyperparameters
    if not isinstance(h, Hyperparameters):
        raise TypeError(
            "hyperparameters must be an adam.numpy.Hyperparameters (checked when "
            f"made), got {type(h).__name__}; write Hyperparameters(**{{...}})"
        )
    params = check_param_list(params, in_place=False)
    step = check_state(state, params, h)
    grads = check_grad_list(grads, params, in_place=False)
    check_decay_rates(h, params)

    t = step + 1
    maxima = state.max_second_moment or [None] * len(params)
    new_params, new_m, new_v, new_max = [], [], [], []
    for i, (p, g, m, v, v_max) in enumerate(
        zip(params, grads, state.first_moment, state.second_moment, maxima)
    ):
        if h.weight_decay:  # decoupled weight decay (AdamW)
            p = p * (1 - h.learning_rate * h.weight_decay)
        m = h.beta_1 * m + (1 - h.beta_1) * g
        v = h.beta_2 * v + (1 - h.beta_2) * (g * g)
        if not (np.isfinite(m).all() and np.isfinite(v).all()):  # |g| too large
            raise moment_overflow(i, v.dtype, "second moment")
        if h.amsgrad:  # never let the denominator shrink
            v_max = np.maximum(v_max, v)
        v_used = v_max if h.amsgrad else v

        # a / b, read as 0 where b = 0: with epsilon = 0, a coordinate without gradient
        # stays put
        if not h.bias_correction:  # "a version of RMSProp with momentum"
            step = divide_no_nan(h.learning_rate * m, np.sqrt(v_used) + h.epsilon)
        elif h.epsilon_hat:  # Sec. 2 reordered: Keras, TF1
            alpha_t = h.learning_rate * math.sqrt(1 - h.beta_2**t) / (1 - h.beta_1**t)
            step = divide_no_nan(alpha_t * m, np.sqrt(v_used) + h.epsilon)
        else:  # Algorithm 1
            m_hat = m / (1 - h.beta_1**t)
            v_hat = v_used / (1 - h.beta_2**t)
            step = divide_no_nan(h.learning_rate * m_hat, np.sqrt(v_hat) + h.epsilon)

        new_params.append(p - step)
        new_m.append(m)
        new_v.append(v)
        new_max.append(v_max)
    return new_params, AdamState(
        t, tuple(new_m), tuple(new_v), tuple(new_max) if h.amsgrad else None
    )
