"""Exercise 01 (chain rule): a total derivative, choosing h, dual numbers, a bug, predictions.

q1 (warm-up) is a derivative by hand through a shared subexpression; q2 (implement) a central
difference whose step the student chooses from the two error terms, graded on the error bound
that step gives; q3 (implement) the forward-mode rules of four operations on dual numbers,
run on random programs with shared subexpressions; q4 (debug) a hand-written gradient with
planted bugs; q5 (predict) costs and errors, answered as data and computed here, never typed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.core import Exercise, Question, need, predict_question
from grader.messages import N_, _

#: Exact answers are asked: a difference from PyTorch's this small is rounding; a central
#: difference (error about 1e-10 at its best step) is well outside it.
EXACT = {"rtol": 1e-12, "atol": 1e-13}
EPS = float(np.finfo(np.float64).eps)


def _points(rng: np.random.Generator, zero: bool = True, high: float = 3.0) -> np.ndarray:
    """Random points, with 0 and negative numbers among them (edge points)."""
    n = int(rng.integers(4, 12))
    x = rng.uniform(0.25, high, size=n) * rng.choice([-1.0, 1.0], size=n)
    x[0] = 0.0 if zero else -abs(x[0])
    x[1] = -abs(x[1])
    return rng.permutation(x)


def _torch_grad(fn: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    import torch

    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


# q1 (warm-up): a shared subexpression ---------------------------------------------------------


def _shared_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    # Points up to 2.2 only: beyond, u = x**2 makes sin(u) + u cos(u) + 1 cancel badly enough
    # that two correct formulas differ by more than rounding at 1e-12.
    return [{"x": _points(rng, high=2.2)} for _ in range(4)]


def _shared_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    return np.asarray(need(ns, "d_shared")(case["x"]), dtype=np.float64)


def _shared_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    def f(t: Any) -> Any:
        u = t**2
        return u * torch.sin(u) + u

    return _torch_grad(f, case["x"])


# q2 (implement): the central difference with a step chosen from the error bound -------------


def bound(h: float, f_size: float, f3_size: float) -> float:
    """The error bound of notebook 01 for a central difference with step h:
    rounding eps |f| / h plus truncation h**2 |f'''| / 6."""
    return EPS * f_size / h + h * h * f3_size / 6


def best_bound(f_size: float, f3_size: float) -> float:
    """The smallest value of :func:`bound` over h (at h = (3 eps |f| / |f'''|) ** (1/3))."""
    return bound((3 * EPS * f_size / f3_size) ** (1 / 3), f_size, f3_size)


#: A step may give at most this multiple of the best bound (any h from 0.2 to 3.4 times the
#: best one): a constant step, the forward difference's step or a misplaced scale is off by
#: far more in at least one fixed case.
SLACK = 4.0


def _step_case(kind: str, amplitude: float, k: float, t: float, phase: float) -> dict[str, Any]:
    # f(v) = A sin(k v + phase) or A exp(k v), at x = t / k: f varies on the scale 1/k, and
    # |f| and |f'''| differ by k**3, so no constant step (and no step from |x| alone) fits all.
    x = t / k
    if kind == "sin":
        f_size, f3_size = amplitude, amplitude * k**3
    else:
        f_size, f3_size = amplitude * math.exp(t), amplitude * k**3 * math.exp(t)
    return {
        "f": kind,
        "amplitude": amplitude,
        "k": k,
        "phase": phase,
        "x": x,
        "f_size": f_size,
        "f3_size": f3_size,
    }


def _step_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    def t() -> float:
        return float(rng.uniform(0.3, 2.5))

    def phase() -> float:
        return float(rng.uniform(-1.0, 1.0))

    # Fixed scales: ordinary (where eps ** (1/3) is about right), at x = 0, fast (k = 1000),
    # slow (k = 0.01), a large and a small amplitude (|f| and |f'''| far apart).
    cases = [
        _step_case("sin", 1.0, 1.0, t(), phase()),
        _step_case("sin", 1.0, 1.0, 0.0, 0.5),
        _step_case("sin", 1.0, 1000.0, t(), phase()),
        _step_case("exp", 1.0, 0.01, t(), 0.0),
        _step_case("sin", 1e6, 1.0, t(), phase()),
        _step_case("exp", 1e-4, 30.0, t(), 0.0),
    ]
    for _draw in range(3):
        kind = str(rng.choice(["sin", "exp"]))
        amplitude, k = 10 ** float(rng.uniform(-3, 6)), 10 ** float(rng.uniform(-2, 3))
        cases.append(_step_case(kind, amplitude, k, t(), phase() if kind == "sin" else 0.0))
    return cases


def _numpy_step_function(case: dict[str, Any]) -> Callable[[float], float]:
    a, k, p = case["amplitude"], case["k"], case["phase"]
    if case["f"] == "sin":
        return lambda v: a * np.sin(k * v + p)
    return lambda v: a * np.exp(k * v)


def _step_run(ns: dict[str, Any], case: dict[str, Any]) -> list[float]:
    f = _numpy_step_function(case)
    got = need(ns, "central_derivative")(f, case["x"], case["f_size"], case["f3_size"])
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise ValueError(_("central_derivative must return two numbers: (estimate, h)"))
    return [float(got[0]), float(got[1])]


def _step_expected(case: dict[str, Any]) -> float:
    import torch

    x = torch.tensor(case["x"], dtype=torch.float64, requires_grad=True)
    a, k, p = case["amplitude"], case["k"], case["phase"]
    y = a * (torch.sin(k * x + p) if case["f"] == "sin" else torch.exp(k * x))
    y.backward()
    return float(x.grad.item())


def _step_accept(case: dict[str, Any], exact: Any, got: Any) -> str:
    if not isinstance(got, list) or len(got) != 2:
        return _("the result should be two numbers, (estimate, h)")
    estimate, h = (float(v) for v in got)
    size, f3 = case["f_size"], case["f3_size"]
    if not (math.isfinite(h) and h > 0):
        return _("the step h must be a positive number, yours is {h}", h=repr(h))
    best = best_bound(size, f3)
    yours = bound(h, size, f3)
    if yours > SLACK * best:
        return _(
            "your step h = {h} gives the error bound eps |f| / h + h^2 |f'''| / 6 = {yours}, "
            "the best step gives {best} (allowed: {slack} times that); balance the two terms "
            "for these |f| and |f'''|",
            h=f"{h:.6g}",
            yours=f"{yours:.3g}",
            best=f"{best:.3g}",
            slack=f"{SLACK:g}",
        )
    error = abs(estimate - float(exact))
    allowed = 10 * yours + 4 * EPS * abs(float(exact))
    if not error <= allowed:
        return _(
            "with h = {h} the estimate is {estimate}, the exact derivative {exact}: off by "
            "{error}, more than 10 times the bound for that h ({yours}); is it a central "
            "difference with this h?",
            h=f"{h:.6g}",
            estimate=repr(estimate),
            exact=repr(exact),
            error=f"{error:.3g}",
            yours=f"{yours:.3g}",
        )
    return ""


def _step_describe(case: dict[str, Any]) -> str:
    a, k, p = case["amplitude"], case["k"], case["phase"]
    inner = f"{k:.6g} * v + {p:.6g}" if case["f"] == "sin" else f"{k:.6g} * v"
    body = f"{a:.6g} * {case['f']}({inner})"
    return _(
        "f(v) = {body} at x = {x}, f_size = {f_size}, f3_size = {f3_size}",
        body=body,
        x=repr(case["x"]),
        f_size=f"{case['f_size']:.6g}",
        f3_size=f"{case['f3_size']:.6g}",
    )


# q3 (implement): dual numbers ----------------------------------------------------------------

#: A program over registers: register 0 is x (derivative 1), then each step appends one value:
#: ["add" | "mul" | "div", i, j], ["exp" | "log" | "sin", i], ["pow", i, p] (p a number).
FIXED_PROGRAMS: tuple[list[list[Any]], ...] = (
    # u = x * x used twice by one division and once more: u / u + u
    [["mul", 0, 0], ["div", 1, 1], ["add", 2, 1]],
    # the operands in both orders: x / u and u / x, both with inner derivatives
    [["mul", 0, 0], ["div", 0, 1], ["div", 1, 0], ["add", 2, 3]],
    # exp of an inner expression, dominating the derivative: 2x exp(x**2) + 1
    [["mul", 0, 0], ["exp", 1], ["add", 2, 0]],
    # log of an inner expression, dominating the derivative: 2 / x + 1
    [["mul", 0, 0], ["log", 1], ["add", 2, 0]],
    # exp and log of an inner expression used twice (their chain factor is not 1)
    [["mul", 0, 0], ["exp", 1], ["log", 1], ["mul", 2, 3], ["add", 4, 1]],
    # powers of an inner expression, integer and not, and of x itself
    [
        ["mul", 0, 0],
        ["pow", 1, 3.0],
        ["pow", 1, -1.5],
        ["pow", 0, 2.0],
        ["add", 2, 3],
        ["add", 5, 4],
    ],
    # a power and a quotient sharing their operand
    [["sin", 0], ["pow", 1, 2.0], ["div", 2, 0], ["add", 3, 1]],
)


def _apply(op: str, args: list[Any]) -> float | None:
    """A step's value in plain floats, or None where the step is out of its safe domain."""
    try:
        if op == "add":
            out = args[0] + args[1]
        elif op == "mul":
            out = args[0] * args[1]
        elif op == "div":
            if abs(args[1]) < 0.3:
                return None
            out = args[0] / args[1]
        elif op == "exp":
            out = math.exp(args[0]) if args[0] < 4 else None
        elif op == "log":
            out = math.log(args[0]) if args[0] > 0.2 else None
        elif op == "sin":
            out = math.sin(args[0])
        else:
            base, p = args
            if base < 0.2 and not float(p).is_integer():
                return None
            if abs(base) < 0.2 and p < 0:
                return None
            out = base**p
    except (OverflowError, ZeroDivisionError, ValueError):
        return None
    return out if out is not None and abs(out) < 1e3 else None


