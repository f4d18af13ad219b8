"""Reductions: ``sum``, ``mean``, ``max`` / ``min`` (all elements, or over dims).

The backward of a reduction copies the output's gradient back over what was reduced: a sum
passes it to every element, a mean passes 1/n of it, a max passes it to the maximum (split
evenly over ties when reducing everything, to the returned index over a dim, as torch does).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.dtypes import INT64
from minigrad.op import Ctx, Op

__all__ = ["Max", "MaxAll", "Mean", "MeanAll", "Min", "MinAll", "Sum", "SumAll", "dims_of"]


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
    out = np.empty(shape, dtype=dy.dtype)
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
        return np.full(ctx.shape, dy, dtype=dy.dtype)


class Mean(Op):
    """``x.mean(dim, keepdim)``; every averaged element gets 1/n of the output's gradient."""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        """Mean of a floating-point array (torch refuses integers)."""
        if x.dtype.kind not in "fc":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {x.dtype}. Convert first: x.float().mean()."
            )
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
        return Mean.forward(ctx, x)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy / n copied to every element."""
        return np.full(ctx.shape, dy / ctx.n, dtype=dy.dtype)


class MaxAll(Op):
    """``x.max()``: the gradient goes to the maximum, split evenly over ties."""

    node_name = "MaxBackward1"

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

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int, keepdim: bool = False) -> tuple[Any, Any]:
        """The maxima along ``dim`` and where they are (int64 indices get no gradient)."""
        return _pick_along(
            ctx, x, np.argmax(x, axis=dim, keepdims=True) if x.ndim else None, dim, keepdim
        )

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray, _: Any) -> np.ndarray:
        """dy scattered into zeros at the indices of the maxima."""
        (idx,) = ctx.saved_tensors
        if not ctx.keepdim and ctx.shape:
            idx, dy = np.expand_dims(idx, ctx.dim), np.expand_dims(dy, ctx.dim)
        dx = np.zeros(ctx.shape, dtype=dy.dtype)
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
        return _pick_along(
            ctx, x, np.argmin(x, axis=dim, keepdims=True) if x.ndim else None, dim, keepdim
        )


def _pick_along(
    ctx: Ctx, x: np.ndarray, idx: np.ndarray | None, dim: int, keepdim: bool
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
