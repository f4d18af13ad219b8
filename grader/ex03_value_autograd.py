"""Exercise 03 (Value autograd): the backward of ``*`` and ``tanh``, and the topological sort.

A case is a small program over registers: the leaves first, then ``[op, i, j]`` steps
(``j = -1`` for ``tanh``), each appending ``regs[i] op regs[j]``. The student's process builds
it from the notebook's own ``Value`` class; the grader builds it from torch scalars.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.core import Exercise, Question, need

DEEP = 3000  # deeper than Python's default recursion limit (1000)


def _leaves(rng: np.random.Generator, n: int) -> list[float]:
    x = rng.uniform(-2.0, 2.0, size=n)
    x[0] = 0.0 if rng.random() < 0.5 else x[0]
    x[1] = -abs(x[1])
    return [float(v) for v in rng.permutation(x)]


def _program(rng: np.random.Generator, n_leaves: int, ops: tuple[str, ...], steps: int) -> list:
    """Random steps over the registers; operands are often reused (a node used twice)."""
    program = []
    for k in range(steps):
        n = n_leaves + k
        op = str(rng.choice(ops))
        i = int(rng.integers(n))
        # Half the time reuse the same register on both sides (x * x) or the newest one.
        j = i if rng.random() < 0.3 else int(rng.integers(n))
        program.append([op, i, -1 if op == "tanh" else j])
    # Make the output depend on everything by summing the last few registers.
    n = n_leaves + steps
    program.append(["add", n - 1, n - 2])
    return program


def _mul_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"leaves": _leaves(rng, 3), "program": [["mul", 0, 0], ["mul", 3, 1], ["add", 4, 2]]}]
    for _ in range(5):
        n = int(rng.integers(2, 5))
        cases.append({"leaves": _leaves(rng, n), "program": _program(rng, n, ("mul", "add"), 6)})
    return cases


#: tanh whose input has two users (two tanh nodes; a tanh and an add), so that `=` instead
#: of `+=` in its backward loses a contribution.
TANH_PROGRAMS = (
    [["tanh", 0, -1], ["tanh", 0, -1], ["add", 2, 3]],
    [["tanh", 0, -1], ["add", 2, 0]],
    [["add", 0, 1], ["tanh", 2, -1], ["tanh", 2, -1], ["add", 3, 4]],
)


def _tanh_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"leaves": [0.0, -3.0], "program": [["tanh", 0, -1], ["tanh", 1, -1]]}]
    for _ in range(2):
        leaves = _leaves(rng, 2)
        cases.append({"leaves": leaves, "program": [["tanh", 0, -1], ["tanh", 2, -1]]})
    cases += [{"leaves": _leaves(rng, 2), "program": list(p)} for p in TANH_PROGRAMS]
    # tanh(tanh(x0)) + x1 with x0 away from 0: the inner tanh does not get out.grad 1.
    leaves = [float(v) for v in rng.uniform(0.3, 1.5, size=2) * rng.choice([-1.0, 1.0], size=2)]
    cases.append({"leaves": leaves, "program": [["tanh", 0, -1], ["tanh", 2, -1], ["add", 3, 1]]})
    return cases


#: Diamonds, each in both operand orders: a node used by the output directly and through
#: another node, so that running a node's backward before all its users' fails every time
#: (whichever way a depth-first search takes the operands).
DIAMONDS = (
    [["mul", 0, 1], ["tanh", 2, -1], ["add", 2, 3]],
    [["mul", 0, 1], ["tanh", 2, -1], ["add", 3, 2]],
    [["tanh", 0, -1], ["mul", 2, 1], ["tanh", 3, -1], ["add", 4, 2]],
    [["tanh", 0, -1], ["mul", 1, 2], ["tanh", 3, -1], ["add", 2, 4]],
)


def _backward_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"leaves": _leaves(rng, 2), "program": list(p)} for p in DIAMONDS]
    for _ in range(4):
        n = int(rng.integers(2, 5))
        program = _program(rng, n, ("mul", "add", "tanh"), int(rng.integers(4, 12)))
        cases.append({"leaves": _leaves(rng, n), "program": program})
    # A deep chain: v = tanh(v * a + b), thousands of times.
    leaves = [float(v) for v in rng.uniform(0.5, 1.5, size=3)]
    program, v = [], 0
    for _ in range(DEEP // 3):
        n = len(leaves) + len(program)
        program += [["mul", v, 1], ["add", n, 2], ["tanh", n + 1, -1]]
        v = n + 2
    cases.append({"leaves": leaves, "program": program, "_deep": True})
    return cases


def _build(value_class: type, case: dict[str, Any], trusted_ops: bool) -> tuple[list, Any]:
    """Build a case's program with the student's Value class; returns (leaves, output).

    With ``trusted_ops`` the nodes get the grader's own backward closures, so that only the
    student's ``backward()`` (the topological sort) is tested.
    """
    regs = [value_class(x) for x in case["leaves"]]
    for op, i, j in case["program"]:
        if not trusted_ops:
            a, b = regs[i], regs[j]
            regs.append(a + b if op == "add" else a * b if op == "mul" else a.tanh())
        else:
            regs.append(_trusted_node(value_class, op, regs[i], regs[j] if j >= 0 else None))
    return regs[: len(case["leaves"])], regs[-1]


def _trusted_node(value_class: type, op: str, a: Any, b: Any) -> Any:
    if op == "tanh":
        out = value_class(math.tanh(a.data), (a,), "tanh")

        def _backward() -> None:
            a.grad += (1 - out.data**2) * out.grad

    elif op == "mul":
        out = value_class(a.data * b.data, (a, b), "*")

        def _backward() -> None:
            a.grad += b.data * out.grad
            b.grad += a.data * out.grad

    else:
        out = value_class(a.data + b.data, (a, b), "+")

        def _backward() -> None:
            a.grad += out.grad
            b.grad += out.grad

    out._backward = _backward
    return out


def _reference_backward(out: Any) -> None:
    """The grader's own (iterative) topological sort, to test one op's backward alone."""
    order, seen, stack = [], set(), [(out, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    out.grad = 1.0
    for node in reversed(order):
        node._backward()


def _result(leaves: list, out: Any) -> np.ndarray:
    return np.array([out.data] + [leaf.grad for leaf in leaves], dtype=np.float64)


def _run_ops(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    leaves, out = _build(need(ns, "Value"), case, trusted_ops=False)
    _reference_backward(out)
    return _result(leaves, out)


def _run_backward(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    leaves, out = _build(need(ns, "Value"), case, trusted_ops=True)
    out.backward()
    return _result(leaves, out)


def _expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in case["leaves"]]
    regs = list(leaves)
    for op, i, j in case["program"]:
        a = regs[i]
        regs.append(torch.tanh(a) if op == "tanh" else a + regs[j] if op == "add" else a * regs[j])
    grads = torch.autograd.grad(regs[-1], leaves, allow_unused=True)
    values = [regs[-1].item()] + [0.0 if g is None else g.item() for g in grads]
    return np.array(values, dtype=np.float64)


HINT = "the result is [output value, then each leaf's grad]"


def _describe(case: dict[str, Any]) -> str:
    """A case as code: leaves v0, v1, ... then one line per step, e.g. "v3 = v0 * v1"."""
    leaves = case["leaves"]
    lines = [f"v{i} = Value({x:.6g})" for i, x in enumerate(leaves)]
    symbol = {"add": "+", "mul": "*"}
    program = case["program"]
    for k, (op, i, j) in enumerate(program[:8]):
        n = len(leaves) + k
        lines.append(f"v{n} = v{i}.tanh()" if op == "tanh" else f"v{n} = v{i} {symbol[op]} v{j}")
    if len(program) > 8:
        lines.append(f"... ({len(program)} steps in all)")
    return "the graph " + "; ".join(lines) + f"; output v{len(leaves) + len(program) - 1}"


EXERCISE = Exercise(
    id="03_value_autograd",
    title="A scalar autograd engine",
    questions=(
        Question(
            name="q1",
            title="backward of * (a node used twice)",
            needs=("Value.__mul__",),
            make_cases=_mul_cases,
            run=_run_ops,
            expected=_expected,
            hint=HINT,
            layout=HINT,
            describe=_describe,
        ),
        Question(
            name="q2",
            title="backward of tanh",
            needs=("Value.tanh",),
            make_cases=_tanh_cases,
            run=_run_ops,
            expected=_expected,
            hint=HINT,
            layout=HINT,
            describe=_describe,
        ),
        Question(
            name="q3",
            title="backward(): topological order, also on a deep graph",
            needs=("Value.backward",),
            make_cases=_backward_cases,
            run=_run_backward,
            expected=_expected,
            hint=HINT,
            layout=HINT,
            describe=_describe,
            rtol=1e-6,
        ),
    ),
)
