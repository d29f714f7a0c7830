"""adam.keras and adam.tensorflow: agreement with adam.numpy and with
keras.optimizers.Adam, checkpoints in both directions, names, low precision,
MirroredStrategy, Keras's own options, and bad input.

The Keras tests run on whichever backend KERAS_BACKEND selects (`make test`: TensorFlow;
`make test-jax`: JAX). Tests of TensorFlow itself (adam.tensorflow, tf.train.Checkpoint,
tf.distribute) run only on the TensorFlow backend.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import adam.keras  # noqa: E402
from adam.experiments import agreement  # noqa: E402
from adam.experiments.agreement import gradient_sequence  # noqa: E402
from adam.experiments.memory import dtype_policy  # noqa: E402
from adam.numpy import Adam as NumpyAdam  # noqa: E402

BACKEND = keras.backend.backend()
if BACKEND == "tensorflow":
    import tensorflow as tf

    import adam.tensorflow
    from adam.experiments.agreement import run_tensorflow
tensorflow_only = pytest.mark.skipif(
    BACKEND != "tensorflow",
    reason="TensorFlow itself (adam.tensorflow, tf.train.Checkpoint, tf.distribute) "
    f"is tested on the TensorFlow backend; this run's Keras backend is {BACKEND}",
)

# "Agree to float32 rounding": each float32 step rounds the parameter to its own
# precision, and over 100 steps those roundings add up. Measured: every float32
# implementation ends within 31 units in the last place (ulps) of the float64 run; we
# allow 64.
ULPS = 64


def run_numpy(params, grads, **kw):
    return agreement.run_numpy(NumpyAdam(**kw), params, grads)


def assert_within_ulps(got, expected, ulps=ULPS):
    """Each tensor within `ulps` float32 spacings of its largest entry."""
    distance = agreement.ulps(got, expected)
    assert distance <= ulps, f"{distance:.1f} ulps apart"


def test_three_implementations_agree(switches):
    params, grads = gradient_sequence()
    float64 = run_numpy(
        [p.astype(np.float64) for p in params],
        [[g.astype(np.float64) for g in gs] for gs in grads],
        **switches,
    )
    results = {
        "numpy": run_numpy(params, grads, **switches),
        "keras": agreement.run_keras(adam.keras.Adam(**switches), params, grads),
    }
    if BACKEND == "tensorflow":
        results["tensorflow"] = run_tensorflow(params, grads, **switches)
    for name, got in results.items():
        assert all(p.dtype == np.float32 for p in got), name
        assert_within_ulps(got, float64)
        assert_within_ulps(got, results["numpy"])


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"amsgrad": True},
        {"weight_decay": 0.004},
        {"amsgrad": True, "weight_decay": 0.004, "learning_rate": 0.01},
    ],
)
def test_drop_in_for_keras_adam_on_a_model(kw):
    """With epsilon_hat=True and epsilon=1e-7, training a model with ours is training it
    with keras.optimizers.Adam, to float32 rounding, over 200 steps."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(320, 6)).astype(np.float32)
    y = (x[:, :1] * 2 - x[:, 1:2] ** 2 + 0.1 * rng.normal(size=(320, 1))).astype(
        np.float32
    )
    weights = []
    for optimizer in (
        keras.optimizers.Adam(**kw),
        adam.keras.Adam(epsilon_hat=True, epsilon=1e-7, **kw),
    ):
        keras.utils.set_random_seed(3)
        model = keras.Sequential(
            [
                keras.Input((6,)),
                keras.layers.Dense(16, activation="tanh"),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer=optimizer, loss="mse")
        model.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    assert_within_ulps(weights[1], weights[0])


def test_defaults_are_algorithm_1_not_keras():
    """Our defaults (epsilon inside the correction, 1e-8) differ from Keras's (1e-7,
    outside)."""
    ours, theirs = adam.keras.Adam(), keras.optimizers.Adam()
    assert (ours.epsilon, ours.epsilon_hat) == (1e-8, False)
    assert theirs.epsilon == 1e-7


def small_model(optimizer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5, activation="relu"),
            keras.layers.Dense(3),
        ]
    )
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def toy_data(seed=0, n=96):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)


