"""adam.fused.FusedAdam: the compiled single-pass step gives exactly what
adam.numpy.Adam gives."""

import numpy as np
import pytest

pytest.importorskip("numba")

from reference import random_problem  # noqa: E402

from adam.experiments.agreement import run_numpy  # noqa: E402
from adam.fused import FusedAdam  # noqa: E402
from adam.numpy import Adam  # noqa: E402


def run(optimizer, params, grads):
    return run_numpy(optimizer, params, grads), optimizer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bit_identical_to_numpy_adam(switches, dtype):
    # Large enough for several NumPy blocks and for numba to split the loop over
    # threads.
    params, grads = random_problem(
        7, shapes=((300, 500), (17,), ()), steps=5, dtype=dtype
    )
    expected, numpy_opt = run(Adam(**switches), params, grads)
    got, fused_opt = run(FusedAdam(**switches), params, grads)
    for a, b in zip(got, expected):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)
    for name in numpy_opt.slot_names():
        for a, b in zip(
            fused_opt.state_dict()["slots"][name], numpy_opt.state_dict()["slots"][name]
        ):
            np.testing.assert_array_equal(a, b)


def test_non_contiguous_parameter():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    view = base[:, ::2]
    grad = np.ones_like(view)
    FusedAdam(learning_rate=0.5).step([view], [grad])
    np.testing.assert_allclose(
        base[:, ::2],
        np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2] - 0.5,
        rtol=1e-6,
    )
    np.testing.assert_array_equal(
        base[:, 1::2], np.arange(24, dtype=np.float32).reshape(4, 6)[:, 1::2]
    )


def test_bad_gradient_noop_and_resume():
    params, grads = random_problem(3, steps=4, dtype=np.float32)
    opt = FusedAdam(amsgrad=True)
    run_params, _ = run(opt, params, grads[:2])
    before = [p.copy() for p in run_params]
    state = opt.state_dict()
    bad = [g.copy() for g in grads[2]]
    bad[0].flat[0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        opt.step(run_params, bad)
    for a, b in zip(run_params, before):
        np.testing.assert_array_equal(a, b)

    resumed = FusedAdam(amsgrad=True)
    resumed.load_state_dict(state)
    copy = [p.copy() for p in run_params]
    for g in grads[2:]:
        opt.step(run_params, g)
        resumed.step(copy, g)
    for a, b in zip(run_params, copy):
        np.testing.assert_array_equal(a, b)


def test_threads_neutral_numba_restored():
    import numba

    params, grads = random_problem(5, shapes=((300, 500),), steps=3, dtype=np.float32)
    before = numba.get_num_threads()
    one, _ = run(FusedAdam(threads=1), params, grads)
    assert numba.get_num_threads() == before
    many, _ = run(FusedAdam(threads=numba.config.NUMBA_NUM_THREADS), params, grads)
    np.testing.assert_array_equal(one[0], many[0])
