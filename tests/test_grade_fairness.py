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
from fairness_capstone_cases import E05, E06
from fairness_capstone_cases import RIGHT as CAPSTONE_RIGHT
from fairness_capstone_cases import WRONG as CAPSTONE_WRONG
from fairness_higher_order_cases import E07
from fairness_higher_order_cases import RIGHT as HIGHER_RIGHT
from fairness_higher_order_cases import WRONG as HIGHER_WRONG

from grader import core, get_exercise

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(50)
E04 = "04_tensors_and_functions"
#: Correct answers are tried on fewer draws (a correct answer is rarely right by luck only);
#: the known-wrong ones on all SEEDS.
RIGHT_SEEDS = range(20)
# Wrong answers overflow and divide by zero on purpose; their warnings are no news.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

E01, E02, E03 = "01_chain_rule", "02_computation_graphs", "03_value_autograd"

# Lines of the solutions of 01-03 that the variants below replace.
Q1_01 = "return (np.sin(u) + u * np.cos(u) + 1) * 2 * x"
STEP_01 = "h = (3 * eps * f_size / f3_size) ** (1 / 3)"
DIV_01 = "return Dual(q, (self.deriv - q * other.deriv) / other.value)"
POW_01 = "return Dual(self.value**p, p * self.value ** (p - 1) * self.deriv)"
FIX_U_01, BUG_U_01 = "d_u = d_w * v + d_w", "d_u = d_w * v"
FIX_X_01, BUG_X_01 = "d_x = d_u * y + d_s * np.cos(x)", "d_x = d_u * y + d_s * np.cos(y)"
FIX_Y_01 = "d_y = d_u * x"
ORDER_02 = "    waiting, seen, stack = {}, {y.grad_fn}, [y.grad_fn]\n"
BFS_02 = (
    "    from collections import deque\n\n"
    "    order, seen, queue = [], {y.grad_fn}, deque([y.grad_fn])\n"
    "    while queue:\n"
    "        fn = queue.popleft()\n"
    "        order.append(fn)\n"
    "        for child, _ in fn.next_functions:\n"
    "            if child is not None and child not in seen:\n"
    "                seen.add(child)\n"
    "                queue.append(child)\n"
    "    return order\n"
) + ORDER_02
WALK_02 = (
    "    order, stack = [], [y.grad_fn]\n"
    "    while stack:\n"
    "        fn = stack.pop()\n"
    "        order.append(fn)\n"
    "        for child, _ in reversed(fn.next_functions):\n"
    "            if child is not None:\n"
    "                stack.append(child)\n"
    "    return order\n"
) + ORDER_02
PREORDER_02 = (
    "    order, seen, stack = [], set(), [y.grad_fn]\n"
    "    while stack:\n"
    "        fn = stack.pop()\n"
    "        if fn in seen:\n"
    "            continue\n"
    "        seen.add(fn)\n"
    "        order.append(fn)\n"
    "        stack.extend(c for c, _ in fn.next_functions if c is not None)\n"
    "    return order\n"
) + ORDER_02
RECURSIVE_02 = (
    "    post, seen = [], set()\n\n"
    "    def visit(fn):\n"
    "        seen.add(fn)\n"
    "        for child, _ in fn.next_functions:\n"
    "            if child is not None and child not in seen:\n"
    "                visit(child)\n"
    "        post.append(fn)\n\n"
    "    visit(y.grad_fn)\n"
    "    return post[::-1]\n"
) + ORDER_02
PUSH_SEEN_02 = (
    "    post, seen, stack = [], {y.grad_fn}, [(y.grad_fn, False)]\n"
    "    while stack:\n"
    "        fn, done = stack.pop()\n"
    "        if done:\n"
    "            post.append(fn)\n"
    "            continue\n"
    "        stack.append((fn, True))\n"
    "        for child, _ in fn.next_functions:\n"
    "            if child is not None and child not in seen:\n"
    "                seen.add(child)\n"
    "                stack.append((child, False))\n"
    "    return post[::-1]\n"
) + ORDER_02
POSTORDER_02 = (
    "    post, seen, stack = [], set(), [(y.grad_fn, False)]\n"
    "    while stack:\n"
    "        fn, done = stack.pop()\n"
    "        if done:\n"
    "            post.append(fn)\n"
    "        elif fn not in seen:\n"
    "            seen.add(fn)\n"
    "            stack.append((fn, True))\n"
    "            stack.extend((c, False) for c, _ in fn.next_functions if c is not None)\n"
    "    return post[::-1]\n"
) + ORDER_02
GRAPHLIB_02 = (
    "    import graphlib\n\n"
    "    users, seen, stack = {y.grad_fn: set()}, {y.grad_fn}, [y.grad_fn]\n"
    "    while stack:\n"
    "        fn = stack.pop()\n"
    "        for child, _ in fn.next_functions:\n"
    "            if child is not None:\n"
    "                users.setdefault(child, set()).add(fn)\n"
    "                if child not in seen:\n"
    "                    seen.add(child)\n"
    "                    stack.append(child)\n"
    "    return list(graphlib.TopologicalSorter(users).static_order())\n"
) + ORDER_02
JAC_02 = (
    "        x.grad = None  # .grad accumulates: each row starts from nothing\n"
    "        y[i].backward(retain_graph=True)  # the graph of f is used once per row\n"
    "        rows.append(x.grad.numpy().copy())\n"
)
JAC_BUG_02 = "        y[i].backward()\n        rows.append(x.grad.numpy())\n"
JAC_FRESH_02 = (
    "        t = minigrad.tensor(x.detach().numpy(), requires_grad=True)\n"
    "        f(t)[i].backward()\n"
    "        rows.append(t.grad.numpy())\n"
)
SP_FWD_03 = "data = max(x, 0.0) + math.log1p(math.exp(-abs(x)))"
SP_RULE_03 = "out._a.grad += sigmoid * out.grad"
MAX_03 = (
    "    if a.data > b.data:\n"
    "        a.grad += out.grad\n"
    "    elif a.data < b.data:\n"
    "        b.grad += out.grad\n"
    "    else:\n"
    "        a.grad += out.grad / 2\n"
    "        b.grad += out.grad / 2\n"
)
LSE_FIX_03 = "b.grad += math.exp(b.data - out.data) * out.grad"
LSE_BUG_03 = "b.grad = math.exp(out.data - b.data) * out.grad"
GRAD_03 = "    order = topological_order(root)\n"
RECURSIVE_03 = (
    "    order, visited = [], set()\n\n"
    "    def visit(node):\n"
    "        if id(node) not in visited:\n"
    "            visited.add(id(node))\n"
    "            for child in node._prev:\n"
    "                visit(child)\n"
    "            order.append(node)\n\n"
    "    visit(root)\n"
)
BFS_03 = (
    "    order, seen, queue = [], {id(root)}, [root]\n"
    "    while queue:\n"
    "        node = queue.pop(0)\n"
    "        order.append(node)\n"
    "        for child in node._prev:\n"
    "            if id(child) not in seen:\n"
    "                seen.add(id(child))\n"
    "                queue.append(child)\n"
    "    order.reverse()\n"
)
KAHN_03 = (
    "    users, seen, stack = {}, {id(root)}, [root]\n"
    "    while stack:\n"
    "        node = stack.pop()\n"
    "        for child in node._prev:\n"
    "            users[id(child)] = users.get(id(child), 0) + 1\n"
    "            if id(child) not in seen:\n"
    "                seen.add(id(child))\n"
    "                stack.append(child)\n"
    "    order, ready = [], [root]\n"
    "    while ready:\n"
    "        node = ready.pop()\n"
    "        order.append(node)\n"
    "        for child in node._prev:\n"
    "            users[id(child)] -= 1\n"
    "            if users[id(child)] == 0:\n"
    "                ready.append(child)\n"
    "    order.reverse()\n"
)
GRAD_BACKWARD_03 = (
    "    order = topological_order(root)\n"
    "    saved = [(node, node.grad) for node in order]\n"
    "    for node in order:\n"
    "        node.grad = 0.0\n"
    "    root.backward()\n"
    "    ids = {id(node) for node in order}\n"
    "    result = [w.grad if id(w) in ids else 0.0 for w in wrt]\n"
    "    for node, g in saved:\n"
    "        node.grad = g\n"
    "    return result\n"
) + GRAD_03

