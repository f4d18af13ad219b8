"""Exercise 02 (computation graphs): routines over minigrad's recorded graph, a bug, predictions.

Every case is a small program over registers (leaves first, then ``[op, i, j]`` steps, ``j =
-1`` for a one-input op), built with minigrad in the student's process (the student's code
walks minigrad's real ``grad_fn`` / ``next_functions`` graph) and with torch in the grader's
(the truth: minigrad's graph mirrors torch's node for node for these operations).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.core import Exercise, Question, need, predict_question
from grader.messages import N_, _

DEEP = 1500  # deeper than Python's default recursion limit (1000)
OPS = ("add", "mul", "mul", "sin", "tanh", "detach")


def _program(rng: np.random.Generator, n_leaves: int, steps: int, ops: tuple = OPS) -> list:
    """Random steps over registers; operands are often reused (a node used twice)."""
    program = []
    for k in range(steps):
        n = n_leaves + k
        op = str(rng.choice(ops))
        i = n - 1 if rng.random() < 0.5 else int(rng.integers(n))
        j = i if rng.random() < 0.25 else int(rng.integers(n))
        program.append([op, i, j if op in ("add", "mul") else -1])
    return program


def _build(lib: Any, case: dict[str, Any]) -> tuple[list, Any]:
    """The case's leaves and output (a sum, so a scalar), with torch or minigrad."""
    leaves = [
        lib.tensor(np.asarray(v), requires_grad=bool(r))
        for v, r in zip(case["values"], case["requires_grad"], strict=True)
    ]
    regs = list(leaves)
    for op, i, j in case["program"]:
        a = regs[i]
        if op == "add":
            regs.append(a + regs[j])
        elif op == "mul":
            regs.append(a * regs[j])
        elif op == "sin":
            regs.append(a.sin())
        elif op == "tanh":
            regs.append(a.tanh())
        else:
            regs.append(a.detach())
    return leaves, regs[-1].sum()


def _case(rng: np.random.Generator, requires: list[bool], program: list, size: int) -> dict:
    values = [rng.uniform(-1, 1, size=size) for _ in requires]
    return {"requires_grad": requires, "program": program, "values": values}


def _describe(case: dict[str, Any]) -> str:
    n, program = len(case["requires_grad"]), case["program"]
    size = case["values"][0].shape[0]
    lines = [
        f"x{i} = torch.randn({size}, requires_grad={r})"
        for i, r in enumerate(case["requires_grad"])
    ]
    name = [f"x{i}" for i in range(n)] + [f"v{n + k}" for k in range(len(program))]
    symbol = {"add": "+", "mul": "*"}
    for k, (op, i, j) in enumerate(program[:8]):
        expr = f"{name[i]} {symbol[op]} {name[j]}" if op in symbol else f"{name[i]}.{op}()"
        lines.append(f"{name[n + k]} = {expr}")
    if len(program) > 8:
        lines.append(_("... ({n} steps in all)", n=len(program)))
    return "; ".join(lines) + f"; y = {name[-1]}.sum()"


# q1 (warm-up): the leaves that backward() fills ----------------------------------------------


def _leaf_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for _draw in range(5):
        n = int(rng.integers(2, 6))
        requires = [bool(r) for r in rng.random(n) < 0.6]
        cases.append(_case(rng, requires, _program(rng, n, int(rng.integers(3, 10))), 2))
    # A leaf used twice, one that needs no gradient, one whose path is cut by detach().
    fixed = [["mul", 0, 0], ["add", 3, 1], ["detach", 2, -1], ["mul", 4, 5]]
    cases.append(_case(rng, [True, False, True], fixed, 2))
    # Nothing recorded at all: y.grad_fn is None.
    cases.append(_case(rng, [False, True], [["detach", 1, -1], ["mul", 2, 0]], 1))
    # Deeper than Python's recursion limit: y = sin(sin(... (x0 * x1) ...)).
    deep = [["mul", 0, 1]] + [["sin", 2 + k, -1] for k in range(DEEP)]
    case = _case(rng, [True, True], deep, 1)
    case["_deep"] = True
    cases.append(case)
    return cases


def _leaf_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    import minigrad

    leaves, y = _build(minigrad, case)
    found = need(ns, "leaves_with_grad")(y)
    index = {id(leaf): i for i, leaf in enumerate(leaves)}
    # Anything that is not one of the leaves (a node, a non-leaf tensor) shows up as -1.
    return np.array(sorted(index.get(id(t), -1) for t in found), dtype=np.int64)


def _leaf_expected(case: dict[str, Any]) -> np.ndarray:
    # Ask PyTorch itself: run backward() and see which leaves got a .grad.
    import torch

    leaves, y = _build(torch, case)
    if y.requires_grad:
        y.backward()
    return np.array([i for i, leaf in enumerate(leaves) if leaf.grad is not None], dtype=np.int64)


# q2 (implement): the order in which backward() may run the nodes ------------------------------

