"""The step count, checked where it can be set or loaded (`adam.numpy`, `adam.keras`,
`adam.tensorflow`).

It is t - 1 in the bias corrections: 1.5 steps would be a correction that no step count
gives (and be saved rounded), a negative count a NaN one.
"""

from __future__ import annotations

import operator

#: The largest step count accepted by default: what an int64 counter holds (NumPy's
#: Philox key, TensorFlow's and Keras's int64 variables). 10**400 steps would overflow
#: the bias corrections' float arithmetic with a bare OverflowError.
MAX_ITERATIONS = 2**63 - 1


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def check_iterations(
    value, name: str = "iterations", *, high: int = MAX_ITERATIONS
) -> int:
    """Return `value` as an int after checking it is a whole number of steps, not
    negative and at most `high` (2**63 - 1 by default). Integers and integral floats
    pass, as do NumPy scalars and 0-d arrays of either; booleans and strings do not.
    """
    problem = (
        f"{name} must be a non-negative integer (the number of steps taken), "
        f"got {_short(value)}"
    )
    if isinstance(value, (bool, str, bytes)):
        raise TypeError(problem)
    try:
        count = operator.index(value)
    except TypeError:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise TypeError(problem) from None
        if not number.is_integer():
            raise ValueError(problem) from None
        count = int(number)
    if count < 0:
        raise ValueError(problem)
    if count > high:
        raise ValueError(
            f"{name} must be at most {high} (2**{high.bit_length()} - 1), "
            f"got {_short(value)}"
            if high == 2 ** high.bit_length() - 1
            else f"{name} must be at most {high}, got {_short(value)}"
        )
    return count
