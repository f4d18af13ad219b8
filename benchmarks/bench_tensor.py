"""Time one MLP training step in PyTorch, in minigrad and hand-written in numpy, in one run.

The step is written once, with tensor ops only (``@``, ``+``, ``relu``, ``log_softmax``,
integer-array indexing, ``mean``, ``backward`` and an SGD update ``p -= lr * p.grad`` under
``no_grad``), and run twice: with the module ``torch`` and with the module ``minigrad``
passed in as ``torch``. The third column is the same step hand-written in numpy, forward and
backward by hand: the floor for any engine built on numpy. All three start from the same
float32 weights and data; the script asserts they compute the same losses, then prints the
time per step and the ratios at three sizes (64-128-10 batch 64, 784-256-10 batch 128,
784-1024-1024-10 batch 512). Then the overhead per op (ops on 1-element tensors: no grad,
recorded, and forward + backward of a chain). Finally it runs 1000 minigrad steps under
``tracemalloc`` and checks that memory does not grow.

Times are CPU time of the process (``time.process_time``), best of ``--repeat`` interleaved
rounds. Threads: by default every library gets the same number of threads (``--threads``, default
1: the machine is shared and one thread gives the steadiest numbers); torch through
``torch.set_num_threads``, numpy's BLAS through the ``*_NUM_THREADS`` variables set before
numpy is imported.

Run: ``.venv/bin/python benchmarks/bench_tensor.py [--repeat N] [--threads T] [--quick]``
(on machines where OPENBLAS_CORETYPE is set for old OpenBLAS builds, unset it and
OPENBLAS_L2_SIZE in that command only to measure a current numpy at full speed).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc


def _threads_from_argv() -> int:
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return 1


# BLAS reads these when it loads, so they must be set before numpy is imported.
_THREADS = _threads_from_argv()
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(_THREADS)

import itertools  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import minigrad  # noqa: E402

SIZES = [((64, 128, 10), 64), ((784, 256, 10), 128), ((784, 1024, 1024, 10), 512)]
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


def setup(lib, dims, batch):
    """Parameters, inputs and a zero-argument step function for ``lib`` ('torch', 'minigrad',
    'numpy'), all from the same numbers."""
    params, x, y = make_problem(dims, batch)
    rows = np.arange(batch)
    if lib == "numpy":
        return lambda: numpy_step(params, x, y, rows)
    mod = torch if lib == "torch" else minigrad
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


def time_per_step(steps_by_lib, steps, repeat):
    """CPU seconds per step for each library: the best over ``repeat`` rounds, where each
    round times every library once, in turn (so that load from other processes hits all
    alike). CPU time of this process, not wall time: with one thread per library it is the
    same on an idle machine and far steadier on a busy one."""
    for step in steps_by_lib.values():
        step()  # warm-up
    best = dict.fromkeys(steps_by_lib, float("inf"))
    for _ in range(repeat):
        for lib, step in steps_by_lib.items():
            gc.collect()
            start = time.process_time()
            for _ in range(steps):
                step()
            best[lib] = min(best[lib], (time.process_time() - start) / steps)
    return best


def memory_growth(steps=1000):
    """Bytes held (traced by tracemalloc) after ``steps`` more minigrad steps than a baseline
    taken 100 steps in, and how many objects in reference cycles the garbage collector found:
    anything kept alive per step (a graph, a cycle) would show in one or the other. (The bytes
    are counted after a collection, which also empties Python's free lists of small objects.)"""
    step = setup("minigrad", *SIZES[0])
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


def overhead_per_op(repeat):
    """Microseconds of overhead per op: ops on 1-element tensors, where the arithmetic itself
    costs nothing, so what is left is the library's own bookkeeping."""
    results = {}
    for name in ("torch", "minigrad"):
        lib = torch if name == "torch" else minigrad
        a = lib.tensor([1.5])
        w = lib.tensor([0.5], requires_grad=True)

        def forward(lib=lib, a=a):
            return a * 1.0001 + a

        def record(w=w):
            return w * 1.0001 + w

        def chain(lib=lib, w=w):
            y = w
            for _ in range(10):
                y = (y * 1.0001).relu()
            y.sum().backward()

        row = []
        for fn, n_ops in ((forward, 2), (record, 2), (chain, 22)):
            best = float("inf")
            for _ in range(repeat):
                start = time.process_time()
                for _ in range(2000):
                    fn()
                best = min(best, (time.process_time() - start) / 2000 / n_ops)
            row.append(best * 1e6)
        results[name] = row
    a = np.array([1.5], dtype=np.float32)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(2000):
            a * np.float32(1.0001) + a
        best = min(best, (time.process_time() - start) / 2000 / 2)
    results["numpy"] = [best * 1e6, float("nan"), float("nan")]
    return results


def main() -> None:
    """Check, time and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timing runs per size (best kept)")
    parser.add_argument("--threads", type=int, default=1, help="threads for torch and BLAS")
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke test)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, numpy {np.__version__}, {args.threads} thread(s), "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
    )
    header = (
        f"{'size':<22}{'torch ms':>10}{'minigrad ms':>13}{'numpy ms':>10}"
        f"{'minigrad/torch':>16}{'minigrad/numpy':>16}"
    )
    print(header)
    print("-" * len(header))
    for dims, batch in SIZES:
        check_same_losses(dims, batch)
        work = batch * sum(a * b for a, b in itertools.pairwise(dims))
        steps = max(1, min(200, int(3e7 / work)))
        if args.quick:
            steps = max(2, steps // 20)
        libs = {lib: setup(lib, dims, batch) for lib in ("torch", "minigrad", "numpy")}
        t = time_per_step(libs, steps, args.repeat)
        name = "-".join(map(str, dims)) + f" b{batch}"
        print(
            f"{name:<22}{t['torch'] * 1e3:>10.3f}{t['minigrad'] * 1e3:>13.3f}"
            f"{t['numpy'] * 1e3:>10.3f}{t['minigrad'] / t['torch']:>16.2f}"
            f"{t['minigrad'] / t['numpy']:>16.2f}"
        )
    print()
    print("overhead per op in microseconds (1-element float32 tensors):")
    print(f"{'':10}{'no grad':>10}{'recorded':>10}{'fwd+bwd':>10}")
    for name, row in overhead_per_op(3 if args.quick else 7).items():
        print(f"{name:10}" + "".join(f"{v:>10.2f}" for v in row))
    print()
    steps = 100 if args.quick else 1000
    held, cycles = memory_growth(steps)
    print(
        f"memory: {steps} more minigrad steps (64-128-10 b64) changed traced memory by {held} "
        f"bytes and left {cycles} objects in reference cycles for the garbage collector"
    )
    assert held < 16 * 1024, "minigrad's memory grows from step to step"
    assert cycles == 0, "minigrad's steps leave reference cycles (freed only by the collector)"


if __name__ == "__main__":
    main()
