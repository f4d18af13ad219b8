"""The scalar Value engine against torch.autograd (float64): random expressions, special
points, a million-node chain, gradient accumulation and error messages."""

import fractions
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad import Value
from minigrad.engine import topological_order

UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "abs"]
BINARY = ["+", "-", "*", "/", "**"]
EXPONENTS = [0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5]
NUMBERS = [-2.0, -0.5, 0.5, 1, 2.0, 3]  # ints too: `2 * v` must work like `2.0 * v`

leaf_values = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
steps = st.tuples(
    st.sampled_from(UNARY + BINARY + ["**number", "number op", "op number"]),
    st.integers(0, 63),  # first operand: an index into the values built so far
    st.integers(0, 63),  # second operand
    st.sampled_from(BINARY),  # the op, when one side is a plain number
    st.sampled_from(NUMBERS + EXPONENTS),  # that number, or the exponent of "**number"
)


def apply_unary(op, x):
    """The same method call works on a Value and on a torch tensor."""
    return -x if op == "neg" else getattr(x, op)()


_BINARY_FUNCS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


def apply_binary(op, a, b):
    """The same operator works on Values, tensors and plain numbers (reflected ops)."""
    return _BINARY_FUNCS[op](a, b)


def skip_step(op, a, b):
    """True where the step is outside its domain (special points are tested separately):
    minigrad raises there (log, division by 0) or torch gives inf / nan."""
    if op == "log":
        return a <= 0.05
    if op == "exp":
        return a > 10.0
    if op == "/":
        return abs(b) < 0.1
    if op == "**":
        if a < 0 and not float(b).is_integer():
            return True  # no real result
        if abs(a) < 0.05 and b < 1:
            return True  # 0 ** negative divides by 0; the slope of 0 ** 0.5 is inf
        return abs(b) > 3  # keep powers moderate
    return False


def build(leaves, program):
    """Run `program` on minigrad Values and torch float64 tensors side by side.

    Each step applies an op to earlier results; which steps are skipped is decided on the
    minigrad values, so both libraries see the same expression. The root is the sum of all
    results, so every leaf receives a gradient.
    """
    mine = [Value(x) for x in leaves]
    ref = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    leaf_tensors = list(ref)
    for op, i, j, number_op, number in program:
        i, j = i % len(mine), j % len(mine)
        a, b = mine[i].data, mine[j].data
        if op in UNARY:
            if skip_step(op, a, None):
                continue
            new_mine, new_ref = apply_unary(op, mine[i]), apply_unary(op, ref[i])
        elif op in BINARY:
            if op == "**" and a < 0.05:
                continue  # a Value exponent needs a positive base (d/db uses log a)
            if skip_step(op, a, b):
                continue
            new_mine, new_ref = apply_binary(op, mine[i], mine[j]), apply_binary(op, ref[i], ref[j])
        elif op == "**number":
            if skip_step("**", a, number):
                continue
            new_mine, new_ref = mine[i] ** number, ref[i] ** number
        elif op == "number op":  # e.g. 2.0 - v: the reflected operator
            if skip_step(number_op, number, b) or (number_op == "**" and number <= 0):
                continue
            new_mine = apply_binary(number_op, number, mine[j])
            new_ref = apply_binary(number_op, number, ref[j])
        else:  # "op number", e.g. v / 2.0
            if skip_step(number_op, a, number):
                continue
            new_mine = apply_binary(number_op, mine[i], number)
            new_ref = apply_binary(number_op, ref[i], number)
        if not abs(new_mine.data) < 1e4:
            continue  # keep values (and gradients) in a range where 1e-9 relative is meaningful
        mine.append(new_mine)
        ref.append(new_ref)
    root_mine, root_ref = mine[0], ref[0]
    for m, r in zip(mine[1:], ref[1:], strict=True):
        root_mine, root_ref = root_mine + m, root_ref + r
    return mine[: len(leaves)], leaf_tensors, root_mine, root_ref


