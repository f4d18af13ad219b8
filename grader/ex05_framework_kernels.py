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

from grader.core import (
    Exercise,
    Question,
    compare,
    need,
    predict_question,
)
from grader.messages import N_, _

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
        raise ValueError(_("div_backward must return two arrays: (da, db)"))
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
    title=N_("Backward functors, as in a real framework"),
    questions=(
        Question(
            name="q1",
            title=N_("exp2 backward with dy and x, float32 and float64"),
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
            title=N_("tanh backward with dy and the saved output y"),
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
            title=N_("div backward for both operands, in the broadcast shape"),
            needs=("div_backward",),
            make_cases=_div_cases,
            run=_div_run,
            expected=_div_expected,
            rtol=1e-5,
            atol=1e-6,
            check_dtype=True,
            hint=N_("return both gradients in the shape of dy (the broadcast shape)"),
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
            _(
                'UNARY_KERNELS["silu"] is not a UnaryKernel: register one (the cell after '
                "silu_backward does it)"
            )
        )
    if entry.saves not in ("x", "y"):
        raise ValueError(
            _("the entry saves {saves}: a SiLU backward needs x or y", saves=repr(entry.saves))
        )
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
    title=N_("a kernel-table entry for SiLU: forward, backward, what it saves"),
    needs=("silu_forward", "silu_backward"),
    make_cases=_silu_cases,
    run=_silu_run,
    expected=_silu_expected,
    rtol=1e-5,
    atol=1e-6,
    check_dtype=True,
    points=3,
    difficulty=2,
    hint=N_("the result is (y = silu(x), x.grad), both in x's shape and dtype"),
    layout=N_("the result is (y = silu(x), x.grad)"),
)
# Exact answers are asked: float64 within a few ulps (a finite difference is far off), float32
# within its own rounding.
TOLERANCE = {np.dtype(np.float32): (1e-5, 1e-6), np.dtype(np.float64): (1e-10, 1e-12)}


def _by_dtype(key: str) -> Callable[[Any, Any, dict[str, Any]], str]:
    """Compare with the tolerance of the case's dtype (``case[key]``)."""

    def accept(case: dict[str, Any], want: Any, got: Any) -> str:
        rtol, atol = TOLERANCE[np.asarray(case[key]).dtype]
        question = Question("", "", (), _no_cases, _no_run, _no_run, rtol=rtol, atol=atol,
                            check_dtype=True)  # fmt: skip
        return compare(got, want, question)

    return accept


def _no_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    return []


def _no_run(*args: Any) -> None:
    return None


# q5 (implement): a binary kernel-table entry, logaddexp ---------------------------------


def _logaddexp_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for dtype in DTYPES:
        # a has the full shape, then b; then both broadcast to a shape neither has; then a
        # 0-d operand on either side. Each operand is the largest at least once.
        full = tuple(int(n) for n in rng.integers(2, 5, size=2))
        for a_shape, b_shape in (
            (full, (full[1],)),
            ((full[0], 1), full),
            ((full[0], 1), (full[1],)),
            ((), full),
            (full, ()),
        ):
            a = rng.uniform(-4.0, 4.0, size=a_shape)
            b = rng.uniform(-4.0, 4.0, size=b_shape)
            cases.append({"a": a.astype(dtype), "b": b.astype(dtype)})
    for case in cases:
        shape = np.broadcast_shapes(case["a"].shape, case["b"].shape)
        case["dy"] = rng.normal(size=shape).astype(case["a"].dtype)
    for dtype in DTYPES:
        # Far out (exp overflows in a naive formula; in float32 a form that goes through y
        # loses digits there), equal operands (each gets half), one operand far below.
        a = np.array([1000.0, -1000.0, 3000.0, 0.0, 2.5, -745.0, 30.0], dtype=dtype)
        b = np.array([1000.0, -1000.0, 3000.0, 0.0, 2.5, 10.0, -30.0], dtype=dtype)
        cases.append({"a": a, "b": b, "dy": np.ones_like(a)})
    return cases


