"""The MNIST model of TensorFlow's quickstart, and seeded training runs of it with any
optimizer.

Flatten, Dense(128, relu), Dropout(0.2), Dense(10) logits; sparse categorical
cross-entropy; inputs scaled to [0, 1]. `train` runs one seeded `fit` and returns its
history and timings, so that chapters can compare optimizers over several seeds with a
few lines.
"""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np


def build_model(
    seed: int = 0, name: str = "quickstart", output_name: str | None = None
) -> keras.Model:
    """The quickstart model, its weights drawn from `seed`; `name` names the model and
    `output_name` its last layer (None: Keras's default name)."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10, name=output_name),
        ],
        name=name,
    )


def compile_model(model: keras.Model, optimizer) -> keras.Model:
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def scale(images: np.ndarray) -> np.ndarray:
    """uint8 pixels to float32 in [0, 1], as the quickstart does."""
    return images.astype(np.float32) / 255.0


class EpochTimer(keras.callbacks.Callback):
    """Seconds per epoch, validation included."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


@dataclasses.dataclass
class Run:
    """One training run: per-epoch metrics (keys as in `History.history`) and
    seconds."""

    optimizer: str
    seed: int
    history: dict
    epoch_seconds: list

    @property
    def final_val_accuracy(self) -> float:
        return float(self.history["val_accuracy"][-1])


def train(
    make_optimizer,
    data,
    *,
    seed: int = 0,
    epochs: int = 5,
    batch_size: int = 32,
    name: str | None = None,
) -> Run:
    """Train a fresh quickstart model with ``make_optimizer()``, validating on the test
    set.

    `data` is ``((x_train, y_train), (x_test, y_test))`` as
    `adam.experiments.mnist.load_mnist` returns it. The seed fixes the initial weights,
    the dropout masks and the order of the batches.
    """
    (x_train, y_train), (x_test, y_test) = data
    model = compile_model(build_model(seed), make_optimizer())
    timer = EpochTimer()
    history = model.fit(
        scale(x_train),
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(scale(x_test), y_test),
        verbose=0,
        callbacks=[timer],
    )
    label = name or type(model.optimizer).__name__
    return Run(
        label,
        seed,
        {k: [float(x) for x in v] for k, v in history.history.items()},
        timer.seconds,
    )


def devices() -> str:
    """Which Keras backend runs, and on which devices (a GPU if there is one)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        found = [f"{d.device_type}:{d.name}" for d in tf.config.list_logical_devices()]
    elif backend == "jax":
        import jax

        found = [f"{d.platform.upper()}:{d.device_kind}" for d in jax.devices()]
    elif backend == "torch":
        import torch

        found = (
            ["GPU:" + torch.cuda.get_device_name(0)]
            if torch.cuda.is_available()
            else ["CPU"]
        )
    else:
        found = ["unknown"]
    return f"Keras {keras.__version__}, backend {backend}, devices: {', '.join(found)}"
