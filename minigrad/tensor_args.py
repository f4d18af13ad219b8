"""The arguments of Tensor methods: shapes, indices, dims, devices, scalars, and torch's
errors for bad ones. Pure functions, so that :mod:`minigrad._tensor` keeps to the Tensor."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from minigrad.tensor_base import TensorBase

if TYPE_CHECKING:
    from minigrad._tensor import Tensor

__all__ = [
    "_MaxResult", "_arg_index", "_bounds", "_check_device", "_check_matmul_ndim",
    "_correction", "_empty_reduction_error", "_expand_shape", "_flatten_shape", "_index_arg",
    "_leaf_inplace_error", "_one_dim", "_permutation", "_scaled", "_shape_arg", "_split_index",
    "_tensor_arg", "_unique", "_view_error",
]  # fmt: skip


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` like torch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _index_arg(index: Any, data: np.ndarray | None = None) -> tuple[Any, bool]:
    """Tensors in an index as arrays, and whether numpy will do advanced indexing (``data``,
    the indexed array, lets an out-of-range integer before a negative step be reported first,
    as torch applies an index from left to right, and index arrays last)."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    advanced = False
    for n, it in enumerate(items):
        if isinstance(it, TensorBase):
            it = it._data
        elif isinstance(it, list):
            it = np.asarray(it)
        elif type(it) is slice and it.step is not None and it.step <= 0:
            if data is not None:  # an integer before it that is out of range is reported first
                data[tuple(i if i is None or i is Ellipsis or type(i) is int else slice(None)
                           for i in _basic_dims(items[:n]))]  # fmt: skip
            raise ValueError(
                "step must be greater than zero: minigrad, like torch, has no negative-step "
                "slices; use x.flip(dim) to reverse a dimension."
            )
        advanced = advanced or isinstance(it, np.ndarray)
        out.append(it)
    return (tuple(out) if isinstance(index, tuple) else out[0]), advanced


def _basic_dims(items: tuple[Any, ...]) -> list[Any]:
    """``items`` with each index array (or tensor) as the dims it consumes, a slice each."""
    out: list[Any] = []
    for it in items:
        arr = it._data if isinstance(it, TensorBase) else it
        if isinstance(arr, (np.ndarray, list)):
            arr = np.asarray(arr)
            out.extend([slice(None)] * (max(arr.ndim, 1) if arr.dtype == np.bool_ else 1))
        else:
            out.append(it)
    return out


def _split_index(idx: Any) -> tuple[Any, Any]:
    """An advanced index as torch applies it: its integers first (a basic index, ``first``),
    then the rest. numpy counts integers as index arrays, which moves dims differently when
    a slice separates them from an array (``x[0, :, [1]]``); without integers, ``first`` is
    None and the index is numpy's."""
    if type(idx) is not tuple or int not in map(type, idx):  # (the common case, kept cheap)
        return idx, None
    if not any(isinstance(i, np.ndarray) for i in idx):
        return idx, None  # a basic index: numpy's rule is torch's
    first: list[Any] = []
    rest: list[Any] = []
    for it in idx:
        if type(it) is int:
            first.append(it)
        elif isinstance(it, np.ndarray):
            first.extend([slice(None)] * max(it.ndim if it.dtype == np.bool_ else 1, 1))
            rest.append(it)
        else:
            first.append(it)
            rest.append(it if it is Ellipsis else slice(None))
    return tuple(rest), tuple(first)


def _check_device(device: Any) -> None:
    if device is not None and str(device) != "cpu":
        raise RuntimeError(
            f"minigrad runs on the CPU only, got device={device!r}: leave device out or pass 'cpu'"
        )


def _scaled(self: TensorBase, other: Any, alpha: Any, name: str) -> Any:
    """``alpha * other`` for ``add(other, alpha=)`` / ``sub`` (op ``name``); torch refuses a
    float alpha for integers. A tensor to scale comes back as ``(other,)``: the caller scales
    it with the op ``Scale``, which saves nothing (as torch keeps alpha on its node)."""
    if alpha == 1:
        return other
    kind = (other._data if isinstance(other, TensorBase) else np.asarray(other)).dtype.kind
    if isinstance(alpha, float) and self._data.dtype.kind in "biu" and kind in "biu":
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if kind == "b" and (name == "sub" or self._data.dtype.kind == "b"):
        # left a bool: sub refuses it, and bool + alpha * bool is a bool (x or y)
        return other if alpha else other * 0
    return (other,) if isinstance(other, TensorBase) else other * alpha