#: Graphs where a node gets gradients along edges of different lengths, in both operand
#: orders: an order without dependency counts (breadth-first, pre-order, a walk) runs such a
#: node before one of its users; and a node used twice by one user (two edges, two counts).
FIXED_ORDER = (
    # a = sin(x0); y = a + tanh(sin(a)): a reached directly and through two nodes
    ([True], [["sin", 0, -1], ["sin", 1, -1], ["tanh", 2, -1], ["add", 1, 3]]),
    ([True], [["sin", 0, -1], ["sin", 1, -1], ["tanh", 2, -1], ["add", 3, 1]]),
    # a = sin(x0); y = a * a + tanh(a): the two edges of a * a, then one more user
    ([True], [["sin", 0, -1], ["mul", 1, 1], ["tanh", 1, -1], ["add", 2, 3]]),
    ([True], [["sin", 0, -1], ["mul", 1, 1], ["tanh", 1, -1], ["add", 3, 2]]),
    # two leaves, one used by three nodes at different depths
    ([True, True], [["mul", 0, 1], ["sin", 2, -1], ["mul", 3, 0], ["add", 4, 0], ["add", 5, 2]]),
    # an input that needs no gradient: None in next_functions
    ([True, False], [["mul", 0, 1], ["sin", 2, -1], ["add", 3, 2]]),
)


def _order_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [_case(rng, list(r), [list(s) for s in p], 2) for r, p in FIXED_ORDER]
    for _draw in range(4):
        n = int(rng.integers(1, 4))
        requires = [True] * n  # so that y always has a grad_fn
        program = _program(rng, n, int(rng.integers(5, 16)), ("add", "mul", "sin", "tanh"))
        cases.append(_case(rng, requires, program, 2))
    # A chain deeper than the recursion limit (no skip edges: a walk that visits a node once
    # per path would take exponential time, and only the recursion is tested here).
    program = [["sin", k, -1] for k in range(DEEP)]
    case = _case(rng, [True], program, 1)
    case["_deep"] = True
    cases.append(case)
    return cases


def _graph_of(root: Any) -> tuple[dict[int, int], list[Any], list[tuple[int, int]]]:
    """The nodes below ``root`` (a grad_fn) numbered by a walk, and the edges between them:
    (index of a node, index of the node it sends a gradient to), one per use."""
    index: dict[int, int] = {}
    nodes, edges, stack = [], [], [root]
    index[id(root)] = 0
    nodes.append(root)
    while stack:
        fn = stack.pop()
        for child, _index in fn.next_functions:
            if child is None:
                continue
            if id(child) not in index:
                index[id(child)] = len(nodes)
                nodes.append(child)
                stack.append(child)
            edges.append((index[id(fn)], index[id(child)]))
    return index, nodes, edges


def _order_run(ns: dict[str, Any], case: dict[str, Any]) -> dict:
    import minigrad

    _, y = _build(minigrad, case)
    order = need(ns, "backward_order")(y)
    index, nodes, edges = _graph_of(y.grad_fn)
    alive = nodes  # keeps every node alive, so that no id() is reused while we compare
    positions = [index.get(id(fn), -1) for fn in list(order)]
    return {
        "order": np.array(positions, dtype=np.int64),
        "edges": np.array(edges, dtype=np.int64).reshape(-1, 2),
        "nodes": len(alive),
        "names": [str(fn.name()) for fn in alive],
    }


def _order_expected(case: dict[str, Any]) -> list[int]:
    import torch

    _, y = _build(torch, case)
    _, nodes, edges = _graph_of(y.grad_fn)
    return [len(nodes), len(edges)]


def _order_accept(case: dict[str, Any], want: Any, got: Any) -> str:
    if not isinstance(got, dict) or set(got) != {"order", "edges", "nodes", "names"}:
        return _("the grader got no readable answer for this question")
    order, edges, n = got["order"], got["edges"], int(got["nodes"])
    if [n, len(edges)] != [int(v) for v in want]:
        return _(
            "minigrad's graph has {n} nodes and {edges} edges, torch's {torch_nodes} and "
            "{torch_edges} (a minigrad bug: tell the course team)",
            n=n,
            edges=len(edges),
            torch_nodes=int(want[0]),
            torch_edges=int(want[1]),
        )
    order = [int(i) for i in order]
    unknown = sum(1 for i in order if i < 0)
    if unknown:
        return _(
            "{unknown} of the entries you returned are not nodes of y's graph (return the "
            "grad_fn nodes themselves, AccumulateGrad nodes included, not tensors or None)",
            unknown=unknown,
        )
    if len(order) != len(set(order)):
        return _("a node is in your order twice (a node with several users must run once)")
    if len(order) != n:
        return _(
            "your order has {got} of the graph's {n} nodes (every node runs once)",
            got=len(order),
            n=n,
        )
    if order and order[0] != 0:
        return _("y.grad_fn must come first: it is where backward() starts")
    position = {node: k for k, node in enumerate(order)}
    for parent, child in edges.tolist():
        if position[parent] > position[child]:
            names = [str(n) for n in got["names"]] if isinstance(got["names"], list) else []
            child_name = names[child] if child < len(names) else _("a node")
            parent_name = names[parent] if parent < len(names) else _("a node")
            return _(
                "your order runs {child} (at position {child_at}) before {parent} (at position "
                "{parent_at}), which sends it a gradient: a node runs only once every node that "
                "uses it has run",
                child=child_name,
                child_at=position[child],
                parent=parent_name,
                parent_at=position[parent],
            )
    return ""


