"""adam.experiments.schedules: learning-rate schedules, step by step."""

import numpy as np
import pytest


def test_transformer_peaks_at_warmup_end():
    from adam.experiments.schedules import transformer_learning_rate

    steps = np.arange(1, 20_001)
    rates = transformer_learning_rate(steps, d_model=512, warmup_steps=4000)
    assert steps[rates.argmax()] == 4000
    assert rates.max() == pytest.approx((512 * 4000) ** -0.5)
    assert np.all(np.diff(rates[:3999]) > 0) and np.all(np.diff(rates[4000:]) < 0)
    with pytest.raises(ValueError, match="from 1"):
        transformer_learning_rate(0)


def test_adaptive_rate_spread_shrinks():
    from adam.experiments.schedules import adaptive_rate_spread

    spread = adaptive_rate_spread(steps=200, streams=4000)
    assert spread[0] > 20 and spread[-1] < 1.5 and spread[-1] < spread[9] < spread[0]
