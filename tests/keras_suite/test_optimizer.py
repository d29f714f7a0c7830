"""keras/src/optimizers/optimizer_test.py, with the drop-in forms of adam.keras.Adam as
`optimizers.Adam` and `optimizers.AdamW` (and for `optimizers.get("adam")`,
`get("adamw")`)."""

from keras_suite.drop_in import load_keras_test, not_adam, skip

keras_test = load_keras_test("optimizer_test")

SGD_ONLY = [
    "test_empty_gradients",
    "test_clip_args",
    "test_clip_norm",
    "test_clip_value",
    "test_global_clip_norm",
    "test_ema",
    "test_ema_with_model_fit",
    "test_constraints_are_applied",
    "test_static_loss_scaling",
    "test_gradient_accumulation",
    "test_callable_learning_rate",
    "test_overwrite_with_gradient",
    "test_overwrite_with_gradient_with_gradient_accumulation",
]
# Two tests are parameterized over these optimizers, in this order (absl numbers them).
PARAMETERIZED = [
    "adam",
    "SGD",
    "adamw",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adamax",
    "Lion",
    "Nadam",
    "Ftrl",
    "Adafactor",
]

reasons = {name: not_adam("SGD") for name in SGD_ONLY}
for index, optimizer in enumerate(PARAMETERIZED):
    if optimizer not in ("adam", "adamw"):
        for test in (
            "test_gradient_accumulation_with_weigth_decay",
            "test_pickleable_optimizers",
        ):
            reasons[f"{test}{index}"] = not_adam(optimizer)
OptimizerTest = skip(keras_test.OptimizerTest, reasons)
