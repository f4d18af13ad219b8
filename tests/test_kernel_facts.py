"""Every fact in an entry of the kernel table is checked: against what its functors do, and
against torch 2.13.

An entry states ``keeps_int`` (integers in, integers out), ``saves`` (what the backward reads:
the Tensor passes None for the rest) and ``warns`` (False: the forward is silent everywhere, so
the Tensor may skip silencing numpy). The Tensor op built from an entry must also be silent at
inf, nan and signed zeros, forward and backward, as torch is, and its node must carry torch's
name.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minigrad
import minigrad.autograd
import minigrad.ops.elementwise
from minigrad.kernels import BINARY_KERNELS, KERNEL_DOCS, UNARY_KERNELS, unbroadcast

UNARY = sorted(UNARY_KERNELS)
BINARY = sorted(BINARY_KERNELS)
QUIET_UNARY = [n for n in UNARY if not UNARY_KERNELS[n].warns]
QUIET_BINARY = [n for n in BINARY if not BINARY_KERNELS[n].warns]
SPECIAL = [math.inf, -math.inf, math.nan, 0.0, -0.0]
FLOATS = [np.float32, np.float64]


def _torch_fn(name: str):
    """torch's function for kernel ``name`` (``torch.exp``, ``F.gelu``, ...), or None."""
    fn = getattr(torch, name, None)
    if fn is None:
        fn = getattr(TF, name, None)
    return fn


def _unary(name: str, t: minigrad.Tensor) -> minigrad.Tensor:
    return minigrad.autograd.apply(minigrad.ops.elementwise.unary_op(name), t)


def _binary(name: str, a: minigrad.Tensor, b: minigrad.Tensor) -> minigrad.Tensor:
    return minigrad.autograd.apply(minigrad.ops.elementwise.binary_op(name), a, b)


