"""adam.keras and adam.tensorflow: agreement with adam.numpy and with keras.optimizers.Adam,
saving and loading, MirroredStrategy, Keras's own options, and bad input."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

import adam.keras  # noqa: E402
from adam.book import agreement  # noqa: E402
from adam.book.agreement import gradient_sequence, run_tensorflow  # noqa: E402
import adam.tensorflow  # noqa: E402
from adam.numpy import Adam as NumpyAdam  # noqa: E402

SWITCHES = [
    {},
    {"epsilon_hat": True, "epsilon": 1e-7},
    {"bias_correction": False},
    {"amsgrad": True},
    {"weight_decay": 0.05},
    {"amsgrad": True, "weight_decay": 0.01, "epsilon_hat": True},
]
# "Agree to float32 rounding": each float32 step rounds the parameter to its own precision,
# and over 100 steps those roundings add up. Measured: every float32 implementation ends
# within 31 units in the last place (ulps) of the float64 run; we allow 64.
ULPS = 64


def run_numpy(params, grads, **kw):
    return agreement.run_numpy(NumpyAdam(**kw), params, grads)


def assert_within_ulps(got, expected, ulps=ULPS):
    """Each tensor within `ulps` float32 spacings of its largest entry."""
    distance = agreement.ulps(got, expected)
    assert distance <= ulps, f"{distance:.1f} ulps apart"


@pytest.mark.parametrize("kw", SWITCHES)
def test_three_implementations_agree(kw):
    params, grads = gradient_sequence()
    float64 = run_numpy([p.astype(np.float64) for p in params],
                        [[g.astype(np.float64) for g in gs] for gs in grads], **kw)
    results = {"numpy": run_numpy(params, grads, **kw),
               "tensorflow": run_tensorflow(params, grads, **kw),
               "keras": agreement.run_keras(adam.keras.Adam(**kw), params, grads)}
    for name, got in results.items():
        assert all(p.dtype == np.float32 for p in got), name
        assert_within_ulps(got, float64)
    assert_within_ulps(results["tensorflow"], results["numpy"])
    assert_within_ulps(results["keras"], results["numpy"])


@pytest.mark.parametrize("kw", [{}, {"amsgrad": True}, {"weight_decay": 0.004},
                                {"amsgrad": True, "weight_decay": 0.004, "learning_rate": 0.01}])
def test_drop_in_for_keras_adam_on_a_model(kw):
    """With epsilon_hat=True and epsilon=1e-7, training a model with ours is training it with
    keras.optimizers.Adam, to float32 rounding, over 200 steps."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(320, 6)).astype(np.float32)
    y = (x[:, :1] * 2 - x[:, 1:2] ** 2 + 0.1 * rng.normal(size=(320, 1))).astype(np.float32)
    weights = []
    for optimizer in (keras.optimizers.Adam(**kw), adam.keras.Adam(epsilon_hat=True, epsilon=1e-7, **kw)):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="tanh"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=optimizer, loss="mse")
        model.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    assert_within_ulps(weights[1], weights[0])


def test_defaults_are_algorithm_1_not_keras():
    """Our defaults (epsilon inside the correction, 1e-8) differ from Keras's (1e-7, outside)."""
    ours, theirs = adam.keras.Adam(), keras.optimizers.Adam()
    assert (ours.epsilon, ours.epsilon_hat) == (1e-8, False)
    assert theirs.epsilon == 1e-7


def small_model(optimizer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3)])
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def toy_data(seed=0, n=96):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)


def test_save_load_keeps_optimizer_and_state_and_resumes_exactly(tmp_path):
    opt = adam.keras.Adam(learning_rate=0.01, amsgrad=True, weight_decay=0.001, clipnorm=1.0)
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
    opt = adam.keras.Adam(learning_rate=0.02, beta_2=0.95, epsilon_hat=True, bias_correction=True)
    again = adam.keras.Adam.from_config(opt.get_config())
    assert again.get_config() == opt.get_config()
    assert keras.optimizers.get(keras.saving.serialize_keras_object(opt)).beta_2 == 0.95


def test_learning_rate_schedule_is_accepted():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=10, decay_rate=0.5)
    model = small_model(adam.keras.Adam(learning_rate=schedule))
    model.fit(*toy_data(), batch_size=32, epochs=1, verbose=0)
    assert float(model.optimizer.learning_rate) < 0.01


def test_clipnorm_is_honoured():
    """Keras's clipnorm clips before update_step; with it a huge gradient moves the weights by
    the same first step as a small one (Adam's first step is lr * sign(g) either way), and the
    moment m holds the clipped gradient."""
    v = keras.Variable(np.zeros(2, np.float32))
    opt = adam.keras.Adam(learning_rate=0.1, clipnorm=1.0)
    opt.apply_gradients([(keras.ops.convert_to_tensor(np.array([300.0, 400.0], np.float32)), v)])
    first_moment = next(x for x in opt.variables if x.name.endswith("_momentum"))
    np.testing.assert_allclose(first_moment.numpy(),
                               [0.1 * 0.6, 0.1 * 0.8], rtol=1e-6)


@pytest.mark.parametrize("kw, message", [
    ({"learning_rate": -1.0}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"),
    ({"beta_1": 1.0}, "beta_1"),
    ({"beta_2": -0.1}, "beta_2"),
    ({"epsilon": -1e-8}, "epsilon"),
    ({"weight_decay": -0.1}, "weight_decay"),
    ({"amsgrad": 1}, "amsgrad"),
    ({"epsilon_hat": True, "bias_correction": False}, "epsilon_hat"),
])
@pytest.mark.parametrize("make", [adam.keras.Adam,
                                  lambda **kw: adam.tensorflow.Adam([tf.Variable([1.0])], **kw)])
def test_bad_hyperparameters_raise_clearly(make, kw, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make(**kw)


def test_tensorflow_bad_gradients_change_nothing():
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


def test_tensorflow_training_loop_fits_a_line():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 1)).astype(np.float32)
    y = 3 * x - 1
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    opt = adam.tensorflow.Adam([w, b], learning_rate=0.1)
    batches = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)] * 40
    losses = adam.tensorflow.train(lambda xb, yb: tf.reduce_mean((w * xb + b - yb) ** 2),
                                   [w, b], batches, opt)
    assert losses[-1] < 1e-3 * losses[0]
    assert abs(float(w) - 3) < 0.01 and abs(float(b) + 1) < 0.01


MIRRORED = textwrap.dedent("""
    import numpy as np, tensorflow as tf, keras
    import adam.keras
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype(np.float32)
    y = (x[:, :1] - 2 * x[:, 1:2]).astype(np.float32)

    def train(strategy):
        with strategy.scope():
            keras.utils.set_random_seed(0)
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                                      keras.layers.Dense(1)])
            model.compile(optimizer=adam.keras.Adam(learning_rate=0.01, amsgrad=True), loss="mse")
        model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
        return model

    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2
    two = train(mirrored)
    one = train(tf.distribute.get_strategy())
    assert type(two.optimizer) is adam.keras.Adam and int(tf.convert_to_tensor(two.optimizer.iterations)) == 24
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(two.get_weights(), one.get_weights()))
    assert diff < 1e-5, diff
    print("max difference, 2 replicas vs 1:", diff)
""")


def test_mirrored_strategy_on_two_logical_cpus():
    """Two replicas, each on half of every batch, train as one device on the whole batch.
    In a fresh process: logical devices must be set up before TensorFlow starts."""
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, "-c", MIRRORED], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "max difference" in result.stdout
