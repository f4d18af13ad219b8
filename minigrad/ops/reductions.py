"""Reductions: ``sum``, ``mean``, ``max`` / ``min`` (all elements, or over dims).

The backward of a reduction copies the output's gradient back over what was reduced: a sum
passes it to every element, a mean passes 1/n of it, a max passes it to the maximum (split
evenly over ties when reducing everything, to the returned index over a dim, as torch does).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.dtypes import DEFAULT_FLOAT, INT64
from minigrad.op import Ctx, Op

__all__ = [
    "Amax", "Amin", "Cumsum", "Logsumexp", "Max", "MaxAll", "Mean", "MeanAll", "Min", "MinAll",
    "Prod", "ProdAll", "Std", "Sum", "SumAll", "Var", "dims_of",
]  # fmt: skip


def dims_of(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` as a tuple of non-negative dims, None for all (torch reads ``dim=()`` as all)."""
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    n = max(ndim, 1)
    for d in dims:
        if not -n <= d < n:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got "
                f"{d}): this tensor has {ndim} dimension(s)."
            )
    return tuple(d % n for d in dims) if ndim else None


def _spread(dy: np.ndarray, shape: tuple[int, ...], dims: Any, keepdim: bool) -> np.ndarray:
    """The gradient of a reduction copied back over the reduced dims (a fresh array)."""
    if not keepdim and dims is not None and shape:
        dy = np.expand_dims(dy, dims)
    out = np.empty_like(dy, shape=shape)  # (of dy's kind: an array, or create_graph's Tracer)
    out[...] = dy
    return out


