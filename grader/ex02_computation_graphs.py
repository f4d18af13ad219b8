"""Exercise 02 (computation graphs): topological order, sum over paths, PyTorch's recorded graph.

A graph is a dict ``node: [op, inputs]`` as in notebook 02 (``["input", []]`` for an input;
an input may be listed twice, as in ``mul(x, x)``). Node names are shuffled and so is the
dict's order, so neither the names nor the order of the keys give a topological order away.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.core import Exercise, Question, need

DEEP = 3000  # deeper than Python's default recursion limit (1000), as in ex03
UNARY = ("sin", "tanh")


def _random_dag(rng: np.random.Generator, n: int, n_inputs: int) -> tuple[dict, list[str]]:
    """A random DAG of ``n`` nodes; returns (dag in shuffled key order, a topological order).

    Later nodes often use a node that is not the newest, so that a node waits on inputs of
    different depths (what an order without dependency counts gets wrong).
    """
    names = [f"v{k}" for k in rng.permutation(n)]
    nodes: list[tuple[str, str, list[str]]] = []
    for k, name in enumerate(names):
        if k < n_inputs:
            nodes.append((name, "input", []))
            continue
        op = str(rng.choice(("add", "mul", "sin", "tanh")))
        first = names[k - 1] if rng.random() < 0.5 else names[int(rng.integers(k))]
        if op in UNARY:
            inputs = [first]
        else:
            # Sometimes the same node twice (mul(x, x)): two edges, two paths.
            second = first if rng.random() < 0.2 else names[int(rng.integers(k))]
            inputs = [first, second] if rng.random() < 0.5 else [second, first]
        nodes.append((name, op, inputs))
    order = [name for name, _, _ in nodes]
    dag = {name: [op, inputs] for name, op, inputs in (nodes[i] for i in rng.permutation(n))}
    return dag, order


def _deep_dag(rng: np.random.Generator) -> dict:
    """A chain of DEEP nodes with a few skip edges, keys shuffled."""
    names = [f"v{k}" for k in rng.permutation(DEEP)]
    dag = {names[0]: ["input", []]}
    for k in range(1, DEEP):
        skip = names[int(rng.integers(k))]
        dag[names[k]] = (
            ["add", [names[k - 1], skip]] if rng.random() < 0.2 else ["sin", [names[k - 1]]]
        )
    return {name: dag[name] for name in rng.permutation(names).tolist()}


def _with_cycle(rng: np.random.Generator, dag: dict, order: list[str]) -> dict:
    """The DAG with one input of a node redirected to that node or one that depends on it."""
    node = str(rng.choice([n for n in order if dag[n][0] != "input"]))
    below = [n for n in order if n == node or node in _ancestors(dag, n)]
    late = str(rng.choice(below))  # may be the node itself: a self-loop
    cyclic = {name: [op, list(inputs)] for name, (op, inputs) in dag.items()}
    op, inputs = dag[node]
    cyclic[node] = [op, [late, *inputs[1:]]]
    return cyclic


# q1: topological order -------------------------------------------------------------------


def _shuffled(rng: np.random.Generator, dag: dict) -> dict:
    """The graph under fresh node names, its keys in random order."""
    names = dict(zip(dag, (f"v{k}" for k in rng.permutation(len(dag))), strict=True))
    renamed = {names[n]: [op, [names[i] for i in inputs]] for n, (op, inputs) in dag.items()}
    return {n: renamed[n] for n in rng.permutation(list(renamed)).tolist()}


#: Fixed graphs that catch an order without dependency counts every time, in both operand
#: orders: an uneven diamond (c waits on x directly and through a, b), a node using its
#: input twice (mul(x, x): two edges, one input), and a node whose inputs are far apart.
FIXED_GRAPHS = (
    {"x": ["input", []], "a": ["sin", ["x"]], "b": ["tanh", ["a"]], "c": ["add", ["x", "b"]]},
    {"x": ["input", []], "a": ["sin", ["x"]], "b": ["tanh", ["a"]], "c": ["add", ["b", "x"]]},
    {"x": ["input", []], "a": ["mul", ["x", "x"]], "b": ["sin", ["a"]], "c": ["mul", ["b", "a"]]},
    {
        "x": ["input", []],
        "y": ["input", []],
        "a": ["mul", ["x", "y"]],
        "b": ["sin", ["a"]],
        "c": ["tanh", ["b"]],
        "d": ["add", ["c", "y"]],
        "e": ["mul", ["d", "a"]],
    },
)


def _order_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"dag": _shuffled(rng, dag)} for dag in FIXED_GRAPHS]
    for _ in range(4):
        n = int(rng.integers(8, 25))
        dag, _ = _random_dag(rng, n, int(rng.integers(1, 4)))
        cases.append({"dag": dag})
    dag, order = _random_dag(rng, int(rng.integers(8, 15)), 2)
    cases.append({"dag": _with_cycle(rng, dag, order), "_cycle": True})
    cases.append({"dag": _deep_dag(rng), "_deep": True})
    return cases


def _order_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    """[node problems, edges pointing backwards] of the student's order: [0, 0] when valid."""
    dag = case["dag"]
    try:
        order = list(need(ns, "topological_order")(dag))
    except ValueError:
        if case.get("_cycle"):
            return np.zeros(2)  # the right answer for a graph with a cycle
        raise
    position = {}
    problems = 0
    for i, node in enumerate(order):
        if node in dag and node not in position:
            position[node] = i
        else:
            problems += 1  # repeated, or not a node of the graph
    problems += len(dag) - len(position)  # missing
    backwards = sum(
        1
        for node, (_, inputs) in dag.items()
        for inp in inputs
        if node in position and inp in position and position[inp] >= position[node]
    )
    return np.array([problems, backwards], dtype=np.float64)


