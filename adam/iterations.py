"""The step count, checked where it can be set or loaded (`adam.numpy`, `adam.keras`,
`adam.tensorflow`).

It is t - 1 in the bias corrections: 1.5 steps would be a correction that no step count
gives (and be saved rounded), a negative count a NaN one.
"""
from __future__ import annotations

import operator


def check_iterations(value, name: str = "iterations") -> int:
    """Return `value` as an int after checking it is a whole number of steps, not
    negative. Integers and integral floats pass, as do NumPy scalars and 0-d arrays of
    either; booleans and strings do not.
    """
    problem = (f"{name} must be a non-negative integer (the number of steps taken), "
               f"got {value!r}")
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
    return count
