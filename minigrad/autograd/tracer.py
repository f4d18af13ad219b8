"""``Tracer``: a stand-in for a numpy array that records what is done to it as minigrad ops.

Every backward rule of minigrad is written once, in numpy's vocabulary (``dy * np.exp(x)``,
``np.where(a < b, 0, dy)``, ``grad.sum(axis=axes, keepdims=True)``, ``dy @ b.T``). On the
fast path the rules get numpy arrays and return arrays. Under ``create_graph=True`` the same
rules get Tracers instead: each wraps a :class:`~minigrad.Tensor`, and numpy hands every call
on it back to the Tracer through its two dispatch protocols, ``__array_ufunc__`` (NEP 13: ``*``,
``np.exp``, ``np.maximum``, ...) and ``__array_function__`` (NEP 18: ``np.where``,
``np.expand_dims``, ...). The Tracer answers each with the minigrad op that computes the same
thing, so the rule's result is a Tensor with a graph of its own: the backward pass, recorded.

What is not differentiable is computed on the plain arrays and comes back as a numpy array (a
constant of the new graph): comparisons and masks (``x == y``, ``np.isnan``), ``np.floor``,
``np.floor_divide``. ``np.sign`` is recorded, as minigrad's (and torch's) ``sign``, whose
derivative is 0: so ``abs``'s gradient ``dy * sign(x)`` depends on x, as torch's
``grad * self.sgn()`` does (its gradient requires grad, and a third derivative is 0, not an
error). A numpy call the Tracer
does not know, or a rule that writes a traced value into a numpy array in place, raises a
TypeError that names it instead of computing a silently wrong second derivative.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad._tensor import Tensor, apply
from minigrad.kernels.activations import _math_erf, _math_erfc
from minigrad.op import Ctx, Op
from minigrad.ops import shape
from minigrad.ops import shape as shape_ops
from minigrad.ops.elementwise import binary_op, unary_op
from minigrad.ops.inplace import IndexPut

__all__ = ["IndexAdd", "Tracer", "traced", "untraced"]

# ufunc -> the kernel that differentiates it (minigrad's name for it)
_UNARY: dict[Any, str] = {
    np.negative: "neg", np.absolute: "abs", np.exp: "exp", np.exp2: "exp2", np.expm1: "expm1",
    np.log: "log", np.log2: "log2", np.log10: "log10", np.log1p: "log1p", np.sqrt: "sqrt",
    np.square: "square", np.reciprocal: "reciprocal", np.sin: "sin", np.cos: "cos",
    np.tan: "tan", np.arcsin: "asin", np.arccos: "acos", np.arctan: "atan", np.sinh: "sinh",
    np.cosh: "cosh", np.tanh: "tanh", np.arcsinh: "asinh", np.arccosh: "acosh",
    np.arctanh: "atanh", _math_erf: "erf", _math_erfc: "erfc", np.sign: "sign",
}  # fmt: skip
_BINARY: dict[Any, str] = {
    np.add: "add", np.subtract: "sub", np.multiply: "mul", np.true_divide: "div",
    np.power: "pow", np.maximum: "maximum", np.minimum: "minimum", np.remainder: "remainder",
}  # fmt: skip
# Piecewise constant or boolean: computed on the arrays, a constant of the new graph.
_CONSTANT = {
    np.floor, np.ceil, np.rint, np.trunc, np.floor_divide, np.isnan, np.isinf,
    np.isfinite, np.signbit, np.equal, np.not_equal, np.less, np.less_equal, np.greater,
    np.greater_equal, np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert,
}  # fmt: skip


def _unrecordable(what: str) -> TypeError:
    return TypeError(
        f"a backward rule did {what} on a traced gradient (create_graph=True), and minigrad "
        f"cannot record that as an op, so the second derivative would be wrong. Write the rule "
        f"with the numpy calls minigrad.autograd.tracer supports (start a scatter from "
        f"np.empty_like(dy, shape=...) or np.zeros_like(dy, ...), which the Tracer makes)."
    )


def untraced(x: Any) -> Any:
    """The plain value under ``x``: a Tracer's array, anything else as it is."""
    return x.t._data if isinstance(x, Tracer) else x


def _arg(x: Any) -> Any:
    """An operand for ``apply``: a Tracer's Tensor, a constant as it is."""
    return x.t if isinstance(x, Tracer) else x


def _const(x: Any) -> Tensor:
    """A Tensor for ``x``: a Tracer's own, else a constant (requires no grad)."""
    return x.t if isinstance(x, Tracer) else Tensor._wrap(np.asarray(x))


