"""keras/src/optimizers/loss_scale_optimizer_test.py, with adam.keras.Adam (drop-in
form) as the inner optimizer that Keras's test builds as `SGD(...)`.

What the tests check of LossScaleOptimizer (scaling, skipped non-finite steps, the step
count, serialization, overwrite_with_gradient) holds for any inner optimizer; only the
tests whose golden values are SGD's arithmetic are skipped.
"""

from keras_suite.drop_in import Adam, load_keras_test, skip


def in_place_of_sgd(learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
    """The drop-in Adam where the test builds SGD; SGD's `momentum` and `nesterov` have
    no meaning for Adam and are dropped."""
    return Adam(learning_rate=learning_rate, **kwargs)


keras_test = load_keras_test("loss_scale_optimizer_test", SGD=in_place_of_sgd)

GOLDEN_SGD = (
    "its golden values are SGD's step w - 0.5 g; Adam's first step is w - 0.5 sign(g)"
)
reasons = {
    name: GOLDEN_SGD
    for name in [
        "test_apply_with_no_vars",
        "test_finite_step_stateful",
        "test_finite_step_stateless",
        "test_finite_step_with_inner_loss_scale_stateful",
        "test_finite_step_with_inner_loss_scale_stateless",
    ]
}
reasons["test_deserialization_backwards_compatibility"] = (
    "its inner optimizer is a stored config naming keras.optimizers.SGD; no optimizer "
    "is under test"
)
LossScaleOptimizerTest = skip(keras_test.LossScaleOptimizerTest, reasons)
