"""Gradients of gradients: create_graph=True, double backward of every op, gradgradcheck.

Every op of minigrad's API is differentiated twice and compared with torch's double backward:
the first gradient (as a function of the inputs and of the gradient it was given), then the
gradient of a random projection of it with respect to the inputs and to that given gradient
(a Hessian-vector product plus the backward's own derivative). float64 and float32, at random
points (hypothesis, random shapes where the op allows) and at special ones (0, negatives, ties).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import Function, gradgradcheck, once_differentiable
from minigrad.kernels import KERNEL_DOCS

LIBS = (minigrad, torch)
TOL = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=2e-4, atol=2e-5)}


def _t(lib, a, dtype, rg=True):
    return lib.tensor(np.asarray(a, dtype=dtype), requires_grad=rg)


def double_backward(lib, fn, arrays, dtype, rng_seed=0):
    """First gradients (create_graph) and the gradients of a random projection of them with
    respect to the inputs and to the output's gradient ``w``, as numpy arrays (None: unused)."""
    rng = np.random.default_rng(rng_seed)
    xs = [_t(lib, a, dtype) for a in arrays]
    y = fn(lib, *xs)
    w = _t(lib, rng.standard_normal(tuple(y.shape)), dtype)
    gs = lib.autograd.grad(y, xs, grad_outputs=w, create_graph=True, allow_unused=True)
    vs = [rng.standard_normal(a.shape) for a in arrays]
    terms = [
        (g * _t(lib, v, dtype, False)).sum() for g, v in zip(gs, vs, strict=True) if g is not None
    ]
    terms = [s for s in terms if s.requires_grad]
    first = [None if g is None else g.detach().numpy().copy() for g in gs]
    if not terms:
        return first, [None] * (len(xs) + 1)
    total = terms[0]
    for s in terms[1:]:
        total = total + s
    hs = lib.autograd.grad(total, [*xs, w], allow_unused=True)
    return first, [None if h is None else h.detach().numpy().copy() for h in hs]


def check_against_torch(fn, arrays, dtype=np.float64, seed=0):
    """minigrad's first and second derivatives of ``fn`` equal torch's."""
    ours = double_backward(minigrad, fn, arrays, dtype, seed)
    theirs = double_backward(torch, fn, arrays, dtype, seed)
    for kind, a_list, b_list in zip(("first", "second"), ours, theirs, strict=True):
        for k, (a, b) in enumerate(zip(a_list, b_list, strict=True)):
            if a is None or b is None:  # unused on one side: the other must be all zeros
                other = b if a is None else a
                assert other is None or not np.any(other), (kind, k, other)
                continue
            assert a.dtype == b.dtype, (kind, k, a.dtype, b.dtype)
            np.testing.assert_allclose(a, b, equal_nan=True, err_msg=f"{kind} {k}", **TOL[dtype])


# --- every op, at random points ----------------------------------------------------------------

# name -> (fn(lib, *inputs), the inputs' shapes, the interval the inputs are drawn from)
UNARY = sorted(
    n for n in KERNEL_DOCS if n not in ("add", "sub", "mul", "div", "pow", "maximum", "minimum",
                                         "remainder", "gelu")
)  # fmt: skip


def _unary_fn(name):
    if name == "softplus":
        return lambda lib, x: lib.nn.functional.softplus(x) * x
    return lambda lib, x: getattr(x, name)() * x  # (times x: a second derivative even if linear)


