"""keras/src/optimizers/adam_test.py, with adam.keras.Adam (drop-in form) as its
`Adam`."""

from keras_suite.drop_in import Adam, load_keras_test

keras_test = load_keras_test("adam_test", Adam=Adam)
AdamTest = keras_test.AdamTest
