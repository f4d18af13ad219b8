"""Exercise 05 (framework kernels): backward functors on numpy arrays, dtype-correct.

Like OneFlow's ``BinaryFunctor`` specialisations, each functor computes ``dx`` from ``dy`` and
what the forward saved (the input x, or the output y), in the input's dtype: the checks run
in float32 and float64 and a float32 answer that came back as float64 fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.core import Exercise, Question, need

DTYPES = (np.float32, np.float64)


def _array(
    rng: np.random.Generator, shape: tuple[int, ...], low: float, high: float, dtype: type
) -> np.ndarray:
    x = rng.uniform(low, high, size=shape)
    flat = x.reshape(-1)
    flat[:1] = 0.0  # an edge point
    return x.astype(dtype)


def _shape(rng: np.random.Generator) -> tuple[int, ...]:
    return tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))


def _unary_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for dtype in DTYPES + DTYPES:
        shape = _shape(rng)
        x = _array(rng, shape, -8.0, 8.0, dtype)
        cases.append({"dy": rng.normal(size=shape).astype(dtype), "x": x})
    return cases


def _torch_unary_grad(fn: Callable[[Any], Any], x: np.ndarray, dy: np.ndarray) -> np.ndarray:
    import torch

    t = torch.tensor(x, requires_grad=True)
    fn(t).backward(torch.tensor(dy))
    return t.grad.numpy()


def _exp2_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    return need(ns, "exp2_backward_with_dy_x")(case["dy"], case["x"])


def _exp2_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    return _torch_unary_grad(torch.exp2, case["x"], case["dy"])


def _tanh_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    import torch

    cases = []
    for case in _unary_cases(rng):
        x = case.pop("x")
        # The functor sees only the saved output y = tanh(x), computed as torch does.
        case["y"] = torch.tanh(torch.tensor(x)).numpy()
        case["_x"] = x
        cases.append(case)
    return cases


def _tanh_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    return need(ns, "tanh_backward_with_dy_y")(case["dy"], case["y"])


def _tanh_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    return _torch_unary_grad(torch.tanh, case["_x"], case["dy"])


def _div_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    # a and b in turn have the full shape and the other one broadcasts to it (smaller), so
    # gradients shaped like one operand are wrong every time.
    for dtype, largest in zip(DTYPES + DTYPES, ("a", "b", "b", "a"), strict=True):
        shape = tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(1, 3))))
        small = tuple(1 if rng.random() < 0.5 else n for n in shape)[int(rng.integers(0, 2)) :]
        if small == shape:
            small = shape[1:]
        a_shape, b_shape = (shape, small) if largest == "a" else (small, shape)
        a = _array(rng, a_shape, -3.0, 3.0, dtype)
        b = rng.choice([-1.0, 1.0], size=b_shape) * rng.uniform(0.5, 3.0, size=b_shape)
        b = b.astype(dtype)
        dy = rng.normal(size=shape).astype(dtype)
        cases.append({"dy": dy, "a": a, "b": b, "y": (a / b).astype(dtype)})
    return cases


def _div_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    grads = need(ns, "div_backward")(case["dy"], case["a"], case["b"], case["y"])
    if not isinstance(grads, tuple | list) or len(grads) != 2:
        raise ValueError("div_backward must return two arrays: (da, db)")
    return tuple(grads)


def _div_expected(case: dict[str, Any]) -> tuple:
    # In the broadcast shape (the engine unbroadcasts later): differentiate broadcast copies.
    import torch

    shape = np.broadcast_shapes(case["a"].shape, case["b"].shape)
    a, b = (torch.tensor(np.broadcast_to(case[k], shape).copy(), requires_grad=True) for k in "ab")
    (a / b).backward(torch.tensor(case["dy"]))
    return a.grad.numpy(), b.grad.numpy()


EXERCISE = Exercise(
    id="05_framework_kernels",
    title="Backward functors, as in a real framework",
    questions=(
        Question(
            name="q1",
            title="exp2 backward with dy and x, float32 and float64",
            needs=("exp2_backward_with_dy_x",),
            make_cases=_unary_cases,
            run=_exp2_run,
            expected=_exp2_expected,
            rtol=1e-5,
            atol=1e-6,
            check_dtype=True,
        ),
        Question(
            name="q2",
            title="tanh backward with dy and the saved output y",
            needs=("tanh_backward_with_dy_y",),
            make_cases=_tanh_cases,
            run=_tanh_run,
            expected=_tanh_expected,
            rtol=1e-5,
            atol=1e-6,
            check_dtype=True,
        ),
        Question(
            name="q3",
            title="div backward for both operands, in the broadcast shape",
            needs=("div_backward",),
            make_cases=_div_cases,
            run=_div_run,
            expected=_div_expected,
            rtol=1e-5,
            atol=1e-6,
            check_dtype=True,
            hint="return both gradients in the shape of dy (the broadcast shape)",
        ),
    ),
)


# q4 (implement): a kernel-table entry for SiLU ---------------------------------------------


def _silu_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for dtype in DTYPES + DTYPES:
        shape = _shape(rng)
        x = _array(rng, shape, -6.0, 6.0, dtype)
        cases.append({"x": x, "dy": rng.normal(size=shape).astype(dtype)})
    # Far out on both sides (exp overflows there in a naive sigmoid), in both dtypes.
    for dtype in DTYPES:
        x = np.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0], dtype=dtype)
        cases.append({"x": x, "dy": np.ones_like(x)})
    return cases


def _silu_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    """The student's entry in minigrad's own table, run by minigrad's own elementwise Op:
    forward, the node it records, and the gradient through the engine."""
    import minigrad
    from minigrad._tensor import apply
    from minigrad.kernels import UNARY_KERNELS, UnaryKernel
    from minigrad.ops.elementwise import unary_op

    need(ns, "silu_forward")
    entry = UNARY_KERNELS.get("silu")
    if not isinstance(entry, UnaryKernel):
        raise ValueError(
            'UNARY_KERNELS["silu"] is not a UnaryKernel: register one (the cell after '
            "silu_backward does it)"
        )
    if entry.saves not in ("x", "y"):
        raise ValueError(f"the entry saves {entry.saves!r}: a SiLU backward needs x or y")
    x = minigrad.tensor(case["x"], requires_grad=True)
    with np.errstate(over="ignore"):  # exp(-x) may overflow in a correct forward: silently
        y = apply(unary_op("silu"), x)
        y.backward(minigrad.tensor(case["dy"]))
    return y.detach().numpy(), x.grad.numpy()


def _silu_expected(case: dict[str, Any]) -> tuple:
    import torch

    x = torch.tensor(case["x"], requires_grad=True)
    y = torch.nn.functional.silu(x)
    y.backward(torch.tensor(case["dy"]))
    return y.detach().numpy(), x.grad.numpy()


SILU = Question(
    name="q4",
    title="a kernel-table entry for SiLU: forward, backward, what it saves",
    needs=("silu_forward", "silu_backward"),
    make_cases=_silu_cases,
    run=_silu_run,
    expected=_silu_expected,
    rtol=1e-5,
    atol=1e-6,
    check_dtype=True,
    points=3,
    difficulty=2,
    hint="the result is (y = silu(x), x.grad), both in x's shape and dtype",
    layout="the result is (y = silu(x), x.grad)",
)
# The functors of q1-q3 follow notebook 05 closely (warm-ups); q4 adds an entry to the table.
EXERCISE = Exercise(
    id=EXERCISE.id,
    title=EXERCISE.title,
    questions=(*(dataclasses.replace(q, kind="warm-up") for q in EXERCISE.questions), SILU),
    version=2,
)
