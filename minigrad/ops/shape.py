"""Shape ops, indexing and copies: they move or pick elements, so their backward moves the
gradient back (reshape it, transpose it, sum it over broadcast dims, scatter it into zeros).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from minigrad.dtypes import result_type
from minigrad.kernels import unbroadcast
from minigrad.op import Ctx, Op

__all__ = [
    "Cat", "Clone", "Expand", "Flip", "Gather", "Index", "Permute", "Select", "Slice", "Squeeze",
    "Stack", "T", "ToCopy", "Transpose", "Unsqueeze", "View", "Where",
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
    def forward(ctx: Ctx, x: np.ndarray, dims: tuple[int, ...] | None = None) -> np.ndarray:
        """``np.squeeze``; a dim whose size is not 1 is kept, as torch keeps it."""
        ctx.shape = x.shape
        if dims is None:
            return x.squeeze()
        return x.squeeze(tuple(d for d in dims if x.ndim and x.shape[d] == 1))


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


def _c_ordered(a: np.ndarray) -> bool:
    """Whether ``a``'s dims (those longer than 1) are in C order in memory: strides that do not
    grow (torch's TensorIterator then lays its result out in C order)."""
    st = [s for s, n in zip(a.strides, a.shape, strict=True) if n > 1]
    return all(s >= t >= 0 for s, t in itertools.pairwise(st))


class Index(Op):
    """``x[index]`` with integer arrays or masks: the backward scatter-*adds* into zeros,
    since an element picked twice gets the sum of both gradients.

    ``first`` is a basic index applied before: torch applies an index's integers first (as
    selects) and its arrays after, where numpy would count integers as arrays too (so
    ``x[0, :, [1]]`` of shape (1, 3, 2) is (3, 1) in torch, (1, 3) in numpy)."""

    saved_as = (None,)  # the index

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, index: Any, first: Any = None) -> np.ndarray:
        """numpy's indexing (the index is saved: its arrays say where the gradient goes)."""
        ctx.shape, ctx.first = x.shape, first
        ctx.save_for_backward(index)
        src = x if first is None else x[first]
        try:
            y = np.asarray(src[index])
        except IndexError as e:
            raise IndexError(f"{e}: the index is out of range for a tensor of shape "
                             f"{tuple(x.shape)}") from None  # fmt: skip
        if y.ndim > 1 and not y.flags.c_contiguous and _c_ordered(src):
            arrays = [
                i for i in (index if type(index) is tuple else (index,)) if type(i) is np.ndarray
            ]
            if all(a.flags.c_contiguous for a in arrays):
                # numpy puts the indexed dims first in memory (x[:, [1, 0]]); torch's result of
                # operands in C order is in C order (so that a later view() agrees)
                y = np.ascontiguousarray(y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """Zeros with dy added at the indexed positions."""
        (index,) = ctx.saved_tensors
        dx = np.empty_like(dy, shape=ctx.shape)  # (of dy's kind: an array, or a Tracer)
        dx[...] = 0
        np.add.at(dx if ctx.first is None else dx[ctx.first], index, dy)
        return dx


class Slice(Op):
    """``x[1:3]``, ``x[..., None]``: basic indexing picks each element at most once, and its
    index holds no arrays, so nothing is saved (as in torch: a second backward may pass)."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, index: Any) -> np.ndarray:
        """numpy's basic indexing: a view (``x[1]`` of a vector too: a 0-d view, not a copy)."""
        ctx.shape, ctx.index = x.shape, index
        y = x[index]
        return (
            y
            if type(y) is np.ndarray
            else x[(*index, ...) if type(index) is tuple else (index, ...)]
        )

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """Zeros with dy written at the sliced positions."""
        dx = np.empty_like(dy, shape=ctx.shape)  # (of dy's kind: an array, or a Tracer)
        dx[...] = 0
        dx[ctx.index] = dy
        return dx


class Select(Slice):
    """``x[i]``: one index along the first dim."""


def _check_dim(dim: int, ndim: int) -> int:
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got "
            f"{dim})"
        )
    return dim % ndim


