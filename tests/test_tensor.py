"""minigrad.Tensor against torch: forward values and gradients of every op, with random
shapes (broadcasting and 0-d included), float32 and float64; dtype rules; indexing; in-place
ops; gradcheck on every op."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.autograd import gradcheck

SETTINGS = settings(max_examples=25, deadline=None)
DTYPES = {"float32": (np.float32, 1e-5), "float64": (np.float64, 1e-10)}


def run_both(fn, arrays, grad_seed=0):
    """Run fn(lib, *tensors) with torch and minigrad on the same arrays; backward with the same
    random upstream gradient. Returns ((y_torch, grads_torch), (y_mg, grads_mg))."""
    results = []
    for lib in (torch, minigrad):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(lib, *ts)
        g = np.random.default_rng(grad_seed).standard_normal(y.shape).astype(arrays[0].dtype)
        y.backward(lib.tensor(g))
        grads = [None if t.grad is None else t.grad.numpy() for t in ts]
        results.append((y.detach().numpy(), grads))
    return results


def assert_same(fn, arrays, rtol):
    """Forward and gradients equal torch's, dtypes included."""
    (yt, gt), (ym, gm) = run_both(fn, arrays)
    assert ym.dtype == yt.dtype, (ym.dtype, yt.dtype)
    assert ym.shape == yt.shape
    np.testing.assert_allclose(ym, yt, rtol=rtol, atol=rtol)
    for a, b in zip(gt, gm, strict=True):
        assert b is not None and b.dtype == a.dtype and b.shape == a.shape
        np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol)


def rand(shape, dtype, seed, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
pair_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
dtype_names = st.sampled_from(sorted(DTYPES))
seeds = st.integers(0, 2**31 - 1)

# (name, function of (lib, x), input range): torch's spelling runs with both libraries.
UNARY_OPS = {
    "exp": (lambda L, x: x.exp(), (-2, 2)),
    "exp2": (lambda L, x: L.exp2(x), (-2, 2)),
    "log": (lambda L, x: x.log(), (0.1, 3)),
    "sqrt": (lambda L, x: L.sqrt(x), (0.1, 3)),
    "sin": (lambda L, x: x.sin(), (-3, 3)),
    "cos": (lambda L, x: L.cos(x), (-3, 3)),
    "tanh": (lambda L, x: x.tanh(), (-3, 3)),
    "sigmoid": (lambda L, x: L.sigmoid(x), (-5, 5)),
    "relu": (lambda L, x: x.relu(), (-2, 2)),
    "abs": (lambda L, x: abs(x), (-2, 2)),
    "neg": (lambda L, x: -x, (-2, 2)),
    "square_pow": (lambda L, x: x**2, (-2, 2)),
    "rpow": (lambda L, x: 3.0**x, (-2, 2)),
    "reciprocal": (lambda L, x: 1 / x, (0.5, 2)),
}


@SETTINGS
@given(st.sampled_from(sorted(UNARY_OPS)), shapes, dtype_names, seeds)
def test_unary_ops_match_torch(name, shape, dtype_name, seed):
    fn, (lo, hi) = UNARY_OPS[name]
    dtype, rtol = DTYPES[dtype_name]
    assert_same(fn, [rand(shape, dtype, seed, lo, hi)], rtol)


BINARY_OPS = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "pow": lambda L, a, b: a.abs() ** b,
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "mixed": lambda L, a, b: (2.0 * a - b / 3.0 + 1.5) * (1 - b),
}


@SETTINGS
@given(st.sampled_from(sorted(BINARY_OPS)), pair_shapes, dtype_names, seeds)
def test_binary_ops_broadcast_like_torch(name, shape_pair, dtype_name, seed):
    dtype, rtol = DTYPES[dtype_name]
    sa, sb = shape_pair.input_shapes
    a = rand(sa, dtype, seed, 0.5, 2.0)
    b = rand(sb, dtype, seed + 1, 0.5, 2.0) * np.where(rand(sb, dtype, seed + 2) > 0, 1, -1)
    assert_same(BINARY_OPS[name], [a, b.astype(dtype)], rtol * 10)


@SETTINGS
@given(shapes, dtype_names, seeds, st.data())
def test_reductions_with_dim_and_keepdim_match_torch(shape, dtype_name, seed, data):
    dtype, rtol = DTYPES[dtype_name]
    x = rand(shape, dtype, seed)
    ndim = max(len(shape), 1)
    dim = data.draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    assert_same(lambda L, t: t.sum(dim=dim, keepdim=keepdim) * 2, [x], rtol)
    assert_same(lambda L, t: t.mean(dim=dim, keepdim=keepdim), [x], rtol)
    if dim is not None:
        assert_same(lambda L, t: t.max(dim=dim, keepdim=keepdim).values, [x], rtol)
        assert_same(lambda L, t: t.min(dim, keepdim).values, [x], rtol)
        assert_same(lambda L, t: t.softmax(dim=dim), [x], rtol)
        assert_same(lambda L, t: L.log_softmax(t, dim), [x], rtol)
    else:
        assert_same(lambda L, t: t.max(), [x], rtol)


