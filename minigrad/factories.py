"""Making tensors: ``tensor``, ``zeros``, ``randn``, ``arange``, ... with torch's signatures.

Floats become float32 and ints int64 unless a ``dtype`` is given, as in torch. Keyword
arguments are checked as torch checks them: a misspelt one (``requires_grd=True``) is a
TypeError, not silently ignored; ``device`` may only be the CPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._tensor import Tensor, to_array
from minigrad.dtypes import DEFAULT_FLOAT, INT64, infer_dtype
from minigrad.random import generator
from minigrad.tensor_args import _check_device, _shape_arg

__all__ = [
    "arange", "as_tensor", "empty", "eye", "from_numpy", "full", "full_like", "linspace", "ones",
    "ones_like", "rand", "rand_like", "randint", "randn", "randn_like", "randperm", "tensor",
    "zeros", "zeros_like",
]  # fmt: skip


def _size(size: tuple[Any, ...], name: str) -> tuple[int, ...]:
    """A factory's ``*size`` (``zeros(2, 3)`` or ``zeros((2, 3))``; ``zeros(())`` is 0-d)."""
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    return _shape_arg(size)


def _new_tensor(arr: np.ndarray, requires_grad: bool = False, device: Any = None) -> Tensor:
    _check_device(device)
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(
    data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (floats become float32, ints int64, like torch)."""
    return _new_tensor(to_array(data, dtype), requires_grad, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (keeps its dtype)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._wrap(array)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with a numpy array or Tensor when possible."""
    _check_device(device)
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype):
        return Tensor._wrap(data)
    return tensor(data, dtype=dtype)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` is given)."""
    arr = np.zeros(_size(size, "zeros"), dtype=dtype or DEFAULT_FLOAT)
    return _new_tensor(arr, requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _new_tensor(
        np.ones(_size(size, "ones"), dtype=dtype or DEFAULT_FLOAT), requires_grad, device
    )


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (zeros here, for reproducibility)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor filled with ``fill_value``."""
    dtype = infer_dtype(fill_value) if dtype is None else dtype
    return _new_tensor(np.full(tuple(size), fill_value, dtype=dtype), requires_grad, device)


def zeros_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros with ``input``'s shape and dtype."""
    return zeros(
        input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad
    )


def ones_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones with ``input``'s shape and dtype."""
    return ones(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` with ``input``'s shape and dtype."""
    arr = np.full(input.shape, fill_value, dtype=dtype or input.dtype)
    return _new_tensor(arr, requires_grad, device)


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples (from minigrad's generator, see ``manual_seed``)."""
    arr = generator().standard_normal(_size(size, "randn"), dtype=np.dtype(dtype or DEFAULT_FLOAT))
    return _new_tensor(arr, requires_grad, device)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    arr = generator().random(_size(size, "rand"), dtype=np.dtype(dtype or DEFAULT_FLOAT))
    return _new_tensor(arr, requires_grad, device)


def randn_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples with ``input``'s shape and dtype."""
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples with ``input``'s shape and dtype."""
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(
    low: int, high: Any = None, size: Any = (), *, dtype: Any = None, device: Any = None
) -> Tensor:
    """Random integers in [low, high) (``randint(high, size)`` also works)."""
    if high is None or isinstance(high, (tuple, list)):
        low, high, size = 0, low, high if high is not None else size
    return _new_tensor(
        generator().integers(low, high, tuple(size), dtype=dtype or INT64), False, device
    )


def randperm(n: int, *, dtype: Any = None, device: Any = None) -> Tensor:
    """A random permutation of 0..n-1."""
    return _new_tensor(generator().permutation(n).astype(dtype or INT64), False, device)


def arange(
    start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """Values from ``start`` to ``end`` (exclusive); int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = INT64 if ints else DEFAULT_FLOAT
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype.kind in "iu":  # torch counts in the dtype: arange(-1, 1, 0.5) has a step of 0
        start, step = int(start), int(step)
        if step == 0:
            raise ValueError("step must be nonzero (it truncates to 0 in an integer dtype)")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    return _new_tensor(np.arange(start, end, step).astype(dtype), requires_grad, device)


def linspace(
    start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """``steps`` evenly spaced values from ``start`` to ``end``."""
    dt = np.dtype(dtype or DEFAULT_FLOAT)
    if dt.kind == "b" and steps > 1:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if dt.kind in "iu":  # torch converts the ends to the integer dtype first
        start, end = int(start), int(end)
    arr = np.linspace(start, end, steps).astype(dt)
    return _new_tensor(arr, requires_grad, device)


def eye(
    n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """The identity matrix."""
    return _new_tensor(np.eye(n, m, dtype=dtype or DEFAULT_FLOAT), requires_grad, device)
