"""Adam's state across devices: a copy on each device, or split over them (ZeRO-1).

Keras on JAX, through Keras's stateless API: `model.stateless_call` computes the loss,
`optimizer.stateless_apply` the update, inside one `jax.jit`-compiled step. Where each
array lives is a `jax.sharding.NamedSharding` over a one-axis mesh named "data":

* the weights: a full copy on every device (`PartitionSpec()`);
* a batch: split along its first axis, one slice per device (`PartitionSpec("data")`);
* the optimizer variables: a full copy per device ("replicated"), or split along their
  first axis ("sharded"), so that each device holds 1/N of every moment. A variable
  whose first axis does not divide by N (a bias of 10 outputs, the step counter) stays
  a copy on every device.

The compiler adds the communication: gradients are summed over the devices and, with
sharded state, each device updates its slice of the weights, which are then gathered.
Without accelerators, `XLA_FLAGS=--xla_force_host_platform_device_count=8` (set before
JAX is imported) makes 8 CPU devices; on several GPUs the same code uses the GPUs (with
a single one, the CPU devices).

Keras's distribution API (`keras.distribution`) creates each optimizer variable with the
layout of its weight (`add_variable_from_reference`), so it cannot keep the weights
whole and split their moments; this module places the arrays itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jax
import keras
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

LAYOUTS = ("single", "replicated", "sharded")
COLLECTIVES = (
    "all-reduce",
    "reduce-scatter",
    "all-gather",
    "all-to-all",
    "collective-permute",
)


def training_devices() -> list:
    """Every accelerator when there are several; else the CPU devices (see
    XLA_FLAGS)."""
    devices = jax.devices()
    return devices if len(devices) > 1 else jax.devices("cpu")


def device_mesh(layout: str) -> Mesh:
    """A one-axis mesh named "data": one device for "single", all of them otherwise."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    devices = training_devices()
    return Mesh(np.array(devices[:1] if layout == "single" else devices), ("data",))


def state_sharding(shape, mesh: Mesh, layout: str) -> NamedSharding:
    """Where one optimizer variable lives: split along its first axis if the state is
    sharded and that axis divides evenly over the devices; otherwise a copy on each."""
    n = mesh.shape["data"]
    if layout == "sharded" and len(shape) > 0 and shape[0] % n == 0:
        return NamedSharding(mesh, PartitionSpec("data"))
    return NamedSharding(mesh, PartitionSpec())


def optimizer_bytes_per_device(opt_vars) -> dict:
    """Bytes of optimizer state on each device: the pieces that each one holds."""
    held = {}
    for array in opt_vars:
        for shard in array.addressable_shards:
            held[shard.device] = held.get(shard.device, 0) + shard.data.nbytes
    return held


def expected_bytes_per_device(opt_vars, n_devices: int, layout: str) -> int:
    """The arithmetic: all of what is replicated, 1/N of what is sharded."""
    total = 0
    for array in opt_vars:
        split = layout == "sharded" and array.ndim and array.shape[0] % n_devices == 0
        total += array.nbytes // n_devices if split else array.nbytes
    return total


