"""Exercise 04 (tensors and Functions): un-broadcasting, manual gradients, LinearFunction."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.core import Exercise, Question, need, predict_question
from grader.messages import N_, _


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
    for _draw in range(4):
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
    # Each of x, y and z in turn has the full shape and the other two broadcast to it, so
    # an output shape computed from some operands only is wrong every time.
    for largest in ("x", "y", "z", "x", "y", "z"):
        full = tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(2, 4))))
        shapes = {k: full if k == largest else _smaller(rng, full) for k in "xyz"}
        cases.append({k: rng.normal(size=shapes[k]) for k in "xyz"})
    return cases


def _smaller(rng: np.random.Generator, full: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts to ``full`` and is not ``full`` (a dim dropped or set to 1)."""
    while True:
        shape = _operand(rng, full)
        if shape != full:
            return shape


def _sum_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    grads = need(ns, "sum_product_grads")(case["x"], case["y"], case["z"])
    if not isinstance(grads, tuple | list) or len(grads) != 3:
        raise ValueError(_("sum_product_grads must return three arrays: (dx, dy, dz)"))
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
    """The gradients ``backward`` returns when called directly (each must have its input's
    own shape: the engine would sum a bias gradient of shape (N, out) silently, as torch
    does), then checked against what ``backward()`` through the engine leaves in ``.grad``."""
    import minigrad

    function = need(ns, "LinearFunction")
    names = ("x", "weight", "bias")
    inputs = [minigrad.tensor(case[k], requires_grad=True) for k in names]
    out = function.apply(*inputs)
    with minigrad.no_grad():
        direct = function.backward(out.grad_fn, minigrad.tensor(case["grad_output"]))
    if not isinstance(direct, tuple | list) or len(direct) != 3:
        raise ValueError(
            _("backward must return three gradients: (grad_x, grad_weight, grad_bias)")
        )
    grads = []
    for name, t, g in zip(names, inputs, direct, strict=True):
        if g is None:
            raise ValueError(
                _("backward returned None for {name}, which needs a gradient", name=name)
            )
        g = np.asarray(g.numpy() if hasattr(g, "numpy") else g, dtype=np.float64)
        if g.shape != t.shape:
            raise ValueError(
                _(
                    "backward returned a gradient of shape {got} for {name}, whose shape is "
                    "{shape}: each gradient must have its input's own shape",
                    got=g.shape,
                    name=name,
                    shape=tuple(t.shape),
                )
            )
        grads.append(g.copy())
    out.backward(minigrad.tensor(case["grad_output"]))
    for name, t, g in zip(names, inputs, grads, strict=True):
        if t.grad is None or not np.allclose(t.grad.numpy(), g, rtol=1e-12, atol=1e-12):
            raise ValueError(
                _("{name}.grad after backward() is not what backward returned", name=name)
            )
    return tuple(grads)


def _linear_expected(case: dict[str, Any]) -> tuple:
    import torch

    x, w, b = (torch.tensor(case[k], requires_grad=True) for k in ("x", "weight", "bias"))
    torch.nn.functional.linear(x, w, b).backward(torch.tensor(case["grad_output"]))
    return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


# q4 (implement): CumsumFunction ------------------------------------------------------------


def _cumsum_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"x": np.array([2.5]), "dim": 0}, {"x": rng.normal(size=(4,)), "dim": -1}]
    # Every dimension of a 3-d input, by a positive and a negative index.
    shape = tuple(int(n) for n in rng.integers(2, 5, size=3))
    cases += [{"x": rng.normal(size=shape), "dim": d} for d in (0, 1, 2, -3, -2)]
    for case in cases:
        case["grad_output"] = rng.normal(size=case["x"].shape)
    return cases


def _function_run(name: str, *params: str) -> Any:
    """Run a student's Function: forward, then its backward called directly (each gradient
    in its input's own shape, None for a non-tensor argument), then through the engine."""

    def run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
        import minigrad

        function = need(ns, name)
        x = minigrad.tensor(case["x"], requires_grad=True)
        out = function.apply(x, *(case[p] for p in params))
        value = np.array(out.detach().numpy(), dtype=np.float64)
        with minigrad.no_grad():
            direct = function.backward(out.grad_fn, minigrad.tensor(case["grad_output"]))
        direct = direct if isinstance(direct, tuple | list) else (direct,)
        if len(direct) != 1 + len(params) or any(g is not None for g in direct[1:]):
            if params:
                raise ValueError(
                    _(
                        "backward must return {n} values, one per argument of forward: the "
                        "gradient for x, then None for {params}",
                        n=1 + len(params),
                        params=", ".join(params),
                    )
                )
            raise ValueError(
                _(
                    "backward must return {n} values, one per argument of forward: the "
                    "gradient for x",
                    n=1,
                )
            )
        grad = np.asarray(
            direct[0].numpy() if hasattr(direct[0], "numpy") else direct[0], dtype=np.float64
        )
        if grad.shape != case["x"].shape:
            raise ValueError(
                _(
                    "backward returned a gradient of shape {got} for x of shape {shape}: it "
                    "must have x's own shape",
                    got=grad.shape,
                    shape=case["x"].shape,
                )
            )
        out.backward(minigrad.tensor(case["grad_output"]))
        return value, grad

    return run


