"""Exercise 07 (gradients of gradients): a Laplacian, J v from two reverse passes, a Function
that can be differentiated twice, two bugs that make second derivatives silently wrong, and
predictions of what autograd does under ``create_graph=True``.

Every second derivative is asked exactly (float64 to a few ulps): a finite difference fails.
The functions the student's code differentiates couple their inputs (``A @ x``, ``sum(x)**2``),
so a trick that only holds for elementwise functions (the gradient of ``g.sum()``) is wrong
every time, and their Jacobians are not symmetric, so ``J^T v`` is never ``J v``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

# A function f(x) of a 1-d x whose Hessian is full (q1, q5) -------------------------------


def _coupled(rng: np.random.Generator, n: int) -> dict[str, Any]:
    """f(x) = sum(tanh(A @ x + b)) + c * sum(x)**2 + sum(d * x**3): every pair of inputs
    interacts (through A and through the square of the sum), some curvature is negative."""
    m = int(rng.integers(1, 4))
    return {
        "A": rng.normal(scale=1.2, size=(m, n)),
        "b": rng.normal(size=m),
        "c": float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)),
        "d": rng.normal(size=n),
        "x": rng.normal(size=n),
    }


def _scalar_fn(lib: Any, case: dict[str, Any]) -> Callable[[Any], Any]:
    A, b, d = (lib.tensor(case[k], dtype=lib.float64) for k in ("A", "b", "d"))
    c = case["c"]

    def f(x: Any) -> Any:
        return (A @ x + b).tanh().sum() + c * x.sum() ** 2 + (d * x**3).sum()

    return f


def _coupled_describe(case: dict[str, Any]) -> str:
    return _(
        "f(x) = sum(tanh(A @ x + b)) + c * sum(x)**2 + sum(d * x**3) with A of shape {shape}, "
        "c={c}, at x={x}",
        shape=case["A"].shape,
        c=f"{case['c']:.4g}",
        x=_short(case["x"]),
    )


def _short(x: Any) -> str:
    text = np.array2string(np.asarray(x), precision=4, threshold=8, edgeitems=2)
    return " ".join(text.split())


def _as_array(value: Any, what: str) -> np.ndarray:
    """A result (a minigrad Tensor, an array or a number) as an array in its own dtype."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    out = np.array(value)
    if out.dtype.kind not in "fiu":
        raise ValueError(_("{what} must be numbers, got {kind}", what=what, kind=type(value)))
    return out


# q1 (warm-up): the Laplacian, the trace of the Hessian -------------------------------------


def _laplacian_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    return [_coupled(rng, n) for n in (1, 2, 3, 3, 4, 5)]


def _laplacian_run(ns: dict[str, Any], case: dict[str, Any]) -> float:
    import minigrad

    x = minigrad.tensor(case["x"], requires_grad=True)
    out = _as_array(need(ns, "laplacian")(_scalar_fn(minigrad, case), x), _("laplacian's result"))
    if out.size != 1:
        raise ValueError(
            _("laplacian must return one number (the trace), got shape {shape}", shape=out.shape)
        )
    return float(out.reshape(()))


def _hessian_t(case: dict[str, Any]) -> Any:
    import torch

    x = torch.tensor(case["x"], dtype=torch.float64)
    return torch.autograd.functional.hessian(_scalar_fn(torch, case), x)


def _laplacian_expected(case: dict[str, Any]) -> float:
    return float(_hessian_t(case).trace())


# q2 (implement): J v from two reverse passes -----------------------------------------------


def _jvp_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    kinds = ["square", "wide", "tall", "linear", "gradient", "scalar", "matrix", "square"]
    cases = []
    for kind in kinds:
        n = int(rng.integers(2, 5))
        m = {"square": n, "wide": n - 1, "tall": n + 2}.get(kind, n + 1)
        cases.append(
            {
                "kind": kind,
                "A": rng.normal(scale=1.2, size=(m, n)),
                "B": rng.normal(size=(m, n)),
                "x": rng.normal(size=n),
                "v": rng.normal(size=n),
            }
        )
    return cases


def _vector_fn(lib: Any, case: dict[str, Any]) -> Callable[[Any], Any]:
    """The function whose J v is asked, for minigrad or torch (the same formula)."""
    A, B = (lib.tensor(case[k], dtype=lib.float64) for k in ("A", "B"))
    kind = case["kind"]

    def func(x: Any) -> Any:
        if kind == "linear":
            return A @ x
        if kind == "gradient":  # its Jacobian is a Hessian: J v is H v
            h = (A @ x).sin().sum() * x.sum() + (x**4).sum()
            (g,) = lib.autograd.grad(h, x, create_graph=True)
            return g
        if kind == "scalar":
            return (A @ x).tanh().sum() * (x * x).sum()
        if kind == "matrix":  # shape (m, n)
            return (A @ x).tanh().reshape(-1, 1) * (x * x).reshape(1, -1)
        return (A @ x).tanh() * (B @ x)  # square, wide, tall: J is not symmetric

    return func


