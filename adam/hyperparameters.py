"""Adam's hyperparameters, checked once, shared by every implementation in the package.

The names follow Keras (`learning_rate`, `beta_1`, `beta_2`, `epsilon`, ...). Every check
raises before anything is changed, with a message that names the argument and the value.
"""
from __future__ import annotations

import dataclasses
import math
import numbers


def check_real(name: str, value, *, low: float, high: float | None = None,
               low_open: bool = False, high_open: bool = True) -> float:
    """Return `value` as a float after checking it is a finite real number in range.

    `low`/`high` are the bounds; `low_open`/`high_open` say whether they are excluded.
    Booleans are refused: `True` is an int in Python, but never a meaningful rate.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        value = float(value)
    except OverflowError:      # an int beyond float's range, such as 10**400
        text = str(value)
        text = text if len(text) <= 20 else f"{text[:12]}... ({len(text)} characters)"
        raise ValueError(f"{name} must be finite, got {type(value).__name__} {text}, "
                         "beyond the range of a float") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    below = value <= low if low_open else value < low
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        upper = "inf" if high is None else repr(high)
        raise ValueError(f"{name} must lie in {left}{low!r}, {upper}{right}, got {value!r}")
    return value


def check_flag(name: str, value) -> bool:
    """Refuse 0/1/"yes" and other almost-booleans, so that a typo cannot switch a mode."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return value


def check_learning_rate(value) -> float:
    return check_real("learning_rate", value, low=0.0, low_open=True, high=None)


def check_beta(name: str, value) -> float:
    return check_real(name, value, low=0.0, high=1.0)


def check_non_negative(name: str, value) -> float:
    return check_real(name, value, low=0.0, high=None)


@dataclasses.dataclass(frozen=True)
class Hyperparameters:
    """Adam's hyperparameters; the defaults are those of Algorithm 1 in Kingma & Ba (2015).

    `epsilon_hat=True` switches to the paper's reordered update (end of its Section 2), which
    TensorFlow and Keras use; `bias_correction=False` drops the division by ``1 - beta**t``;
    `amsgrad=True` uses the running maximum of the second moment; `weight_decay` is decoupled
    (AdamW): each parameter is first multiplied by ``1 - learning_rate * weight_decay``.
    """

    learning_rate: float = 0.001
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    amsgrad: bool = False
    weight_decay: float = 0.0
    bias_correction: bool = True
    epsilon_hat: bool = False

    def __post_init__(self):
        # object.__setattr__ because the dataclass is frozen: we store the checked float.
        set_ = object.__setattr__
        set_(self, "learning_rate", check_learning_rate(self.learning_rate))
        set_(self, "beta_1", check_beta("beta_1", self.beta_1))
        set_(self, "beta_2", check_beta("beta_2", self.beta_2))
        set_(self, "epsilon", check_non_negative("epsilon", self.epsilon))
        set_(self, "weight_decay", check_non_negative("weight_decay", self.weight_decay))
        for flag in ("amsgrad", "bias_correction", "epsilon_hat"):
            check_flag(flag, getattr(self, flag))
        if self.weight_decay * self.learning_rate >= 1:
            # p <- p * (1 - learning_rate * weight_decay): at 1 every weight is zeroed,
            # beyond it flips sign and grows at every step
            raise ValueError(
                f"weight_decay * learning_rate must be below 1, got weight_decay="
                f"{self.weight_decay!r} * learning_rate={self.learning_rate!r} = "
                f"{self.weight_decay * self.learning_rate!r}: decoupled weight decay multiplies "
                "each weight by 1 - learning_rate * weight_decay, which would zero it or flip "
                "its sign at every step")
        if self.epsilon_hat and not self.bias_correction:
            raise ValueError("epsilon_hat=True is a form of the bias-corrected update; "
                             "it cannot be combined with bias_correction=False")

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
