"""Bad input gives an error that names the problem, and changes nothing."""

import copy
import math
import re

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from adam.numpy import Adam, Hyperparameters, init, update


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"learning_rate": 0.0}, "learning_rate must lie in"),
        ({"learning_rate": -1e-3}, "learning_rate must lie in"),
        ({"learning_rate": math.nan}, "learning_rate must be finite"),
        ({"learning_rate": math.inf}, "learning_rate must be finite"),
        ({"learning_rate": "0.1"}, "learning_rate must be a real number"),
        ({"learning_rate": True}, "learning_rate must be a real number"),
        ({"beta_1": 1.0}, r"beta_1 must lie in \[0.0, 1.0\)"),
        ({"beta_1": -0.1}, "beta_1 must lie in"),
        ({"beta_2": 1.5}, "beta_2 must lie in"),
        ({"epsilon": -1e-8}, "epsilon must lie in"),
        ({"weight_decay": -0.1}, "weight_decay must lie in"),
        ({"amsgrad": 1}, "amsgrad must be True or False"),
        ({"bias_correction": "no"}, "bias_correction must be True or False"),
        ({"epsilon_hat": True, "bias_correction": False}, "epsilon_hat=True"),
    ],
)
def test_bad_hyperparameters(kw, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Adam(**kw)
    with pytest.raises((ValueError, TypeError), match=message):
        Hyperparameters(**kw)


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_bad_thread_count(threads):
    with pytest.raises(ValueError, match="threads must be a positive integer or None"):
        Adam(threads=threads)


def test_numpy_scalars_are_accepted():
    opt = Adam(learning_rate=np.float32(0.01), beta_1=np.float64(0.8))
    assert isinstance(opt.learning_rate, float) and opt.beta_1 == 0.8


def trained_optimizer(**kw):
    rng = np.random.default_rng(0)
    params = [
        rng.normal(size=(3, 2)).astype(np.float32),
        rng.normal(size=4).astype(np.float32),
    ]
    opt = Adam(**kw)
    for _ in range(3):
        opt.step(params, [rng.normal(size=p.shape).astype(np.float32) for p in params])
    return opt, params


def snapshot(opt, params):
    return copy.deepcopy(opt.state_dict()), [p.copy() for p in params], opt.iterations


def assert_unchanged(opt, params, snap):
    state, saved_params, iterations = snap
    assert opt.iterations == iterations
    for a, b in zip(params, saved_params):
        np.testing.assert_array_equal(a, b)
    now = opt.state_dict()
    assert now["hyperparameters"] == state["hyperparameters"]
    for name in state["slots"]:
        for a, b in zip(now["slots"][name], state["slots"][name]):
            np.testing.assert_array_equal(a, b)


def nan_at_end(shape):
    g = np.ones(shape, np.float32)
    g.reshape(-1)[-1] = np.nan
    return g


def strided(a):
    """Four float32 values of `a`'s memory, as a view whose base is not `a`."""
    return as_strided(a, shape=(4,), strides=(4,))


def ones():
    return [np.ones((3, 2)), np.ones(4)]


BAD_STEPS = [
    (
        "one gradient too few",
        lambda p: (p, [np.ones((3, 2))]),
        "got 1 gradients for 2 parameters",
    ),
    (
        "transposed gradient",
        lambda p: (p, [np.ones((2, 3)), np.ones(4)]),
        r"grads\[0\] has shape \(2, 3\) but params\[0\] has shape \(3, 2\)",
    ),
    (
        "NaN in the last element of the last gradient",
        lambda p: (p, [np.ones((3, 2)), nan_at_end(4)]),
        r"grads\[1\] contains 1 non-finite value\(s\).*index \(3,\)",
    ),
    (
        "infinite gradient",
        lambda p: (p, [np.full((3, 2), np.inf), np.ones(4)]),
        r"grads\[0\] contains 6 non-finite",
    ),
    (
        "complex gradient",
        lambda p: (p, [np.ones((3, 2), complex), np.ones(4)]),
        "real numbers",
    ),
    (
        "boolean gradient",
        lambda p: (p, [np.ones((3, 2), bool), np.ones(4)]),
        "real numbers",
    ),
    ("gradients not a list", lambda p: (p, np.ones(4)), "grads must be a list"),
    ("params not a list", lambda p: (p[0], [np.ones((3, 2))]), "params must be a list"),
    (
        "a parameter that is a list",
        lambda p: ([p[0], [1.0, 2.0, 3.0, 4.0]], [np.ones((3, 2)), np.ones(4)]),
        r"params\[1\] must be a NumPy array",
    ),
    (
        "integer parameter",
        lambda p: ([p[0], np.arange(4)], [np.ones((3, 2)), np.ones(4)]),
        r"params\[1\] has dtype int64; parameters must be floating-point",
    ),
    (
        "different parameter set",
        lambda p: ([p[0], np.zeros(5, np.float32)], [np.ones((3, 2)), np.ones(5)]),
        r"params\[1\] is float32\[5\] but the optimizer state was built for "
        r"float32\[4\]",
    ),
    (
        "different dtype",
        lambda p: ([p[0], p[1].astype(np.float64)], [np.ones((3, 2)), np.ones(4)]),
        r"params\[1\] is float64\[4\] but the optimizer state was built for "
        r"float32\[4\]",
    ),
    (
        "one parameter fewer",
        lambda p: ([p[0]], [np.ones((3, 2))]),
        "holds 2 parameters but 1 were passed",
    ),
    (
        "same array twice",
        lambda p: ([p[0], p[0]], [np.ones((3, 2)), np.ones((3, 2))]),
        "are the same array",
    ),
    (
        "gradient aliasing the parameter",
        lambda p: (p, [p[0], np.ones(4)]),
        r"grads\[0\] shares memory",
    ),
    # Aliases whose base chain does not lead back to the parameter that owns the memory.
    (
        "parameter that is an as_strided view of another",
        lambda p: ([p[0], strided(p[0])], ones()),
        r"params\[0\] and params\[1\] share memory",
    ),
    (
        "parameter made by np.frombuffer from another",
        lambda p: ([p[0], np.frombuffer(p[0].data, np.float32)[:4]], ones()),
        r"params\[0\] and params\[1\] share memory",
    ),
    (
        "parameter made from a memoryview of another",
        lambda p: ([p[0], np.asarray(memoryview(p[0])).reshape(-1)[2:]], ones()),
        r"params\[0\] and params\[1\] share memory",
    ),
    (
        "gradient that is an as_strided view of another parameter",
        lambda p: (p, [np.ones((3, 2)), strided(p[0])]),
        r"grads\[1\] shares memory with params\[0\]",
    ),
    # ndarray subclasses whose arithmetic or data the step would get wrong
    (
        "np.matrix parameter",
        lambda p: ([p[0].view(np.matrix), p[1]], ones()),
        r"params\[0\] is a numpy.matrix, an ndarray subclass",
    ),
    (
        "masked gradient",
        lambda p: (p, [np.ma.masked_array(np.ones((3, 2)), mask=True), np.ones(4)]),
        r"grads\[0\] is a numpy.ma.MaskedArray, an ndarray subclass",
    ),
]


@pytest.mark.parametrize(
    "name, make, message", BAD_STEPS, ids=[b[0] for b in BAD_STEPS]
)
def test_bad_step_raises_and_changes_nothing(name, make, message):
    opt, params = trained_optimizer(amsgrad=True)
    snap = snapshot(opt, params)
    step_params, step_grads = make(params)
    with pytest.raises((ValueError, TypeError), match=message):
        opt.step(step_params, step_grads)
    assert_unchanged(opt, params, snap)


@pytest.mark.parametrize("where", [0, 1000, -1])
def test_threaded_check_finds_non_finite(monkeypatch, where):
    # The quick test is split between threads; whichever part holds the NaN, the step
    # refuses and names the element.
    import adam.numpy.fast as fast

    monkeypatch.setattr(fast, "BLOCK", 64)
    rng = np.random.default_rng(1)
    params = [rng.normal(size=(40, 50)).astype(np.float32)]
    opt = Adam(threads=3)
    opt.step(params, [rng.normal(size=(40, 50)).astype(np.float32)])
    snap = snapshot(opt, params)
    bad = rng.normal(size=(40, 50)).astype(np.float32)
    bad.reshape(-1)[where] = np.nan
    index = np.unravel_index(where % bad.size, bad.shape)
    with pytest.raises(
        ValueError,
        match=rf"grads\[0\] contains 1 non-finite.*index \({index[0]}, {index[1]}\)",
    ):
        opt.step(params, [bad])
    assert_unchanged(opt, params, snap)


def test_read_only_parameter():
    p = np.zeros(3)
    p.flags.writeable = False
    with pytest.raises(ValueError, match=r"params\[0\] is read-only"):
        Adam().step([p], [np.ones(3)])


def test_huge_finite_gradients_accepted():
    # g*g fits in float64 but the sum of four of them overflows, so the quick finiteness
    # test fails and the exact test must let the gradient through.
    w = np.zeros(4)
    Adam(epsilon=0.0).step([w], [np.full(4, 1e154)])
    np.testing.assert_allclose(w, -0.001, rtol=1e-12)


def bad_states():
    opt, _ = trained_optimizer(amsgrad=True)
    good = opt.state_dict()

    def edit(fn):
        s = copy.deepcopy(good)
        fn(s)
        return s

    def set_(path, value):
        def fn(s):
            target = s
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value

        return fn

    return [
        ("not a dict", [1, 2], "state must be a dict"),
        ("missing key", edit(lambda s: s.pop("slots")), r"missing keys \['slots'\]"),
        ("extra key", edit(set_(["extra"], 1)), r"unexpected keys \['extra'\]"),
        (
            "other optimizer",
            edit(set_(["optimizer"], "SGD")),
            "saved by 'SGD', not 'Adam'",
        ),
        (
            "bad hyperparameter",
            edit(set_(["hyperparameters", "beta_1"], 2.0)),
            "beta_1 must lie in",
        ),
        (
            "unknown hyperparameter",
            edit(set_(["hyperparameters", "momentum"], 0.9)),
            "bad hyperparameters",
        ),
        (
            "negative step count",
            edit(set_(["iterations"], -1)),
            "'iterations' must be a non-negative integer",
        ),
        (
            "float step count",
            edit(set_(["iterations"], 3.0)),
            "'iterations' must be a non-negative integer",
        ),
        ("slots not a dict", edit(set_(["slots"], [])), "'slots' must be a dict"),
        (
            "steps but no slots",
            edit(set_(["slots"], {})),
            "3 steps recorded but no slots",
        ),
        (
            "missing AMSGrad slot",
            edit(lambda s: s["slots"].pop("max_second_moment")),
            "do not match the slots",
        ),
        (
            "AMSGrad slot without AMSGrad",
            edit(set_(["hyperparameters", "amsgrad"], False)),
            "do not match the slots",
        ),
        (
            "ragged slots",
            edit(lambda s: s["slots"]["first_moment"].pop()),
            "one array per parameter",
        ),
        (
            "integer slot",
            edit(
                lambda s: s["slots"]["first_moment"].__setitem__(
                    0, np.zeros((3, 2), int)
                )
            ),
            "must be a floating-point array",
        ),
        (
            "wrong slot shape",
            edit(
                lambda s: s["slots"]["second_moment"].__setitem__(
                    1, np.zeros(5, np.float32)
                )
            ),
            r"slots\['second_moment'\]\[1\] is float32\[5\]",
        ),
        (
            "NaN in a moment",
            edit(lambda s: s["slots"]["first_moment"][0].__setitem__((0, 0), np.nan)),
            "non-finite",
        ),
        (
            "negative second moment",
            edit(lambda s: s["slots"]["second_moment"][1].__setitem__(0, -1.0)),
            "negative values",
        ),
        (
            "another parameter set",
            edit(
                lambda s: [
                    s["slots"][k].__setitem__(1, np.zeros(7, np.float32))
                    for k in s["slots"]
                ]
            ),
            "saved for another parameter set",
        ),
    ]


@pytest.mark.parametrize(
    "name, state, message", bad_states(), ids=[b[0] for b in bad_states()]
)
def test_bad_state_dict_changes_nothing(name, state, message):
    opt, params = trained_optimizer(amsgrad=True)
    snap = snapshot(opt, params)
    with pytest.raises((ValueError, TypeError), match=message):
        opt.load_state_dict(state)
    assert_unchanged(opt, params, snap)


def test_fresh_state_dict_binds_later():
    opt, params = trained_optimizer()
    fresh = Adam()
    opt.load_state_dict(fresh.state_dict())  # reset to a fresh optimizer
    assert opt.iterations == 0 and opt.state_bytes() == 0
    opt.step(params, [np.ones((3, 2)), np.ones(4)])  # binds to any parameter list again


def test_loaded_state_checked_at_next_step():
    opt, params = trained_optimizer()
    other = Adam()
    other.load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="was built for float32"):
        other.step(
            [np.zeros((3, 2), np.float32), np.zeros(9, np.float32)],
            [np.ones((3, 2)), np.ones(9)],
        )


