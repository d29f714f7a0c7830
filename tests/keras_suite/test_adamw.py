"""keras/src/optimizers/adamw_test.py, with adam.keras.Adam in AdamW form (drop-in,
decoupled weight decay 0.004 by default) as its `AdamW`."""

from keras_suite.drop_in import AdamW, load_keras_test

keras_test = load_keras_test("adamw_test", AdamW=AdamW)
AdamWTest = keras_test.AdamWTest