def test_save_load_resumes_exactly(tmp_path):
    opt = adam.keras.Adam(
        learning_rate=0.01, amsgrad=True, weight_decay=0.001, clipnorm=1.0
    )
    model = small_model(opt)
    x, y = toy_data()
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)

    assert type(loaded.optimizer) is adam.keras.Adam
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 12
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())

    x2, y2 = toy_data(seed=1)
    for m in (model, loaded):
        m.fit(x2, y2, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_config_round_trip_and_string_lookup():
    opt = adam.keras.Adam(
        learning_rate=0.02, beta_2=0.95, epsilon_hat=True, bias_correction=True
    )
    again = adam.keras.Adam.from_config(opt.get_config())
    assert again.get_config() == opt.get_config()
    assert keras.optimizers.get(keras.saving.serialize_keras_object(opt)).beta_2 == 0.95


def test_learning_rate_schedule_is_accepted():
    schedule = keras.optimizers.schedules.ExponentialDecay(
        0.01, decay_steps=10, decay_rate=0.5
    )
    model = small_model(adam.keras.Adam(learning_rate=schedule))
    model.fit(*toy_data(), batch_size=32, epochs=1, verbose=0)
    assert float(model.optimizer.learning_rate) < 0.01


def test_clipnorm_is_honoured():
    """Keras's clipnorm clips before update_step; with it a huge gradient moves the
    weights by the same first step as a small one (Adam's first step is lr * sign(g)
    either way), and the moment m holds the clipped gradient."""
    v = keras.Variable(np.zeros(2, np.float32))
    opt = adam.keras.Adam(learning_rate=0.1, clipnorm=1.0)
    opt.apply_gradients(
        [(keras.ops.convert_to_tensor(np.array([300.0, 400.0], np.float32)), v)]
    )
    first_moment = next(x for x in opt.variables if x.name.endswith("_momentum"))
    np.testing.assert_allclose(first_moment.numpy(), [0.1 * 0.6, 0.1 * 0.8], rtol=1e-6)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"beta_1": 1.0}, "beta_1"),
        ({"beta_2": -0.1}, "beta_2"),
        ({"epsilon": -1e-8}, "epsilon"),
        ({"weight_decay": -0.1}, "weight_decay"),
        ({"amsgrad": 1}, "amsgrad"),
        ({"epsilon_hat": True, "bias_correction": False}, "epsilon_hat"),
    ],
)
@pytest.mark.parametrize(
    "make",
    [
        adam.keras.Adam,
        pytest.param(
            lambda **kw: adam.tensorflow.Adam([tf.Variable([1.0])], **kw),
            marks=tensorflow_only,
            id="adam.tensorflow",
        ),
    ],
)
def test_bad_hyperparameters_raise_clearly(make, kw, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make(**kw)


@tensorflow_only
def test_tf_bad_gradients_change_nothing():
    w = tf.Variable([1.0, 2.0])
    opt = adam.tensorflow.Adam([w], learning_rate=0.1)
    opt.apply_gradients([tf.constant([0.5, 0.5])])
    before = [x.numpy().copy() for x in (w, *opt.first_moments, *opt.second_moments)]
    with pytest.raises(ValueError, match="gradient 0 has shape"):
        opt.apply_gradients([tf.constant([1.0, 2.0, 3.0])])
    with pytest.raises(ValueError, match="1 variables"):
        opt.apply_gradients([tf.constant([1.0, 2.0])] * 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN or infinity"):
        opt.apply_gradients([tf.constant([np.nan, 1.0])])
    after = [x.numpy() for x in (w, *opt.first_moments, *opt.second_moments)]
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert int(opt.iterations) == 1


@tensorflow_only
def test_tf_training_loop_fits_a_line():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 1)).astype(np.float32)
    y = 3 * x - 1
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    opt = adam.tensorflow.Adam([w, b], learning_rate=0.1)
    batches = [(x[i : i + 32], y[i : i + 32]) for i in range(0, 256, 32)] * 40
    losses = adam.tensorflow.train(
        lambda xb, yb: tf.reduce_mean((w * xb + b - yb) ** 2), [w, b], batches, opt
    )
    assert losses[-1] < 1e-3 * losses[0]
    assert abs(float(w) - 3) < 0.01 and abs(float(b) + 1) < 0.01


