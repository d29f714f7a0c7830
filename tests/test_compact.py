"""CompactAdam: Adam with bfloat16 or 8-bit block-quantized moments
(adam.numpy.compact).

* The encodings: bfloat16 bits equal ml_dtypes' rounding; 8-bit codes are within half a
  level of the values they stand for.
* Memory: 4 bytes per parameter in bfloat16, 2 + 8 / block in int8, against Adam's 8.
* Agreement with adam.numpy.Adam over a few steps, within stated tolerances; training on
  a small problem ends where Adam ends.
* Errors like the rest of the package: bad arguments raise with clear messages, a failed
  step changes nothing, checkpoints round-trip bit for bit.
"""

import copy

import numpy as np
import pytest

from adam.experiments.agreement import run_numpy
from adam.numpy import Adam
from adam.numpy.checks import MomentOverflowError
from adam.numpy.compact import (
    CompactAdam,
    dequantize,
    from_bfloat16_bits,
    quantize,
    to_bfloat16_bits,
)

STATES = ["bfloat16", "int8"]


def params_and_grads(steps=10, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(300, 7)).astype(dtype), rng.normal(size=5).astype(dtype)]
    grads = [
        [
            rng.normal(size=p.shape).astype(dtype) * 10.0 ** rng.uniform(-3, 1)
            for p in params
        ]
        for _ in range(steps)
    ]
    return params, grads


run = run_numpy  # step an optimizer through the gradients, from copies of the params


def test_bfloat16_rounds_like_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    rng = np.random.default_rng(0)
    x = (rng.normal(size=20000) * 10.0 ** rng.uniform(-40, 38, 20000)).astype(
        np.float32
    )
    x = np.concatenate([x, [0.0, -0.0, 1.0 + 2**-8, 1.0 + 3 * 2**-8, 3e38]]).astype(
        np.float32
    )
    expected = x.astype(ml_dtypes.bfloat16).view(np.uint16)
    np.testing.assert_array_equal(to_bfloat16_bits(x), expected)
    np.testing.assert_array_equal(
        from_bfloat16_bits(expected),
        expected.view(ml_dtypes.bfloat16).astype(np.float32),
    )


@pytest.mark.parametrize("signed", [True, False])
def test_int8_codes_are_within_half_a_level(signed):
    rng = np.random.default_rng(1)
    x = rng.normal(size=1000).astype(np.float32) * np.repeat([1e-6, 1.0, 1e4, 0.0], 250)
    x = x if signed else np.abs(x)
    codes, scale = quantize(x, 64, signed)
    assert codes.dtype == (np.int8 if signed else np.uint8) and scale.shape == (16,)
    back = dequantize(codes, scale, 64)
    levels = 127 if signed else 255
    per_value = np.repeat(scale, 64)[:1000]
    assert (np.abs(back - x) <= per_value / levels / 2 * (1 + 1e-6)).all()
    assert (back[750:] == 0).all()  # an all-zero block stays zero


@pytest.mark.parametrize("state, per_parameter", [("bfloat16", 4), ("int8", 2)])
def test_memory_per_parameter(state, per_parameter):
    w = np.zeros(256 * 40, np.float32)
    ours, adam = CompactAdam(state=state), Adam()
    for opt in (ours, adam):
        opt.step([w.copy()], [np.ones_like(w)])
    assert adam.state_bytes() == 8 * w.size
    extra = 2 * 4 * 40 if state == "int8" else 0  # one float32 scale per block of 256
    assert ours.state_bytes() == per_parameter * w.size + extra


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"weight_decay": 0.01},
        {"epsilon_hat": True},
        {"bias_correction": False, "learning_rate": 1e-3},
    ],
)
@pytest.mark.parametrize(
    "state, mean, largest", [("bfloat16", 0.05, 0.2), ("int8", 0.3, 6)]
)
def test_agrees_with_adam_on_a_few_steps(state, mean, largest, kw):
    """Ten steps move the weights by several learning rates. In units of the learning
    rate, ours stays within `mean` of Adam on average and within `largest` everywhere:
    bfloat16 keeps 8 significant bits; a linear 8-bit code loses the small values of a
    block (their step can be off by about one learning rate)."""
    params, grads = params_and_grads()
    kw = {"learning_rate": 0.01, **kw}
    theirs = run(Adam(**kw), params, grads)
    ours = run(CompactAdam(state=state, **kw), params, grads)
    gaps = []
    for a, b, start in zip(theirs, ours, params):
        assert np.abs(a - start).max() > 2 * kw["learning_rate"]
        gaps.append(np.abs(a - b).ravel() / kw["learning_rate"])
    gaps = np.concatenate(gaps)
    assert gaps.mean() < mean and gaps.max() < largest