@settings(max_examples=150, deadline=None)
@given(st.lists(leaf_values, min_size=1, max_size=4), st.lists(steps, min_size=1, max_size=12))
def test_random_expressions_match_torch(leaves, program):
    leaves_mine, leaves_ref, root_mine, root_ref = build(leaves, program)
    root_mine.backward()
    root_ref.backward()
    assert root_mine.data == pytest.approx(root_ref.item(), rel=1e-12, abs=1e-12)
    got = np.array([v.grad for v in leaves_mine])
    expected = np.array([t.grad.item() for t in leaves_ref])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.lists(leaf_values, min_size=1, max_size=4), st.lists(steps, min_size=1, max_size=12))
def test_topological_order_lists_every_node_once_after_its_operands(leaves, program):
    _, _, root, _ = build(leaves, program)
    order = topological_order(root)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node is listed twice"
    assert order[-1] is root
    reachable, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in reachable:
                reachable.add(id(child))
                stack.append(child)
    assert reachable == set(position)
    for node in order:
        assert all(position[id(child)] < position[id(node)] for child in node._prev)


def torch_grads(fn, *xs):
    """fn's value and its gradient w.r.t. each x, computed by torch in float64."""
    ts = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]
    out = fn(*ts)
    out.backward()
    return out.item(), [t.grad.item() for t in ts]


def value_grads(fn, *xs):
    vs = [Value(x) for x in xs]
    out = fn(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


SPECIAL_POINTS = [
    ("relu at 0", lambda x: x.relu(), [0.0]),
    ("relu below 0", lambda x: x.relu(), [-1.5]),
    ("abs at 0", lambda x: x.abs(), [0.0]),
    ("abs below 0", lambda x: x.abs(), [-2.0]),
    ("x**0 at 0", lambda x: x**0, [0.0]),
    ("x**0 at 3", lambda x: x**0, [3.0]),
    ("x**1 at 0", lambda x: x**1, [0.0]),
    ("x**2 at 0", lambda x: x**2, [0.0]),
    ("x**0.5 at 0 (inf)", lambda x: x**0.5, [0.0]),
    ("x**3 at -2", lambda x: x**3, [-2.0]),
    ("x**-1 at -2", lambda x: x**-1, [-2.0]),
    ("0**b, b > 0", lambda a, b: a**b, [0.0, 2.0]),
    ("0**0", lambda a, b: a**b, [0.0, 0.0]),
    ("a**0 at a=-2", lambda a, b: a**b, [-2.0, 0.0]),
    ("(-2)**b, integer b (nan d/db)", lambda a, b: a**b, [-2.0, 3.0]),
    ("2**x", lambda x: 2**x, [0.0]),
    ("sigmoid at -800", lambda x: x.sigmoid(), [-800.0]),
    ("sigmoid at 800", lambda x: x.sigmoid(), [800.0]),
    ("tanh at 50", lambda x: x.tanh(), [50.0]),
    ("exp at -800", lambda x: x.exp(), [-800.0]),
    ("x * x (one node used twice)", lambda x: x * x, [-3.0]),
    ("x / x", lambda x: x / x, [0.25]),
    ("x - x", lambda x: x - x, [7.0]),
    ("sin at 0", lambda x: x.sin(), [0.0]),
    ("cos at 0", lambda x: x.cos(), [0.0]),
    ("log at 1", lambda x: x.log(), [1.0]),
]


@pytest.mark.parametrize("name, fn, xs", SPECIAL_POINTS, ids=[p[0] for p in SPECIAL_POINTS])
def test_special_points_follow_torch(name, fn, xs):
    data, grads = value_grads(fn, *xs)
    expected_data, expected_grads = torch_grads(fn, *xs)
    np.testing.assert_allclose(data, expected_data, rtol=1e-15, atol=0, err_msg=name)
    # assert_allclose treats inf == inf and nan == nan as equal, and checks the sign of inf.
    np.testing.assert_allclose(grads, expected_grads, rtol=1e-15, atol=0, err_msg=name)


def test_chain_of_a_million_nodes():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + x  # the recursive topological sort of micrograd fails past ~1000 nodes
    y.backward()
    assert x.grad == 1_000_001.0
    assert y.data == 0.5 * 1_000_001
    del y  # freeing a million-deep chain must not overflow the C stack either


def test_deep_chain_of_unary_ops_matches_torch():
    x, t = Value(0.3), torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    y, s = x, t
    for _ in range(5000):
        y, s = (y * 0.999).sin() + 0.001, (s * 0.999).sin() + 0.001
    y.backward()
    s.backward()
    assert y.data == pytest.approx(s.item(), rel=1e-12)
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-9)