def _order_expected(case: dict[str, Any]) -> np.ndarray:
    # A valid order has no problem at all; a graph with a cycle has none and must raise.
    return np.zeros(2)


def _describe_graph(dag: dict, limit: int = 10) -> str:
    parts = [
        f"{node}: input" if op == "input" else f"{node} = {op}({', '.join(inputs)})"
        for node, (op, inputs) in list(dag.items())[:limit]
    ]
    more = f", ... ({len(dag)} nodes in all)" if len(dag) > limit else ""
    return "{" + "; ".join(parts) + more + "}"


def _order_describe(case: dict[str, Any]) -> str:
    text = f"the graph {_describe_graph(case['dag'])}"
    if case.get("_cycle"):
        text += " (it has a cycle, so topological_order must raise ValueError)"
    if case.get("_deep"):
        text += " (a chain deeper than Python's recursion limit)"
    return text


# q2: the total derivative, a sum over paths ----------------------------------------------


def _forward(dag: dict, order: list[str], inputs: dict[str, float]) -> dict[str, float]:
    """Every node's value (the grader's own forward pass, in a known topological order)."""
    rule = {"add": lambda p, q: p + q, "mul": lambda p, q: p * q, "sin": math.sin}
    rule["tanh"] = math.tanh
    value = dict(inputs)
    for node in order:
        op, args = dag[node]
        if op != "input":
            value[node] = rule[op](*(value[a] for a in args))
    return value


def _local(dag: dict, value: dict[str, float]) -> dict[str, list[float]]:
    """node -> [d node / d each of its inputs], in the order of its inputs."""
    rule = {
        "input": lambda: [],
        "add": lambda p, q: [1.0, 1.0],
        "mul": lambda p, q: [q, p],
        "sin": lambda p: [math.cos(p)],
        "tanh": lambda p: [1 - math.tanh(p) ** 2],
    }
    return {node: rule[op](*(value[a] for a in args)) for node, (op, args) in dag.items()}


def _ancestors(dag: dict, node: str) -> set[str]:
    seen, stack = set(), [node]
    while stack:
        for inp in dag[stack.pop()][1]:
            if inp not in seen:
                seen.add(inp)
                stack.append(inp)
    return seen


def _ladder(rng: np.random.Generator, rungs: int) -> tuple[dict, list[str]]:
    """x -> (sin, tanh) -> add, ``rungs`` times: 2**rungs paths from the input to the output."""
    dag, order, last = {"x": ["input", []]}, ["x"], "x"
    for k in range(rungs):
        dag[f"s{k}"], dag[f"t{k}"] = ["sin", [last]], ["tanh", [last]]
        dag[f"a{k}"] = ["add", [f"s{k}", f"t{k}"]]
        order += [f"s{k}", f"t{k}", f"a{k}"]
        last = f"a{k}"
    return {name: dag[name] for name in rng.permutation(list(dag)).tolist()}, order


