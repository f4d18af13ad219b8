"""Exercise 03 (Value autograd): new ops on minigrad's own ``Value``, a bug, ``grad``, predictions.

The student adds ops to ``minigrad.Value`` through the engine's own mechanism (a forward that
builds its output with ``minigrad.engine._node`` and a backward rule ``rule(out)`` defined
once), so they run inside minigrad's real ``backward()``.

A case is a small program over registers: the leaves first, then ``[op, i, j]`` steps
(``j = -1`` for a one-input op), each appending ``op(regs[i], regs[j])``. The student's process
builds it with minigrad's ``Value`` (its built-in ``+``, ``*`` and ``tanh``, and the student's
op); the grader builds it from torch scalars.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.core import Exercise, Question, need, predict_question
from grader.messages import N_, _

DEEP = 1500  # deeper than Python's default recursion limit (1000)
EXACT = {"rtol": 1e-12, "atol": 1e-13}
BUILT_IN = ("add", "mul", "tanh")
UNARY = ("tanh", "softplus")


def _leaves(rng: np.random.Generator, n: int, scale: float = 2.0) -> list[float]:
    x = rng.uniform(-scale, scale, size=n)
    x[0] = 0.0 if rng.random() < 0.5 else x[0]
    x[1 % n] = -abs(x[1 % n])
    return [float(v) for v in rng.permutation(x)]


def _program(rng: np.random.Generator, n_leaves: int, ops: tuple[str, ...], steps: int) -> list:
    """Random steps over the registers; operands are often reused (a node used twice)."""
    program = []
    for k in range(steps):
        n = n_leaves + k
        op = str(rng.choice(ops))
        i = n - 1 if rng.random() < 0.5 else int(rng.integers(n))
        j = i if rng.random() < 0.3 else int(rng.integers(n))
        program.append([op, i, -1 if op in UNARY else j])
    n = n_leaves + steps
    program.append(["add", n - 1, n - 2])  # the output depends on the last two registers
    return program


def _apply_value(op: str, a: Any, b: Any) -> Any:
    if op == "add":
        return a + b
    if op == "mul":
        return a * b
    if op in UNARY:
        return getattr(a, op)()
    return getattr(a, op)(b)


def _build(case: dict[str, Any]) -> tuple[list, list]:
    """The case's registers built with minigrad's Value (leaves first)."""
    from minigrad import Value

    regs = [Value(x) for x in case["leaves"]]
    for op, i, j in case["program"]:
        regs.append(_apply_value(op, regs[i], regs[j] if j >= 0 else None))
    return regs[: len(case["leaves"])], regs


def _needs_op(ns: dict[str, Any], op: str) -> None:
    from minigrad import Value

    if op not in BUILT_IN and not callable(getattr(Value, op, None)):
        need(ns, op)  # raises MissingDefinition if the notebook has no such function
        raise ValueError(
            _(
                "minigrad's Value has no method {op}: run `{assignment}`",
                op=op,
                assignment=f"Value.{op} = {op}",
            )
        )


def _run_ops(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    for op, _i, _j in case["program"]:
        _needs_op(ns, op)
    leaves, regs = _build(case)
    out = regs[-1]
    out.backward()
    return np.array([out.data] + [leaf.grad for leaf in leaves], dtype=np.float64)


def _torch_op(op: str, a: Any, b: Any) -> Any:
    import torch

    if op == "add":
        return a + b
    if op == "mul":
        return a * b
    if op == "tanh":
        return torch.tanh(a)
    if op == "softplus":  # exact log(1 + e^x): F.softplus returns x itself above 20
        return torch.logaddexp(a, torch.zeros_like(a))
    if op == "maximum":
        return torch.maximum(a, b)
    return torch.logaddexp(a, b)


def _torch_regs(case: dict[str, Any]) -> tuple[list, list]:
    import torch

    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in case["leaves"]]
    regs = list(leaves)
    for op, i, j in case["program"]:
        regs.append(_torch_op(op, regs[i], regs[j] if j >= 0 else None))
    return leaves, regs


def _expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    leaves, regs = _torch_regs(case)
    grads = torch.autograd.grad(regs[-1], leaves, allow_unused=True)
    values = [regs[-1].item()] + [0.0 if g is None else g.item() for g in grads]
    return np.array(values, dtype=np.float64)


HINT = N_("the result is [output value, then each leaf's grad]")


def _describe(case: dict[str, Any]) -> str:
    """A case as code: leaves v0, v1, ... then one line per step, e.g. "v3 = v0 * v1"."""
    leaves = case["leaves"]
    lines = [f"v{i} = Value({x!r})" for i, x in enumerate(leaves)]
    symbol = {"add": "+", "mul": "*"}
    program = case["program"]
    for k, (op, i, j) in enumerate(program[:10]):
        n = len(leaves) + k
        if op in symbol:
            expr = f"v{i} {symbol[op]} v{j}"
        elif op in UNARY:
            expr = f"v{i}.{op}()"
        else:
            expr = f"v{i}.{op}(v{j})"
        lines.append(f"v{n} = {expr}")
    if len(program) > 10:
        lines.append(_("... ({n} steps in all)", n=len(program)))
    return _(
        "the graph {lines}; output {output}",
        lines="; ".join(lines),
        output=f"v{len(leaves) + len(program) - 1}",
    )


# q1 (implement): softplus ----------------------------------------------------------------------

#: softplus whose input has two users, far out on both sides (where log(1 + exp(x)) and
#: 1 / (1 + exp(-x)) overflow) and at 0.
SOFTPLUS_PROGRAMS = (
    [["softplus", 0, -1], ["softplus", 0, -1], ["add", 2, 3]],
    [["softplus", 0, -1], ["mul", 2, 0], ["add", 3, 1]],
    [["mul", 0, 1], ["softplus", 2, -1], ["add", 3, 2]],
)


def _softplus_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    far = [-800.0, -40.0, 0.0, 40.0, 800.0]
    cases = [{"leaves": [x, 1.0], "program": [["softplus", 0, -1], ["add", 2, 1]]} for x in far]
    cases += [
        {"leaves": _leaves(rng, 2, 5.0), "program": [list(s) for s in p]} for p in SOFTPLUS_PROGRAMS
    ]
    for _draw in range(3):
        n = int(rng.integers(2, 4))
        program = _program(rng, n, ("softplus", "mul", "add", "tanh"), 6)
        cases.append({"leaves": _leaves(rng, n, 3.0), "program": program})
    return cases


# q2 (implement): maximum with ties -----------------------------------------------------------

MAXIMUM_PROGRAMS = (
    [["maximum", 0, 1], ["add", 2, 0]],  # a tie (the leaves are made equal below)
    [["maximum", 0, 0], ["mul", 2, 1]],  # maximum(x, x): a tie with itself
    [["maximum", 0, 1], ["maximum", 1, 0], ["mul", 2, 3]],  # both operand orders
    [["tanh", 0, -1], ["maximum", 2, 1], ["maximum", 1, 2], ["add", 3, 4], ["add", 5, 2]],
)


def _maximum_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    tie = float(rng.uniform(-2, 2))
    cases = [
        {"leaves": [tie, tie], "program": [list(s) for s in MAXIMUM_PROGRAMS[0]]},
        {"leaves": [tie, 1.5], "program": [list(s) for s in MAXIMUM_PROGRAMS[1]]},
        {"leaves": [tie, tie], "program": [list(s) for s in MAXIMUM_PROGRAMS[2]]},
    ]
    for p in MAXIMUM_PROGRAMS[2:]:
        a = float(rng.uniform(0.5, 2.0))
        # each operand the larger one
        cases.append({"leaves": [a, -a], "program": [list(s) for s in p]})
        cases.append({"leaves": [-a, a], "program": [list(s) for s in p]})
    for _draw in range(3):
        n = int(rng.integers(2, 4))
        program = _program(rng, n, ("maximum", "mul", "add", "tanh"), 6)
        cases.append({"leaves": _leaves(rng, n), "program": program})
    return cases


# q3 (debug): logaddexp ---------------------------------------------------------------------------


def _logaddexp_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [
        {"leaves": [0.5, -1.0], "program": [["logaddexp", 0, 1], ["mul", 2, 0]]},
        {"leaves": [-1.0, 0.5], "program": [["logaddexp", 0, 0], ["add", 2, 1]]},
        {"leaves": [300.0, -300.0], "program": [["logaddexp", 1, 0], ["add", 2, 1]]},
        {
            "leaves": [0.3, 0.7],
            "program": [["logaddexp", 0, 1], ["logaddexp", 2, 1], ["add", 3, 2]],
        },
    ]
    for _draw in range(3):
        n = int(rng.integers(2, 4))
        program = _program(rng, n, ("logaddexp", "mul", "add", "tanh"), 6)
        cases.append({"leaves": _leaves(rng, n), "program": program})
    return cases


# q4 (implement): grad(root, wrt) without touching .grad -------------------------------------


def _grad_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    # Diamonds (a node used directly and through another), in both operand orders.
    diamonds = (
        [["mul", 0, 1], ["tanh", 2, -1], ["add", 2, 3]],
        [["mul", 0, 1], ["tanh", 2, -1], ["add", 3, 2]],
        [["tanh", 0, -1], ["mul", 2, 1], ["tanh", 3, -1], ["add", 4, 2]],
    )
    for p in diamonds:
        cases.append({"leaves": _leaves(rng, 2), "program": [list(s) for s in p]})
    for _draw in range(3):
        n = int(rng.integers(2, 5))
        program = _program(rng, n, ("mul", "add", "tanh"), int(rng.integers(4, 12)))
        cases.append({"leaves": _leaves(rng, n), "program": program})
    # A deep chain: v = tanh(v * a + b), five hundred times (1500 nodes).
    leaves = [float(v) for v in rng.uniform(0.5, 1.5, size=3)]
    program, v = [], 0
    for _step in range(DEEP // 3):
        n = len(leaves) + len(program)
        program += [["mul", v, 1], ["add", n, 2], ["tanh", n + 1, -1]]
        v = n + 2
    cases.append({"leaves": leaves, "program": program, "_deep": True})
    for case in cases:
        n_regs = len(case["leaves"]) + len(case["program"])
        n_leaves = len(case["leaves"])
        # What to differentiate with respect to: some leaves (maybe none), one interior node,
        # and an extra leaf the root does not depend on; every node starts with a grad.
        wrt = [int(i) for i in rng.permutation(n_leaves)[: int(rng.integers(1, n_leaves + 1))]]
        wrt.append(int(rng.integers(n_leaves, n_regs - 1)) if n_regs - 1 > n_leaves else 0)
        wrt.append(-1)
        case["wrt"] = wrt
        case["start_grads"] = [float(g) for g in rng.uniform(-3, 3, size=n_regs + 1)]
    return cases


def _grad_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    from minigrad import Value

    _, regs = _build(case)
    unused = Value(0.25)
    nodes = [*regs, unused]
    for node, g in zip(nodes, case["start_grads"], strict=True):
        node.grad = g
    root = regs[-1]
    wrt = [unused if i == -1 else regs[i] for i in case["wrt"]]
    got = need(ns, "grad")(root, wrt)
    changed = [
        k
        for k, (node, g) in enumerate(zip(nodes, case["start_grads"], strict=True))
        if node.grad != g
    ]
    if changed:
        where = _("the unused Value") if changed[0] == len(regs) else f"v{changed[0]}"
        raise ValueError(
            _(
                "grad() changed the .grad of {n} nodes (e.g. {example}); like "
                "torch.autograd.grad, it must leave every .grad as it found it",
                n=len(changed),
                example=_(
                    "{where}: it was {was}, it is now {now}",
                    where=where,
                    was=repr(case["start_grads"][changed[0]]),
                    now=repr(nodes[changed[0]].grad),
                ),
            )
        )
    got = list(got)
    if len(got) != len(wrt):
        raise ValueError(
            _("grad() returned {got} values for {n} Values in wrt", got=len(got), n=len(wrt))
        )
    return np.array([float(g) for g in got], dtype=np.float64)


def _grad_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    _, regs = _torch_regs(case)
    unused = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
    wrt = [unused if i == -1 else regs[i] for i in case["wrt"]]
    grads = torch.autograd.grad(regs[-1], wrt, allow_unused=True)
    return np.array([0.0 if g is None else g.item() for g in grads], dtype=np.float64)


def _grad_describe(case: dict[str, Any]) -> str:
    names = [_("u (a Value the root does not use)") if i == -1 else f"v{i}" for i in case["wrt"]]
    return _(
        "{graph}; grad(output, [{names}]), every .grad set beforehand",
        graph=_describe(case),
        names=", ".join(names),
    )


# q5 (predict) ------------------------------------------------------------------------------

PREDICTIONS = {
    "a": (
        "a = Value(3.0)\n"
        "b = a * a\n"
        "c = b + a\n"
        "c.backward()\n"
        "c.backward()\n"
        "answer = [a.grad, b.grad]"
    ),
    "b": (
        "x = Value(2.0)\n"
        "y = x * 2 + x\n"
        "answer = len(topological_order(y))  # the nodes backward() visits"
    ),
    "c": ("a = Value(2.0)\nb = Value(3.0)\n(a**b).backward()\nanswer = [a.grad, b.grad]"),
    "d": (
        "# notebook 03's bug: the rule of * with = instead of +=\n"
        "def overwriting_mul(out):\n"
        "    out._a.grad = out._b.data * out.grad\n"
        "    out._b.grad = out._a.data * out.grad\n"
        "\n"
        "a = Value(3.0)\n"
        "y = _node(a.data * a.data, a, a, '*', overwriting_mul)\n"
        "y.backward()\n"
        "answer = a.grad"
    ),
    "e": (
        "x = Value(1.5)\n"
        "y = x\n"
        "for _ in range(3):\n"
        "    y = y * y\n"
        "y.backward()\n"
        "answer = x.grad / x.data**7"
    ),
}


def _value_scope() -> dict[str, Any]:
    """The predictions of exercise 03 are about minigrad's own Value: they run with it."""
    from minigrad import Value
    from minigrad.engine import _node, topological_order

    return {"Value": Value, "_node": _node, "topological_order": topological_order, "math": math}


