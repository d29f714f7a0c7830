"""Time to accuracy on MNIST: the quickstart model trained with each optimizer over
several seeds.

For each run it records the validation accuracy after every epoch and the wall-clock
seconds (validation included), and reports the first epoch, and the seconds, at which
the validation accuracy reaches the target. Runs on whatever device the Keras backend
finds (a GPU if there is one; for example ``KERAS_BACKEND=jax`` on a machine with JAX
and CUDA).

Run: ``python benchmarks/mnist_time_to_accuracy.py [--seeds 3] [--epochs 5] [--target
0.95] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import machine_info  # noqa: E402  (beside this script)

import adam.keras  # noqa: E402
from adam.experiments import quickstart  # noqa: E402
from adam.experiments.mnist import load_mnist  # noqa: E402

#: The optimizers compared in the book's MNIST chapter, at the learning rates it uses.
OPTIMIZERS = {
    "keras.optimizers.Adam": lambda: keras.optimizers.Adam(),
    "adam.keras.Adam": lambda: adam.keras.Adam(),
    "SGD (lr 0.1)": lambda: keras.optimizers.SGD(learning_rate=0.1),
    "SGD + momentum 0.9 (lr 0.01)": lambda: keras.optimizers.SGD(
        learning_rate=0.01, momentum=0.9
    ),
}


def time_to_target(run: quickstart.Run, target: float):
    """(epochs, seconds) until the validation accuracy first reaches `target`, or (None,
    None)."""
    seconds = 0.0
    for epoch, (accuracy, spent) in enumerate(
        zip(run.history["val_accuracy"], run.epoch_seconds), 1
    ):
        seconds += spent
        if accuracy >= target:
            return epoch, seconds
    return None, None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    data, source = load_mnist(verbose=True, return_source=True)
    print(quickstart.devices())
    rows = []
    for seed in range(args.seeds):
        for name, make in OPTIMIZERS.items():
            run = quickstart.train(make, data, seed=seed, epochs=args.epochs, name=name)
            epochs, seconds = time_to_target(run, args.target)
            rows.append(
                {
                    "optimizer": name,
                    "seed": seed,
                    "val_accuracy": run.history["val_accuracy"],
                    "epoch_seconds": run.epoch_seconds,
                    "epochs_to_target": epochs,
                    "seconds_to_target": seconds,
                }
            )
            print(
                f"{name:<30} seed {seed}: final {run.final_val_accuracy:.4f}, "
                f"{sum(run.epoch_seconds):.1f} s; target after {epochs} epochs"
            )
    summary = {}
    for name in OPTIMIZERS:
        mine = [r for r in rows if r["optimizer"] == name]
        reached = [
            r["seconds_to_target"] for r in mine if r["seconds_to_target"] is not None
        ]
        summary[name] = {
            "final_accuracy_mean": statistics.mean(r["val_accuracy"][-1] for r in mine),
            "runs_reaching_target": len(reached),
            "runs": len(mine),
            "median_seconds_to_target": statistics.median(reached) if reached else None,
            "median_epoch_seconds": statistics.median(
                s for r in mine for s in r["epoch_seconds"]
            ),
        }
        print(name, summary[name])
    if args.json:
        result = {
            "what": f"quickstart MNIST model, batch 32, {args.epochs} epochs, time to "
            f"{args.target:.0%} validation accuracy",
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": " ".join(
                [Path(sys.argv[0]).as_posix()] + (argv or sys.argv[1:])
            ),
            "data": source.describe(),
            "devices": quickstart.devices(),
            "machine": machine_info.describe(keras=keras.__version__),
            "target": args.target,
            "rows": rows,
            "summary": summary,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