OPS = {
    "add": (lambda L, a, b: (a + b) * a * b, [(3, 4), (4,)], (-2, 2)),
    "add_alpha": (lambda L, a, b: a.add(b, alpha=2.5) * a, [(3, 4), (3, 4)], (-2, 2)),
    "sub": (lambda L, a, b: (a - b) * a * b, [(3, 1), (1, 4)], (-2, 2)),
    "mul": (lambda L, a, b: a * b, [(2, 3), (3,)], (-2, 2)),
    "div": (lambda L, a, b: a / b, [(2, 3), (2, 1)], (0.3, 2)),
    "pow": (lambda L, a, b: a**b, [(2, 3), (3,)], (0.3, 2)),
    "pow_number": (lambda L, a: a**3.0 + 2.0**a, [(5,)], (-2, 2)),
    "maximum": (lambda L, a, b: L.maximum(a, b) * a, [(3, 4), (3, 4)], (-2, 2)),
    "minimum": (lambda L, a, b: L.minimum(a, b) * b, [(3, 4), (4,)], (-2, 2)),
    "remainder": (lambda L, a, b: (a % b) * a, [(3, 4), (3, 4)], (0.5, 3)),
    "rsub_number": (lambda L, a: (1 - a) * a / (2 + a), [(4,)], (-1, 1)),
    "clamp": (lambda L, a: a.clamp(-0.5, 0.7) * a, [(3, 4)], (-2, 2)),
    "clamp_min": (lambda L, a: a.clamp(min=0.1) ** 2, [(3, 4)], (-2, 2)),
    "sum": (lambda L, a: a.sum() * a, [(3, 4)], (-2, 2)),
    "sum_dim": (lambda L, a: a.sum(1, keepdim=True) * a, [(3, 4)], (-2, 2)),
    "sum_dims": (lambda L, a: a.sum((0, 2)) ** 2, [(2, 3, 4)], (-2, 2)),
    "mean": (lambda L, a: a.mean() * a, [(3, 4)], (-2, 2)),
    "mean_dim": (lambda L, a: a.mean(0) ** 3, [(3, 4)], (-2, 2)),
    "max": (lambda L, a: a.max() * a, [(3, 4)], (-2, 2)),
    "min": (lambda L, a: a.min() * a, [(3, 4)], (-2, 2)),
    "max_dim": (lambda L, a: a.max(1)[0] ** 2, [(3, 4)], (-2, 2)),
    "min_dim": (lambda L, a: a.min(0, keepdim=True)[0] * a, [(3, 4)], (-2, 2)),
    "amax": (lambda L, a: a.amax(0) ** 2, [(3, 4)], (-2, 2)),
    "amin": (lambda L, a: a.amin(1, keepdim=True) * a, [(3, 4)], (-2, 2)),
    "var": (lambda L, a: a.var(1) ** 2, [(3, 4)], (-2, 2)),
    "var_all": (lambda L, a: a.var() * a, [(3, 4)], (-2, 2)),
    "std": (lambda L, a: a.std(0) ** 2, [(3, 4)], (-2, 2)),
    "std_all": (lambda L, a: a.std(correction=0) * a, [(3, 4)], (-2, 2)),
    "logsumexp": (lambda L, a: a.logsumexp(1) ** 2, [(3, 4)], (-2, 2)),
    "cumsum": (lambda L, a: a.cumsum(1) ** 2, [(3, 4)], (-2, 2)),
    "softmax": (lambda L, a: a.softmax(1), [(3, 4)], (-2, 2)),
    "log_softmax": (lambda L, a: a.log_softmax(0), [(3, 4)], (-2, 2)),
    "mm": (lambda L, a, b: (a @ b) ** 2, [(3, 4), (4, 2)], (-2, 2)),
    "mv": (lambda L, a, b: (a @ b) ** 2, [(3, 4), (4,)], (-2, 2)),
    "dot": (lambda L, a, b: (a @ b) ** 2, [(4,), (4,)], (-2, 2)),
    "vm": (lambda L, a, b: (a @ b) ** 2, [(4,), (4, 3)], (-2, 2)),
    "bmm": (lambda L, a, b: (a @ b) ** 2, [(2, 3, 4), (4, 2)], (-2, 2)),
    "linear": (
        lambda L, x, w, b: L.nn.functional.linear(x, w, b).tanh(),
        [(3, 4), (2, 4), (2,)],
        (-2, 2),
    ),
    "reshape": (lambda L, a: a.reshape(4, 3) ** 3, [(3, 4)], (-2, 2)),
    "view_flatten": (lambda L, a: a.flatten() ** 3, [(2, 3, 2)], (-2, 2)),
    "unsqueeze_squeeze": (lambda L, a: a.unsqueeze(1).squeeze() ** 3, [(3, 4)], (-2, 2)),
    "permute": (lambda L, a: a.permute(2, 0, 1) ** 3, [(2, 3, 2)], (-2, 2)),
    "transpose": (lambda L, a: a.transpose(0, 1) ** 3, [(3, 4)], (-2, 2)),
    "t": (lambda L, a: a.t() ** 3, [(3, 4)], (-2, 2)),
    "expand": (lambda L, a: a.expand(3, 4) ** 3, [(1, 4)], (-2, 2)),
    "flip": (lambda L, a: a.flip(0) ** 3, [(3, 4)], (-2, 2)),
    "slice": (lambda L, a: a[1:, ::2] ** 3, [(3, 4)], (-2, 2)),
    "select": (lambda L, a: a[1] ** 3, [(3, 4)], (-2, 2)),
    "index_array": (lambda L, a: a[[0, 2, 0]] ** 3, [(3, 4)], (-2, 2)),
    "index_mask": (lambda L, a: a[a > 0] ** 3, [(3, 4)], (-2, 2)),
    "gather": (
        lambda L, a: a.gather(1, L.tensor([[0, 1], [2, 2], [3, 0]])) ** 3,
        [(3, 4)],
        (-2, 2),
    ),
    "cat": (lambda L, a, b: L.cat([a, b], 0) ** 3, [(3, 4), (2, 4)], (-2, 2)),
    "stack": (lambda L, a, b: L.stack([a, b * a], 1) ** 2, [(3, 4), (3, 4)], (-2, 2)),
    "where": (lambda L, a, b: L.where(a > 0, a**3, b.exp()), [(3, 4), (3, 4)], (-2, 2)),
    "clone": (lambda L, a: a.clone() ** 3, [(3, 4)], (-2, 2)),
    "to_dtype": (lambda L, a: a.to(L.float32).to(L.float64) ** 3, [(3, 4)], (-2, 2)),
    "setitem": (lambda L, a, b: _setitem(a, b) ** 3, [(3, 4), (4,)], (-2, 2)),
    "inplace_mul_view": (lambda L, a: _inplace_view(a) ** 2, [(3, 4)], (-2, 2)),
}


