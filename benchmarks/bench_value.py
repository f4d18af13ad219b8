"""Time one training step of micrograd 0.1.0 and of minigrad's Value engine, each in its own kernel.

The step is micrograd's demo (its ``demo.ipynb``): an MLP 2-16-16-1 built from scalar Value
ops, scored on 100 points of a two-moons dataset, with an SVM "max-margin" (hinge) loss plus
L2 regularisation, then ``zero_grad()`` and ``backward()``. Both MLPs start from the same
weights (the numbers micrograd's own initialisation draws after ``random.seed(0)``).

Each library is measured in fresh Jupyter kernels of its own, after the imports a notebook of
the course has (numpy, torch, matplotlib, graphviz), garbage collector on: see harness.py.
Every kernel also reports the loss and all gradients of its first step; the script checks
that the two libraries agree (the loss bit for bit) before it reports any time.

Run: ``.venv/bin/python benchmarks/bench_value.py [--kernels K] [--runs N]``
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from typing import Any

import harness
import numpy as np

LIBRARIES = ("micrograd 0.1.0", "minigrad Value")
SIZES = (2, [16, 16, 1])


def two_moons(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[float]]:
    """n points on two interleaving half circles, labels -1 and +1 (as Python floats)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, math.pi, n)
    upper = np.arange(n) % 2 == 0
    x = np.where(upper, np.cos(t), 1.0 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + noise * rng.standard_normal((n, 2))
    labels = np.where(upper, -1.0, 1.0)
    return points.tolist(), labels.tolist()


def initial_weights(nin: int, nouts: list[int], seed: int = 0) -> list[float]:
    """The parameters micrograd's MLP(nin, nouts) draws after random.seed(seed), in the order
    of ``parameters()``: per neuron its nin weights from uniform(-1, 1), then a bias of 0."""
    rng = random.Random(seed)
    weights: list[float] = []
    for fan_in, fan_out in zip([nin, *nouts], nouts, strict=False):
        for _ in range(fan_out):
            weights += [rng.uniform(-1, 1) for _ in range(fan_in)] + [0.0]
    return weights


def step(value_cls, model, xs, ys, alpha=1e-4):
    """Forward + backward of micrograd's demo loss; the same code runs on both libraries."""
    inputs = [[value_cls(x) for x in row] for row in xs]
    scores = [model(row) for row in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    return total


def load(library: str):
    """(Value class, model) of one library, the model holding ``initial_weights``."""
    if library == "micrograd 0.1.0":
        from micrograd.engine import Value
        from micrograd.nn import MLP
    else:  # "minigrad Value", or a baseline "minigrad@REV Value" (see harness.Baseline)
        from minigrad import Value
        from minigrad.nn import MLP
    model = MLP(*SIZES)
    for p, w in zip(model.parameters(), initial_weights(*SIZES), strict=True):
        p.data = w
    return Value, model


def measure_in_kernel(library: str, runs: int, warmup: int, points: int = 100) -> None:
    """Kernel side: time ``runs`` steps of one library and emit times, loss, grads, GC facts."""
    value_cls, model = load(library)
    xs, ys = two_moons(points, noise=0.1, seed=0)
    loss = step(value_cls, model, xs, ys)
    grads = [p.grad for p in model.parameters()]
    times = harness.time_steps(lambda: step(value_cls, model, xs, ys), runs, warmup)
    gc_facts = harness.gc_profile(lambda: step(value_cls, model, xs, ys), 3)
    module = sys.modules[value_cls.__module__].__file__
    harness.emit(
        {"times": times, "loss": loss.data, "grads": grads, "gc": gc_facts, "module": module}
    )


def run(
    kernels: int, runs: int, warmup: int, points: int = 100, baseline: Any = None
) -> tuple[list[harness.Timing], str]:
    """Measure both libraries in ``kernels`` fresh kernels each; return timings and a report.

    ``points``: the size of the dataset (100 in micrograd's demo; fewer for a smoke test).
    ``baseline`` (a ``harness.Baseline``): also measure that revision of minigrad's Value."""
    name = f"Value step 2-16-16-1, {points} points"
    old = f"{baseline.label} Value" if baseline else None
    libraries = LIBRARIES + ((old,) if old else ())
    timings = {lib: harness.Timing(name, lib) for lib in libraries}
    first: dict[str, dict] = {}
    for k in range(kernels):
        for lib in libraries:
            harness.log(f"  Value step, {lib}: kernel {k + 1} of {kernels}")
            result = harness.run_in_kernel(
                "import bench_value\n"
                f"bench_value.measure_in_kernel({lib!r}, {runs}, {warmup}, {points})",
                env=baseline.env if lib == old else None,
            )
            if lib == old:
                baseline.check(result["module"])
            timings[lib].per_kernel.append(result["times"])
            first.setdefault(lib, result)
    micro, mini = (first[lib] for lib in LIBRARIES)
    # The forward pass does the same float operations in the same order: identical loss.
    assert micro["loss"] == mini["loss"], (micro["loss"], mini["loss"])
    # A weight's gradient sums its 100 uses; micrograd's order comes from iterating a set, so
    # the last bits differ.
    np.testing.assert_allclose(mini["grads"], micro["grads"], rtol=1e-12, atol=1e-15)
    for lib in libraries:
        timings[lib].extra = first[lib]["gc"]
    t_micro, t_mini = (timings[lib] for lib in LIBRARIES)
    lines = [
        f"same loss ({mini['loss']:.6f}, bit for bit) and the same {len(mini['grads'])} "
        "gradients (to 1e-12 relative) in both libraries",
        "time per step: median over fresh kernels of each kernel's mean step",
    ]
    lines += [f"  {t.implementation:16} {t.describe()}" for t in (t_micro, t_mini)]
    lines.append(f"minigrad is {t_micro.median / t_mini.median:.1f}x faster (ratio of medians)")
    if old:
        t_old = timings[old]
        lines.append(f"  {old:16} {t_old.describe()}")
        lines.append(
            f"today's minigrad takes {t_mini.median / t_old.median:.2f} of {old}'s time "
            f"(the same run); {old} is {t_micro.median / t_old.median:.1f}x micrograd"
        )
    lines.append("garbage collector during a step (in the kernel):")
    for t in timings.values():
        facts = ", ".join(f"{v:,.1f} {k}" for k, v in t.extra.items())
        lines.append(f"  {t.implementation}: {facts}")
    return list(timings.values()), "\n".join(lines)


def main() -> None:
    """Measure and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=3, help="fresh kernels per library")
    parser.add_argument("--runs", type=int, default=5, help="timed steps per kernel")
    parser.add_argument("--warmup", type=int, default=harness.WARMUP, help="untimed steps first")
    args = parser.parse_args()
    print(run(args.kernels, args.runs, args.warmup)[1])


if __name__ == "__main__":
    main()
