"""Low precision and overflow in the NumPy optimizers and FusedAdam (adam.tensorflow:
test_tensorflow_safety.py).

* A weight whose gradient has always been 0 gets no step, in every dtype, whatever
  epsilon rounds to there (1e-8 is 0 in float16).
* A finite gradient whose square overflows the dtype (|g| > 256 in float16) is refused
  before anything changes (MomentOverflowError, naming the parameter), and the step is
  not counted; an optimizer's own checkpoint always loads back, bit for bit.
* FusedAdam accepts every dtype Adam accepts, with the same bits, and the two load each
  other's checkpoints.
"""

import copy
import warnings

import numpy as np
import pytest

import adam.numpy.fast as fast
from adam.experiments.agreement import run_numpy
from adam.numpy import (
    SGD,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    Hyperparameters,
    Nadam,
    RMSProp,
    init,
    update,
)
from adam.numpy.checks import MomentOverflowError

DTYPES = [np.float16, np.float32, np.float64, np.longdouble]

OPTIMIZERS = {
    "Adam": Adam,
    "Adam epsilon_hat": lambda: Adam(epsilon_hat=True),
    "Adam no bias correction": lambda: Adam(bias_correction=False),
    "AMSGrad": lambda: Adam(amsgrad=True),
    "AdamW": lambda: AdamW(weight_decay=0.0),
    "AdaGrad": AdaGrad,
    "RMSProp": RMSProp,
    "AdaMax": AdaMax,
    "Nadam": Nadam,
    "SGD momentum": lambda: SGD(momentum=0.9),
}


def fused():
    pytest.importorskip("numba")
    from adam.fused import FusedAdam

    return FusedAdam


def problem(dtype, steps=5, size=6):
    """Coordinates 0 and 1 never get a gradient; the others get ordinary ones."""
    rng = np.random.default_rng(0)
    params = [rng.normal(size=size).astype(dtype)]
    grads = []
    for _ in range(steps):
        g = rng.normal(size=size).astype(dtype)
        g[:2] = 0
        grads.append([g])
    return params, grads


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", [*OPTIMIZERS, "FusedAdam", "FusedAdam AMSGrad"])
def test_a_weight_without_gradient_never_moves(name, dtype):
    if name.startswith("FusedAdam"):
        make = (lambda: fused()(amsgrad=True)) if "AMSGrad" in name else fused()
    else:
        make = OPTIMIZERS[name]
    params, grads = problem(dtype)
    with np.errstate(divide="raise", invalid="raise"):  # not even a 0/0 on the way
        end = run_numpy(make(), params, grads)
    assert end[0].dtype == dtype and np.isfinite(end[0]).all()
    np.testing.assert_array_equal(end[0][:2], params[0][:2])
    assert (end[0][2:] != params[0][2:]).all()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("switches", [{}, {"epsilon_hat": True}, {"amsgrad": True}])
def test_functional_skips_weight_without_grad(dtype, switches):
    params, grads = problem(dtype)
    h, state = (
        Hyperparameters(**switches),
        init(params, amsgrad=switches.get("amsgrad", False)),
    )
    out = params
    with np.errstate(divide="raise", invalid="raise"):
        for g in grads:
            out, state = update(g, state, out, h)
    assert out[0].dtype == dtype and np.isfinite(out[0]).all()
    np.testing.assert_array_equal(out[0][:2], params[0][:2])


RATES = {
    "Adam": (Adam, "beta_2"),
    "Adam beta_1": (Adam, "beta_1"),
    "AMSGrad": (lambda **kw: Adam(amsgrad=True, **kw), "beta_2"),
    "FusedAdam": (lambda **kw: fused()(**kw), "beta_2"),
    "AdaMax": (AdaMax, "beta_2"),
    "Nadam": (Nadam, "beta_2"),
    "RMSProp": (RMSProp, "rho"),
    "SGD momentum": (SGD, "momentum"),
}


@pytest.mark.parametrize("name", RATES)
def test_float16_beta_rounding_to_1_refused(name):
    """beta_2 = 0.9998 is exactly 1.0 in float16: v would never decay. Refused before
    anything changes, naming the argument; float32 parameters and 0.9997 (0.99951 in
    float16) are fine."""
    make, rate = RATES[name]
    p = np.ones(3, np.float16)
    opt = make(**{rate: 0.9998})
    with pytest.raises(
        ValueError,
        match=rf"^{rate}=0.9998 rounds to 1.0 in float16 "
        rf"\(params\[0\] is float16\).*{rate} < 0.999755859",
    ):
        opt.step([p], [np.ones(3, np.float16)])
    assert opt.iterations == 0 and opt.state_dict()["slots"] == {}
    np.testing.assert_array_equal(p, 1)
    opt.step([np.ones(3, np.float32)], [np.ones(3, np.float32)])
    make(**{rate: 0.9997}).step([p], [np.ones(3, np.float16)])