class Cat(Op):
    """``cat(tensors, dim)``: the backward splits the gradient into the inputs' pieces (each
    in its input's dtype: the inputs promote, as in torch)."""

    @staticmethod
    def forward(ctx: Ctx, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        """``np.concatenate`` with torch's checks; 1-D empty tensors are skipped, as in torch."""
        if not arrays:
            raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise RuntimeError(
                    f"zero-dimensional tensor (at position {i}) cannot be concatenated: "
                    f"unsqueeze it first (t.unsqueeze(0)) or use minigrad.stack."
                )
        used = [a for a in arrays if a.shape != (0,)] or list(arrays[:1])
        d = _check_dim(dim, used[0].ndim)
        for i, a in enumerate(used):
            if a.ndim != used[0].ndim:
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {used[0].ndim} and {a.ndim}"
                )
            for k in range(a.ndim):
                if k != d and a.shape[k] != used[0].shape[k]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{used[0].shape[k]} but got size {a.shape[k]} for tensor number {i} "
                        f"in the list."
                    )
        dt = result_type(*[a for a in arrays if a.ndim])
        ctx.dim, ctx.dtypes = d, [a.dtype for a in arrays]
        ctx.bounds = np.cumsum([a.shape[d] if a.shape != (0,) else 0 for a in arrays])[:-1]
        ctx.shapes = [a.shape for a in arrays]
        return np.concatenate([a.astype(dt, copy=False) for a in used], axis=d)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[np.ndarray, ...]:
        """One slice of dy per input."""
        parts = np.split(dy, ctx.bounds, axis=ctx.dim)
        return tuple(
            (p if s != (0,) else np.zeros(s, dy.dtype)).astype(dt, copy=False)
            for p, s, dt in zip(parts, ctx.shapes, ctx.dtypes, strict=True)
        )


class Stack(Op):
    """``stack(tensors, dim)``: each input gets its slice along the new dim."""

    @staticmethod
    def forward(ctx: Ctx, *arrays: np.ndarray, dim: int = 0) -> np.ndarray:
        """``np.stack`` with torch's checks and promotion."""
        if not arrays:
            raise RuntimeError("stack expects a non-empty TensorList")
        for i, a in enumerate(arrays):
            if a.shape != arrays[0].shape:
                raise RuntimeError(
                    f"stack expects each tensor to be equal size, but got {list(arrays[0].shape)} "
                    f"at entry 0 and {list(a.shape)} at entry {i}"
                )
        d = _check_dim(dim, arrays[0].ndim + 1)
        dt = result_type(*arrays)
        ctx.dim, ctx.dtypes = d, [a.dtype for a in arrays]
        return np.stack([a.astype(dt, copy=False) for a in arrays], axis=d)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[np.ndarray, ...]:
        """dy split along the stacked dim."""
        parts = np.moveaxis(dy, ctx.dim, 0)
        return tuple(p.astype(dt, copy=False) for p, dt in zip(parts, ctx.dtypes, strict=True))


class Where(Op):
    """``where(cond, a, b)``: dy goes to a where cond holds, to b elsewhere."""

    saved_as = (None,)  # the condition

    @staticmethod
    def forward(ctx: Ctx, cond: Any, a: Any, b: Any) -> np.ndarray:
        """A bool condition; the values promote as torch's ``result_type`` (numbers are weak)."""
        cond = np.asarray(cond)
        if cond.dtype != np.bool_:
            raise RuntimeError(
                f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{cond.dtype}: compare first (x > 0) or convert (cond.bool())."
            )
        dt = result_type(a, b)
        a, b = (np.asarray(v).astype(dt, copy=False) for v in (a, b))
        try:
            y = np.where(cond, a, b)
        except ValueError:
            raise RuntimeError(
                f"where: the shapes of condition {tuple(cond.shape)}, input {tuple(a.shape)} and "
                f"other {tuple(b.shape)} do not broadcast. Aligned from the right, each size must "
                f"be equal or 1: reshape or unsqueeze one of them so that they line up."
            ) from None
        ctx.save_for_backward(cond)
        ctx.shapes = a.shape, b.shape
        return y

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
    def forward(ctx: Ctx, x: np.ndarray, order: Any = "K") -> np.ndarray:
        """A fresh copy, in x's memory layout (as torch's preserve_format), or C's for
        ``contiguous()``."""
        ctx.dtype = x.dtype
        return _copy(x, x.dtype, order)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """The gradient, in the input's dtype."""
        return dy.astype(ctx.dtype, copy=False)