def test_sum_over_several_dims_matches_torch():
    x = rand((2, 3, 4), np.float64, 0)
    assert_same(lambda L, t: t.sum(dim=(0, 2)), [x], 1e-12)
    assert_same(lambda L, t: t.mean(dim=(-1, 0), keepdim=True), [x], 1e-12)


def test_max_splits_the_gradient_over_ties_and_max_dim_picks_the_index():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    assert_same(lambda L, t: t.max(), [x], 1e-12)
    (_yt, gt), (_ym, gm) = run_both(lambda L, t: t.max(dim=1).values, [x])
    np.testing.assert_array_equal(gm[0] != 0, gt[0] != 0)
    _values, indices = minigrad.tensor(x).max(dim=1)
    np.testing.assert_array_equal(indices.numpy(), torch.tensor(x).max(dim=1).indices.numpy())


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
                 ((1, 2, 3), (4, 3, 2)), ((4,), (2, 4, 3))]  # fmt: skip


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
def test_matmul_matches_torch_for_1d_2d_and_batched(sa, sb, dtype_name):
    dtype, rtol = DTYPES[dtype_name]
    a, b = rand(sa, dtype, 1), rand(sb, dtype, 2)
    assert_same(lambda L, x, y: x @ y, [a, b], rtol * 10)
    assert_same(lambda L, x, y: L.matmul(x, y), [a, b], rtol * 10)


def test_mm_dot_t_and_linear_match_torch():
    a, b, v = rand((2, 3), np.float64, 0), rand((3, 4), np.float64, 1), rand((3,), np.float64, 2)
    assert_same(lambda L, x, y: L.mm(x, y) + x.mm(y), [a, b], 1e-12)
    assert_same(lambda L, x, y: L.dot(x, y) * x.dot(y), [v, v + 1], 1e-12)
    assert_same(lambda L, x, y: (y.t() @ x.T).t(), [a, b], 1e-12)
    w, bias = rand((4, 3), np.float64, 3), rand((4,), np.float64, 4)
    for x in (a, v):  # 2-D input: one AddmmBackward0 node; 1-D input: matmul + add
        assert_same(linear_in, [x, w, bias], 1e-12)


def linear_in(lib, x, w, b):
    """torch.nn.functional.linear or minigrad's own linear."""
    if lib is torch:
        return torch.nn.functional.linear(x, w, b)
    from minigrad.nn.functional import linear

    return linear(x, w, b)


