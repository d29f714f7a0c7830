r"""Adam's successors against Adam and AdamW: the problems, the optimizers and one
training run.

Lion, Adafactor, Muon and Schedule-Free AdamW as Keras ships them
(``keras.optimizers``), each with Keras's defaults except the learning rate, against
Adam and AdamW, on two problems:

* ``"mnist"``: the book's MNIST model (Flatten, Dense(128, relu), Dropout(0.2),
  Dense(10)) on the first 20,000 training images; the next 4,000 pick the learning rate
  (validation) and the 10,000 test images give the result.
* ``"sort"``: a tiny Transformer (one block, single-head attention, width 32) that sorts
  sequences of 8 digits; fresh synthetic sequences for validation and test.

A run is a fixed number of steps of one optimizer at one learning rate from one seed,
compiled once per problem and optimizer (the learning rate is an optimizer variable, so
a grid of rates and seeds reuses the compiled loop). It needs the JAX backend
(``KERAS_BACKEND=jax``, set before Keras is imported). Schedule-Free AdamW trains at the
interpolated point $y$ and is evaluated, as its authors do, at the averaged point $x$.

Keras 3.15's Adafactor can return NaN on the MNIST model: it forms the factored second
moment $r c^T / \mathrm{mean}(r)$ before taking its square root, and where a gradient
row (a pixel that is 0 in the whole batch) meets a gradient column (a ReLU unit silent
for the whole batch) both factors are only $\epsilon_1 = 10^{-30}$ and their product
underflows to 0. Such runs are recorded with `None` for their losses.

`benchmarks/successors.py` runs the grid; the chapter reads its results file and repeats
a run.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

#: The successors and the two baselines, in the order the book shows them.
NAMES = ("Adam", "AdamW", "Lion", "Adafactor", "Muon", "Schedule-Free AdamW")

#: The centre of each learning-rate grid: Keras's default, except Lion (its authors:
#: 3-10x smaller than AdamW's) and Adafactor (its paper's relative step size, 1e-2).
CENTRES = {
    "Adam": 1e-3,
    "AdamW": 1e-3,
    "Lion": 1e-4,
    "Adafactor": 1e-2,
    "Muon": 1e-3,
    "Schedule-Free AdamW": 2.5e-3,
}

#: The output layer's name: Muon's authors leave it (and embeddings) to AdamW.
OUTPUT = "logits"

PROBLEMS = ("mnist", "sort")
SORT_LENGTH, SORT_VOCAB = 8, 10
MNIST_BATCH, SORT_BATCH = 128, 64


def grid(name: str, points: int = 6) -> list[float]:
    """`points` learning rates half a decade apart: two below the optimizer's centre,
    the centre, and the rest above it (a short run favours the larger rates)."""
    return [
        float(f"{CENTRES[name] * 10 ** (k / 2):.3g}") for k in range(-2, points - 2)
    ]


def make_optimizer(name: str, learning_rate: float):
    """The Keras optimizer `name` with Keras's defaults and this learning rate."""
    import keras

    makers = {
        "Adam": keras.optimizers.Adam,
        "AdamW": keras.optimizers.AdamW,
        "Lion": keras.optimizers.Lion,
        "Adafactor": keras.optimizers.Adafactor,
        "Schedule-Free AdamW": keras.optimizers.ScheduleFreeAdamW,
        "Muon": lambda learning_rate: keras.optimizers.Muon(
            learning_rate=learning_rate, exclude_layers=[OUTPUT]
        ),
    }
    return makers[name](learning_rate=learning_rate)


# ----------------------------------------------------------------------------- problems
@dataclasses.dataclass
class Problem:
    """Arrays for training, validation and test, the model builder and the batch
    size."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    build: object  # seed -> keras.Model
    batch_size: int
    describe: str


def mnist_problem(n_train: int = 20_000, n_val: int = 4_000) -> Problem:
    from adam.experiments.mnist import load_mnist

    (x, y), (x_test, y_test) = load_mnist(verbose=False)
    x = x.astype(np.float32) / 255.0
    x_test = x_test.astype(np.float32) / 255.0
    y, y_test = y.astype(np.int32), y_test.astype(np.int32)
    tr, va = slice(0, n_train), slice(n_train, n_train + n_val)
    return Problem(
        "mnist",
        x[tr],
        y[tr],
        x[va],
        y[va],
        x_test,
        y_test,
        _mlp,
        MNIST_BATCH,
        f"MNIST MLP: {n_train:,} training, {n_val:,} validation, "
        f"{len(x_test):,} test images",
    )


def sort_data(n: int, seed: int):
    """`n` sequences of SORT_LENGTH digits and the same digits sorted."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, SORT_VOCAB, size=(n, SORT_LENGTH)).astype(np.int32)
    return x, np.sort(x, axis=1).astype(np.int32)