MIRRORED = textwrap.dedent("""
    import numpy as np, tensorflow as tf, keras
    import adam.keras
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype(np.float32)
    y = (x[:, :1] - 2 * x[:, 1:2]).astype(np.float32)

    def train(strategy):
        with strategy.scope():
            keras.utils.set_random_seed(0)
            model = keras.Sequential([keras.Input((4,)),
                                      keras.layers.Dense(8, activation="tanh"),
                                      keras.layers.Dense(1)])
            optimizer = adam.keras.Adam(learning_rate=0.01, amsgrad=True)
            model.compile(optimizer=optimizer, loss="mse")
        model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
        return model

    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2
    two = train(mirrored)
    one = train(tf.distribute.get_strategy())
    assert type(two.optimizer) is adam.keras.Adam
    assert int(tf.convert_to_tensor(two.optimizer.iterations)) == 24
    diff = max(float(np.max(np.abs(a - b)))
               for a, b in zip(two.get_weights(), one.get_weights()))
    assert diff < 1e-5, diff
    print("max difference, 2 replicas vs 1:", diff)
""")


@tensorflow_only
def test_mirrored_strategy_on_two_logical_cpus():
    """Two replicas, each on half of every batch, train as one device on the whole
    batch. In a fresh process: logical devices must be set up before TensorFlow
    starts."""
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-c", MIRRORED],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "max difference" in result.stdout


# --- A drop-in for keras.optimizers.Adam: names, slots, checkpoints in both directions
# --------


def drop_in(**kw):
    """adam.keras.Adam in the form that computes keras.optimizers.Adam's update."""
    return adam.keras.Adam(epsilon_hat=True, epsilon=1e-7, **kw)


def test_backend_is_the_one_asked_for():
    asked = os.environ.get("KERAS_BACKEND")
    if asked:
        assert BACKEND == asked


def test_instances_named_like_keras_ones():
    """Keras names optimizers from the class: "adam", then "adam_1", ...; with one name
    for two instances, their variable paths would collide."""
    keras.backend.clear_session()
    names = [
        adam.keras.Adam().name,
        adam.keras.Adam().name,
        keras.optimizers.Adam().name,
    ]
    assert names == ["adam", "adam_1", "adam_2"]
    assert adam.keras.Adam(name="mine").name == "mine"
    w = keras.Variable(np.ones(3, np.float32))
    first, second = adam.keras.Adam(), adam.keras.Adam()
    first.build([w])
    second.build([w])
    assert not {v.path for v in first.variables} & {v.path for v in second.variables}


def regression_model(optimizer, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5, activation="tanh"),
            keras.layers.Dense(3),
        ]
    )
    model.compile(optimizer=optimizer, loss="mse")
    return model


def regression_data(seed=0, n=64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, np.tanh(x[:, :3] - x[:, 1:]).astype(np.float32)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_slots_created_as_keras_does(amsgrad):
    """Same variables, same names, same order: momentum and velocity interleaved per
    variable, then AMSGrad's velocity_hat."""
    model = regression_model(None)
    slots = []
    for optimizer in (
        keras.optimizers.Adam(amsgrad=amsgrad, name="adam"),
        drop_in(amsgrad=amsgrad, name="adam"),
    ):
        optimizer.build(model.trainable_variables)
        slots.append([(v.path, tuple(v.shape), v.dtype) for v in optimizer.variables])
    assert slots[1] == slots[0]


def save_and_load(source, target, fmt, folder):
    """Save `source` (model and optimizer) in `fmt`; load it into `target`."""
    target.optimizer.build(
        target.trainable_variables
    )  # Keras restores only built slots
    if fmt == "tf.train.Checkpoint":
        path = tf.train.Checkpoint(model=source, optimizer=source.optimizer).save(
            str(folder / "checkpoint")
        )
        tf.train.Checkpoint(model=target, optimizer=target.optimizer).restore(
            path
        ).assert_consumed()
        return
    path = folder / ("model.keras" if fmt == ".keras" else "model.weights.h5")
    if fmt == ".keras":
        source.save(path)
    else:
        source.save_weights(path)
    target.load_weights(path)


DIRECTIONS = {
    "keras.optimizers.Adam to ours": (keras.optimizers.Adam, drop_in),
    "ours to keras.optimizers.Adam": (drop_in, keras.optimizers.Adam),
}


@pytest.mark.parametrize(
    "fmt",
    [
        ".weights.h5",
        ".keras",
        pytest.param("tf.train.Checkpoint", marks=tensorflow_only),
    ],
)
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_state_resumes_across_keras_and_ours(direction, fmt, tmp_path):
    """State saved by one optimizer resumes in the other: every slot in its place, and
    the training that follows is the same to the last bit."""
    make_source, make_target = DIRECTIONS[direction]
    x, y = regression_data()
    source = regression_model(make_source(learning_rate=0.01, amsgrad=True))
    source.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    target = regression_model(make_target(learning_rate=0.01, amsgrad=True), seed=1)
    save_and_load(source, target, fmt, tmp_path)

    assert int(target.optimizer.iterations) == int(source.optimizer.iterations) == 8
    for theirs, ours in zip(
        source.optimizer.variables, target.optimizer.variables, strict=True
    ):
        assert ours.name.rsplit("_", 1)[-1] == theirs.name.rsplit("_", 1)[-1]
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs)
        )
    x2, y2 = regression_data(seed=1)
    for model in (source, target):
        model.fit(x2, y2, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(source.get_weights(), target.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# --- Low precision
# -------------------------------------------------------------------------

FLOAT64 = pytest.param(
    "float64",
    marks=pytest.mark.skipif(
        BACKEND == "jax",
        reason="JAX stores float64 as float32 unless jax_enable_x64 is set",
    ),
)
DTYPES = ["float16", "bfloat16", "float32", FLOAT64]
#: Per dtype, an epsilon that is not 0 as a Python float but whose step value is 0 in
#: that dtype: 1e-8 * sqrt(1 - beta_2) underflows in float16; in bfloat16 beta_2 = 0.999
#: itself rounds to 1 unless the scalars are computed in float32; 1e-46 is below
#: float32's smallest number, and 5e-324 * sqrt(1 - beta_2) below float64's.
VANISHING_EPSILON = {
    "float16": 1e-8,
    "bfloat16": 1e-8,
    "float32": 1e-46,
    "float64": 5e-324,
}
FORMS = {
    "Algorithm 1": lambda dtype: {},
    "drop-in": lambda dtype: {"epsilon_hat": True, "epsilon": 1e-7},
    "vanishing epsilon": lambda dtype: {"epsilon": VANISHING_EPSILON[dtype]},
    "AMSGrad": lambda dtype: {"amsgrad": True, "epsilon": VANISHING_EPSILON[dtype]},
}


def as_float64(variable):
    return keras.ops.convert_to_numpy(keras.ops.cast(variable, "float64"))


def run_steps(optimizer, dtype, grads, start):
    w = keras.Variable(start, dtype=dtype)
    for g in grads:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g, dtype=dtype), w)])
    return as_float64(w)


