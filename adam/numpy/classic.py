"""The optimizers Adam grew out of, with the same interface as `adam.numpy.Adam`.

Each update is one or two lines of mathematics; the code follows it directly (these are
for small problems and comparisons, so they favour clarity over the speed of `Adam`).
Each step computes the new values first and writes them only when every new state array
is finite (`Optimizer._commit`): a gradient whose square overflows the dtype (|g| > 256
in float16) raises `MomentOverflowError` and changes nothing. Coordinates whose gradient
has always been zero never move, in any dtype and whatever epsilon rounds to in it
(`divide_no_nan`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from adam.hyperparameters import Checked
from adam.numpy.base import Optimizer
from adam.numpy.division import divide_no_nan


@dataclasses.dataclass(frozen=True)
class SGDHyperparameters(Checked):
    learning_rate: float = 0.01
    momentum: float = 0.0
    nesterov: bool = False


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum.

    Plain: ``p -= lr * g``. With momentum mu: ``velocity = mu * velocity + g`` and
    ``p -= lr * velocity``; Nesterov looks ahead: ``p -= lr * (g + mu * velocity)``.
    """

    hyperparameters_type = SGDHyperparameters

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(
            SGDHyperparameters(
                learning_rate=learning_rate, momentum=momentum, nesterov=nesterov
            )
        )

    @classmethod
    def slots_for(cls, hyperparameters):
        return ("velocity",) if hyperparameters.momentum else ()

    # One line per formula, as in the paper; the loop around it has the same shape in
    # each optimizer of this module, deliberately: it is what the reader compares.
    def _apply(self, params, grads):
        h = self.hyperparameters
        new = {"params": [], "velocity": []}
        for i, (p, g) in enumerate(zip(params, grads)):
            if h.momentum:
                velocity = self._slots["velocity"][i] * h.momentum + g
                direction = g + h.momentum * velocity if h.nesterov else velocity
                new["velocity"].append(velocity)
            else:
                direction = g
            new["params"].append(p - h.learning_rate * direction)
        self._commit(params, grads, new, self.slot_names())


@dataclasses.dataclass(frozen=True)
class AdaGradHyperparameters(Checked):
    learning_rate: float = 0.01
    epsilon: float = 1e-8


class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al., 2011): ``sum_of_squares += g**2``;
    ``p -= lr * g / (sqrt(sum_of_squares) + eps)``. Steps only ever shrink."""

    hyperparameters_type = AdaGradHyperparameters
    non_negative_slots = ("sum_of_squares",)

    def __init__(self, learning_rate=0.01, epsilon=1e-8):
        super().__init__(
            AdaGradHyperparameters(learning_rate=learning_rate, epsilon=epsilon)
        )

    @classmethod
    def slots_for(cls, hyperparameters):
        return ("sum_of_squares",)

    # One line per formula, as in the paper; the loop around it has the same shape in
    # each optimizer of this module, deliberately: it is what the reader compares.
    def _apply(self, params, grads):
        h = self.hyperparameters
        new = {"params": [], "sum_of_squares": []}
        for p, g, total in zip(params, grads, self._slots["sum_of_squares"]):
            total = total + g * g
            step = divide_no_nan(h.learning_rate * g, np.sqrt(total) + h.epsilon)
            new["params"].append(p - step)
            new["sum_of_squares"].append(total)
        self._commit(params, grads, new, ("sum_of_squares",))


@dataclasses.dataclass(frozen=True)
class RMSPropHyperparameters(Checked):
    learning_rate: float = 0.001
    rho: float = 0.9
    epsilon: float = 1e-8


class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton, 2012): ``mean_square = rho * mean_square + (1 - rho)
    * g**2``; ``p -= lr * g / (sqrt(mean_square) + eps)``. A moving average instead of
    AdaGrad's sum, and no bias correction."""

    hyperparameters_type = RMSPropHyperparameters
    non_negative_slots = ("mean_square",)

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-8):
        super().__init__(
            RMSPropHyperparameters(
                learning_rate=learning_rate, rho=rho, epsilon=epsilon
            )
        )

    @classmethod
    def slots_for(cls, hyperparameters):
        return ("mean_square",)

    # One line per formula, as in the paper; the loop around it has the same shape in
    # each optimizer of this module, deliberately: it is what the reader compares.
    def _apply(self, params, grads):
        h = self.hyperparameters
        new = {"params": [], "mean_square": []}
        for p, g, mean_square in zip(params, grads, self._slots["mean_square"]):
            mean_square = mean_square * h.rho + (1 - h.rho) * g * g
            new["params"].append(
                p - divide_no_nan(h.learning_rate * g, np.sqrt(mean_square) + h.epsilon)
            )
            new["mean_square"].append(mean_square)
        self._commit(params, grads, new, ("mean_square",))