@pytest.mark.parametrize("state", STATES)
def test_first_step_exact_when_unrounded(state):
    # the step is computed from the float32 moments before they are rounded for storage
    params, grads = params_and_grads(steps=1)
    np.testing.assert_array_equal(
        run(CompactAdam(state=state), params, grads)[0], run(Adam(), params, grads)[0]
    )


@pytest.mark.parametrize("state", STATES)
def test_a_weight_without_gradient_never_moves(state):
    w = np.linspace(-1, 1, 600).astype(np.float16)
    opt = CompactAdam(state=state, learning_rate=0.01)
    rng = np.random.default_rng(2)
    for _ in range(20):
        g = rng.normal(size=600).astype(np.float16)
        g[:300] = 0
        opt.step([w], [g])
    np.testing.assert_array_equal(
        w[:300], np.linspace(-1, 1, 600).astype(np.float16)[:300]
    )
    assert np.isfinite(w).all()


def test_training_ends_where_adam_ends():
    """Least squares with 2,000 weights, 300 steps: the final losses agree within 5
    %."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=(400, 2000)).astype(np.float32) / 40
    target = rng.normal(size=400).astype(np.float32)

    def train(opt):
        w = np.zeros(2000, np.float32)
        for _ in range(300):
            r = a @ w - target
            opt.step([w], [a.T @ r / 400])
        return float(np.mean((a @ w - target) ** 2))

    reference = train(Adam(learning_rate=0.01))
    assert reference < 0.5 * float(np.mean(target**2))
    for state in STATES:
        assert train(CompactAdam(learning_rate=0.01, state=state)) == pytest.approx(
            reference, rel=0.05
        )


@pytest.mark.parametrize("state", STATES)
def test_checkpoint_resumes_bit_for_bit(state):
    params, grads = params_and_grads(steps=6)
    opt = CompactAdam(state=state, learning_rate=0.01)
    params = run(opt, params, grads[:3])
    saved = opt.state_dict()
    before = copy.deepcopy(saved)
    resumed = CompactAdam(state=state)
    resumed.load_state_dict(saved)
    assert resumed.hyperparameters == opt.hyperparameters and resumed.iterations == 3
    a = run(opt, params, grads[3:])
    b = run(resumed, params, grads[3:])
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    for name, arrays in before["slots"].items():  # the saved state was not changed
        for x, y in zip(arrays, saved["slots"][name]):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    "kw, error, message",
    [
        (
            {"state": "float8"},
            ValueError,
            r"state must be one of \['bfloat16', 'int8'\]",
        ),
        ({"block": 1}, ValueError, "block must be an integer >= 2, got 1"),
        ({"block": 2.5}, ValueError, "block must be an integer"),
        ({"block": True}, ValueError, "block must be an integer"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must lie in"),
        ({"beta_2": 1.5}, ValueError, "beta_2 must lie in"),
    ],
)
def test_bad_arguments_raise_clearly(kw, error, message):
    with pytest.raises(error, match=message):
        CompactAdam(**kw)


def test_amsgrad_is_not_offered():
    with pytest.raises(TypeError):
        CompactAdam(amsgrad=True)


@pytest.mark.parametrize("state", STATES)
def test_failed_steps_change_nothing(state):
    params, grads = params_and_grads(steps=2)
    opt = CompactAdam(state=state)
    params = run(opt, params, grads[:1])
    saved, kept = opt.state_dict(), [p.copy() for p in params]
    bad_grads = [
        [np.full((300, 7), np.nan, np.float32), grads[1][1]],  # NaN
        [grads[1][0]],  # one missing
        [grads[1][0], np.ones(4, np.float32)],  # wrong shape
        [np.full((300, 7), 2e19, np.float32), grads[1][1]],  # square overflows
    ]
    for bad in bad_grads:
        with pytest.raises((ValueError, TypeError)):
            opt.step(params, bad)
    with pytest.raises(MomentOverflowError, match=r"grads\[0\] is too large"):
        opt.step(params, bad_grads[-1])
    assert opt.iterations == 1
    for p, k in zip(params, kept):
        np.testing.assert_array_equal(p, k)
    for name, arrays in saved["slots"].items():
        for x, y in zip(arrays, opt.state_dict()["slots"][name]):
            np.testing.assert_array_equal(x, y)


def test_block_and_state_fixed_once_stateful():
    opt = CompactAdam(state="int8", block=64)
    opt.step([np.zeros(10, np.float32)], [np.ones(10, np.float32)])
    with pytest.raises(ValueError, match="block=128 needs another layout"):
        opt.block = 128
    with pytest.raises(ValueError, match="needs the slots"):
        opt.state = "bfloat16"
    opt.learning_rate = 0.1  # an ordinary hyperparameter still changes
    assert opt.learning_rate == 0.1 and opt.block == 64


@pytest.mark.parametrize("state", STATES)
def test_corrupt_checkpoint_changes_nothing(state):
    params, grads = params_and_grads(steps=2)
    opt = CompactAdam(state=state)
    run(opt, params, grads)
    good = opt.state_dict()
    first = next(iter(good["slots"]))
    broken = []
    s = copy.deepcopy(good)
    s["slots"][first][0] = s["slots"][first][0].astype(np.float32)
    broken.append((s, "must be a"))
    s = copy.deepcopy(good)
    s["slots"][first][0] = s["slots"][first][0][:10]
    broken.append((s, "has shape"))
    s = copy.deepcopy(good)
    s["optimizer"] = "Adam"
    broken.append((s, "saved by 'Adam'"))
    s = copy.deepcopy(good)
    s["hyperparameters"]["state"] = "int8" if state == "bfloat16" else "bfloat16"
    broken.append((s, "do not match the slots"))
    if state == "bfloat16":
        s = copy.deepcopy(good)
        s["slots"]["second_moment"][0][0, 0] = 0x7F80  # +inf
        broken.append((s, "non-finite"))
    target = CompactAdam(state=state)
    for state_dict, message in broken:
        with pytest.raises(ValueError, match=message):
            target.load_state_dict(state_dict)
        assert target.iterations == 0 and target.state_bytes() == 0


def test_adam_checkpoints_are_not_loaded():
    opt = Adam()
    opt.step([np.zeros(3, np.float32)], [np.ones(3, np.float32)])
    with pytest.raises(ValueError, match="saved by 'Adam'"):
        CompactAdam().load_state_dict(opt.state_dict())


# -- no silent wrong result --------------------------------------------------------
@pytest.mark.parametrize("state", STATES)
def test_float64_keeps_its_precision(state):
    """The step is float32; the parameter is not rounded to float32 on the way."""
    w = np.array([1 + 1e-12, 1e300, 1e-300, np.pi])
    kept = w.copy()
    CompactAdam(state=state).step([w], [np.zeros(4)])
    np.testing.assert_array_equal(w, kept)


@pytest.mark.parametrize("state", STATES)
def test_0d_parameter_resumes(state):
    w, g = np.array(1.0, np.float32), np.array(0.5, np.float32)
    opt = CompactAdam(state=state)
    opt.step([w], [g])
    saved = opt.state_dict()
    assert saved["slots"]["first_moment"][0].shape == ()
    resumed, straight = CompactAdam(state=state), copy.deepcopy(opt)
    resumed.load_state_dict(saved)
    w2 = w.copy()
    resumed.step([w2], [g])
    straight.step([w], [g])
    assert w2 == w
    if state == "bfloat16":  # moments saved as shape (1,) by earlier versions
        old = copy.deepcopy(saved)
        old["slots"] = {
            k: [a.reshape(1) for a in arrays] for k, arrays in saved["slots"].items()
        }
        resumed = CompactAdam()
        resumed.load_state_dict(old)
        w3 = np.array(1.0, np.float32)
        resumed.step([w3], [g])


def test_int8_scale_overflowing_v_refused():
    opt = CompactAdam(state="int8")
    w = np.ones(4, np.float32)
    opt.step([w], [np.ones(4, np.float32)])
    bad = opt.state_dict()
    bad["slots"]["root_second_moment_scale"][0][:] = 1e20
    target = CompactAdam(state="int8")
    target.step([np.ones(4, np.float32)], [np.ones(4, np.float32)])
    before = target.state_dict()
    message = r"scale'\]\[0\] holds 1e\+20, whose square \(the second moment\)"
    with pytest.raises(ValueError, match=message):
        target.load_state_dict(bad)
    for name, arrays in target.state_dict()["slots"].items():
        np.testing.assert_array_equal(arrays[0], before["slots"][name][0])


def test_large_block_costs_parameter_size():
    """block=2**24 for a 10-weight bias: one block of 10, not 16 Mi values per step; the
    codes and the checkpoint layout (one scale) are those of the padded block."""
    import time

    x = np.linspace(-1, 1, 10, dtype=np.float32)
    for signed in (True, False):
        for a, b in zip(quantize(x, 2**24, signed), quantize(x, 16, signed)):
            np.testing.assert_array_equal(a, b)
    opt = CompactAdam(state="int8", block=2**24)
    w = np.ones(10, np.float32)
    opt.step([w], [np.ones(10, np.float32)])
    start = time.perf_counter()
    opt.step([w], [np.ones(10, np.float32)])
    assert time.perf_counter() - start < 0.02
    assert opt.state_dict()["slots"]["first_moment_scale"][0].shape == (1,)


@pytest.mark.parametrize("state", STATES)
def test_too_large_for_float32_says_so(state):
    w = np.ones(2)
    opt = CompactAdam(state=state)
    message = r"grads\[0\] is too large for CompactAdam, which computes its step in"
    with pytest.raises(MomentOverflowError, match=message):
        opt.step([w], [np.array([1e39, 1.0])])
    np.testing.assert_array_equal(w, 1)
    assert opt.iterations == 0 and opt.state_dict()["slots"] == {}


def test_float32_beta_rounding_to_1_refused():
    with pytest.raises(
        ValueError,
        match=r"beta_2=0.99999999 rounds to 1.0 in float32 "
        r"\(the step is computed in float32\)",
    ):
        CompactAdam(beta_2=0.99999999).step([np.ones(2)], [np.ones(2)])


def steady_steps(opt, steps, lr=1e-3):
    """Mean |step| / lr over the last step, and mean v, for gradients 1 +- 10%."""
    rng = np.random.default_rng(0)
    w = np.zeros(1000, np.float32)
    for _ in range(steps):
        before = w.copy()
        opt.step([w], [(1 + 0.1 * rng.standard_normal(1000)).astype(np.float32)])
    compact = isinstance(opt, CompactAdam)
    v = opt.moments()[0][1] if compact else opt._slots["second_moment"][0]
    return np.abs(w - before).mean() / lr, v.mean()


def test_bfloat16_second_moment_does_not_stall():
    """Rounded to nearest, v stopped growing at half its value (an increment of
    (1 - beta_2) g**2 is below half an ulp of bfloat16) and steps were 1.39 lr after
    3000 steps; rounded stochastically where it would stall, v and the steps are
    Adam's."""
    step, v = steady_steps(CompactAdam(learning_rate=1e-3), 3000)
    adam_step, adam_v = steady_steps(Adam(learning_rate=1e-3), 3000)
    assert abs(v / adam_v - 1) < 0.02 and abs(step / adam_step - 1) < 0.02


