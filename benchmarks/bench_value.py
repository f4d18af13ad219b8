"""Time one training step of micrograd 0.1.0 and of minigrad's Value engine, in one process.

The step is micrograd's demo (its ``demo.ipynb``): an MLP 2-16-16-1 built from scalar Value
ops, scored on 100 points of a two-moons dataset, with an SVM "max-margin" (hinge) loss plus
L2 regularisation, then ``zero_grad()`` and ``backward()``. minigrad's MLP gets a copy of
micrograd's initial weights; the script checks that both give the same loss and the same
gradients (the loss bit for bit), then prints the time per step of each and the ratio.

Run: ``.venv/bin/python benchmarks/bench_value.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import time

import numpy as np
from micrograd.engine import Value as MicroValue
from micrograd.nn import MLP as MicroMLP

from minigrad import Value
from minigrad.nn import MLP


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


def best_time(fn, repeat: int) -> float:
    """The fastest of `repeat` runs of fn(), in seconds of this process's CPU time.

    CPU time (not wall-clock time) so that other programs busy on the machine count less;
    the fastest run is the one least disturbed by them.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    """Check both libraries agree, then time them and print the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per library")
    args = parser.parse_args()

    xs, ys = two_moons(100, noise=0.1, seed=0)
    random.seed(0)
    micro = MicroMLP(2, [16, 16, 1])
    mini = MLP(2, [16, 16, 1])
    for p_mini, p_micro in zip(mini.parameters(), micro.parameters(), strict=True):
        p_mini.data = float(p_micro.data)

    loss_micro = step(MicroValue, micro, xs, ys)
    loss_mini = step(Value, mini, xs, ys)
    # The forward pass does the same float operations in the same order: identical loss.
    assert loss_mini.data == loss_micro.data, (loss_mini.data, loss_micro.data)
    # A weight's gradient is a sum over its 100 uses; the two libraries add them up in a
    # different order (micrograd's order comes from iterating a set), so the last bits differ.
    grads_micro = np.array([p.grad for p in micro.parameters()])
    grads_mini = np.array([p.grad for p in mini.parameters()])
    np.testing.assert_allclose(grads_mini, grads_micro, rtol=1e-12, atol=1e-15)
    print(
        f"same loss ({loss_mini.data:.6f}, bit for bit) and the same {len(grads_mini)} "
        "gradients (to 1e-12 relative)"
    )

    t_micro = best_time(lambda: step(MicroValue, micro, xs, ys), args.repeat)
    t_mini = best_time(lambda: step(Value, mini, xs, ys), args.repeat)
    print(f"micrograd 0.1.0: {t_micro * 1e3:7.1f} ms per step")
    print(f"minigrad Value:  {t_mini * 1e3:7.1f} ms per step")
    print(f"minigrad is {t_micro / t_mini:.1f}x faster")


if __name__ == "__main__":
    main()