SHAPE_OPS = {
    "reshape": lambda L, x: x.reshape(4, 6) * 2,
    "view": lambda L, x: x.view(-1) * 2,
    "transpose": lambda L, x: x.transpose(0, 2) * 2,
    "permute": lambda L, x: x.permute(2, 0, 1) * 2,
    "T": lambda L, x: x.reshape(6, 4).T @ L.ones(6, 2, dtype=x.dtype),
    "unsqueeze": lambda L, x: x.unsqueeze(1) * L.ones(2, 5, 3, 4, dtype=x.dtype),
    "squeeze": lambda L, x: x[:, :1].squeeze(1) * 2,
    "squeeze_all": lambda L, x: x[:1, :, :1].squeeze() * 2,
    "expand": lambda L, x: x[:, :1, :].expand(2, 3, 4) * 3,
    "flatten": lambda L, x: x.flatten(1) * 2,
    "slice": lambda L, x: x[1:, ::2, -1] * 2,
    "int": lambda L, x: x[0] * x[1],
    "int_array_with_repeats": lambda L, x: x[L.tensor([0, 1, 0])] * 2,
    "two_int_arrays": lambda L, x: x[L.tensor([0, 1, 1]), L.tensor([2, 0, 2])] * 2,
    "list_index": lambda L, x: x[:, [0, 0, 2]] * 2,
    "bool_mask": lambda L, x: x[x > 0] * 2,
    "ellipsis_none": lambda L, x: x[..., None, 1] * 2,
    "cat": lambda L, x: L.cat([x, x * 2, x[:1]], dim=0),
    "stack": lambda L, x: L.stack([x, x * 3], dim=1),
    "where": lambda L, x: L.where(x > 0, x, x * x),
    "clone": lambda L, x: x.clone() * x,
    "to": lambda L, x: x.to(L.float32).to(L.float64) * 2,
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_and_indexing_ops_match_torch(name):
    x = rand((2, 3, 4), np.float64, 0)
    assert_same(SHAPE_OPS[name], [x], 1e-12)


# gradcheck: every differentiable op of the Tensor, in float64 (positive inputs where needed).
GRADCHECK_OPS = {
    **{f"unary:{n}": (fn, (lo, hi)) for n, (fn, (lo, hi)) in UNARY_OPS.items() if n != "relu"},
    "relu": (lambda L, x: x.relu(), (0.1, 2)),
    **{f"binary:{n}": (lambda L, x, f=f: f(L, x, x[0] + 1.0), (0.5, 2))
       for n, f in BINARY_OPS.items()},
    **{f"shape:{n}": (lambda L, x, f=f: f(L, x), (-2, 2)) for n, f in SHAPE_OPS.items()
       if n != "to"},  # a round trip through float32 loses what the check measures
    "sum_dim": (lambda L, x: x.sum(1), (-2, 2)),
    "mean_keepdim": (lambda L, x: x.mean(0, keepdim=True), (-2, 2)),
    "max_dim": (lambda L, x: x.max(1).values, (-2, 2)),
    "softmax": (lambda L, x: x.softmax(1), (-2, 2)),
    "log_softmax": (lambda L, x: x.log_softmax(0), (-2, 2)),
    "matmul": (lambda L, x: x.reshape(4, 6) @ x.reshape(6, 4), (-2, 2)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(GRADCHECK_OPS))
def test_gradcheck_passes_on_every_op(name):
    fn, (lo, hi) = GRADCHECK_OPS[name]
    shape = (2, 3, 4) if name.startswith("shape:") else (4, 6) if name == "matmul" else (3, 4)
    size = int(np.prod(shape))
    x = minigrad.tensor(rand((size,), np.float64, 7, lo, hi), requires_grad=True)
    assert gradcheck(lambda t: fn(minigrad, t.reshape(shape)), (x,))


# --- dtypes ---------------------------------------------------------------------------------


DTYPE_CASES = [
    lambda L: L.tensor([1.0, 2.0]),
    lambda L: L.tensor([1, 2]),
    lambda L: L.tensor(3.5),
    lambda L: L.tensor([True, False]),
    lambda L: L.tensor(np.array([1.0], dtype=np.float64)),
    lambda L: L.tensor([1, 2]) * 2.5,
    lambda L: L.tensor([1, 2]) * 2,
    lambda L: L.tensor([1, 2]) / L.tensor([2, 2]),
    lambda L: L.tensor([1.0, 2.0]) * L.tensor([1.0], dtype=L.float64),
    lambda L: L.tensor([1.0, 2.0]) * L.tensor(2.0, dtype=L.float64),
    lambda L: L.tensor([1, 2]) + L.tensor(2.0, dtype=L.float64),
    lambda L: L.tensor([1, 2]) + L.tensor([0.5, 1.5]),
    lambda L: L.tensor([1.0, 2.0], dtype=L.float64) + 1,
    lambda L: L.tensor([1, 2]).sum(),
    lambda L: L.tensor([1, 2]).exp(),
    lambda L: L.tensor([1.0, 2.0]) ** 2,
    lambda L: 2 ** L.tensor([1.0, 2.0]),
    lambda L: L.zeros(2, 3),
    lambda L: L.ones((2,), dtype=L.float64),
    lambda L: L.arange(5),
    lambda L: L.arange(0, 1, 0.25),
    lambda L: L.zeros_like(L.tensor([1, 2])),
    lambda L: L.randn(3),
    lambda L: L.rand(2, 2, dtype=L.float64),
    lambda L: L.full((2,), 1.5),
    lambda L: L.eye(2),
    lambda L: L.tensor([1.0]).double(),
    lambda L: L.tensor([1.5]).long(),
]


@pytest.mark.parametrize("case", range(len(DTYPE_CASES)))
def test_dtypes_follow_torch(case):
    fn = DTYPE_CASES[case]
    t, m = fn(torch), fn(minigrad)
    assert m.dtype == np.dtype(str(t.dtype).replace("torch.", "")), (m.dtype, t.dtype)
    assert m.shape == tuple(t.shape)
    if case not in (22, 23):  # random values differ between the libraries
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6)


def test_matmul_of_mixed_dtypes_is_refused_like_torch():
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError, match="same dtype"):
            lib.ones(2, 2) @ lib.ones(2, 2, dtype=lib.float64)


def test_float32_stays_float32_through_ops_and_grads():
    x = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = ((x * 0.1 + 2) ** 2 / 3.0).exp2().sigmoid().log_softmax(0).sum()
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_from_numpy_and_numpy_share_memory_like_torch():
    a = np.zeros(3)
    t = minigrad.from_numpy(a)
    a[0] = 5.0
    assert t[0].item() == 5.0
    t.numpy()[1] = 7.0
    assert a[1] == 7.0
    assert t.dtype == np.float64
    c = minigrad.tensor(a)
    a[2] = 1.0
    assert c[2].item() == 0.0  # tensor() copies


