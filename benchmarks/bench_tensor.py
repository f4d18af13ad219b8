"""Time one MLP training step in PyTorch, minigrad and hand-written numpy, each in its own kernel.

The step is written once, with tensor ops only (``@``, ``+``, ``relu``, ``log_softmax``,
integer-array indexing, ``mean``, ``backward`` and an SGD update ``p -= lr * p.grad`` under
``no_grad``), and run with the module ``torch`` and with the module ``minigrad`` passed in as
``torch``. The third implementation is the same step hand-written in numpy, forward and
backward by hand: the floor for any engine built on numpy. All three start from the same
float32 weights and data; the script first asserts that they compute the same losses, then
times each in fresh Jupyter kernels of its own (see harness.py) at three sizes (64-128-10
batch 64, 784-256-10 batch 128, 784-1024-1024-10 batch 512), and the overhead per op (ops on
1-element tensors: no grad, recorded, and forward + backward of a chain). Finally it runs
1000 minigrad steps under ``tracemalloc`` and checks that memory does not grow.

Threads: by default each library uses what it would use in a notebook (torch and numpy's
BLAS on every core); ``--threads T`` limits both to T (torch through
``torch.set_num_threads``, BLAS through the ``*_NUM_THREADS`` variables of the kernel).

Run: ``.venv/bin/python benchmarks/bench_tensor.py [--kernels K] [--threads T] [--quick]``
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import time
import tracemalloc

import harness
import numpy as np

LIBRARIES = ("torch", "minigrad", "numpy")
SIZES = [((64, 128, 10), 64), ((784, 256, 10), 128), ((784, 1024, 1024, 10), 512)]
TINY = [((8, 16, 4), 8), ((16, 8, 8, 4), 16)]  # for --quick, a smoke test of the script
LR = 0.05


def train_step(torch, params, x, y, rows):
    """One SGD step of an MLP on (x, y); ``torch`` is the module ``torch`` or ``minigrad``.

    ``params`` alternates weights (in, out) and biases (out,); ``rows`` is ``arange(batch)``.
    """
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = h.relu()
    logp = h.log_softmax(dim=1)
    loss = -logp[rows, y].mean()
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= LR * p.grad
    return loss.detach()


def numpy_step(params, x, y, rows):
    """The same step with numpy only: forward, backward by hand, SGD update in place."""
    n_layers = len(params) // 2
    hs = [x]
    h = x
    for i in range(n_layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_layers - 1:
            h = np.maximum(h, 0)
        hs.append(h)
    shifted = h - h.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    batch = x.shape[0]
    loss = -logp[rows, y].mean()
    # d loss / d logits = (softmax - onehot) / batch
    dh = np.exp(logp)
    dh[rows, y] -= 1
    dh /= np.float32(batch)
    for i in reversed(range(n_layers)):
        w, b = params[2 * i], params[2 * i + 1]
        h_in = hs[i]
        dw = h_in.T @ dh
        db = dh.sum(axis=0)
        if i > 0:
            dh = dh @ w.T
            dh *= hs[i] > 0
        w -= np.float32(LR) * dw
        b -= np.float32(LR) * db
    return loss


def make_problem(dims, batch, seed=0):
    """float32 weights (He-style scale), data and labels as numpy arrays."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in itertools.pairwise(dims):
        params.append((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    x = rng.standard_normal((batch, dims[0])).astype(np.float32)
    y = rng.integers(0, dims[-1], batch)
    return params, x, y


def _module(lib):
    """The module ``torch`` or ``minigrad`` (also for ``minigrad@REV``, a baseline: which
    minigrad is imported is up to the kernel's PYTHONPATH), imported only when asked for."""
    import importlib

    return importlib.import_module(lib.split("@")[0])


def setup(lib, dims, batch):
    """Parameters, inputs and a zero-argument step function for ``lib`` ('torch', 'minigrad',
    'numpy'), all from the same numbers."""
    params, x, y = make_problem(dims, batch)
    rows = np.arange(batch)
    if lib == "numpy":
        return lambda: numpy_step(params, x, y, rows)
    mod = _module(lib)
    ps = [mod.tensor(p, requires_grad=True) for p in params]
    xt, yt, rt = mod.tensor(x), mod.tensor(y), mod.tensor(rows)
    return lambda: train_step(mod, ps, xt, yt, rt)


def check_same_losses(dims, batch, steps=3):
    """The three implementations must compute the same losses, step after step."""
    losses = {}
    for lib in ("torch", "minigrad", "numpy"):
        step = setup(lib, dims, batch)
        losses[lib] = [step().item() for _ in range(steps)]
    for lib in ("minigrad", "numpy"):
        np.testing.assert_allclose(losses[lib], losses["torch"], rtol=2e-4, atol=1e-5)
    return losses["torch"]


def memory_growth(steps=1000, size=SIZES[0]):
    """Bytes held (traced by tracemalloc) after ``steps`` more minigrad steps than a baseline
    taken 100 steps in, and how many objects in reference cycles the garbage collector found:
    anything kept alive per step (a graph, a cycle) would show in one or the other. (The bytes
    are counted after a collection, which also empties Python's free lists of small objects.)"""
    step = setup("minigrad", *size)
    tracemalloc.start()
    for _ in range(100):
        step()
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    enabled = gc.isenabled()
    gc.disable()
    for _ in range(steps):
        step()
    cycles = gc.collect()
    if enabled:
        gc.enable()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return held, cycles


def overhead_per_op(lib, repeat, calls=2000):
    """Microseconds of overhead per op for one library ('torch', 'minigrad' or 'numpy'): ops on
    1-element tensors, where the arithmetic itself costs nothing, so what is left is the
    library's own bookkeeping. [no grad, recorded, forward + backward of a chain]; numpy has
    only the first."""
    if lib == "numpy":
        a = np.array([1.5], dtype=np.float32)
        c = np.float32(1.0001)
        return [_best_per_op(lambda: a * c + a, 2, repeat, calls), float("nan"), float("nan")]
    mod = _module(lib)
    a = mod.tensor([1.5])
    w = mod.tensor([0.5], requires_grad=True)

    def chain():
        y = w
        for _ in range(10):
            y = (y * 1.0001).relu()
        y.sum().backward()

    return [
        _best_per_op(lambda: a * 1.0001 + a, 2, repeat, calls),
        _best_per_op(lambda: w * 1.0001 + w, 2, repeat, calls),
        _best_per_op(chain, 22, repeat, calls),
    ]


def _best_per_op(fn, n_ops, repeat, calls=2000):
    """Microseconds per op of fn() (which does n_ops ops): the best of ``repeat`` rounds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls / n_ops)
    return best * 1e6


def measure_in_kernel(lib, threads, seconds, quick):
    """Kernel side: time one library at every size and its overhead per op; emit the result."""
    if threads and lib == "torch":
        _module("torch").set_num_threads(threads)
    times = {}
    for dims, batch in TINY if quick else SIZES:
        step = setup(lib, dims, batch)
        start = time.perf_counter()
        for _ in range(3):
            step()
        guess = (time.perf_counter() - start) / 3
        runs = max(3 if quick else 5, min(5000, int(seconds / guess)))
        times[size_name(dims, batch)] = harness.time_steps(
            step, runs, warmup=2 if quick else harness.WARMUP
        )
    overhead = overhead_per_op(lib, 2, 100) if quick else overhead_per_op(lib, 5)
    module = "" if lib == "numpy" else _module(lib).__file__
    harness.emit({"times": times, "overhead": overhead, "module": module})


def size_name(dims, batch):
    """'64-128-10 b64'."""
    return "-".join(map(str, dims)) + f" b{batch}"


def run(kernels, threads=0, quick=False, baseline=None):
    """Check the three agree, then measure each in ``kernels`` fresh kernels; return the
    timings and a printed report. ``baseline`` (a ``harness.Baseline``): also measure that
    revision of minigrad, in kernels taken in turn with the others."""
    sizes = TINY if quick else SIZES
    for dims, batch in sizes:
        check_same_losses(dims, batch)
    names = [size_name(d, b) for d, b in sizes]
    libraries = LIBRARIES + ((baseline.label,) if baseline else ())
    timings = {
        (n, lib): harness.Timing(f"Tensor step {n}", lib) for n in names for lib in libraries
    }
    overheads = {lib: [] for lib in libraries}
    env = {v: str(threads) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    seconds = 0.2 if quick else 1.0
    for k in range(kernels):
        for lib in libraries:
            harness.log(f"  Tensor step, {lib}: kernel {k + 1} of {kernels}")
            kernel_env = {**(env if threads else {})}
            if baseline and lib == baseline.label:
                kernel_env.update(baseline.env)
            result = harness.run_in_kernel(
                f"import bench_tensor\nbench_tensor.measure_in_kernel({lib!r}, {threads}, "
                f"{seconds}, {quick})",
                env=kernel_env or None,
            )
            if baseline and lib == baseline.label:
                baseline.check(result["module"])
            for n in names:
                timings[n, lib].per_kernel.append(result["times"][n])
            overheads[lib].append(result["overhead"])
    lines = [
        f"same losses in all three, 3 steps at each size; threads: "
        f"{threads or 'as each library chooses (all cores)'}",
        "time per step: median over fresh kernels of each kernel's mean step",
        f"{'size':<22}{'torch ms':>10}{'minigrad ms':>13}{'numpy ms':>10}"
        f"{'minigrad/torch':>16}{'minigrad/numpy':>16}",
    ]
    for n in names:
        t = {lib: timings[n, lib].median * 1e3 for lib in LIBRARIES}
        lines.append(
            f"{n:<22}{t['torch']:>10.3f}{t['minigrad']:>13.3f}{t['numpy']:>10.3f}"
            f"{t['minigrad'] / t['torch']:>16.2f}{t['minigrad'] / t['numpy']:>16.2f}"
        )
    if baseline:
        old = baseline.label
        lines.append(f"today's minigrad against {old} (the same run):")
        for n in names:
            t_new, t_old = timings[n, "minigrad"].median, timings[n, old].median
            lines.append(
                f"  {n:<22} {t_new * 1e3:.3f} ms against {t_old * 1e3:.3f} ms: "
                f"{t_new / t_old:.2f} of its time"
            )
    lines.append("spread (fastest to slowest kernel):")
    for n in names:
        lines.append(
            f"  {n}: " + "; ".join(f"{lib} {timings[n, lib].describe()}" for lib in libraries)
        )
    lines += ["", "overhead per op in microseconds (1-element float32 tensors; median of kernels):"]
    width = max(10, *(len(lib) + 1 for lib in libraries))
    lines.append(f"{'':{width}}{'no grad':>10}{'recorded':>10}{'fwd+bwd':>10}")
    for lib in libraries:
        row = [statistics.median(col) for col in zip(*overheads[lib], strict=True)]
        lines.append(f"{lib:{width}}" + "".join(f"{v:>10.2f}" for v in row))
    steps = 100 if quick else 1000
    held, cycles = memory_growth(steps, sizes[0])
    lines += [
        "",
        f"memory: {steps} more minigrad steps ({size_name(*sizes[0])}) changed traced memory "
        f"by {held} bytes and left {cycles} objects in reference cycles for the garbage collector",
    ]
    assert held < 16 * 1024, "minigrad's memory grows from step to step"
    assert cycles == 0, "minigrad's steps leave reference cycles (freed only by the collector)"
    return list(timings.values()), "\n".join(lines)


def main() -> None:
    """Check, measure and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=3, help="fresh kernels per library")
    parser.add_argument("--threads", type=int, default=0, help="limit torch and BLAS threads")
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    args = parser.parse_args()
    print(run(args.kernels, args.threads, args.quick)[1])


if __name__ == "__main__":
    main()