class Sum(Op):
    """``x.sum(dim, keepdim)``; every summed element gets the output's gradient."""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        """Sum (integers and bools are summed as int64, as torch does)."""
        if x.dtype.kind in "bui":
            x = x.astype(INT64)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return np.asarray(x.sum(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy copied to every element that was summed."""
        return _spread(dy, ctx.shape, ctx.dims, ctx.keepdim)


class SumAll(Op):
    """``x.sum()`` (torch's ``SumBackward0``): every element gets the output's gradient."""

    node_name = "SumBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray) -> np.ndarray:
        """The sum of all elements (int64 for integers and bools)."""
        ctx.shape = x.shape
        return np.asarray(x.sum(dtype=INT64 if x.dtype.kind in "bui" else None))

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy copied to every element."""
        return _spread(dy, ctx.shape, None, True)


class Mean(Op):
    """``x.mean(dim, keepdim)``; every averaged element gets 1/n of the output's gradient."""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        """Mean of a floating-point array (torch refuses integers)."""
        if x.dtype.kind not in "fc":
            raise _mean_of_integers(x)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
        ctx.n = x.dtype.type(max(n, 1))
        return np.asarray(x.mean(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy / n copied to every element that was averaged."""
        return _spread(dy / ctx.n, ctx.shape, ctx.dims, ctx.keepdim)


class MeanAll(Op):
    """``x.mean()`` (torch's ``MeanBackward0``): every element gets 1/n of the gradient."""

    node_name = "MeanBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray) -> np.ndarray:
        """The mean of all elements of a floating-point array."""
        if x.dtype.kind not in "fc":
            raise _mean_of_integers(x)
        ctx.shape, ctx.n = x.shape, x.dtype.type(max(x.size, 1))
        return np.asarray(x.mean())

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy / n copied to every element."""
        return _spread(dy / ctx.n, ctx.shape, None, True)


def _mean_of_integers(x: np.ndarray) -> RuntimeError:
    """torch's refusal of the mean of an integer or bool tensor."""
    return RuntimeError(
        f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
        f"complex dtype. Got: {x.dtype}. Convert first: x.float().mean()."
    )


class MaxAll(Op):
    """``x.max()``: the gradient goes to the maximum, split evenly over ties."""

    node_name = "MaxBackward1"
    saved_as = ("in0", "out0")

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray) -> np.ndarray:
        """The largest element."""
        y = np.asarray(x.max())
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy / (number of maxima) at each maximum, 0 elsewhere."""
        x, y = ctx.saved_tensors
        mask = x == y
        return mask * (dy / dy.dtype.type(mask.sum()))


class MinAll(MaxAll):
    """``x.min()``."""

    node_name = "MinBackward1"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray) -> np.ndarray:
        """The smallest element (the backward is max's: dy split over the ties)."""
        y = np.asarray(x.min())
        ctx.save_for_backward(x, y)
        return y


class Max(Op):
    """``x.max(dim, keepdim)``: ``(values, indices)``; the gradient goes to each index."""

    node_name = "MaxBackward0"
    saved_as = (None,)  # the indices

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int, keepdim: bool = False) -> tuple[Any, Any]:
        """The maxima along ``dim`` and where they are (int64 indices get no gradient)."""
        _check_nonempty(x, dim, "max")
        return _pick_along(
            ctx, x, np.argmax(x, axis=dim, keepdims=True) if x.ndim else None, dim, keepdim
        )

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray, _: Any) -> np.ndarray:
        """dy scattered into zeros at the indices of the maxima."""
        (idx,) = ctx.saved_tensors
        if not ctx.keepdim and ctx.shape:
            idx, dy = np.expand_dims(idx, ctx.dim), np.expand_dims(dy, ctx.dim)
        dx = np.empty_like(dy, shape=ctx.shape)
        dx[...] = 0
        if ctx.shape:
            np.put_along_axis(dx, idx, dy, axis=ctx.dim)
        else:
            dx[...] = dy
        return dx


class Min(Max):
    """``x.min(dim, keepdim)``."""

    node_name = "MinBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int, keepdim: bool = False) -> tuple[Any, Any]:
        """The minima along ``dim`` and where they are."""
        _check_nonempty(x, dim, "min")
        return _pick_along(
            ctx, x, np.argmin(x, axis=dim, keepdims=True) if x.ndim else None, dim, keepdim
        )


def _check_nonempty(x: np.ndarray, dim: int, name: str) -> None:
    if x.ndim and x.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _pick_along(
    ctx: Ctx, x: np.ndarray, idx: Any, dim: int, keepdim: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The elements of x at ``idx`` along ``dim`` (None for a 0-d x), and the indices."""
    if idx is None:
        idx, y = np.asarray(0), x.copy()
    else:
        y = np.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            y, idx = y.squeeze(dim), idx.squeeze(dim)
    ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
    ctx.save_for_backward(idx)
    return y, idx.astype(INT64)


def _float(x: np.ndarray) -> np.ndarray:
    """Integers and bools computed as the default float (as torch's float-only reductions)."""
    return x if x.dtype.kind in "fc" else x.astype(DEFAULT_FLOAT)


class Amax(Op):
    """``x.amax(dim, keepdim)``: the gradient is split evenly over the maxima (as torch's
    ``amax``, unlike ``max(dim)``, which gives it to one index)."""

    saved_as = ("in0", "out0")

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        """The largest element over ``dims``; saves x and the result for the backward."""
        return _extreme(ctx, x, dims, keepdim, np.amax, "amax")

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy / (number of extrema in the slice) at each extremum, 0 elsewhere."""
        x, y = ctx.saved_tensors
        if not ctx.keepdim and ctx.dims is not None and x.ndim:
            y, dy = np.expand_dims(y, ctx.dims), np.expand_dims(dy, ctx.dims)
        mask = x == y
        count = mask.sum(axis=ctx.dims, keepdims=True)
        return mask * (dy / count.astype(dy.dtype))


class Amin(Amax):
    """``x.amin(dim, keepdim)`` (the backward is amax's)."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        """The smallest element over ``dims``."""
        return _extreme(ctx, x, dims, keepdim, np.amin, "amin")


def _extreme(ctx: Ctx, x: np.ndarray, dims: Any, keepdim: bool, fn: Any, name: str) -> np.ndarray:
    if x.size == 0 and dims is None:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            f"the reduction dim with the 'dim' argument."
        )
    if x.size == 0 and (any(x.shape[d] == 0 for d in dims) or not x.ndim):
        raise IndexError(
            f"{name}(): Expected reduction dim to have non-zero size: the tensor of shape "
            f"{tuple(x.shape)} is empty along a reduced dim."
        )
    y = np.asarray(fn(x, axis=dims, keepdims=keepdim))
    ctx.dims, ctx.keepdim = dims, keepdim
    ctx.save_for_backward(x, y)
    return y


def _to_last(x: np.ndarray, dims: tuple[int, ...] | None) -> np.ndarray:
    """x with the reduced dims moved to the end and merged into one."""
    dims = tuple(range(x.ndim)) if dims is None else dims
    rest = [d for d in range(x.ndim) if d not in dims]
    moved = np.transpose(x, rest + list(dims))
    return moved.reshape((*moved.shape[: len(rest)], -1))


class Prod(Op):
    """``x.prod()`` / ``x.prod(dim, keepdim)``: each element's gradient is the product of the
    others, computed from products to its left and right (exact with zeros, no division)."""

    node_name = "ProdBackward1"
    saved_as = ("in0", "out0")

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        """The product (int64 for integers and bools, as torch)."""
        if x.dtype.kind in "bui":
            x = x.astype(INT64)
        ctx.dims, ctx.keepdim = dims, keepdim
        y = np.asarray(np.prod(x, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, y)  # torch's prod_backward(grad, self, result): both saved
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dx_i = dy * prod_{j != i} x_j, for the slice i belongs to."""
        x, _ = ctx.saved_tensors
        dims = ctx.dims
        flat = _to_last(x, dims)
        ones = np.ones((*flat.shape[:-1], 1), dtype=x.dtype)
        # (np.flip rather than a negative step: a traced slice has torch's positive steps)
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat[..., 1:], -1)], -1), -1), -1)
        others = left * right  # (kept dims..., n)
        all_dims = tuple(range(x.ndim)) if dims is None else dims
        if ctx.keepdim:
            dy = dy.reshape([s for d, s in enumerate(dy.shape) if d not in all_dims] or ())
        g = others * np.expand_dims(dy, -1)
        rest = [d for d in range(x.ndim) if d not in all_dims]
        g = g.reshape(tuple(x.shape[d] for d in rest + list(all_dims)))
        return np.transpose(g, np.argsort(rest + list(all_dims))).astype(dy.dtype, copy=False)


class ProdAll(Prod):
    """``x.prod()``: torch's ``ProdBackward0``."""

    node_name = "ProdBackward0"


class Var(Op):
    """``x.var(dim, correction, keepdim)``: sum((x - mean)^2) / (n - correction)."""

    saved_as = ("in0",)

    @staticmethod
    def forward(
        ctx: Ctx, x: np.ndarray, dims: Any = None, correction: float = 1, keepdim: bool = False
    ) -> np.ndarray:
        """The variance; a non-positive n - correction gives inf or nan, as in torch."""
        _check_float(x, ctx)
        n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, x.dtype.type(max(n - correction, 0))
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            dev = x - x.mean(axis=dims, keepdims=True)
            return np.asarray((dev * dev).sum(axis=dims, keepdims=keepdim) / ctx.dof)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dx = dy * 2 (x - mean) / (n - correction)."""
        (x,) = ctx.saved_tensors
        return _var_backward(ctx, x, dy)


def _var_backward(ctx: Ctx, x: np.ndarray, dy: np.ndarray) -> np.ndarray:
    if not ctx.keepdim and ctx.dims is not None and x.ndim:
        dy = np.expand_dims(dy, ctx.dims)
    dev = x - x.mean(axis=ctx.dims, keepdims=True)
    return (dy * 2 / ctx.dof) * dev


class Std(Op):
    """``x.std(dim, correction, keepdim)``: the square root of :class:`Var`."""

    saved_as = ("in0", "out0")

    @staticmethod
    def forward(
        ctx: Ctx, x: np.ndarray, dims: Any = None, correction: float = 1, keepdim: bool = False
    ) -> np.ndarray:
        """sqrt of the variance; saves x and the result (torch's ``std_backward``)."""
        var = Var.forward(ctx, x, dims, correction, keepdim)
        y = np.asarray(np.sqrt(var))  # (an array even when 0-d: the one the tensor holds)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dx = var's backward of dy / (2 std), and 0 where std is 0 (torch's masked_fill)."""
        x, y = ctx.saved_tensors
        with np.errstate(all="ignore"):
            g = np.where(y == 0, dy.dtype.type(0), dy / (2 * y))
        return _var_backward(ctx, x, g)


def _check_float(x: np.ndarray, ctx: Ctx) -> None:
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            f"std and var only support floating point and complex dtypes, got {x.dtype}: "
            f"convert first (x.float())."
        )


class Logsumexp(Op):
    """``x.logsumexp(dim, keepdim)``: log(sum(exp(x))), shifted by the max so that no exponent
    is positive; the backward is dy * exp(x - result) (softmax)."""

    saved_as = ("in0", "out0")

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: Any, keepdim: bool = False) -> np.ndarray:
        """m + log(sum(exp(x - m))), m the max (0 where it is infinite)."""
        x = _float(x)
        with np.errstate(all="ignore"):
            m = np.amax(x, axis=dims, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
            m = np.where(np.isinf(m), x.dtype.type(0), m)
            s = np.log(np.exp(x - m).sum(axis=dims, keepdims=True)) + m
        y = np.asarray(s if keepdim else np.squeeze(s, axis=dims))
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dx = dy * exp(x - logsumexp(x))."""
        x, y = ctx.saved_tensors
        if not ctx.keepdim and x.ndim:
            y, dy = np.expand_dims(y, ctx.dims), np.expand_dims(dy, ctx.dims)
        return dy * np.exp(x - y)


class Cumsum(Op):
    """``x.cumsum(dim)``: the backward is the reversed cumulative sum of the gradient."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int) -> np.ndarray:
        """Running sums along ``dim`` (int64 for integers and bools)."""
        if x.dtype.kind in "bui":
            x = x.astype(INT64)
        ctx.dim = dim
        return np.cumsum(x, axis=dim) if x.ndim else x.copy()

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dx_i = sum_{j >= i} dy_j."""
        if not dy.ndim:
            return dy.copy()
        d = ctx.dim
        return np.flip(np.cumsum(np.flip(dy, d), axis=d), d).copy()
