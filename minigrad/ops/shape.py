"""Shape ops, indexing and copies: they move or pick elements, so their backward moves the
gradient back (reshape it, transpose it, sum it over broadcast dims, scatter it into zeros).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.dtypes import DEFAULT_FLOAT, promote
from minigrad.kernels import unbroadcast
from minigrad.op import Ctx, Op

__all__ = [
    "Cat", "Clone", "Expand", "Index", "Permute", "Select", "Slice", "Squeeze", "Stack", "T",
    "ToCopy", "Transpose", "Unsqueeze", "View", "Where",
]  # fmt: skip


class View(Op):
    """``reshape`` / ``view`` / ``flatten``: the same numbers in a new shape."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """``x.reshape(shape)``, with torch's error for a size that does not fit."""
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"shape {list(shape)} is invalid for input of size {x.size} (shape "
                f"{tuple(x.shape)}): the sizes must multiply to {x.size}."
            ) from None

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """The gradient in the input's shape."""
        return dy.reshape(ctx.shape)


class Unsqueeze(View):
    """``unsqueeze(dim)``: a new dim of size 1."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int) -> np.ndarray:  # type: ignore[override]
        """``np.expand_dims``."""
        ctx.shape = x.shape
        return np.expand_dims(x, dim)


class Squeeze(View):
    """``squeeze(dim)``: drop dims of size 1 (only ``dim``, if given)."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int | None = None) -> np.ndarray:  # type: ignore[override]
        """``np.squeeze``; a ``dim`` whose size is not 1 is kept, as torch keeps it."""
        ctx.shape = x.shape
        if dim is None:
            return x.squeeze()
        return x.squeeze(dim) if x.ndim and x.shape[dim] == 1 else x


class Permute(Op):
    """``permute(dims)``; ``transpose``, ``t`` and ``.T`` are permutations too."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, perm: tuple[int, ...]) -> np.ndarray:
        """Reorder the dims; the backward applies the inverse order."""
        ctx.inverse = tuple(np.argsort(perm))
        return x.transpose(perm)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """Transpose the gradient back."""
        return dy.transpose(ctx.inverse)


class Transpose(Permute):
    """``transpose(dim0, dim1)``."""


class T(Permute):
    """``t()``."""


class Expand(Op):
    """``expand(*sizes)``: broadcast without copying; the backward sums over the copies."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """``np.broadcast_to``."""
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """Un-broadcast to the input's shape."""
        return unbroadcast(dy, ctx.shape)


class Index(Op):
    """``x[index]`` with integer arrays or masks: the backward scatter-*adds* into zeros,
    since an element picked twice gets the sum of both gradients."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, index: Any) -> np.ndarray:
        """numpy's indexing (the index is saved: its arrays say where the gradient goes)."""
        ctx.shape = x.shape
        ctx.save_for_backward(index)
        return np.asarray(x[index])

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """Zeros with dy added at the indexed positions."""
        (index,) = ctx.saved_tensors
        dx = np.zeros(ctx.shape, dtype=dy.dtype)
        np.add.at(dx, index, dy)
        return dx


class Slice(Op):
    """``x[1:3]``, ``x[..., None]``: basic indexing picks each element at most once, and its
    index holds no arrays, so nothing is saved (as in torch: a second backward may pass)."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, index: Any) -> np.ndarray:
        """numpy's basic indexing: a view."""
        ctx.shape, ctx.index = x.shape, index
        return np.asarray(x[index])

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """Zeros with dy written at the sliced positions."""
        dx = np.zeros(ctx.shape, dtype=dy.dtype)
        dx[ctx.index] = dy
        return dx


class Select(Slice):
    """``x[i]``: one index along the first dim."""


class Cat(Op):
    """``cat(tensors, dim)``: the backward splits the gradient into the inputs' pieces."""

    @staticmethod
    def forward(ctx: Ctx, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        """``np.concatenate``."""
        ctx.dim, ctx.bounds = dim, np.cumsum([a.shape[dim] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[np.ndarray, ...]:
        """One slice of dy per input."""
        return tuple(np.split(dy, ctx.bounds, axis=ctx.dim))


class Stack(Op):
    """``stack(tensors, dim)``: each input gets its slice along the new dim."""

    @staticmethod
    def forward(ctx: Ctx, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        """``np.stack``."""
        y = np.stack(arrays, axis=dim)
        ctx.dim = dim % y.ndim
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[np.ndarray, ...]:
        """dy split along the stacked dim."""
        return tuple(np.moveaxis(dy, ctx.dim, 0))


class Where(Op):
    """``where(cond, a, b)``: dy goes to a where cond holds, to b elsewhere."""

    @staticmethod
    def forward(ctx: Ctx, cond: Any, a: Any, b: Any) -> np.ndarray:
        """Numbers take the dtype of the tensor operand; two tensors promote."""
        like = next((v.dtype for v in (a, b) if isinstance(v, np.ndarray)), DEFAULT_FLOAT)
        a, b = (v if isinstance(v, np.ndarray) else np.asarray(v, dtype=like) for v in (a, b))
        a, b = promote(a, b)
        cond = np.asarray(cond)
        ctx.save_for_backward(cond)
        ctx.shapes = a.shape, b.shape
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[None, Any, Any]:
        """Masked copies of dy, summed back to each input's shape."""
        (cond,) = ctx.saved_tensors
        zero = dy.dtype.type(0)
        (shape_a, shape_b), (_, need_a, need_b) = ctx.shapes, ctx.needs_input_grad
        da = unbroadcast(np.where(cond, dy, zero), shape_a) if need_a else None
        db = unbroadcast(np.where(cond, zero, dy), shape_b) if need_b else None
        return None, da, db


class Clone(Op):
    """``clone()``: a copy that stays in the graph."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray) -> np.ndarray:
        """A fresh copy."""
        ctx.dtype = x.dtype
        return x.copy()

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """The gradient, in the input's dtype."""
        return dy.astype(ctx.dtype, copy=False)


class ToCopy(Clone):
    """``to(dtype)`` / ``float()`` / ``double()``: the gradient goes back in the input's dtype."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dtype: Any) -> np.ndarray:  # type: ignore[override]
        """``x.astype(dtype)``."""
        ctx.dtype = x.dtype
        return x.astype(dtype)