def _path_case(rng: np.random.Generator, dag: dict, order: list[str], source: str) -> dict:
    inputs = {n: float(rng.uniform(-1.5, 1.5)) for n, (op, _) in dag.items() if op == "input"}
    return {"dag": dag, "inputs": inputs, "source": source, "target": order[-1], "_order": order}


def _path_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for _ in range(5):
        dag, order = _random_dag(rng, int(rng.integers(6, 16)), int(rng.integers(1, 4)))
        above = sorted(_ancestors(dag, order[-1]))
        cases.append(_path_case(rng, dag, order, str(rng.choice(above))))
    # A node the output does not depend on: no path, derivative 0.
    others: list[str] = []
    while not others:
        dag, order = _random_dag(rng, 10, 3)
        others = sorted(set(dag) - _ancestors(dag, order[-1]) - {order[-1]})
    cases.append(_path_case(rng, dag, order, str(rng.choice(others))))
    # x used twice by one node (two edges, two paths) and again further on.
    order = ["x", "y", "a", "b", "c", "d"]
    fixed = {"x": ["input", []], "y": ["input", []], "a": ["mul", ["x", "x"]]}
    fixed |= {"b": ["sin", ["a"]], "c": ["mul", ["b", "y"]], "d": ["add", ["c", "a"]]}
    cases.append(_path_case(rng, fixed, order, "x"))
    dag, order = _ladder(rng, 8)
    cases.append(_path_case(rng, dag, order, "x"))
    for fixed in FIXED_GRAPHS[:2]:  # x reaches c directly and through a, b
        cases.append(_path_case(rng, fixed, ["x", "a", "b", "c"], "x"))
    # Deeper than Python's recursion limit: one path through DEEP nodes.
    chain = {"v0": ["input", []]} | {f"v{k}": ["sin", [f"v{k - 1}"]] for k in range(1, DEEP)}
    case = _path_case(rng, chain, list(chain), "v0")
    case["_deep"] = True
    cases.append(case)
    return cases


def _path_run(ns: dict[str, Any], case: dict[str, Any]) -> float:
    dag, order = case["dag"], case["_order"]
    local = _local(dag, _forward(dag, order, case["inputs"]))
    answer = need(ns, "total_derivative")(dag, local, case["source"], case["target"])
    return float(answer)


def _path_expected(case: dict[str, Any]) -> float:
    import torch

    dag = case["dag"]
    t = {
        n: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for n, v in case["inputs"].items()
    }
    ops = {"add": torch.add, "mul": torch.mul, "sin": torch.sin, "tanh": torch.tanh}
    for node in case["_order"]:
        op, args = dag[node]
        if op != "input":
            t[node] = ops[op](*(t[a] for a in args))
    (grad,) = torch.autograd.grad(t[case["target"]], t[case["source"]], allow_unused=True)
    return 0.0 if grad is None else grad.item()


def _path_describe(case: dict[str, Any]) -> str:
    values = ", ".join(f"{n}={v:.6g}" for n, v in case["inputs"].items())
    deep = " (a chain deeper than Python's recursion limit)" if case.get("_deep") else ""
    return (
        f"the graph {_describe_graph(case['dag'], limit=16)}{deep} with {values}: "
        f"d {case['target']} / d {case['source']}"
    )


# q3: the leaves that backward() fills, from grad_fn and next_functions ----------------------


def _leaf_program(rng: np.random.Generator, n_leaves: int, steps: int) -> list:
    """Steps ``[op, i, j]`` over registers (leaves first); ``j = -1`` for a one-input op."""
    program = []
    for k in range(steps):
        n = n_leaves + k
        op = str(rng.choice(("add", "mul", "mul", "sin", "detach")))
        i = n - 1 if rng.random() < 0.5 else int(rng.integers(n))
        j = i if rng.random() < 0.25 else int(rng.integers(n))  # a tensor used twice
        program.append([op, i, j if op in ("add", "mul") else -1])
    return program


