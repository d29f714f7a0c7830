"""Time one Adam step on a large float32 vector, for every implementation, in one run.

Adam is memory-bound: a step reads p, g, m, v and writes p, m, v, 28 bytes per float32
parameter. So each implementation is reported as a fraction of that bound, with the
memory bandwidth measured in the same run by in-place kernels that move bytes the same
way (``a += b`` and ``a *= 1``), and as paired ratios against our NumPy step. Two
bounds: NumPy's kernels (on one thread and on as many as ``adam.numpy.Adam`` uses, the
best of them), and the same kernels compiled by numba on all cores (the tightest, when
numba is installed).

Implementations are timed in interleaved rounds (the order rotates every round), so that
drifts in machine speed hit them all alike; ratios are computed per round, then
summarised by their median. Run: ``python benchmarks/adam_step.py [--n 10000000]
[--rounds 15]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import machine_info  # noqa: E402  (beside this script)
import numpy as np  # noqa: E402

from adam.hyperparameters import Hyperparameters  # noqa: E402
from adam.numpy import Adam, init, update  # noqa: E402

BYTES_PER_PARAMETER = 28  # read p, g, m, v; write p, m, v (float32)


def threads_label(count):
    return f"{count} thread" if count == 1 else f"{count} threads"


def numpy_implementations(n, g):
    """Our NumPy versions: the readable functional core, and the fast in-place step with
    its default number of threads and with one. The first fast one is the reference
    ("ours")."""
    h = Hyperparameters()
    readable = {"params": [np.zeros(n, np.float32)]}
    readable["state"] = init(readable["params"])

    def readable_step():
        readable["params"], readable["state"] = update(
            [g], readable["state"], readable["params"], h
        )

    out = {}
    for count in dict.fromkeys([Adam().threads, 1]):
        p, opt = np.zeros(n, np.float32), Adam(threads=count)
        out[f"NumPy, adam.numpy.Adam (blocked, {threads_label(count)})"] = (
            lambda opt=opt, p=p: opt.step([p], [g])
        )
    out["NumPy, readable update (allocates temporaries)"] = readable_step
    return out


class ProcessCeiling:
    """The blocked NumPy step in `k` separate processes, each on its 1/k of the
    parameters, started and awaited together: the same arithmetic as `adam.numpy.Adam`
    with k threads, but with no interpreter lock shared between the workers."""

    def __init__(self, n, k):
        context = multiprocessing.get_context("spawn")
        self._start, self._done = context.Barrier(k + 1), context.Barrier(k + 1)
        self._workers = [
            context.Process(
                target=_step_forever,
                args=(n // k, self._start, self._done),
                daemon=True,
            )
            for _ in range(k)
        ]
        for worker in self._workers:
            worker.start()

    def __call__(self):
        self._start.wait()
        self._done.wait()


def _step_forever(n, start, done):
    g = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    p, opt = np.zeros(n, np.float32), Adam(threads=1)
    opt._check_finite = lambda name, a: None  # the step without the finite check
    while True:
        start.wait()
        opt.step([p], [g])
        done.wait()


def fused_implementations(n, g):
    """The compiled single-pass step (adam.fused), on all cores and on one."""
    try:
        import numba

        from adam.fused import FusedAdam
    except ImportError:
        return {}
    out = {}
    for count in dict.fromkeys(
        [min(FusedAdam().threads, numba.config.NUMBA_NUM_THREADS), 1]
    ):
        p, opt = np.zeros(n, np.float32), FusedAdam(threads=count)
        out[f"numba, adam.fused.FusedAdam ({threads_label(count)})"] = (
            lambda opt=opt, p=p: opt.step([p], [g])
        )
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
        (
            "Keras Adam, tf.function + XLA",
            dict(jit_compile=True),
            keras.optimizers.Adam,
        ),
        ("adam.keras.Adam, tf.function", dict(jit_compile=False), adam.keras.Adam),
        ("adam.keras.Adam, tf.function + XLA", dict(jit_compile=True), adam.keras.Adam),
    ]:
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
    for label, kw in [
        ("PyTorch Adam, foreach", dict(foreach=True)),
        ("PyTorch Adam, fused", dict(fused=True)),
    ]:
        p = torch.zeros(n, dtype=torch.float32, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        try:
            opt = torch.optim.Adam([p], **kw)
            opt.step()
        except (RuntimeError, TypeError) as err:  # fused needs a recent torch on CPU
            print(f"skipping {label}: {err}", file=sys.stderr)
            continue
        out[label] = opt.step
    return out


def bandwidth_kernels(n_stream, threads):
    """In-place kernels with Adam's traffic pattern. Bytes moved: a += b reads a, b and
    writes a (12 B); a *= 1 reads and writes a (8 B).

    Returns two groups. NumPy's, on one thread and split between `threads` threads as
    adam.numpy.Adam splits its step: the best of them is the NumPy bound. And, when
    numba is installed, the same loops compiled and run on all cores: the tightest bound
    measured."""
    a = np.ones(n_stream, np.float32)
    b = np.ones(n_stream, np.float32)
    numpy_kernels = {
        "a += b, NumPy, 1 thread": (lambda: np.add(a, b, out=a), 12 * n_stream),
        "a *= 1, NumPy, 1 thread": (lambda: np.multiply(a, 1.0, out=a), 8 * n_stream),
    }
    if threads > 1:
        pool = ThreadPoolExecutor(threads)
        parts = [
            slice(lo, lo + n_stream // threads)
            for lo in range(0, n_stream, n_stream // threads)
        ]

        def split(kernel):
            return lambda: list(pool.map(kernel, parts))

        label = threads_label(threads)
        numpy_kernels[f"a += b, NumPy, {label}"] = (
            split(lambda part: np.add(a[part], b[part], out=a[part])),
            12 * n_stream,
        )
        numpy_kernels[f"a *= 1, NumPy, {label}"] = (
            split(lambda part: np.multiply(a[part], 1.0, out=a[part])),
            8 * n_stream,
        )
    try:
        import numba
    except ImportError:
        return numpy_kernels, {}

    @numba.njit(parallel=True)
    def add(x, y):
        for i in numba.prange(x.size):
            x[i] += y[i]

    @numba.njit(parallel=True)
    def scale(x, c):
        for i in numba.prange(x.size):
            x[i] *= c

    all_cores = {
        "a += b, numba, all cores": (lambda: add(a, b), 12 * n_stream),
        "a *= 1, numba, all cores": (lambda: scale(a, np.float32(1)), 8 * n_stream),
    }
    return numpy_kernels, all_cores


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--n", type=int, default=10_000_000, help="parameters (float32)"
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=3, help="timed steps per round")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    g = np.random.default_rng(0).standard_normal(args.n).astype(np.float32)
    checker = Adam()
    # Two parts of adam.numpy.Adam's step, timed on their own in the same rounds: the
    # check for NaN and infinity, which reads the whole gradient before anything is
    # written; and the rest of the step spread over processes instead of threads (no
    # shared interpreter lock).
    parts = {
        "finite-gradient check, adam.numpy.Adam": lambda: checker._check_finite(
            "grads[0]", g
        )
    }
    if checker.threads > 1:
        parts[f"step without the check, {checker.threads} processes"] = ProcessCeiling(
            args.n, checker.threads
        )
    impls = {
        **numpy_implementations(args.n, g),
        **fused_implementations(args.n, g),
        **keras_implementations(args.n, g),
        **torch_implementations(args.n, g),
    }
    numpy_kernels, all_cores = bandwidth_kernels(4 * args.n, checker.threads)
    kernels = {**numpy_kernels, **all_cores}
    for fn in {
        **impls,
        **parts,
    }.values():  # warm-up: tracing, compilation, first-touch of memory
        for _ in range(3):
            fn()
    for fn, _ in kernels.values():
        fn()

    samples = {name: [] for name in {**impls, **parts}}
    per_round = {name: [] for name in impls}
    kernel_bandwidth = {name: [] for name in kernels}
    names = list(impls)
    for r in range(args.rounds):
        for name, (fn, nbytes) in kernels.items():
            kernel_bandwidth[name].append(nbytes / min(timed(fn) for _ in range(3)))
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            times = [timed(impls[name]) for _ in range(args.steps)]
            samples[name] += times
            per_round[name].append(statistics.median(times))
            time.sleep(0.02)
        for name, fn in parts.items():
            samples[name] += [timed(fn) for _ in range(args.steps)]

    best = {name: max(values) for name, values in kernel_bandwidth.items()}
    bandwidths = [best[name] for name in numpy_kernels]
    bandwidths_all = [best[name] for name in all_cores]
    bandwidth = max(bandwidths)
    bound = BYTES_PER_PARAMETER * args.n / bandwidth
    # With numba, the same kernels on all cores: the bound for multi-threaded
    # implementations.
    bandwidth_all = max(bandwidths_all + [bandwidth])
    bound_all = BYTES_PER_PARAMETER * args.n / bandwidth_all
    reference = names[0]  # adam.numpy.Adam with its default threads
    rows = []
    for name in names:
        med = statistics.median(samples[name])
        ratio = statistics.median(
            a / b for a, b in zip(per_round[name], per_round[reference])
        )
        rows.append(
            {
                "implementation": name,
                "median_ms": 1e3 * med,
                "min_ms": 1e3 * min(samples[name]),
                "max_ms": 1e3 * max(samples[name]),
                "fraction_of_bound": bound / med,
                "fraction_of_all_core_bound": bound_all / med,
                "time_vs_ours": ratio,
            }
        )

    print(
        f"{args.n:,} float32 parameters; bandwidth {bandwidth / 1e9:.1f} GB/s "
        f"(best NumPy in-place kernel); bound {1e3 * bound:.2f} ms per step "
        f"({BYTES_PER_PARAMETER} bytes per parameter)"
    )
    print(
        f"all cores, compiled: bandwidth {bandwidth_all / 1e9:.1f} GB/s; bound "
        f"{1e3 * bound_all:.2f} ms"
    )
    for name, value in best.items():
        print(f"  {name:<30} {value / 1e9:6.1f} GB/s")
    print(
        f"{'implementation':<50} {'median ms':>10} {'of bound':>9} {'all-core':>9} "
        f"{'time / ours':>12}"
    )
    for row in rows:
        print(
            f"{row['implementation']:<50} {row['median_ms']:>10.2f} "
            f"{row['fraction_of_bound']:>8.0%} "
            f"{row['fraction_of_all_core_bound']:>8.0%} {row['time_vs_ours']:>12.2f}"
        )
    part_ms = {name: 1e3 * statistics.median(samples[name]) for name in parts}
    for name, ms in part_ms.items():
        print(f"{name:<50} {ms:>10.2f} (part of the step above)")

    if args.json:
        result = {
            "what": "time per Adam step, float32, one process, interleaved rounds",
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": " ".join(
                [Path(sys.argv[0]).as_posix()] + (argv or sys.argv[1:])
            ),
            "machine": machine_info.describe(numpy=np.__version__, **_versions()),
            "n": args.n,
            "rounds": args.rounds,
            "steps_per_round": args.steps,
            "reference": reference,
            "bandwidth_GBps": bandwidth / 1e9,
            "bound_ms": 1e3 * bound,
            "bandwidth_all_cores_GBps": bandwidth_all / 1e9,
            "bound_all_cores_ms": 1e3 * bound_all,
            "kernel_bandwidth_GBps": {
                name: value / 1e9 for name, value in best.items()
            },
            "parts_ms": part_ms,
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
