"""Tests for minigrad.viz.draw: Value graphs, torch graphs and minigrad Tensor graphs."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.engine import Value
from minigrad.viz import draw

NODE = re.compile(r"^\t(n\d+) \[label=(.*?)(?: fillcolor=\S+)?(?: shape=\S+)(?: style=\S+)?\]$")
EDGE = re.compile(r"^\t(n\d+) -> (n\d+)$")


def nodes(dot):
    """Map each node name in the DOT source to its label text (quotes removed)."""
    found = {}
    for line in dot.body:
        m = NODE.match(line.rstrip("\n"))
        if m:
            found[m.group(1)] = m.group(2).strip('"')
    return found


def edges(dot):
    """The (tail, head) pairs of every edge in the DOT source, in order."""
    return [m.groups() for line in dot.body if (m := EDGE.match(line.rstrip("\n")))]


def first_lines(dot):
    """The first label line of every node, in node order (op names for tensor graphs)."""
    return [label.split("\\n")[0] for label in nodes(dot).values()]


def reachable(root):
    """The distinct Values behind root, by a plain stack walk (a reference for counts)."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen[id(child)] = child
                stack.append(child)
    return list(seen.values())


# ---------------------------------------------------------------- Value graphs


def test_value_graph_of_L_has_a_box_per_value_and_a_node_per_op():
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    dot = draw(L)
    labels = nodes(dot)
    records = [lab for lab in labels.values() if lab.startswith("{")]
    ops = [lab for lab in labels.values() if not lab.startswith("{")]
    assert len(records) == 7  # a, b, c, f, e, d, L
    assert sorted(ops) == sorted([e._op, d._op, L._op])
    assert len(edges(dot)) == 3 * 3  # each binary op: two operands in, one result out
    # The numbers drawn are torch's values and gradients for the same expression.
    ta, tb, tc, tf = (
        torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for v in (a, b, c, f)
    )
    tL = (ta * tb + tc) * tf
    tL.backward()
    for name, t in zip("abcf", (ta, tb, tc, tf), strict=True):
        expected = f"{{ {name} | data {t.item():.4f} | grad {t.grad.item():.4f} }}"
        assert expected in records, (expected, records)
    assert f"{{ L | data {tL.item():.4f} | grad 1.0000 }}" in records


def test_value_used_twice_feeds_its_op_twice():
    x = Value(3.0, "x")
    y = x * x
    dot = draw(y)
    labels = nodes(dot)
    x_name = next(n for n, lab in labels.items() if lab.startswith("{ x "))
    op_name = next(n for n, lab in labels.items() if not lab.startswith("{"))
    assert len(labels) == 3
    assert edges(dot).count((x_name, op_name)) == 2


def test_single_leaf_is_one_box_and_no_edge():
    dot = draw(Value(1.5, "w"))
    assert list(nodes(dot).values()) == ["{ w | data 1.5000 | grad 0.0000 }"]
    assert edges(dot) == []


def test_record_special_characters_in_labels_are_escaped():
    dot = draw(Value(1.0, "a|b{c}<d>"))
    (label,) = nodes(dot).values()
    assert "a\\|b\\{c\\}\\<d\\>" in label


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_random_value_graphs_counts(data):
    """Random DAGs: one box per distinct value, one op node per result, one edge per operand."""
    pool = [
        Value(data.draw(st.floats(-3, 3)), f"x{i}") for i in range(data.draw(st.integers(1, 4)))
    ]
    for _ in range(data.draw(st.integers(0, 12))):
        a = data.draw(st.sampled_from(pool))
        b = data.draw(st.sampled_from(pool))
        kind = data.draw(st.sampled_from(["add", "mul", "tanh"]))
        pool.append(a + b if kind == "add" else a * b if kind == "mul" else a.tanh())
    root = pool[-1]
    dot = draw(root)
    behind = reachable(root)
    results = [v for v in behind if v._op]
    labels = nodes(dot)
    assert sum(lab.startswith("{") for lab in labels.values()) == len(behind)
    assert sum(not lab.startswith("{") for lab in labels.values()) == len(results)
    assert len(edges(dot)) == sum(len(v._prev) + 1 for v in results)
    assert all(re.fullmatch(r"n\d+", name) for name in labels)