def test_functional_refuses_beta_rounding_to_1():
    p = [np.ones(3, np.float16)]
    with pytest.raises(ValueError, match=r"^beta_1=0.99999 rounds to 1.0 in float16"):
        update([np.ones(3, np.float16)], init(p), p, Hyperparameters(beta_1=0.99999))


def test_bfloat16_is_refused_clearly():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    w = np.ones(3, ml_dtypes.bfloat16)
    opt = Adam()
    with pytest.raises(
        TypeError, match=r"params\[0\] has dtype bfloat16; parameters must be"
    ):
        opt.step([w], [np.ones(3, np.float32)])
    assert opt.iterations == 0 and opt.state_bytes() == 0 and (w == 1).all()


def test_gradient_overflowing_dtype_refused():
    # Finiteness is checked after the cast to the parameter's dtype.
    w = np.ones(3, np.float16)
    opt = Adam()
    with pytest.raises(ValueError, match=r"grads\[0\] contains 1 non-finite"):
        opt.step([w], [np.array([1.0, 1e5, 0.0])])  # 1e5 is inf in float16
    assert opt.iterations == 0 and (w == 1).all()


# -- a gradient whose square overflows -------------------------------------------------
#: Finite, but the square overflows: just above sqrt(largest) (Adam, AdaGrad: g * g), or
#: half the largest value (RMSProp's (1 - rho) * g * g and Nadam's (1 - beta_2) * g * g
#: overflow too).
JUST_ABOVE = {np.float16: 300.0, np.float32: 2e19, np.float64: 2e154}
SQUARES_FIRST = {
    "Adam",
    "Adam epsilon_hat",
    "Adam no bias correction",
    "AMSGrad",
    "AdamW",
    "AdaGrad",
    "FusedAdam",
}


def two_params(dtype):
    rng = np.random.default_rng(1)
    return [rng.normal(size=(3, 2)).astype(dtype), rng.normal(size=4).astype(dtype)]


def ordinary(dtype):
    return [np.full((3, 2), 0.5, dtype), np.full(4, -0.25, dtype)]


def huge(dtype, value=None):
    g = ordinary(dtype)
    g[1][2] = JUST_ABOVE[dtype] if value is None else value  # finite, its square is not
    return g


def snapshot(opt, params):
    return copy.deepcopy(opt.state_dict()), [p.copy() for p in params]


def assert_same_state(state, other):
    assert state["iterations"] == other["iterations"]
    assert state["hyperparameters"] == other["hyperparameters"]
    for name in state["slots"]:
        for a, b in zip(state["slots"][name], other["slots"][name]):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize(
    "dtype", [np.float16, np.float32, np.float64], ids=lambda d: np.dtype(d).name
)
@pytest.mark.parametrize(
    "name",
    [n for n in [*OPTIMIZERS, "FusedAdam"] if n not in ("SGD momentum", "AdaMax")],
)
@pytest.mark.parametrize("first", [True, False], ids=["first step", "later step"])
def test_overflowing_square_refused(name, dtype, first):
    make = fused() if name == "FusedAdam" else OPTIMIZERS[name]
    params, opt = two_params(dtype), make()
    if not first:
        opt.step(params, ordinary(dtype))
    state, saved = snapshot(opt, params)
    value = None if name in SQUARES_FIRST else np.finfo(dtype).max / 2
    with pytest.raises(
        MomentOverflowError, match=rf"grads\[1\] is too large for {np.dtype(dtype)}"
    ):
        opt.step(params, huge(dtype, value))
    for a, b in zip(params, saved):
        np.testing.assert_array_equal(a, b)
    assert_same_state(opt.state_dict(), state)  # not counted, nothing written
    assert opt.state_bytes() == (0 if first else opt.state_bytes())
    # The optimizer goes on, and its own checkpoint loads back bit for bit.
    opt.step(params, ordinary(dtype))
    again = make()
    again.load_state_dict(opt.state_dict())
    assert_same_state(again.state_dict(), opt.state_dict())


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_functional_update_refuses_it_too():
    params = two_params(np.float16)
    state = init(params)
    with pytest.raises(
        MomentOverflowError, match=r"grads\[1\] is too large for float16"
    ):
        update(huge(np.float16), state, params)