def zero_and_ordinary_gradients(steps=20, seed=0):
    """Coordinates 0 and 1 never get a gradient; 2 to 5 get ordinary ones."""
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(steps, 6))
    grads[:, :2] = 0.0
    return grads


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_no_gradient_no_step_every_dtype(dtype, form):
    """A weight whose gradient has always been 0 stays where it is, finite, whatever
    epsilon rounds to in its dtype; the others move."""
    start = np.array([0.5, -0.25, 0.75, -1.0, 0.125, 2.0])
    begin = as_float64(keras.Variable(start, dtype=dtype))
    end = run_steps(
        adam.keras.Adam(learning_rate=0.01, **FORMS[form](dtype)),
        dtype,
        zero_and_ordinary_gradients(),
        start,
    )
    assert np.isfinite(end).all(), end
    np.testing.assert_array_equal(end[:2], begin[:2])
    assert (np.abs(end[2:] - begin[2:]) > 0.02).all(), end - begin  # 20 steps of ~0.01


def test_bfloat16_weights_train_unlike_keras():
    """In bfloat16, beta_2 = 0.999 rounds to 1, so Keras's bias corrections (computed in
    the weight's dtype) are 0 and no weight moves. Ours computes them in float32 and
    follows the float32 run as closely as bfloat16 weights can: each step (about 0.01)
    is about one bfloat16 spacing near 1 (2**-7), so each is rounded by up to half of
    itself."""
    rng = np.random.default_rng(1)
    grads = rng.normal(loc=[1.0, -1.0, 0.5, -2.0, 3.0, -0.5], scale=0.3, size=(30, 6))
    start = np.linspace(-1, 1, 6)
    begin = as_float64(keras.Variable(start, dtype="bfloat16"))
    keras_end = run_steps(
        keras.optimizers.Adam(learning_rate=0.01), "bfloat16", grads, start
    )
    np.testing.assert_array_equal(keras_end, begin)
    ours = run_steps(drop_in(learning_rate=0.01), "bfloat16", grads, start)
    reference = run_steps(drop_in(learning_rate=0.01), "float32", grads, start)
    moved, expected = ours - begin, reference - start
    assert (np.abs(expected) > 0.2).all()
    np.testing.assert_allclose(moved, expected, rtol=0.3)