def _bounds(min: Any, max: Any) -> dict[str, Any]:
    """``clamp``'s bounds as numbers (tensor bounds are outside minigrad's subset)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for v in (min, max):
        if isinstance(v, TensorBase):
            raise NotImplementedError(
                "clamp with tensor bounds is not supported by minigrad: pass numbers, or use "
                "minigrad.maximum / minigrad.minimum."
            )
    return {"min": min, "max": max}


def _one_dim(dim: Any) -> int:
    """The one dim of ops that reduce along one (prod, cumsum, max, argmax)."""
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be an int for this op, got {type(dim).__name__} {dim!r}")
    return int(dim)


def _leaf_inplace_error() -> RuntimeError:
    return RuntimeError(
        "a leaf Variable that requires grad is being used in an in-place operation. Changing a "
        "parameter in place would silently make recorded gradients wrong; do updates inside "
        "`with minigrad.no_grad():` (p -= lr * p.grad), or use an out-of-place op (x = x + 1)."
    )


class _MaxResult(NamedTuple):
    """``(values, indices)``, as ``torch.return_types.max``."""

    values: Tensor
    indices: Tensor


def _tensor_arg(other: Any, name: str) -> Tensor:
    """``other``, which must be a Tensor (``maximum(x, 2)`` is a TypeError in torch)."""
    if not isinstance(other, TensorBase):
        raise TypeError(
            f"{name}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    return other  # type: ignore[return-value]  # a Tensor: the only TensorBase subclass


def _expand_shape(shape: tuple[int, ...], sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape ``expand(*sizes)`` makes of ``shape``, checked as torch checks it."""
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _shape_arg(sizes)
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    new = tuple(shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, n in enumerate(new):
        old = shape[i - lead] if i >= lead else 1
        if n < 0 or old not in (1, n):
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
    return new


def _permutation(dims: tuple[Any, ...], ndim: int) -> tuple[int, ...]:
    """``permute``'s dims, checked: one per dim, each once."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    perm = _shape_arg(dims)
    if len(perm) != ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not "
            f"equal to len(dims) = {len(perm)}"
        )
    if len({d % max(ndim, 1) for d in perm}) != len(perm):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return perm


def _flatten_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape ``flatten`` makes (dims already checked), or None where torch returns the
    tensor itself (a single dim to merge)."""
    start, end = dims
    if not shape:
        return (1,)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return None
    return (*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :])


def _correction(dim: Any, unbiased: Any, correction: float | None) -> tuple[Any, float]:
    """``var`` / ``std``'s dims and correction (``x.var(False)`` is the old ``unbiased``)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return dim, correction if correction is not None else 0 if unbiased is False else 1


def _view_error() -> RuntimeError:
    return RuntimeError(
        "view size is not compatible with input tensor's size and stride (at least one "
        "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
    )


def _empty_reduction_error() -> RuntimeError:
    return RuntimeError(
        "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument."
    )


def _check_matmul_ndim(name: str, a: np.ndarray, b: np.ndarray) -> None:
    """``mm`` takes two matrices, ``dot`` two vectors of one length (as torch checks)."""
    if name == "mm" and (a.ndim != 2 or b.ndim != 2):
        raise RuntimeError(
            f"mm: both arguments must be matrices (2-D), got {a.ndim}-D and {b.ndim}-D; use "
            f"matmul (@) for other shapes."
        )
    if name == "dot" and (a.ndim != 1 or b.ndim != 1):
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors: dot takes two "
            f"vectors; use matmul (@) for matrices."
        )
    if name == "dot" and a.shape != b.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements: dot needs equal lengths."
        )


def _unique(dims: tuple[int, ...], dim: Any, ndim: int) -> tuple[int, ...]:
    """``dims`` (normalised from ``dim``), refused if a dim repeats (as torch refuses it)."""
    given = [d % max(ndim, 1) for d in ((dim,) if isinstance(dim, int) else tuple(dim))]
    if len(set(given)) != len(given):
        raise RuntimeError(f"dim {given[0]} appears multiple times in the list of dims")
    return dims


def _arg_index(x: np.ndarray, fn: Any, flat: bool, dim: int | None, keepdim: bool) -> np.ndarray:
    """``argmax`` / ``argmin`` (``fn``) of ``x``, flattened or along ``dim``, as torch: int64,
    refused for bools and for an empty reduction."""
    name = fn.__name__
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if flat:
        if x.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        i = fn(x)
        return np.asarray(i if not keepdim else np.reshape(i, (1,) * x.ndim), dtype=np.int64)
    if x.ndim and dim is not None and x.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    return np.asarray(fn(x, dim, keepdims=keepdim) if x.ndim else 0, dtype=np.int64)
