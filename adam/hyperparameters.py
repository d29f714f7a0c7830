"""Adam's hyperparameters, checked once, shared by every implementation in the package.

The names follow Keras (`learning_rate`, `beta_1`, `beta_2`, `epsilon`, ...). One
function checks them all, `check_hyperparameters`, with one keyword per hyperparameter:
the NumPy optimizers through their frozen dataclasses (`Hyperparameters`, and the
others' built on `Checked`), `adam.keras` and `adam.tensorflow` directly. Every check
raises before anything is changed, with a message that names the argument and the value.
"""

from __future__ import annotations

import dataclasses
import math
import numbers


def check_real(
    name: str,
    value,
    *,
    low: float,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = True,
) -> float:
    """Return `value` as a float after checking it is a finite real number in range.

    `low`/`high` are the bounds; `low_open`/`high_open` say whether they are excluded.
    Booleans are refused: `True` is an int in Python, but never a meaningful rate.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {value!r}"
        )
    try:
        value = float(value)
    except OverflowError:  # an int beyond float's range, such as 10**400
        text = str(value)
        text = text if len(text) <= 20 else f"{text[:12]}... ({len(text)} characters)"
        raise ValueError(
            f"{name} must be finite, got {type(value).__name__} {text}, "
            "beyond the range of a float"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    below = value <= low if low_open else value < low
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        upper = "inf" if high is None else repr(high)
        raise ValueError(
            f"{name} must lie in {left}{low!r}, {upper}{right}, got {value!r}"
        )
    return value


def check_flag(name: str, value) -> bool:
    """Refuse 0/1/"yes" and other almost-booleans, so that a typo cannot switch a
    mode."""
    if not isinstance(value, bool):
        raise TypeError(
            f"{name} must be True or False, got {type(value).__name__} {value!r}"
        )
    return value


def check_learning_rate(value) -> float:
    return check_real("learning_rate", value, low=0.0, low_open=True, high=None)


def check_beta(name: str, value) -> float:
    return check_real(name, value, low=0.0, high=1.0)


def check_non_negative(name: str, value) -> float:
    return check_real(name, value, low=0.0, high=None)


#: A keyword of `check_hyperparameters` that an optimizer does not have.
UNUSED = object()


def check_hyperparameters(
    *,
    learning_rate=UNUSED,
    beta_1=UNUSED,
    beta_2=UNUSED,
    epsilon=UNUSED,
    weight_decay=UNUSED,
    amsgrad=UNUSED,
    bias_correction=UNUSED,
    epsilon_hat=UNUSED,
    momentum=UNUSED,
    nesterov=UNUSED,
    rho=UNUSED,
) -> dict:
    """The one check of every optimizer's hyperparameters: those given, each against its
    range, then the combinations. Returns the checked values by name (numbers as
    floats). An optimizer passes the ones it has; a learning rate that cannot be read
    now (a schedule) is not passed, and so is left out of the combinations too."""
    rules = {
        "learning_rate": check_learning_rate,
        "beta_1": lambda value: check_beta("beta_1", value),
        "beta_2": lambda value: check_beta("beta_2", value),
        "epsilon": lambda value: check_non_negative("epsilon", value),
        "weight_decay": lambda value: check_non_negative("weight_decay", value),
        "amsgrad": lambda value: check_flag("amsgrad", value),
        "bias_correction": lambda value: check_flag("bias_correction", value),
        "epsilon_hat": lambda value: check_flag("epsilon_hat", value),
        "momentum": lambda value: check_beta("momentum", value),
        "nesterov": lambda value: check_flag("nesterov", value),
        "rho": lambda value: check_beta("rho", value),
    }
    given = {
        "learning_rate": learning_rate,
        "beta_1": beta_1,
        "beta_2": beta_2,
        "epsilon": epsilon,
        "weight_decay": weight_decay,
        "amsgrad": amsgrad,
        "bias_correction": bias_correction,
        "epsilon_hat": epsilon_hat,
        "momentum": momentum,
        "nesterov": nesterov,
        "rho": rho,
    }
    checked = {
        name: rules[name](value) for name, value in given.items() if value is not UNUSED
    }
    rate, decay = checked.get("learning_rate"), checked.get("weight_decay", 0.0)
    if rate is not None and decay * rate >= 1:
        # p <- p * (1 - learning_rate * weight_decay): at 1 every weight is zeroed,
        # beyond it flips sign and grows at every step
        raise ValueError(
            f"weight_decay * learning_rate must be below 1, got weight_decay="
            f"{decay!r} * learning_rate={rate!r} = {decay * rate!r}: decoupled weight "
            "decay multiplies each weight by 1 - learning_rate * weight_decay, which "
            "would zero it or flip its sign at every step"
        )
    if checked.get("epsilon_hat") and checked.get("bias_correction") is False:
        raise ValueError(
            "epsilon_hat=True is a form of the bias-corrected update; "
            "it cannot be combined with bias_correction=False"
        )
    return checked


class Checked:
    """A frozen dataclass of hyperparameters, checked when made by
    `check_hyperparameters` (each field is one of its keywords); the checked values
    replace the given ones."""

    def __post_init__(self):
        # the fields that are keywords of the check (a subclass may add others: its own)
        names = check_hyperparameters.__kwdefaults__
        fields = dataclasses.asdict(self)
        checked = check_hyperparameters(
            **{k: v for k, v in fields.items() if k in names}
        )
        for name, value in checked.items():
            # object.__setattr__ because the dataclass is frozen: we store the checked
            # float
            object.__setattr__(self, name, value)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Hyperparameters(Checked):
    """Adam's hyperparameters; the defaults are those of Algorithm 1 in Kingma & Ba
    (2015).

    `epsilon_hat=True` switches to the paper's reordered update (end of its Section 2),
    which TensorFlow and Keras use; `bias_correction=False` drops the division by
    ``1 - beta**t``; `amsgrad=True` uses the running maximum of the second moment;
    `weight_decay` is decoupled (AdamW): each parameter is first multiplied by
    ``1 - learning_rate * weight_decay``.
    """

    learning_rate: float = 0.001
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    amsgrad: bool = False
    weight_decay: float = 0.0
    bias_correction: bool = True
    epsilon_hat: bool = False