def _random_program(rng: np.random.Generator, x: float, steps: int) -> list[list[Any]]:
    values, program = [x], []
    while len(program) < steps:
        op = str(rng.choice(["add", "mul", "div", "exp", "log", "sin", "pow", "div", "pow"]))
        n = len(values)
        i = n - 1 if rng.random() < 0.5 else int(rng.integers(n))
        j = i if rng.random() < 0.25 else int(rng.integers(n))  # a register used twice
        if op == "pow":
            step = ["pow", i, float(rng.choice([2.0, 3.0, -1.0, 0.5, -1.5, 2.5]))]
            args = [values[i], step[2]]
        elif op in ("add", "mul", "div"):
            step, args = [op, i, j], [values[i], values[j]]
        else:
            step, args = [op, i], [values[i]]
        out = _apply(op, args)
        if out is not None:
            program.append(step)
            values.append(out)
    return program


def _runs_safely(program: list[list[Any]], x: float) -> bool:
    values = [x]
    for step in program:
        op = step[0]
        args = [values[step[1]], step[2]] if op == "pow" else [values[i] for i in step[1:]]
        out = _apply(op, args)
        if out is None:
            return False
        values.append(out)
    return True


def _dual_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for program in FIXED_PROGRAMS:
        while True:
            x = float(rng.uniform(0.6, 1.6) * rng.choice([-1.0, 1.0]))
            if _runs_safely(program, x):
                break
        cases.append({"x": x, "program": [list(s) for s in program]})
    for _draw in range(4):
        x = float(rng.uniform(0.5, 1.8) * rng.choice([-1.0, 1.0]))
        cases.append({"x": x, "program": _random_program(rng, x, int(rng.integers(5, 12)))})
    return cases


