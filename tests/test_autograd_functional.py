"""``minigrad.autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp) against torch's,
with the same signatures and the same nesting of results, for one and several inputs and
outputs, float64 and float32, at random points (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad

LIBS = (minigrad, torch)


def _np(x):
    if isinstance(x, (tuple, list)):
        return [_np(e) for e in x]
    return x.detach().numpy()


def _same(a, b, dtype):
    tol = dict(rtol=1e-9, atol=1e-11) if dtype == np.float64 else dict(rtol=2e-4, atol=2e-5)
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y, dtype)
        return
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, **tol)


def f_one(L, x):
    return (x.sin() * x.exp()).sum(0) + x[0] ** 3


def f_two(L, x, w):
    return (x @ w).tanh(), (x * x).sum()


def f_scalar(L, x):
    return (x.exp() * x.cos()).sum() + (x @ x) ** 2


def f_scalar_two(L, x, w):
    return ((x @ w).sigmoid() ** 2).sum() + (w * w).sum() * x.sum()


def _args(L, arrays, dtype):
    return tuple(L.tensor(a.astype(dtype)) for a in arrays)


def _both(call, fn, arrays, dtype, *extra):
    out = []
    for L in LIBS:
        args = _args(L, arrays, dtype)
        ex = [_args(L, e, dtype) if isinstance(e, list) else e for e in extra]
        f = lambda *xs, L=L: fn(L, *xs)  # noqa: E731
        single = len(args) == 1
        res = call(
            L,
            f,
            args[0] if single else args,
            *[e[0] if single and isinstance(e, tuple) else e for e in ex],
        )
        out.append(_np(res))
    return out


DTYPES = st.sampled_from([np.float64, np.float32])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), dtype=DTYPES, n=st.integers(1, 4))
def test_jacobian(seed, dtype, n):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    w = rng.standard_normal((3, 2))
    a, b = _both(lambda L, f, xs: L.autograd.functional.jacobian(f, xs), f_one, [x], dtype)
    _same(a, b, dtype)
    a, b = _both(lambda L, f, xs: L.autograd.functional.jacobian(f, xs), f_two, [x, w], dtype)
    _same(a, b, dtype)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), dtype=DTYPES)
def test_hessian(seed, dtype):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, 3)
    w = rng.standard_normal((3, 2))
    a, b = _both(lambda L, f, xs: L.autograd.functional.hessian(f, xs), f_scalar, [x], dtype)
    _same(a, b, dtype)
    a, b = _both(lambda L, f, xs: L.autograd.functional.hessian(f, xs), f_scalar_two, [x, w], dtype)
    _same(a, b, dtype)


@pytest.mark.parametrize("name", ["vjp", "jvp"])
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), dtype=DTYPES)
def test_vjp_and_jvp(name, seed, dtype):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3))
    w = rng.standard_normal((3, 2))
    if name == "vjp":
        v = [rng.standard_normal((2, 2)), rng.standard_normal(())]
    else:
        v = [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))]
    call = lambda L, f, xs, v: getattr(L.autograd.functional, name)(f, xs, v)  # noqa: E731
    a, b = _both(call, f_two, [x, w], dtype, v)
    _same(a, b, dtype)
    v1 = [rng.standard_normal(3)] if name == "vjp" else [rng.standard_normal((2, 3))]
    a, b = _both(call, f_one, [x], dtype, v1)
    _same(a, b, dtype)


@pytest.mark.parametrize("name", ["hvp", "vhp"])
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), dtype=DTYPES)
def test_hvp_and_vhp(name, seed, dtype):
    rng = np.random.default_rng(seed)
    x, w = rng.uniform(-1, 1, 3), rng.standard_normal((3, 2))
    v = [rng.standard_normal(3), rng.standard_normal((3, 2))]
    call = lambda L, f, xs, v: getattr(L.autograd.functional, name)(f, xs, v)  # noqa: E731
    a, b = _both(call, f_scalar_two, [x, w], dtype, v)
    _same(a, b, dtype)
    a, b = _both(call, f_scalar, [x], dtype, [rng.standard_normal(3)])
    _same(a, b, dtype)


def test_create_graph_keeps_the_result_differentiable():
    outs = []
    for L in LIBS:
        x = L.tensor([0.3, -0.7], dtype=L.float64, requires_grad=True)
        h = L.autograd.functional.hessian(
            lambda t, L=L: (t.sin() * t.exp()).sum(), x, create_graph=True
        )
        h.sum().backward()
        outs.append(x.grad.numpy())
    np.testing.assert_allclose(*outs)


def test_results_are_detached_without_create_graph():
    x = minigrad.tensor([0.3, -0.7], requires_grad=True)
    out, g = minigrad.autograd.functional.vjp(lambda t: t.exp().sum(), x)
    assert not out.requires_grad and not g.requires_grad


def test_v_may_be_omitted_only_for_a_single_element():
    x = minigrad.tensor([0.3, -0.7])
    with pytest.raises(RuntimeError, match="single element"):
        minigrad.autograd.functional.vjp(lambda t: t.exp(), x)
    with pytest.raises(RuntimeError, match="shape"):
        minigrad.autograd.functional.vjp(lambda t: t.exp(), x, minigrad.tensor([1.0]))


def test_strict_refuses_an_unused_input_and_non_strict_gives_zeros():
    for L in LIBS:
        x, y = L.tensor([1.0, 2.0]), L.tensor([3.0])
        j = L.autograd.functional.jacobian(lambda a, b: a * 2, (x, y))
        np.testing.assert_array_equal(j[1].numpy(), np.zeros((2, 1)))
        with pytest.raises(RuntimeError, match="independent of input"):
            L.autograd.functional.jacobian(lambda a, b: a * 2, (x, y), strict=True)


def test_hessian_needs_a_scalar_function():
    with pytest.raises(RuntimeError, match="single element"):
        minigrad.autograd.functional.hessian(lambda t: t * t, minigrad.tensor([1.0, 2.0]))
