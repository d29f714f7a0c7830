"""Checks on parameters and gradients, run before an optimizer changes anything.

Every function here only reads its inputs and raises `TypeError` or `ValueError` with a
message that names the offending entry (``params[2]``, ``grads[0]``), so that a failed
step leaves parameters and optimizer state exactly as they were. What is refused:

* parameters that are not writeable floating-point NumPy arrays (float16, float32,
  float64, longdouble; bfloat16 from ml_dtypes is not a NumPy floating type and is
  refused), and parameters that share memory with each other (one would be updated
  twice), however the alias was made (views, ``as_strided``, ``np.frombuffer``,
  memoryviews), or with themselves (zero strides, overlapping rows: `overlaps_itself`);
* ndarray subclasses with their own arithmetic or data (``np.matrix``, masked arrays);
* gradients of the wrong shape or kind, gradients that share memory with a parameter (it
  is overwritten during the step), and gradients with a NaN or an infinity once cast to
  their parameter's dtype (a finite float64 gradient can overflow a float16 parameter);
* a decay rate (beta_1, beta_2, rho, momentum) that rounds to 1.0 in the parameter's
  dtype (beta_2 >= 0.99976 in float16): the running average would never decay;
* a learning rate that overflows to inf in the parameter's dtype (above 65504 in
  float16, 3.4e38 in float32), or whose step scalar (learning_rate * sqrt(1 - beta_2**t)
  / (1 - beta_1**t)) does: even a zero gradient would give NaN (0 * inf);
* a step that would make the optimizer's state infinite (`MomentOverflowError`): a
  gradient whose square overflows the dtype would freeze its weight for good and spoil
  the checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.array_utils import byte_bounds


class MomentOverflowError(ValueError):
    """A step would make the optimizer's state (a running average of squares, a sum of
    squares, a momentum) infinite: refused before anything changed, and the step not
    counted."""


def moment_overflow(index: int, dtype, slot: str) -> MomentOverflowError:
    """The error for params[index]: its gradient is too large for the dtype's
    moments."""
    dtype = np.dtype(dtype)
    largest = np.finfo(dtype).max
    return MomentOverflowError(
        f"grads[{index}] is too large for {dtype} parameters: the {slot} would "
        f"overflow (largest {dtype} value {largest:.4g}, so |gradient| must stay "
        f"below about {np.sqrt(largest):.3g}) and params[{index}] would never move "
        "again. Nothing was changed. Scale the loss or clip the gradients, or train "
        "in float32."
    )


def overlapping(arrays):
    """Pairs (i, j), i < j, of arrays that share memory (exact, via `np.shares_memory`).

    Every array's byte range is compared with every other's, whatever its base chain
    says (``as_strided``, ``np.frombuffer`` and memoryviews hide the owner of their
    memory): the ranges, sorted by start, are swept once, and only ranges that overlap
    are checked element by element. A list of separate arrays costs one look at each."""
    spans = sorted((*byte_bounds(a), i) for i, a in enumerate(arrays) if a.size)
    pairs, open_spans = [], []
    for low, high, i in spans:
        open_spans = [(h, j) for h, j in open_spans if h > low]
        pairs += [
            (min(i, j), max(i, j))
            for _, j in open_spans
            if np.shares_memory(arrays[i], arrays[j])
        ]
        open_spans.append((high, i))
    return sorted(pairs)


def overlaps_itself(a: np.ndarray) -> bool:
    """Whether two elements of `a` share memory (zero strides, or strides that make rows
    overlap, as `as_strided` and `np.broadcast_to` can make).

    A sufficient test for "no", in one look at the strides: sorted by |stride|, each
    axis's step clears the bytes that the axes inside it span. Only when that fails
    (rare: an unusual interleaving that may still be disjoint) are the elements' byte
    offsets computed and compared, exactly."""
    axes = sorted((abs(st), n) for st, n in zip(a.strides, a.shape) if n > 1)
    if not axes or a.size == 0:
        return False
    span = a.itemsize
    for stride, n in axes:
        if stride < span:
            break
        span += stride * (n - 1)
    else:
        return False
    if any(stride == 0 for stride, _ in axes):
        return True
    offsets = np.zeros(1, np.int64)
    for stride, n in axes:
        offsets = (offsets[:, None] + np.arange(n, dtype=np.int64) * stride).reshape(-1)
    offsets.sort()
    return bool((np.diff(offsets) < a.itemsize).any())


def refuse_subclass(name: str, a: np.ndarray) -> None:
    """Plain arrays only (and memory maps, which are plain arrays on a file): a subclass
    may change arithmetic and broadcasting (``np.matrix`` stays 2-D, ``*`` is a matrix
    product) or carry data the step would ignore (a ``np.ma.MaskedArray``'s mask)."""
    if type(a) is not np.ndarray and not isinstance(a, np.memmap):
        kind = f"{type(a).__module__}.{type(a).__name__}"
        raise TypeError(
            f"{name} is a {kind}, an ndarray subclass whose arithmetic or "
            "data the step would get wrong; pass a plain array "
            "(np.asarray(x), or x.filled() for a masked array)"
        )


def check_param_list(params, in_place: bool = True) -> list[np.ndarray]:
    """Parameters must be a list (or tuple) of floating-point arrays; for an in-place
    update they must also be writeable and distinct."""
    if isinstance(params, np.ndarray) or not isinstance(params, Sequence):
        raise TypeError(
            "params must be a list of NumPy arrays, got "
            f"{type(params).__name__}; wrap a single array as [array]"
        )
    params = list(params)
    seen = {}
    for i, p in enumerate(params):
        if not in_place and isinstance(p, np.generic):
            # arithmetic on a 0-d array gives a NumPy scalar; the functional path
            # accepts it
            p = params[i] = np.asarray(p)
        if not isinstance(p, np.ndarray):
            raise TypeError(
                f"params[{i}] must be a NumPy array, got {type(p).__name__}"
            )
        refuse_subclass(f"params[{i}]", p)
        if not np.issubdtype(p.dtype, np.floating):
            raise TypeError(
                f"params[{i}] has dtype {p.dtype}; parameters must be floating-point "
                "arrays (float16, float32 or float64), because they are updated in "
                "place"
            )
        if not in_place:
            continue
        if not p.flags.writeable:
            raise ValueError(
                f"params[{i}] is read-only; the optimizer updates parameters in place"
            )
        if overlaps_itself(p):
            raise ValueError(
                f"params[{i}] overlaps itself: its strides {p.strides} (shape "
                f"{p.shape}) make different elements share memory, so those would be "
                f"updated more than once per step; pass a copy, np.array(params[{i}])"
            )
        if id(p) in seen:
            raise ValueError(
                f"params[{seen[id(p)]}] and params[{i}] are the same array; "
                "it would be updated twice per step"
            )
        seen[id(p)] = i
    if in_place:
        for i, j in overlapping(params)[:1]:
            raise ValueError(
                f"params[{i}] and params[{j}] share memory (views of one array); "
                "the shared elements would be updated twice per step"
            )
    return params


#: Hyperparameters that weigh a running average: at 1 it would never forget.
DECAY_RATES = ("beta_1", "beta_2", "rho", "momentum")


def check_decay_rates(hyperparameters, params, dtype=None) -> None:
    """Refuse a decay rate that rounds to 1.0 in the dtype the step computes in (each
    parameter's, or `dtype`): beta_2 >= 0.99976 is 1.0 in float16, and v would never
    decay. A learning rate that is inf in that dtype is refused too
    (`check_scalar_fits`). Computing the product wider would not help: v is stored in
    float16, and a decrease below half its ulp (2**-12 of it) rounds back to v. No
    silent wrong result."""
    dtypes = {
        np.dtype(dtype or p.dtype): i for i, p in reversed(list(enumerate(params)))
    }
    for name in DECAY_RATES:
        value = getattr(hyperparameters, name, 0.0)
        for d, i in dtypes.items():
            if value and d.type(value) == 1:
                limit = 1 - float(np.finfo(d).epsneg) / 2
                where = (
                    f"params[{i}] is {d}"
                    if dtype is None
                    else f"the step is computed in {d}"
                )
                raise ValueError(
                    f"{name}={value!r} rounds to 1.0 in {d} ({where}): the running "
                    f"average it weighs would never decay. Use {name} < {limit:.9g}, "
                    "or train in a wider dtype"
                )
    learning_rate = getattr(hyperparameters, "learning_rate", None)
    if isinstance(learning_rate, (int, float)):
        check_scalar_fits("learning_rate", learning_rate, params, dtype)


def check_scalar_fits(
    name: str, value, params, dtype=None, what: str | None = None, value_used=None
) -> None:
    """Refuse a step scalar that is inf once cast to the dtype the step computes in
    (each parameter's, or `dtype`): 0 * inf is NaN, so even a zero gradient would spoil
    the weights. The scalar is `name`=`value`, or `value_used`, made from it as `what`
    says."""
    used = value if value_used is None else value_used
    dtypes = {
        np.dtype(dtype or p.dtype): i for i, p in reversed(list(enumerate(params)))
    }
    for d, i in dtypes.items():
        if d.kind != "f":
            continue
        with np.errstate(over="ignore"):
            cast = d.type(used)
        if not np.isfinite(cast):
            limit = float(np.finfo(d).max)
            where = (
                f"params[{i}] is {d}"
                if dtype is None
                else f"the step is computed in {d}"
            )
            made = f" ({what} = {used:.4g})" if what else ""
            raise ValueError(
                f"{name}={value!r}{made} overflows {d} ({where}): it is inf above the "
                f"largest {d} value {limit:.4g}, and the step would turn the weights "
                "into inf or NaN even where the gradient is 0. Use a learning rate "
                f"below {limit:.4g}, or train in a wider dtype. Nothing was changed"
            )


def check_grad_list(
    grads, params: list[np.ndarray], finite=None, in_place: bool = True, quick=None
) -> list[np.ndarray]:
    """Gradients: one per parameter, same shape, real and finite in the parameter's
    dtype. Returns arrays in each parameter's dtype (a copy only where the dtype
    differs). `finite(name, array)` replaces `check_finite`, for optimizers that have a
    faster test; what it returns for each gradient is appended to the list `quick` when
    one is given. For an in-place update no gradient may share memory with any
    parameter."""
    finite = finite or check_finite
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence):
        raise TypeError(f"grads must be a list of arrays, got {type(grads).__name__}")
    if len(grads) != len(params):
        raise ValueError(f"got {len(grads)} gradients for {len(params)} parameters")
    out = []
    for i, (g, p) in enumerate(zip(grads, params)):
        if isinstance(g, np.ndarray):
            refuse_subclass(f"grads[{i}]", g)
        g = np.asarray(g)
        if g.dtype == bool or g.dtype.kind not in "fiu":  # not timedelta64, datetime64
            raise TypeError(
                f"grads[{i}] has dtype {g.dtype}; gradients must be real numbers"
            )
        if g.shape != p.shape:
            raise ValueError(
                f"grads[{i}] has shape {g.shape} but params[{i}] has shape {p.shape}"
            )
        if not in_place and np.may_share_memory(g, p):
            raise ValueError(
                f"grads[{i}] shares memory with params[{i}]; pass a separate gradient "
                "array"
            )
        name, original = f"grads[{i}]", g
        if g.dtype != p.dtype:
            with np.errstate(
                over="ignore", under="ignore"
            ):  # inf is reported just below
                g = g.astype(p.dtype)
        try:
            result = finite(name, g)
        except ValueError as err:
            if original is g or not np.isfinite(original).all():
                raise
            where = np.unravel_index(int(np.argmax(~np.isfinite(g))), g.shape)
            raise ValueError(
                f"{err}; it overflowed on the cast to params[{i}]'s dtype {p.dtype}: "
                f"the gradient is finite in {original.dtype} ({original[where]!r} "
                f"there), beyond {p.dtype}'s largest value "
                f"{float(np.finfo(p.dtype).max):.4g}. Nothing was changed. Scale the "
                "loss or clip the gradients"
            ) from None
        if quick is not None:
            quick.append(result)
        out.append(g)
    if (
        in_place
    ):  # any parameter, not only its own: parameters are written one after another
        n = len(params)
        for i, j in overlapping(params + out):
            if i < n <= j:
                raise ValueError(
                    f"grads[{j - n}] shares memory with params[{i}]; pass a separate "
                    "gradient array (parameters are overwritten during the step)"
                )
    return out