def test_int8_small_beside_large_overshoot():
    """Measured, not fixed: with the linear 8-bit code, coordinates whose gradient is
    1e-4 of the largest in their block lose m and v to rounding every step, so each step
    is a first step without bias correction, (1 - beta_1) / sqrt(1 - beta_2) = 3.16 lr
    (the docstring and the README say so)."""
    opt = CompactAdam(learning_rate=1e-3, state="int8")
    w = np.zeros(256, np.float32)
    g = np.full(256, 1e-4, np.float32)
    g[0] = 1.0
    ratios = {}
    for t in range(1, 10_001):
        before = w.copy()
        opt.step([w], [g])
        if t in (10, 100, 1000, 10_000):
            ratios[t] = np.abs(w - before)[1:].mean() / 1e-3
    assert 0.4 < ratios[10] < 0.6 and 0.9 < ratios[100] < 1.1
    assert 2.3 < ratios[1000] < 2.7 and 3.1 < ratios[10_000] < 3.17


def test_malformed_slot_is_named():
    """A list where an array belongs gave AttributeError when another slot came
    first."""
    from adam.numpy import CompactAdam

    opt = CompactAdam()
    w = np.ones(3, np.float32)
    opt.step([w], [np.ones(3, np.float32)])
    state = opt.state_dict()
    slots = {k: v for k, v in state["slots"].items() if k != "first_moment"}
    state["slots"] = {**slots, "first_moment": [[1, 2, 3]]}  # another slot comes first
    assert next(iter(state["slots"])) != "first_moment"
    with pytest.raises(
        ValueError,
        match=r"malformed state dict: slots\['first_moment'\]\[0\] "
        r"must be a",
    ):
        opt.load_state_dict(state)