def _dtype_name(dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _uniform(name: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """float64 samples from the kernel's domain (where it is smooth)."""
    low, high = KERNEL_DOCS[name].domain
    return np.random.default_rng(seed).uniform(low, high, shape)


def test_the_tables_have_their_entries():
    assert {"exp", "neg", "relu", "tanh", "sign"} <= set(UNARY)
    assert {"add", "mul", "div", "pow", "maximum"} <= set(BINARY)
    assert set(UNARY) | set(BINARY) <= set(KERNEL_DOCS)


# ------------------------------------------------------------------------------------------
# keeps_int
# ------------------------------------------------------------------------------------------

INT_A = [1, 2, 3]
INT_B = [2, 1, 3]


@pytest.mark.parametrize("name", UNARY)
def test_unary_keeps_int_is_what_the_functor_and_torch_do(name):
    kernel = UNARY_KERNELS[name]
    if kernel.keeps_int:
        out = np.asarray(kernel.forward(np.array(INT_A, dtype=np.int64)))
        assert out.dtype == np.int64, f"{name}: keeps_int=True but the functor gives {out.dtype}"
    got = _unary(name, minigrad.tensor(INT_A))
    if kernel.keeps_int:
        assert got.dtype == np.int64, f"{name}: keeps_int=True but the op gives {got.dtype}"
    else:
        assert got.dtype.kind == "f", f"{name}: keeps_int=False but the op gives {got.dtype}"
    fn = _torch_fn(name)
    if fn is None:
        pytest.skip(f"torch has no {name}")
    try:
        expected = fn(torch.tensor(INT_A))
    except (RuntimeError, NotImplementedError) as exc:
        pytest.skip(f"torch.{name} refuses int64: {exc}")
    assert _dtype_name(got.dtype) == _dtype_name(expected.dtype), (
        f"{name}(int64): minigrad gives {got.dtype} (keeps_int={kernel.keeps_int}), torch gives "
        f"{expected.dtype}"
    )
    np.testing.assert_allclose(got.numpy().astype(np.float64), expected.double().numpy(), 1e-6)


@pytest.mark.parametrize("name", BINARY)
def test_binary_keeps_int_is_what_the_functor_and_torch_do(name):
    kernel = BINARY_KERNELS[name]
    a, b = np.array(INT_A, dtype=np.int64), np.array(INT_B, dtype=np.int64)
    if kernel.keeps_int:
        out = np.asarray(kernel.forward(a, b))
        assert out.dtype == np.int64, f"{name}: keeps_int=True but the functor gives {out.dtype}"
    got = _binary(name, minigrad.tensor(INT_A), minigrad.tensor(INT_B))
    if kernel.keeps_int:
        assert got.dtype == np.int64, f"{name}: keeps_int=True but the op gives {got.dtype}"
    else:
        assert got.dtype.kind == "f", f"{name}: keeps_int=False but the op gives {got.dtype}"
    fn = _torch_fn(name)
    if fn is None:
        pytest.skip(f"torch has no {name}")
    try:
        expected = fn(torch.tensor(INT_A), torch.tensor(INT_B))
    except (RuntimeError, NotImplementedError) as exc:
        pytest.skip(f"torch.{name} refuses int64: {exc}")
    assert _dtype_name(got.dtype) == _dtype_name(expected.dtype), (
        f"{name}(int64, int64): minigrad gives {got.dtype} (keeps_int={kernel.keeps_int}), torch "
        f"gives {expected.dtype}"
    )
    np.testing.assert_allclose(got.numpy().astype(np.float64), expected.double().numpy(), 1e-6)


# ------------------------------------------------------------------------------------------
# saves: the backward reads only what the entry says
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", UNARY)
def test_unary_backward_reads_only_what_saves_names(name):
    kernel = UNARY_KERNELS[name]
    assert kernel.saves in ("x", "y", "")
    x = _uniform(name, (3, 4), seed=1)
    dy = np.random.default_rng(2).standard_normal((3, 4))
    saved = {"x": x, "y": kernel.forward(x), "": None}[kernel.saves]
    dx = np.asarray(kernel.backward(dy, saved))

    fn = _torch_fn(name)
    if fn is None:
        pytest.skip(f"torch has no {name}")
    xt = torch.tensor(x, requires_grad=True)
    fn(xt).backward(torch.tensor(dy))
    assert dx.shape == x.shape
    np.testing.assert_allclose(
        dx, xt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"{name}, saves={kernel.saves!r}"
    )


@pytest.mark.parametrize("name", BINARY)
def test_binary_backward_reads_only_what_saves_names(name):
    kernel = BINARY_KERNELS[name]
    assert set(kernel.saves) <= set("aby"), kernel.saves
    a = _uniform(name, (3, 4), seed=3)
    b = _uniform(name, (4,), seed=4)
    y = kernel.forward(a, b)
    dy = np.random.default_rng(5).standard_normal(y.shape)
    keep = {"a": a, "b": b, "y": y}
    A, B, Y = (keep[k] if k in kernel.saves else None for k in "aby")
    da = unbroadcast(kernel.backward_lhs(dy, A, B, Y), a.shape)
    db = unbroadcast(kernel.backward_rhs(dy, A, B, Y), b.shape)

    at = torch.tensor(a, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    _torch_fn(name)(at, bt).backward(torch.tensor(dy))
    message = f"{name}, saves={kernel.saves!r}"
    np.testing.assert_allclose(da, at.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=message)
    np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=message)


# ------------------------------------------------------------------------------------------
# warns: quiet kernels are quiet; every Tensor op is quiet where torch is
# ------------------------------------------------------------------------------------------


def _unary_points(name: str, dtype) -> list[np.ndarray]:
    return [np.array(SPECIAL, dtype=dtype), _uniform(name, (3, 4), seed=6).astype(dtype)]


def _binary_points(name: str, dtype) -> list[tuple[np.ndarray, np.ndarray]]:
    special = np.array(SPECIAL, dtype=dtype)
    n = len(special)
    every_pair = (np.repeat(special, n), np.tile(special, n))  # both orders of every pair
    a = _uniform(name, (3, 4), seed=7).astype(dtype)
    b = _uniform(name, (4,), seed=8).astype(dtype)
    return [every_pair, (a, b), (b, a)]


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("name", QUIET_UNARY)
def test_a_unary_kernel_declared_quiet_never_warns(name, dtype):
    forward = UNARY_KERNELS[name].forward
    for x in _unary_points(name, dtype):
        with warnings.catch_warnings(), np.errstate(over="ignore"):
            warnings.simplefilter("error")
            forward(x)


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("name", QUIET_BINARY)
def test_a_binary_kernel_declared_quiet_never_warns(name, dtype):
    forward = BINARY_KERNELS[name].forward
    for a, b in _binary_points(name, dtype):
        with warnings.catch_warnings(), np.errstate(over="ignore"):
            warnings.simplefilter("error")
            forward(a, b)


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("name", UNARY)
def test_every_unary_tensor_op_is_silent_at_special_points_forward_and_backward(name, dtype):
    for x in _unary_points(name, dtype):
        t = minigrad.tensor(x, requires_grad=True)
        with warnings.catch_warnings(), np.errstate(divide="warn", over="warn", invalid="warn"):
            warnings.simplefilter("error", RuntimeWarning)
            y = _unary(name, t)
            y.backward(minigrad.ones_like(y))
        assert t.grad is not None and t.grad.shape == t.shape


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("name", BINARY)
def test_every_binary_tensor_op_is_silent_at_special_points_forward_and_backward(name, dtype):
    for a, b in _binary_points(name, dtype):
        ta = minigrad.tensor(a, requires_grad=True)
        tb = minigrad.tensor(b, requires_grad=True)
        with warnings.catch_warnings(), np.errstate(divide="warn", over="warn", invalid="warn"):
            warnings.simplefilter("error", RuntimeWarning)
            y = _binary(name, ta, tb)
            y.backward(minigrad.ones_like(y))
        assert ta.grad.shape == ta.shape and tb.grad.shape == tb.shape


# ------------------------------------------------------------------------------------------
# Node names
# ------------------------------------------------------------------------------------------


def _node_names(name: str) -> tuple[str, str | None]:
    """(minigrad's node name, torch's) for kernel ``name`` on float64 inputs needing grad."""
    fn = _torch_fn(name)
    if name in UNARY_KERNELS:
        x = _uniform(name, (3,), seed=9)
        mine = _unary(name, minigrad.tensor(x, requires_grad=True)).grad_fn.name()
        theirs = None if fn is None else fn(torch.tensor(x, requires_grad=True)).grad_fn.name()
    else:
        a, b = _uniform(name, (3,), seed=10), _uniform(name, (3,), seed=11)
        ta, tb = minigrad.tensor(a, requires_grad=True), minigrad.tensor(b, requires_grad=True)
        mine = _binary(name, ta, tb).grad_fn.name()
        theirs = None
        if fn is not None:
            at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
            theirs = fn(at, bt).grad_fn.name()
    return mine, theirs


def _is_own_backward0(name: str, torch_name: str) -> bool:
    """torch names the node after the op itself: ``<Name>Backward0`` (``Log1PBackward0``)."""
    return torch_name.lower() == f"{name.replace('_', '')}backward0"


def test_every_kernel_s_node_is_named_as_torch_names_it():
    mismatched, other, missing = {}, {}, []
    for name in UNARY + BINARY:
        mine, theirs = _node_names(name)
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*Backward\d", mine), (name, mine)
        if theirs is None:
            missing.append(name)
        elif _is_own_backward0(name, theirs):
            if mine != theirs:
                mismatched[name] = (mine, theirs)
        elif mine != theirs:
            other[name] = (mine, theirs)
    print(f"torch has no op for: {missing}")
    print(f"torch names these after another op (minigrad, torch), not asserted: {other}")
    assert not mismatched, f"node names that differ from torch's (minigrad, torch): {mismatched}"
