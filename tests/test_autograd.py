"""The backward engine, custom Functions, grad modes, autograd.grad, gradcheck, nn.Module, and
every error message, checked against torch.autograd where torch has the same behaviour."""

import gc
import weakref

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import nn
from minigrad.autograd import Function, GradcheckError, gradcheck


def walk(fn):
    """Names of a grad_fn graph in DFS order (works for torch and minigrad alike)."""
    names, stack, seen = [], [fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(node.name().replace("torch::autograd::", ""))
        stack.extend(n for n, _ in reversed(node.next_functions))
    return names


# --- the engine -----------------------------------------------------------------------------


def test_a_node_used_twice_gets_the_sum_of_its_gradients():
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        a = x * x
        b = a + a.exp() * a  # a feeds three ops
        b.sum().backward()
        results.append(x.grad.numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)


def test_grad_fn_names_and_next_functions_mirror_torch():
    graphs = []
    for lib in (torch, minigrad):
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        w = lib.tensor([[0.5], [0.25]], requires_grad=True)
        y = ((x @ w).relu() * 2 + 1).sigmoid().sum()
        graphs.append(walk(y.grad_fn))
        leaf = y.grad_fn
        while leaf.next_functions:
            leaf = leaf.next_functions[0][0]
        assert leaf.name().endswith("AccumulateGrad") and leaf.variable is x
    assert graphs[1] == graphs[0]


def test_a_leaf_used_twice_is_one_accumulate_grad_node():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x * x
    (a, _), (b, _) = y.grad_fn.next_functions
    assert a is b and a.variable is x


def test_inputs_that_need_no_grad_get_none_edges_like_torch():
    for lib in (torch, minigrad):
        x = lib.tensor([1.0], requires_grad=True)
        y = x * lib.tensor([2.0])
        assert y.grad_fn.next_functions[1] == (None, 0)
        assert y.grad_fn.next_functions[0][0].name().endswith("AccumulateGrad")


def test_a_long_chain_needs_no_recursion():
    x = minigrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**5000, rel=1e-3)


def test_gradients_accumulate_across_backward_calls():
    for lib in (torch, minigrad):
        x = lib.tensor([2.0], requires_grad=True)
        (x * 3).sum().backward()
        (x * x).sum().backward()
        assert x.grad.tolist() == [7.0]


@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_non_leaves_get_grad_only_with_retain_grad():
    for lib in (torch, minigrad):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        g = h * h
        g.sum().backward()
        assert h.retains_grad and not g.retains_grad
        np.testing.assert_allclose(h.grad.numpy(), [6.0, 12.0])
        assert g.grad is None


def test_backward_frees_saved_arrays_unless_retain_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    mul = y.grad_fn.next_functions[0][0]
    y.backward(retain_graph=True)
    assert mul._saved is not None
    y.backward()
    assert mul._saved is None
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])
    with pytest.raises(RuntimeError, match=r"second time.*retain_graph=True"):
        y.backward()


def test_second_backward_error_matches_torchs_meaning():
    for lib in (torch, minigrad):
        x = lib.tensor([1.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


def test_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        x = minigrad.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).relu().sum()
        node = weakref.ref(y.grad_fn)
        y.backward()
        del y
        assert node() is None
    finally:
        gc.enable()


def test_backward_with_gradient_for_non_scalar_matches_torch():
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x**3
        y.backward(gradient=lib.tensor([[1.0, 0.5], [0.0, -1.0]]))
        results.append(x.grad.numpy().copy())
    np.testing.assert_allclose(results[1], results[0])


def test_backward_inputs_only_accumulates_into_those():
    x = minigrad.tensor([1.0], requires_grad=True)
    w = minigrad.tensor([2.0], requires_grad=True)
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.tolist() == [1.0]


# --- grad mode ------------------------------------------------------------------------------


def test_no_grad_as_context_and_decorator_and_enable_grad_inside():
    x = minigrad.tensor([1.0], requires_grad=True)
    with minigrad.no_grad():
        y = x * 2
        with minigrad.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad

    @minigrad.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad and minigrad.is_grad_enabled()

    @minigrad.no_grad
    def g(t):
        return t * 2

    assert not g(x).requires_grad and minigrad.is_grad_enabled()
    with minigrad.set_grad_enabled(False):
        assert not (x * 1).requires_grad
    assert (x * 1).requires_grad


def test_detach_and_requires_grad_flags_like_torch():
    for lib in (torch, minigrad):
        x = lib.tensor([1.0], requires_grad=True)
        y = x * 2
        assert not y.is_leaf and x.is_leaf and y.detach().is_leaf
        assert not y.detach().requires_grad
        with pytest.raises(RuntimeError, match="leaf variables"):
            y.requires_grad = False
        z = lib.tensor([1.0]).requires_grad_()
        assert z.requires_grad and z.is_leaf


# --- autograd.grad --------------------------------------------------------------------------


def test_autograd_grad_returns_gradients_and_leaves_dot_grad_alone():
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, -1.0], requires_grad=True)
        h = x * w
        y = (h * h).sum()
        gx, gh = lib.autograd.grad(y, [x, h])
        assert x.grad is None and w.grad is None
        results.append((gx.numpy().copy(), gh.numpy().copy()))
    for a, b in zip(results[0], results[1], strict=True):
        np.testing.assert_allclose(b, a)