# -- findings of the hostile review ----------------------------------------------------


def _optimizers():
    classes = [Adam]
    try:
        from adam.fused import FusedAdam

        classes.append(FusedAdam)
    except ImportError:
        pass
    return classes


@pytest.mark.parametrize("cls", _optimizers())
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_underflow_errstate_step_completes(cls, dtype):
    """Finding 1: np.errstate(all="raise") must not stop a step halfway: underflow is
    harmless, and the step (and its finite check) compute as if it were ignored."""
    tiny = np.finfo(dtype).smallest_normal
    grads = [np.full(4, 0.5, dtype), np.full(4, tiny * 4, dtype)]
    expected = [np.ones(4, dtype), np.ones(4, dtype)]
    with np.errstate(under="ignore"):
        reference = cls(learning_rate=0.1)
        reference.step(expected, [g.copy() for g in grads])
    params = [np.ones(4, dtype), np.ones(4, dtype)]
    opt = cls(learning_rate=0.1)
    with np.errstate(all="raise"):
        opt.step(params, grads)
        opt.step(params, [np.zeros(4, dtype), np.zeros(4, dtype)])
        np.asarray(1e-30, dtype)  # the caller's settings are kept outside the step
    with np.errstate(under="ignore"):
        reference.step(expected, [np.zeros(4, dtype), np.zeros(4, dtype)])
    assert opt.iterations == 2
    for p, q in zip(params, expected):
        np.testing.assert_array_equal(p, q)
    assert np.geterr()["under"] == "ignore"  # numpy's default, unchanged by the step