@pytest.mark.parametrize("kw", [{}, {"amsgrad": True}, {"weight_decay": 0.004}])
@pytest.mark.parametrize("dtype", ["float32", FLOAT64])
def test_drop_in_bit_identical_to_keras(dtype, kw):
    grads = np.random.default_rng(2).normal(size=(50, 3, 4)) * np.logspace(-6, 2, 4)
    start = np.linspace(-1, 1, 12).reshape(3, 4)
    theirs = run_steps(keras.optimizers.Adam(**kw), dtype, grads, start)
    ours = run_steps(drop_in(**kw), dtype, grads, start)
    np.testing.assert_array_equal(ours, theirs)


def dead_pixel_data(seed=0, n=128):
    """Inputs whose first two features are always 0 (never-lit pixels): the first-layer
    weights they feed never get a gradient."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 6)).astype(np.float32)
    x[:, :2] = 0.0
    return x, (x[:, 2] + x[:, 3] > x[:, 4] + x[:, 5]).astype(np.int64)


def fit_classifier(optimizer, policy, epochs=2):
    with dtype_policy(policy):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((6,)),
                keras.layers.Dense(8, activation="relu"),
                keras.layers.Dense(2),
            ]
        )
        model.compile(
            optimizer=optimizer,
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        start = [np.asarray(w, np.float64) for w in model.get_weights()]
        history = model.fit(
            *dead_pixel_data(), batch_size=16, epochs=epochs, shuffle=False, verbose=0
        )
    return model, start, history.history["loss"]


@pytest.mark.parametrize("form", ["Algorithm 1", "drop-in"])
@pytest.mark.parametrize("policy", ["float16", "mixed_float16"])
def test_finite_under_low_precision_policies(policy, form):
    optimizer = (
        adam.keras.Adam(learning_rate=0.01)
        if form == "Algorithm 1"
        else drop_in(learning_rate=0.01)
    )
    model, start, losses = fit_classifier(optimizer, policy)
    weights = [np.asarray(w, np.float64) for w in model.get_weights()]
    assert all(np.isfinite(w).all() for w in weights)
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    np.testing.assert_array_equal(
        weights[0][:2], start[0][:2]
    )  # the dead inputs' weights


def test_drop_in_identical_mixed_float16():
    """Under "mixed_float16" the variables are float32 (the computations float16): there
    Keras is right, and ours gives the same bits."""
    trained = [
        fit_classifier(optimizer, "mixed_float16")[0].get_weights()
        for optimizer in (
            keras.optimizers.Adam(learning_rate=0.01),
            drop_in(learning_rate=0.01),
        )
    ]
    for theirs, ours in zip(*trained, strict=True):
        assert theirs.dtype == np.float32
        np.testing.assert_array_equal(ours, theirs)


# --- Bad input after construction: assignments, the step count, bfloat16 moments ---


def built_optimizer(**kw):
    """An optimizer after one step on w = [1, 1]; returns it, w and its state."""
    w = keras.Variable(np.ones(2, np.float32))
    opt = adam.keras.Adam(learning_rate=0.1, **kw)
    opt.apply_gradients([(keras.ops.ones(2), w)])
    return opt, w


def optimizer_state(opt, w):
    return [keras.ops.convert_to_numpy(x).copy() for x in [*opt.variables, w]]


def assert_state_is(opt, w, before):
    for x, y in zip(optimizer_state(opt, w), before, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("beta_1", 1.0, r"beta_1 must lie in \[0.0, 1.0\)"),
        ("beta_2", -0.1, "beta_2 must lie in"),
        ("epsilon", -1.0, "epsilon must lie in"),
        ("epsilon", float("nan"), "epsilon must be finite"),
        ("weight_decay", -0.1, "weight_decay must lie in"),
        ("amsgrad", 1, "amsgrad must be True or False"),
        ("bias_correction", False, "epsilon_hat=True is a form of the bias-corrected"),
        ("learning_rate", -1.0, "learning_rate must lie in"),
        ("learning_rate", -1e-30, "learning_rate must lie in"),
        ("learning_rate", float("nan"), "learning_rate must be finite"),
    ],
)
@pytest.mark.parametrize("built", [False, True])
def test_assigned_hyperparameters_are_checked(name, value, message, built):
    """opt.beta_1 = 1.0 made the weights -inf, opt.epsilon = -1.0 jumped one to -1e4:
    an assignment is checked as the constructor checks; refused, it changes nothing."""
    if built:
        opt, w = built_optimizer(epsilon_hat=True)
    else:
        opt, w = adam.keras.Adam(learning_rate=0.1, epsilon_hat=True), None
    config = opt.get_config()
    before = optimizer_state(opt, w) if built else None
    with pytest.raises((TypeError, ValueError), match=message):
        setattr(opt, name, value)
    assert opt.get_config() == config
    if built:
        assert_state_is(opt, w, before)


def test_assigned_before_first_step_used():
    opt = adam.keras.Adam(learning_rate=0.1)
    opt.beta_1, opt.beta_2, opt.weight_decay = 0.5, 0.99, 0.01
    opt.epsilon_hat, opt.epsilon, opt.learning_rate = True, 1e-7, 0.05
    config = {k: v for k, v in opt.get_config().items() if k != "name"}
    made = adam.keras.Adam(
        learning_rate=0.05,
        beta_1=0.5,
        beta_2=0.99,
        weight_decay=0.01,
        epsilon_hat=True,
        epsilon=1e-7,
    )
    assert config == {k: v for k, v in made.get_config().items() if k != "name"}
    start, grads = np.linspace(-1, 1, 6), np.random.default_rng(0).normal(size=(5, 6))
    np.testing.assert_array_equal(
        run_steps(opt, "float32", grads, start),
        run_steps(made, "float32", grads, start),
    )


def test_assignment_between_fits_refused():
    """The compiled train function keeps the beta_1 it was traced with: assigning
    another between two fit() calls was silently ignored. It raises now, and changes
    nothing; the same value may be set, and learning_rate (a variable, read at every
    step)."""
    model = regression_model(adam.keras.Adam(learning_rate=0.01))
    x, y = regression_data()
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    opt = model.optimizer
    with pytest.raises(
        ValueError,
        match=r"beta_1 cannot change once the optimizer is "
        r"built \(it is 0.9, got 0.0\): a compiled",
    ):
        opt.beta_1 = 0.0
    assert opt.beta_1 == 0.9
    opt.beta_1, opt.weight_decay = 0.9, 0.0  # unchanged: accepted
    assert opt.weight_decay is None
    opt.learning_rate = 0.05
    assert keras.ops.convert_to_numpy(opt.learning_rate) == np.float32(0.05)


def test_amsgrad_fixed_once_built():
    """opt.amsgrad = True after the first step raised only in the next step, after m
    and v had advanced (iterations not): the assignment itself is refused now."""
    opt, w = built_optimizer()
    before = optimizer_state(opt, w)
    with pytest.raises(
        ValueError,
        match="amsgrad cannot change once the optimizer is "
        "built .*: it needs other slots",
    ):
        opt.amsgrad = True
    assert opt.amsgrad is False
    assert_state_is(opt, w, before)
    opt.apply_gradients([(keras.ops.ones(2), w)])
    assert int(keras.ops.convert_to_numpy(opt.iterations)) == 2


@pytest.mark.parametrize("count, error", [(1.5, ValueError), (-3, ValueError)])
@pytest.mark.parametrize("how", ["load_own_variables", "set_weights", ".weights.h5"])
def test_loaded_step_count_non_negative_int(how, count, error, tmp_path):
    """A saved iterations of 1.5 was loaded as 1 (another resume), -3 gave NaN weights:
    both are refused before anything is loaded."""
    opt, w = built_optimizer(amsgrad=True)
    saved = [keras.ops.convert_to_numpy(v) for v in opt.variables]
    saved[0] = np.array(count)
    fresh, w2 = built_optimizer(amsgrad=True)
    fresh.apply_gradients([(keras.ops.ones(2) * 3, w2)])
    before = optimizer_state(fresh, w2)
    with pytest.raises(error, match="iterations.* must be a non-negative integer"):
        if how == "set_weights":
            fresh.set_weights(saved)
        elif how == "load_own_variables":
            fresh.load_own_variables({str(i): a for i, a in enumerate(saved)})
        else:
            h5py = pytest.importorskip("h5py")
            path = tmp_path / "optimizer.h5"
            with h5py.File(path, "w") as f:
                for i, a in enumerate(saved):
                    f[str(i)] = a
            with h5py.File(path, "r") as f:
                fresh.load_own_variables(f)
    assert_state_is(fresh, w2, before)


@pytest.mark.parametrize("form", ["Algorithm 1", "AMSGrad"])
def test_bfloat16_moments_do_not_stall(form):
    """In bfloat16, v += 0.001 (g**2 - v) rounds back to v once the increment is below
    half a spacing: once gradients shrink, v stalls (here at 2.0x the exact value, so
    steps are 0.7x as large as they should be). A bfloat16 weight's moments are
    float32 now."""
    kw = {"Algorithm 1": {}, "AMSGrad": {"amsgrad": True}}[form]
    grads = np.random.default_rng(0).normal(0.0, 0.18, size=(1200, 16))
    grads[:200] *= 5  # large at first, then small
    w = keras.Variable(np.zeros(16), dtype="bfloat16")
    opt = adam.keras.Adam(learning_rate=1e-3, **kw)
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="bfloat16"), w)])
    slots = {v.name.rsplit("_", 1)[-1]: v for v in opt.variables[2:]}
    dtypes = {keras.backend.standardize_dtype(v.dtype) for v in slots.values()}
    assert dtypes == {"float32"}
    rounded = keras.ops.convert_to_numpy(
        keras.ops.cast(keras.ops.convert_to_tensor(grads, dtype="bfloat16"), "float64")
    )
    v = np.zeros(16)
    for g in rounded:
        v = 0.999 * v + 0.001 * g * g
    ratio = as_float64(slots["velocity"]).mean() / v.mean()
    assert abs(ratio - 1) < 0.01, ratio


ITERATIONS_BEYOND = {
    "1e30": 1e30,
    "2**64 - 1 (uint64)": np.uint64(2**64 - 1),
    "2**63": 2**63,
    "one more than the variable holds": None,
}


@pytest.mark.parametrize("count", list(ITERATIONS_BEYOND))
@pytest.mark.parametrize("how", ["load_own_variables", "set_weights", ".weights.h5"])
def test_loaded_step_count_must_fit(how, count, tmp_path):
    """A saved iterations of 1e30, 2**63 or 2**64 - 1 wrapped in the int64 variable
    (int32 on JAX, from 2**31) to a negative count, and the next step made the weights
    NaN: refused now, before anything of the optimizer is loaded."""
    opt, w = built_optimizer()
    most = np.iinfo(keras.backend.standardize_dtype(opt.iterations.dtype)).max
    value = ITERATIONS_BEYOND[count]
    value = int(most) + 1 if value is None else value
    saved = [keras.ops.convert_to_numpy(v) for v in opt.variables]
    saved[0] = np.array(value) if isinstance(value, (float, np.generic)) else value
    before = optimizer_state(opt, w)
    if how == ".weights.h5":
        h5py = pytest.importorskip("h5py")
        model = regression_model(adam.keras.Adam(learning_rate=0.01))
        model.fit(*regression_data(n=16), batch_size=16, epochs=1, verbose=0)
        path = tmp_path / "model.weights.h5"
        model.save_weights(path)
        with h5py.File(path, "a") as f:
            del f["optimizer/vars/0"]
            f["optimizer/vars/0"] = np.array(
                value, dtype=np.float64 if isinstance(value, float) else np.uint64
            )
        slots = [
            keras.ops.convert_to_numpy(v).copy() for v in model.optimizer.variables
        ]
        with pytest.raises(ValueError, match=r"iterations must be at most"):
            model.load_weights(path)
        for x, y in zip(model.optimizer.variables, slots, strict=True):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(x), y)
        return
    with pytest.raises(ValueError, match=r"iterations.* must be at most"):
        if how == "set_weights":
            opt.set_weights(saved)
        else:
            opt.load_own_variables({str(i): np.asarray(a) for i, a in enumerate(saved)})
    assert_state_is(opt, w, before)
    opt.apply_gradients([(keras.ops.ones(2), w)])
    assert np.isfinite(keras.ops.convert_to_numpy(w)).all()


def learning_rates_that_are_not_numbers():
    tensor = keras.ops.convert_to_tensor
    return {
        "np.array(-1.0)": lambda: np.array(-1.0),
        "np.array(nan)": lambda: np.array(np.nan),
        "tensor(-1.0)": lambda: tensor(-1.0),
        "tensor(nan)": lambda: tensor(float("nan")),
        "np.array([0.1])": lambda: np.array([0.1]),
        "np.array(1j)": lambda: np.array(1j),
        "np.array(True)": lambda: np.array(True),
    }


@pytest.mark.parametrize("value", list(learning_rates_that_are_not_numbers()))
@pytest.mark.parametrize("when", ["constructor", "assignment"])
def test_lr_array_checked_as_number(value, when):
    """opt.learning_rate = np.array(-1.0), or a NaN tensor, was accepted (only plain
    numbers were checked): a 0-d array or a concrete tensor is checked as the number it
    holds, and one that holds no single real number is refused."""
    bad = learning_rates_that_are_not_numbers()[value]()
    if when == "constructor":
        with pytest.raises((TypeError, ValueError), match="learning_rate"):
            adam.keras.Adam(learning_rate=bad)
        return
    opt, w = built_optimizer()
    before = optimizer_state(opt, w)
    with pytest.raises((TypeError, ValueError), match="learning_rate"):
        opt.learning_rate = bad
    assert_state_is(opt, w, before)


def test_lr_arrays_schedules_callables_pass():
    """Assigned (the constructor takes what Keras's takes: a float)."""
    for rate in (np.array(0.05), np.float32(0.05), keras.ops.convert_to_tensor(0.05)):
        opt, _ = built_optimizer()
        opt.learning_rate = rate
        assert keras.ops.convert_to_numpy(opt.learning_rate) == np.float32(0.05)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.5)
    assert adam.keras.Adam(learning_rate=schedule)._learning_rate is schedule
    rate = lambda: 0.01  # noqa: E731
    assert adam.keras.Adam(learning_rate=rate)._learning_rate is rate