def test_autograd_grad_unused_input():
    x = minigrad.tensor([1.0], requires_grad=True)
    u = minigrad.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        minigrad.autograd.grad(y, [x, u], retain_graph=True)
    gx, gu = minigrad.autograd.grad(y, [x, u], allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None


# --- custom Functions -----------------------------------------------------------------------


def linear_function(lib):
    """The LinearFunction of the torch docs, written against module ``lib``."""

    class LinearFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    return LinearFunction


def test_linear_function_matches_torch_and_the_builtin_ops():
    rng = np.random.default_rng(0)
    xs, ws, bs = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    results = []
    for lib in (torch, minigrad):
        fn = linear_function(lib)
        x, w, b = (lib.tensor(a, requires_grad=True) for a in (xs, ws, bs))
        y = fn.apply(x, w, b)
        assert y.grad_fn.name() == "LinearFunctionBackward"
        (y * y).sum().backward()
        x2, w2, b2 = (lib.tensor(a, requires_grad=True) for a in (xs, ws, bs))
        (((x2 @ w2.T + b2) ** 2).sum()).backward()
        for t, t2 in ((x, x2), (w, w2), (b, b2)):
            np.testing.assert_allclose(t.grad.numpy(), t2.grad.numpy(), rtol=1e-12)
        results.append([y.detach().numpy()] + [t.grad.numpy() for t in (x, w, b)])
    for a, b in zip(results[0], results[1], strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_needs_input_grad_lets_backward_skip_work():
    seen = []

    class Spy(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)
            return g, None

    a = minigrad.tensor([1.0], requires_grad=True)
    Spy.apply(a, minigrad.tensor([2.0])).sum().backward()
    assert seen == [(True, False)] and a.grad.tolist() == [1.0]


def test_function_returning_an_input_and_non_differentiable_outputs():
    class SortLike(Function):
        @staticmethod
        def forward(ctx, x):
            idx = minigrad.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x[idx], idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            out = minigrad.zeros_like(g)
            out[idx] = g
            return out

    x = minigrad.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, idx = SortLike.apply(x)
    assert values.requires_grad and not idx.requires_grad
    (values * minigrad.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_function_with_two_outputs_gets_zeros_for_the_unused_one():
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    x = minigrad.tensor([1.0], requires_grad=True)
    a, _b = Two.apply(x)
    a.sum().backward()
    assert x.grad.tolist() == [2.0]


def test_function_backward_returning_wrong_number_of_grads_is_explained():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    y = Bad.apply(minigrad.ones(2, requires_grad=True), minigrad.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 2, got 1\)"):
        y.sum().backward()


def test_function_backward_returning_wrong_shape_is_explained():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.t()

    y = BadShape.apply(minigrad.ones(2, 3, requires_grad=True))
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[3, 2\].*\[2, 3\]"):
        y.sum().backward()


def test_function_gradient_in_a_broadcast_shape_is_summed_like_torch():
    for lib in (torch, minigrad):

        class Expand(lib.autograd.Function):
            @staticmethod
            def forward(ctx, b):
                return b.expand(3, 2).clone()

            @staticmethod
            def backward(ctx, g):
                return g  # (3, 2) for an input of shape (2,)

        b = lib.tensor([1.0, 2.0], requires_grad=True)
        Expand.apply(b).sum().backward()
        assert b.grad.tolist() == [3.0, 3.0]


def test_saved_tensors_after_backward_raise():
    class Keep(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            (_x,) = ctx.saved_tensors
            return g * 2

    y = Keep.apply(minigrad.ones(1, requires_grad=True))
    y.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.grad_fn.saved_tensors  # noqa: B018


# --- gradcheck ------------------------------------------------------------------------------


class WrongExp2(Function):
    @staticmethod
    def forward(ctx, x):
        y = 2**x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y  # the classic bug: the factor ln 2 is missing


def test_gradcheck_catches_a_wrong_backward_and_names_where():
    x = minigrad.tensor([0.5, -1.0], dtype=minigrad.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as err:
        gradcheck(WrongExp2.apply, (x,))
    msg = str(err.value)
    assert "input 0" in msg and "element (0,)" in msg
    numerical = float(msg.split("numerical: ")[1].split()[0])
    analytical = float(msg.split("analytical: ")[1].split()[0])
    assert numerical == pytest.approx(2**0.5 * np.log(2), rel=1e-6)
    assert analytical == pytest.approx(2**0.5, rel=1e-12)
    assert gradcheck(WrongExp2.apply, (x,), raise_exception=False) is False


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([(3,), (2, 3), ()]))
def test_gradcheck_agrees_with_torch_on_a_composite_function(seed, shape):
    x = np.random.default_rng(seed).uniform(0.2, 2.0, shape)

    def f(lib):
        return lambda t, u: ((t * u).exp() / (1 + t**2)).log() * u.sigmoid()

    mx = minigrad.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    assert gradcheck(f(minigrad), (mx, mx * 0 + 0.5))
    assert torch.autograd.gradcheck(f(torch), (tx, (tx * 0 + 0.5).detach().requires_grad_()))


def test_gradcheck_checks_every_input_and_output():
    a = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    b = minigrad.tensor([[0.5], [1.5]], dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(lambda x, y: (x * y, x.sum() * y), (a, b))


# --- errors ---------------------------------------------------------------------------------


def test_shapes_that_do_not_broadcast_name_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4,\) do not broadcast.*unsqueeze"):
        minigrad.ones(2, 3) + minigrad.ones(4)


def test_matmul_inner_dims_error_names_the_shapes():
    with pytest.raises(RuntimeError, match=r"\(2x3 and 2x3\).*inner dimensions"):
        minigrad.ones(2, 3) @ minigrad.ones(2, 3)
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        minigrad.ones(5, 2, 3) @ minigrad.ones(4)


def test_backward_on_non_scalar_without_gradient_says_how_to_fix():
    for lib in (torch, minigrad):
        y = lib.ones(3, requires_grad=True) * 2
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
            y.backward()
    with pytest.raises(RuntimeError, match=r"y.sum\(\).backward\(\)"):
        (minigrad.ones(3, requires_grad=True) * 2).backward()


def test_backward_on_tensor_that_does_not_require_grad():
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.ones(3).sum().backward()
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        minigrad.ones(3).sum().backward()


def test_requires_grad_on_integer_tensor():
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError, match="floating point"):
            lib.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"x\.float\(\)"):
        minigrad.tensor([1, 2]).requires_grad_()


def test_in_place_on_a_leaf_that_requires_grad():
    for lib in (torch, minigrad):
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            w -= 1
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            w.zero_()
    with pytest.raises(RuntimeError, match="no_grad"):
        minigrad.ones(2, requires_grad=True).add_(1)


def test_setitem_with_a_tensor_that_requires_grad_is_recorded_as_in_torch():
    grads = []
    for lib in (torch, minigrad):
        w = lib.tensor([2.0], requires_grad=True)
        y = lib.zeros(3)
        y[0] = w * 3  # a (1,) value into a 0-d slot: torch drops the leading 1
        y[1:] = w
        assert y.requires_grad and not y.is_leaf
        (y * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        grads.append(w.grad.numpy().copy())
    np.testing.assert_allclose(grads[1], grads[0])


def test_mean_of_integers_and_bad_dims():
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.tensor([1, 2]).mean()
    with pytest.raises(IndexError, match="Dimension out of range"):
        minigrad.ones(2, 3).sum(dim=2)


# --- nn.Module ------------------------------------------------------------------------------


def test_linear_matches_torch_for_1d_and_2d_input():
    rng = np.random.default_rng(0)
    for shape in [(3,), (5, 3)]:
        x = rng.normal(size=shape).astype(np.float32)
        grads = []
        for lib in (torch, minigrad):
            layer = lib.nn.Linear(3, 2)
            with lib.no_grad():
                layer.weight.copy_(lib.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
                layer.bias.copy_(lib.tensor([0.01, -0.02]))
            y = layer(lib.tensor(x))
            (y * y).sum().backward()
            grads.append([y.detach().numpy(), layer.weight.grad.numpy(), layer.bias.grad.numpy()])
        for a, b in zip(*grads, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-7)


def test_linear_init_bounds_and_dtypes_like_torch():
    minigrad.manual_seed(0)
    layer = nn.Linear(16, 4)
    assert layer.weight.shape == (4, 16) and layer.bias.shape == (4,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    assert np.abs(layer.weight.detach().numpy()).max() <= 0.25
    minigrad.manual_seed(0)
    again = nn.Linear(16, 4)
    np.testing.assert_array_equal(again.weight.detach().numpy(), layer.weight.detach().numpy())
    assert repr(layer) == repr(torch.nn.Linear(16, 4))


def test_module_registers_parameters_and_switches_modes():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = nn.Linear(2, 3)
            self.l2 = nn.Linear(3, 1, bias=False)
            self.scale = nn.Parameter(minigrad.tensor(2.0))

        def forward(self, x):
            return self.l2(self.l1(x).relu()) * self.scale

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "l1.weight", "l1.bias", "l2.weight"]
    assert net.training and not net.eval().training and not net.l1.training
    assert net.train().l2.training
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    net(minigrad.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    state = net.state_dict()
    net2 = Net()
    net2.load_state_dict(state)
    np.testing.assert_array_equal(net2.l1.weight.detach().numpy(), net.l1.weight.detach().numpy())


def test_module_buffers_apply_and_dtype_conversion():
    class WithStats(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)
            self.register_buffer("count", minigrad.zeros(1))

    m = WithStats()
    assert [n for n, _ in m.named_buffers()] == ["count"]
    assert "count" in m.state_dict() and len(list(m.parameters())) == 2
    weight = m.lin.weight
    m.double()
    assert m.lin.weight is weight and weight.dtype == np.float64 and m.count.dtype == np.float64
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "WithStats"]
    x = minigrad.tensor([[1.0, 2.0]], dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(lambda t: m.lin(t), (x,))


def test_parameter_is_a_leaf_tensor_that_requires_grad():
    p = nn.Parameter(minigrad.ones(2))
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:")


# --- random graphs --------------------------------------------------------------------------

GRAPH_OPS = [
    lambda L, a, b: a + b,
    lambda L, a, b: a * b,
    lambda L, a, b: a - b * 0.5,
    lambda L, a, b: (a * b).tanh(),
    lambda L, a, b: a.sigmoid() * b,
    lambda L, a, b: a / (b * b + 1),
    lambda L, a, b: (a - b).relu(),
    lambda L, a, b: a.sum(0, keepdim=True) * b,
    lambda L, a, b: a.softmax(1) + b,
    lambda L, a, b: (a @ b.t()) @ a * 0.1,
]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 99), st.integers(0, 99)), min_size=1,
             max_size=12),
    st.integers(0, 2**31 - 1),
)  # fmt: skip
def test_random_graphs_with_shared_nodes_match_torch(program, seed):
    # Each step applies an op to two earlier results (inputs included), so intermediate nodes
    # are reused by several later ops: the engine must add their gradients before running them.
    rng = np.random.default_rng(seed)
    inputs = [rng.normal(size=(3, 3)) for _ in range(3)]
    grads = []
    for lib in (torch, minigrad):
        leaves = [lib.tensor(x, requires_grad=True) for x in inputs]
        values = list(leaves)
        for op, i, j in program:
            values.append(GRAPH_OPS[op](lib, values[i % len(values)], values[j % len(values)]))
        out = sum((v * (k + 1)).sum() for k, v in enumerate(values[3:]))
        if not out.requires_grad:
            return
        out.backward()
        grads.append([np.zeros((3, 3)) if t.grad is None else t.grad.numpy() for t in leaves])
    for a, b in zip(*grads, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)