# q3 (debug): a Jacobian, one backward per output ---------------------------------------------


def _jacobian_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for kind in ("square", "mix", "mix", "square", "mix"):
        n = int(rng.integers(2, 6))
        m = n if kind == "square" else int(rng.integers(2, 6))
        cases.append({"f": kind, "x": rng.uniform(-1.5, 1.5, size=n), "W": rng.normal(size=(m, n))})
    return cases


def _jacobian_function(lib: Any, case: dict[str, Any]) -> Any:
    w = lib.tensor(case["W"])
    if case["f"] == "square":
        return lambda t: t * t + t.sin()
    return lambda t: (w @ t).tanh() * t.sum()


def _jacobian_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    import minigrad

    out = need(ns, "jacobian")(_jacobian_function(minigrad, case), case["x"])
    return np.array(out, dtype=np.float64)


def _jacobian_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    f = _jacobian_function(torch, case)
    return torch.autograd.functional.jacobian(f, torch.tensor(case["x"])).numpy()


def _jacobian_describe(case: dict[str, Any]) -> str:
    body = "x * x + x.sin()" if case["f"] == "square" else "(W @ x).tanh() * x.sum()"
    w = " ".join(np.array2string(case["W"], precision=4).split())
    x = " ".join(np.array2string(case["x"], precision=6).split())
    if case["f"] == "square":
        return _("f(x) = {body} at x = {x}", body=body, x=x)
    return _("f(x) = {body} at x = {x}, W = {w}", body=body, x=x, w=w)


# q4 (predict) -------------------------------------------------------------------------------

PREDICTIONS = {
    "a": (
        "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "y = x * 3\n"
        "z = y.detach() * x\n"
        "z.sum().backward()\n"
        "answer = x.grad  # as a list"
    ),
    "b": (
        "w = torch.tensor(2.0, requires_grad=True)\n"
        "with torch.no_grad():\n"
        "    h = w * 3\n"
        "answer = [h.requires_grad, h.is_leaf, h.grad_fn is None]"
    ),
    "c": (
        "x = torch.tensor(3.0, requires_grad=True)\n"
        "h = x * x\n"
        "h.retain_grad()\n"
        "y = h * h\n"
        "y.backward(retain_graph=True)\n"
        "y.backward()\n"
        "answer = [h.grad, x.grad]"
    ),
    "d": (
        "a = torch.tensor(1.0, requires_grad=True)\n"
        "b = torch.tensor(2.0)\n"
        "c = (a * b).exp()\n"
        "answer = [a.is_leaf, b.requires_grad, c.is_leaf, c.requires_grad]"
    ),
    "e": (
        "x = torch.ones(3, requires_grad=True)\n"
        "for _ in range(2):\n"
        "    (x * x).sum().backward()\n"
        "answer = x.grad  # as a list"
    ),
    "f": (
        "w = torch.tensor([1.0, -1.0], requires_grad=True)\n"
        "b = torch.tensor(0.5, requires_grad=True)\n"
        "b.requires_grad_(False)\n"
        "loss = (w * b).sum() + b\n"
        "loss.backward()\n"
        "answer = [b.grad is None, *w.grad.tolist()]"
    ),
}


EXERCISE = Exercise(
    id="02_computation_graphs",
    title=N_("Computation graphs"),
    version=2,
    questions=(
        Question(
            name="q1",
            title=N_("the leaves that backward() fills, from grad_fn"),
            needs=("leaves_with_grad",),
            make_cases=_leaf_cases,
            run=_leaf_run,
            expected=_leaf_expected,
            kind="warm-up",
            hint=N_("the result is the sorted indices of the leaves you returned, one per leaf"),
            layout=N_("indices of the leaves x0, x1, ... you returned; -1 for anything else"),
            describe=_describe,
        ),
        Question(
            name="q2",
            title=N_("the order in which backward() may run the nodes"),
            needs=("backward_order",),
            make_cases=_order_cases,
            run=_order_run,
            expected=_order_expected,
            accept=_order_accept,
            points=3,
            difficulty=2,
            describe=_describe,
        ),
        Question(
            name="q3",
            title=N_("find and fix the bugs in jacobian()"),
            needs=("jacobian",),
            make_cases=_jacobian_cases,
            run=_jacobian_run,
            expected=_jacobian_expected,
            points=2,
            kind="debug",
            difficulty=2,
            rtol=1e-12,
            atol=1e-13,
            hint=N_("J has one row per output of f and one column per input"),
            layout=N_("row i is the gradient of output i"),
            describe=_jacobian_describe,
        ),
        predict_question(
            name="q4",
            title=N_("predict: detach, no_grad, retain_grad, two backward calls, frozen tensors"),
            programs=PREDICTIONS,
            points=3,
            difficulty=1,
        ),
    ),
)