def test_leaf_gradients_accumulate_across_backward_calls_like_torch():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    d.backward()
    d.backward()
    ta = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
    td = ta * tb + ta
    td.backward(retain_graph=True)
    td.backward()
    assert (a.grad, b.grad) == (ta.grad.item(), tb.grad.item())
    # Interior nodes hold the gradient of the latest backward only (not doubled).
    assert c.grad == 1.0


def test_zero_grad_clears_the_whole_graph():
    a, b = Value(2.0), Value(-3.0)
    d = (a * b).tanh() + a
    d.backward()
    assert a.grad != 0.0 and b.grad != 0.0
    d.zero_grad()
    assert [a.grad, b.grad, d.grad, d._prev[0].grad] == [0.0, 0.0, 0.0, 0.0]


def test_backward_of_a_leaf_seeds_one():
    a = Value(4.0)
    a.backward()
    assert a.grad == 1.0


def test_graph_structure_and_repr():
    a, b = Value(2.0, label="a"), Value(3.0)
    c = a * b
    assert c._op == "*" and c._prev == (a, b)
    assert a._op == "" and a._prev == ()
    assert (a**2)._op == "**2" and (a**2)._prev == (a,)
    assert (2 - a)._prev[1] is a
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    c.backward()
    assert repr(b) == f"Value(data=3.0, grad={a.data!r})"


@pytest.mark.parametrize("data", [3, 2.5, np.float32(0.25), np.int64(-4), fractions.Fraction(1, 4)])
def test_real_numbers_become_floats(data):
    v = Value(data)
    assert type(v.data) is float and v.data == float(data)
    assert type((v + data).data) is float


@pytest.mark.parametrize(
    "data, named",
    [("3", "str"), ([1.0, 2.0], "list"), (None, "NoneType"), (1 + 2j, "complex"), (True, "bool")],
)
def test_non_number_data_is_a_type_error_that_says_what_was_given(data, named):
    with pytest.raises(TypeError, match=rf"real number.*got {named}"):
        Value(data)


def test_value_of_a_value_is_a_type_error():
    with pytest.raises(TypeError, match="got another Value"):
        Value(Value(1.0))


@pytest.mark.parametrize(
    "expr",
    [
        lambda v: v + "1",
        lambda v: "1" * v,
        lambda v: v * [1.0],
        lambda v: v / None,
        lambda v: v ** "2",
        lambda v: 2j - v,
    ],
)
def test_unsupported_operand_is_a_type_error(expr):
    with pytest.raises(TypeError, match="use a Value or a real number"):
        expr(Value(1.0))


@pytest.mark.parametrize("x", [0.0, -1.5])
def test_log_of_non_positive_raises_with_the_value(x):
    with pytest.raises(ValueError, match=rf"log\({x!r}\)"):
        Value(x).log()


def test_domain_errors_say_what_to_do():
    with pytest.raises(ZeroDivisionError, match="keep the denominator away from 0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ValueError, match="not a real number"):
        Value(-8.0) ** (1 / 3)
    with pytest.raises(ZeroDivisionError, match=r"0.0 \*\* -1.0"):
        Value(0.0) ** -1
    with pytest.raises(OverflowError, match=r"exp\(1000.0\)"):
        Value(1000.0).exp()


def test_no_reference_cycles_so_graphs_free_without_the_garbage_collector():
    import gc
    import weakref

    gc.disable()
    try:
        a = Value(1.0)
        out = (a * 2.0).tanh() + a
        out.backward()
        ref = weakref.ref(out)
        del out
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_backward_order_is_topological_on_a_diamond():
    # x feeds two paths that meet again: x's grad must wait for both.
    x = Value(0.7)
    y = x.exp()
    z = y * y.sin() + y / (x + 2.0)
    z.backward()
    t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    s = t.exp()
    (s * s.sin() + s / (t + 2.0)).backward()
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-12)
    assert math.isfinite(x.grad)
