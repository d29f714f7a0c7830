"""The private copies of Keras's test modules see the drop-in forms of adam.keras.Adam,
so that they test it and not Keras's optimizer; Keras's own modules are left as they
are."""

import importlib

import keras
import keras.src

import adam.keras
from keras_suite import (
    test_adam,
    test_adamw,
    test_loss_scale_optimizer,
    test_optimizer,
    test_optimizer_sparse,
)
from keras_suite.drop_in import Adam, AdamW


def test_drop_ins_are_adam_keras():
    assert issubclass(Adam, adam.keras.Adam) and issubclass(AdamW, Adam)
    opt = Adam()
    assert (opt.epsilon_hat, opt.epsilon, opt.name.split("_")[0]) == (
        True,
        1e-7,
        "adam",
    )
    assert AdamW().weight_decay == 0.004


def test_keras_tests_see_the_drop_ins():
    assert test_adam.keras_test.Adam is Adam
    assert test_adamw.keras_test.AdamW is AdamW
    optimizers = test_optimizer.keras_test.optimizers
    assert (optimizers.Adam, optimizers.AdamW) == (Adam, AdamW)
    assert (
        type(optimizers.get("adam")) is Adam and type(optimizers.get("adamw")) is AdamW
    )
    assert optimizers.SGD is keras.optimizers.SGD
    classes = {
        case["optimizer_class"] for case in test_optimizer_sparse.keras_test.TEST_CASES
    }
    assert {Adam, AdamW} <= classes and keras.optimizers.Adam not in classes
    assert type(test_loss_scale_optimizer.keras_test.SGD(learning_rate=0.5)) is Adam


def test_keras_modules_are_untouched():
    assert (
        importlib.import_module("keras.src.optimizers.adam_test").Adam
        is keras.optimizers.Adam
    )
    assert keras.src.optimizers.Adam is keras.optimizers.Adam
    assert keras.optimizers.get("adam").__class__ is keras.optimizers.Adam
