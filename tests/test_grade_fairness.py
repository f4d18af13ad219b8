"""Fair grading, question by question: known-wrong answers lose the question's points in every
one of many random draws, and correct answers written differently keep them in every draw.

A variant is a solution notebook with some text replaced. Its code runs here, in this process
(it is ours, not a student's), and each question is judged exactly as the grader judges it
(``make_cases`` with a seeded generator, PyTorch's ``expected``, ``run_case``, ``judge``),
for SEEDS draws. ``tests/test_grade.py`` grades a few of the same variants end to end.
"""

from __future__ import annotations

import builtins
import copy
import functools
import os
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from grader import core, get_exercise

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(50)
E04 = "04_tensors_and_functions"
#: Correct answers are tried on fewer draws (a correct answer is rarely right by luck only);
#: the known-wrong ones on all SEEDS.
RIGHT_SEEDS = range(20)
# Wrong answers overflow and divide by zero on purpose; their warnings are no news.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

#: (id, exercise, question, replacements): each must score 0 on the question in every draw.
WRONG: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    # 01 -------------------------------------------------------------------------------------
    ("hard-coded", "01_chain_rule", "q1", [("return 3 * x**2 + 2 * x", "return x * 0 + 5.0")]),
    ("2x forgotten", "01_chain_rule", "q1", [("return 3 * x**2 + 2 * x", "return 3 * x**2")]),
    ("+2 not +2x", "01_chain_rule", "q1", [("return 3 * x**2 + 2 * x", "return 3 * x**2 + 2")]),
    (
        "central difference for an exact derivative",
        "01_chain_rule",
        "q1",
        [
            (
                "return 3 * x**2 + 2 * x",
                "h = 1e-5\n    f = lambda v: v**3 + v**2\n"
                "    return (f(x + h) - f(x - h)) / (2 * h)",
            )
        ],
    ),
    (
        "forward difference",
        "01_chain_rule",
        "q2",
        [("return (f(x + h) - f(x - h)) / (2 * h)", "return (f(x + h) - f(x)) / h")],
    ),
    (
        "precedence: / 2 * h",
        "01_chain_rule",
        "q2",
        [("return (f(x + h) - f(x - h)) / (2 * h)", "return (f(x + h) - f(x - h)) / 2 * h")],
    ),
    (
        "own step instead of h",
        "01_chain_rule",
        "q2",
        [("return (f(x + h) - f(x - h)) / (2 * h)", "return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5")],
    ),
    (
        "one path of two",
        "01_chain_rule",
        "q3",
        [("return np.cos(x) * x**2 + np.sin(x) * 2 * x", "return np.cos(x) * x**2")],
    ),
    (
        "product rule without the chain",
        "01_chain_rule",
        "q3",
        [("return np.cos(x) * x**2 + np.sin(x) * 2 * x", "return np.cos(x) * 2 * x")],
    ),
    (
        "central difference for two paths",
        "01_chain_rule",
        "q3",
        [
            (
                "return np.cos(x) * x**2 + np.sin(x) * 2 * x",
                "h = 1e-5\n    f = lambda v: np.sin(v) * v**2\n"
                "    return (f(x + h) - f(x - h)) / (2 * h)",
            )
        ],
    ),
    (
        "nan at 0",
        "01_chain_rule",
        "q4",
        [
            (
                "return np.where(x == 0, 0.0, (safe * np.cos(safe) - np.sin(safe)) / safe**2)",
                "return (x * np.cos(x) - np.sin(x)) / x**2",
            )
        ],
    ),
    (
        "right values, but a RuntimeWarning at 0",
        "01_chain_rule",
        "q4",
        [
            (
                "return np.where(x == 0, 0.0, (safe * np.cos(safe) - np.sin(safe)) / safe**2)",
                "return np.where(x == 0, 0.0, (x * np.cos(x) - np.sin(x)) / x**2)",
            )
        ],
    ),
    (
        "the limit of sin(x)/x, not of its derivative",
        "01_chain_rule",
        "q4",
        [("return np.where(x == 0, 0.0, (safe", "return np.where(x == 0, 1.0, (safe")],
    ),
    (
        "central difference for sinc",
        "01_chain_rule",
        "q4",
        [
            (
                "return np.where(x == 0, 0.0, (safe * np.cos(safe) - np.sin(safe)) / safe**2)",
                "h = 1e-5\n    f = lambda v: np.sinc(v / np.pi)\n"
                "    return (f(x + h) - f(x - h)) / (2 * h)",
            )
        ],
    ),
    # 02 -------------------------------------------------------------------------------------
    (
        "no dependency counts (breadth-first from the inputs)",
        "02_computation_graphs",
        "q1",
        [
            (
                "            waiting[user] -= 1\n"
                "            if waiting[user] == 0:\n"
                "                ready.append(user)",
                "            if user not in order and user not in ready:\n"
                "                ready.append(user)",
            )
        ],
    ),
    (
        "a cycle not reported",
        "02_computation_graphs",
        "q1",
        [('raise ValueError(f"no topological order:', 'print(f"no topological order:')],
    ),
    (
        "recursive depth-first order (deep graph)",
        "02_computation_graphs",
        "q1",
        [
            (
                "    waiting = {node: len(inputs) for node, (_, inputs) in dag.items()}",
                "    order, seen = [], set()\n\n"
                "    def visit(node):\n"
                "        if node not in seen:\n"
                "            seen.add(node)\n"
                "            for inp in dag[node][1]:\n"
                "                visit(inp)\n"
                "            order.append(node)\n\n"
                "    for node in dag:\n"
                "        visit(node)\n"
                "    return order",
            )
        ],
    ),
    (
        "a user listed once for an input it uses twice (never ready)",
        "02_computation_graphs",
        "q1",
        [
            (
                "            users[inp].append(node)",
                "            if node not in users[inp]:\n                users[inp].append(node)",
            )
        ],
    ),
    (
        "consumes the graph it is given",
        "02_computation_graphs",
        "q1",
        [("    return order\n    ### END", "    dag.clear()\n    return order\n    ### END")],
    ),
    (
        "= instead of += (a node with two users)",
        "02_computation_graphs",
        "q2",
        [("grad[inp] += grad[node] * d", "grad[inp] = grad[node] * d")],
    ),
    (
        "an input listed twice counted once (a path forgotten)",
        "02_computation_graphs",
        "q2",
        [
            (
                "for inp, d in zip(inputs, local[node], strict=True):",
                "for inp, d in dict(zip(inputs, local[node], strict=True)).items():",
            )
        ],
    ),
    (
        "nodes in the dict's order, not a topological one",
        "02_computation_graphs",
        "q2",
        [("for node in reversed(topological_order(dag)):", "for node in reversed(list(dag)):")],
    ),
    (
        "recursive sum over paths (deep graph)",
        "02_computation_graphs",
        "q2",
        [
            (
                "    grad = {node: 0.0 for node in dag}",
                "    def paths(node):\n"
                "        if node == source:\n"
                "            return 1.0\n"
                "        op, inputs = dag[node]\n"
                "        return sum(d * paths(i) for i, d in zip(inputs, local[node]))\n\n"
                "    return paths(target)\n"
                "    grad = {node: 0.0 for node in dag}",
            )
        ],
    ),
    (
        "a leaf used twice returned twice",
        "02_computation_graphs",
        "q3",
        [("        if fn in seen:\n            continue\n", "")],
    ),
    (
        "recursive walk of grad_fn (deep graph)",
        "02_computation_graphs",
        "q3",
        [
            (
                "    leaves, seen, stack = [], set(), [y.grad_fn]",
                "    leaves, seen = [], set()\n\n"
                "    def visit(fn):\n"
                "        if fn is not None and fn not in seen:\n"
                "            seen.add(fn)\n"
                '            if hasattr(fn, "variable"):\n'
                "                leaves.append(fn.variable)\n"
                "            for child, _ in fn.next_functions:\n"
                "                visit(child)\n\n"
                "    visit(y.grad_fn)\n"
                "    stack = []",
            )
        ],
    ),
    (
        "only the first input of each node followed",
        "02_computation_graphs",
        "q3",
        [
            (
                "stack.extend(child for child, _ in fn.next_functions if child is not None)",
                "stack.extend(child for child, _ in fn.next_functions[:1] if child is not None)",
            )
        ],
    ),
    # 03 -------------------------------------------------------------------------------------
    (
        "= instead of += (a node used twice)",
        "03_value_autograd",
        "q1",
        [
            ("self.grad += other.data * out.grad", "self.grad = other.data * out.grad"),
            ("other.grad += self.data * out.grad", "other.grad = self.data * out.grad"),
        ],
    ),
    (
        "operands' data swapped",
        "03_value_autograd",
        "q1",
        [
            ("self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
            ("other.grad += self.data * out.grad", "other.grad += other.data * out.grad"),
        ],
    ),
    (
        "out.grad forgotten",
        "03_value_autograd",
        "q1",
        [
            ("self.grad += other.data * out.grad", "self.grad += other.data"),
            ("other.grad += self.data * out.grad", "other.grad += self.data"),
        ],
    ),
    (
        "tanh: = instead of +=",
        "03_value_autograd",
        "q2",
        [("self.grad += (1 - out.data**2) * out.grad", "self.grad = (1 - out.data**2) * out.grad")],
    ),
    (
        "tanh backward from the input instead of the output",
        "03_value_autograd",
        "q2",
        [
            (
                "self.grad += (1 - out.data**2) * out.grad",
                "self.grad += (1 - self.data**2) * out.grad",
            )
        ],
    ),
    (
        "tanh: out.grad forgotten",
        "03_value_autograd",
        "q2",
        [("self.grad += (1 - out.data**2) * out.grad", "self.grad += 1 - out.data**2")],
    ),
    (
        "recursive topological sort (deep graph)",
        "03_value_autograd",
        "q3",
        [
            (
                "order, visited, stack = [], set(), [(self, False)]",
                "order, visited = [], set()\n\n"
                "    def visit(node):\n"
                "        if node not in visited:\n"
                "            visited.add(node)\n"
                "            for child in node._prev:\n"
                "                visit(child)\n"
                "            order.append(node)\n\n"
                "    visit(self)\n"
                "    stack = []",
            )
        ],
    ),
    (
        "no topological order (breadth-first from the output)",
        "03_value_autograd",
        "q3",
        [
            (
                "    for node in reversed(order):\n        node._backward()",
                "    seen, queue = set(), [self]\n"
                "    while queue:\n"
                "        node = queue.pop(0)\n"
                "        if node not in seen:\n"
                "            seen.add(node)\n"
                "            node._backward()\n"
                "            queue.extend(node._prev)",
            )
        ],
    ),
    (
        "pre-order: a node before the nodes that use it are done",
        "03_value_autograd",
        "q3",
        [
            (
                "        if children_done:\n            order.append(node)\n"
                "        elif node not in visited:\n            visited.add(node)\n"
                "            stack.append((node, True))\n",
                "        if children_done:\n            pass\n"
                "        elif node not in visited:\n            visited.add(node)\n"
                "            order.insert(0, node)\n",
            )
        ],
    ),
    (
        "self.grad not seeded with 1",
        "03_value_autograd",
        "q3",
        [("    self.grad = 1.0\n", "")],
    ),
    # 04 -------------------------------------------------------------------------------------
    (
        "un-reduced broadcast gradient",
        "04_tensors_and_functions",
        "q1",
        [("grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))", "return grad")],
    ),
    (
        "only the leading dimensions summed",
        "04_tensors_and_functions",
        "q1",
        [("    return grad.sum(axis=stretched, keepdims=True)", "    return grad")],
    ),
    (
        "stretched dimensions summed away (no keepdims)",
        "04_tensors_and_functions",
        "q1",
        [("return grad.sum(axis=stretched, keepdims=True)", "return grad.sum(axis=stretched)")],
    ),
    (
        "manual gradients left in the broadcast shape",
        "04_tensors_and_functions",
        "q2",
        [("return dx, dy, dz", "return ones * y, ones * x, ones")],
    ),
    (
        "the output's shape from x and y only",
        "04_tensors_and_functions",
        "q2",
        [
            (
                "ones = np.ones(np.broadcast_shapes(x.shape, y.shape, z.shape))",
                "ones = np.ones(np.broadcast_shapes(x.shape, y.shape))",
            )
        ],
    ),
    (
        "dz as ones in z's shape (not summed over the broadcast)",
        "04_tensors_and_functions",
        "q2",
        [("dz = unbroadcast(ones, z.shape)", "dz = np.ones(z.shape)")],
    ),
    (
        "weight gradient transposed",
        "04_tensors_and_functions",
        "q3",
        [("grad_weight = grad_output.t() @ x", "grad_weight = (x.t() @ grad_output).t() * 1.5")],
    ),
    (
        "bias gradient not summed over the batch",
        "04_tensors_and_functions",
        "q3",
        [("grad_bias = grad_output.sum(0)", "grad_bias = grad_output")],
    ),
    (
        "hard-coded bias gradient",
        "04_tensors_and_functions",
        "q3",
        [("grad_bias = grad_output.sum(0)", "grad_bias = grad_output.sum(0) * 0 + 1")],
    ),
    (
        "cumsum backward: a forward cumsum of the gradient",
        "04_tensors_and_functions",
        "q4",
        [
            (
                "        from_the_end = np.flip(grad_output.numpy(), axis=ctx.dim)\n"
                "        grad_x = np.flip(np.cumsum(from_the_end, axis=ctx.dim), axis=ctx.dim)",
                "        grad_x = np.cumsum(grad_output.numpy(), axis=ctx.dim)",
            )
        ],
    ),
    (
        "cumsum backward: flipped but not flipped back",
        "04_tensors_and_functions",
        "q4",
        [
            (
                "grad_x = np.flip(np.cumsum(from_the_end, axis=ctx.dim), axis=ctx.dim)",
                "grad_x = np.cumsum(from_the_end, axis=ctx.dim)",
            )
        ],
    ),
    (
        "cumsum backward passes the gradient through",
        "04_tensors_and_functions",
        "q4",
        [
            (
                "        return minigrad.tensor(grad_x), None",
                "        return grad_output.detach(), None",
            )
        ],
    ),
    (
        "cumsum backward always along the last dimension",
        "04_tensors_and_functions",
        "q4",
        [("axis=ctx.dim", "axis=-1")],
    ),
    (
        "cumsum forward always along dimension 0",
        "04_tensors_and_functions",
        "q4",
        [("np.cumsum(x.detach().numpy(), axis=dim)", "np.cumsum(x.detach().numpy(), axis=0)")],
    ),
    (
        "cumsum backward: no None for dim",
        "04_tensors_and_functions",
        "q4",
        [("return minigrad.tensor(grad_x), None", "return minigrad.tensor(grad_x)")],
    ),
    (
        "cumsum backward: every element gets the total",
        "04_tensors_and_functions",
        "q4",
        [
            (
                "grad_x = np.flip(np.cumsum(from_the_end, axis=ctx.dim), axis=ctx.dim)",
                "grad_x = np.broadcast_to(grad_output.numpy().sum(axis=ctx.dim, keepdims=True),"
                " grad_output.shape)",
            )
        ],
    ),
    (
        "softplus: the planted bug left in",
        "04_tensors_and_functions",
        "q5",
        [
            (
                "return grad_output * (1 - minigrad.exp(-y))",
                "return grad_output * minigrad.sigmoid(y)",
            )
        ],
    ),
    (
        "softplus: 1 - y for sigmoid(x)",
        "04_tensors_and_functions",
        "q5",
        [("return grad_output * (1 - minigrad.exp(-y))", "return grad_output * (1 - y)")],
    ),
    (
        "softplus: exp(-y), which is sigmoid(-x)",
        "04_tensors_and_functions",
        "q5",
        [("return grad_output * (1 - minigrad.exp(-y))", "return grad_output * minigrad.exp(-y)")],
    ),
    ("predict: one backward only", E04, "q6", [('"a": [4.0, 8.0, 12.0]', '"a": [2.0, 4.0, 6.0]')]),
    ("predict: h a leaf", E04, "q6", [('"b": [True, False, True]', '"b": [True, True, True]')]),
    ("predict: h.grad kept", E04, "q6", [('"c": [False, True]', '"c": [False, False]')]),
    ("predict: bias.grad (N, out)", E04, "q6", [('"d": [4, 3, 4]', '"d": [4, 3, 5, 4]')]),
    ("predict: the graph kept", E04, "q6", [('"e": True', '"e": False')]),
    ("predict: one left out", E04, "q6", [('"e": True', '"e": None')]),
    # 05 -------------------------------------------------------------------------------------
    (
        "exp2 backward without log(2)",
        "05_framework_kernels",
        "q1",
        [("return dy * np.exp2(x) * x.dtype.type(math.log(2))", "return dy * np.exp2(x)")],
    ),
    (
        "exp2 backward with a float64 constant",
        "05_framework_kernels",
        "q1",
        [
            (
                "return dy * np.exp2(x) * x.dtype.type(math.log(2))",
                "return dy * np.exp2(x) * np.log(2)",
            )
        ],
    ),
    (
        "exp2 backward written into dy",
        "05_framework_kernels",
        "q1",
        [
            (
                "return dy * np.exp2(x) * x.dtype.type(math.log(2))",
                "dy *= np.exp2(x) * x.dtype.type(math.log(2))\n    return dy",
            )
        ],
    ),
    (
        "tanh backward from y as if it were x",
        "05_framework_kernels",
        "q2",
        [("return dy * (1 - y * y)", "return dy * (1 - np.tanh(y) ** 2)")],
    ),
    ("tanh backward: 1 - y", "05_framework_kernels", "q2", [("(1 - y * y)", "(1 - y)")]),
    (
        "div backward with the wrong sign",
        "05_framework_kernels",
        "q3",
        [("db = -dy * y / b", "db = dy * y / b")],
    ),
    (
        "div backward: db = -dy * a / b",
        "05_framework_kernels",
        "q3",
        [("db = -dy * y / b", "db = -dy * a / b")],
    ),
    (
        "div backward in a's shape",
        "05_framework_kernels",
        "q3",
        [
            (
                "return np.broadcast_to(da, dy.shape), np.broadcast_to(db, dy.shape)",
                "return np.broadcast_to(da, a.shape), np.broadcast_to(db, a.shape)",
            )
        ],
    ),
    (
        "silu backward: the sigmoid only",
        "05_framework_kernels",
        "q4",
        [("    return dy * s * (one + x * (one - s))", "    return dy * s")],
    ),
    (
        "silu backward without dy",
        "05_framework_kernels",
        "q4",
        [("    return dy * s * (one + x * (one - s))", "    return s * (one + x * (one - s))")],
    ),
    (
        "silu forward: the sigmoid, not x times it",
        "05_framework_kernels",
        "q4",
        [("    return x / (one + np.exp(-x))", "    return one / (one + np.exp(-x))")],
    ),
    (
        "silu with a float64 constant",
        "05_framework_kernels",
        "q4",
        [("one = x.dtype.type(1)", "one = np.float64(1)")],
    ),
    (
        "silu entry that says it saves y",
        "05_framework_kernels",
        "q4",
        [('silu_backward, saves="x")', 'silu_backward, saves="y")')],
    ),
    (
        "silu backward that overflows to nan at -1000",
        "05_framework_kernels",
        "q4",
        [
            (
                "    return dy * s * (one + x * (one - s))",
                "    e = np.exp(-x)\n    return dy * (one + e + x * e) / (one + e) ** 2",
            )
        ],
    ),
    # 06 -------------------------------------------------------------------------------------
    (
        "cross-entropy without the max shift (overflows)",
        "06_training",
        "q1",
        [
            (
                "shifted = logits - logits.max(axis=1, keepdims=True)\n    log_probs",
                "shifted = logits\n    log_probs",
            )
        ],
    ),
    (
        "cross-entropy summed, not averaged",
        "06_training",
        "q1",
        [(", targets].mean()", ", targets].sum()")],
    ),
    (
        "cross-entropy shifted by the column maximum",
        "06_training",
        "q1",
        [
            (
                "shifted = logits - logits.max(axis=1, keepdims=True)\n    log_probs",
                "shifted = logits - logits.max(axis=0, keepdims=True)\n    log_probs",
            )
        ],
    ),
    (
        "cross-entropy gradient not divided by the batch size",
        "06_training",
        "q2",
        [("return probs / len(targets)", "return probs")],
    ),
    (
        "cross-entropy gradient written into the logits",
        "06_training",
        "q2",
        [
            (
                "    shifted = logits - logits.max(axis=1, keepdims=True)\n    probs = np.exp",
                "    logits -= logits.max(axis=1, keepdims=True)\n    shifted = logits\n"
                "    probs = np.exp",
            )
        ],
    ),
    (
        "Adam without bias correction",
        "06_training",
        "q3",
        [("m_hat = m / (1 - beta1**t)", "m_hat = m"), ("v_hat = v / (1 - beta2**t)", "v_hat = v")],
    ),
    (
        "Adam with eps inside the square root",
        "06_training",
        "q3",
        [("(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)")],
    ),
    (
        "Adam returns the old moments",
        "06_training",
        "q3",
        [
            (
                "    m = beta1 * m + (1 - beta1) * grad\n    v = beta2 * v + (1 - beta2) * grad**2",
                "    m0, v0 = m, v\n    m = beta1 * m + (1 - beta1) * grad\n"
                "    v = beta2 * v + (1 - beta2) * grad**2",
            ),
            (
                "return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
                "return param - lr * m_hat / (np.sqrt(v_hat) + eps), m0, v0",
            ),
        ],
    ),
    (
        "Adam's bias correction one step late",
        "06_training",
        "q3",
        [
            ("(1 - beta1**t)", "(1 - beta1 ** (t + 1))"),
            ("(1 - beta2**t)", "(1 - beta2 ** (t + 1))"),
        ],
    ),
]