def mlp(seed: int = 0, hidden: int = 128) -> keras.Model:
    """A small MNIST classifier, 784 -> hidden -> 10, with seeded weights."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(10),
        ]
    )


def make_train_step(model, optimizer, state_shardings, replicated):
    """One compiled step: the loss and its gradient on a batch, then the optimizer's
    update. `out_shardings` keeps every result where it started."""
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def loss_of(weights, others, x, y):
        logits, others = model.stateless_call(weights, others, x)
        return loss_fn(y, logits), others

    def step(weights, others, opt_vars, x, y):
        grad_fn = jax.value_and_grad(loss_of, has_aux=True)
        (loss, others), grads = grad_fn(weights, others, x, y)
        weights, opt_vars = optimizer.stateless_apply(opt_vars, grads, weights)
        return weights, others, opt_vars, loss

    outs = (replicated, replicated, state_shardings, replicated)
    return jax.jit(step, out_shardings=outs, donate_argnums=(0, 2))


def collectives(compiled) -> dict:
    """How often each collective operation occurs in a compiled step: the communication
    between devices that the compiler added."""
    text = compiled.as_text()
    return {op: len(re.findall(rf"\s{op}(?:-start)?\(", text)) for op in COLLECTIVES}


@dataclass
class Result:
    layout: str
    bytes_per_device: dict  # device -> bytes of optimizer state that it holds
    expected_bytes: int  # the same, from the arithmetic
    total_state_bytes: int  # all the optimizer state, counted once
    weights: list  # the trained weights, NumPy arrays
    losses: np.ndarray  # the training loss at each step
    collectives: dict  # the compiled step's communication, by operation


def train(
    layout: str, x, y, steps: int = 30, batch: int = 256, optimizer=None, seed: int = 0
) -> Result:
    """Train `mlp(seed)` on `steps` consecutive batches of (x, y), with the optimizer
    state in `layout`. `optimizer` defaults to `adam.keras.Adam(learning_rate=1e-3)`."""
    import adam.keras

    if steps * batch > len(x):
        raise ValueError(f"{steps} batches of {batch} need {steps * batch} rows")
    mesh = device_mesh(layout)
    replicated = NamedSharding(mesh, PartitionSpec())
    by_rows = NamedSharding(mesh, PartitionSpec("data"))
    model = mlp(seed)
    optimizer = optimizer or adam.keras.Adam(learning_rate=1e-3)
    optimizer.build(model.trainable_variables)

    def place(value, sharding):
        return jax.device_put(np.asarray(value), sharding)

    weights = [place(v, replicated) for v in model.trainable_variables]
    others = [place(v, replicated) for v in model.non_trainable_variables]
    shardings = [state_sharding(v.shape, mesh, layout) for v in optimizer.variables]
    opt_vars = [place(v, s) for v, s in zip(optimizer.variables, shardings)]
    batches = [
        (
            place(x[i * batch : (i + 1) * batch], by_rows),
            place(y[i * batch : (i + 1) * batch], by_rows),
        )
        for i in range(steps)
    ]
    # Full float32 products: GPUs would otherwise multiply float32 matrices in TF32,
    # a rounding far coarser than the differences in summation order studied here.
    with jax.default_matmul_precision("highest"):
        step = make_train_step(model, optimizer, shardings, replicated)
        step = step.lower(weights, others, opt_vars, *batches[0]).compile()

    losses = []
    for xb, yb in batches:
        weights, others, opt_vars, loss = step(weights, others, opt_vars, xb, yb)
        losses.append(loss)

    n = mesh.shape["data"]
    return Result(
        layout,
        optimizer_bytes_per_device(opt_vars),
        expected_bytes_per_device(opt_vars, n, layout),
        sum(v.nbytes for v in opt_vars),
        [np.asarray(w) for w in weights],
        np.array([float(v) for v in losses]),
        collectives(step),
    )


def mnist_rows(n: int = 7680):
    """The first `n` MNIST training images, float32 rows in [0, 1], and their labels."""
    from adam.experiments.mnist import load_mnist

    (x, y), _ = load_mnist(verbose=False)
    return (x[:n].reshape(n, 784) / 255).astype(np.float32), y[:n].astype(np.int32)


def reorder_within_batches(x, y, batch: int = 256, seed: int = 1):
    """The same batches, each with its rows in another order: the same sums, added up in
    another order. On one device, this alone changes the result by float32 rounding."""
    rng = np.random.default_rng(seed)
    order = np.arange(len(x))
    for start in range(0, len(x) - batch + 1, batch):
        order[start : start + batch] = start + rng.permutation(batch)
    return x[order], y[order]


def largest_difference(a: Result, b: Result) -> float:
    """max |w_a - w_b| / max |w_b| over the layers: the gap relative to the weights."""
    return max(
        float(np.max(np.abs(p - q)) / np.max(np.abs(q)))
        for p, q in zip(a.weights, b.weights)
    )
