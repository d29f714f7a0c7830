"""Time one Adam step on a large float32 vector, for every implementation, in one run.

Adam is memory-bound: a step reads p, g, m, v and writes p, m, v, 28 bytes per float32
parameter. So each implementation is reported as a fraction of that bound, with the memory
bandwidth measured in the same run by in-place kernels that move bytes the same way
(``a += b`` and ``a *= 1``), and as paired ratios against our NumPy step.

Implementations are timed in interleaved rounds (the order rotates every round), so that
drifts in machine speed hit them all alike; ratios are computed per round, then summarised
by their median. Run: ``python benchmarks/adam_step.py [--n 10000000] [--rounds 15]``.
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

import numpy as np  # noqa: E402

import machine_info  # noqa: E402  (beside this script)

from adam.hyperparameters import Hyperparameters  # noqa: E402
from adam.numpy import Adam, init, update  # noqa: E402

BYTES_PER_PARAMETER = 28   # read p, g, m, v; write p, m, v (float32)


def numpy_implementations(n, g):
    """Our two NumPy versions: the readable functional core and the fast in-place step."""
    h = Hyperparameters()
    readable = {"params": [np.zeros(n, np.float32)]}
    readable["state"] = init(readable["params"])

    def readable_step():
        readable["params"], readable["state"] = update([g], readable["state"], readable["params"], h)

    p = np.zeros(n, np.float32)
    opt = Adam()
    return {"NumPy, readable update (allocates temporaries)": readable_step,
            "NumPy, adam.numpy.Adam (in place, blocked)": lambda: opt.step([p], [g])}


def fused_implementations(n, g):
    """The compiled single-pass step (adam.fused), on all cores and on one."""
    try:
        import numba
        from adam.fused import FusedAdam
    except ImportError:
        return {}
    threads = numba.get_num_threads()
    out = {}
    for label, count in [(f"numba, adam.fused.FusedAdam ({threads} threads)", threads),
                         ("numba, adam.fused.FusedAdam (1 thread)", 1)]:
        p = np.zeros(n, np.float32)
        opt = FusedAdam()

        def step(opt=opt, p=p, count=count):
            numba.set_num_threads(count)
            opt.step([p], [g])
            numba.set_num_threads(threads)

        out[label] = step
    return out


def keras_implementations(n, g):
    try:
        import keras
        import tensorflow as tf
    except ImportError:
        return {}
    if keras.backend.backend() != "tensorflow":
        return {}
    import adam.keras
    out = {}
    grad = tf.constant(g)
    for label, wrap, make in [
            ("Keras Adam, eager", None, keras.optimizers.Adam),
            ("Keras Adam, tf.function", dict(jit_compile=False), keras.optimizers.Adam),
            ("Keras Adam, tf.function + XLA", dict(jit_compile=True), keras.optimizers.Adam),
            ("adam.keras.Adam, tf.function", dict(jit_compile=False), adam.keras.Adam),
            ("adam.keras.Adam, tf.function + XLA", dict(jit_compile=True), adam.keras.Adam)]:
        var = tf.Variable(tf.zeros(n, tf.float32))
        opt = make(epsilon=1e-8)

        def step(opt=opt, var=var):
            opt.apply_gradients([(grad, var)])

        out[label] = step if wrap is None else tf.function(step, **wrap)
    return out


def torch_implementations(n, g):
    try:
        import torch
    except ImportError:
        return {}
    out = {}
    for label, kw in [("PyTorch Adam, foreach", dict(foreach=True)),
                      ("PyTorch Adam, fused", dict(fused=True))]:
        p = torch.zeros(n, dtype=torch.float32, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        try:
            opt = torch.optim.Adam([p], **kw)
            opt.step()
        except (RuntimeError, TypeError) as err:   # fused needs a recent torch on CPU
            print(f"skipping {label}: {err}", file=sys.stderr)
            continue
        out[label] = opt.step
    return out


def bandwidth_kernels(n_stream):
    """In-place kernels with Adam's traffic pattern: NumPy's (one core) and, when numba is
    installed, the same loops on all cores. Bytes moved: a += b reads a, b and writes a (12 B);
    a *= 1 reads and writes a (8 B)."""
    a = np.ones(n_stream, np.float32)
    b = np.ones(n_stream, np.float32)
    one_core = {"a += b": (lambda: np.add(a, b, out=a), 12 * n_stream),
                "a *= 1": (lambda: np.multiply(a, 1.0, out=a), 8 * n_stream)}
    try:
        import numba
    except ImportError:
        return one_core, {}

    @numba.njit(parallel=True)
    def add(x, y):
        for i in numba.prange(x.size):
            x[i] += y[i]

    @numba.njit(parallel=True)
    def scale(x, c):
        for i in numba.prange(x.size):
            x[i] *= c

    all_cores = {"a += b, all cores": (lambda: add(a, b), 12 * n_stream),
                 "a *= 1, all cores": (lambda: scale(a, np.float32(1)), 8 * n_stream)}
    return one_core, all_cores


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="parameters (float32)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=3, help="timed steps per round")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    g = np.random.default_rng(0).standard_normal(args.n).astype(np.float32)
    impls = {**numpy_implementations(args.n, g), **fused_implementations(args.n, g),
             **keras_implementations(args.n, g), **torch_implementations(args.n, g)}
    one_core, all_cores = bandwidth_kernels(4 * args.n)
    for fn in impls.values():            # warm-up: tracing, compilation, first-touch of memory
        for _ in range(3):
            fn()
    for fn, _ in {**one_core, **all_cores}.values():
        fn()

    samples = {name: [] for name in impls}
    per_round = {name: [] for name in impls}
    bandwidths, bandwidths_all = [], []
    names = list(impls)
    for r in range(args.rounds):
        best = lambda kernels: max(nbytes / min(timed(fn) for _ in range(3))  # noqa: E731
                                   for fn, nbytes in kernels.values())
        bandwidths.append(best(one_core))
        if all_cores:
            bandwidths_all.append(best(all_cores))
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            times = [timed(impls[name]) for _ in range(args.steps)]
            samples[name] += times
            per_round[name].append(statistics.median(times))
            time.sleep(0.02)

    bandwidth = max(bandwidths)
    bound = BYTES_PER_PARAMETER * args.n / bandwidth
    # With numba, the same kernels on all cores: the bound for multi-threaded implementations.
    bandwidth_all = max(bandwidths_all + [bandwidth])
    bound_all = BYTES_PER_PARAMETER * args.n / bandwidth_all
    reference = "NumPy, adam.numpy.Adam (in place, blocked)"
    rows = []
    for name in names:
        med = statistics.median(samples[name])
        ratio = statistics.median(a / b for a, b in zip(per_round[name], per_round[reference]))
        rows.append({"implementation": name, "median_ms": 1e3 * med,
                     "min_ms": 1e3 * min(samples[name]), "max_ms": 1e3 * max(samples[name]),
                     "fraction_of_bound": bound / med,
                     "fraction_of_all_core_bound": bound_all / med, "time_vs_ours": ratio})

    print(f"{args.n:,} float32 parameters; bandwidth {bandwidth / 1e9:.1f} GB/s "
          f"(best in-place kernel); bound {1e3 * bound:.2f} ms per step "
          f"({BYTES_PER_PARAMETER} bytes per parameter)")
    print(f"all cores: bandwidth {bandwidth_all / 1e9:.1f} GB/s; bound {1e3 * bound_all:.2f} ms")
    print(f"{'implementation':<50} {'median ms':>10} {'of bound':>9} {'all-core':>9} {'time / ours':>12}")
    for row in rows:
        print(f"{row['implementation']:<50} {row['median_ms']:>10.2f} "
              f"{row['fraction_of_bound']:>8.0%} {row['fraction_of_all_core_bound']:>8.0%} "
              f"{row['time_vs_ours']:>12.2f}")

    if args.json:
        result = {
            "what": "time per Adam step, float32, one process, interleaved rounds",
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).as_posix()] + (argv or sys.argv[1:])),
            "machine": machine_info.describe(numpy=np.__version__, **_versions()),
            "n": args.n, "rounds": args.rounds, "steps_per_round": args.steps,
            "bandwidth_GBps": bandwidth / 1e9, "bound_ms": 1e3 * bound,
            "bandwidth_all_cores_GBps": bandwidth_all / 1e9, "bound_all_cores_ms": 1e3 * bound_all,
            "rows": rows,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")
    return rows


def _versions():
    out = {}
    for module in ("tensorflow", "keras", "torch", "numba"):
        if module in sys.modules:
            out[module] = getattr(sys.modules[module], "__version__", "?")
    return out


if __name__ == "__main__":
    main()
