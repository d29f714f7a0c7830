"""adam.numpy: correctness against an independent reference, the paper's invariances,
dtype handling, checkpoints, and the promise that a failed step changes nothing."""

import math
import multiprocessing
import os
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import random_problem, reference_adam

import adam.numpy.fast as fast
from adam.numpy import Adam, Hyperparameters, init, update


def run_fast(params, grads, **kw):
    params = [p.copy() for p in params]
    opt = Adam(**kw)
    for g in grads:
        opt.step(params, g)
    return params, opt


def run_functional(params, grads, **kw):
    h = Hyperparameters(**kw)
    state = init(params, amsgrad=h.amsgrad)
    for g in grads:
        params, state = update(g, state, params, h)
    return params, state


def run_reference(params, grads, **kw):
    flat = np.concatenate([p.ravel() for p in params])
    seq = [np.concatenate([g.ravel() for g in gs]) for gs in grads]
    return np.array(reference_adam(flat, seq, **kw)[-1])


def flatten(arrays):
    return np.concatenate([np.asarray(a, np.float64).ravel() for a in arrays])


# -- agreement with the independent reference ------------------------------------------
def test_both_match_reference_in_float64(switches):
    params, grads = random_problem(0)
    expected = run_reference(params, grads, **switches)
    for run in (run_fast, run_functional):
        got = flatten(run(params, grads, **switches)[0])
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    learning_rate=st.floats(1e-5, 0.5),
    beta_1=st.floats(0.0, 0.99),
    beta_2=st.floats(0.0, 0.99999),
    epsilon=st.sampled_from([0.0, 1e-12, 1e-8, 1e-3]),
    amsgrad=st.booleans(),
    weight_decay=st.sampled_from([0.0, 1e-3, 0.1]),
    form=st.sampled_from(["algorithm1", "epsilon_hat", "uncorrected"]),
    scale=st.sampled_from([1e-6, 1.0, 1e3]),
)
def test_random_hyperparameters_match(
    seed, learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, form, scale
):
    kw = dict(
        learning_rate=learning_rate,
        beta_1=beta_1,
        beta_2=beta_2,
        epsilon=epsilon,
        amsgrad=amsgrad,
        weight_decay=weight_decay,
        epsilon_hat=form == "epsilon_hat",
        bias_correction=form != "uncorrected",
    )
    params, grads = random_problem(seed, shapes=((7,), (2, 3)), steps=12, scale=scale)
    expected = run_reference(params, grads, **kw)
    for run in (run_fast, run_functional):
        got = flatten(run(params, grads, **kw)[0])
        np.testing.assert_allclose(
            got, expected, rtol=1e-9, atol=1e-12 * max(1.0, np.abs(expected).max())
        )


def test_fast_and_functional_agree_in_float32(switches):
    params, grads = random_problem(1, steps=200, dtype=np.float32)
    got_fast, opt = run_fast(params, grads, **switches)
    got_functional, state = run_functional(params, grads, **switches)
    for a, b in zip(got_fast, got_functional):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # The moments are computed with the same operations in the same order: identical
    # bits.
    for a, b in zip(opt.state_dict()["slots"]["first_moment"], state.first_moment):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(opt.state_dict()["slots"]["second_moment"], state.second_moment):
        np.testing.assert_array_equal(a, b)