def _logaddexp_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    """The student's entry in BINARY_KERNELS, run by minigrad's own binary Op: forward, and
    both gradients through the engine (which sums each back to its operand's shape)."""
    import minigrad
    from minigrad._tensor import apply
    from minigrad.kernels import BINARY_KERNELS, BinaryKernel
    from minigrad.ops.elementwise import binary_op

    for name in ("logaddexp_forward", "logaddexp_backward_a", "logaddexp_backward_b"):
        need(ns, name)
    entry = BINARY_KERNELS.get("logaddexp")
    if not isinstance(entry, BinaryKernel):
        raise ValueError(
            _(
                'BINARY_KERNELS["logaddexp"] is not a BinaryKernel: register one (the cell '
                "after the backward functors does it)"
            )
        )
    a = minigrad.tensor(case["a"], requires_grad=True)
    b = minigrad.tensor(case["b"], requires_grad=True)
    with np.errstate(over="ignore", under="ignore"):  # exp may overflow in a correct answer
        y = apply(binary_op("logaddexp"), a, b)
        y.backward(minigrad.tensor(case["dy"]))
    assert a.grad is not None and b.grad is not None  # both require grad
    # The functors called directly, as the kernel table's contract says: in the broadcast
    # shape and the operands' dtype (the engine would cast a float64 gradient back quietly).
    args = (case["dy"], case["a"], case["b"], y.detach().numpy())
    with np.errstate(over="ignore", under="ignore"):
        direct = [np.asarray(entry.backward_lhs(*args)), np.asarray(entry.backward_rhs(*args))]
    return y.detach().numpy(), a.grad.numpy(), b.grad.numpy(), *direct


def _logaddexp_expected(case: dict[str, Any]) -> tuple:
    import torch

    a, b = (torch.tensor(case[k], requires_grad=True) for k in "ab")
    y = torch.logaddexp(a, b)
    y.backward(torch.tensor(case["dy"]))
    # The gradients of broadcast copies: what each functor returns before unbroadcast.
    shape = y.shape
    wide = [torch.tensor(np.broadcast_to(case[k], shape).copy(), requires_grad=True) for k in "ab"]
    torch.logaddexp(*wide).backward(torch.tensor(case["dy"]))
    return y.detach().numpy(), a.grad.numpy(), b.grad.numpy(), *(w.grad.numpy() for w in wide)


def _pair_describe(case: dict[str, Any]) -> str:
    a, b = case["a"], case["b"]
    return _(
        "a of shape {a_shape}, b of shape {b_shape} ({dtype}): a={a}, b={b}",
        a_shape=a.shape,
        b_shape=b.shape,
        dtype=a.dtype,
        a=_short(a),
        b=_short(b),
    )


def _short(x: np.ndarray) -> str:
    text = np.array2string(x, precision=4, threshold=8, edgeitems=2)
    return " ".join(text.split())


LOGADDEXP = Question(
    name="q5",
    title=N_("a binary kernel-table entry: logaddexp, both gradients, broadcasting"),
    needs=("logaddexp_forward", "logaddexp_backward_a", "logaddexp_backward_b"),
    make_cases=_logaddexp_cases,
    run=_logaddexp_run,
    expected=_logaddexp_expected,
    check_dtype=True,
    accept=_by_dtype("a"),
    points=2,
    difficulty=3,
    hint=N_(
        "the result is (y, a.grad, b.grad, then backward_a and backward_b called directly): "
        "a.grad in a's shape, b.grad in b's, the direct calls in the broadcast shape (dy's)"
    ),
    layout=N_(
        "the result is (y = logaddexp(a, b), a.grad, b.grad, then what logaddexp_backward_a "
        "and logaddexp_backward_b return when called directly)"
    ),
    describe=_pair_describe,
)


# q6 (debug): the SELU entry ---------------------------------------------------------------


def _selu_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"x": np.array([-3.0, -1.0, 0.0, 1.0, 3.0], dtype=dtype)} for dtype in DTYPES]
    for dtype in DTYPES + DTYPES:
        x = rng.uniform(-8.0, 8.0, size=(*_shape(rng), 2))
        x.reshape(-1)[:2] = (0.0, -abs(x.reshape(-1)[1]))  # 0 and a negative in every case
        cases.append({"x": x.astype(dtype)})
    for case in cases:
        case["dy"] = rng.normal(size=case["x"].shape).astype(case["x"].dtype)
    return cases


