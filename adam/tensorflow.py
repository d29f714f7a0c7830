"""Adam in plain TensorFlow: a variable per moment, one `tf.function` per step, and a
training loop with `tf.GradientTape`. Nothing is hidden behind Keras; every operation is
here.

Safe in low precision: the step's scalars (bias corrections, the folded learning rate
and epsilon) are computed in float64 and only then cast to each variable's dtype, so
float16 and bfloat16 variables train (in bfloat16, beta_2 = 0.999 itself rounds to 1).
Each gradient is checked after its cast to the variable's dtype, and a step whose
gradient is not finite there, or whose square overflows it (|g| > 256 in float16), is
refused: nothing is written and the step is not counted. A coordinate whose gradient has
always been 0 never moves, whatever epsilon rounds to. As in Keras, a variable whose
gradient is None is skipped (with a warning).

A bfloat16 variable's moments are float32: in bfloat16, ``0.999 * v`` rounds back to
``v``, so v would only grow. The variable itself stays bfloat16, so a step smaller than
half its spacing (2**-8 of its size) is rounded away: train with small steps in float32.

Gradients are not reduced across replicas: inside a `tf.distribute` replica context with
more than one replica, `apply_gradients` raises (use `adam.keras.Adam` there).
"""

from __future__ import annotations

import warnings

import tensorflow as tf

from adam.hyperparameters import Hyperparameters
from adam.iterations import check_iterations

_FIELDS = set(Hyperparameters.__dataclass_fields__)