def check_finite(name: str, a: np.ndarray):
    """Raise if `a` holds a NaN or an infinity; return the quick pass's value.

    The dot product of `a` with itself is one fast, allocation-free pass, and it is not
    finite whenever an element is not; only then do we pay for the exact element-wise
    test (the dot product may also overflow on huge but finite values). For float32 and
    float64 the value returned is that sum of squares (it is at least the largest
    square, as each rounded addition of non-negative numbers is); for other dtypes it is
    the largest square (rounded to the dtype, so inf where it overflows), as a Python
    float.
    """
    flat = a.reshape(-1) if a.flags.c_contiguous else a.ravel()
    squares = a.dtype in (np.float32, np.float64)
    # underflow is harmless here (and in every step), whatever the caller's np.seterr
    # says
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        quick = np.dot(flat, flat) if squares else np.add.reduce(flat)
    if a.size and not np.isfinite(quick):
        bad = ~np.isfinite(a)
        if bad.any():
            where = np.unravel_index(int(np.argmax(bad)), a.shape)
            raise ValueError(
                f"{name} contains {int(bad.sum())} non-finite value(s) "
                f"(NaN or inf), the first at index {tuple(int(k) for k in where)}: "
                f"{a[where]!r}"
            )
    if squares:
        return quick
    if not a.size:
        return 0.0
    largest = max(flat.max(), -flat.min())
    with np.errstate(over="ignore", under="ignore"):
        return float(largest * largest)  # squared in the dtype, as the step squares


def check_matches_state(params: list[np.ndarray], shapes, dtypes) -> None:
    """The parameter list must be the one the optimizer state was built for."""
    if len(params) != len(shapes):
        raise ValueError(
            f"the optimizer state holds {len(shapes)} parameters but "
            f"{len(params)} were passed; use one optimizer per parameter list"
        )
    for i, (p, shape, dtype) in enumerate(zip(params, shapes, dtypes)):
        if p.shape != tuple(shape) or p.dtype != dtype:
            raise ValueError(
                f"params[{i}] is {p.dtype}{list(p.shape)} but the optimizer state "
                f"was built for {np.dtype(dtype)}{list(shape)}"
            )
