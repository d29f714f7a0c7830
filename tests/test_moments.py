"""adam.experiments.moments: Adam's moving averages, step by step."""

import numpy as np


def test_moment_traces_for_a_constant_gradient():
    from adam.experiments.moments import moment_traces

    t = np.arange(1, 51)
    m, v = moment_traces(np.full((50, 2), 3.0), beta_1=0.8, beta_2=0.95)
    np.testing.assert_allclose(m[:, 0], 3.0 * (1 - 0.8**t), rtol=1e-12)
    np.testing.assert_allclose(v[:, 1], 9.0 * (1 - 0.95**t), rtol=1e-12)