#: (id, exercise, question, replacements): each must score 0 on the question in every draw.
WRONG: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    # 01 -------------------------------------------------------------------------------------
    ("hard-coded", E01, "q1", [(Q1_01, "return x * 0 + 5.0")]),
    (
        "the direct path u -> f forgotten",
        E01,
        "q1",
        [(Q1_01, "return (np.sin(u) + u * np.cos(u)) * 2 * x")],
    ),
    (
        "the inner derivative 2x forgotten",
        E01,
        "q1",
        [(Q1_01, "return np.sin(u) + u * np.cos(u) + 1")],
    ),
    ("half of the product rule", E01, "q1", [(Q1_01, "return (u * np.cos(u) + 1) * 2 * x")]),
    (
        "cos(x) instead of cos(u)",
        E01,
        "q1",
        [(Q1_01, "return (np.sin(u) + u * np.cos(x) + 1) * 2 * x")],
    ),
    (
        "central difference for an exact derivative",
        E01,
        "q1",
        [
            (
                Q1_01,
                "h = 1e-6\n    f = lambda v: v**2 * np.sin(v**2) + v**2\n    return (f(x + "
                "h) - f(x - h)) / (2 * h)",
            )
        ],
    ),
    ("a constant step eps ** (1/3)", E01, "q2", [(STEP_01, "h = eps ** (1 / 3)")]),
    ("a constant step 1e-5", E01, "q2", [(STEP_01, "h = 1e-5")]),
    ("the forward difference's step sqrt(eps)", E01, "q2", [(STEP_01, "h = eps**0.5")]),
    ("f_size left out", E01, "q2", [(STEP_01, "h = (3 * eps / f3_size) ** (1 / 3)")]),
    ("f3_size left out", E01, "q2", [(STEP_01, "h = (3 * eps * f_size) ** (1 / 3)")]),
    (
        "f_size and f3_size swapped",
        E01,
        "q2",
        [(STEP_01, "h = (3 * eps * f3_size / f_size) ** (1 / 3)")],
    ),
    ("no cube root", E01, "q2", [(STEP_01, "h = 3 * eps * f_size / f3_size")]),
    (
        "a square root (the forward difference's balance)",
        E01,
        "q2",
        [(STEP_01, "h = (2 * eps * f_size / f3_size) ** 0.5")],
    ),
    ("a step relative to |x|", E01, "q2", [(STEP_01, "h = abs(x) * eps ** (1 / 3)")]),
    (
        "a step relative to max(1, |x|)",
        E01,
        "q2",
        [(STEP_01, "h = max(1.0, abs(x)) * eps ** (1 / 3)")],
    ),
    (
        "the right step in a forward difference",
        E01,
        "q2",
        [("return (f(x + h) - f(x - h)) / (2 * h), h", "return (f(x + h) - f(x)) / h, h")],
    ),
    (
        "the right step returned, another one used",
        E01,
        "q2",
        [
            (
                "return (f(x + h) - f(x - h)) / (2 * h), h",
                "return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5, h",
            )
        ],
    ),
    (
        "precedence: / 2 * h",
        E01,
        "q2",
        [("return (f(x + h) - f(x - h)) / (2 * h), h", "return (f(x + h) - f(x - h)) / 2 * h, h")],
    ),
    (
        "quotient rule with + instead of -",
        E01,
        "q3",
        [(DIV_01, "return Dual(q, (self.deriv + q * other.deriv) / other.value)")],
    ),
    (
        "quotient rule not divided by the denominator",
        E01,
        "q3",
        [(DIV_01, "return Dual(q, self.deriv - q * other.deriv)")],
    ),
    (
        "quotient rule: the numerator's derivative only",
        E01,
        "q3",
        [(DIV_01, "return Dual(q, self.deriv / other.value)")],
    ),
    (
        "exp: the chain factor forgotten",
        E01,
        "q3",
        [("return Dual(e, e * self.deriv)", "return Dual(e, e)")],
    ),
    (
        "log: the chain factor forgotten",
        E01,
        "q3",
        [("self.deriv / self.value)", "1 / self.value)")],
    ),
    ("log: 1/x**2", E01, "q3", [("self.deriv / self.value)", "self.deriv / self.value**2)")]),
    (
        "pow: the chain factor forgotten",
        E01,
        "q3",
        [(POW_01, "return Dual(self.value**p, p * self.value ** (p - 1))")],
    ),
    (
        "pow: p * x**p",
        E01,
        "q3",
        [(POW_01, "return Dual(self.value**p, p * self.value**p * self.deriv)")],
    ),
    (
        "pow changes its operand in place",
        E01,
        "q3",
        [
            (
                POW_01,
                "self.value, self.deriv = self.value**p, p * self.value ** (p - 1) * "
                "self.deriv\n        return self",
            )
        ],
    ),
    (
        "exp's derivative by a central difference",
        E01,
        "q3",
        [
            (
                "return Dual(e, e * self.deriv)",
                "d = (math.exp(self.value + 1e-5) - math.exp(self.value - 1e-5)) / 2e-5\n  "
                "      return Dual(e, d * self.deriv)",
            )
        ],
    ),
    ("debug: the planted bugs left in", E01, "q4", [(FIX_U_01, BUG_U_01), (FIX_X_01, BUG_X_01)]),
    ("debug: only the missing path fixed", E01, "q4", [(FIX_X_01, BUG_X_01)]),
    ("debug: only cos(y) fixed", E01, "q4", [(FIX_U_01, BUG_U_01)]),
    ("debug: the direct path counted twice", E01, "q4", [(FIX_U_01, "d_u = d_w * v + 2 * d_w")]),
    (
        "debug: finite differences instead",
        E01,
        "q4",
        [
            (FIX_X_01, "h = 1e-6\n    d_x = (f(x + h, y) - f(x - h, y)) / (2 * h)"),
            (FIX_Y_01, "d_y = (f(x, y + h) - f(x, y - h)) / (2 * h)"),
        ],
    ),
    ("predict: forward and reverse swapped", E01, "q5", [('"a": [200, 1]', '"a": [1, 200]')]),
    ("predict: one pass each way", E01, "q5", [('"b": [3, 500]', '"b": [1, 1]')]),
    ("predict: the error is h, not h**2", E01, "q5", [('"c": 1e-4', '"c": 1e-2')]),
    (
        "predict: the truncation term h**2 / 6 * f''' taken as the error / 6",
        E01,
        "q5",
        [('"c": 1e-4', '"c": 1e-4 / 6')],
    ),
    ("predict: the smallest step is the best", E01, "q5", [('"d": 1e-5', '"d": 1e-11')]),
    ("predict: the forward difference's best step", E01, "q5", [('"d": 1e-5', '"d": 1e-7')]),
    ("predict: x * x as one path", E01, "q5", [('"e": 5', '"e": 3')]),
    ("predict: a path counted per operation", E01, "q5", [('"e": 5', '"e": 4')]),
    ("predict: one left out", E01, "q5", [('"e": 5', '"e": None')]),
    # 02 -------------------------------------------------------------------------------------
    (
        "a leaf used twice returned twice",
        E02,
        "q1",
        [("        if fn in seen:\n            continue\n", "")],
    ),
    (
        "recursive walk of grad_fn (deep graph)",
        E02,
        "q1",
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
        E02,
        "q1",
        [
            (
                "stack.extend(child for child, _ in fn.next_functions if child is not None)",
                "stack.extend(child for child, _ in fn.next_functions[:1] if child is not None)",
            )
        ],
    ),
    (
        "y.grad_fn None not handled",
        E02,
        "q1",
        [("    if y.grad_fn is None:\n        return []\n", "")],
    ),
    (
        "every leaf that requires grad, reached or not",
        E02,
        "q1",
        [
            (
                '        if hasattr(fn, "variable"):\n            leaves.append(fn.variable)',
                '        if hasattr(fn, "variable") and fn.variable.requires_grad:\n       '
                "     leaves.append(fn.variable)\n            leaves.append(fn)",
            )
        ],
    ),
    ("breadth-first, no dependency counts", E02, "q2", [(ORDER_02, BFS_02)]),
    ("notebook 02b's walk (a node once per path)", E02, "q2", [(ORDER_02, WALK_02)]),
    ("pre-order depth-first", E02, "q2", [(ORDER_02, PREORDER_02)]),
    ("recursive post-order, reversed (deep graph)", E02, "q2", [(ORDER_02, RECURSIVE_02)]),
    ("iterative post-order, a node marked when pushed", E02, "q2", [(ORDER_02, PUSH_SEEN_02)]),
    (
        "None entries not skipped",
        E02,
        "q2",
        [("            if inp is None:\n                continue\n", "")],
    ),
    (
        "a count per first discovery only",
        E02,
        "q2",
        [
            (
                "            waiting[inp] = waiting.get(inp, 0) + 1\n"
                "            if inp not in seen:\n",
                "            if inp not in seen:\n                waiting[inp] = 1\n",
            )
        ],
    ),
    (
        "a * a counted as one edge",
        E02,
        "q2",
        [
            (
                "        for inp, _ in fn.next_functions:",
                "        for inp in {i for i, _ in fn.next_functions}:",
            )
        ],
    ),
    (
        "AccumulateGrad nodes left out",
        E02,
        "q2",
        [
            (
                "        order.append(fn)\n",
                "        if not hasattr(fn, 'variable'):\n            order.append(fn)\n",
            )
        ],
    ),
    ("debug: the planted bugs left in", E02, "q3", [(JAC_02, JAC_BUG_02)]),
    (
        "debug: .grad never reset",
        E02,
        "q3",
        [("        x.grad = None  # .grad accumulates: each row starts from nothing\n", "")],
    ),
    (
        "debug: retain_graph left out",
        E02,
        "q3",
        [("y[i].backward(retain_graph=True)", "y[i].backward()")],
    ),
    (
        "debug: zero_() on a .grad that is None",
        E02,
        "q3",
        [("        x.grad = None  #", "        x.grad.zero_()  #")],
    ),
    (
        "debug: the Jacobian transposed",
        E02,
        "q3",
        [("    return np.stack(rows)", "    return np.stack(rows).T")],
    ),
    ("predict: detach ignored", E02, "q4", [('"a": [3.0, 6.0]', '"a": [6.0, 12.0]')]),
    (
        "predict: no_grad ignored",
        E02,
        "q4",
        [('"b": [False, True, True]', '"b": [True, False, False]')],
    ),
    (
        "predict: no_grad output not a leaf",
        E02,
        "q4",
        [('"b": [False, True, True]', '"b": [False, False, True]')],
    ),
    ("predict: one backward counted", E02, "q4", [('"c": [36.0, 216.0]', '"c": [18.0, 108.0]')]),
    (
        "predict: retained grad not accumulated",
        E02,
        "q4",
        [('"c": [36.0, 216.0]', '"c": [18.0, 216.0]')],
    ),
    (
        "predict: c a leaf",
        E02,
        "q4",
        [('"d": [True, False, False, True]', '"d": [True, False, True, True]')],
    ),
    ("predict: .grad overwritten", E02, "q4", [('"e": [4.0, 4.0, 4.0]', '"e": [2.0, 2.0, 2.0]')]),
    (
        "predict: a frozen tensor still gets .grad",
        E02,
        "q4",
        [('"f": [True, 0.5, 0.5]', '"f": [False, 0.5, 0.5]')],
    ),
    ("predict: one left out", E02, "q4", [('"f": [True, 0.5, 0.5]', '"f": None')]),
    # 03 -------------------------------------------------------------------------------------
    ("softplus: = instead of +=", E03, "q1", [(SP_RULE_03, SP_RULE_03.replace("+=", "="))]),
    (
        "softplus: naive forward log(1 + exp(x))",
        E03,
        "q1",
        [(SP_FWD_03, "data = math.log(1 + math.exp(x))")],
    ),
    (
        "softplus: naive sigmoid 1 / (1 + exp(-x))",
        E03,
        "q1",
        [
            (
                "    sigmoid = 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)\n",
                "    sigmoid = 1.0 / (1.0 + math.exp(-x))\n",
            )
        ],
    ),
    (
        "softplus: its own value as its derivative",
        E03,
        "q1",
        [(SP_RULE_03, "out._a.grad += out.data * out.grad")],
    ),
    ("softplus: out.grad forgotten", E03, "q1", [(SP_RULE_03, "out._a.grad += sigmoid")]),
    (
        "softplus: sigmoid of the output",
        E03,
        "q1",
        [("    x = out._a.data\n", "    x = out.data\n")],
    ),
    (
        "maximum: a tie all to the first",
        E03,
        "q2",
        [
            (
                MAX_03,
                "    if a.data >= b.data:\n        a.grad += out.grad\n    else:\n        "
                "b.grad += out.grad\n",
            )
        ],
    ),
    (
        "maximum: a tie all to the second",
        E03,
        "q2",
        [
            (
                MAX_03,
                "    if a.data > b.data:\n        a.grad += out.grad\n    else:\n        "
                "b.grad += out.grad\n",
            )
        ],
    ),
    (
        "maximum: a tie in full to both",
        E03,
        "q2",
        [
            (
                "        a.grad += out.grad / 2\n        b.grad += out.grad / 2\n",
                "        a.grad += out.grad\n        b.grad += out.grad\n",
            )
        ],
    ),
    ("maximum: = instead of +=", E03, "q2", [(MAX_03, MAX_03.replace("+=", "="))]),
    (
        "maximum: the smaller one gets it",
        E03,
        "q2",
        [
            ("    if a.data > b.data:\n", "    if a.data < b.data:\n"),
            ("    elif a.data < b.data:\n", "    elif a.data > b.data:\n"),
        ],
    ),
    ("debug: the planted bugs left in", E03, "q3", [(LSE_FIX_03, LSE_BUG_03)]),
    (
        "debug: only the sign fixed",
        E03,
        "q3",
        [(LSE_FIX_03, LSE_FIX_03.replace("b.grad +=", "b.grad ="))],
    ),
    (
        "debug: only = fixed",
        E03,
        "q3",
        [(LSE_FIX_03, "b.grad += math.exp(out.data - b.data) * out.grad")],
    ),
    (
        "debug: the weights swapped",
        E03,
        "q3",
        [
            (LSE_FIX_03, "b.grad += math.exp(a.data - out.data) * out.grad"),
            (
                "a.grad += math.exp(a.data - out.data) * out.grad",
                "a.grad += math.exp(b.data - out.data) * out.grad",
            ),
        ],
    ),
    (
        "grad: root.backward(), then read",
        E03,
        "q4",
        [(GRAD_03, "    root.backward()\n    return [w.grad for w in wrt]\n")],
    ),
    (
        "grad: nothing put back",
        E03,
        "q4",
        [("    for node, g in saved:\n        node.grad = g\n", "")],
    ),
    (
        "grad: not started from zero",
        E03,
        "q4",
        [("    for node in order:\n        node.grad = 0.0\n", "")],
    ),
    (
        "grad: an unused w gets its own .grad",
        E03,
        "q4",
        [
            (
                "result = [w.grad if id(w) in in_graph else 0.0 for w in wrt]",
                "result = [w.grad for w in wrt]",
            )
        ],
    ),
    (
        "grad: recursive topological order (deep graph)",
        E03,
        "q4",
        [("    order = topological_order(root)\n", RECURSIVE_03)],
    ),
    (
        "grad: breadth-first from the root (diamonds)",
        E03,
        "q4",
        [("    order = topological_order(root)\n", BFS_03)],
    ),
    ("predict: one backward counted", E03, "q5", [('"a": [14.0, 1.0]', '"a": [7.0, 1.0]')]),
    (
        "predict: interior grads accumulate too",
        E03,
        "q5",
        [('"a": [14.0, 1.0]', '"a": [14.0, 2.0]')],
    ),
    ("predict: the constant 2 is no node", E03, "q5", [('"b": 4', '"b": 3')]),
    (
        "predict: the exponent gets no gradient",
        E03,
        "q5",
        [('"c": [12.0, 8 * math.log(2)]', '"c": [12.0, 0.0]')],
    ),
    ("predict: = as if it were +=", E03, "q5", [('"d": 3.0', '"d": 6.0')]),
    ("predict: one factor per multiplication", E03, "q5", [('"e": 8.0', '"e": 3.0')]),
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
    (
        "a loop with math",
        E01,
        "q1",
        [
            (
                Q1_01,
                "return np.array([2 * v * (math.sin(v * v) + v * v * math.cos(v * v) + 1) "
                "for v in x])",
            )
        ],
    ),
    ("expanded", E01, "q1", [(Q1_01, "return 2 * x * np.sin(u) + 2 * x**3 * np.cos(u) + 2 * x")]),
    (
        "complex step (exact, not a difference)",
        E01,
        "q1",
        [(Q1_01, "z = x + 1e-30j\n    return (z**2 * np.sin(z**2) + z**2).imag / 1e-30")],
    ),
    (
        "np.cbrt and the eps literal",
        E01,
        "q2",
        [(STEP_01, "h = np.cbrt(3 * 2.220446049250313e-16 * f_size / f3_size)")],
    ),
    (
        "two rounding terms (6 eps)",
        E01,
        "q2",
        [(STEP_01, "h = (6 * eps * f_size / f3_size) ** (1 / 3)")],
    ),
    (
        "scipy minimises the bound",
        E01,
        "q2",
        [
            (
                STEP_01,
                "from scipy.optimize import minimize_scalar\n\n"
                "    def bound(log_h):\n"
                "        h = math.exp(log_h)\n"
                "        return eps * f_size / h + h * h * f3_size / 6\n\n"
                "    h = math.exp(minimize_scalar(bound, bracket=(-40.0, 0.0)).x)",
            )
        ],
    ),
    (
        "a step made exact: h = (x + h) - x",
        E01,
        "q2",
        [(STEP_01, STEP_01 + "\n    h = (x + h) - x if x + h != x else h")],
    ),
    (
        "quotient rule as (a'b - ab') / b**2",
        E01,
        "q3",
        [
            (
                DIV_01,
                "return Dual(q, (self.deriv * other.value - self.value * other.deriv) / "
                "other.value**2)",
            )
        ],
    ),
    (
        "exp and log with numpy",
        E01,
        "q3",
        [
            ("e = math.exp(self.value)", "e = float(np.exp(self.value))"),
            ("Dual(math.log(self.value)", "Dual(float(np.log(self.value))"),
        ],
    ),
    (
        "pow written with its own value",
        E01,
        "q3",
        [
            (
                POW_01,
                "v = self.value**p\n        return Dual(v, p * v / self.value * self.deriv "
                "if self.value else p * self.value ** (p - 1) * self.deriv)",
            )
        ],
    ),
    ("debug fixed as d_w * (v + 1)", E01, "q4", [(FIX_U_01, "d_u = d_w * (v + 1)")]),
    (
        "predictions as arrays, tuples and floats",
        E01,
        "q5",
        [
            ('"a": [200, 1]', '"a": np.array([200, 1])'),
            ('"b": [3, 500]', '"b": (3.0, 500.0)'),
            ('"c": 1e-4', '"c": 0.0001'),
            ('"e": 5', '"e": 5.0'),
        ],
    ),
    (
        "leaves by id, a deque",
        E02,
        "q1",
        [
            (
                "        if fn in seen:\n            continue\n        seen.add(fn)",
                "        if id(fn) in seen:\n            continue\n        seen.add(id(fn))",
            )
        ],
    ),
    ("graphlib", E02, "q2", [(ORDER_02, GRAPHLIB_02)]),
    (
        "Kahn with a queue (FIFO)",
        E02,
        "q2",
        [
            (
                "    order, ready = [], [y.grad_fn]\n    while ready:\n        fn = ready.pop()\n",
                "    from collections import deque\n\n    order, ready = [], "
                "deque([y.grad_fn])\n    while ready:\n        fn = ready.popleft()\n",
            )
        ],
    ),
    ("iterative post-order, reversed", E02, "q2", [(ORDER_02, POSTORDER_02)]),
    ("debug fixed by a fresh graph per row", E02, "q3", [(JAC_02, JAC_FRESH_02)]),
    (
        "predictions as tuples and numpy",
        E02,
        "q4",
        [
            ('"a": [3.0, 6.0]', '"a": np.array([3, 6])'),
            ('"b": [False, True, True]', '"b": (0, 1, 1)'),
            ('"e": [4.0, 4.0, 4.0]', '"e": torch.tensor([4.0, 4.0, 4.0])'),
        ],
    ),
    (
        "softplus: the sigmoid from the output",
        E03,
        "q1",
        [
            (
                "    sigmoid = 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)\n",
                "    sigmoid = -math.expm1(-out.data)  # 1 - exp(-y)\n",
            )
        ],
    ),
    (
        "softplus: numpy's logaddexp",
        E03,
        "q1",
        [(SP_FWD_03, "import numpy as np\n\n    data = float(np.logaddexp(x, 0.0))")],
    ),
    (
        "softplus: scipy's expit",
        E03,
        "q1",
        [
            (
                "    sigmoid = 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)\n",
                "    from scipy.special import expit\n\n    sigmoid = float(expit(x))\n",
            )
        ],
    ),
    (
        "maximum: a weight per operand",
        E03,
        "q2",
        [
            (
                MAX_03,
                "    a, b = out._a, out._b\n    half = 0.5 if a.data == b.data else 1.0\n  "
                "  a.grad += out.grad * half * (a.data >= b.data)\n    b.grad += out.grad "
                "* half * (b.data >= a.data)\n",
            )
        ],
    ),
    (
        "debug fixed as a sigmoid",
        E03,
        "q3",
        [(LSE_FIX_03, "b.grad += out.grad / (1.0 + math.exp(a.data - b.data))")],
    ),
    ("grad: own Kahn order", E03, "q4", [("    order = topological_order(root)\n", KAHN_03)]),
    ("grad: zero everything, backward(), put back", E03, "q4", [(GRAD_03, GRAD_BACKWARD_03)]),
    (
        "predictions as tuples and numpy",
        E03,
        "q5",
        [
            ('"a": [14.0, 1.0]', '"a": (14, 1)'),
            ('"c": [12.0, 8 * math.log(2)]', '"c": (12, 8 * math.log(2.0))'),
            ('"b": 4', '"b": 4.0'),
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
def _no_student_ops_on_value():
    """Exercise 03 adds methods to minigrad's Value, here in this process: start each test
    without them (a variant whose cell fails must not find an earlier variant's op) and
    remove them afterwards (other tests check Value's methods)."""
    from minigrad import Value

    added = ("softplus", "maximum", "logaddexp")

    def remove() -> None:
        for name in added:
            if name in vars(Value):
                delattr(Value, name)

    remove()
    yield
    remove()


@pytest.fixture(autouse=True)
def _restore_the_kernel_tables():
    """Exercise 05 adds entries to minigrad's kernel tables, here in this process: undo it
    (other tests check the tables)."""
    from minigrad.kernels import BINARY_KERNELS, UNARY_KERNELS

    saved = dict(UNARY_KERNELS), dict(BINARY_KERNELS)
    yield
    for table, entries in zip((UNARY_KERNELS, BINARY_KERNELS), saved, strict=True):
        table.clear()
        table.update(entries)


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


@pytest.mark.parametrize(
    "variant",
    WRONG + CAPSTONE_WRONG + HIGHER_WRONG,
    ids=[f"{w[1][:2]}-{w[2]}-{w[0]}" for w in WRONG + CAPSTONE_WRONG + HIGHER_WRONG],
)
def test_a_known_wrong_answer_loses_its_points_in_every_draw(variant):
    _, exercise, question, replacements = variant
    got = scores(exercise, question, namespace(exercise, replacements))
    kept = [(seed, reason) for seed, (points, reason) in zip(SEEDS, got, strict=True) if points]
    assert not kept, f"kept its points in {len(kept)} of {len(SEEDS)} draws, e.g. {kept[0]}"
    assert all(reason for _, reason in got)


@pytest.mark.parametrize(
    "variant",
    RIGHT + CAPSTONE_RIGHT + HIGHER_RIGHT,
    ids=[f"{r[1][:2]}-{r[2]}-{r[0]}" for r in RIGHT + CAPSTONE_RIGHT + HIGHER_RIGHT],
)
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


def test_every_question_05_and_06_added_has_known_wrong_and_correct_variants():
    new = {(E05, q) for q in ("q5", "q6", "q7")} | {(E06, f"q{n}") for n in range(4, 9)}
    assert {(w[1], w[2]) for w in CAPSTONE_WRONG} == new
    assert {(r[1], r[2]) for r in CAPSTONE_RIGHT} == new


def test_every_question_of_07_has_two_known_wrong_answers_and_a_correct_variant():
    for q in get_exercise(E07).questions:
        wrong = [w for w in HIGHER_WRONG if w[2] == q.name]
        right = [r for r in HIGHER_RIGHT if r[2] == q.name]
        assert len(wrong) >= 2 and right, q.name