def test_deep_value_chain_draws_without_recursion():
    x = Value(0.5, "x")
    y = x
    for _ in range(10_000):
        y = y + 1.0
    dot = draw(y)
    labels = nodes(dot)
    # 10,000 results plus x and 10,000 constants 1.0, and one op node per result.
    assert len(labels) == len(reachable(y)) + 10_000
    assert len(edges(dot)) == 3 * 10_000


def build_L():
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    L = (a * b + c) * f
    L.backward()
    return L


def test_value_drawing_is_deterministic_and_has_no_addresses():
    first, second = draw(build_L()), draw(build_L())
    assert first.source == second.source
    assert "0x" not in first.source
    svg1, svg2 = first.pipe(format="svg"), second.pipe(format="svg")
    assert svg1 == svg2
    assert b"<svg" in svg1


# ---------------------------------------------------------------- torch graphs


def small_torch_graph():
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    w = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.0, -0.5]], requires_grad=True)
    y = (x * w).exp().sum()
    return x, w, y


def test_torch_graph_nodes_edges_and_op_names():
    _x, _w, y = small_torch_graph()
    dot = draw(y)
    names = first_lines(dot)
    assert names[0] == "output"
    assert sorted(names[1:]) == sorted(
        ["SumBackward0", "ExpBackward0", "MulBackward0", "AccumulateGrad", "AccumulateGrad"]
    )
    assert len(edges(dot)) == 5  # a chain of 4 plus the second leaf into MulBackward0


def test_torch_leaves_show_shape_data_and_grad_after_backward():
    x, w, y = small_torch_graph()
    before = [lab for lab in nodes(draw(y)).values() if lab.startswith("AccumulateGrad")]
    assert all("grad" not in lab and "(2, 3) float32" in lab for lab in before)
    y.backward(retain_graph=True)
    after = [lab for lab in nodes(draw(y)).values() if lab.startswith("AccumulateGrad")]
    for leaf in (x, w):
        data = np.array2string(leaf.detach().numpy(), precision=4, suppress_small=True)
        grad = np.array2string(leaf.grad.numpy(), precision=4, suppress_small=True)
        assert any(
            data.replace("\n", "\\n") in lab and grad.replace("\n", "\\n") in lab for lab in after
        )


def test_torch_big_tensors_show_only_their_shape():
    x = torch.ones(3, 4, requires_grad=True)
    labels = nodes(draw((2 * x).sum()))
    leaf = next(lab for lab in labels.values() if lab.startswith("AccumulateGrad"))
    assert "(3, 4) float32" in leaf and "[" not in leaf


def test_torch_inputs_without_grad_are_left_out():
    x = torch.ones(2, requires_grad=True)
    c = torch.ones(2)
    dot = draw((x * c).sum())
    assert first_lines(dot).count("AccumulateGrad") == 1
    assert len(nodes(dot)) == 4


def test_torch_saved_tensors_are_listed_then_freed():
    _x, _w, y = small_torch_graph()
    mul = next(lab for lab in nodes(draw(y)).values() if lab.startswith("MulBackward0"))
    assert "self: (2, 3)" in mul and "other: (2, 3)" in mul
    y.backward()
    mul = next(lab for lab in nodes(draw(y)).values() if lab.startswith("MulBackward0"))
    assert "self: freed" in mul
    plain = next(lab for lab in nodes(draw(y, show_saved=False)).values() if lab.startswith("Mul"))
    assert plain == "MulBackward0"


def test_torch_names_label_leaves_and_root():
    x, w, y = small_torch_graph()
    labels = list(nodes(draw(y, names={"x": x, "w": w, "y": y})).values())
    assert labels[0].startswith("output\\ny: () float32")
    leaves = sorted(lab.split("\\n")[1] for lab in labels if lab.startswith("AccumulateGrad"))
    assert leaves == ["w: (2, 3) float32", "x: (2, 3) float32"]


def test_torch_unsaved_inputs_are_not_listed():
    lin = torch.nn.Linear(3, 2)
    out = lin(torch.ones(4, 3)).sum()
    addmm = next(lab for lab in nodes(draw(out)).values() if lab.startswith("AddmmBackward0"))
    # The input needs no gradient, so the weight is not saved (its strides show as ()).
    assert "mat1_sym_strides" not in addmm and "mat1: (4, 3)" in addmm