def sort_problem(
    n_train: int = 20_000, n_val: int = 2_000, n_test: int = 5_000
) -> Problem:
    x, y = sort_data(n_train, 1)
    xv, yv = sort_data(n_val, 2)
    xt, yt = sort_data(n_test, 3)
    return Problem(
        "sort",
        x,
        y,
        xv,
        yv,
        xt,
        yt,
        _transformer,
        SORT_BATCH,
        f"tiny Transformer sorting {SORT_LENGTH} digits: {n_train:,} training, "
        f"{n_val:,} validation, {n_test:,} test sequences",
    )


def problem(name: str) -> Problem:
    return {"mnist": mnist_problem, "sort": sort_problem}[name]()


def _mlp(seed: int):
    """The book's MNIST model (`adam.experiments.quickstart`), its output named."""
    from adam.experiments.quickstart import build_model

    return build_model(seed, name="mnist_mlp", output_name=OUTPUT)


def _transformer(seed: int, width: int = 32):
    """One pre-norm Transformer block with single-head attention made of Dense layers
    (two-dimensional kernels, which Muon orthogonalizes)."""
    import keras
    from keras import layers, ops

    keras.utils.set_random_seed(seed)

    class Attention(layers.Layer):
        def __init__(self, width, **kwargs):
            super().__init__(**kwargs)
            self.q, self.k, self.v, self.o = (
                layers.Dense(width, name=n) for n in ("query", "key", "value", "out")
            )
            self.width = width

        def call(self, h):
            scores = ops.einsum("bid,bjd->bij", self.q(h), self.k(h)) / math.sqrt(
                self.width
            )
            return self.o(
                ops.einsum("bij,bjd->bid", ops.softmax(scores, axis=-1), self.v(h))
            )

    tokens = keras.Input(shape=(SORT_LENGTH,), dtype="int32")
    h = layers.Embedding(SORT_VOCAB, width, name="embedding")(tokens)
    positions = layers.Embedding(SORT_LENGTH, width, name="position_embedding")(
        ops.arange(SORT_LENGTH)[None, :]
    )
    h = h + positions
    h = h + Attention(width, name="attention")(layers.LayerNormalization()(h))
    f = layers.Dense(4 * width, activation="gelu", name="mlp_in")(
        layers.LayerNormalization()(h)
    )
    h = h + layers.Dense(width, name="mlp_out")(f)
    logits = layers.Dense(SORT_VOCAB, name=OUTPUT)(layers.LayerNormalization()(h))
    return keras.Model(tokens, logits, name="sorter")


