"""minigrad is as strict as torch 2.13: what torch refuses, minigrad refuses (with the same
exception type), and the corners of Function, autograd.grad, the losses, dtypes and
reductions behave as torch's do. Every case runs in both libraries."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minigrad
import minigrad.nn.functional as MF

LIBS = [pytest.param(torch, id="torch"), pytest.param(minigrad, id="minigrad")]


def _np(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach().numpy())


def _dtype_name(dtype) -> str:
    """``torch.float32`` and ``np.dtype('float32')`` are both ``"float32"``."""
    return str(dtype).removeprefix("torch.")


# ------------------------------------------------------------------------------------------
# Factories: unknown keyword arguments and devices
# ------------------------------------------------------------------------------------------

FACTORIES = {
    "zeros": lambda lib, **kw: lib.zeros(2, 3, **kw),
    "ones": lambda lib, **kw: lib.ones(2, 3, **kw),
    "empty": lambda lib, **kw: lib.empty(2, 3, **kw),
    "randn": lambda lib, **kw: lib.randn(2, 3, **kw),
    "rand": lambda lib, **kw: lib.rand(2, 3, **kw),
    "full": lambda lib, **kw: lib.full((2, 3), 1.5, **kw),
    "arange": lambda lib, **kw: lib.arange(0, 5, **kw),
    "linspace": lambda lib, **kw: lib.linspace(0.0, 1.0, 5, **kw),
    "eye": lambda lib, **kw: lib.eye(3, **kw),
    "tensor": lambda lib, **kw: lib.tensor([1.0, 2.0], **kw),
    "zeros_like": lambda lib, **kw: lib.zeros_like(lib.tensor([1.0, 2.0]), **kw),
    "ones_like": lambda lib, **kw: lib.ones_like(lib.tensor([1.0, 2.0]), **kw),
    "randint": lambda lib, **kw: lib.randint(0, 5, (3,), **kw),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factories_reject_a_misspelt_keyword_with_a_type_error_as_torch_does(name):
    make = FACTORIES[name]
    with pytest.raises(TypeError):
        make(torch, requires_grd=True)
    with pytest.raises(TypeError, match="requires_grd"):
        make(minigrad, requires_grd=True)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factories_refuse_cuda_saying_minigrad_runs_on_the_cpu(name):
    with pytest.raises(RuntimeError, match=r"(?i)minigrad runs on the CPU"):
        FACTORIES[name](minigrad, device="cuda")


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factories_accept_the_cpu_device_and_give_torch_s_shape_and_dtype(name):
    made = FACTORIES[name](minigrad, device="cpu")
    expected = FACTORIES[name](torch, device="cpu")
    assert isinstance(made, minigrad.Tensor)
    assert tuple(made.shape) == tuple(expected.shape)
    assert _dtype_name(made.dtype) == _dtype_name(expected.dtype)


# ------------------------------------------------------------------------------------------
# Function: mark_dirty, several outputs
# ------------------------------------------------------------------------------------------


def _double_in_place(lib):
    class DoubleInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    return DoubleInPlace


def _dirty_case(lib):
    fn = _double_in_place(lib)
    leaf = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    x = leaf * 1
    y = fn.apply(x)
    return fn, leaf, x, y


def test_mark_dirty_returns_the_input_itself_rebased_onto_the_function_node():
    fn, leaf, x, y = _dirty_case(minigrad)
    _, leaf_t, x_t, y_t = _dirty_case(torch)
    assert y is x and y_t is x_t
    assert isinstance(x.grad_fn, fn.node), x.grad_fn
    assert x.grad_fn.name() == x_t.grad_fn.name() == "DoubleInPlaceBackward"
    np.testing.assert_array_equal(_np(x), _np(x_t))
    (y * y).sum().backward()
    (y_t * y_t).sum().backward()
    assert leaf.grad is not None
    np.testing.assert_allclose(_np(leaf.grad), _np(leaf_t.grad))


@pytest.mark.parametrize("lib", LIBS)
def test_mark_dirty_on_a_leaf_that_requires_grad_raises(lib):
    fn = _double_in_place(lib)
    leaf = lib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        fn.apply(leaf)


def _two_outputs(lib):
    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3

    return Two


@pytest.mark.parametrize(
    ("use", "expected"),
    [("b", 3.0), ("a+b", 5.0), ("a", 2.0)],
    ids=["only-b", "a-and-b", "only-a"],
)
def test_a_function_with_two_outputs_gets_each_output_s_gradient(use, expected):
    grads = []
    for lib in (torch, minigrad):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = _two_outputs(lib).apply(x)
        {"b": b, "a+b": a + b, "a": a}[use].sum().backward()
        grads.append(_np(x.grad))
    torch_grad, minigrad_grad = grads
    np.testing.assert_allclose(torch_grad, [expected, expected])
    np.testing.assert_allclose(minigrad_grad, torch_grad)


# ------------------------------------------------------------------------------------------
# autograd.grad
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lib", LIBS)
def test_grad_with_the_same_input_twice_returns_two_equal_gradients(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    got = lib.autograd.grad(y, [x, x])
    assert isinstance(got, tuple) and len(got) == 2
    np.testing.assert_allclose(_np(got[0]), [2.0, 4.0])
    np.testing.assert_allclose(_np(got[1]), [2.0, 4.0])


@pytest.mark.parametrize("lib", LIBS)
def test_grad_allow_unused_gives_none_in_the_unused_input_s_place(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    unused = lib.tensor([5.0], requires_grad=True)
    y = (x * x).sum()
    got = lib.autograd.grad(y, [unused, x, unused], allow_unused=True)
    assert isinstance(got, tuple) and len(got) == 3
    assert got[0] is None and got[2] is None
    np.testing.assert_allclose(_np(got[1]), [2.0, 4.0])


# ------------------------------------------------------------------------------------------
# Losses free what they saved
# ------------------------------------------------------------------------------------------

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((4, 3))
_TARGET = _RNG.standard_normal((4, 3))
_CLASSES = np.array([0, 2, 1, 2])
_PROBS = _RNG.random((4, 3))

LOSSES = {
    "mse_loss": lambda F, lib, x: F.mse_loss(x, lib.tensor(_TARGET)),
    "cross_entropy": lambda F, lib, x: F.cross_entropy(x, lib.tensor(_CLASSES)),
    "nll_loss": lambda F, lib, x: F.nll_loss(F.log_softmax(x, dim=-1), lib.tensor(_CLASSES)),
    "binary_cross_entropy_with_logits": lambda F, lib, x: F.binary_cross_entropy_with_logits(
        x, lib.tensor(_PROBS)
    ),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_loss_frees_what_it_saved_after_backward(name):
    x = minigrad.tensor(_X, requires_grad=True)
    loss = LOSSES[name](MF, minigrad, x)
    assert loss.grad_fn.saved_tensors  # saved until the backward has run
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        _ = loss.grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()

    x_t = torch.tensor(_X, requires_grad=True)
    loss_t = LOSSES[name](TF, torch, x_t)
    assert loss_t.grad_fn.name() == loss.grad_fn.name()
    loss_t.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss_t.backward()


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_second_backward_with_retain_graph_accumulates_torch_s_gradient(name):
    x = minigrad.tensor(_X, requires_grad=True)
    loss = LOSSES[name](MF, minigrad, x)
    loss.backward(retain_graph=True)
    assert loss.grad_fn.saved_tensors  # kept for the second backward
    loss.backward()

    x_t = torch.tensor(_X, requires_grad=True)
    loss_t = LOSSES[name](TF, torch, x_t)
    loss_t.backward(retain_graph=True)
    loss_t.backward()
    assert _dtype_name(x.grad.dtype) == _dtype_name(x_t.grad.dtype)
    np.testing.assert_allclose(_np(x.grad), _np(x_t.grad), rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------------------------------
# dtypes and reductions
# ------------------------------------------------------------------------------------------


def test_a_float32_leaf_in_a_float64_graph_gets_a_float32_gradient():
    grads = []
    for lib in (torch, minigrad):
        x32 = lib.tensor([1.0, 2.0], requires_grad=True)
        (x32 * lib.tensor([3.0, 4.0], dtype=lib.float64)).sum().backward()
        grads.append(x32.grad)
    torch_grad, minigrad_grad = grads
    assert _dtype_name(torch_grad.dtype) == "float32"
    assert _dtype_name(minigrad_grad.dtype) == _dtype_name(torch_grad.dtype)
    np.testing.assert_array_equal(_np(minigrad_grad), _np(torch_grad))


@pytest.mark.parametrize("keepdim", [False, True], ids=["keepdim=False", "keepdim=True"])
@pytest.mark.parametrize("dim", [(), []], ids=["dim=()", "dim=[]"])
@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("form", ["method", "function"])
def test_an_empty_dim_reduces_every_dimension_as_in_torch(form, op, dim, keepdim):
    data = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor(data, requires_grad=True)
        if form == "method":
            y = getattr(x, op)(dim=dim, keepdim=keepdim)
        else:
            y = getattr(lib, op)(x, dim=dim, keepdim=keepdim)
        y.sum().backward()
        results.append((tuple(y.shape), _np(y), _np(x.grad)))
    (t_shape, t_value, t_grad), (m_shape, m_value, m_grad) = results
    assert m_shape == t_shape
    np.testing.assert_allclose(m_value, t_value)
    np.testing.assert_allclose(m_grad, t_grad)
