"""Adam's successors measured: Lion, Adafactor, Muon and Schedule-Free AdamW against
Adam and AdamW, each at its best learning rate from a grid, over seeds, on two problems.

For each problem (the book's MNIST model; a tiny Transformer sorting digits: see
`adam.experiments.successors`) and each optimizer, it trains a fixed number of steps at
every learning rate of a grid (half a decade apart, from a tenth of the optimizer's
recommended value upward) from each seed. The best rate is the one with the lowest mean
validation loss; the summary gives the test loss and accuracy at that rate over the
seeds. Keras runs on JAX (``KERAS_BACKEND=jax`` unless set otherwise).

Run: ``python benchmarks/successors.py [--seeds 3] [--points 6] [--steps 400] [--json
FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import jax  # noqa: E402
import keras  # noqa: E402
import machine_info  # noqa: E402  (beside this script)

from adam.experiments import successors  # noqa: E402
from adam.experiments.mnist import load_mnist  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--points", type=int, default=6, help="learning rates per grid")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--problems", default=",".join(successors.PROBLEMS))
    parser.add_argument("--optimizers", default=",".join(successors.NAMES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    rows, problems = [], {}
    for prob_name in args.problems.split(","):
        problem = successors.problem(prob_name)
        problems[prob_name] = problem.describe
        for name in args.optimizers.split(","):
            trainer = successors.Trainer(problem, name)
            for lr in successors.grid(name, args.points):
                for seed in range(args.seeds):
                    row = trainer.run(lr, seed, args.steps)
                    rows.append({"problem": prob_name, "optimizer": name, **row})
                    print(
                        f"{prob_name:<6} {name:<20} lr {lr:<8.3g} seed {seed}: test "
                        f"loss {row['test_loss']}, accuracy {row['test_accuracy']}",
                        flush=True,
                    )
    seconds = time.perf_counter() - start
    summary = successors.summarize(rows)
    for s in summary:
        print(
            f"{s['problem']:<6} {s['optimizer']:<20} best lr "
            f"{s['best_learning_rate']:<8.3g} test loss {s['test_loss_mean']:.4f} "
            f"accuracy {s['test_accuracy_mean']:.4f}"
        )
    print(f"{seconds:.0f} s")
    if args.json:
        _, source = load_mnist(verbose=False, return_source=True)
        result = {
            "what": "Adam, AdamW and four successors (Keras's defaults but the "
            f"learning rate), {args.steps} steps, {args.points} learning rates, "
            f"{args.seeds} seeds",
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": " ".join(
                [Path(sys.argv[0]).as_posix()] + (argv or sys.argv[1:])
            ),
            "data": source.describe(),
            "problems": problems,
            "backend": keras.backend.backend(),
            "devices": ", ".join(sorted({d.device_kind for d in jax.devices()})),
            "machine": machine_info.describe(
                keras=keras.__version__, jax=jax.__version__
            ),
            "seconds": round(seconds, 1),
            "steps": args.steps,
            "seeds": args.seeds,
            "grids": {
                n: successors.grid(n, args.points) for n in args.optimizers.split(",")
            },
            "selection": "lowest mean validation loss over seeds; test metrics "
            "reported",
            "rows": rows,
            "summary": summary,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
