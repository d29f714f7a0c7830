"""The `adam` package behind the executable book on the Adam optimizer.

* `adam.numpy`: Adam in NumPy (a readable functional core and a fast in-place optimizer)
  and the optimizers it grew out of.
* `adam.hyperparameters`: Adam's hyperparameters and their checks, shared by all implementations.
* `adam.landscapes`: two-dimensional test functions and optimizer trajectories.
* `adam.mnist`: MNIST loading that also works offline.
* `adam.style`: the book's figure style.
"""
__version__ = "0.1.0"
