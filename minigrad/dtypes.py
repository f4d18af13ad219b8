"""dtypes: the names minigrad exports (``float32``, ``int64``, ...) and torch's promotion rules.

minigrad's dtypes are numpy's. What differs from numpy is promotion: torch ranks categories
(bool < integer < floating point), lets a tensor with dimensions win over a 0-d one of the same
category, and treats a Python number as *weak* (``float32_tensor * 2.5`` stays float32).
"""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.float16
float32 = np.float32
float64 = np.float64
int64 = np.int64
int32 = np.int32
int8 = np.int8
uint8 = np.uint8
bool_ = np.bool_

DEFAULT_FLOAT = np.dtype(np.float32)  # torch's default: tensor([1.0]) is float32
INT64 = np.dtype(np.int64)
BOOL = np.dtype(np.bool_)

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def is_float(dtype: np.dtype) -> bool:
    """True for the dtypes that can carry a gradient (floating point or complex)."""
    return dtype.kind in "fc"


def promote(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cast two arrays to torch's result dtype.

    A higher category (bool < int < float) wins; within a category, an array with dimensions
    wins over a 0-d one (float32 matrix * float64 0-d tensor is float32), else the wider type.
    """
    if a.dtype == b.dtype:
        return a, b
    ca, cb = _CATEGORY[a.dtype.kind], _CATEGORY[b.dtype.kind]
    if ca != cb:
        dt = a.dtype if ca > cb else b.dtype
    elif (a.ndim == 0) != (b.ndim == 0):
        dt = b.dtype if a.ndim == 0 else a.dtype
    else:
        dt = np.promote_types(a.dtype, b.dtype)
    return cast(a, dt), cast(b, dt)


def cast(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """``a`` as dtype ``dt``. An expanded array (a stride 0) stays expanded: torch converts
    while it computes, and numpy's copy would put the repeated dim first in memory, and then
    the op's result too (``view()`` of it would then refuse where torch's does not)."""
    if a.dtype == dt:
        return a
    if 0 in a.strides and a.size > 1:
        one = a[tuple(slice(0, 1) if st == 0 else slice(None) for st in a.strides)]
        return np.broadcast_to(one.astype(dt), a.shape)
    return a.astype(dt)


def scalar_dtype(value: Any, like: np.dtype) -> np.dtype:
    """The dtype of ``tensor op value`` for a Python number ``value`` (weak, as in torch: it
    keeps the tensor's dtype unless it is of a higher category, bool < int < float)."""
    if like.kind in "fc" or isinstance(value, (bool, np.bool_)):
        return like
    if isinstance(value, (int, np.integer)):
        return INT64 if like.kind == "b" else like  # bool tensor + 2 is int64
    return DEFAULT_FLOAT  # an integer tensor with a float number: the default float dtype


def _promote_types(a: np.dtype | None, b: np.dtype) -> np.dtype:
    """torch's ``promote_types``: the higher category wins, else the wider type."""
    if a is None:
        return b
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    return (a if ca > cb else b) if ca != cb else np.promote_types(a, b)


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """torch's ``combine_categories``: ``higher`` (dimensioned tensors, say) wins unless
    ``lower`` (0-d tensors, numbers) is of a higher category."""
    if higher is None or lower is None:
        return lower if higher is None else higher
    if higher.kind in "fc":
        return higher
    if higher.kind == "b" or lower.kind in "fc":
        return _promote_types(higher, lower)
    return higher


def result_type(*values: Any) -> np.dtype:
    """torch's result dtype of several operands (arrays, or Python numbers, which are weak), as
    ``torch.result_type``: dimensioned tensors, then 0-d tensors, then numbers."""
    dims = zero = wrapped = None
    for v in values:
        if isinstance(v, np.ndarray):
            if v.ndim:
                dims = _promote_types(dims, v.dtype)
            else:
                zero = _promote_types(zero, v.dtype)
        else:
            wrapped = _promote_types(wrapped, infer_dtype(v))
    return _combine(dims, _combine(zero, wrapped)) or DEFAULT_FLOAT


def operands(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    """The two operands of a binary op as arrays of one dtype (arrays promote, numbers are weak)."""
    if isinstance(a, np.ndarray):
        if isinstance(b, np.ndarray):
            return promote(a, b)
        dt = a.dtype if a.dtype.kind in "fc" else scalar_dtype(b, a.dtype)  # (float: kept)
        return cast(a, dt), np.array(b, dtype=dt)
    if isinstance(b, np.ndarray):
        dt = b.dtype if b.dtype.kind in "fc" else scalar_dtype(a, b.dtype)
        return np.array(a, dtype=dt), cast(b, dt)
    raise TypeError(
        f"expected at least one Tensor operand, got {type(a).__name__} and {type(b).__name__}: "
        f"make one of them a tensor (minigrad.tensor(value))"
    )


def infer_dtype(data: Any) -> np.dtype:
    """dtype of ``tensor(data)`` when none is given: float32 for Python floats, int64 for ints."""
    if isinstance(data, (np.ndarray, np.generic)):
        return data.dtype
    dtype = np.asarray(data).dtype
    if dtype.kind == "f":
        return DEFAULT_FLOAT
    if dtype.kind in "iu":
        return INT64
    return dtype
