"""adam.iterations: a step count is a whole number of steps that a counter holds."""

import numpy as np
import pytest

from adam.numpy import Adam


@pytest.mark.parametrize("count", [10**400, 2**63, 1e300, np.uint64(2**64 - 1)])
def test_iterations_beyond_int64_refused(count):
    from adam.numpy import CompactAdam

    for opt in (Adam(), CompactAdam()):
        with pytest.raises(
            ValueError, match=r"iterations must be at most 9223372036854775807"
        ):
            opt.iterations = count
        assert opt.iterations == 0
        state = opt.state_dict()
        state["iterations"] = 2**130  # beyond CompactAdam's Philox key, too
        with pytest.raises(
            ValueError, match="malformed state dict: iterations must be at most"
        ):
            opt.load_state_dict(state)
    w = np.ones(3, np.float32)
    opt = Adam()
    opt.iterations = 2**63 - 2  # the last step that can be counted works
    opt.step([w], [np.ones(3, np.float32)])
    assert np.isfinite(w).all() and opt.iterations == 2**63 - 1
    before = w.copy()
    with pytest.raises(ValueError, match="the largest step count"):
        opt.step([w], [np.ones(3, np.float32)])
    assert (w == before).all() and opt.iterations == 2**63 - 1


def test_check_iterations_keeps_its_signature():
    from adam.iterations import check_iterations

    assert check_iterations(5) == 5 and check_iterations(5.0, "state.step") == 5
    assert check_iterations(2**70, high=2**80) == 2**70
    with pytest.raises(ValueError, match=r"steps must be at most 2147483647"):
        check_iterations(2**31, "steps", high=2**31 - 1)


@pytest.mark.parametrize(
    "count, error",
    [(1.5, ValueError), (-3, ValueError), (True, TypeError), ("2", TypeError)],
)
def test_assigned_step_count_must_be_whole(count, error):
    """opt.iterations = 1.5 used to run as t = 2.5 and be saved as 2; -3 failed later
    with a bare "math domain error". Both are refused when assigned, naming it."""
    opt, w = Adam(), np.zeros(2, np.float32)
    opt.step([w], [np.ones(2, np.float32)])
    before = (w.copy(), opt.state_dict())
    with pytest.raises(error, match="iterations"):
        opt.iterations = count
    assert opt.iterations == 1 and np.array_equal(w, before[0])
    opt.iterations = np.int64(5)  # a whole number of steps is taken
    opt.step([w], [np.ones(2, np.float32)])
    assert opt.iterations == 6 and type(opt.iterations) is int
