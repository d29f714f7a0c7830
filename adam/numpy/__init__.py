"""Optimizers in NumPy.

* `init` / `update`: Adam as two pure functions, the readable version the book shows.
* `Adam`: the same mathematics, in place and fast, with checkpoints.
* `SGD` (with momentum), `AdaGrad`, `RMSProp`: the methods Adam grew out of, same
  interface.
* `AdamW`, `AdaMax`, `Nadam`: variants (AMSGrad is ``Adam(amsgrad=True)``).
* `CompactAdam`: Adam with its moments stored as bfloat16 or 8-bit blocks (`compact`).
* `adam.numpy.minimal`: teaching versions in a few lines each: `adam_step` (Algorithm
  1), `sgd_step`, `momentum_step`, `adagrad_step`, `rmsprop_step`; tested against the
  classes.
"""

from adam.hyperparameters import Hyperparameters
from adam.numpy.base import Optimizer
from adam.numpy.classic import SGD, AdaGrad, RMSProp
from adam.numpy.compact import CompactAdam
from adam.numpy.fast import Adam
from adam.numpy.functional import AdamState, init, update
from adam.numpy.variants import AdaMax, AdamW, Nadam

__all__ = [
    "Adam",
    "AdamState",
    "AdamW",
    "AdaGrad",
    "AdaMax",
    "CompactAdam",
    "Nadam",
    "Hyperparameters",
    "Optimizer",
    "RMSProp",
    "SGD",
    "init",
    "update",
]
