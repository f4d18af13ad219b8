"""minigrad.nn.functional against torch.nn.functional: values and gradients, extreme logits."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
import minigrad.nn.functional as F

DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}
# float64 must agree to rounding; float32 to a few ulps of the result.
TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}

shapes_2d = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6)
any_shape = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


def pair(x: np.ndarray, requires_grad: bool = True):
    """The same data as a minigrad tensor and a torch tensor, both leaves."""
    return (
        minigrad.tensor(x.copy(), requires_grad=requires_grad),
        torch.tensor(x.copy(), requires_grad=requires_grad),
    )


def check(ours, theirs, tol) -> None:
    """Assert a minigrad tensor holds torch's values (and dtype)."""
    assert ours.detach().numpy().dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    torch.testing.assert_close(
        torch.from_numpy(np.asarray(ours.detach().numpy())), theirs.detach(), **tol
    )


def backward_both(out, t_out, rng) -> None:
    """Backpropagate the same random upstream gradient through both outputs."""
    g = rng.standard_normal(t_out.shape).astype(out.detach().numpy().dtype)
    out.backward(minigrad.tensor(g))
    t_out.backward(torch.tensor(g))


def logits(rng, shape, dtype, scale):
    """Random logits; ``scale`` pushes them to the extremes where naive formulas overflow."""
    return (rng.standard_normal(shape) * scale).astype(dtype)


scales = st.sampled_from([1.0, 30.0, 1e3, 1e6])


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=25, deadline=None)
@given(shape=any_shape, seed=st.integers(0, 2**32 - 1))
def test_relu(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(DTYPES[dtype][0])
    x.flat[0] = 0.0  # relu's gradient at 0 is 0, as in torch
    a, b = pair(x)
    out, t_out = F.relu(a), TF.relu(b)
    check(out, t_out, TOL[dtype])
    backward_both(out, t_out, rng)
    check(a.grad, b.grad, TOL[dtype])


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=25, deadline=None)
@given(shape=any_shape, scale=scales, data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_softmax_and_log_softmax(fn, dtype, shape, scale, data, seed):
    rng = np.random.default_rng(seed)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    a, b = pair(logits(rng, shape, DTYPES[dtype][0], scale))
    out, t_out = getattr(F, fn)(a, dim=dim), getattr(TF, fn)(b, dim=dim)
    assert np.isfinite(out.detach().numpy()).all() == torch.isfinite(t_out).all().item()
    check(out, t_out, TOL[dtype])
    backward_both(out, t_out, rng)
    assert np.isfinite(a.grad.numpy()).all()
    check(a.grad, b.grad, TOL[dtype])


def test_log_softmax_is_stable_where_the_naive_formula_is_not():
    x = minigrad.tensor([[1000.0, 0.0], [-1000.0, 1000.0]], requires_grad=True)
    out = F.log_softmax(x, dim=1)
    np.testing.assert_allclose(out.detach().numpy(), [[0.0, -1000.0], [-2000.0, 0.0]])
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        naive = np.log(
            np.exp(x.detach().numpy()) / np.exp(x.detach().numpy()).sum(1, keepdims=True)
        )
    assert not np.isfinite(naive).all()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=20, deadline=None)
@given(shape=any_shape, seed=st.integers(0, 2**32 - 1))
def test_mse_loss(reduction, dtype, shape, seed):
    rng = np.random.default_rng(seed)
    x, y = (rng.standard_normal(shape).astype(DTYPES[dtype][0]) for _ in range(2))
    a, b = pair(x)
    ya, yb = pair(y)
    out, t_out = F.mse_loss(a, ya, reduction=reduction), TF.mse_loss(b, yb, reduction=reduction)
    check(out, t_out, TOL[dtype])
    assert out.grad_fn.name() == t_out.grad_fn.name() == "MseLossBackward0"
    backward_both(out, t_out, rng)
    check(a.grad, b.grad, TOL[dtype])
    check(ya.grad, yb.grad, TOL[dtype])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=25, deadline=None)
@given(shape=shapes_2d, scale=scales, seed=st.integers(0, 2**32 - 1))
def test_cross_entropy(reduction, dtype, shape, scale, seed):
    rng = np.random.default_rng(seed)
    n, c = shape
    target = rng.integers(0, c, size=n)
    a, b = pair(logits(rng, shape, DTYPES[dtype][0], scale))
    out = F.cross_entropy(a, target, reduction=reduction)
    t_out = TF.cross_entropy(b, torch.from_numpy(target), reduction=reduction)
    check(out, t_out, TOL[dtype])
    assert np.isfinite(out.detach().numpy()).all() and torch.isfinite(t_out).all()
    backward_both(out, t_out, rng)
    assert np.isfinite(a.grad.numpy()).all()
    check(a.grad, b.grad, TOL[dtype])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=15, deadline=None)
@given(shape=shapes_2d, seed=st.integers(0, 2**32 - 1))
def test_nll_loss(reduction, dtype, shape, seed):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, shape[1], size=shape[0])
    # Any numbers will do as "log-probabilities": nll_loss only picks and negates them.
    a, b = pair(rng.standard_normal(shape).astype(DTYPES[dtype][0]))
    out = F.nll_loss(a, target, reduction=reduction)
    t_out = TF.nll_loss(b, torch.from_numpy(target), reduction=reduction)
    check(out, t_out, TOL[dtype])
    backward_both(out, t_out, rng)
    check(a.grad, b.grad, TOL[dtype])
    assert out.grad_fn.name() == t_out.grad_fn.name() == "NllLossBackward0"