GRAD_HINT = N_("the result is d root / d w for each w in wrt")


def _op(name: str, title: str, **options: Any) -> Question:
    return Question(
        name=name,
        title=title,
        make_cases=options.pop("make_cases"),
        run=_run_ops,
        expected=_expected,
        hint=HINT,
        layout=HINT,
        describe=_describe,
        **EXACT,
        **options,
    )


EXERCISE = Exercise(
    id="03_value_autograd",
    title=N_("A scalar autograd engine"),
    version=2,
    questions=(
        _op(
            "q1",
            N_("Value.softplus: forward and backward rule, for any x"),
            needs=("softplus",),
            make_cases=_softplus_cases,
            points=2,
            difficulty=1,
        ),
        _op(
            "q2",
            N_("Value.maximum, with ties split as torch.maximum splits them"),
            needs=("maximum",),
            make_cases=_maximum_cases,
            points=2,
            difficulty=2,
        ),
        _op(
            "q3",
            N_("Value.logaddexp: find and fix the bugs in its backward rule"),
            needs=("logaddexp",),
            make_cases=_logaddexp_cases,
            points=2,
            kind="debug",
            difficulty=2,
        ),
        Question(
            name="q4",
            title=N_("grad(root, wrt): gradients without touching any .grad"),
            needs=("grad",),
            make_cases=_grad_cases,
            run=_grad_run,
            expected=_grad_expected,
            points=3,
            difficulty=3,
            **EXACT,
            hint=GRAD_HINT,
            layout=GRAD_HINT,
            describe=_grad_describe,
        ),
        predict_question(
            name="q5",
            title=N_("predict: minigrad's Value after two backward calls, nodes, rules"),
            programs=PREDICTIONS,
            scope=_value_scope,
            torch=False,
            points=2,
            difficulty=1,
            rtol=1e-9,
            atol=1e-12,
        ),
    ),
)
