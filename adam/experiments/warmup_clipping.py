"""Warm-up and gradient clipping on a tiny Transformer (Keras 3 on the JAX backend).

The model is the original, post-norm Transformer encoder in miniature: token and
position embeddings, `blocks` blocks of self-attention and a feed-forward layer, each
followed by a residual connection and layer normalization, and a linear read-out per
position. The task is synthetic: read a sequence of tokens and write it back sorted, one
token per position.

`train` runs Keras's own Adam (`keras.optimizers.Adam`, with its `global_clipnorm`
argument for clipping) under one compiled `jax.lax.scan` over the steps. The learning
rate of every step is an input, so runs with and without warm-up share one compiled
program, and the training data are an input too, so a run can be fed a corrupted batch.
Everything is seeded: a run is a function of its arguments.

Keras must run on JAX: set ``KERAS_BACKEND=jax`` before anything imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import keras
import numpy as np
from keras import layers, ops

VOCAB = 12
LENGTH = 12


def _require_jax() -> None:
    if keras.backend.backend() != "jax":
        raise RuntimeError(
            "adam.experiments.warmup_clipping needs Keras on JAX: set "
            "KERAS_BACKEND=jax before anything imports keras"
        )


def sort_batches(
    steps: int, batch: int = 32, seed: int = 0, length: int = LENGTH, vocab: int = VOCAB
) -> tuple[np.ndarray, np.ndarray]:
    """`steps` batches of the sorting task: tokens ``x`` and their sorted copies ``y``.

    Both are int32 arrays of shape ``(steps, batch, length)``, tokens in ``[0, vocab)``.
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(0, vocab, size=(steps, batch, length))
    return x.astype("int32"), np.sort(x, axis=-1).astype("int32")


def tiny_transformer(
    seed: int = 0,
    d_model: int = 32,
    heads: int = 4,
    blocks: int = 2,
    length: int = LENGTH,
    vocab: int = VOCAB,
) -> keras.Model:
    """A post-norm Transformer encoder, `blocks` blocks wide `d_model`, seeded by `seed`
    (through `keras.utils.set_random_seed`, which also seeds Python's and NumPy's global
    generators)."""
    keras.utils.set_random_seed(seed)
    tokens = keras.Input((length,), dtype="int32")
    h = layers.Embedding(vocab, d_model)(tokens)
    h = h + layers.Embedding(length, d_model)(ops.arange(length))
    for _ in range(blocks):
        attended = layers.MultiHeadAttention(heads, d_model // heads)(h, h)
        h = layers.LayerNormalization()(h + attended)
        wide = layers.Dense(4 * d_model, activation="relu")(h)
        h = layers.LayerNormalization()(h + layers.Dense(d_model)(wide))
    return keras.Model(tokens, layers.Dense(vocab)(h))


def linear_warmup(steps: int, peak: float, warmup_steps: int) -> np.ndarray:
    """The learning rate of steps 1..`steps`: rising linearly to `peak` over
    `warmup_steps` steps, then constant (``warmup_steps=0``: constant from the first
    step)."""
    if warmup_steps < 0 or steps < 1:
        raise ValueError("need steps >= 1 and warmup_steps >= 0")
    t = np.arange(1, steps + 1)
    return peak * np.minimum(1.0, t / max(warmup_steps, 1))


@dataclass(frozen=True)
class Run:
    """One training run, one value per step."""

    loss: np.ndarray  #: the batch's cross-entropy before the step
    grad_norm: np.ndarray  #: the global norm of the gradient (before any clipping)
    step_ratio: (
        np.ndarray
    )  #: mean over all weights of |change of the weight| / learning rate
    quiet_ratio: (
        np.ndarray
    )  #: the same mean over the weights with |g| < 1% of the mean |g|


@cache
def _program(global_clipnorm: float | None, blocks: int, d_model: int):
    """The compiled training loop for one architecture and clipping setting."""
    import jax
    import jax.numpy as jnp

    model = tiny_transformer(blocks=blocks, d_model=d_model)
    optimizer = keras.optimizers.Adam(
        learning_rate=1e-3, global_clipnorm=global_clipnorm
    )
    optimizer.build(model.trainable_variables)
    rate = [v.name for v in optimizer.variables].index("learning_rate")
    cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def loss_fn(weights, others, x, y, scale):
        logits, others = model.stateless_call(weights, others, x, training=True)
        loss = cross_entropy(y, logits)
        return scale * loss, (loss, others)

    value_and_grad = jax.value_and_grad(loss_fn, has_aux=True)

    def step(state, inputs):
        weights, others, slots = state
        x, y, learning_rate, scale = inputs
        (_, (loss, others)), grads = value_and_grad(weights, others, x, y, scale)
        slots = slots[:rate] + [learning_rate] + slots[rate + 1 :]
        new, slots = optimizer.stateless_apply(slots, grads, weights)
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in grads))
        moved = jnp.concatenate([jnp.ravel(a - b) for a, b in zip(new, weights)])
        moved = jnp.abs(moved) / learning_rate
        sizes = jnp.abs(jnp.concatenate([jnp.ravel(g) for g in grads]))
        quiet = sizes <= 0.01 * jnp.mean(sizes)
        quiet_ratio = jnp.sum(jnp.where(quiet, moved, 0)) / jnp.maximum(
            jnp.sum(quiet), 1
        )
        return (new, others, slots), (loss, norm, jnp.mean(moved), quiet_ratio)

    def run(state, x, y, learning_rates, scales):
        return jax.lax.scan(step, state, (x, y, learning_rates, scales))[1]

    slots = [v.value for v in optimizer.variables]
    return jax.jit(run), slots


def train(
    x: np.ndarray,
    y: np.ndarray,
    learning_rates: np.ndarray,
    *,
    seed: int = 0,
    global_clipnorm: float | None = None,
    outlier: tuple[int, float] | None = None,
    blocks: int = 2,
    d_model: int = 32,
) -> Run:
    """Train a fresh `tiny_transformer(seed)` with Keras's Adam on the batches ``x, y``.

    `learning_rates` holds one rate per batch. `global_clipnorm` goes to Keras's Adam,
    which scales all the gradients together so that their global norm is at most that
    (None: no clipping; Keras's `clipnorm`, which clips each weight's gradient on its
    own, is not used). ``outlier=(index, factor)`` multiplies the loss of the batch at
    `index` (from 0; Keras's step ``index + 1``), so its gradient, by `factor`: one bad
    batch. Other hyperparameters are Keras's defaults.
    """
    _require_jax()
    learning_rates = np.asarray(learning_rates, dtype="float32")
    if not len(x) == len(y) == len(learning_rates):
        raise ValueError("x, y and learning_rates need one entry per step")
    if not (learning_rates > 0).all():
        raise ValueError("learning rates must be positive (steps are measured in them)")
    scales = np.ones(len(x), dtype="float32")
    if outlier is not None:
        scales[outlier[0]] = outlier[1]
    program, slots = _program(global_clipnorm, blocks, d_model)
    model = tiny_transformer(seed=seed, blocks=blocks, d_model=d_model)
    state = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        list(slots),
    )
    return Run(
        *(
            np.asarray(a, dtype=float)
            for a in program(state, x, y, learning_rates, scales)
        )
    )
