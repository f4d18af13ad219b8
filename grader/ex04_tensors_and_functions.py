"""Exercise 04 (tensors and Functions): un-broadcasting, manual gradients, LinearFunction."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.core import Exercise, Question, need


def _operand(rng: np.random.Generator, full: tuple[int, ...]) -> tuple[int, ...]:
    """A random shape that broadcasts to ``full``: leading dims dropped, some dims set to 1."""
    kept = full[int(rng.integers(0, len(full) + 1)) :]
    return tuple(1 if rng.random() < 0.4 else n for n in kept)


def _shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(an operand's shape, a shape it broadcasts to)."""
    full = tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(0, 4))))
    return _operand(rng, full), full


def _unbroadcast_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [
        {"grad": rng.normal(size=(3, 4)), "shape": [4]},
        {"grad": rng.normal(size=(2, 3)), "shape": [2, 1]},
        {"grad": rng.normal(size=(2, 3)), "shape": []},
        {"grad": rng.normal(size=(3,)), "shape": [3]},
    ]
    for _ in range(4):
        small, big = _shapes(rng)
        cases.append({"grad": rng.normal(size=big), "shape": list(small)})
    return cases


def _unbroadcast_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    out = need(ns, "unbroadcast")(case["grad"], tuple(case["shape"]))
    return np.asarray(out, dtype=np.float64)


def _unbroadcast_expected(case: dict[str, Any]) -> np.ndarray:
    # The gradient of sum(expand(x) * grad) with respect to x: what autograd sends to x.
    import torch

    g = torch.tensor(case["grad"], dtype=torch.float64)
    x = torch.zeros(case["shape"], dtype=torch.float64, requires_grad=True)
    (x.expand(g.shape) * g).sum().backward()
    return x.grad.numpy()


def _sum_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [
        {"x": rng.normal(size=(3, 1)), "y": rng.normal(size=(4,)), "z": rng.normal(size=(1,))},
        {"x": rng.normal(size=(2, 3)), "y": rng.normal(size=(2, 3)), "z": rng.normal(size=(2, 3))},
    ]
    for _ in range(4):
        small, big = _shapes(rng)
        z = _operand(rng, big)
        cases.append(
            {"x": rng.normal(size=small), "y": rng.normal(size=big), "z": rng.normal(size=z)}
        )
    return cases


def _sum_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    grads = need(ns, "sum_product_grads")(case["x"], case["y"], case["z"])
    if not isinstance(grads, tuple | list) or len(grads) != 3:
        raise ValueError("sum_product_grads must return three arrays: (dx, dy, dz)")
    return tuple(np.asarray(g, dtype=np.float64) for g in grads)


def _sum_expected(case: dict[str, Any]) -> tuple:
    import torch

    x, y, z = (torch.tensor(case[k], dtype=torch.float64, requires_grad=True) for k in "xyz")
    (x * y + z).sum().backward()
    return x.grad.numpy(), y.grad.numpy(), z.grad.numpy()


def _linear_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for square in (True, False, False, False):
        n, fan_in = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        fan_out = fan_in if square else fan_in + int(rng.integers(1, 4))
        cases.append(
            {
                "x": rng.normal(size=(n, fan_in)),
                "weight": rng.normal(size=(fan_out, fan_in)),
                "bias": rng.normal(size=(fan_out,)),
                "grad_output": rng.normal(size=(n, fan_out)),
            }
        )
    return cases


def _linear_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    import minigrad

    function = need(ns, "LinearFunction")
    inputs = [minigrad.tensor(case[k], requires_grad=True) for k in ("x", "weight", "bias")]
    out = function.apply(*inputs)
    out.backward(minigrad.tensor(case["grad_output"]))
    grads = []
    for name, t in zip(("x", "weight", "bias"), inputs, strict=True):
        if t.grad is None:
            raise ValueError(f"{name}.grad is None: backward returned no gradient for {name}")
        grads.append(np.array(t.grad.numpy(), dtype=np.float64))
    return tuple(grads)


def _linear_expected(case: dict[str, Any]) -> tuple:
    import torch

    x, w, b = (torch.tensor(case[k], requires_grad=True) for k in ("x", "weight", "bias"))
    torch.nn.functional.linear(x, w, b).backward(torch.tensor(case["grad_output"]))
    return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


SHAPE_HINT = "sum the gradient over the dimensions that broadcasting added or stretched"

EXERCISE = Exercise(
    id="04_tensors_and_functions",
    title="Tensors and custom Functions",
    questions=(
        Question(
            name="q1",
            title="unbroadcast a gradient to an input's shape",
            needs=("unbroadcast",),
            make_cases=_unbroadcast_cases,
            run=_unbroadcast_run,
            expected=_unbroadcast_expected,
            hint=SHAPE_HINT,
        ),
        Question(
            name="q2",
            title="gradients of c = sum(x * y + z) with broadcasting",
            needs=("sum_product_grads",),
            make_cases=_sum_cases,
            run=_sum_run,
            expected=_sum_expected,
            hint=SHAPE_HINT,
        ),
        Question(
            name="q3",
            title="LinearFunction.backward",
            needs=("LinearFunction.backward",),
            make_cases=_linear_cases,
            run=_linear_run,
            expected=_linear_expected,
            hint="x.grad has x's shape (N, in), weight.grad (out, in), bias.grad (out,)",
        ),
    ),
)