#: (id, exercise, question, replacements): correct answers written differently (vectorised,
#: loops, scipy, graphlib, another formula); each keeps full marks in every draw.
RIGHT: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("factored", "01_chain_rule", "q1", [("return 3 * x**2 + 2 * x", "return x * (3 * x + 2)")]),
    (
        "complex step (exact, not a difference)",
        "01_chain_rule",
        "q1",
        [("return 3 * x**2 + 2 * x", "z = x + 1e-30j\n    return ((z**3 + z**2).imag / 1e-30)")],
    ),
    (
        "multiplied by 0.5 / h",
        "01_chain_rule",
        "q2",
        [("return (f(x + h) - f(x - h)) / (2 * h)", "return (f(x + h) - f(x - h)) * (0.5 / h)")],
    ),
    (
        "a loop over the points",
        "01_chain_rule",
        "q3",
        [
            (
                "return np.cos(x) * x**2 + np.sin(x) * 2 * x",
                "import math\n"
                "    return np.array([math.cos(v) * v * v + 2 * v * math.sin(v) for v in x])",
            )
        ],
    ),
    (
        "np.divide with where=, no warning",
        "01_chain_rule",
        "q4",
        [
            (
                "return np.where(x == 0, 0.0, (safe * np.cos(safe) - np.sin(safe)) / safe**2)",
                "out = np.zeros_like(x)\n"
                "    np.divide(x * np.cos(x) - np.sin(x), x**2, out=out, where=x != 0)\n"
                "    return out",
            )
        ],
    ),
    (
        "graphlib",
        "02_computation_graphs",
        "q1",
        [
            (
                "    waiting = {node: len(inputs) for node, (_, inputs) in dag.items()}",
                "    import graphlib\n\n"
                "    try:\n"
                "        return list(graphlib.TopologicalSorter(\n"
                "            {n: set(i) for n, (_, i) in dag.items()}).static_order())\n"
                "    except graphlib.CycleError as exc:\n"
                "        raise ValueError('cycle') from exc\n"
                "    waiting = {}",
            )
        ],
    ),
    (
        "iterative depth-first post-order",
        "02_computation_graphs",
        "q1",
        [
            (
                "    waiting = {node: len(inputs) for node, (_, inputs) in dag.items()}",
                "    order, state = [], {}\n"
                "    for root in dag:\n"
                "        stack = [(root, False)]\n"
                "        while stack:\n"
                "            node, done = stack.pop()\n"
                "            if done:\n"
                "                state[node] = 2\n"
                "                order.append(node)\n"
                "                continue\n"
                "            if state.get(node) == 2:\n"
                "                continue\n"
                "            if state.get(node) == 1:\n"
                "                raise ValueError('cycle')\n"
                "            state[node] = 1\n"
                "            stack.append((node, True))\n"
                "            for inp in dag[node][1]:\n"
                "                if state.get(inp) == 1:\n"
                "                    raise ValueError('cycle')\n"
                "                if state.get(inp) != 2:\n"
                "                    stack.append((inp, False))\n"
                "    return order",
            )
        ],
    ),
    (
        "forward mode: d node / d source in topological order",
        "02_computation_graphs",
        "q2",
        [
            (
                "    grad = {node: 0.0 for node in dag}",
                "    tangent = {}\n"
                "    for node in topological_order(dag):\n"
                "        _, inputs = dag[node]\n"
                "        tangent[node] = float(node == source) + sum(\n"
                "            d * tangent[i] for i, d in zip(inputs, local[node]))\n"
                "    return tangent[target]\n"
                "    grad = {node: 0.0 for node in dag}",
            )
        ],
    ),
    (
        "leaves by id, a deque",
        "02_computation_graphs",
        "q3",
        [
            (
                "        if fn in seen:\n            continue\n        seen.add(fn)",
                "        if id(fn) in seen:\n            continue\n        seen.add(id(fn))",
            )
        ],
    ),
    (
        "mul backward through locals",
        "03_value_autograd",
        "q1",
        [
            ("self.grad += other.data * out.grad", "g = out.grad\n        a, b = self, other"),
            (
                "other.grad += self.data * out.grad",
                "a.grad = a.grad + b.data * g\n        b.grad = b.grad + a.data * g",
            ),
        ],
    ),
    (
        "tanh backward from math.tanh(self.data)",
        "03_value_autograd",
        "q2",
        [
            (
                "self.grad += (1 - out.data**2) * out.grad",
                "self.grad += (1 - math.tanh(self.data) ** 2) * out.grad",
            )
        ],
    ),
    (
        "Kahn's algorithm from the output",
        "03_value_autograd",
        "q3",
        [
            (
                "    order, visited, stack = [], set(), [(self, False)]",
                "    users, seen, stack = {}, {self}, [self]\n"
                "    while stack:\n"
                "        node = stack.pop()\n"
                "        for child in node._prev:\n"
                "            users[child] = users.get(child, 0) + 1\n"
                "            if child not in seen:\n"
                "                seen.add(child)\n"
                "                stack.append(child)\n"
                "    self.grad, ready = 1.0, [self]\n"
                "    while ready:\n"
                "        node = ready.pop()\n"
                "        node._backward()\n"
                "        for child in node._prev:\n"
                "            users[child] -= 1\n"
                "            if users[child] == 0:\n"
                "                ready.append(child)\n"
                "    return\n"
                "    order, visited, stack = [], set(), [(self, False)]",
            )
        ],
    ),
    (
        "unbroadcast by a loop over the dimensions",
        "04_tensors_and_functions",
        "q1",
        [
            (
                "    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))",
                "    while grad.ndim > len(shape):\n"
                "        grad = grad.sum(axis=0)\n"
                "    for i, n in enumerate(shape):\n"
                "        if n == 1:\n"
                "            grad = grad.sum(axis=i, keepdims=True)\n"
                "    return grad",
            )
        ],
    ),
    (
        "broadcast_to and unbroadcast",
        "04_tensors_and_functions",
        "q2",
        [
            (
                "    ones = np.ones(np.broadcast_shapes(x.shape, y.shape, z.shape))",
                "    full = np.broadcast_shapes(x.shape, y.shape, z.shape)\n"
                "    return (unbroadcast(np.broadcast_to(y, full), x.shape),\n"
                "            unbroadcast(np.broadcast_to(x, full), y.shape),\n"
                "            unbroadcast(np.ones(full), z.shape))\n"
                "    ones = None",
            )
        ],
    ),
    (
        "einsum-free matmuls, bias via ones",
        "04_tensors_and_functions",
        "q3",
        [
            (
                "grad_bias = grad_output.sum(0)",
                "grad_bias = (minigrad.ones(grad_output.shape[0], dtype=grad_output.dtype) "
                "@ grad_output)",
            )
        ],
    ),
    (
        "cumsum backward as total - cumsum + g",
        "04_tensors_and_functions",
        "q4",
        [
            (
                "        from_the_end = np.flip(grad_output.numpy(), axis=ctx.dim)\n"
                "        grad_x = np.flip(np.cumsum(from_the_end, axis=ctx.dim), axis=ctx.dim)",
                "        g = grad_output.numpy()\n"
                "        total = g.sum(axis=ctx.dim, keepdims=True)\n"
                "        grad_x = total - np.cumsum(g, axis=ctx.dim) + g",
            )
        ],
    ),
    (
        "softplus backward as -expm1(-y)",
        "04_tensors_and_functions",
        "q5",
        [
            (
                "return grad_output * (1 - minigrad.exp(-y))",
                "return grad_output * -minigrad.expm1(-y)",
            )
        ],
    ),
    (
        "softplus backward in numpy",
        "04_tensors_and_functions",
        "q5",
        [
            (
                "return grad_output * (1 - minigrad.exp(-y))",
                "return minigrad.tensor(grad_output.numpy() * (1 - np.exp(-y.numpy())))",
            )
        ],
    ),
    (
        "predictions as arrays, tuples and numbers",
        "04_tensors_and_functions",
        "q6",
        [
            ('"a": [4.0, 8.0, 12.0]', '"a": np.array([4, 8, 12])'),
            ('"b": [True, False, True]', '"b": (1, 0, 1)'),
            ('"e": True', '"e": 1'),
        ],
    ),
    (
        "exp2 backward as exp(x log 2)",
        "05_framework_kernels",
        "q1",
        [
            (
                "return dy * np.exp2(x) * x.dtype.type(math.log(2))",
                "ln2 = np.asarray(math.log(2), dtype=x.dtype)\n"
                "    return (dy * np.exp(x * ln2) * ln2).astype(x.dtype)",
            )
        ],
    ),
    (
        "tanh backward as dy - dy * y**2",
        "05_framework_kernels",
        "q2",
        [("return dy * (1 - y * y)", "return dy - dy * y**2")],
    ),
    (
        "div backward from a and b",
        "05_framework_kernels",
        "q3",
        [("db = -dy * y / b", "db = -dy * a / (b * b)")],
    ),
    (
        "silu through tanh",
        "05_framework_kernels",
        "q4",
        [
            (
                "    s = one / (one + np.exp(-x))\n",
                "    half = x.dtype.type(0.5)\n    s = half * (one + np.tanh(half * x))\n",
            )
        ],
    ),
    (
        "silu with scipy's expit",
        "05_framework_kernels",
        "q4",
        [
            (
                "    s = one / (one + np.exp(-x))\n",
                "    from scipy.special import expit\n\n    s = expit(x)\n",
            )
        ],
    ),
    (
        "scipy's logsumexp",
        "06_training",
        "q1",
        [
            (
                "    shifted = logits - logits.max(axis=1, keepdims=True)\n    log_probs",
                "    from scipy.special import logsumexp\n\n"
                "    lse = logsumexp(logits, axis=1)\n"
                "    return float(np.mean(lse - logits[np.arange(len(targets)), targets]))\n"
                "    log_probs",
            )
        ],
    ),
    (
        "a one-hot matrix",
        "06_training",
        "q2",
        [
            (
                "    probs[np.arange(len(targets)), targets] -= 1",
                "    probs = probs - np.eye(logits.shape[1])[targets]",
            )
        ],
    ),
    (
        "Adam with bias-corrected step size",
        "06_training",
        "q3",
        [
            (
                "return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
                "import math\n\n    step = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)\n"
                "    eps_hat = eps * math.sqrt(1 - beta2**t)\n"
                "    return param - step * m / (np.sqrt(v) + eps_hat), m, v",
            )
        ],
    ),
]


