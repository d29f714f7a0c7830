"""Adam's best-known variants, with the interface of `adam.numpy.Adam`.

* `AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter, 2019);
  `Adam(weight_decay=...)` with Keras's default decay of 0.004.
* AMSGrad (Reddi et al., 2018) is `Adam(amsgrad=True)`.
* `AdaMax`: the infinity-norm variant of the paper's Section 7.1.
* `Nadam`: Nesterov momentum in Adam (Dozat, 2016), with Keras 3's momentum schedule.

These are written for clarity, one line per formula, like the classic optimizers, and
like them compute a step before writing it: a gradient whose square overflows the dtype
raises `MomentOverflowError` and changes nothing.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from adam.hyperparameters import Checked
from adam.numpy.base import Optimizer
from adam.numpy.division import divide_no_nan
from adam.numpy.fast import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first shrinks p by
    ``1 - lr * weight_decay``."""

    same_checkpoints_as = ()

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        amsgrad=False,
        weight_decay=0.004,
        bias_correction=True,
        epsilon_hat=False,
        *,
        threads=None,
    ):
        # Every keyword by name, as Keras's adamw.py passes them on: each argument can
        # be followed from the signature to the one check. Alike in every optimizer of
        # the package, and deliberately so (`duplicates` lists these lists as pairs).
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            bias_correction=bias_correction,
            epsilon_hat=epsilon_hat,
            threads=threads,
        )


@dataclasses.dataclass(frozen=True)
class VariantHyperparameters(Checked):
    """Hyperparameters of AdaMax and Nadam; the defaults are Keras's."""

    learning_rate: float = 0.001
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7


class VariantOptimizer(Optimizer):
    """What AdaMax and Nadam share: Keras's hyperparameters and their defaults."""

    hyperparameters_type = VariantHyperparameters

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(
            VariantHyperparameters(
                learning_rate=learning_rate,
                beta_1=beta_1,
                beta_2=beta_2,
                epsilon=epsilon,
            )
        )


class AdaMax(VariantOptimizer):
    """AdaMax (Kingma & Ba, 2015, Sec. 7.1): the L2 norm of Adam's v becomes an infinity
    norm.

    ``m = b1 m + (1 - b1) g``;  ``u = max(b2 u, |g|)``;  ``p -= lr / (1 - b1^t) * m / (u
    + eps)``. `u` needs no bias correction: it is a maximum, not an average that starts
    at zero. The paper has no epsilon; Keras adds one (1e-7) to guard against u = 0.
    """

    non_negative_slots = ("infinity_norm",)

    @classmethod
    def slots_for(cls, hyperparameters):
        return ("first_moment", "infinity_norm")

    # One line per formula, as in the paper; the loop around it has the same shape in
    # each optimizer of this module, deliberately: it is what the reader compares.
    def _apply(self, params, grads):
        h = self.hyperparameters
        t = self.iterations + 1
        new = {"params": [], "first_moment": [], "infinity_norm": []}
        slots = zip(self._slots["first_moment"], self._slots["infinity_norm"])
        for p, g, (m, u) in zip(params, grads, slots):
            m = m * h.beta_1 + (1 - h.beta_1) * g
            u = np.maximum(h.beta_2 * u, np.abs(g))
            new["params"].append(
                p
                - divide_no_nan(h.learning_rate / (1 - h.beta_1**t) * m, u + h.epsilon)
            )
            new["first_moment"].append(m)
            new["infinity_norm"].append(u)
        self._commit(params, grads, new, ("first_moment", "infinity_norm"))


def nadam_momentum(beta_1: float, t: int) -> float:
    """Keras 3's momentum schedule: mu_t = beta_1 (1 - 0.5 * 0.96^t) (Keras 2 and
    PyTorch use 0.96^(0.004 t), which rises far more slowly)."""
    return beta_1 * (1 - 0.5 * 0.96**t)


#: Below this, 1 - P rounds to exactly 1.0 in float64 (and so does 1 - P' for any P' <
#: P).
NEGLIGIBLE_PRODUCT = 2.0**-60


def nadam_product(beta_1: float, t: int) -> float:
    """P_t = mu_1 ... mu_t, multiplied in order, as far as it matters: the step uses
    only 1 - P_t, which is 1.0 once P_t < 2**-54. So the product stops there (after a
    few hundred factors for beta_1 = 0.9), and a restore at step three million costs no
    more than one at step three thousand; the result is the same to the last bit."""
    product = 1.0
    for i in range(1, t + 1):
        product *= nadam_momentum(beta_1, i)
        if product < NEGLIGIBLE_PRODUCT:
            break
    return product


class Nadam(VariantOptimizer):
    """Nadam (Dozat, 2016): Adam whose momentum looks one step ahead, as Nesterov's
    does.

    With the schedule mu_t and the products ``P_t = mu_1 ... mu_t``: ``m_hat = mu_{t+1}
    m / (1 - P_{t+1}) + (1 - mu_t) g / (1 - P_t)``, ``v_hat = v / (1 - b2^t)``, ``p -=
    lr * m_hat / (sqrt(v_hat) + eps)``: the corrected momentum of the *next* step plus
    the current gradient's share, instead of Adam's current momentum.
    """

    non_negative_slots = ("second_moment",)

    @classmethod
    def slots_for(cls, hyperparameters):
        return ("first_moment", "second_moment")

    # One line per formula, as in the paper; the loop around it has the same shape in
    # each optimizer of this module, deliberately: it is what the reader compares.
    def _apply(self, params, grads):
        h = self.hyperparameters
        t = self.iterations + 1
        mu_t, mu_next = nadam_momentum(h.beta_1, t), nadam_momentum(h.beta_1, t + 1)
        # P_t depends on beta_1 and t alone, so a checkpoint need not hold it: extend
        # the cached product by one factor when it was made for the same beta_1 at step
        # t - 1, else recompute it (after a restore, or a change of beta_1).
        cached_key, cached = getattr(self, "_product", (None, None))
        product_t = (
            cached * mu_t
            if cached_key == (h.beta_1, t - 1)
            else nadam_product(h.beta_1, t)
        )
        product_next = product_t * mu_next
        new = {"params": [], "first_moment": [], "second_moment": []}
        slots = zip(self._slots["first_moment"], self._slots["second_moment"])
        for p, g, (m, v) in zip(params, grads, slots):
            m = m * h.beta_1 + (1 - h.beta_1) * g
            v = v * h.beta_2 + (1 - h.beta_2) * g * g
            m_hat = mu_next * m / (1 - product_next) + (1 - mu_t) * g / (1 - product_t)
            v_hat = v / (1 - h.beta_2**t)
            new["params"].append(
                p - divide_no_nan(h.learning_rate * m_hat, np.sqrt(v_hat) + h.epsilon)
            )
            new["first_moment"].append(m)
            new["second_moment"].append(v)
        self._commit(params, grads, new, ("first_moment", "second_moment"))
        self._product = ((h.beta_1, t), product_t)

    def _forget_caches(self):
        self.__dict__.pop("_product", None)