def traced(t: Tensor) -> Tracer:
    """The Tracer of Tensor ``t`` (what a backward rule gets under ``create_graph=True``)."""
    return Tracer(t)


def _dummy(shape_: tuple[int, ...]) -> np.ndarray:
    """An array of ``shape_`` that takes no memory: numpy's shape functions run on it."""
    return np.broadcast_to(np.empty((), dtype=bool), shape_)


class IndexAdd(Op):
    """``np.add.at(x, index, v)`` out of place (the scatter of Index's and Gather's backward):
    a copy of x with v added at index; repeated indices add up."""

    saved_as = ()

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, v: np.ndarray, index: Any) -> np.ndarray:
        """x + v scattered at ``index``."""
        y = x.copy()
        np.add.at(y, index, v)
        ctx.index = index
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: Any) -> tuple[Any, Any]:
        """x gets dy; v gets dy picked at ``index`` (a gather)."""
        need_x, need_v = ctx.needs_input_grad
        return (dy.copy() if need_x else None), (dy[ctx.index] if need_v else None)


class Tracer:
    """A Tensor dressed as a numpy array: numpy calls on it become recorded minigrad ops.

    Only backward rules under ``create_graph=True`` see Tracers; ``t`` is the Tensor. A rule
    may write into a Tracer it made itself (``np.zeros_like(dy, ...)``, ``dy.copy()``): the
    write (``dx[index] = dy``, ``np.add.at(dx, index, dy)``) replaces ``t`` by a recorded
    out-of-place op. Writing into a view (``dx.reshape(-1)[i] = ...``) would have to reach
    ``dx`` too, and is refused (``own``: this Tracer is no view of another).
    """

    __slots__ = ("own", "t")
    __array_priority__ = 2000

    def __init__(self, t: Tensor, own: bool = False) -> None:
        self.t, self.own = t, own

    def _write(self, what: str) -> None:
        if not self.own:
            raise _unrecordable(f"{what} into a view or an input")

    # --- what a rule reads off an array ------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return self.t._data.shape

    @property
    def dtype(self) -> np.dtype:
        """The array's dtype."""
        return self.t._data.dtype

    @property
    def ndim(self) -> int:
        """The number of dims."""
        return self.t._data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self.t._data.size

    def __len__(self) -> int:
        return len(self.t._data)

    def __repr__(self) -> str:
        return f"Tracer({self.t!r})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise _unrecordable("np.asarray / np.array, or a write into a numpy array,")

    # --- the two dispatch protocols ------------------------------------------------------------

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "at" and ufunc is np.add:
            target, index, value = inputs
            if not isinstance(target, Tracer):
                raise _unrecordable("np.add.at into a numpy array")
            target._write("np.add.at")
            target.t = apply(IndexAdd, target.t, _const(value), index=index)
            return None
        if method != "__call__":
            raise _unrecordable(f"np.{ufunc.__name__}.{method}")
        if ufunc in _CONSTANT:
            plain = [untraced(x) for x in inputs]
            out = kwargs.pop("out", None)
            if out is not None:
                kwargs["out"] = tuple(untraced(o) for o in out)
            return ufunc(*plain, **kwargs)
        if kwargs:
            raise _unrecordable(f"np.{ufunc.__name__}(..., {', '.join(kwargs)}=)")
        if ufunc is np.positive:
            return Tracer(_const(inputs[0]).clone())
        if ufunc in _UNARY:
            return Tracer(apply(unary_op(_UNARY[ufunc]), _const(inputs[0])))
        if ufunc in _BINARY:
            a, b = inputs
            return Tracer(apply(binary_op(_BINARY[ufunc]), _arg(a), _arg(b)))
        raise _unrecordable(f"np.{ufunc.__name__}")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        handler = _FUNCTIONS.get(func)
        if handler is None:
            raise _unrecordable(f"np.{func.__name__}")
        return handler(*args, **kwargs)

    # --- operators: numpy's ufuncs, through the protocol ---------------------------------------

    def __add__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.add, "__call__", self, o)

    def __radd__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.add, "__call__", o, self)

    def __sub__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.subtract, "__call__", self, o)

    def __rsub__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.subtract, "__call__", o, self)

    def __mul__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.multiply, "__call__", self, o)

    def __rmul__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.multiply, "__call__", o, self)

    def __truediv__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.true_divide, "__call__", self, o)

    def __rtruediv__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.true_divide, "__call__", o, self)

    def __pow__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.power, "__call__", self, o)

    def __rpow__(self, o: Any) -> Any:
        return self.__array_ufunc__(np.power, "__call__", o, self)

    def __neg__(self) -> Any:
        return self.__array_ufunc__(np.negative, "__call__", self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return self.__array_ufunc__(np.absolute, "__call__", self)

    def __matmul__(self, o: Any) -> Tracer:
        return Tracer(_const(self).matmul(_const(o)))

    def __rmatmul__(self, o: Any) -> Tracer:
        return Tracer(_const(o).matmul(_const(self)))

    def __lt__(self, o: Any) -> Any:
        return np.less(self.t._data, untraced(o))

    def __le__(self, o: Any) -> Any:
        return np.less_equal(self.t._data, untraced(o))

    def __gt__(self, o: Any) -> Any:
        return np.greater(self.t._data, untraced(o))

    def __ge__(self, o: Any) -> Any:
        return np.greater_equal(self.t._data, untraced(o))

    def __eq__(self, o: Any) -> Any:
        return np.equal(self.t._data, untraced(o))

    def __ne__(self, o: Any) -> Any:
        return np.not_equal(self.t._data, untraced(o))

    __hash__ = object.__hash__

    # --- ndarray methods the rules use ---------------------------------------------------------

    @property
    def T(self) -> Tracer:
        """All dims reversed."""
        return Tracer(self.t.T)

    def reshape(self, *shape_: Any) -> Tracer:
        """``a.reshape(shape)``."""
        new = shape_[0] if len(shape_) == 1 and not isinstance(shape_[0], int) else shape_
        return Tracer(self.t.reshape(tuple(new)))

    def transpose(self, *axes: Any) -> Tracer:
        """``a.transpose(axes)`` (numpy's: a permutation, not two dims)."""
        perm = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes
        return _transpose(self, tuple(perm) or None)

    def swapaxes(self, a: int, b: int) -> Tracer:
        """Swap two dims."""
        return Tracer(self.t.transpose(a, b))

    def squeeze(self, axis: Any = None) -> Tracer:
        """Drop size-1 dims."""
        return _squeeze(self, axis)

    def sum(self, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Tracer:
        """``a.sum(axis, keepdims=)``."""
        return _sum(self, axis, dtype, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tracer:
        """``a.mean(axis, keepdims=)``."""
        return Tracer(self.t.mean(() if axis is None else axis, keepdim=keepdims))

    def astype(self, dtype: Any, copy: bool = True) -> Tracer:
        """In another dtype (a recorded conversion)."""
        if np.dtype(dtype) == self.dtype:
            return Tracer(self.t.clone()) if copy else self
        return Tracer(self.t.to(np.dtype(dtype)))

    def copy(self, order: str = "K") -> Tracer:
        """A recorded copy (``clone``), which the rule may write into."""
        return Tracer(self.t.clone(), own=True)

    def all(self) -> Any:
        """Of the values (a constant)."""
        return self.t._data.all()

    def any(self) -> Any:
        """Of the values (a constant)."""
        return self.t._data.any()

    def __getitem__(self, index: Any) -> Tracer:
        if isinstance(index, tuple) and any(isinstance(i, np.ndarray) for i in index):
            return Tracer(apply(shape.Index, self.t, index=index))
        if isinstance(index, np.ndarray):
            return Tracer(apply(shape.Index, self.t, index=index))
        return Tracer(apply(shape.Slice, self.t, index=index))

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __setitem__(self, index: Any, value: Any) -> None:
        self._write("an indexed write")
        if isinstance(value, Tracer):
            self.t = apply(IndexPut, self.t, value.t, index=index, tensor=True)
        else:
            self.t = apply(IndexPut, self.t, index=index, value=value)


# --- numpy functions (NEP 18) ------------------------------------------------------------------


def _where(cond: Any, a: Any, b: Any) -> Tracer:
    return Tracer(apply(shape.Where, np.asarray(untraced(cond)), _arg(a), _arg(b)))


def _expand_dims(a: Tracer, axis: Any) -> Tracer:
    return a.reshape(np.expand_dims(_dummy(a.shape), axis).shape)


def _squeeze(a: Tracer, axis: Any = None) -> Tracer:
    return a.reshape(np.squeeze(_dummy(a.shape), axis).shape)


def _transpose(a: Tracer, axes: Any = None) -> Tracer:
    perm = tuple(range(a.ndim))[::-1] if axes is None else tuple(int(d) % a.ndim for d in axes)
    return Tracer(apply(shape.Permute, a.t, perm=perm))


def _swapaxes(a: Tracer, a1: int, a2: int) -> Tracer:
    return a.swapaxes(a1, a2)


def _moveaxis(a: Tracer, source: Any, destination: Any) -> Tracer:
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src, dst = [s % a.ndim for s in src], [d % a.ndim for d in dst]
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return _transpose(a, order)


def _broadcast_to(a: Tracer, shape_: Any, subok: bool = False) -> Tracer:
    shape_ = (shape_,) if isinstance(shape_, int) else tuple(shape_)
    return Tracer(apply(shape.Expand, a.t, shape=shape_))


def _sum(a: Tracer, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Tracer:
    t = a.t if dtype is None or np.dtype(dtype) == a.dtype else a.t.to(np.dtype(dtype))
    if axis is None and not keepdims:
        return Tracer(t.sum())
    return Tracer(t.sum(() if axis is None else axis, keepdim=keepdims))


def _flip(a: Tracer, axis: Any = None) -> Tracer:
    dims = tuple(range(a.ndim)) if axis is None else (axis,) if isinstance(axis, int) else axis
    return Tracer(a.t.flip(*dims)) if a.ndim else a.copy()


def _cumsum(a: Tracer, axis: Any = None) -> Tracer:
    return Tracer(a.t.cumsum(axis if axis is not None else 0))


def _cumprod(a: Tracer, axis: Any = None) -> Tracer:
    """Running products as recorded multiplies (Hillis and Steele's scan: after the step of
    width w each entry holds the product of the w before it and itself), so that they can be
    differentiated again, and exactly where an entry is 0 (no division)."""
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis %= a.ndim
    n, pre, y, width = a.shape[axis], (slice(None),) * axis, a, 1
    while width < n:
        ones = np.ones((*a.shape[:axis], width, *a.shape[axis + 1 :]), dtype=a.dtype)
        y = y * np.concatenate([ones, y[(*pre, slice(0, n - width))]], axis)
        width *= 2
    return y


def _concatenate(arrays: Any, axis: int = 0) -> Tracer:
    return Tracer(apply(shape.Cat, *[_const(x) for x in arrays], dim=axis))


def _split(a: Tracer, bounds: Any, axis: int = 0) -> list[Tracer]:
    edges = [0, *[int(b) for b in bounds], a.shape[axis]]
    pre = (slice(None),) * (axis % a.ndim)
    return [a[(*pre, slice(lo, hi))] for lo, hi in itertools.pairwise(edges)]


def _zeros_like(a: Any, dtype: Any = None, order: str = "K", subok: bool = True,
                shape: Any = None) -> Tracer:  # fmt: skip
    dt = untraced(a).dtype if dtype is None else dtype
    zeros = np.zeros(untraced(a).shape if shape is None else shape, dt)
    return Tracer(Tensor._wrap(zeros), own=True)


def _full_like(a: Any, fill_value: Any, dtype: Any = None, order: str = "K", subok: bool = True,
               shape: Any = None) -> Tracer:  # fmt: skip
    target = untraced(a).shape if shape is None else tuple(shape)
    fill = _const(fill_value)
    if dtype is not None and np.dtype(dtype) != fill.dtype:
        fill = fill.to(np.dtype(dtype))
    return Tracer(apply(shape_ops.Expand, fill, shape=target).clone(), own=True)


def _put_along_axis(arr: Any, indices: np.ndarray, values: Any, axis: int) -> None:
    if not isinstance(arr, Tracer):
        raise _unrecordable("np.put_along_axis into a numpy array")
    where: list[Any] = list(np.indices(indices.shape, sparse=True))
    where[axis] = indices
    arr[tuple(where)] = values


def _take_along_axis(arr: Tracer, indices: np.ndarray, axis: int) -> Tracer:
    where: list[Any] = list(np.indices(indices.shape, sparse=True))
    where[axis] = indices
    return arr[tuple(where)]


def _copy(a: Tracer, order: str = "K", subok: bool = False) -> Tracer:
    return a.copy()


def _reshape(a: Tracer, shape_: Any, order: str = "C") -> Tracer:
    return a.reshape(shape_)


_FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.where: _where, np.expand_dims: _expand_dims, np.squeeze: _squeeze,
    np.transpose: _transpose, np.swapaxes: _swapaxes, np.moveaxis: _moveaxis,
    np.broadcast_to: _broadcast_to, np.sum: _sum, np.flip: _flip, np.cumsum: _cumsum,
    np.cumprod: _cumprod,
    np.concatenate: _concatenate, np.split: _split, np.zeros_like: _zeros_like,
    np.full_like: _full_like, np.empty_like: _zeros_like,
    np.put_along_axis: _put_along_axis, np.take_along_axis: _take_along_axis, np.copy: _copy,
    np.reshape: _reshape, np.shape: lambda a: a.shape, np.ndim: lambda a: a.ndim,
}  # fmt: skip
