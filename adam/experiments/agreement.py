"""Checking that implementations agree "to float32 rounding", and measuring how closely.

One float32 step rounds each parameter to its own precision, and over many steps those
roundings add up; the unit to measure them in is the ulp (unit in the last place), the
gap between a number and the next one of its type. The tests and the chapters share
these helpers: a gradient sequence, runners for each framework, and the distance in ulps
(`ulps`, in units of the ulp of each tensor's largest entry).
"""

from __future__ import annotations

import numpy as np


def gradient_sequence(steps: int = 100, shapes=((7, 3), (3,)), seed: int = 0):
    """float32 start parameters and `steps` gradients whose scales span four decades, so
    that epsilon matters for some coordinates."""
    rng = np.random.default_rng(seed)
    scales = [10.0 ** rng.uniform(-4, 0, size=s) for s in shapes]
    params = [rng.normal(size=s).astype(np.float32) for s in shapes]
    grads = [
        [(sc * rng.normal(size=s)).astype(np.float32) for sc, s in zip(scales, shapes)]
        for _ in range(steps)
    ]
    return params, grads


def run_numpy(optimizer, params, grads):
    """Step a NumPy optimizer (`adam.numpy`) through `grads` from copies of `params`."""
    params = [p.copy() for p in params]
    for g in grads:
        optimizer.step(params, g)
    return params


def run_keras(optimizer, params, grads):
    """The same with a Keras optimizer and `keras.Variable`s."""
    import keras

    variables = [keras.Variable(p) for p in params]
    for g in grads:
        optimizer.apply_gradients(
            zip([keras.ops.convert_to_tensor(x) for x in g], variables)
        )
    return [v.numpy() for v in variables]


def run_tensorflow(params, grads, **hyperparameters):
    """The same with `adam.tensorflow.Adam` (needs TensorFlow)."""
    import tensorflow as tf

    import adam.tensorflow

    variables = [tf.Variable(p) for p in params]
    optimizer = adam.tensorflow.Adam(variables, **hyperparameters)
    for g in grads:
        optimizer.apply_gradients(g)
    return [v.numpy() for v in variables]


def ulps(got, expected) -> float:
    """Largest distance between two lists of tensors, in ulps of each tensor's largest
    entry.

    For each pair, the largest absolute difference is divided by the spacing
    (`np.spacing`) at the largest magnitude in the tensor from `got`, in `got`'s own
    type (the float32 ulp for float32 tensors); the result is the largest of these.
    Entries smaller than the largest have finer spacing, so the result can be a
    fraction; it is 0 only when the tensors are equal."""
    return max(
        float(
            np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max()
            / np.spacing(np.abs(np.asarray(a)).max())
        )
        for a, b in zip(got, expected)
    )
