import math

import numpy as np
import pytest

from adam.experiments.replicates import d2, pooled_sd, sd_from_range, seeds_needed


@pytest.mark.parametrize(
    "n, table", [(2, 1.128), (3, 1.693), (4, 2.059), (5, 2.326), (10, 3.078)]
)
def test_d2_matches_the_quality_control_table(n, table):
    assert d2(n) == pytest.approx(table, abs=5e-4)


def test_d2_is_the_mean_range_of_normal_draws():
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((200_000, 3))
    assert np.ptp(draws, axis=1).mean() == pytest.approx(d2(3), rel=0.01)


def test_d2_needs_two_draws():
    with pytest.raises(ValueError):
        d2(1)


def test_sd_from_range_and_pooled_sd():
    assert sd_from_range([1.0, 2.0, 3.0]) == pytest.approx(2.0 / d2(3))
    assert pooled_sd([[1.0, 3.0], [5.0, 7.0, 9.0]]) == pytest.approx(
        math.sqrt((2 + 8) / 3)
    )
    with pytest.raises(ValueError):
        pooled_sd([[1.0]])


def test_seeds_needed():
    # 2 (1.96 + 0.84)^2 = 15.7: a difference of one standard deviation needs 16 runs
    # each.
    assert seeds_needed(1.0, 1.0) == 16
    assert seeds_needed(0.1, 0.1) == seeds_needed(1.0, 1.0)  # only the ratio matters
    assert seeds_needed(2.0, 1.0) == math.ceil(4 * 15.698)
    assert seeds_needed(0.0, 1.0) == 2
    with pytest.raises(ValueError):
        seeds_needed(1.0, 0.0)
