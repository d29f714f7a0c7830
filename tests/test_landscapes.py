"""adam.experiments.landscapes: test functions, their gradients, and trajectories."""

import numpy as np
import pytest

from adam.experiments.landscapes import (
    ill_conditioned_quadratic,
    rosenbrock,
    trajectory,
)
from adam.numpy import SGD


def test_landscapes_match_finite_differences():
    rng = np.random.default_rng(1)
    for land in (ill_conditioned_quadratic(), rosenbrock()):
        for _ in range(5):
            p = rng.uniform(-1.5, 1.5, size=2)
            h = 1e-6
            numeric = [
                (land.value(p + h * e) - land.value(p - h * e)) / (2 * h)
                for e in np.eye(2)
            ]
            np.testing.assert_allclose(land.gradient(p), numeric, rtol=1e-5, atol=1e-6)
        assert land.value(np.array(land.minimum)) == pytest.approx(0.0)


def test_trajectory_records_every_step():
    land = ill_conditioned_quadratic()
    path = trajectory(SGD(0.01), land, steps=10)
    assert path.shape == (11, 2)
    np.testing.assert_array_equal(path[0], land.start)
    assert land.value(path[-1]) < land.value(path[0])


def test_a_diverging_run_ends_in_nan_rows():
    land = ill_conditioned_quadratic(50.0)
    path = trajectory(SGD(1.0), land, steps=500)  # step size far above 2 / 50
    assert np.isnan(path[-1]).all() and np.isfinite(path[:10]).all()
    values = land.values(path)
    assert (
        np.isnan(values[-1])
        and np.isfinite(values[0])
        and (np.isinf(values) | np.isfinite(values) | np.isnan(values)).all()
    )