def _leaf_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for _ in range(5):
        n = int(rng.integers(2, 6))
        requires = [bool(r) for r in rng.random(n) < 0.6]
        program = _leaf_program(rng, n, int(rng.integers(3, 10)))
        cases.append(
            {"requires_grad": requires, "program": program, "size": int(rng.integers(1, 4))}
        )
    # A leaf used twice, one that needs no gradient, one whose path is cut by detach().
    cases.append(
        {
            "requires_grad": [True, False, True],
            "program": [["mul", 0, 0], ["add", 3, 1], ["detach", 2, -1], ["mul", 4, 5]],
            "size": 2,
        }
    )
    # Deeper than Python's recursion limit: y = sin(sin(... (x0 * x1) ...)).
    deep = [["mul", 0, 1]] + [["sin", 2 + k, -1] for k in range(DEEP)]
    cases.append({"requires_grad": [True, True], "program": deep, "size": 1, "_deep": True})
    return cases


def _build_leaves(torch: Any, case: dict[str, Any]) -> tuple[list, Any]:
    """The case's leaves and output ``y`` (a sum, so a scalar), built with torch."""
    gen = torch.Generator().manual_seed(0)
    leaves = [
        torch.randn(case["size"], generator=gen, dtype=torch.float64).requires_grad_(r)
        for r in case["requires_grad"]
    ]
    regs = list(leaves)
    for op, i, j in case["program"]:
        a = regs[i]
        if op == "add":
            regs.append(a + regs[j])
        elif op == "mul":
            regs.append(a * regs[j])
        elif op == "sin":
            regs.append(torch.sin(a))
        else:
            regs.append(a.detach())
    return leaves, regs[-1].sum()


def _leaf_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    import torch

    leaves, y = _build_leaves(torch, case)
    found = need(ns, "leaves_with_grad")(y)
    index = {id(leaf): i for i, leaf in enumerate(leaves)}
    # Anything that is not one of the leaves (a node, a non-leaf tensor) shows up as -1.
    return np.array(sorted(index.get(id(t), -1) for t in found), dtype=np.int64)


def _leaf_expected(case: dict[str, Any]) -> np.ndarray:
    # Ask PyTorch itself: run backward() and see which leaves got a .grad.
    import torch

    leaves, y = _build_leaves(torch, case)
    if y.requires_grad:
        y.backward()
    return np.array([i for i, leaf in enumerate(leaves) if leaf.grad is not None], dtype=np.int64)


def _leaf_describe(case: dict[str, Any]) -> str:
    lines = [
        f"x{i} = torch.randn({case['size']}, requires_grad={r})"
        for i, r in enumerate(case["requires_grad"])
    ]
    n, program = len(case["requires_grad"]), case["program"]
    name = [f"x{i}" for i in range(n)] + [f"v{n + k}" for k in range(len(program))]
    symbol = {"add": "+", "mul": "*"}
    for k, (op, i, j) in enumerate(program[:8]):
        a = name[i]
        expr = f"{a} {symbol[op]} {name[j]}" if op in symbol else f"{a}.{op}()"
        lines.append(f"{name[n + k]} = {expr}")
    if len(program) > 8:
        lines.append(f"... ({len(program)} steps in all)")
    return "; ".join(lines) + f"; y = {name[-1]}.sum()"


EXERCISE = Exercise(
    id="02_computation_graphs",
    title="Computation graphs",
    questions=(
        Question(
            name="q1",
            title="topological order (Kahn's algorithm)",
            needs=("topological_order",),
            make_cases=_order_cases,
            run=_order_run,
            expected=_order_expected,
            layout=(
                "the result counts [nodes missing, repeated or unknown in your order, edges "
                "input -> node with the node placed before its input]; a valid order has none"
            ),
            describe=_order_describe,
        ),
        Question(
            name="q2",
            title="the total derivative: a sum over paths",
            needs=("total_derivative",),
            make_cases=_path_cases,
            run=_path_run,
            expected=_path_expected,
            rtol=1e-9,
            atol=1e-12,
            describe=_path_describe,
        ),
        Question(
            name="q3",
            title="the leaves that backward() fills, from grad_fn",
            needs=("leaves_with_grad",),
            make_cases=_leaf_cases,
            run=_leaf_run,
            expected=_leaf_expected,
            hint="the result is the sorted indices of the leaves you returned, one per leaf",
            layout="indices of the leaves x0, x1, ... you returned; -1 for anything else",
            describe=_leaf_describe,
        ),
    ),
)
