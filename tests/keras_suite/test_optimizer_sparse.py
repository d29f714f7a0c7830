"""keras/src/optimizers/optimizer_sparse_test.py, with the drop-in forms of
adam.keras.Adam as `optimizers.Adam` and `optimizers.AdamW` (its cases "adam",
"adam_amsgrad", "adamw", "adamw_amsgrad")."""

from keras_suite.drop_in import Adam, AdamW, load_keras_test, skip

keras_test = load_keras_test("optimizer_sparse_test")

reasons = {}
for case in keras_test.TEST_CASES:
    if case["optimizer_class"] not in (Adam, AdamW):
        name = case["testcase_name"]
        for test in ("test_sparse_gradients", "test_sparse_correctness"):
            reasons[f"{test}_{name}"] = (
                f"the case {name!r} exercises another Keras optimizer; "
                "adam.keras.Adam is not the optimizer under test"
            )
assert len(reasons) == 2 * (len(keras_test.TEST_CASES) - 4), "expected 4 Adam cases"
OptimizerSparseTest = skip(keras_test.OptimizerSparseTest, reasons)
