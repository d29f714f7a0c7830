"""Adam as a Keras 3 optimizer in a few lines: the teaching version.

`Adam.update_step` is Algorithm 1 of Kingma & Ba (2015), one line per formula, as
`adam.numpy.minimal.adam_step` writes it in NumPy; chapter 5 shows it. No checks, no
switches, no saved hyperparameters: `adam.keras.Adam` is the checked one, and a drop-in
replacement for `keras.optimizers.Adam`. The tests check that the two compute the same
numbers, to rounding.
"""

import keras
from keras import ops


class Adam(keras.optimizers.Optimizer):
    """Adam for Keras models, the teaching version:
    ``model.compile(optimizer=Adam())``."""

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        """A first moment m and a second moment v per variable, zero at the start."""
        super().build(variables)
        self.m = [self.add_variable_from_reference(w, "m") for w in variables]
        self.v = [self.add_variable_from_reference(w, "v") for w in variables]

    def update_step(self, g, theta, alpha):
        """Step t of Algorithm 1 for the variable theta, whose gradient is g."""
        i = self._get_variable_index(theta)
        m, v = self.m[i], self.v[i]
        t = ops.cast(self.iterations + 1, theta.dtype)  # steps taken so far, plus 1
        alpha = ops.cast(alpha, theta.dtype)
        self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)
        self.assign(v, self.beta_2 * v + (1 - self.beta_2) * g**2)
        m_hat = m / (1 - self.beta_1**t)
        v_hat = v / (1 - self.beta_2**t)
        self.assign_sub(theta, alpha * m_hat / (ops.sqrt(v_hat) + self.epsilon))
