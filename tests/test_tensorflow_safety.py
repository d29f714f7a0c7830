"""adam.tensorflow in low precision, and its errors: scalars computed in float64 before
the cast, gradients checked after the cast, overflowing squares refused, None gradients
skipped as in Keras, and bad variable lists refused when the optimizer is made."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import adam.tensorflow  # noqa: E402
from adam.experiments.agreement import run_numpy  # noqa: E402
from adam.numpy import Adam as NumpyAdam  # noqa: E402

LOW = {
    "float16": tf.float16,
    "bfloat16": tf.bfloat16,
    "float32": tf.float32,
    "float64": tf.float64,
}


def state(opt):
    arrays = opt.first_moments + opt.second_moments + (opt.max_second_moments or [])
    return [a.numpy().copy() for a in arrays + opt.variables] + [
        int(opt.iterations.numpy())
    ]


def assert_same(a, b):
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("dtype", list(LOW))
@pytest.mark.parametrize(
    "kw", [{}, {"epsilon_hat": True}, {"amsgrad": True}, {"bias_correction": False}]
)
def test_no_gradient_stays_others_train(dtype, kw):
    start = np.array([0.5, -0.5, 1.0, 2.0], np.float32)
    w = tf.Variable(tf.cast(start, LOW[dtype]))
    opt = adam.tensorflow.Adam([w], learning_rate=0.1, **kw)
    for _ in range(5):
        opt.apply_gradients([tf.constant([0.0, 0.0, 1.0, -1.0], LOW[dtype])])
    got = tf.cast(w, tf.float32).numpy()
    assert np.isfinite(got).all()
    np.testing.assert_array_equal(
        got[:2], tf.cast(tf.cast(start, LOW[dtype]), tf.float32).numpy()[:2]
    )
    # The same five steps as in float64, to the dtype's precision.
    exact = run_numpy(
        NumpyAdam(learning_rate=0.1, **kw),
        [start.astype(np.float64)],
        [[np.array([0.0, 0.0, 1.0, -1.0])]] * 5,
    )[0]
    # (bfloat16 keeps 8 bits: near 2, five roundings of up to 1/128 each)
    np.testing.assert_allclose(
        got[2:] - start[2:],
        exact[2:] - start[2:],
        rtol=0.05,
        atol=0.04 if dtype == "bfloat16" else 0,
    )


@pytest.mark.parametrize(
    "kw", [{}, {"epsilon_hat": True, "epsilon": 1e-7}, {"amsgrad": True}]
)
def test_float32_steps_use_the_numpy_scalars(kw):
    # The scalars are computed in float64 and cast once, as adam.numpy.Adam does.
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(5, 3)).astype(np.float32)]
    grads = [[rng.normal(size=(5, 3)).astype(np.float32)] for _ in range(10)]
    w = tf.Variable(params[0])
    opt = adam.tensorflow.Adam([w], **kw)
    for g in grads:
        opt.apply_gradients(g)
    np.testing.assert_allclose(
        w.numpy(), run_numpy(NumpyAdam(**kw), params, grads)[0], rtol=1e-6, atol=1e-7
    )


def test_float16_overflow_after_cast_refused():
    w = tf.Variable(tf.ones(3, tf.float16))
    opt = adam.tensorflow.Adam([w])
    opt.apply_gradients([tf.constant([0.5, 0.5, 0.5], tf.float16)])
    before = state(opt)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="contains NaN or infinity"
    ):
        opt.apply_gradients(
            [tf.constant([1.0, 1e5, 0.0], tf.float32)]
        )  # inf in float16
    assert_same(state(opt), before)


@pytest.mark.parametrize("dtype, value", [("float16", 300.0), ("float32", 2e19)])
def test_overflowing_square_refused(dtype, value):
    w, b = tf.Variable(tf.ones(3, LOW[dtype])), tf.Variable(tf.zeros(2, LOW[dtype]))
    opt = adam.tensorflow.Adam([w, b])
    opt.apply_gradients([tf.ones(3, LOW[dtype]), tf.ones(2, LOW[dtype])])
    before = state(opt)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"variable 1 .*overflows"):
        opt.apply_gradients(
            [tf.ones(3, LOW[dtype]), tf.constant([value, 1.0], LOW[dtype])]
        )
    assert_same(state(opt), before)
    assert all(np.isfinite(a.astype(np.float32)).all() for a in before[:-1])


def test_none_gradients_skipped_like_keras():
    used, unused = tf.Variable([1.0, 2.0]), tf.Variable([3.0], name="unused")
    opt = adam.tensorflow.Adam([used, unused], learning_rate=0.1)
    with pytest.warns(
        UserWarning, match="Gradients do not exist for variables.*unused"
    ):
        opt.apply_gradients([tf.constant([1.0, -1.0]), None])
    np.testing.assert_allclose(used.numpy(), [0.9, 2.1], rtol=1e-6)
    assert unused.numpy().tolist() == [3.0] and opt.first_moments[
        1
    ].numpy().tolist() == [0.0]
    assert int(opt.iterations.numpy()) == 1
    with pytest.raises(ValueError, match="no gradient for any variable"):
        opt.apply_gradients([None, None])


def test_train_skips_unused_variable():
    w, unused = tf.Variable([1.0]), tf.Variable([5.0], name="unused")
    opt = adam.tensorflow.Adam([w, unused], learning_rate=0.1)
    with pytest.warns(UserWarning, match="unused"):
        adam.tensorflow.train(lambda: tf.reduce_sum(w * w), [w, unused], [()] * 3, opt)
    assert unused.numpy().tolist() == [5.0] and w.numpy()[0] < 1.0


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64, tf.bool])
def test_non_float_variables_refused(dtype):
    good, bad = tf.Variable([1.0]), tf.Variable(tf.zeros(2, dtype), name="counter")
    with pytest.raises(
        TypeError, match=rf"variables\[1\] \(counter.*\) has dtype {dtype.name}"
    ):
        adam.tensorflow.Adam([good, bad])


def test_the_same_variable_twice_is_refused():
    w = tf.Variable([1.0], name="w")
    with pytest.raises(
        ValueError, match=r"variables\[0\] and variables\[2\] are the same"
    ):
        adam.tensorflow.Adam([w, tf.Variable([2.0]), w])


@pytest.mark.parametrize(
    "name",
    [
        "learning_rate",
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
        "weight_decay",
        "bias_correction",
        "epsilon_hat",
        "hyperparameters",
    ],
)
def test_assignments_never_ignored(name):
    opt = adam.tensorflow.Adam([tf.Variable([1.0])])
    with pytest.raises(AttributeError, match=f"{name} is fixed"):
        setattr(opt, name, 0.5)


@pytest.mark.parametrize("dtype", [tf.complex64, tf.complex128, tf.bool])
def test_complex_gradient_refused_not_cast(dtype):
    """[1j, -1] was cast to [0, -1]: only the second coordinate moved, silently.
    adam.numpy refuses a gradient that is not real; so does this, naming it."""
    w = tf.Variable([0.0, 0.0])
    opt = adam.tensorflow.Adam([w], learning_rate=0.1)
    before = state(opt)
    with pytest.raises(
        TypeError,
        match=f"gradient 0 .* has dtype {dtype.name}; gradients must be real numbers",
    ):
        opt.apply_gradients([tf.cast(tf.constant([1j, -1 + 0j]), dtype)])
    assert_same(state(opt), before)


def test_unknown_length_in_tf_function_ok():
    """Inside a tf.function whose input is [None]-shaped the static shape is (None,):
    "gradient 0 has shape (None,), its variable (3,)" though compatible. Accepted now,
    and checked when the step runs: a gradient of the wrong length changes nothing."""
    w = tf.Variable(tf.zeros([3]))
    opt = adam.tensorflow.Adam([w], learning_rate=0.1)

    @tf.function(input_signature=[tf.TensorSpec([None])])
    def step(g):
        opt.apply_gradients([g])
        return w.read_value()

    np.testing.assert_allclose(
        step(tf.constant([1.0, -1.0, 1.0])).numpy(), [-0.1, 0.1, -0.1], rtol=1e-6
    )
    before = state(opt)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not compatible"):
        step(tf.constant([1.0]))  # would broadcast to all three
    assert_same(state(opt), before)
    with pytest.raises(
        ValueError, match=r"gradient 0 has shape \(2,\), its variable \(3,\)"
    ):
        opt.apply_gradients([tf.constant([1.0, 2.0])])