def test_schedule_checked_at_step_0():
    """A schedule is checked at its first rate (no placeholder rate): weight_decay *
    rate(0) must be below 1, as for a float rate; a warm-up from 0 is accepted."""
    schedules = keras.optimizers.schedules
    decaying = schedules.ExponentialDecay(0.5, decay_steps=10, decay_rate=0.5)
    with pytest.raises(
        ValueError, match=r"weight_decay \* learning_rate must be below 1"
    ):
        adam.keras.Adam(learning_rate=decaying, weight_decay=2.0)
    assert adam.keras.Adam(learning_rate=decaying, weight_decay=1.9).weight_decay == 1.9
    warm_up = schedules.PolynomialDecay(0.0, 100, end_learning_rate=0.01)
    assert adam.keras.Adam(learning_rate=warm_up, weight_decay=5000.0).built is False
    negative = schedules.PolynomialDecay(-0.1, 100, end_learning_rate=0.01)
    with pytest.raises(ValueError, match="learning_rate at step 0 of the schedule"):
        adam.keras.Adam(learning_rate=negative)


def test_lr_0_assigned_but_refused_by_init():
    """A step with learning rate 0 is well defined (no move), and Keras's
    LearningRateScheduler assigns what its schedule returns: a cosine to 0 ended the
    fit with an error. The constructor still refuses 0 (an optimizer that never moves
    is a mistake there)."""
    with pytest.raises(ValueError, match=r"learning_rate must lie in \(0.0, inf\)"):
        adam.keras.Adam(learning_rate=0.0)
    opt, w = built_optimizer()
    opt.learning_rate = 0.0
    before = keras.ops.convert_to_numpy(w).copy()
    opt.apply_gradients([(keras.ops.ones(2), w)])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(w), before)