def test_torch_leaf_root_and_retained_grad_root():
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    dot = draw(x)
    assert len(nodes(dot)) == 1 and edges(dot) == []
    y = x * 3
    y.retain_grad()
    y.sum().backward()
    root_label = nodes(draw(y))["n0"]
    assert "grad (2,) float32\\n[1. 1.]" in root_label


def test_deep_torch_chain_draws_without_recursion():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    dot = draw(y)
    assert len(nodes(dot)) == 10_002  # output, 10,000 MulBackward0, AccumulateGrad
    assert len(edges(dot)) == 10_001


def test_torch_drawing_is_deterministic():
    first, second = draw(small_torch_graph()[2]), draw(small_torch_graph()[2])
    assert first.source == second.source
    assert "0x" not in first.source
    assert first.pipe(format="svg") == second.pipe(format="svg")


# ---------------------------------------------------------------- minigrad Tensor graphs


def both(fn, *arrays, requires_grad=(True, True)):
    """Run fn on torch tensors and on minigrad Tensors made from the same float64 arrays."""
    results = []
    for make in (torch.tensor, minigrad.tensor):
        args = [make(a, requires_grad=r) for a, r in zip(arrays, requires_grad, strict=True)]
        results.append((fn(*args), args))
    return results


EXPRESSIONS = {
    "mul exp sum": lambda x, w: (x * w).exp().sum(),
    "x used twice": lambda x, w: (x * x + w).sum(),
    "matmul tanh mean": lambda x, w: (x @ w.T).tanh().mean(),
    "sub div sin": lambda x, w: ((x - w) / (w * w + 1.0)).sin().sum(),
}


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_minigrad_tensor_graph_has_torchs_structure(name):
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    (ty, _), (my, _) = both(EXPRESSIONS[name], x, w)
    tdot, mdot = draw(ty), draw(my)
    assert first_lines(mdot) == first_lines(tdot)
    assert edges(mdot) == edges(tdot)


def test_minigrad_tensor_leaves_names_grads_and_freed_saves():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    (ty, (tx, tw)), (my, (mx, mw)) = both(EXPRESSIONS["mul exp sum"], x, w)
    before = nodes(draw(my, names={"x": mx, "w": mw}))
    mul = next(lab for lab in before.values() if lab.startswith("MulBackward0"))
    assert "saved: " in mul and "freed" not in mul
    ty.backward()
    my.backward()
    after = nodes(draw(my, names={"x": mx, "w": mw}))
    leaves = {lab.split("\\n")[1]: lab for lab in after.values() if lab.startswith("Accumulate")}
    assert sorted(leaves) == ["w: (2, 3) float64", "x: (2, 3) float64"]
    for label, t in (("x", tx), ("w", tw)):
        grad = np.array2string(t.grad.numpy(), precision=4, suppress_small=True)
        assert (
            "grad (2, 3) float64\\n" + grad.replace("\n", "\\n")
            in leaves[label + ": (2, 3) float64"]
        )
    assert "saved: freed" in next(lab for lab in after.values() if lab.startswith("MulBackward0"))


def test_minigrad_tensor_input_without_grad_and_leaf_root():
    (ty, _), (my, _) = both(
        lambda x, c: (x * c).sum(), np.ones(2), np.ones(2), requires_grad=(True, False)
    )
    assert first_lines(draw(my)) == first_lines(draw(ty))
    assert first_lines(draw(my)).count("AccumulateGrad") == 1
    leaf = minigrad.tensor([1.0, 2.0], requires_grad=True)
    dot = draw(leaf)
    assert len(nodes(dot)) == 1 and edges(dot) == []


def test_deep_minigrad_tensor_chain_draws_without_recursion():
    x = minigrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    dot = draw(y)
    assert len(nodes(dot)) == 10_002
    assert len(edges(dot)) == 10_001


def test_rankdir_is_passed_and_checked():
    assert "rankdir=TB" in draw(Value(1.0), rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw(Value(1.0), rankdir="sideways")


@pytest.mark.parametrize("bad", [3.0, [1, 2], np.ones(2), "x", None])
def test_bad_input_is_a_clear_type_error(bad):
    with pytest.raises(
        TypeError, match=r"expects a minigrad Value, a minigrad Tensor or a torch\.Tensor"
    ):
        draw(bad)
