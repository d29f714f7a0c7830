"""Adam in plain TensorFlow: a variable per moment, one `tf.function` per step, and a training
loop with `tf.GradientTape`. Nothing is hidden behind Keras; every operation is here."""
from __future__ import annotations

import tensorflow as tf

from adam.hyperparameters import Hyperparameters


class Adam:
    """Adam for a fixed list of `tf.Variable`s.

    >>> w = tf.Variable([1.0, -2.0])
    >>> opt = Adam([w], learning_rate=0.1)
    >>> opt.apply_gradients([tf.constant([0.5, -0.5])])
    >>> w.numpy().round(5)      # the first step moves each coordinate by learning_rate
    array([ 0.9, -1.9], dtype=float32)
    """

    def __init__(self, variables, **hyperparameters):
        self.hyperparameters = Hyperparameters(**hyperparameters)
        self.variables = list(variables)
        if not self.variables or not all(isinstance(v, tf.Variable) for v in self.variables):
            raise TypeError("variables must be a non-empty list of tf.Variable")
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations")
        zeros = lambda name: [tf.Variable(tf.zeros_like(v), trainable=False,  # noqa: E731
                                          name=f"{name}_{i}") for i, v in enumerate(self.variables)]
        self.first_moments = zeros("first_moment")
        self.second_moments = zeros("second_moment")
        self.max_second_moments = zeros("max_second_moment") if self.hyperparameters.amsgrad else None

    def apply_gradients(self, grads):
        """One Adam step. Shapes are checked here; a NaN or infinite gradient stops the step
        inside the graph, before any variable is written."""
        grads = [tf.convert_to_tensor(g) for g in grads]
        if len(grads) != len(self.variables):
            raise ValueError(f"got {len(grads)} gradients for {len(self.variables)} variables")
        for i, (g, v) in enumerate(zip(grads, self.variables)):
            if g.shape != v.shape:
                raise ValueError(f"gradient {i} has shape {g.shape}, its variable {v.shape}")
        self._apply(grads)

    @tf.function
    def _apply(self, grads):
        h = self.hyperparameters
        all_finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads])
        check = tf.debugging.Assert(all_finite, ["Adam: a gradient contains NaN or infinity; "
                                                 "no variable was changed"])
        maxima = self.max_second_moments or [None] * len(grads)
        # Every write waits for the check: a bad gradient leaves all variables as they were.
        with tf.control_dependencies([check]):
            for p, g, m, v, v_max in zip(self.variables, grads, self.first_moments,
                                         self.second_moments, maxima):
                g = tf.cast(g, p.dtype)
                if h.weight_decay:                      # decoupled weight decay (AdamW)
                    p.assign(p * (1 - h.learning_rate * h.weight_decay))
                m.assign(h.beta_1 * m + (1 - h.beta_1) * g)
                v.assign(h.beta_2 * v + (1 - h.beta_2) * tf.square(g))
                if v_max is not None:                   # AMSGrad: never let v shrink
                    v = v_max.assign(tf.maximum(v_max, v))
                alpha_t, eps = self._folded_scalars(p.dtype)
                # With epsilon = 0, sqrt(v) = 0 where no gradient came yet: step 0, not NaN.
                divide = tf.math.divide_no_nan if h.epsilon == 0 else tf.divide
                p.assign_sub(divide(alpha_t * m, tf.sqrt(v) + eps))
            self.iterations.assign_add(1)

    def _folded_scalars(self, dtype):
        """lr * m_hat / (sqrt(v_hat) + eps) = alpha_t * m / (sqrt(v) + eps * sqrt(1 - b2^t)),
        with alpha_t = lr * sqrt(1 - b2^t) / (1 - b1^t)."""
        h = self.hyperparameters
        if not h.bias_correction:
            return h.learning_rate, h.epsilon
        t = tf.cast(self.iterations + 1, dtype)
        correction_2 = tf.sqrt(1 - tf.pow(tf.constant(h.beta_2, dtype), t))
        alpha_t = h.learning_rate * correction_2 / (1 - tf.pow(tf.constant(h.beta_1, dtype), t))
        return alpha_t, (h.epsilon if h.epsilon_hat else h.epsilon * correction_2)

def train(loss_fn, variables, batches, optimizer: Adam) -> list[float]:
    """The custom training loop: for each batch, the loss, its gradients, one Adam step.

    `loss_fn(*batch)` computes the loss from the variables; returns the loss of every step.
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