def test_lr_schedule_may_end_at_0():
    epochs = 3
    schedule = keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: 0.01 * (1 + np.cos(np.pi * epoch / (epochs - 1))) / 2
    )
    weights = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights.append(
            [w.copy() for w in model.get_weights()]
        )
    )
    model = regression_model(adam.keras.Adam(learning_rate=0.01))
    model.fit(
        *regression_data(n=32),
        batch_size=16,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=[schedule, record],
    )
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == 0.0
    assert not np.array_equal(weights[0][0], weights[1][0])
    for last, before in zip(weights[2], weights[1], strict=True):  # lr 0: no move
        np.testing.assert_array_equal(last, before)


def test_old_keras_file_loads_and_trains():
    """A model saved with adam.keras.Adam at e50719d: two steps, amsgrad=True."""
    from pathlib import Path

    path = Path(__file__).resolve().parent / "fixtures" / "keras_model_e50719d.keras"
    model = keras.saving.load_model(path)
    opt = model.optimizer
    assert type(opt) is adam.keras.Adam
    assert opt.amsgrad is True and opt.beta_2 == 0.999 and not opt.epsilon_hat
    assert int(keras.ops.convert_to_numpy(opt.iterations)) == 2
    assert float(keras.ops.convert_to_numpy(opt.learning_rate)) == pytest.approx(0.01)
    moments = [v for v in opt.variables if "velocity_hat" in v.path]
    assert moments and all(keras.ops.convert_to_numpy(v).any() for v in moments)
    x = np.ones((4, 3), np.float32)
    model.fit(x, np.zeros((4, 2), np.float32), epochs=1, verbose=0)
    assert int(keras.ops.convert_to_numpy(opt.iterations)) == 3
