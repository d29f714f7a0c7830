"""adam.experiments.agreement: distances in units in the last place."""

import numpy as np


def test_ulps_in_spacings_of_largest_entry():
    from adam.experiments.agreement import ulps

    a = np.array([1.0, 0.5], np.float32)
    one_spacing = a.astype(np.float64) + [np.spacing(np.float32(1.0)), 0.0]
    assert ulps([a], [a]) == 0.0
    assert ulps([a], [one_spacing]) == 1.0