@pytest.mark.parametrize("cls", _optimizers())
def test_underflow_many_steps_errstate(cls):
    """Finding 1: 2000 steps with a zero gradient on one parameter (its moments decay
    into the subnormals) under np.errstate(all="raise") all complete."""
    params = [np.ones(4, np.float32), np.ones(4, np.float32)]
    opt = cls()
    with np.errstate(all="raise"):
        opt.step(params, [np.ones(4, np.float32), np.ones(4, np.float32)])
        for _ in range(1000):
            opt.step(params, [np.ones(4, np.float32), np.zeros(4, np.float32)])
    assert opt.iterations == 1001
    assert all(np.isfinite(p).all() for p in params)


def test_tiny_gradient_errstate_accepted():
    """Finding 1: a valid gradient of 1e-30 made the finite check raise
    FloatingPointError."""
    for dtype in (np.float32, np.float64):
        w = np.ones(3, dtype)
        with np.errstate(all="raise"):
            Adam().step([w], [np.full(3, 1e-30, dtype)])
            p, s = update(
                [np.full(3, 1e-30, dtype)],
                init([np.ones(3, dtype)]),
                [np.ones(3, dtype)],
            )
        assert np.isfinite(w).all() and np.isfinite(p[0]).all()


def test_optimizers_ignore_underflow_errstate():
    """Finding 1, for every class with a `step`: CompactAdam, the variants, the
    classics."""
    import adam.numpy as an

    classes = [
        getattr(an, n)
        for n in dir(an)
        if isinstance(getattr(an, n), type)
        and issubclass(getattr(an, n), an.Optimizer)
        and getattr(an, n) is not an.Optimizer
    ]
    assert len(classes) >= 3
    for cls in classes:
        params = [np.ones(4, np.float32)]
        opt = cls()
        with np.errstate(all="raise"):
            for g in (
                np.full(4, 0.5, np.float32),
                np.full(4, 1e-30, np.float32),
                np.zeros(4, np.float32),
                np.zeros(4, np.float32),
            ):
                opt.step(params, [g])
        assert opt.iterations == 4, cls


