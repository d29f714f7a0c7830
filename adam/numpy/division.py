"""The division in an adaptive step, where a zero denominator means "no step".

An adaptive optimizer divides by ``sqrt(second moment) + epsilon``. With ``epsilon = 0``
that is zero for every coordinate whose gradient has always been zero (or so small that
its square underflows), and ``0 / 0`` would write NaN into the parameter for good: a NaN
weight then poisons every output it touches. Like `tf.math.divide_no_nan` and
`keras.ops.divide_no_nan`, `divide_no_nan` gives 0 there instead: no gradient, no step.
Wherever the denominator is not zero it is plain division, to the last bit.
"""

from __future__ import annotations

import numpy as np


def divide_no_nan(numerator, denominator):
    """``numerator / denominator``, and 0 where the denominator is 0."""
    numerator, denominator = np.asarray(numerator), np.asarray(denominator)
    out = np.zeros(
        np.broadcast_shapes(numerator.shape, denominator.shape),
        np.result_type(numerator, denominator),
    )
    return np.divide(numerator, denominator, out=out, where=denominator != 0)