# ----------------------------------------------------------------------------- training
class Trainer:
    """One problem and one optimizer, compiled once; `run(learning_rate, seed,
    steps)`."""

    def __init__(self, problem: Problem, name: str):
        import jax
        import keras

        if keras.backend.backend() != "jax":
            raise RuntimeError(
                "the successors experiment needs KERAS_BACKEND=jax "
                f"(set before importing keras), not {keras.backend.backend()}"
            )
        self.problem, self.name = problem, name
        self.model = problem.build(0)
        self.optimizer = make_optimizer(name, CENTRES[name])
        self.optimizer.build(self.model.trainable_variables)
        self._opt0 = [v.value for v in self.optimizer.variables]
        paths = [v.path for v in self.optimizer.variables]
        self._lr_index = next(
            i for i, p in enumerate(paths) if p.endswith("learning_rate")
        )
        self._z_index = None
        if name == "Schedule-Free AdamW":  # z: the sequence the gradient steps move
            ids = {id(v): i for i, v in enumerate(self.optimizer.variables)}
            self._z_index = [ids[id(m)] for m in self.optimizer._momentums]
        self.data = {
            k: jax.numpy.asarray(getattr(problem, k))
            for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
        }
        self._train = jax.jit(self._scan)
        self._evaluate = jax.jit(self._metrics)

    def _loss(self, logits, y):
        from keras import ops

        return ops.mean(
            ops.sparse_categorical_crossentropy(y, logits, from_logits=True)
        )

    def _scan(self, state, x, y, indices):
        import jax

        model, optimizer = self.model, self.optimizer

        def objective(trainable, non_trainable, xb, yb):
            logits, non_trainable = model.stateless_call(
                trainable, non_trainable, xb, training=True
            )
            return self._loss(logits, yb), non_trainable

        gradient = jax.value_and_grad(objective, has_aux=True)

        def step(state, batch):
            trainable, non_trainable, opt = state
            (loss, non_trainable), grads = gradient(
                trainable, non_trainable, x[batch], y[batch]
            )
            trainable, opt = optimizer.stateless_apply(opt, grads, trainable)
            return (trainable, non_trainable, opt), loss

        return jax.lax.scan(step, state, indices)

    def _metrics(self, trainable, non_trainable, x, y):
        from keras import ops

        logits, _ = self.model.stateless_call(
            trainable, non_trainable, x, training=False
        )
        accuracy = ops.mean(ops.cast(ops.argmax(logits, axis=-1) == y, "float32"))
        return self._loss(logits, y), accuracy

    def evaluation_weights(self, trainable, opt):
        """The weights a run is judged by: Schedule-Free AdamW's x = (y - (1-b1) z) /
        b1."""
        if self._z_index is None:
            return trainable
        b1 = self.optimizer.beta_1
        return [(y - (1 - b1) * opt[i]) / b1 for y, i in zip(trainable, self._z_index)]

    def run(self, learning_rate: float, seed: int, steps: int, record_every: int = 25):
        """Train from `seed` for `steps` steps; the losses and accuracies it reaches."""
        import jax.numpy as jnp

        model = self.problem.build(seed)
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        opt = list(self._opt0)  # the freshly built state
        opt[self._lr_index] = jnp.asarray(learning_rate, opt[self._lr_index].dtype)
        if self._z_index is not None:  # z starts at the initial weights
            for w, i in zip(trainable, self._z_index):
                opt[i] = w
        rng = np.random.default_rng(10_000 + seed)
        n = len(self.problem.x_train)
        indices = jnp.asarray(
            np.stack(
                [
                    rng.choice(n, self.problem.batch_size, replace=False)
                    for _ in range(steps)
                ]
            ).astype(np.int32)
        )
        d = self.data
        (trainable, non_trainable, opt), losses = self._train(
            (trainable, non_trainable, opt), d["x_train"], d["y_train"], indices
        )
        weights = self.evaluation_weights(trainable, opt)
        val_loss, val_acc = self._evaluate(
            weights, non_trainable, d["x_val"], d["y_val"]
        )
        test_loss, test_acc = self._evaluate(
            weights, non_trainable, d["x_test"], d["y_test"]
        )
        losses = np.asarray(losses, dtype=np.float64)
        curve = (
            losses[: steps - steps % record_every]
            .reshape(-1, record_every)
            .mean(axis=1)
        )
        return {
            "learning_rate": learning_rate,
            "seed": seed,
            "steps": steps,
            "train_loss_curve": [_finite(c) for c in curve],
            "final_train_loss": _finite(losses[-record_every:].mean()),
            "val_loss": _finite(val_loss),
            "val_accuracy": _finite(val_acc),
            "test_loss": _finite(test_loss),
            "test_accuracy": _finite(test_acc),
        }


def _finite(value):
    value = float(value)
    return round(value, 6) if math.isfinite(value) else None


# -----------------------------------------------------------------------------
# summaries
def best_rates(rows: list[dict]) -> dict:
    """For each (problem, optimizer), the learning rate with the lowest mean validation
    loss over seeds (a diverged run counts as infinitely bad)."""
    best = {}
    keys = sorted({(r["problem"], r["optimizer"]) for r in rows})
    for key in keys:
        mine = [r for r in rows if (r["problem"], r["optimizer"]) == key]
        by_rate = {}
        for r in mine:
            by_rate.setdefault(r["learning_rate"], []).append(
                math.inf if r["val_loss"] is None else r["val_loss"]
            )
        best[key] = min(by_rate, key=lambda lr: (np.mean(by_rate[lr]), lr))
    return best


def summarize(rows: list[dict]) -> list[dict]:
    """One row per problem and optimizer at its best learning rate: test loss and
    accuracy, their mean, min and max over seeds, and whether the best rate is at the
    grid's edge."""
    out = []
    for (prob, name), lr in best_rates(rows).items():
        mine = [r for r in rows if r["problem"] == prob and r["optimizer"] == name]
        rates = sorted({r["learning_rate"] for r in mine})
        at = [r for r in mine if r["learning_rate"] == lr]
        loss = [r["test_loss"] if r["test_loss"] is not None else math.inf for r in at]
        acc = [r["test_accuracy"] or 0.0 for r in at]
        out.append(
            {
                "problem": prob,
                "optimizer": name,
                "best_learning_rate": lr,
                "at_grid_edge": lr in (rates[0], rates[-1]),
                "seeds": len(at),
                "test_loss_mean": float(np.mean(loss)),
                "test_loss_min": min(loss),
                "test_loss_max": max(loss),
                "test_accuracy_mean": float(np.mean(acc)),
                "test_accuracy_min": min(acc),
                "test_accuracy_max": max(acc),
                "diverged_runs": sum(r["val_loss"] is None for r in mine),
            }
        )
    return out