def _copy(x: np.ndarray, dtype: np.dtype, order: Any = "K") -> np.ndarray:
    """A copy of ``x`` in ``dtype``, in x's memory layout (torch's preserve_format) or C's."""
    if order == "K" and not _dense(x):  # an expand, a slice with a step: torch makes the copy
        # dense in the same order of dims (its infer_dense_strides)
        strides = tuple(st // x.itemsize * dtype.itemsize for st in _dense_strides(x))
        y = np.lib.stride_tricks.as_strided(np.empty(max(x.size, 1), dtype), x.shape, strides)
        y[...] = x
        return y
    return x.astype(dtype, order=order)


def _dense(a: np.ndarray) -> bool:
    """torch's non-overlapping-and-dense: the dims longer than 1 tile the memory exactly."""
    big = sorted((abs(st), n) for st, n in zip(a.strides, a.shape, strict=True) if n > 1)
    step = a.itemsize
    for st, n in big:
        if st != step:
            return False
        step *= n
    return True


def _dense_strides(a: np.ndarray) -> tuple[int, ...]:
    """torch's ``infer_dense_strides``: dense strides (in bytes) that keep the order of ``a``'s
    dims by stride; a dim of stride 0 keeps its place."""
    sizes, strides, n = a.shape, a.strides, a.ndim
    perm = list(range(n - 1, -1, -1))  # innermost first

    def should_swap(d0: int, d1: int) -> int:
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return -1 if s0 < s1 else 1
        return 1 if sizes[d0] > sizes[d1] else 0

    for i in range(1, n):  # torch's stable insertion sort
        d1 = i
        for j in range(1, i + 1):
            d0 = i - j
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    out = [0] * n
    step = a.itemsize
    for d in perm:
        out[d] = step
        step *= max(sizes[d], 1)
    return tuple(out)


class ToCopy(Clone):
    """``to(dtype)`` / ``float()`` / ``double()``: the gradient goes back in the input's dtype."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dtype: Any) -> np.ndarray:  # type: ignore[override]
        """``x.astype(dtype)``, in x's memory layout (as clone)."""
        ctx.dtype = x.dtype
        return _copy(x, np.dtype(dtype))


class Flip(Op):
    """``flip(dims)``: the elements in reverse order along ``dims`` (a copy, as in torch)."""

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        """``np.flip``; the backward flips the gradient back."""
        ctx.dims = dims
        return np.flip(x, dims).copy() if x.ndim else x.copy()

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """The gradient flipped along the same dims."""
        return np.flip(dy, ctx.dims).copy() if dy.ndim else dy.copy()


class Gather(Op):
    """``x.gather(dim, index)``: ``out[i][j] = x[index[i][j]][j]`` for dim 0; the backward
    scatter-adds the gradient back to the gathered positions."""

    saved_as = (None, "in0")  # the index, and x (saved for torch's in-place check only)

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
        """Checked like torch: int64 indices, as many dims, sizes no larger, in range."""
        if index.size == 0:  # torch returns at once: an empty result, nothing checked
            ctx.shape = x.shape
            ctx.save_for_backward(None, x)
            return np.empty(index.shape, dtype=x.dtype)
        if index.dtype.kind not in "iu":
            raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype}")
        if index.ndim != x.ndim and not (index.ndim <= 1 and x.ndim <= 1):
            raise RuntimeError(
                f"Index tensor must have the same number of dimensions as input tensor: the "
                f"input has {x.ndim}, the index {index.ndim}."
            )
        xs, ix = (
            (x.reshape(-1), index.reshape(-1)) if x.ndim == 0 or index.ndim == 0 else (x, index)
        )
        d = dim % max(xs.ndim, 1)
        for k, (n, m) in enumerate(zip(ix.shape, xs.shape, strict=True)):
            if k != d and n > m:
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(index.shape)} "
                    f"to be no larger than self {list(x.shape)} apart from dimension {d}"
                )
        if (ix.size and (ix.min() < -xs.shape[d] or ix.max() >= xs.shape[d])) or (
            ix.size and xs.shape[d] == 0
        ):
            bad = ix.max() if ix.max() >= xs.shape[d] else ix.min()
            raise RuntimeError(
                f"index {bad} is out of bounds for dimension {d} with size {xs.shape[d]}"
            )
        part = xs[tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(ix.shape))]
        ctx.shape, ctx.dim, ctx.index_shape = x.shape, d, index.shape
        ctx.save_for_backward(ix, x)  # torch saves self too (the in-place check sees it)
        return np.take_along_axis(part, ix, axis=d).reshape(index.shape)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray, *_: Any) -> tuple[np.ndarray, None]:
        """Zeros with dy added where each element was gathered from."""
        ix, _ = ctx.saved_tensors
        if ix is None:  # an empty index gathered nothing
            dx = np.empty_like(dy, shape=ctx.shape)
            dx[...] = 0
            return dx, None
        flat_shape = ctx.shape if ctx.shape and ctx.index_shape else (int(np.prod(ctx.shape)),)
        flat = np.empty_like(dy, shape=flat_shape)
        flat[...] = 0
        where = list(np.indices(ix.shape, sparse=True))
        where[ctx.dim] = ix
        np.add.at(flat, tuple(where), dy.reshape(ix.shape))
        return flat.reshape(ctx.shape), None