@pytest.mark.parametrize("cls", _optimizers())
@pytest.mark.parametrize(
    "dtype, learning_rate, limit",
    [(np.float32, 1e40, "3.403e+38"), (np.float16, 1e6, "6.55e+04")],
)
def test_lr_overflowing_dtype_refused(cls, dtype, learning_rate, limit):
    """Finding 7: a learning rate that is inf in the parameter's dtype gave NaN weights
    even with a zero gradient; refused, naming the argument, the dtype and the limit."""
    w = np.array([1.0, 2.0, 3.0], dtype)
    opt = cls(learning_rate=learning_rate)
    with pytest.raises(
        ValueError,
        match=rf"learning_rate=.*overflows {np.dtype(dtype)}.*{re.escape(limit)}",
    ):
        opt.step([w], [np.zeros(3, dtype)])
    np.testing.assert_array_equal(w, [1, 2, 3])
    assert opt.iterations == 0 and opt.state_dict()["slots"] == {}
    with pytest.raises(ValueError, match="learning_rate=.*overflows"):
        update(
            [np.zeros(3, dtype)],
            init([w]),
            [w],
            Hyperparameters(learning_rate=learning_rate),
        )


def test_step_scalar_overflow_refused():
    """Finding 7: learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t) can overflow
    when learning_rate does not (beta_1 > beta_2 makes it 316 * learning_rate at
    t=1)."""
    w = np.ones(3, np.float32)
    opt = Adam(learning_rate=1e38, beta_1=0.999, beta_2=0.9)
    with pytest.raises(
        ValueError,
        match=r"learning_rate=1e\+38 \(its step scalar.*t=1.*"
        r"overflows float32",
    ):
        opt.step([w], [np.zeros(3, np.float32)])
    np.testing.assert_array_equal(w, 1)
    assert opt.iterations == 0 and opt.state_dict()["slots"] == {}