@pytest.fixture(autouse=True)
def _restore_the_kernel_table():
    """Exercise 05 q4 adds an entry to minigrad's kernel table, here in this process: undo it
    (other tests check the table)."""
    from minigrad.kernels import UNARY_KERNELS

    saved = dict(UNARY_KERNELS)
    yield
    UNARY_KERNELS.clear()
    UNARY_KERNELS.update(saved)


class _Shell:
    def run_line_magic(self, *args: Any) -> None:
        return None

    def system(self, *args: Any) -> None:
        return None


@functools.cache
def _solution_cells(exercise: str) -> tuple[str, ...]:
    nb = nbformat.read(ROOT / "solutions" / f"{exercise}_exercises.ipynb", 4)
    return tuple(c.source for c in nb.cells if c.cell_type == "code")


def namespace(exercise: str, replacements: list[tuple[str, str]]) -> dict[str, Any]:
    """The solution notebook's code, with the replacements, run here (check() silent)."""
    from IPython.core.inputtransformer2 import TransformerManager

    cells = list(_solution_cells(exercise))
    for old, new in replacements:
        hits = [i for i, cell in enumerate(cells) if old in cell]
        assert hits, f"{old!r} is not in the solution of {exercise}: update the variant"
        for i in hits:
            cells[i] = cells[i].replace(old, new)
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    ns["get_ipython"] = _Shell
    transform = TransformerManager().transform_cell
    os.environ[core.GRADING_ENV] = "1"
    try:
        for cell in cells:
            try:
                exec(compile(transform(cell), "<cell>", "exec"), ns)
            except Exception:
                pass  # a demo cell that needs a wrong answer to work; the questions decide
    finally:
        del os.environ[core.GRADING_ENV]
    return ns