def _setitem(a, b):
    c = a * 1
    c[1] = b * b
    return c


def _inplace_view(a):
    c = a * a
    c[0].mul_(a[1])  # CopySlices and AsStrided
    return c


for _name in UNARY:
    lo, hi = KERNEL_DOCS[_name].domain
    OPS[_name] = (_unary_fn(_name), [(3, 4)], (lo, hi))


def _draw(rng, shapes, interval):
    lo, hi = interval
    return [rng.uniform(lo, hi, size=s) for s in shapes]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_double_backward_matches_torch(name, dtype):
    fn, shapes, interval = OPS[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    check_against_torch(fn, _draw(rng, shapes, interval), dtype)


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradgradcheck(name):
    fn, shapes, interval = OPS[name]
    if name in ("max_dim", "min_dim", "index_mask") or name in ("floor", "ceil", "round", "sign"):
        pytest.skip("piecewise: a finite difference may cross a kink (checked against torch)")
    if name == "to_dtype":
        pytest.skip("a float32 round trip: finite differences at float32 precision")
    rng = np.random.default_rng(1)
    lo, hi = interval
    pad = 0.1 * (hi - lo)
    inputs = [
        minigrad.tensor(a, dtype=minigrad.float64, requires_grad=True)
        for a in _draw(rng, shapes, (lo + pad, hi - pad))
    ]
    assert gradgradcheck(lambda *xs: fn(minigrad, *xs), inputs, atol=1e-5, rtol=1e-3)


# --- random shapes and values (hypothesis) -----------------------------------------------------

BROADCAST_PAIRS = [((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), (2, 3)), ((5,), (5,)), ((2, 3), ())]


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(["add", "sub", "mul", "div", "pow", "maximum", "minimum"]),
    shapes=st.sampled_from(BROADCAST_PAIRS),
    seed=st.integers(0, 2**31),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_binary_double_backward_broadcasts_like_torch(name, shapes, seed, dtype):
    fn, _, interval = OPS[name]
    check_against_torch(fn, _draw(np.random.default_rng(seed), shapes, interval), dtype, seed)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(UNARY),
    shape=st.sampled_from([(), (1,), (5,), (2, 3), (2, 1, 3)]),
    seed=st.integers(0, 2**31),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_unary_double_backward_like_torch(name, shape, seed, dtype):
    fn, _, interval = OPS[name]
    check_against_torch(fn, _draw(np.random.default_rng(seed), [shape], interval), dtype, seed)


# --- special points: 0, negatives, ties --------------------------------------------------------

SPECIAL = {
    "abs": [0.0, -1.5, 2.0, -0.0],
    "relu": [0.0, -1.5, 2.0, 0.0],
    "sign": [0.0, -1.5, 2.0],
    "sqrt": [0.0, 1e-3, 2.0],
    "rsqrt": [0.0, 0.5, 2.0],
    "log": [0.0, 0.5, 2.0],
    "reciprocal": [0.0, -0.5, 2.0],
    "tanh": [0.0, -20.0, 20.0],
    "sigmoid": [0.0, -40.0, 40.0],
    "softplus": [0.0, -30.0, 25.0, 20.0],
    "exp": [0.0, -50.0, 10.0],
    "atanh": [0.0, -0.5, 0.9],
    "asin": [0.0, -0.5, 0.9],
    "square": [0.0, -2.0, 3.0],
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_unary_double_backward_at_special_points(name, dtype):
    check_against_torch(OPS[name][0], [np.array(SPECIAL[name])], dtype)


TIES = {
    "maximum": [np.array([1.0, 2.0, -1.0, 0.0]), np.array([1.0, 0.5, -1.0, 0.0])],
    "minimum": [np.array([1.0, 2.0, -1.0, 0.0]), np.array([1.0, 0.5, -1.0, 0.0])],
    "max": [np.array([[1.0, 3.0, 3.0], [0.0, -1.0, 0.0]])],
    "amax": [np.array([[1.0, 3.0, 3.0], [1.0, -1.0, 0.0]])],
    "amin": [np.array([[1.0, 3.0, 1.0], [0.0, -1.0, -1.0]])],
    "clamp": [np.array([[-0.5, 0.7, 0.0], [-2.0, 2.0, 0.1]])],
    "pow": [np.array([[0.0, 2.0, 0.0], [-1.0, 0.5, 3.0]]), np.array([2.0, 0.0, 3.0])],
    "mul": [np.array([[0.0, -2.0, 0.0], [1.0, 0.0, 3.0]]), np.array([0.0, 2.0, -1.0])],
    "div": [np.array([[0.0, -2.0, 1.0], [1.0, 0.0, 3.0]]), np.array([[-1.0], [2.0]])],
    "std_all": [np.array([[1.0, 1.0, 2.0], [1.0, 1.0, 1.0]])],
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", sorted(TIES))
def test_double_backward_at_ties_and_zeros(name, dtype):
    check_against_torch(OPS[name][0], TIES[name], dtype)


# --- the mechanism -------------------------------------------------------------------------------


def test_backward_create_graph_gives_grads_with_a_graph():
    for lib in LIBS:
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad and g.grad_fn is not None
        x.grad = None
        g.sum().backward()
        np.testing.assert_allclose(x.grad.detach().numpy(), 6 * np.array([0.5, -1.0, 2.0]))


def test_closed_form_second_derivatives_of_notebook_one_functions():
    # f(x) = 3x^2 - 4x + 5: f'' = 6; g(x) = sin(x) e^x: g'' = 2 cos(x) e^x
    x = minigrad.tensor(0.7, dtype=minigrad.float64, requires_grad=True)
    (d1,) = minigrad.autograd.grad(3 * x**2 - 4 * x + 5, x, create_graph=True)
    (d2,) = minigrad.autograd.grad(d1, x)
    assert d1.item() == pytest.approx(6 * 0.7 - 4) and d2.item() == pytest.approx(6)
    (d1,) = minigrad.autograd.grad(x.sin() * x.exp(), x, create_graph=True)
    (d2,) = minigrad.autograd.grad(d1, x)
    assert d2.item() == pytest.approx(2 * math.cos(0.7) * math.exp(0.7))


def test_third_derivative():
    outs = []
    for lib in LIBS:
        x = lib.tensor([0.3, -1.2], dtype=lib.float64, requires_grad=True)
        y = (x.sin() * x.exp()).sum()
        (d1,) = lib.autograd.grad(y, x, create_graph=True)
        (d2,) = lib.autograd.grad(d1.sum(), x, create_graph=True)
        (d3,) = lib.autograd.grad(d2.sum(), x)
        outs.append(d3.numpy())
    np.testing.assert_allclose(*outs, rtol=1e-12)


def test_first_order_grads_record_nothing():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (g,) = minigrad.autograd.grad((x * x).sum(), x)
    assert g.grad_fn is None and not g.requires_grad


def test_create_graph_retains_the_graph_by_default_and_frees_it_when_asked():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    minigrad.autograd.grad(y, x, create_graph=True)
    minigrad.autograd.grad(y, x, create_graph=True, retain_graph=False)  # the graph was kept
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        minigrad.autograd.grad(y, x)


def test_grad_outputs_that_require_grad_are_differentiated_too():
    results = []
    for lib in LIBS:
        x = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        v = lib.tensor([0.5, 3.0], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(x.sin(), x, grad_outputs=v, create_graph=True)
        results.append([h.numpy() for h in lib.autograd.grad(g.sum(), [x, v])])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b)


def test_leaf_grad_accumulates_out_of_place_with_create_graph():
    grads = []
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        (x**2).sum().backward(create_graph=True)
        (x**3).sum().backward(create_graph=True)
        (g,) = lib.autograd.grad(x.grad.sum(), x)
        grads.append((x.grad.detach().numpy(), g.numpy()))
    for a, b in zip(*grads, strict=True):
        np.testing.assert_allclose(a, b)


def test_graph_grad_on_arrays_refuses_create_graph():
    x = minigrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"minigrad\.autograd\.grad"):
        minigrad.graph.grad([x * 2], [x], create_graph=True)


def test_an_op_that_does_not_declare_its_saves_refuses_double_backward():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match=r"ProdAll.*saved_as"):
        minigrad.autograd.grad(x.prod(), x, create_graph=True)


# --- custom Functions -------------------------------------------------------------------------


def _cube(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    return Cube


def test_a_function_with_a_differentiable_backward_supports_double_backward():
    results = []
    for lib in LIBS:
        x = lib.tensor([0.5, -2.0], dtype=lib.float64, requires_grad=True)
        y = _cube(lib).apply(x).sin().sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        results.append((g.detach().numpy(), h.numpy()))
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b)


class ExpSavingOutput(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


def test_a_function_that_saves_its_output_is_reconnected():
    x = minigrad.tensor([0.5, -1.0], dtype=minigrad.float64, requires_grad=True)
    (g,) = minigrad.autograd.grad(ExpSavingOutput.apply(x).sum(), x, create_graph=True)
    (h,) = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), np.exp([0.5, -1.0]))


class OnceCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


def test_once_differentiable_gives_a_first_derivative_and_refuses_a_second():
    x = minigrad.tensor([0.5, -2.0], requires_grad=True)
    (g,) = minigrad.autograd.grad(OnceCube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * np.array([0.5, -2.0]) ** 2)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()
    y = OnceCube.apply(x).sum()  # torch's behaviour too
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.array([0.5, -2.0]) ** 2)


def test_torch_raises_for_once_differentiable_too():
    class TorchOnce(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    x = torch.tensor([0.5, -2.0], requires_grad=True)
    (g,) = torch.autograd.grad(TorchOnce.apply(x).sin().sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


@pytest.mark.parametrize(
    "loss",
    [
        lambda F, x, t: F.mse_loss(x, t),
        lambda F, x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid()),
    ],
    ids=["mse_loss", "bce_with_logits"],
)
def test_losses_whose_backward_is_on_arrays_refuse_double_backward_clearly(loss):
    x = minigrad.tensor([0.5, -2.0], requires_grad=True)
    t = minigrad.tensor([1.0, 0.0])
    (g,) = minigrad.autograd.grad(loss(minigrad.nn.functional, x, t), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


def test_a_rule_with_an_unrecordable_numpy_call_raises_a_type_error():
    x = minigrad.tensor([0.5, 1.0], requires_grad=True)
    with pytest.raises(TypeError, match="cannot record"):
        minigrad.autograd.grad(minigrad.nn.functional.gelu(x).sum(), x, create_graph=True)
