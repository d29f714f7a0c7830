"""keras.optimizers.Adam's own tests, run against `adam.keras.Adam`.

Keras ships its optimizer tests inside the installed package
(``keras/src/optimizers/*_test.py``). Each ``test_*.py`` module beside this one loads a
private copy of one of them (the installed file is only read), puts the drop-in form of
`adam.keras.Adam` where the Keras module names Keras's optimizer, and exposes the
module's TestCase classes to pytest. Keras's golden values and tolerances are unchanged.
A test that cannot apply is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import types
import unittest
from pathlib import Path

import keras
import keras.src
import keras.src.optimizers as keras_optimizers

import adam.keras

PACKAGE = "adam_book_drop_in"


@keras.saving.register_keras_serializable(package=PACKAGE)
class Adam(adam.keras.Adam):
    """`adam.keras.Adam` in drop-in form: keras.optimizers.Adam's defaults (epsilon-hat,
    1e-7).

    Named `Adam` so that Keras names its instances "adam", "adam_1", ... as it names its
    own.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        weight_decay=None,
        epsilon_hat=True,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            epsilon_hat=epsilon_hat,
            **kwargs,
        )


@keras.saving.register_keras_serializable(package=PACKAGE)
class AdamW(Adam):
    """keras.optimizers.AdamW is Adam with decoupled weight decay, 0.004 by default,
    which `adam.keras.Adam` applies the same way (Keras's base optimizer does it before
    the step)."""

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        **kwargs,
    ):
        if weight_decay is None:  # as keras.optimizers.AdamW
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None"
            )
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )


DROP_INS = {"adam": Adam, "adamw": AdamW}


def get(identifier):
    """keras.optimizers.get, with "adam" and "adamw" (names or configs) giving the
    drop-ins."""
    name = identifier.get("class_name") if isinstance(identifier, dict) else identifier
    if isinstance(name, str) and name.lower() in DROP_INS:
        config = identifier.get("config", {}) if isinstance(identifier, dict) else {}
        return DROP_INS[name.lower()].from_config(dict(config))
    return keras_optimizers.get(identifier)


class _Optimizers(types.ModuleType):
    """`keras.src.optimizers` as the Keras tests see it: Adam and AdamW are the
    drop-ins."""

    Adam = Adam
    AdamW = AdamW
    get = staticmethod(get)

    def __getattr__(self, name):
        return getattr(keras_optimizers, name)


OPTIMIZERS = _Optimizers("keras.src.optimizers")


@contextlib.contextmanager
def _optimizers_seen_as_drop_ins():
    """While a Keras test module runs its top level, `from keras.src import optimizers`
    gives OPTIMIZERS (module-level tables such as optimizer_sparse_test's are built
    then)."""
    real = keras.src.optimizers
    keras.src.optimizers = OPTIMIZERS
    try:
        yield
    finally:
        keras.src.optimizers = real


def load_keras_test(name: str, **replacements) -> types.ModuleType:
    """A private copy of keras/src/optimizers/<name>.py, its globals replaced as
    given."""
    path = Path(keras_optimizers.__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"{__package__}._keras_{name}", path)
    module = importlib.util.module_from_spec(spec)
    with _optimizers_seen_as_drop_ins():
        spec.loader.exec_module(module)
    if hasattr(module, "optimizers"):
        module.optimizers = OPTIMIZERS
    for global_name, value in replacements.items():
        assert hasattr(module, global_name), f"{name} has no global {global_name}"
        setattr(module, global_name, value)
    return module


def skip(
    case: type[unittest.TestCase], reasons: dict[str, str]
) -> type[unittest.TestCase]:
    """Skip the named test methods of `case` (a class of a private copy), each with its
    reason. Every name must exist, so that a renamed Keras test cannot silently run
    unskipped."""
    for method, reason in reasons.items():
        original = getattr(case, method)  # AttributeError if Keras renamed the test
        setattr(
            case,
            method,
            unittest.skip(reason)(functools.wraps(original)(lambda self: None)),
        )
    return case


def not_adam(optimizer: str) -> str:
    return (
        f"exercises keras.optimizers.{optimizer} only; adam.keras.Adam is not the "
        f"optimizer under test"
    )
