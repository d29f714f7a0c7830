"""What an optimizer's state costs, read from the variables the optimizers create.

`optimizer_bytes` builds a Keras optimizer for a model's trainable variables and adds up
the bytes of every variable the optimizer then holds (`optimizer.variables`): the
per-weight slots (moments, momenta, factored statistics) and its few scalars (the step
counter, the learning rate). `training_bytes` does the same for a whole model under a
Keras dtype policy ("float32", "mixed_bfloat16", ...): the weights, the gradients of one
step, and Adam's state. `ZERO_MIXED_PRECISION` is the accounting of Rajbhandari et al.
(2020) for mixed-precision Adam: 16 bytes per parameter.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable

import keras
import numpy as np

#: Bytes per parameter of mixed-precision Adam as the ZeRO paper counts them.
ZERO_MIXED_PRECISION = {
    "16-bit weights": 2,
    "16-bit gradients": 2,
    "float32 master weights": 4,
    "float32 first moment": 4,
    "float32 second moment": 4,
}


def keras_optimizers() -> dict[str, Callable[[], keras.optimizers.Optimizer]]:
    """The optimizers compared, by the names the book's style knows them."""
    import adam.keras

    opt = keras.optimizers
    return {
        "Momentum": lambda: opt.SGD(momentum=0.9),
        "Adam": opt.Adam,
        "AdamW": opt.AdamW,
        "AMSGrad": lambda: opt.Adam(amsgrad=True),
        "Adafactor": opt.Adafactor,
        "Lion": opt.Lion,
        "Muon": opt.Muon,
        "Schedule-Free AdamW": opt.ScheduleFreeAdamW,
        "adam.keras.Adam": adam.keras.Adam,
    }


def nbytes(variable) -> int:
    """Bytes of one Keras variable (its shape times its dtype's size)."""
    dtype = keras.backend.standardize_dtype(variable.dtype)
    return int(np.prod(variable.shape, dtype=np.int64)) * _itemsize(dtype)


def _itemsize(dtype: str) -> int:
    if dtype == "bfloat16":
        return 2
    return np.dtype(dtype).itemsize


def parameter_count(model: keras.Model) -> int:
    return sum(int(np.prod(v.shape, dtype=np.int64)) for v in model.trainable_variables)


@dataclasses.dataclass
class StateBytes:
    """An optimizer's state on one model: bytes per weight-shaped slot and for its
    scalars."""

    name: str
    parameters: int
    slots: int  # bytes of variables with at least one dimension
    scalars: int  # bytes of 0-d variables (step counter, learning rate, placeholders)
    variables: list  # (path, shape, dtype) of every variable, in creation order

    @property
    def per_parameter(self) -> float:
        """Bytes of state per parameter, scalars included."""
        return (self.slots + self.scalars) / self.parameters


def optimizer_bytes(
    model: keras.Model, optimizer, name: str | None = None
) -> StateBytes:
    """Build `optimizer` for `model`'s trainable variables and count the bytes it
    holds."""
    optimizer.build(model.trainable_variables)
    slots = scalars = 0
    listing = []
    for v in optimizer.variables:
        listing.append(
            (v.path, tuple(v.shape), keras.backend.standardize_dtype(v.dtype))
        )
        if len(v.shape):
            slots += nbytes(v)
        else:
            scalars += nbytes(v)
    return StateBytes(
        name or type(optimizer).__name__,
        parameter_count(model),
        slots,
        scalars,
        listing,
    )


def compare_optimizers(model, optimizers: dict | None = None) -> dict[str, StateBytes]:
    """`optimizer_bytes` of each optimizer, all built for the same model (a
    `keras.Model`, or a function that builds one); each optimizer creates its own
    variables."""
    if not isinstance(model, keras.Model):
        model = model()
    optimizers = optimizers or keras_optimizers()
    return {
        name: optimizer_bytes(model, make(), name) for name, make in optimizers.items()
    }


def factored_second_moment_bytes(model: keras.Model, itemsize: int = 4) -> int:
    """Bytes of Adafactor's second moment as its paper keeps it: for a matrix, one row
    and one column statistic (n + m numbers instead of n m); other variables in full."""
    total = 0
    for v in model.trainable_variables:
        shape = tuple(v.shape)
        if len(shape) >= 2:
            rest = int(np.prod(shape[:-2], dtype=np.int64))
            total += rest * (shape[-2] + shape[-1]) * itemsize
        else:
            total += int(np.prod(shape, dtype=np.int64)) * itemsize
    return total


@contextlib.contextmanager
def dtype_policy(name: str):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


@dataclasses.dataclass
class TrainingBytes:
    """Bytes per parameter of one training setup, as Keras lays it out."""

    policy: str
    parameters: int
    weights: int  # the model's trainable variables
    gradients: int  # the gradients of one step (same dtypes as the variables)
    optimizer: int  # the optimizer's variables, scalars included
    variable_dtype: str
    compute_dtype: str

    def per_parameter(self) -> dict[str, float]:
        n = self.parameters
        return {
            "weights": self.weights / n,
            "gradients": self.gradients / n,
            "optimizer": self.optimizer / n,
            "total": (self.weights + self.gradients + self.optimizer) / n,
        }


def training_bytes(
    build_model: Callable[[], keras.Model],
    policy: str,
    make_optimizer: Callable | None = None,
    batch: int = 8,
) -> TrainingBytes:
    """Build the model under `policy`, trace one gradient (JAX backend), build the
    optimizer, and count bytes. The gradients' dtypes are those JAX's differentiation
    gives, not assumed."""
    import jax

    make_optimizer = make_optimizer or keras.optimizers.Adam
    with dtype_policy(policy):
        model = build_model()
        optimizer = make_optimizer()
        optimizer.build(model.trainable_variables)
    trainable = [v.value for v in model.trainable_variables]
    frozen = [v.value for v in model.non_trainable_variables]
    x = np.zeros((batch, *model.input_shape[1:]), np.float32)

    def loss(values):
        out, _ = model.stateless_call(values, frozen, x, training=False)
        return keras.ops.mean(keras.ops.cast(out, "float32") ** 2)

    # the gradients' shapes and dtypes, traced without computing them
    grads = jax.eval_shape(jax.grad(loss), trainable)
    gradient_bytes = sum(
        int(np.prod(g.shape, dtype=np.int64)) * _itemsize(str(g.dtype)) for g in grads
    )
    layer = model.layers[-1]
    return TrainingBytes(
        policy=policy,
        parameters=parameter_count(model),
        weights=sum(nbytes(v) for v in model.trainable_variables),
        gradients=gradient_bytes,
        optimizer=sum(nbytes(v) for v in optimizer.variables),
        variable_dtype=keras.backend.standardize_dtype(layer.variable_dtype),
        compute_dtype=keras.backend.standardize_dtype(layer.compute_dtype),
    )