FORMULAS = {
    "linear": "func(x) = A @ x",
    "gradient": "func(x) = the gradient of sum(sin(A @ x)) * sum(x) + sum(x**4)",
    "scalar": "func(x) = sum(tanh(A @ x)) * sum(x * x)",
    "matrix": "func(x) = tanh(A @ x)[:, None] * (x * x)[None, :]",
}


def _jvp_describe(case: dict[str, Any]) -> str:
    formula = FORMULAS.get(case["kind"], "func(x) = tanh(A @ x) * (B @ x)")
    return _(
        "{formula} with A of shape {shape}, at x={x}, v={v}",
        formula=formula,
        shape=case["A"].shape,
        x=_short(case["x"]),
        v=_short(case["v"]),
    )


@contextmanager
def _without_functional() -> Iterator[None]:
    """minigrad.autograd.functional answers q2 in one call: switched off while q2 runs."""
    from minigrad.autograd import functional

    names = ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp")
    saved = {name: getattr(functional, name) for name in names}

    def off(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            _(
                "this question asks you to build J v from autograd.grad: "
                "minigrad.autograd.functional is switched off while it is checked"
            )
        )

    for name in names:
        setattr(functional, name, off)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(functional, name, fn)


def _jvp_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    import minigrad

    jvp = need(ns, "jvp")
    x, v = minigrad.tensor(case["x"]), minigrad.tensor(case["v"])
    with _without_functional():
        out = jvp(_vector_fn(minigrad, case), x, v)
    return _as_array(out, _("jvp's result")).astype(np.float64)


def _jvp_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    x = torch.tensor(case["x"], dtype=torch.float64)
    J = torch.autograd.functional.jacobian(_vector_fn(torch, case), x)
    return (J @ torch.tensor(case["v"], dtype=torch.float64)).numpy()


# q3 (implement) and q4 (debug): Functions whose backward can be differentiated --------------


def _double_cases(
    special: list[float], scale: float
) -> Callable[[np.random.Generator], list[dict[str, Any]]]:
    """Special points in float64 and float32, then random shapes (a 0-d one among them)."""

    def make(rng: np.random.Generator) -> list[dict[str, Any]]:
        xs = [np.array(special), np.array(special, dtype=np.float32), rng.normal(size=())]
        for _draw in range(3):
            shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
            xs.append(rng.normal(scale=scale, size=shape))
        xs.append(rng.normal(scale=scale, size=(3, 2)).astype(np.float32))
        cases = []
        for x in xs:
            # Gradients away from 0, of both signs, so that no term of the answer hides.
            g = rng.choice([-1.0, 1.0], size=x.shape) * rng.uniform(0.5, 2.0, size=x.shape)
            u = rng.choice([-1.0, 1.0], size=x.shape) * rng.uniform(0.5, 2.0, size=x.shape)
            # (np.asarray: a 0-d product is a numpy scalar, which the wire sends as a float.)
            g, u = np.asarray(g, dtype=x.dtype), np.asarray(u, dtype=x.dtype)
            cases.append({"x": x, "grad_output": g, "u": u})
        return cases

    return make


def _double_run(name: str) -> Callable[[dict[str, Any], dict[str, Any]], tuple]:
    """Run a student's Function, then differentiate its gradient once more: what
    gradgradcheck checks, against PyTorch instead of finite differences."""

    def run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
        import minigrad

        function = need(ns, name)
        x = minigrad.tensor(case["x"], requires_grad=True)
        g = minigrad.tensor(case["grad_output"], requires_grad=True)
        y = function.apply(x)
        (d1,) = minigrad.autograd.grad(y, x, grad_outputs=g, create_graph=True)
        if not d1.requires_grad:
            raise ValueError(_(NO_GRAPH, name=name))
        u = minigrad.tensor(case["u"])
        d2x, d2g = minigrad.autograd.grad(d1, (x, g), grad_outputs=u, allow_unused=True)
        if d2x is None:
            raise ValueError(_(NO_X, name=name))
        if d2g is None:
            raise ValueError(_(NO_GRAD_OUTPUT, name=name))
        return tuple(_as_array(t, name) for t in (y, d1, d2x, d2g))

    return run


