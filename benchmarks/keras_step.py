"""Per-step cost of `adam.keras.Adam` against `keras.optimizers.Adam` on the MNIST
model.

Two measurements, each in interleaved rounds with paired per-round ratios (ours /
Keras's):

* the optimizer alone: one compiled ``apply_gradients`` on the model's 101,770
  parameters;
* a whole training step: ``train_on_batch`` on a batch of 32 images (forward, backward,
  update).

Run: ``python benchmarks/keras_step.py [--rounds 15] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import machine_info  # noqa: E402  (beside this script)
import numpy as np  # noqa: E402

import adam.keras  # noqa: E402
from adam.experiments.quickstart import build_model, compile_model  # noqa: E402

OPTIMIZERS = {
    "keras.optimizers.Adam": lambda: keras.optimizers.Adam(),
    "adam.keras.Adam (drop-in: epsilon_hat, 1e-7)": lambda: adam.keras.Adam(
        epsilon_hat=True, epsilon=1e-7
    ),
    "adam.keras.Adam (Algorithm 1 defaults)": lambda: adam.keras.Adam(),
}


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per round")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = rng.uniform(size=(32, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, size=32)
    cases = {}
    for name, make in OPTIMIZERS.items():
        model = compile_model(build_model(seed=0), make())
        model.train_on_batch(x, y)  # builds the optimizer, traces the step
        variables = model.trainable_variables
        grads = [keras.ops.ones_like(v) * 1e-3 for v in variables]
        apply = _compiled(_apply_step(model.optimizer, grads, variables))
        apply()
        cases[name] = {
            "optimizer alone": apply,
            "training step": lambda model=model: model.train_on_batch(x, y),
        }

    kinds = ["optimizer alone", "training step"]
    per_round = {(name, kind): [] for name in cases for kind in kinds}
    names = list(cases)
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            for kind in kinds:
                per_round[name, kind].append(timed(cases[name][kind], args.repeat))

    reference = names[0]
    rows = []
    for name in names:
        for kind in kinds:
            ratio = statistics.median(
                a / b for a, b in zip(per_round[name, kind], per_round[reference, kind])
            )
            rows.append(
                {
                    "optimizer": name,
                    "measure": kind,
                    "median_us": 1e6 * statistics.median(per_round[name, kind]),
                    "ratio_to_keras": ratio,
                    "ratio_min": min(
                        a / b
                        for a, b in zip(
                            per_round[name, kind], per_round[reference, kind]
                        )
                    ),
                    "ratio_max": max(
                        a / b
                        for a, b in zip(
                            per_round[name, kind], per_round[reference, kind]
                        )
                    ),
                }
            )
    print(
        f"backend {keras.backend.backend()}; {args.rounds} rounds of {args.repeat} "
        "calls"
    )
    print(f"{'optimizer':<48} {'measure':<16} {'median us':>10} {'/ Keras':>8}")
    for row in rows:
        print(
            f"{row['optimizer']:<48} {row['measure']:<16} {row['median_us']:>10.1f} "
            f"{row['ratio_to_keras']:>8.3f}"
        )
    if args.json:
        result = {
            "what": "per-step cost on the MNIST quickstart model (101,770 "
            "parameters), batch 32",
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": " ".join(
                [Path(sys.argv[0]).as_posix()] + (argv or sys.argv[1:])
            ),
            "machine": machine_info.describe(
                keras=keras.__version__, backend=keras.backend.backend()
            ),
            "rounds": args.rounds,
            "repeat": args.repeat,
            "rows": rows,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")
    return rows


def _apply_step(optimizer, grads, variables):
    def apply():
        optimizer.apply_gradients(zip(grads, variables))

    return apply


def _compiled(fn):
    """The backend's compiled form of `fn`, as Keras would run it inside `fit`."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.function(fn)
    return fn


if __name__ == "__main__":
    main()
