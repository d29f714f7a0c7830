"""`Adam` as a Keras 3 optimizer, written with `keras.ops` so that it runs on every
backend.

It has the hyperparameters and the semantics of `adam.numpy.Adam`. With
``epsilon_hat=True`` and ``epsilon=1e-7`` it computes what `keras.optimizers.Adam`
computes, with the same slot variables, so it is a drop-in replacement (the README lists
the deliberate differences); the defaults are Algorithm 1 of Kingma & Ba (2015) instead.

Hyperparameters are checked on assignment too (``opt.beta_1 = 1.0`` raises), and all but
`learning_rate` are fixed once the optimizer is built: a compiled training step
(`model.fit`, `tf.function`, `jax.jit`) keeps the value it was traced with. A bfloat16
weight's moments are kept in float32: in bfloat16, ``0.999 * v`` rounds back to ``v``.
"""

from __future__ import annotations

import math
import numbers

import keras
import ml_dtypes
import numpy as np
from keras import ops

from adam.hyperparameters import check_hyperparameters, check_real
from adam.iterations import check_iterations

#: Hyperparameters kept as plain attributes, checked on assignment, fixed once built.
_FIXED_ONCE_BUILT = (
    "beta_1",
    "beta_2",
    "epsilon",
    "amsgrad",
    "weight_decay",
    "bias_correction",
    "epsilon_hat",
)
#: The slots that `update_step` keeps in float32 for a bfloat16 weight.
_MOMENTS = ("momentum", "velocity", "velocity_hat")


class _InFloat32:
    """A bfloat16 weight as `add_variable_from_reference` sees it: dtype float32."""

    dtype = "float32"

    def __init__(self, variable):
        self._variable = variable

    def __getattr__(self, name):
        return getattr(self._variable, name)


def _fixed_rate(value):
    """The number a learning rate holds if it is fixed and can be read now: a number, a
    0-d array, a concrete (eager) tensor. None for a schedule, a callable, a variable
    or a tensor being traced, which are passed on as they are. A tensor or array that
    is not 0-d, or not a real number, is refused: it cannot be a learning rate."""
    if isinstance(value, numbers.Number) or isinstance(value, (str, bytes)):
        return value  # checked (and refused if not real) by the caller
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(
        value, (keras.Variable, keras.optimizers.schedules.LearningRateSchedule)
    ) or not ops.is_tensor(value):
        return None
    else:
        try:
            array = np.asarray(ops.convert_to_numpy(value))
        except Exception:  # symbolic (tf.function) or traced (jax.jit)
            return None
    if array.shape != ():
        raise ValueError(
            f"learning_rate must be a number (0-d), got an array of shape {array.shape}"
        )
    if array.dtype == bool or array.dtype.kind not in "fiu":
        raise TypeError(
            f"learning_rate must be a real number, got an array of dtype {array.dtype}"
        )
    return float(array)


def _first_scheduled_rate(value):
    """A `LearningRateSchedule`'s rate at step 0, if it can be read now; else None (a
    callable, a variable, a tensor being traced: Keras reads them as it steps). A
    schedule may start at 0 (warm-up): that is its first rate, not a refused one, so it
    is checked as an assigned rate is, and the constructor's rule (above 0) is not
    applied."""
    if not isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return None
    try:
        first = float(np.asarray(ops.convert_to_numpy(value(0))))
    except Exception:  # a schedule that cannot run eagerly
        return None
    check_real("learning_rate at step 0 of the schedule", first, low=0.0)
    return None if first == 0 else first