def _selu_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    """The entry in UNARY_KERNELS, run by minigrad's elementwise Op through the engine."""
    import minigrad
    from minigrad._tensor import apply
    from minigrad.kernels import UNARY_KERNELS, UnaryKernel
    from minigrad.ops.elementwise import unary_op

    need(ns, "selu_backward")
    entry = UNARY_KERNELS.get("selu")
    if not isinstance(entry, UnaryKernel):
        raise ValueError(_('UNARY_KERNELS["selu"] is not a UnaryKernel: run the cell that adds it'))
    x = minigrad.tensor(case["x"], requires_grad=True)
    y = apply(unary_op("selu"), x)
    y.backward(minigrad.tensor(case["dy"]))
    assert x.grad is not None
    # The functor called directly too: the engine would cast a float64 gradient back quietly.
    saved = case["x"] if entry.saves == "x" else y.detach().numpy()
    direct = np.asarray(entry.backward(case["dy"], saved))
    return y.detach().numpy(), x.grad.numpy(), direct


def _selu_expected(case: dict[str, Any]) -> tuple:
    import torch

    x = torch.tensor(case["x"], requires_grad=True)
    y = torch.nn.functional.selu(x)
    y.backward(torch.tensor(case["dy"]))
    return y.detach().numpy(), x.grad.numpy(), x.grad.numpy()


SELU = Question(
    name="q6",
    title=N_("the SELU entry: find and fix the bugs in its backward"),
    needs=("selu_backward",),
    make_cases=_selu_cases,
    run=_selu_run,
    expected=_selu_expected,
    check_dtype=True,
    accept=_by_dtype("x"),
    points=2,
    kind="debug",
    difficulty=2,
    hint=N_(
        "the result is (y = selu(x), x.grad, selu_backward called directly), all in x's "
        "shape and dtype"
    ),
    layout=N_(
        "the result is (y = selu(x), x.grad, what selu_backward returns when called directly)"
    ),
)


# q7 (predict): what a kernel saves, needs_input_grad, dtypes ------------------------------

#: Each prediction's code, as the notebook shows it; ``answer`` is what is to be predicted.
#: The grader runs it with PyTorch (minigrad gives the same), so the truth is never typed in.
#: None depends on whether exp, exp2 or sqrt save their input or their output.
PREDICTIONS = {
    "a": (
        "seen = []\n"
        "class Scale(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, a, b, factor):\n"
        "        seen.append(ctx.needs_input_grad)\n"
        "        return a * b * factor\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad):\n"
        "        return grad, None, None\n"
        "a = torch.ones(2, requires_grad=True)\n"
        "b = torch.ones(2)\n"
        "Scale.apply(a, b, 3.0)\n"
        "answer = list(seen[0])"
    ),
    "b": (
        "x = torch.randn(3, requires_grad=True)\n"
        "h = x * 2\n"
        "y = h.sigmoid()\n"
        "h.add_(1)\n"
        "try:\n"
        "    y.sum().backward()\n"
        "    answer = False\n"
        "except RuntimeError:\n"
        "    answer = True  # backward raised"
    ),
    "c": (
        "x = torch.randn(3, requires_grad=True)\n"
        "h = x * 2\n"
        "y = h.sin()\n"
        "h.add_(1)\n"
        "try:\n"
        "    y.sum().backward()\n"
        "    answer = False\n"
        "except RuntimeError:\n"
        "    answer = True  # backward raised"
    ),
    "d": (
        "x = torch.randn(3, requires_grad=True)\n"
        "h = x * 2\n"
        "c = torch.randn(3)  # does not require grad\n"
        "y = h * c\n"
        "h.add_(1)\n"
        "try:\n"
        "    y.sum().backward()\n"
        "    answer = False\n"
        "except RuntimeError:\n"
        "    answer = True  # backward raised"
    ),
    "e": (
        "x = torch.ones(3, dtype=torch.float32, requires_grad=True)\n"
        "y = (x * torch.tensor(2.0, dtype=torch.float64)).sum()\n"
        "y.backward()\n"
        "answer = [y.dtype == torch.float64, x.grad.dtype == torch.float64]"
    ),
}


PREDICT = predict_question(
    name="q7",
    title=N_("predict: needs_input_grad, what a kernel saves (in-place checks), dtypes"),
    programs=PREDICTIONS,
    points=2,
    difficulty=1,
)

# The functors of q1-q3 follow notebook 05 closely (warm-ups); q4 adds an entry to the table,
# q5 a binary one; q6 is a debug task, q7 predictions.
EXERCISE = Exercise(
    id=EXERCISE.id,
    title=EXERCISE.title,
    questions=(
        *(dataclasses.replace(q, kind="warm-up") for q in EXERCISE.questions),
        SILU,
        LOGADDEXP,
        SELU,
        PREDICT,
    ),
    version=3,
)