@pytest.mark.parametrize(
    "learning_rate, weight_decay", [(0.1, 30.0), (0.1, 10.0), (1.0, 1.0)]
)
def test_decay_times_lr_of_1_or_more_refused(learning_rate, weight_decay):
    """Finding 11: lr=0.1, wd=30 flipped the weights' sign and grew them at every
    step."""
    with pytest.raises(
        ValueError,
        match=r"weight_decay \* learning_rate must be below 1.*"
        rf"weight_decay={weight_decay!r}.*"
        rf"learning_rate={learning_rate!r}",
    ):
        Hyperparameters(learning_rate=learning_rate, weight_decay=weight_decay)
    opt = Adam(learning_rate=learning_rate)
    with pytest.raises(
        ValueError, match="weight_decay \\* learning_rate must be below 1"
    ):
        opt.weight_decay = weight_decay
    assert opt.weight_decay == 0.0
    Hyperparameters(learning_rate=learning_rate, weight_decay=0.99 / learning_rate)


@pytest.mark.parametrize(
    "shape, strides",
    [
        ((4,), (0,)),
        ((5, 2), (4, 4)),
        ((3, 2), (8, 8)),
        ((3, 4), (0, 4)),
        ((2, 3, 2), (4, 8, 4)),
    ],
)
def test_self_overlapping_parameter_refused(shape, strides):
    """Finding 6: a parameter whose elements share memory (as_strided with zero strides
    or overlapping rows) was accepted, and its shared elements updated several times."""
    base = np.zeros(64, np.float32)
    p = as_strided(base, shape=shape, strides=strides, writeable=True)
    opt = Adam(learning_rate=0.1)
    with pytest.raises(ValueError, match=r"params\[1\] overlaps itself"):
        opt.step([np.ones(2), p], [np.ones(2), np.ones(shape, np.float32)])
    assert not base.any() and opt.iterations == 0