# --- in-place ops ---------------------------------------------------------------------------


def test_sgd_update_in_place_under_no_grad_matches_torch():
    results = []
    for lib in (torch, minigrad):
        w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        b = lib.tensor(0.5, requires_grad=True)
        for _ in range(3):
            loss = ((w * 2 + b) ** 2).sum()
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
                b.add_(b.grad, alpha=-0.1)
                w.grad.zero_()
                b.grad.fill_(0.0)
        with lib.no_grad():
            w.mul_(2)
            w += 1
            w /= 4
            b.copy_(lib.tensor(9.0))
        results.append((w.detach().numpy().copy(), b.item(), w.is_leaf, w.requires_grad))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    assert results[1][1:] == results[0][1:]


def test_data_shares_storage_and_in_place_ops_on_it_bypass_autograd():
    for lib in (torch, minigrad):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        w.data -= 0.5
        w.data.mul_(2)
        np.testing.assert_allclose(w.detach().numpy(), [1.0, 3.0])
        assert w.requires_grad and w.is_leaf and not w.data.requires_grad


def test_in_place_on_non_leaf_is_recorded():
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y += x**2
        y *= 3
        y.sum().backward()
        results.append(x.grad.numpy().copy())
    np.testing.assert_allclose(results[1], results[0])


def test_setitem_writes_in_place_when_no_grad_is_recorded():
    t = minigrad.zeros(2, 3)
    t[0, 1] = 4.0
    t[1] = minigrad.tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(t.numpy(), [[0, 4, 0], [1, 2, 3]])


def test_repr_looks_like_torch():
    assert repr(minigrad.tensor([1.0, 2.0])) == repr(torch.tensor([1.0, 2.0]))
    assert repr(minigrad.tensor([1, 2])) == repr(torch.tensor([1, 2]))
    x = minigrad.tensor(2.0, requires_grad=True)
    assert repr(x) == "tensor(2., requires_grad=True)"
    assert repr(x * 3) == "tensor(6., grad_fn=<MulBackward0>)"


def test_python_number_conversions_and_errors():
    t = minigrad.tensor([[1.5]])
    assert float(t) == 1.5 and t.item() == 1.5 and t.tolist() == [[1.5]]
    assert int(minigrad.tensor(3)) == 3 and bool(minigrad.tensor(1.0))
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        minigrad.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(minigrad.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        minigrad.tensor([1.0], requires_grad=True).numpy()
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        minigrad.zeros(2, 3).reshape(4, 2)


def test_numpy_arrays_on_the_left_defer_to_the_tensor():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, minigrad.Tensor) and y.grad_fn.name() == "MulBackward0"


EDGE_CASES = {
    "relu_at_0": (lambda L, x: x.relu(), [0.0, -0.0, -1.0, 2.0]),
    "abs_at_0": (lambda L, x: x.abs(), [0.0, -1.0, 2.0]),
    "sqrt_at_0_and_negative": (lambda L, x: x.sqrt(), [0.0, -1.0, 4.0]),
    "log_at_0_and_negative": (lambda L, x: x.log(), [0.0, -1.0, 1.0]),
    "pow_0_at_0": (lambda L, x: x**0, [0.0, -2.0, 3.0]),
    "pow_2_at_negative": (lambda L, x: x**2, [0.0, -2.0, 3.0]),
    "tensor_exponent_negative_base": (lambda L, x: L.tensor(-2.0, dtype=x.dtype) ** x, [1.0, 2.0]),
    "sigmoid_saturates": (lambda L, x: x.sigmoid(), [-800.0, 0.0, 800.0]),
    "max_ties": (lambda L, x: x.max(), [1.0, 3.0, 3.0, -1.0]),
    "maximum_ties": (lambda L, x: L.maximum(x, L.ones_like(x)), [1.0, 0.0, 2.0]),
    "div_by_0": (lambda L, x: 1.0 / x, [0.0, -0.0, 2.0]),
    "log_softmax_large_logits": (lambda L, x: x.log_softmax(0), [1000.0, 0.0, -1000.0]),
    "softmax_large_logits": (lambda L, x: x.softmax(0), [1000.0, 0.0, -1000.0]),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
def test_special_points_follow_torch(name, dtype_name):
    fn, values = EDGE_CASES[name]
    dtype, rtol = DTYPES[dtype_name]
    x = np.array(values, dtype=dtype)
    results = []
    for lib in (torch, minigrad):
        t = lib.tensor(x, requires_grad=True)
        y = fn(lib, t)
        y.backward(lib.ones_like(y))
        results.append((y.detach().numpy(), t.grad.numpy()))
    for got, want in zip(results[1], results[0], strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=rtol, atol=0, equal_nan=True)
