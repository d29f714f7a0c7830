"""adam.numpy.division: `divide_no_nan`, no step where there is nothing to divide."""

import numpy as np

from adam.numpy.division import divide_no_nan


def test_divide_no_nan():
    x = np.array([1.0, 0.0, -3.0, 2.0], np.float32)
    y = np.array([2.0, 0.0, 0.0, -0.0], np.float32)
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        out = divide_no_nan(x, y)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [0.5, 0.0, 0.0, 0.0])
    assert divide_no_nan(np.float64(3.0), np.float64(4.0)) == 0.75