def _dual_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    dual = need(ns, "Dual")
    regs = [dual(case["x"], 1.0)]
    for step in case["program"]:
        op = step[0]
        a = regs[step[1]]
        if op == "add":
            out = a + regs[step[2]]
        elif op == "mul":
            out = a * regs[step[2]]
        elif op == "div":
            out = a / regs[step[2]]
        elif op == "pow":
            out = a ** step[2]
        else:
            out = getattr(a, op)()
        regs.append(out)
    return np.array([regs[-1].value, regs[-1].deriv], dtype=np.float64)


def _dual_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    x = torch.tensor(case["x"], dtype=torch.float64, requires_grad=True)
    regs = [x]
    for step in case["program"]:
        op, a = step[0], regs[step[1]]
        if op == "add":
            regs.append(a + regs[step[2]])
        elif op == "mul":
            regs.append(a * regs[step[2]])
        elif op == "div":
            regs.append(a / regs[step[2]])
        elif op == "pow":
            regs.append(a ** step[2])
        else:
            regs.append(getattr(torch, op)(a))
    (grad,) = torch.autograd.grad(regs[-1], x)
    return np.array([regs[-1].item(), grad.item()], dtype=np.float64)


def _dual_describe(case: dict[str, Any]) -> str:
    symbol = {"add": "+", "mul": "*", "div": "/"}
    lines = [f"v0 = Dual({case['x']!r}, 1.0)"]
    for k, step in enumerate(case["program"][:10]):
        op, i = step[0], step[1]
        if op in symbol:
            expr = f"v{i} {symbol[op]} v{step[2]}"
        elif op == "pow":
            expr = f"v{i} ** {step[2]:g}"
        else:
            expr = f"v{i}.{op}()"
        lines.append(f"v{k + 1} = {expr}")
    if len(case["program"]) > 10:
        lines.append(_("... ({n} steps in all)", n=len(case["program"])))
    return _("the program {steps}; output v{n}", steps="; ".join(lines), n=len(case["program"]))