@keras.saving.register_keras_serializable(package="adam")
class Adam(keras.optimizers.Optimizer):
    """Adam (Kingma & Ba, 2015) for Keras models: ``model.compile(optimizer=Adam())``.

    Arguments are those of `adam.hyperparameters.Hyperparameters`; `learning_rate` may
    also be a `keras.optimizers.schedules.LearningRateSchedule`. Keras's own options
    (`clipnorm`, `global_clipnorm`, `use_ema`, ...) pass through `**kwargs`. Without a
    `name`, Keras names it as its own: "adam", "adam_1", ...
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        amsgrad=False,
        weight_decay=0.0,
        bias_correction=True,
        epsilon_hat=False,
        name=None,
        **kwargs,
    ):
        if weight_decay is None:  # Keras's "no decay"
            weight_decay = 0.0
        # The same checks as the NumPy optimizer, before Keras creates anything. A
        # number, a 0-d array or a concrete tensor is checked here; a schedule, a
        # callable or a variable is passed on to Keras as it is.
        # A schedule is checked at step 0, the rate of the first step (its later
        # values are Keras's to compute); weight_decay * rate < 1 is checked there too.
        rate = _fixed_rate(learning_rate)
        if rate is None:
            rate = _first_scheduled_rate(learning_rate)
        # Every keyword by name, as Keras's adamw.py passes them on: each argument can
        # be followed from the signature to the one check. Alike in every optimizer of
        # the package, and deliberately so (`duplicates` lists these lists as pairs).
        checked = check_hyperparameters(
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            bias_correction=bias_correction,
            epsilon_hat=epsilon_hat,
            **({} if rate is None else {"learning_rate": rate}),
        )
        # Keras applies decoupled weight decay itself, p <- p - lr * wd * p, before
        # update_step.
        super().__init__(
            learning_rate=learning_rate,
            name=name,
            weight_decay=checked["weight_decay"] or None,
            **kwargs,
        )
        self.beta_1 = checked["beta_1"]
        self.beta_2 = checked["beta_2"]
        self.epsilon = checked["epsilon"]
        self.amsgrad = checked["amsgrad"]
        self.bias_correction = checked["bias_correction"]
        self.epsilon_hat = checked["epsilon_hat"]

    def __setattr__(self, name, value):
        # Once __init__ has set them all, an assigned hyperparameter is checked as in
        # adam.numpy (with the others: epsilon_hat needs bias_correction); once built
        # it may only keep its value. learning_rate stays Keras's variable or schedule;
        # an assigned one may be 0 (no step), so that a LearningRateScheduler whose
        # schedule ends at 0 works; the constructor's must be above 0.
        if name in _FIXED_ONCE_BUILT and self.__dict__.keys() >= set(_FIXED_ONCE_BUILT):
            value = self._checked_assignment(name, value)
        elif name == "learning_rate":
            rate = _fixed_rate(value)
            if rate is not None:
                check_real("learning_rate", rate, low=0.0)
        super().__setattr__(name, value)

    def _checked_assignment(self, name, value):
        current = {key: getattr(self, key) for key in _FIXED_ONCE_BUILT}
        old = current[name]
        current[name] = value
        if current["weight_decay"] is None:  # Keras's "no decay"
            current["weight_decay"] = 0.0
        checked = check_hyperparameters(**current)[name]
        if self.built and checked != (old or 0.0):
            why = (
                "it needs other slots"
                if name == "amsgrad"
                else "a compiled training step (model.fit, tf.function, jax.jit) keeps "
                "the value it was traced with"
            )
            raise ValueError(
                f"{name} cannot change once the optimizer is built (it is "
                f"{old!r}, got {value!r}): {why}; make a new optimizer"
            )
        return (checked or None) if name == "weight_decay" else checked

    def build(self, var_list):
        """One first moment and one second moment per variable (and AMSGrad's maximum).

        Created as `keras.optimizers.Adam` creates them, with Keras's own helper and
        under its names (momentum: the first moment m; velocity: the second moment v),
        interleaved per variable. Keras saves and restores optimizer variables by
        position, so a checkpoint of either optimizer resumes in the other. The moments
        of a bfloat16 weight are float32 (Keras's are bfloat16).
        """
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def add_variable_from_reference(
        self, reference_variable, name=None, initializer="zeros"
    ):
        """Keras's helper; the moments of a bfloat16 weight are made float32."""
        dtype = keras.backend.standardize_dtype(reference_variable.dtype)
        if name in _MOMENTS and dtype == "bfloat16":
            reference_variable = _InFloat32(reference_variable)
        return super().add_variable_from_reference(
            reference_variable, name, initializer
        )

    def update_step(self, gradient, variable, learning_rate):
        """Algorithm 1 for one variable, in its moments' dtype (the weight's, float32
        for bfloat16)."""
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        dtype = keras.backend.standardize_dtype(m.dtype)
        # The step's scalars in float32 (float64 for float64 weights): in bfloat16,
        # beta_2 = 0.999 rounds to 1. Only the step is rounded to the weight's dtype.
        # As in keras.optimizers.Adam (whose bits float64 weights get), beta_1 and
        # beta_2 reach the powers b^t through float32 even for float64 weights:
        # ops.cast(0.999, "float64") converts 0.999 to float32 first, 0.99900001287...;
        # the moments' 1 - beta and epsilon are Python floats, exact in float64.
        scalar = "float64" if dtype == "float64" else "float32"
        g = ops.cast(gradient, dtype)

        # m <- beta_1 m + (1 - beta_1) g, written as an increment,
        # m += (1 - beta_1)(g - m), so that the framework updates the variable in place
        # instead of copying a new one in.
        self.assign_add(m, ops.multiply(ops.subtract(g, m), 1 - self.beta_1))
        self.assign_add(
            v, ops.multiply(ops.subtract(ops.square(g), v), 1 - self.beta_2)
        )
        if self.amsgrad:  # never let the denominator shrink
            v_max = self._velocity_hats[index]
            self.assign(v_max, ops.maximum(v_max, v))
            v = v_max

        # lr * m_hat / (sqrt(v_hat) + eps), with both corrections folded into two
        # scalars: alpha_t = lr * sqrt(1 - b2^t) / (1 - b1^t), and eps scaled by
        # sqrt(1 - b2^t).
        lr = ops.cast(learning_rate, scalar)
        if self.bias_correction:
            t = ops.cast(self.iterations + 1, scalar)
            correction_2 = ops.sqrt(1 - ops.power(ops.cast(self.beta_2, scalar), t))
            correction_1 = 1 - ops.power(ops.cast(self.beta_1, scalar), t)
            alpha_t = lr * correction_2 / correction_1
            if self.epsilon_hat:
                eps = self.epsilon
            else:
                eps = ops.cast(self.epsilon * correction_2, dtype)
        else:
            alpha_t, eps = lr, self.epsilon
        # A weight that never had a gradient has m = v = 0. If eps is 0 in the weight's
        # dtype (epsilon = 0; 1e-8 in float16), that is 0/0: no step, not NaN.
        divide = ops.divide_no_nan if self._eps_can_vanish(dtype) else ops.divide
        step = divide(
            ops.multiply(m, ops.cast(alpha_t, dtype)), ops.add(ops.sqrt(v), eps)
        )
        self.assign_sub(variable, ops.cast(step, variable.dtype))

    def _eps_can_vanish(self, dtype) -> bool:
        """Whether the eps that the step adds can be 0 in `dtype`, or a denormal (which
        some backends flush to 0). It is smallest at t = 1."""
        smallest = self.epsilon
        if self.bias_correction and not self.epsilon_hat:
            smallest *= math.sqrt(1 - self.beta_2)
        return smallest < 4 * float(ml_dtypes.finfo(dtype).tiny)

    def load_own_variables(self, store):
        """Keras's loader (`.keras`, `.weights.h5`), after checking the step count."""
        if "0" in store and len(store.keys()) == len(self.variables):
            check_iterations(
                np.asarray(store["0"]),
                "the saved iterations",
                high=self._most_iterations(),
            )
        super().load_own_variables(store)

    def set_weights(self, weights):
        if self.built and len(weights):
            check_iterations(
                weights[0], "weights[0] (iterations)", high=self._most_iterations()
            )
        super().set_weights(weights)

    def _most_iterations(self) -> int:
        """The largest count the iterations variable holds (int64 on TensorFlow, int32
        on JAX): a larger one would wrap to a negative count and NaN weights."""
        return int(np.iinfo(keras.backend.standardize_dtype(self.iterations.dtype)).max)

    def get_config(self):
        config = super().get_config()
        config.update(
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            amsgrad=self.amsgrad,
            bias_correction=self.bias_correction,
            epsilon_hat=self.epsilon_hat,
        )
        return config