def test_overlaps_itself_is_exact():
    """The fast stride test and the exact fallback agree with element-by-element
    offsets."""
    from adam.numpy.checks import overlaps_itself

    rng = np.random.default_rng(0)
    base = np.zeros(4096, np.float32)
    for _ in range(500):
        ndim = int(rng.integers(1, 4))
        shape = tuple(int(n) for n in rng.integers(1, 5, ndim))
        strides = tuple(int(s) * 4 for s in rng.integers(-6, 7, ndim))
        a = as_strided(base[2048:], shape=shape, strides=strides)  # room either side
        idx = np.indices(shape).reshape(ndim, -1).T
        starts = sorted(int(np.dot(i, strides)) for i in idx)
        expected = any(b - a_ < 4 for a_, b in zip(starts, starts[1:]))
        assert overlaps_itself(a) == expected, (shape, strides)
    assert not overlaps_itself(np.zeros((3, 4))[:, ::2])
    assert not overlaps_itself(np.zeros((3, 4)).T)
    assert overlaps_itself(np.broadcast_to(np.zeros(3), (2, 3)))


# -- finding 11, the NumPy parts -------------------------------------------------------


def test_overflow_on_cast_says_so():
    w = np.ones(3, np.float32)
    with pytest.raises(
        ValueError,
        match=r"grads\[0\] contains 1 non-finite.*overflowed on the "
        r"cast to params\[0\]'s dtype float32.*finite in float64",
    ):
        Adam().step([w], [np.array([0.0, 1e300, 0.0])])
    with pytest.raises(ValueError) as info:  # a NaN already there: no cast blamed
        Adam().step([w], [np.array([0.0, np.nan, 0.0])])
    assert "cast" not in str(info.value)


def test_an_empty_step_is_refused():
    """An empty first step fixed the layout at 0 parameters; every later step raised."""
    from adam.numpy import SGD, CompactAdam

    for opt in (Adam(), SGD(), CompactAdam()):
        with pytest.raises(ValueError, match="no parameters"):
            opt.step([], [])
        w = np.ones(3, np.float32)
        opt.step([w], [np.ones(3, np.float32)])
        assert opt.iterations == 1


@pytest.mark.parametrize(
    "name, right",
    [
        ("lr", "learning_rate"),
        ("beta1", "beta_1"),
        ("epsilno", "epsilon"),
        ("weight_decya", "weight_decay"),
    ],
)
def test_misspelled_name_refused_and_named(name, right):
    from adam.numpy import SGD

    opt = Adam(learning_rate=0.1)
    with pytest.raises(
        AttributeError,
        match=rf"no hyperparameter {name!r} \(did you mean "
        rf"{right!r}\?\)",
    ):
        setattr(opt, name, 0.5)
    assert name not in vars(opt) and opt.learning_rate == 0.1
    opt.threads = 2  # properties and hyperparameters still assign
    opt.beta_1 = 0.8
    assert opt.beta_1 == 0.8
    with pytest.raises(AttributeError, match="did you mean 'learning_rate'"):
        SGD().lr = 0.5


@pytest.mark.parametrize("dtype", ["m8[s]", "M8[s]"])
def test_time_gradients_are_refused(dtype):
    w = np.ones(3, np.float32)
    with pytest.raises(TypeError, match=r"grads\[0\] has dtype (timedelta|datetime)64"):
        Adam().step([w], [np.array([1, 2, 3], dtype)])
    assert (w == 1).all()