# q4 (debug): a gradient by hand --------------------------------------------------------------


def _debug_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"x": np.array([0.0, 1.0, -1.0]), "y": np.array([0.5, 0.0, 2.0])}]
    for _draw in range(4):
        n = int(rng.integers(3, 9))
        cases.append({"x": rng.uniform(-2, 2, size=n), "y": rng.uniform(-1.5, 1.5, size=n)})
    return cases


def _debug_run(ns: dict[str, Any], case: dict[str, Any]) -> tuple:
    grads = need(ns, "grad_f")(case["x"], case["y"])
    if not isinstance(grads, tuple | list) or len(grads) != 2:
        raise ValueError(_("grad_f must return two arrays: (df/dx, df/dy)"))
    return tuple(np.asarray(g, dtype=np.float64) for g in grads)


def _debug_expected(case: dict[str, Any]) -> tuple:
    import torch

    x, y = (torch.tensor(case[k], dtype=torch.float64, requires_grad=True) for k in "xy")
    u = x * y
    f = (torch.exp(u) + u) * torch.sin(x)
    f.sum().backward()
    return x.grad.numpy(), y.grad.numpy()


# q5 (predict) ---------------------------------------------------------------------------------


def _passes(n: int, m: int) -> list[int]:
    """Passes needed for the whole m x n Jacobian of a function R^n -> R^m, counted by
    building it: one jvp per input (forward mode), one vjp per output (reverse mode).

    Forward mode pushes a tangent through f by its rule (tanh(u)' = 1 - tanh(u)**2), as q3's
    dual numbers do; reverse mode is torch's backward. (Not ``torch.func``: the grader
    computes answers in several threads, and its transforms are not thread-safe.)
    """
    import torch

    gen = torch.Generator().manual_seed(n * 1000 + m)
    w = torch.randn(m, n, dtype=torch.float64, generator=gen)
    x = torch.randn(n, dtype=torch.float64, generator=gen)
    forward = reverse = 0
    columns = []
    y = torch.tanh(w @ x)
    for e in torch.eye(n, dtype=torch.float64):
        columns.append((1 - y * y) * (w @ e))  # one forward pass carrying the tangent e
        forward += 1
    xr = x.clone().requires_grad_(True)
    yr = torch.tanh(w @ xr)
    rows = []
    for e in torch.eye(m, dtype=torch.float64):
        rows.append(torch.autograd.grad(yr, xr, e, retain_graph=True)[0])
        reverse += 1
    assert torch.allclose(torch.stack(columns, 1), torch.stack(rows))
    return [forward, reverse]


