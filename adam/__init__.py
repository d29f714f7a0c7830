"""The `adam` package behind the executable book on the Adam optimizer.

Optimizers, where users import them:

* `adam.numpy`: Adam in NumPy (a readable functional core and a fast in-place
  optimizer), the optimizers it grew out of and its variants.
* `adam.fused`: the NumPy step compiled into one parallel loop (needs numba).
* `adam.keras`: Adam as a Keras 3 optimizer, for any backend.
* `adam.tensorflow`: Adam as plain TensorFlow.
* `adam.hyperparameters`: Adam's hyperparameters and their checks, shared by all of
  them.

The book's problems and experiments: `adam.experiments` (landscapes, MNIST, models,
...).

The book's tooling: `adam.book` (glue, figure style, source display, tables).
"""

__version__ = "0.1.0"