def test_cross_entropy_accepts_a_target_tensor_and_a_single_example():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(5)
    a, b = pair(x)
    out = F.cross_entropy(a, minigrad.tensor(np.array(3)))
    t_out = TF.cross_entropy(b, torch.tensor(3))
    check(out, t_out, TOL["float64"])
    out.backward()
    t_out.backward()
    check(a.grad, b.grad, TOL["float64"])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=25, deadline=None)
@given(
    shape=any_shape,
    scale=scales,
    weighted=st.booleans(),
    pos_weighted=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_binary_cross_entropy_with_logits(
    reduction, dtype, shape, scale, weighted, pos_weighted, seed
):
    rng = np.random.default_rng(seed)
    np_dtype = DTYPES[dtype][0]
    a, b = pair(logits(rng, shape, np_dtype, scale))
    # Soft targets in [0, 1] exercise the target gradient too.
    ya, yb = pair(rng.uniform(0, 1, shape).astype(np_dtype))
    kwargs, t_kwargs = {}, {}
    if weighted:
        w = rng.uniform(0.1, 2, shape[-1:]).astype(np_dtype)
        kwargs["weight"], t_kwargs["weight"] = minigrad.tensor(w), torch.tensor(w)
    if pos_weighted:
        pw = rng.uniform(0.1, 3, shape[-1:]).astype(np_dtype)
        kwargs["pos_weight"], t_kwargs["pos_weight"] = minigrad.tensor(pw), torch.tensor(pw)
    out = F.binary_cross_entropy_with_logits(a, ya, reduction=reduction, **kwargs)
    t_out = TF.binary_cross_entropy_with_logits(b, yb, reduction=reduction, **t_kwargs)
    assert out.grad_fn.name() == t_out.grad_fn.name()
    assert np.isfinite(out.detach().numpy()).all() and torch.isfinite(t_out).all()
    # Extreme logits make the loss huge; compare relative to its size.
    tol = dict(TOL[dtype], atol=TOL[dtype]["atol"] * scale)
    check(out, t_out, tol)
    backward_both(out, t_out, rng)
    assert np.isfinite(a.grad.numpy()).all() and np.isfinite(ya.grad.numpy()).all()
    check(a.grad, b.grad, TOL[dtype])
    check(ya.grad, yb.grad, tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_losses_at_extreme_logits_stay_finite(dtype):
    np_dtype = DTYPES[dtype][0]
    big = float(np.finfo(np_dtype).max) / 4
    x = np.array([[big, -big, 0.0], [-big, 0.0, big]], dtype=np_dtype)
    target = np.array([1, 2])
    a, b = pair(x)
    out = F.cross_entropy(a, target)
    t_out = TF.cross_entropy(b, torch.from_numpy(target))
    check(out, t_out, dict(rtol=1e-6, atol=0.0))
    out.backward()
    t_out.backward()
    check(a.grad, b.grad, TOL[dtype])
    a, b = pair(x)
    y = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]], dtype=np_dtype)
    out = F.binary_cross_entropy_with_logits(a, minigrad.tensor(y))
    t_out = TF.binary_cross_entropy_with_logits(b, torch.tensor(y))
    check(out, t_out, dict(rtol=1e-6, atol=0.0))
    out.backward()
    t_out.backward()
    check(a.grad, b.grad, TOL[dtype])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: F.cross_entropy(x, np.array([0.5, 1.0, 0.0])), "integer class indices"),
        (lambda x: F.cross_entropy(x, np.array([0, 1])), "one target per row"),
        (lambda x: F.cross_entropy(x, np.array([0, 1, 4])), r"in \[0, 4\)"),
        (lambda x: F.cross_entropy(x, np.array([0, 1, -1])), r"in \[0, 4\)"),
        (lambda x: F.cross_entropy(x, np.array([0, 1, 2]), reduction="avg"), "reduction"),
        (lambda x: F.mse_loss(x, minigrad.zeros(4, 3)), "same shape"),
        (lambda x: F.binary_cross_entropy_with_logits(x, minigrad.zeros(3)), "same shape"),
    ],
)
def test_bad_input_is_explained(call, message):
    x = minigrad.tensor(np.zeros((3, 4)), requires_grad=True)
    with pytest.raises(ValueError, match=message):
        call(x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("beta", "threshold"), [(1.0, 20.0), (2.0, 20.0), (0.5, 3.0), (3.0, 1.0)])
def test_softplus_matches_torch_including_threshold(dtype, beta, threshold):
    values = np.array([-50.0, -3.0, -0.5, 0.0, 0.4, 1.0, 2.5, 9.0, 30.0, 80.0], dtype=dtype)
    upstream = np.linspace(-1.0, 1.0, values.size).astype(dtype)
    x = minigrad.tensor(values, requires_grad=True)
    out = F.softplus(x, beta=beta, threshold=threshold)
    out.backward(minigrad.tensor(upstream))
    xt = torch.tensor(values, requires_grad=True)
    expected = TF.softplus(xt, beta=beta, threshold=threshold)
    expected.backward(torch.tensor(upstream))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), **tol)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_torch(dtype, approximate):
    values = np.random.default_rng(3).normal(scale=3.0, size=(4, 5)).astype(dtype)
    values[0, :3] = [0.0, -10.0, 10.0]
    x = minigrad.tensor(values, requires_grad=True)
    out = F.gelu(x, approximate=approximate)
    out.sum().backward()
    xt = torch.tensor(values, requires_grad=True)
    expected = TF.gelu(xt, approximate=approximate)
    expected.sum().backward()
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), **tol)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), **tol)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        F.gelu(minigrad.tensor([1.0]), approximate="fast")