def _paths_to(y: Any, leaf: Any) -> int:
    """Paths in torch's recorded backward graph from y to the leaf (one per use)."""
    count: dict[Any, int] = {}
    order, seen, stack = [], set(), [y.grad_fn]
    while stack:  # post-order, so that each node comes after the nodes below it
        fn = stack[-1]
        if fn in seen:
            stack.pop()
            if fn not in count:
                count[fn] = 0
                order.append(fn)
            continue
        seen.add(fn)
        stack.extend(c for c, _ in fn.next_functions if c is not None and c not in seen)
    for fn in order:
        if getattr(fn, "variable", None) is leaf:
            count[fn] = 1
        else:
            count[fn] = sum(count[c] for c, _ in fn.next_functions if c is not None)
    return count[y.grad_fn]


PREDICTIONS = {
    "a": (
        "# f: R^200 -> R^1 (a loss of 200 weights). How many passes give its whole\n"
        "# gradient, [in forward mode (one jvp per input), in reverse mode (one backward per\n"
        "# output)]?\n"
        "answer = passes(n=200, m=1)"
    ),
    "b": ("# The same for f: R^3 -> R^500.\nanswer = passes(n=3, m=500)"),
    "c": (
        "# The central difference of f(x) = x**3 at x = 1 with h = 0.01, minus f'(1) = 3:\n"
        "f = lambda v: v**3\n"
        "h = 0.01\n"
        "answer = (f(1 + h) - f(1 - h)) / (2 * h) - 3"
    ),
    "d": (
        "# Which step gives the central difference of sin at x = 1 closest to cos(1)?\n"
        "steps = [1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11]\n"
        "errors = [abs((np.sin(1 + h) - np.sin(1 - h)) / (2 * h) - np.cos(1)) for h in steps]\n"
        "answer = steps[int(np.argmin(errors))]"
    ),
    "e": (
        "# Along how many paths does x reach L (the number of terms of the total\n"
        "# derivative, one per path)?\n"
        "x = torch.tensor(0.5, requires_grad=True)\n"
        "a = x * x\n"
        "L = a * torch.sin(x) + a\n"
        "answer = paths(L, x)"
    ),
}


DUAL_LAYOUT = N_("the result is [value, derivative] of the program's output")

EXERCISE = Exercise(
    id="01_chain_rule",
    title=N_("Derivatives and the chain rule"),
    version=2,
    questions=(
        Question(
            name="q1",
            title=N_("a derivative through a shared subexpression"),
            needs=("d_shared",),
            make_cases=_shared_cases,
            run=_shared_run,
            expected=_shared_expected,
            kind="warm-up",
            **EXACT,
        ),
        Question(
            name="q2",
            title=N_("central difference with a step chosen from the error bound"),
            needs=("central_derivative",),
            make_cases=_step_cases,
            run=_step_run,
            expected=_step_expected,
            accept=_step_accept,
            points=3,
            difficulty=3,
            describe=_step_describe,
        ),
        Question(
            name="q3",
            title=N_("dual numbers: /, exp, log and ** in forward mode"),
            needs=("Dual.__truediv__", "Dual.exp", "Dual.log", "Dual.__pow__"),
            make_cases=_dual_cases,
            run=_dual_run,
            expected=_dual_expected,
            points=3,
            difficulty=2,
            hint=DUAL_LAYOUT,
            layout=DUAL_LAYOUT,
            describe=_dual_describe,
            **EXACT,
        ),
        Question(
            name="q4",
            title=N_("find and fix the bugs in a gradient by hand"),
            needs=("grad_f",),
            make_cases=_debug_cases,
            run=_debug_run,
            expected=_debug_expected,
            points=2,
            kind="debug",
            difficulty=2,
            layout=N_("the result is (df/dx, df/dy), elementwise"),
            **EXACT,
        ),
        predict_question(
            name="q5",
            title=N_("predict: forward vs reverse cost, finite-difference errors, paths"),
            programs=PREDICTIONS,
            scope=lambda: {"np": np, "passes": _passes, "paths": _paths_to},
            points=2,
            difficulty=1,
            rtol=1e-6,
            atol=1e-12,
        ),
    ),
)