NO_GRAPH = N_(
    "the gradient {name}.backward returns has no graph, so it cannot be differentiated again: "
    "write backward with minigrad operations on the Tensors it gets (no numpy, .numpy(), "
    ".detach() or .data)"
)
NO_X = N_(
    "the gradient {name}.backward returns does not depend on x through recorded operations "
    "(did it detach x, or use numpy on it?)"
)
NO_GRAD_OUTPUT = N_(
    "the gradient {name}.backward returns does not depend on grad_output through recorded "
    "operations (did it detach grad_output?): gradgradcheck differentiates with respect to it too"
)


def _double_expected(reference: Callable[[Any], Any]) -> Callable[[dict[str, Any]], tuple]:
    """PyTorch's (y, dL/dx, and the derivatives of <dL/dx, u> by x and by grad_output), in
    float64 from the case's inputs, then in the case's dtype."""

    def expected(case: dict[str, Any]) -> tuple:
        import torch

        dtype = case["x"].dtype
        x = torch.tensor(case["x"].astype(np.float64), requires_grad=True)
        g = torch.tensor(case["grad_output"].astype(np.float64), requires_grad=True)
        y = reference(x)
        (d1,) = torch.autograd.grad(y, x, g, create_graph=True)
        d2x, d2g = torch.autograd.grad(d1, (x, g), torch.tensor(case["u"].astype(np.float64)))
        return tuple(t.detach().numpy().astype(dtype) for t in (y, d1, d2x, d2g))

    return expected


def _log_cosh(x: Any) -> Any:
    """torch's log(cosh(x)), with |x| - log 2 + log1p(exp(-2|x|)) where cosh overflows."""
    import torch

    small = x.abs() <= 20
    safe = torch.where(small, x, torch.zeros_like(x))
    a = torch.where(small, torch.ones_like(x), x.abs())
    far = a - math.log(2) + torch.log1p(torch.exp(-2 * a))
    return torch.where(small, torch.log(torch.cosh(safe)), far)


def _smooth_abs(x: Any) -> Any:
    return (x * x + 1).sqrt() - 1


# Exact answers: float64 within a few ulps (a finite difference is far off), float32 within
# its own rounding.
TOLERANCE = {np.dtype(np.float32): (1e-5, 1e-6), np.dtype(np.float64): (1e-10, 1e-12)}


def _by_dtype(case: dict[str, Any], want: Any, got: Any) -> str:
    """Compare in the tolerance of the case's dtype, the dtype itself checked."""
    rtol, atol = TOLERANCE[case["x"].dtype]
    question = Question(
        "", "", (), _double_cases([], 1.0), _double_run(""), _no_expected,
        rtol=rtol, atol=atol, check_dtype=True, layout=DOUBLE_LAYOUT,
    )  # fmt: skip
    return compare(got, want, question)


def _no_expected(case: dict[str, Any]) -> Any:
    return None


def _double_describe(case: dict[str, Any]) -> str:
    return _(
        "x={x} ({dtype}), grad_output={g}, u={u}",
        x=_short(case["x"]),
        dtype=case["x"].dtype,
        g=_short(case["grad_output"]),
        u=_short(case["u"]),
    )


DOUBLE_LAYOUT = N_(
    "the result is (y, x's gradient d1 for grad_output, then the gradients of sum(d1 * u) "
    "with respect to x and to grad_output)"
)


# q5 (debug): a Hessian-vector product by two backward() calls ------------------------------


def _hvp_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [_coupled(rng, n) for n in (1, 2, 3, 4, 5)]
    for case in cases:
        case["v"] = rng.normal(size=case["x"].shape)
    return cases


def _hvp_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    import minigrad

    w, v = minigrad.tensor(case["x"]), minigrad.tensor(case["v"])
    out = need(ns, "hvp")(_scalar_fn(minigrad, case), w, v)
    return _as_array(out, _("hvp's result")).astype(np.float64)


def _hvp_expected(case: dict[str, Any]) -> np.ndarray:
    return (_hessian_t(case) @ _torch_array(case["v"])).numpy()


def _torch_array(a: np.ndarray) -> Any:
    import torch

    return torch.tensor(a, dtype=torch.float64)


def _hvp_describe(case: dict[str, Any]) -> str:
    return _coupled_describe(case) + ", v=" + _short(case["v"])


# q6 (predict): what autograd does, answered as data ----------------------------------------