def _cumsum_expected(case: dict[str, Any]) -> tuple:
    import torch

    x = torch.tensor(case["x"], requires_grad=True)
    out = torch.cumsum(x, case["dim"])
    out.backward(torch.tensor(case["grad_output"]))
    return out.detach().numpy(), x.grad.numpy()


def _cumsum_describe(case: dict[str, Any]) -> str:
    return _(
        "x of shape {shape}, dim={dim}: x={x}",
        shape=case["x"].shape,
        dim=case["dim"],
        x=_short(case["x"]),
    )


def _short(x: np.ndarray) -> str:
    text = np.array2string(x, precision=4, threshold=8, edgeitems=2)
    return " ".join(text.split())


# q5 (debug): SoftplusFunction --------------------------------------------------------------


def _softplus_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    # Far from 0 on both sides (where the saved output y is about x, or about exp(x)), at 0,
    # and ordinary values.
    cases = [{"x": np.array([-30.0, -5.0, 0.0, 5.0, 30.0])}]
    for _draw in range(4):
        shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
        cases.append({"x": rng.normal(scale=4.0, size=shape)})
    for case in cases:
        case["grad_output"] = rng.normal(size=case["x"].shape)
    return cases


def _softplus_expected(case: dict[str, Any]) -> tuple:
    import torch

    x = torch.tensor(case["x"], requires_grad=True)
    out = torch.nn.functional.softplus(x)
    out.backward(torch.tensor(case["grad_output"]))
    return out.detach().numpy(), x.grad.numpy()


# q6 (predict): what autograd does, answered as data ----------------------------------------

#: Each prediction's code, as the notebook shows it; ``answer`` is what is to be predicted.
#: The grader runs it with PyTorch (minigrad gives the same), so the truth is never typed in.
PREDICTIONS = {
    "a": (
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
        "y = (x * x).sum()\n"
        "y.backward(retain_graph=True)\n"
        "y.backward()\n"
        "answer = x.grad  # as a list"
    ),
    "b": (
        "w = torch.tensor(2.0, requires_grad=True)\n"
        "h = w * 3\n"
        "answer = [w.is_leaf, h.is_leaf, h.requires_grad]"
    ),
    "c": (
        "w = torch.tensor(2.0, requires_grad=True)\n"
        "h = w * 3\n"
        "(h * h).backward()\n"
        "answer = [w.grad is None, h.grad is None]"
    ),
    "d": (
        "x = torch.randn(5, 3)\n"
        "weight = torch.randn(4, 3, requires_grad=True)\n"
        "bias = torch.randn(4, requires_grad=True)\n"
        "(x @ weight.t() + bias).sum().backward()\n"
        "answer = [*weight.grad.shape, *bias.grad.shape]"
    ),
    "e": (
        "x = torch.tensor(1.0, requires_grad=True)\n"
        "y = x.exp()\n"
        "y.backward()\n"
        "try:\n"
        "    y.backward()\n"
        "    answer = False\n"
        "except RuntimeError:\n"
        "    answer = True  # the second backward raises: the graph was freed"
    ),
}


SHAPE_HINT = N_("sum the gradient over the dimensions that broadcasting added or stretched")

FUNCTION_HINT = N_("the result is (forward's output, the gradient backward returned for x)")

EXERCISE = Exercise(
    id="04_tensors_and_functions",
    title=N_("Tensors and custom Functions"),
    version=2,
    questions=(
        Question(
            name="q1",
            title=N_("unbroadcast a gradient to an input's shape"),
            needs=("unbroadcast",),
            make_cases=_unbroadcast_cases,
            run=_unbroadcast_run,
            expected=_unbroadcast_expected,
            hint=SHAPE_HINT,
            kind="warm-up",
        ),
        Question(
            name="q2",
            title=N_("gradients of c = sum(x * y + z) with broadcasting"),
            needs=("sum_product_grads",),
            make_cases=_sum_cases,
            run=_sum_run,
            expected=_sum_expected,
            hint=SHAPE_HINT,
            kind="warm-up",
        ),
        Question(
            name="q3",
            title=N_("LinearFunction.backward"),
            needs=("LinearFunction.backward",),
            make_cases=_linear_cases,
            run=_linear_run,
            expected=_linear_expected,
            hint=N_("x.grad has x's shape (N, in), weight.grad (out, in), bias.grad (out,)"),
            kind="warm-up",
        ),
        Question(
            name="q4",
            title=N_("CumsumFunction: forward and backward of a cumulative sum"),
            needs=("CumsumFunction",),
            make_cases=_cumsum_cases,
            run=_function_run("CumsumFunction", "dim"),
            expected=_cumsum_expected,
            points=3,
            difficulty=2,
            hint=FUNCTION_HINT,
            layout=FUNCTION_HINT,
            describe=_cumsum_describe,
        ),
        Question(
            name="q5",
            title=N_("SoftplusFunction: find and fix the bug in its backward"),
            needs=("SoftplusFunction",),
            make_cases=_softplus_cases,
            run=_function_run("SoftplusFunction"),
            expected=_softplus_expected,
            rtol=1e-7,
            atol=1e-12,
            points=2,
            kind="debug",
            difficulty=2,
            hint=FUNCTION_HINT,
            layout=FUNCTION_HINT,
        ),
        predict_question(
            name="q6",
            title=N_("predict: x.grad after two backward calls, is_leaf, freed graphs, shapes"),
            programs=PREDICTIONS,
            points=2,
            difficulty=1,
        ),
    ),
)
