"""The `adam` package behind the book *Adam, by running it*.

Modules:

* `adam.numpy`: Adam in NumPy, a readable functional core and a fast in-place optimizer.
* `adam.hyperparameters`: the hyperparameters and their checks, shared by all implementations.
* `adam.mnist`: MNIST loading that works offline.
"""
__version__ = "0.1.0"
