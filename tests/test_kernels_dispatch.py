"""The Tensor runs its elementwise ops through minigrad.kernels, reachable where torch's are.

Contract between minigrad.kernels and minigrad.tensor: every kernel is an op of the Tensor,
spelled as torch spells it (``minigrad.erf(x)`` where torch has ``torch.erf``, ``x.erf()`` where
torch has ``Tensor.erf``, ``minigrad.nn.functional.gelu`` where torch has only ``F.gelu``), its
numbers are the kernel's own, and every elementwise op of the Tensor comes from the table.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import minigrad
import minigrad.nn.functional as mF
from minigrad import kernels

UNARY = sorted(kernels.UNARY_KERNELS)
BINARY = sorted(kernels.BINARY_KERNELS)

# torch's elementwise ops (those that take only tensors); any the Tensor offers must be kernels.
TORCH_ELEMENTWISE = """
    abs absolute acos arccos acosh arccosh asin arcsin asinh arcsinh atan arctan atanh arctanh
    ceil cos cosh deg2rad digamma erf erfc erfinv exp exp2 expm1 fix floor frac i0 lgamma log
    log10 log1p log2 logit nan_to_num neg negative rad2deg reciprocal relu round rsqrt sigmoid
    sign sgn sin sinc sinh sqrt square tan tanh trunc
    add sub subtract mul multiply div divide true_divide pow float_power maximum minimum fmax
    fmin atan2 arctan2 fmod remainder hypot logaddexp logaddexp2 xlogy copysign
    softplus gelu silu elu selu celu mish softsign logsigmoid hardtanh hardswish hardsigmoid
""".split()
ALIASES = {"negative": "neg", "subtract": "sub", "multiply": "mul", "divide": "div"}
ALIASES |= {"true_divide": "div", "absolute": "abs"}


def spellings(name):
    """Where a torch user finds op `name`, paired with minigrad's place for the same spelling."""
    places = []
    if hasattr(torch, name):
        places.append((f"minigrad.{name}", getattr(minigrad, name, None)))
    if hasattr(torch.Tensor, name):
        places.append((f"minigrad.Tensor.{name}", getattr(minigrad.Tensor, name, None)))
    if hasattr(F, name):
        places.append((f"minigrad.nn.functional.{name}", getattr(mF, name, None)))
    return places


def inputs(name, shape=(3, 4)):
    """float64 points inside the op's smooth domain, and an upstream gradient."""
    rng = np.random.default_rng(0)
    lo, hi = kernels.KERNEL_DOCS[name].domain
    return rng.uniform(lo, hi, shape), rng.normal(size=shape)


@pytest.mark.parametrize("name", UNARY + BINARY)
def test_every_kernel_is_reachable_where_torch_has_it(name):
    places = spellings(name)
    assert places, f"torch has no op called {name!r}: rename the kernel after torch's op"
    missing = [where for where, fn in places if fn is None]
    assert not missing, f"kernel {name!r} is not reachable as {missing} (torch users call it so)"


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_compute_the_kernels_numbers(name):
    kernel = kernels.UNARY_KERNELS[name]
    x, dy = inputs(name)
    y_k = kernel.forward(x)
    dx_k = kernel.backward(dy, x if kernel.saves == "x" else y_k)
    for where, fn in spellings(name):
        if fn is None:
            continue  # reported by the reachability test
        t = minigrad.tensor(x, requires_grad=True)
        y = fn(t)
        y.backward(minigrad.tensor(dy))
        np.testing.assert_array_equal(y.detach().numpy(), y_k, err_msg=where)
        np.testing.assert_array_equal(t.grad.numpy(), dx_k, err_msg=where)
        assert y.dtype == np.float64, where


BINARY_OPERATORS = {"add": "__add__", "sub": "__sub__", "mul": "__mul__", "div": "__truediv__"}
BINARY_OPERATORS |= {"pow": "__pow__"}


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_compute_the_kernels_numbers_with_broadcasting(name):
    kernel = kernels.BINARY_KERNELS[name]
    a, dy = inputs(name, (3, 4))
    b, _ = inputs(name, (4,))
    y_k = kernel.forward(a, b)
    da_k = kernels.unbroadcast(kernel.backward_lhs(dy, a, b, y_k), a.shape)
    db_k = kernels.unbroadcast(kernel.backward_rhs(dy, a, b, y_k), b.shape)
    calls = [(where, fn) for where, fn in spellings(name) if fn is not None]
    if name in BINARY_OPERATORS:
        calls.append((BINARY_OPERATORS[name], getattr(minigrad.Tensor, BINARY_OPERATORS[name])))
    for where, fn in calls:
        ta = minigrad.tensor(a, requires_grad=True)
        tb = minigrad.tensor(b, requires_grad=True)
        y = fn(ta, tb)
        y.backward(minigrad.tensor(dy))
        np.testing.assert_array_equal(y.detach().numpy(), y_k, err_msg=where)
        np.testing.assert_array_equal(ta.grad.numpy(), da_k, err_msg=where)
        np.testing.assert_array_equal(tb.grad.numpy(), db_k, err_msg=where)


@pytest.mark.parametrize("name", ["exp", "erf", "tanh"])
def test_the_forward_looks_the_table_up_at_call_time(name, monkeypatch):
    # The table is the code that runs: replacing an entry changes what the Tensor computes.
    original = kernels.UNARY_KERNELS[name]
    shifted = original._replace(forward=lambda x: original.forward(x) + 1)
    monkeypatch.setitem(kernels.UNARY_KERNELS, name, shifted)
    x, _ = inputs(name)
    y = getattr(minigrad, name)(minigrad.tensor(x))
    np.testing.assert_array_equal(y.numpy(), original.forward(x) + 1)


def test_every_elementwise_op_of_the_tensor_is_a_kernel():
    table = set(kernels.UNARY_KERNELS) | set(kernels.BINARY_KERNELS)
    offered = {n for n in TORCH_ELEMENTWISE if hasattr(minigrad.Tensor, n) or hasattr(minigrad, n)}
    outside = sorted(n for n in offered if ALIASES.get(n, n) not in table)
    assert not outside, f"elementwise ops of minigrad outside minigrad.kernels: {outside}"


@pytest.mark.parametrize("operator, name", [("__neg__", "neg"), ("__abs__", "abs")])
def test_unary_operators_use_the_kernels(operator, name):
    x, dy = inputs(name)
    t = minigrad.tensor(x, requires_grad=True)
    y = getattr(t, operator)()
    y.backward(minigrad.tensor(dy))
    kernel = kernels.UNARY_KERNELS[name]
    np.testing.assert_array_equal(y.detach().numpy(), kernel.forward(x))
    np.testing.assert_array_equal(t.grad.numpy(), kernel.backward(dy, x))


def reachable(name):
    """The op of kernel `name` where a torch user calls it (minigrad.X, else F.X)."""
    return next(fn for _, fn in spellings(name) if fn is not None)


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_pass_minigrads_gradcheck(name):
    x, _ = inputs(name)
    t = minigrad.tensor(x, requires_grad=True)
    assert minigrad.autograd.gradcheck(reachable(name), (t,))


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_pass_minigrads_gradcheck(name):
    a, _ = inputs(name, (3, 4))
    b, _ = inputs(name, (4,))
    ta = minigrad.tensor(a, requires_grad=True)
    tb = minigrad.tensor(b + 0.01, requires_grad=True)  # no exact ties for maximum / minimum
    assert minigrad.autograd.gradcheck(reachable(name), (ta, tb))
