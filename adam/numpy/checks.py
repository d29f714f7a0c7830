"""Checks on parameters and gradients, run before an optimizer changes anything.

Every function here only reads its inputs and raises `TypeError` or `ValueError` with a
message that names the offending entry (``params[2]``, ``grads[0]``), so that a failed step
leaves parameters and optimizer state exactly as they were.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def check_param_list(params, in_place: bool = True) -> list[np.ndarray]:
    """Parameters must be a list (or tuple) of floating-point arrays; for an in-place update
    they must also be writeable and distinct."""
    if isinstance(params, np.ndarray) or not isinstance(params, Sequence):
        raise TypeError("params must be a list of NumPy arrays, got "
                        f"{type(params).__name__}; wrap a single array as [array]")
    params = list(params)
    seen = {}
    for i, p in enumerate(params):
        if not in_place and isinstance(p, np.generic):
            # arithmetic on a 0-d array gives a NumPy scalar; the functional path accepts it
            p = params[i] = np.asarray(p)
        if not isinstance(p, np.ndarray):
            raise TypeError(f"params[{i}] must be a NumPy array, got {type(p).__name__}")
        if not np.issubdtype(p.dtype, np.floating):
            raise TypeError(f"params[{i}] has dtype {p.dtype}; parameters must be floating-point "
                            "arrays (float16, float32 or float64), because they are updated in place")
        if not in_place:
            continue
        if not p.flags.writeable:
            raise ValueError(f"params[{i}] is read-only; the optimizer updates parameters in place")
        if id(p) in seen:
            raise ValueError(f"params[{seen[id(p)]}] and params[{i}] are the same array; "
                             "it would be updated twice per step")
        seen[id(p)] = i
    return params


def check_grad_list(grads, params: list[np.ndarray], finite=None) -> list[np.ndarray]:
    """Gradients: one per parameter, same shape, real and finite. Returns arrays in each
    parameter's dtype (a copy only where the dtype differs). `finite(name, array)` replaces
    `check_finite`, for optimizers that have a faster test."""
    finite = finite or check_finite
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence):
        raise TypeError(f"grads must be a list of arrays, got {type(grads).__name__}")
    if len(grads) != len(params):
        raise ValueError(f"got {len(grads)} gradients for {len(params)} parameters")
    out = []
    for i, (g, p) in enumerate(zip(grads, params)):
        g = np.asarray(g)
        if g.dtype == bool or not (np.issubdtype(g.dtype, np.floating)
                                   or np.issubdtype(g.dtype, np.integer)):
            raise TypeError(f"grads[{i}] has dtype {g.dtype}; gradients must be real numbers")
        if g.shape != p.shape:
            raise ValueError(f"grads[{i}] has shape {g.shape} but params[{i}] has shape {p.shape}")
        if np.may_share_memory(g, p):
            raise ValueError(f"grads[{i}] shares memory with params[{i}]; pass a separate gradient "
                             "array (the parameter is overwritten during the step)")
        if g.dtype != p.dtype:
            g = g.astype(p.dtype)
        finite(f"grads[{i}]", g)
        out.append(g)
    return out


def check_finite(name: str, a: np.ndarray) -> None:
    """Raise if `a` holds a NaN or an infinity.

    The dot product of `a` with itself is one fast, allocation-free pass, and it is not
    finite whenever an element is not; only then do we pay for the exact element-wise test
    (the dot product may also overflow on huge but finite values).
    """
    flat = a.reshape(-1) if a.flags.c_contiguous else a.ravel()
    with np.errstate(over="ignore", invalid="ignore"):
        quick = np.dot(flat, flat) if a.dtype in (np.float32, np.float64) else np.add.reduce(flat)
    if a.size and not np.isfinite(quick):
        bad = ~np.isfinite(a)
        if bad.any():
            where = np.unravel_index(int(np.argmax(bad)), a.shape)
            raise ValueError(f"{name} contains {int(bad.sum())} non-finite value(s) "
                             f"(NaN or inf), the first at index {tuple(int(k) for k in where)}: "
                             f"{a[where]!r}")


def check_matches_state(params: list[np.ndarray], shapes, dtypes) -> None:
    """The parameter list must be the one the optimizer state was built for."""
    if len(params) != len(shapes):
        raise ValueError(f"the optimizer state holds {len(shapes)} parameters but "
                         f"{len(params)} were passed; use one optimizer per parameter list")
    for i, (p, shape, dtype) in enumerate(zip(params, shapes, dtypes)):
        if p.shape != tuple(shape) or p.dtype != dtype:
            raise ValueError(f"params[{i}] is {p.dtype}{list(p.shape)} but the optimizer state "
                             f"was built for {np.dtype(dtype)}{list(shape)}")