def test_sgd_takes_a_large_gradient():
    w = np.zeros(2, np.float16)
    SGD(learning_rate=0.01).step([w], [np.array([300.0, 1.0], np.float16)])
    np.testing.assert_allclose(w, [-3.0, -0.01], rtol=1e-3)


@pytest.mark.parametrize("make", ["AdaMax", "SGD momentum"])
def test_squareless_take_any_finite_gradient(make):
    params, opt = two_params(np.float16), OPTIMIZERS[make]()
    opt.step(params, huge(np.float16, np.finfo(np.float16).max / 2))
    assert all(np.isfinite(a).all() for a in params)
    OPTIMIZERS[make]().load_state_dict(opt.state_dict())


largest = fast._largest


@pytest.mark.parametrize("amsgrad", [False, True])
def test_steps_near_limit_are_ordinary(amsgrad, monkeypatch):
    # |g| = 254 in float16: g * g = 64516 fits, just. The running bound reaches the
    # limit, so the step computes its moments first to check them; the step itself is
    # unchanged: the same moments, bit for bit, as the readable update, and no refusal.
    params = [np.array([1.0, -1.0, 0.5, 2.0], np.float16)]
    grads = [[np.array([254.0, -180.0, 0.0, 1e-3], np.float16)] for _ in range(30)]
    checked = []
    monkeypatch.setattr(
        fast, "_largest", lambda a: checked.append(a.size) or largest(a)
    )
    opt = Adam(beta_2=0.5, amsgrad=amsgrad)
    run_numpy(opt, params, grads)
    assert len(checked) >= 5  # 3 on the first step, 2 per step computed first
    h = Hyperparameters(beta_2=0.5, amsgrad=amsgrad)
    state, out = init(params, amsgrad=amsgrad), params
    for g in grads:
        out, state = update(g, state, out, h)
    np.testing.assert_array_equal(
        opt.state_dict()["slots"]["second_moment"][0], state.second_moment[0]
    )
    np.testing.assert_array_equal(
        opt.state_dict()["slots"]["first_moment"][0], state.first_moment[0]
    )


# -- FusedAdam: every dtype, and the same checkpoints ----------------------------------
def byte_swapped(dtype):
    return np.dtype(dtype).newbyteorder()


@pytest.mark.parametrize(
    "dtype",
    [
        np.float16,
        np.longdouble,
        byte_swapped(np.float32),
        byte_swapped(np.float64),
        np.float32,
        np.float64,
    ],
    ids=["float16", "longdouble", ">f4", ">f8", "float32", "float64"],
)
@pytest.mark.parametrize(
    "kw", [{}, {"amsgrad": True, "weight_decay": 0.01}, {"epsilon": 0.0}]
)
def test_fused_dtypes_and_bits_match_adam(dtype, kw):
    FusedAdam = fused()
    rng = np.random.default_rng(2)
    params = [rng.normal(size=(50, 7)).astype(dtype), rng.normal(size=3).astype(dtype)]
    grads = [[rng.normal(size=p.shape).astype(dtype) for p in params] for _ in range(4)]
    expected = run_numpy(Adam(**kw), params, grads)
    got = run_numpy(FusedAdam(**kw), params, grads)
    for a, b in zip(got, expected):
        assert a.dtype == b.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "source, target", [("Adam", "FusedAdam"), ("FusedAdam", "Adam")]
)
def test_adam_fused_share_checkpoints(source, target):
    FusedAdam = fused()
    classes = {"Adam": Adam, "FusedAdam": FusedAdam}
    rng = np.random.default_rng(3)
    params = [rng.normal(size=(20, 5)).astype(np.float32)]
    grads = [[rng.normal(size=(20, 5)).astype(np.float32)] for _ in range(8)]
    straight = run_numpy(classes[source](amsgrad=True), params, grads)
    first = classes[source](amsgrad=True)
    half = run_numpy(first, params, grads[:4])
    second = classes[target]()
    second.load_state_dict(first.state_dict())
    assert second.hyperparameters == first.hyperparameters and second.iterations == 4
    np.testing.assert_array_equal(run_numpy(second, half, grads[4:])[0], straight[0])


def test_adamw_does_not_take_adam_checkpoints():
    with pytest.raises(ValueError, match="saved by 'Adam', not 'AdamW'"):
        AdamW().load_state_dict(Adam().state_dict())


def test_fused_takes_every_valid_gradient():
    # A NaN is still found in the NumPy-checked dtypes.
    FusedAdam = fused()
    w = np.ones(4, np.float16)
    g = np.array([1.0, np.nan, 0.0, 2.0], np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"grads\[0\] contains 1 non-finite"):
            FusedAdam().step([w], [g])
    assert (w == 1).all()
