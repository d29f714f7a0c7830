"""The book's MNIST model (adam.experiments.quickstart) trains with adam.keras.Adam for
one short epoch on the Keras backend in use: `make test` runs it on TensorFlow, `make
test-jax` on JAX. It needs the offline MNIST file named by ADAM_BOOK_MNIST (CI has one);
it never downloads.
"""

import os

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import adam.keras  # noqa: E402
from adam.experiments import quickstart  # noqa: E402
from adam.experiments.mnist import ENV_VAR, load_mnist  # noqa: E402

TRAIN, TEST = 1024, 512


@pytest.mark.skipif(
    not os.environ.get(ENV_VAR),
    reason=f"{ENV_VAR} names no offline MNIST file (this test never downloads)",
)
@pytest.mark.parametrize("form", ["Algorithm 1", "drop-in"])
def test_model_trains_one_short_epoch(form):
    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=False)
    data = ((x_train[:TRAIN], y_train[:TRAIN]), (x_test[:TEST], y_test[:TEST]))
    kw = {} if form == "Algorithm 1" else {"epsilon_hat": True, "epsilon": 1e-7}
    run = quickstart.train(lambda: adam.keras.Adam(**kw), data, epochs=1, batch_size=32)
    assert np.isfinite(run.history["loss"]).all()
    # 32 steps from chance (10%): the model labels most test images correctly (measured
    # 0.73-0.74 on TensorFlow and JAX, both forms).
    assert run.final_val_accuracy > 0.5, run.history
    assert f"backend {keras.backend.backend()}" in quickstart.devices()