class Adam:
    """Adam for a fixed list of floating-point `tf.Variable`s, each listed once.

    >>> w = tf.Variable([1.0, -2.0])
    >>> opt = Adam([w], learning_rate=0.1)
    >>> opt.apply_gradients([tf.constant([0.5, -0.5])])
    >>> w.numpy().round(5)      # the first step moves each coordinate by learning_rate
    array([ 0.9, -1.9], dtype=float32)

    The hyperparameters are fixed when the optimizer is made (the step is compiled with
    them); assigning one raises. `iterations` (the steps taken) may be assigned a
    non-negative integer, to resume. Keras's form, ``apply_gradients(zip(grads,
    variables))``, works too.
    """

    def __init__(
        self,
        variables,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        amsgrad=False,
        weight_decay=0.0,
        bias_correction=True,
        epsilon_hat=False,
    ):
        # Every keyword by name, as Keras's adamw.py passes them on: each argument can
        # be followed from the signature to the one check. Alike in every optimizer of
        # the package, and deliberately so (`duplicates` lists these lists as pairs).
        hyperparameters = Hyperparameters(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            bias_correction=bias_correction,
            epsilon_hat=epsilon_hat,
        )
        # Kept as plain attributes (opt.beta_2), which __setattr__ refuses to change.
        object.__setattr__(self, "_hyperparameters", hyperparameters)
        for name, value in hyperparameters.as_dict().items():
            object.__setattr__(self, name, value)
        self.variables = list(variables)
        if not self.variables or not all(
            isinstance(v, tf.Variable) for v in self.variables
        ):
            raise TypeError("variables must be a non-empty list of tf.Variable")
        seen = {}
        for i, v in enumerate(self.variables):
            if not v.dtype.is_floating:
                raise TypeError(
                    f"variables[{i}] ({v.name}) has dtype {v.dtype.name}; Adam "
                    "updates floating-point variables only"
                )
            if v.ref() in seen:
                raise ValueError(
                    f"variables[{seen[v.ref()]}] and variables[{i}] are the same "
                    f"variable ({v.name}); it would be updated twice per step"
                )
            seen[v.ref()] = i
        self._iterations = tf.Variable(
            0, dtype=tf.int64, trainable=False, name="iterations"
        )

        def zeros(name):
            # A bfloat16 variable's moments are float32 (see the module's docstring).
            return [
                tf.Variable(
                    tf.zeros(
                        v.shape, tf.float32 if v.dtype == tf.bfloat16 else v.dtype
                    ),
                    trainable=False,
                    name=f"{name}_{i}",
                )
                for i, v in enumerate(self.variables)
            ]

        self.first_moments = zeros("first_moment")
        self.second_moments = zeros("second_moment")
        self.max_second_moments = (
            zeros("max_second_moment") if self.hyperparameters.amsgrad else None
        )

    @property
    def hyperparameters(self) -> Hyperparameters:
        return self._hyperparameters

    @property
    def iterations(self) -> tf.Variable:
        """The number of steps taken, t - 1 in the bias corrections."""
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        # At most what the int64 variable holds: TensorFlow's own error otherwise.
        self._iterations.assign(
            check_iterations(value, high=int(self._iterations.dtype.max))
        )

    def __setattr__(self, name, value):
        if name in _FIELDS or name == "hyperparameters":
            raise AttributeError(
                f"{name} is fixed when adam.tensorflow.Adam is made (its step is "
                "compiled with it); make a new optimizer to change it"
            )
        object.__setattr__(self, name, value)

    def apply_gradients(self, grads):
        """One Adam step. Shapes are checked here; a gradient that is not finite in its
        variable's dtype, or whose square overflows it, stops the step inside the graph,
        before any variable is written. A None gradient leaves its variable (and
        moments) as they are, as in Keras. `grads` may also be Keras's (gradient,
        variable) pairs, for any of this optimizer's variables in any order."""
        replica = tf.distribute.get_replica_context()
        if replica is not None and replica.num_replicas_in_sync > 1:
            raise RuntimeError(
                "adam.tensorflow.Adam does not reduce gradients across replicas: "
                f"called in a replica context of {replica.num_replicas_in_sync} "
                "replicas (strategy.run), each replica would step its own copy with "
                "its own gradient. Use adam.keras.Adam, which Keras's strategies "
                "all-reduce, or reduce the gradients yourself and call apply_gradients "
                "outside strategy.run"
            )
        grads = self._from_pairs(list(grads))
        if len(grads) != len(self.variables):
            raise ValueError(
                f"got {len(grads)} gradients for {len(self.variables)} variables"
            )
        present = tuple(i for i, g in enumerate(grads) if g is not None)
        missing = [self.variables[i].name for i, g in enumerate(grads) if g is None]
        if not present:
            raise ValueError(
                f"no gradient for any variable ({', '.join(missing)}): does the "
                "loss depend on them?"
            )
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing}; they are left "
                "unchanged (as Keras does)",
                stacklevel=2,
            )
        grads = [tf.convert_to_tensor(grads[i]) for i in present]
        for k, (i, g) in enumerate(zip(present, grads)):
            v = self.variables[i]
            if not (g.dtype.is_floating or g.dtype.is_integer):
                # A cast would keep the real part of a complex gradient.
                raise TypeError(
                    f"gradient {i} ({v.name}) has dtype {g.dtype.name}; "
                    "gradients must be real numbers"
                )
            # A shape known only in part (tf.function with a [None] input) is checked
            # when the step runs, before anything is written.
            if not g.shape.is_compatible_with(v.shape):
                raise ValueError(
                    f"gradient {i} has shape {g.shape}, its variable {v.shape}"
                )
            if not g.shape.is_fully_defined():
                grads[k] = tf.ensure_shape(g, v.shape)
        self._apply(present, grads)

    def _from_pairs(self, grads):
        """One gradient per variable, in order, from Keras's (gradient, variable) pairs;
        anything else is returned as it is."""
        if not grads or not all(
            isinstance(x, (tuple, list))
            and len(x) == 2
            and isinstance(x[1], tf.Variable)
            for x in grads
        ):
            return grads
        position = {v.ref(): i for i, v in enumerate(self.variables)}
        ordered = [None] * len(self.variables)
        for k, (g, v) in enumerate(grads):
            i = position.get(v.ref())
            if i is None:
                raise ValueError(
                    f"pair {k}: {v.name} is not one of this optimizer's "
                    "variables (it updates the list it was made with)"
                )
            if ordered[i] is not None:
                raise ValueError(f"pair {k}: {v.name} has a gradient twice")
            ordered[i] = g
        return ordered

    @tf.function
    def _apply(self, present, grads):
        h = self.hyperparameters
        alpha_t, eps = self._folded_scalars()  # float64, cast per variable below
        checks = [
            tf.debugging.Assert(
                self.iterations >= 0,
                [
                    "Adam: iterations (the steps taken) is negative:",
                    self.iterations,
                    "; nothing was changed",
                ],
            )
        ]
        steps = []
        for i, g in zip(present, grads):
            p, m, v = self.variables[i], self.first_moments[i], self.second_moments[i]
            g = tf.cast(g, p.dtype)  # checked as the update will use it
            finite = tf.reduce_all(tf.math.is_finite(g))
            g = tf.cast(g, m.dtype)  # float32 for bfloat16
            m_new = h.beta_1 * m + (1 - h.beta_1) * g
            v_new = h.beta_2 * v + (1 - h.beta_2) * tf.square(g)
            where = f"variable {i} ({p.name}, {p.dtype.name})"
            checks.append(
                tf.debugging.Assert(
                    finite,
                    [
                        f"Adam: the gradient of {where} contains NaN or infinity; "
                        "nothing was changed"
                    ],
                )
            )
            square_fits = tf.reduce_all(tf.math.is_finite(v_new))
            checks.append(
                tf.debugging.Assert(
                    tf.logical_or(tf.logical_not(finite), square_fits),
                    [
                        f"Adam: the square of the gradient of {where} overflows its "
                        "dtype, so its second moment would be infinite; nothing was "
                        "changed"
                    ],
                )
            )
            steps.append((p, m, v, i, m_new, v_new))
        # Every write waits for the checks: a bad gradient changes no variable.
        with tf.control_dependencies(checks):
            for p, m, v, i, m_new, v_new in steps:
                if h.weight_decay:  # decoupled weight decay (AdamW)
                    p.assign(p * (1 - h.learning_rate * h.weight_decay))
                m.assign(m_new)
                v.assign(v_new)
                if self.max_second_moments is not None:  # AMSGrad: never let v shrink
                    v_new = self.max_second_moments[i].assign(
                        tf.maximum(self.max_second_moments[i], v_new)
                    )
                # sqrt(v) + eps is 0 where no gradient came yet and eps is 0 in this
                # dtype
                # (1e-8 is 0 in float16): no step there, not 0/0 = NaN.
                p.assign_sub(
                    tf.cast(
                        tf.math.divide_no_nan(
                            tf.cast(alpha_t, m.dtype) * m_new,
                            tf.sqrt(v_new) + tf.cast(eps, m.dtype),
                        ),
                        p.dtype,
                    )
                )
            self.iterations.assign_add(1)

    def _folded_scalars(self):
        """lr * m_hat / (sqrt(v_hat) + eps) = alpha_t * m / (sqrt(v) + eps * sqrt(1 -
        b2^t)), with alpha_t = lr * sqrt(1 - b2^t) / (1 - b1^t). In float64: in
        bfloat16, 0.999**t would round to 1 and both corrections to 0."""
        h = self.hyperparameters
        if not h.bias_correction:
            return tf.constant(h.learning_rate, tf.float64), tf.constant(
                h.epsilon, tf.float64
            )
        t = tf.cast(self.iterations + 1, tf.float64)
        correction_2 = tf.sqrt(1 - tf.pow(tf.constant(h.beta_2, tf.float64), t))
        alpha_t = (
            h.learning_rate
            * correction_2
            / (1 - tf.pow(tf.constant(h.beta_1, tf.float64), t))
        )
        return alpha_t, (
            tf.constant(h.epsilon, tf.float64)
            if h.epsilon_hat
            else h.epsilon * correction_2
        )


def train(loss_fn, variables, batches, optimizer: Adam) -> list[float]:
    """The custom training loop: for each batch, the loss, its gradients, one Adam step.

    `loss_fn(*batch)` computes the loss from the variables; returns the loss of every
    step.
    """

    @tf.function
    def loss_and_gradients(*batch):
        with tf.GradientTape() as tape:
            loss = loss_fn(*batch)
        return loss, tape.gradient(loss, variables)

    losses = []
    for batch in batches:
        loss, grads = loss_and_gradients(*batch)
        optimizer.apply_gradients(grads)
        losses.append(float(loss))
    return losses