def test_many_blocks_and_a_ragged_tail(monkeypatch):
    monkeypatch.setattr(fast, "BLOCK", 64)
    params, grads = random_problem(2, shapes=((1000,), (17, 9)), steps=5)
    np.testing.assert_allclose(
        flatten(run_fast(params, grads)[0]),
        flatten(run_functional(params, grads)[0]),
        rtol=1e-13,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("switches", [{}, {"amsgrad": True, "weight_decay": 0.01}])
def test_threads_change_nothing_but_speed(monkeypatch, switches, dtype):
    # With small blocks every thread count splits the arrays differently, ragged tail
    # included.
    monkeypatch.setattr(fast, "BLOCK", 256)
    params, grads = random_problem(
        3, shapes=((10 * 256 + 7,), (3 * 256,), (5, 5)), steps=4, dtype=dtype
    )
    serial, serial_opt = run_fast(params, grads, threads=1, **switches)
    for threads in (2, 3, 8):
        threaded, threaded_opt = run_fast(params, grads, threads=threads, **switches)
        for a, b in zip(threaded, serial):
            np.testing.assert_array_equal(a, b)
        for name in serial_opt.slot_names():
            for a, b in zip(
                threaded_opt.state_dict()["slots"][name],
                serial_opt.state_dict()["slots"][name],
            ):
                np.testing.assert_array_equal(a, b)


def test_threads_default_to_cores():
    assert Adam().threads == fast.default_threads() >= 1
    assert Adam(threads=3).threads == 3
    assert "threads" not in Adam(threads=3).state_dict()["hyperparameters"]


def test_non_contiguous_updated_in_place():
    base = np.arange(12.0).reshape(3, 4)
    view = base.T  # not C-contiguous
    before = view.copy()
    Adam(learning_rate=0.5, epsilon=0.0).step([view], [np.ones((4, 3))])
    np.testing.assert_allclose(base.T, before - 0.5, rtol=1e-12)


# -- hand-checked values ---------------------------------------------------------------
def test_first_steps_by_hand():
    # beta_1=0.5, beta_2=0.75, eps=0, lr=0.1, gradients 2 then -1 on one coordinate.
    # t=1: m=1, v=1, m_hat=2, v_hat=4 -> step 0.1*2/2 = 0.1      -> theta = 1 - 0.1   =
    # 0.9
    # t=2: m=0, v=1, m_hat=0             -> step 0                -> theta = 0.9
    # t=3 (g=3): m=1.5, v=3, m_hat=1.5/0.875, v_hat=3/(1-0.421875)
    w = np.array([1.0])
    opt = Adam(learning_rate=0.1, beta_1=0.5, beta_2=0.75, epsilon=0.0)
    opt.step([w], [np.array([2.0])])
    assert w[0] == pytest.approx(0.9, abs=1e-15)
    opt.step([w], [np.array([-1.0])])
    assert w[0] == pytest.approx(0.9, abs=1e-15)
    opt.step([w], [np.array([3.0])])
    m_hat, v_hat = 1.5 / 0.875, 3.0 / (1 - 0.75**3)
    assert w[0] == pytest.approx(0.9 - 0.1 * m_hat / math.sqrt(v_hat), abs=1e-15)


@pytest.mark.parametrize("switches", [{}, {"epsilon_hat": True}])
def test_first_step_is_lr_per_coordinate(switches):
    # Paper, Sec. 2.1: with m_hat = g and v_hat = g^2 the first step is lr * sign(g).
    rng = np.random.default_rng(3)
    g = rng.normal(size=1000) * rng.lognormal(0, 3, size=1000)
    w = np.zeros(1000)
    Adam(learning_rate=0.01, epsilon=0.0, **switches).step([w], [g])
    np.testing.assert_allclose(w, -0.01 * np.sign(g), rtol=1e-12)


def test_uncorrected_step_by_predicted_factor():
    w = np.zeros(3)
    Adam(learning_rate=1.0, epsilon=0.0, bias_correction=False).step([w], [np.ones(3)])
    np.testing.assert_allclose(-w, (1 - 0.9) / math.sqrt(1 - 0.999), rtol=1e-12)  # 3.16


@pytest.mark.parametrize("c", [1e-4, 0.5, 7.0, 1e6])
def test_scale_invariant_at_epsilon_0(c):
    params, grads = random_problem(4, steps=50)
    a = flatten(run_fast(params, grads, epsilon=0.0)[0])
    b = flatten(run_fast(params, [[c * g for g in gs] for gs in grads], epsilon=0.0)[0])
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_epsilon_forms_agree_when_rescaled():
    # Algorithm 1 with eps equals the reordered form with eps_hat = eps * sqrt(1 -
    # beta_2^t).
    params, grads = random_problem(5, steps=1)
    a = flatten(run_fast(params, grads, epsilon=1e-3)[0])
    b = flatten(
        run_fast(params, grads, epsilon=1e-3 * math.sqrt(1 - 0.999), epsilon_hat=True)[
            0
        ]
    )
    np.testing.assert_allclose(a, b, rtol=1e-12)


# -- dtypes and shapes -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    params, grads = random_problem(6, dtype=dtype, steps=3)
    out, opt = run_fast(params, grads)
    assert all(p.dtype == dtype for p in out)
    assert all(
        a.dtype == dtype
        for arrays in opt.state_dict()["slots"].values()
        for a in arrays
    )
    out, state = run_functional(params, grads)
    assert all(p.dtype == dtype for p in out)


def test_float64_gradient_cast_to_float32():
    w = np.zeros(4, np.float32)
    Adam().step([w], [np.ones(4, np.float64)])
    assert w.dtype == np.float32


def test_zero_size_and_scalar_parameters():
    params = [np.zeros((0, 3)), np.array(2.0)]
    Adam().step(params, [np.zeros((0, 3)), np.array(1.0)])
    assert params[1] == pytest.approx(2.0 - 0.001)


# -- the fast path allocates nothing per step ------------------------------------------
def test_no_allocation_after_first_step():
    n = 1 << 20
    p, g = np.zeros(n, np.float32), np.ones(n, np.float32)
    opt = Adam()
    opt.step([p], [g])  # creates the slots and the scratch block
    tracemalloc.start()
    for _ in range(3):
        opt.step([p], [g])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * 1024, (
        f"a step allocated {peak} bytes (one parameter is {p.nbytes})"
    )


# -- checkpoints -----------------------------------------------------------------------
def test_resume_from_state_dict_is_bit_for_bit(switches):
    params, grads = random_problem(7, steps=40, dtype=np.float32)
    straight, _ = run_fast(params, grads, **switches)

    first = [p.copy() for p in params]
    opt = Adam(**switches)
    for g in grads[:25]:
        opt.step(first, g)
    saved, saved_params = opt.state_dict(), [p.copy() for p in first]
    for g in grads[25:30]:  # steps after the save must not leak into it
        opt.step(first, g)

    resumed = Adam(learning_rate=0.5)  # hyperparameters come back with the state
    resumed.load_state_dict(saved)
    assert resumed.hyperparameters == Hyperparameters(**switches)
    for g in grads[25:]:
        resumed.step(saved_params, g)
    for a, b in zip(straight, saved_params):
        np.testing.assert_array_equal(a, b)


def test_state_bytes_counts_the_moments():
    p = [np.zeros((10, 10), np.float32)]
    for kw, slots in [({}, 2), ({"amsgrad": True}, 3)]:
        opt = Adam(**kw)
        assert opt.state_bytes() == 0
        opt.step(p, [np.ones((10, 10))])
        assert opt.state_bytes() == slots * 400


def test_lr_changes_between_steps_checked():
    opt = Adam()
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5 and opt.hyperparameters.learning_rate == 0.5
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0
    assert opt.learning_rate == 0.5


def test_repr_and_attributes():
    opt = Adam(beta_2=0.99)
    assert opt.beta_2 == 0.99 and "beta_2=0.99" in repr(opt)
    with pytest.raises(AttributeError):
        _ = opt.no_such_thing


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_threaded_step_works_in_a_forked_child(monkeypatch):
    # The thread pool is made in the parent; a forked child has none of its threads.
    monkeypatch.setattr(fast, "BLOCK", 64)
    params, grads = random_problem(0, shapes=((40 * 64,),), steps=2, dtype=np.float32)
    expected, _ = run_fast(params, grads, threads=2)
    parent = Adam(threads=2)
    p = [a.copy() for a in params]
    parent.step(p, grads[0])
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        child = pool.apply_async(_step_and_return, (parent, p, grads[1])).get(
            timeout=60
        )
    np.testing.assert_array_equal(child[0], expected[0])


def _step_and_return(opt, params, grads):
    opt.step(params, grads)
    return params