#: Each prediction's code, as the notebook shows it; ``answer`` is what is to be predicted.
#: The grader runs it with PyTorch (minigrad gives the same), so the truth is never typed in.
PREDICTIONS = {
    "a": (
        "x = torch.tensor(2.0, requires_grad=True)\n"
        "y = x**3\n"
        "y.backward(create_graph=True)\n"
        "y.backward(create_graph=True)\n"
        "answer = [x.grad.item(), x.grad.requires_grad]"
    ),
    "b": (
        "x = torch.tensor(2.0, requires_grad=True)\n"
        "(g,) = torch.autograd.grad(x**3, x, create_graph=True)\n"
        "(h,) = torch.autograd.grad(x**3, x)\n"
        "answer = [g.requires_grad, g.is_leaf, h.requires_grad, h.is_leaf]"
    ),
    "c": (
        "x = torch.tensor(3.0, requires_grad=True)\n"
        "(x**2).backward(create_graph=True)\n"
        "x.grad.backward()\n"
        "answer = x.grad.item()"
    ),
    "d": (
        "x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)\n"
        "(g,) = torch.autograd.grad((torch.relu(x) * x).sum(), x, create_graph=True)\n"
        "(h,) = torch.autograd.grad(g.sum(), x)\n"
        "answer = [g.tolist(), h.tolist()]"
    ),
    "e": (
        "class Cube(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x):\n"
        "        ctx.save_for_backward(x)\n"
        "        return x**3\n"
        "\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad_output):\n"
        "        (x,) = ctx.saved_tensors\n"
        "        return grad_output * torch.tensor(3 * x.detach().numpy() ** 2)\n"
        "\n"
        "\n"
        "x = torch.tensor(2.0, requires_grad=True)\n"
        "(d1,) = torch.autograd.grad(x**2 + Cube.apply(x), x, create_graph=True)\n"
        "(d2,) = torch.autograd.grad(d1, x)\n"
        "answer = [d1.item(), d2.item()]"
    ),
    "f": (
        "def f(x):\n"
        "    return (x.sin() * x).sum()\n"
        "\n"
        "\n"
        "answer = list(torch.autograd.functional.hessian(f, torch.ones(2, 3)).shape)"
    ),
}


# A central difference of J v or of a gradient is good to about 1e-10 at best: an exact answer
# is asked to a few hundred ulps (J v and H v come from the same two passes as PyTorch's).
EXACT_RTOL, EXACT_ATOL = 1e-12, 1e-13

EXERCISE = Exercise(
    id="07_higher_order",
    title=N_("Gradients of gradients"),
    version=1,
    questions=(
        Question(
            name="q1",
            title=N_("the Laplacian of f: the trace of its Hessian"),
            needs=("laplacian",),
            make_cases=_laplacian_cases,
            run=_laplacian_run,
            expected=_laplacian_expected,
            rtol=1e-10,
            atol=1e-12,
            kind="warm-up",
            describe=_coupled_describe,
        ),
        Question(
            name="q2",
            title=N_("jvp: J v from two reverse passes (forward mode without forward mode)"),
            needs=("jvp",),
            make_cases=_jvp_cases,
            run=_jvp_run,
            expected=_jvp_expected,
            rtol=EXACT_RTOL,
            atol=EXACT_ATOL,
            points=3,
            difficulty=2,
            hint=N_("J v has the shape of func(x); J^T v would have the shape of x"),
            describe=_jvp_describe,
        ),
        Question(
            name="q3",
            title=N_("LogCoshFunction: a backward that can be differentiated again"),
            needs=("LogCoshFunction",),
            make_cases=_double_cases([-800.0, -20.0, -1e-3, 0.0, 1e-3, 0.5, 20.0, 800.0], 3.0),
            run=_double_run("LogCoshFunction"),
            expected=_double_expected(_log_cosh),
            accept=_by_dtype,
            points=3,
            difficulty=2,
            hint=DOUBLE_LAYOUT,
            layout=DOUBLE_LAYOUT,
            describe=_double_describe,
        ),
        Question(
            name="q4",
            title=N_("SmoothAbsFunction: gradcheck passes, gradgradcheck does not"),
            needs=("SmoothAbsFunction",),
            make_cases=_double_cases([-1e3, -2.0, -0.5, 0.0, 0.5, 2.0, 1e3], 3.0),
            run=_double_run("SmoothAbsFunction"),
            expected=_double_expected(_smooth_abs),
            accept=_by_dtype,
            points=2,
            kind="debug",
            difficulty=3,
            hint=DOUBLE_LAYOUT,
            layout=DOUBLE_LAYOUT,
            describe=_double_describe,
        ),
        Question(
            name="q5",
            title=N_("hvp by two backward() calls: find and fix the bug"),
            needs=("hvp",),
            make_cases=_hvp_cases,
            run=_hvp_run,
            expected=_hvp_expected,
            rtol=EXACT_RTOL,
            atol=EXACT_ATOL,
            kind="debug",
            difficulty=1,
            describe=_hvp_describe,
        ),
        predict_question(
            name="q6",
            title=N_("predict: .grad under create_graph, second derivatives of relu and of numpy"),
            programs=PREDICTIONS,
            points=2,
            difficulty=2,
        ),
    ),
)