@functools.cache
def _draw(exercise: str, question: str, seed: int) -> tuple[list, list]:
    q = get_exercise(exercise).question(question)
    cases = q.make_cases(np.random.default_rng(seed))
    return cases, [q.expected(copy.deepcopy(case)) for case in cases]


def scores(
    exercise: str, question: str, ns: dict[str, Any], seeds: range = SEEDS
) -> list[tuple[float, str]]:
    """(points, reason) of the question in every draw."""
    q = get_exercise(exercise).question(question)
    out = []
    for seed in seeds:
        cases, expected = _draw(exercise, question, seed)
        results = [core.run_case(q, ns, case) for case in cases]
        out.append(core.judge(q, cases, expected, results))
    return out


@pytest.mark.parametrize("variant", WRONG, ids=[f"{w[1][:2]}-{w[2]}-{w[0]}" for w in WRONG])
def test_a_known_wrong_answer_loses_its_points_in_every_draw(variant):
    _, exercise, question, replacements = variant
    got = scores(exercise, question, namespace(exercise, replacements))
    kept = [(seed, reason) for seed, (points, reason) in zip(SEEDS, got, strict=True) if points]
    assert not kept, f"kept its points in {len(kept)} of {len(SEEDS)} draws, e.g. {kept[0]}"
    assert all(reason for _, reason in got)


@pytest.mark.parametrize("variant", RIGHT, ids=[f"{r[1][:2]}-{r[2]}-{r[0]}" for r in RIGHT])
def test_a_correct_answer_written_differently_keeps_full_marks(variant):
    _, exercise, question, replacements = variant
    q = get_exercise(exercise).question(question)
    got = scores(exercise, question, namespace(exercise, replacements), RIGHT_SEEDS)
    lost = [
        (seed, reason)
        for seed, (points, reason) in zip(RIGHT_SEEDS, got, strict=True)
        if points != q.points
    ]
    assert not lost, f"lost its points in {len(lost)} of {len(RIGHT_SEEDS)} draws, e.g. {lost[0]}"


@pytest.mark.parametrize("exercise", list(core.EXERCISE_MODULES))
def test_the_solution_keeps_full_marks_in_every_draw(exercise):
    ns = namespace(exercise, [])
    for q in get_exercise(exercise).questions:
        lost = [r for p, r in scores(exercise, q.name, ns, RIGHT_SEEDS) if p != q.points]
        assert not lost, f"{q.name}: {lost[0]}"
