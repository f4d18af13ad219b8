"""``minigrad.Tensor``, and :func:`apply`: the one path by which an op makes tensors.

A Value (notebook 3) is one number per graph node; a Tensor is one *array* per node, so one
matrix multiply is one node and its backward is one more matrix multiply, not a million scalar
nodes. The Tensor is thin: it holds a numpy array and the autograd bookkeeping (``grad``,
``grad_fn``, ``requires_grad``), and each of its ops is one line that hands an :class:`Op` (from
:mod:`minigrad.ops`) to :func:`apply`. Gradients come back to tensors through :func:`backward`
and :func:`grad`, which run the loop of :mod:`minigrad.graph`.

Named ``_tensor`` (as torch's ``torch/_tensor.py``): ``minigrad.tensor`` stays the function.

Speed notes (per-op Python overhead is what a small network pays for): tensors and nodes use
``__slots__``; an op records a node only when grad mode is on and an input requires grad;
nodes hold numpy arrays, never their output tensor (no reference cycles, so memory is freed as
soon as the graph is dropped); float32 stays float32 (numbers are weak, as in torch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from minigrad import dtypes, views
from minigrad.dtypes import DEFAULT_FLOAT
from minigrad.grad_mode import grad_mode
from minigrad.graph import NO_EDGE, Node, backward, edge
from minigrad.op import Op
from minigrad.ops import elementwise as ew
from minigrad.ops import linalg, reductions, shape, softmax
from minigrad.ops.elementwise import binary_op, unary_op
from minigrad.ops.inplace import IndexPut
from minigrad.random import generator
from minigrad.tensor_args import (
    _arg_index,
    _bounds,
    _check_device,
    _check_matmul_ndim,
    _correction,
    _empty_reduction_error,
    _expand_shape,
    _flatten_shape,
    _index_arg,
    _MaxResult,
    _one_dim,
    _permutation,
    _scaled,
    _shape_arg,
    _split_index,
    _tensor_arg,
    _unique,
    _view_error,
)
from minigrad.tensor_base import TensorBase

__all__ = ["Tensor", "apply", "to_array"]

_new = object.__new__


def apply(op: type[Op], *inputs: Any, **params: Any) -> Any:
    """Apply ``op`` to ``inputs`` (Tensors, or numbers standing in for them): every op, built in
    or a user's ``autograd.Function``, makes its outputs here.

    1. note which inputs need a gradient: grad mode is on and the input requires grad;
    2. make the op's node, which is also the ``ctx`` its forward and backward share;
    3. run the forward on the inputs' arrays (a Function's adapter hands it Tensors instead);
    4. wrap the output arrays as Tensors and, if any input needs a gradient, record the node:
       its edges to the inputs' nodes, and itself as the outputs' ``grad_fn``.
    """
    # One or two inputs (nearly every op): no loop, no *args (the per-op cost a small net pays)
    needs: tuple[bool, ...]
    if (n := len(inputs)) == 2:
        a, b = inputs
        ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
        need_a = ta and a._rg and grad_mode.enabled
        need_b = tb and b._rg and grad_mode.enabled
        record, needs = need_a or need_b, (need_a, need_b)
    elif n == 1 and isinstance(inputs[0], Tensor):
        x = inputs[0]
        record = x._rg and grad_mode.enabled
        needs = (record,)
    else:
        n = 0  # (the general path)
        needs = tuple([isinstance(x, Tensor) and x._rg and grad_mode.enabled for x in inputs])
        record = True in needs
    on_arrays = op.on_arrays
    ctx = _new(op.node) if record or not on_arrays else op.idle
    ctx.needs_input_grad = needs
    if not on_arrays:
        out = op.run_forward(ctx, inputs, params)  # type: ignore[attr-defined]
    elif n == 2:
        arr_a, arr_b = a._data if ta else a, b._data if tb else b
        out = op.forward(ctx, arr_a, arr_b, **params) if params else op.forward(ctx, arr_a, arr_b)
    elif n == 1:
        out = op.forward(ctx, x._data, **params) if params else op.forward(ctx, x._data)
    else:
        out = op.forward(ctx, *[x._data if isinstance(x, Tensor) else x for x in inputs], **params)
    if record:  # a non-leaf's edge inline; a leaf's (its AccumulateGrad node) via edge()
        if n == 2:
            ctx.next_functions = (
                NO_EDGE if not need_a else (a.grad_fn, a._output_nr) if a.grad_fn else edge(a),
                NO_EDGE if not need_b else (b.grad_fn, b._output_nr) if b.grad_fn else edge(b),
            )
        elif n == 1:
            ctx.next_functions = ((x.grad_fn, x._output_nr) if x.grad_fn else edge(x),)
        else:
            ctx.next_functions = tuple(
                [edge(x) if need else NO_EDGE for x, need in zip(inputs, needs, strict=True)]
            )
    if type(out) is np.ndarray:
        if record and out.dtype.kind in "fc":
            return _wrap(out, True, ctx)
        return _wrap(out)
    if type(out) is not tuple:
        return _output(out, ctx, 0, record)
    return _outputs(out, ctx, record)


def _outputs(out: tuple[Any, ...], ctx: Node, record: bool) -> tuple[Any, ...]:
    """The outputs of an op with several (a function of its own: apply stays free of closures)."""
    if record:
        ctx._n_out = len(out)  # type: ignore[misc]  # (Node's class default, set on a Ctx)
    skip = getattr(ctx, "non_differentiable", ())
    return tuple(_output(y, ctx, nr, record and nr not in skip) for nr, y in enumerate(out))


def _output(y: Any, ctx: Node, nr: int, record: bool) -> Any:
    """Output ``nr`` of an op as a Tensor: a new one around an array (recorded if it is float),
    or an input that a Function changed in place (``mark_dirty``), its history rebased."""
    if isinstance(y, Tensor):
        if record:
            y._rg, y.grad_fn, y._output_nr = True, ctx, nr
        return y
    if not isinstance(y, np.ndarray):
        if not isinstance(y, np.generic):
            return y  # a Function may return other objects too: passed through
        y = np.asarray(y)
    if record and y.dtype.kind in "fc":
        t = _wrap(y, True, ctx)
        t._output_nr = nr
        return t
    return _wrap(y)


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """A fresh array from Python data, a numpy array or a Tensor (or nested lists of them)."""
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    return np.array(data, dtype=dtypes.infer_dtype(data) if dtype is None else dtype)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._wrap(to_array(x))


def _unary_method(name: str) -> Callable[[Tensor], Tensor]:
    op = unary_op(name)

    def method(self: Tensor) -> Tensor:
        return apply(op, self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Elementwise {name} (kernel ``UNARY_KERNELS[{name!r}]``)."
    return method


def _binary_method(name: str, reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    op = binary_op(name)

    def method(self: Tensor, other: Any) -> Tensor:
        return apply(op, other, self) if reflected else apply(op, self, other)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Elementwise {name} (kernel ``BINARY_KERNELS[{name!r}]``)."
    return method


def _times(self: Tensor, other: Any, alpha: Any, name: str) -> Any:
    """``alpha * other`` for ``add`` / ``sub`` (``alpha=``); a tensor through ``ew.Scale``."""
    scaled = _scaled(self, other, alpha, name)
    return apply(ew.Scale, scaled[0], alpha=alpha) if type(scaled) is tuple else scaled


def _op_method(op: type[Op], reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        return apply(op, other, self) if reflected else apply(op, self, other)

    method.__doc__ = f"Elementwise ``{op.__name__}`` (reflected: ``other op self``)."
    return method


def _inplace_method(ufunc: np.ufunc, name: str) -> Callable[..., Tensor]:
    op = binary_op(name)

    def method(self: Tensor, other: Any, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            other = _times(self, other, alpha, name)
        return views.ufunc_write(self, apply, ufunc, op, other)

    method.__doc__ = f"In place: self = self {name} other (``add_`` and ``sub_``: alpha * other)."
    return method


def _compare(ufunc: np.ufunc) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        o = other._data if isinstance(other, Tensor) else other
        try:
            return Tensor._wrap(np.asarray(ufunc(self._data, o)))
        except ValueError:
            ew.check_broadcast(self._data, np.asarray(o), ufunc.__name__)
            raise

    method.__doc__ = f"Elementwise ``np.{ufunc.__name__}`` (a bool tensor, no gradient)."
    return method


class Tensor(TensorBase):
    """A multi-dimensional array that can record the operations applied to it.

    Create one with :func:`minigrad.tensor` (``Tensor(data)`` also works and gives float32, as
    ``torch.Tensor``). ``requires_grad=True`` makes ops record a graph; ``backward()`` then
    fills ``.grad`` of the leaves.
    """

    def __init__(self, *data: Any, requires_grad: bool = False) -> None:
        if len(data) == 1 and not isinstance(data[0], int):
            arr = to_array(data[0], DEFAULT_FLOAT)
        else:
            arr = np.zeros(_shape_arg(data), dtype=DEFAULT_FLOAT)
        self._adopt(arr, requires_grad)

    @staticmethod
    def _wrap(data: np.ndarray, rg: bool = False, fn: Node | None = None) -> Tensor:
        """Wrap an ndarray without copying (the fast internal constructor)."""
        t = _new(Tensor)
        t._data, t._rg, t.grad, t.grad_fn, t._acc, t._output_nr = data, rg, None, fn, None, 0
        return t

    def _accumulate_grad(self, g: np.ndarray, may_keep: bool) -> None:
        """Add ``g`` into ``.grad`` (in this tensor's dtype, as torch): the one place where
        gradients accumulate. ``may_keep``: ``g`` is used nowhere else, so it may become
        ``.grad`` itself unless it is a view or read-only (then it is copied)."""
        if type(g) is not np.ndarray or g.dtype != self._data.dtype:
            g = np.asarray(g, dtype=self._data.dtype)
        old = self.grad
        if old is None:
            keep = may_keep and g.base is None and g.flags.writeable
            self.grad = Tensor._wrap(g if keep else g.copy())
        elif old._data.flags.writeable and old._data.shape == g.shape:
            np.add(old._data, g, out=old._data)
        else:
            old._data = old._data + g

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` is required when self is not a scalar (the gradient of some final scalar
        with respect to self). ``retain_graph=True`` keeps saved arrays for another backward.
        """
        backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph (requires_grad=False)."""
        return Tensor._wrap(self._data)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place."""
        self.grad_fn, self._rg = None, False
        return self

    @property
    def data(self) -> Tensor:
        """The same storage as a tensor that requires no grad (in-place changes are shared)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def clone(self) -> Tensor:
        """A copy that stays in the graph (in this tensor's memory layout, as torch's)."""
        return apply(shape.Clone, self)

    def contiguous(self) -> Tensor:
        """This tensor if its memory is in C order, else a copy that is."""
        return self if self._data.flags.c_contiguous else apply(shape.Clone, self, order="C")

    # --- elementwise ops: one line each, through the kernel table ---------------------------

    __add__ = _binary_method("add")
    __radd__ = _binary_method("add", reflected=True)
    __sub__ = _binary_method("sub")
    __rsub__ = _binary_method("sub", reflected=True)
    __floordiv__ = floor_divide = _op_method(ew.FloorDivide)
    __rfloordiv__ = _op_method(ew.FloorDivide, reflected=True)
    __mod__ = remainder = _binary_method("remainder")
    __rmod__ = _op_method(ew.RemainderOfNumber, reflected=True)

    __mul__ = mul = _binary_method("mul")
    __rmul__ = _binary_method("mul", reflected=True)
    __truediv__ = div = true_divide = _binary_method("div")
    __rtruediv__ = _binary_method("div", reflected=True)
    __pow__ = pow = _binary_method("pow")
    __rpow__ = _binary_method("pow", reflected=True)

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        """self + alpha * other."""
        return apply(binary_op("add"), self, _times(self, other, alpha, "add"))

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        """self - alpha * other."""
        return apply(binary_op("sub"), self, _times(self, other, alpha, "sub"))

    def maximum(self, other: Tensor) -> Tensor:
        """The elementwise maximum of two tensors (ties share the gradient)."""
        return apply(binary_op("maximum"), self, _tensor_arg(other, "maximum"))

    def minimum(self, other: Tensor) -> Tensor:
        """The elementwise minimum of two tensors."""
        return apply(binary_op("minimum"), self, _tensor_arg(other, "minimum"))

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Each element limited to [min, max] (numbers; either may be None)."""
        return apply(ew.Clamp, self, **_bounds(min, max))

    clip = clamp

    __neg__ = neg = negative = _unary_method("neg")
    __abs__ = abs = _unary_method("abs")
    exp, exp2, expm1 = _unary_method("exp"), _unary_method("exp2"), _unary_method("expm1")
    log, log2, log10 = _unary_method("log"), _unary_method("log2"), _unary_method("log10")
    log1p, sqrt, rsqrt = _unary_method("log1p"), _unary_method("sqrt"), _unary_method("rsqrt")
    square, reciprocal = _unary_method("square"), _unary_method("reciprocal")
    sin, cos, tan = _unary_method("sin"), _unary_method("cos"), _unary_method("tan")
    asin, acos, atan = _unary_method("asin"), _unary_method("acos"), _unary_method("atan")
    sinh, cosh, tanh = _unary_method("sinh"), _unary_method("cosh"), _unary_method("tanh")
    asinh, acosh, atanh = _unary_method("asinh"), _unary_method("acosh"), _unary_method("atanh")
    sigmoid, relu = _unary_method("sigmoid"), _unary_method("relu")
    erf, erfc = _unary_method("erf"), _unary_method("erfc")
    sign, floor, ceil = _unary_method("sign"), _unary_method("floor"), _unary_method("ceil")
    round = _unary_method("round")

    def __pos__(self) -> Tensor:
        return self

    # --- comparisons (no gradient) ---------------------------------------------------------

    __eq__ = eq = _compare(np.equal)  # type: ignore[assignment]
    __ne__ = ne = _compare(np.not_equal)  # type: ignore[assignment]
    __lt__ = lt = _compare(np.less)
    __le__ = le = _compare(np.less_equal)
    __gt__ = gt = _compare(np.greater)
    __ge__ = ge = _compare(np.greater_equal)

    def equal(self, other: Tensor) -> bool:
        """True if same shape and elements."""
        return bool(np.array_equal(self._data, other._data))

    def allclose(self, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        """True if all elements are close."""
        return bool(np.allclose(self._data, other._data, rtol=rtol, atol=atol))

    def any(self) -> Tensor:
        """True if any element is nonzero."""
        return Tensor._wrap(np.asarray(self._data.any()))

    def all(self) -> Tensor:
        """True if every element is nonzero."""
        return Tensor._wrap(np.asarray(self._data.all()))

    def isnan(self) -> Tensor:
        """Elementwise isnan."""
        return Tensor._wrap(np.isnan(self._data))

    # --- in-place ops: the result, out of place, written into this memory (minigrad.views) --

    __iadd__ = add_ = _inplace_method(np.add, "add")
    __isub__ = sub_ = _inplace_method(np.subtract, "sub")
    __imul__ = mul_ = _inplace_method(np.multiply, "mul")
    __itruediv__ = div_ = _inplace_method(np.true_divide, "div")
    __ifloordiv__, __imod__, __ipow__ = floor_divide_, remainder_, pow_ = views.op_writes(apply)

    clamp_ = clip_ = views.clamp_write(apply)

    def _put(self, index: Any, value: Any, strip: bool = False) -> Tensor:
        """``self[index] = value`` (``index`` as :func:`_index_arg` gives it; ``strip``: drop a
        value's leading size-1 dims, as torch's ``x[i] = v`` does and its ``copy_`` does not)."""
        idx, first = _split_index(index)
        if isinstance(value, Tensor):
            params = {"index": idx, "first": first, "strip": strip, "tensor": True}
            return views.write(self, apply, IndexPut, (value,), params)
        params = {"index": idx, "first": first, "value": value, "strip": strip}
        return views.write(self, apply, IndexPut, (), params)

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self._put(..., 0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value`` in place."""
        return self._put(..., value)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast) into this tensor in place."""
        return self._put(..., src if isinstance(src, Tensor) else Tensor._wrap(np.asarray(src)))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Fill in place with normal samples."""
        return self._put(..., generator().normal(mean, std, self._data.shape))

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Fill in place with uniform samples from [a, b)."""
        return self._put(..., generator().uniform(a, b, self._data.shape))

    def __setitem__(self, index: Any, value: Any) -> None:
        self._put(_index_arg(index, self._data)[0], value, strip=True)

    # --- matrix products -------------------------------------------------------------------

    def matmul(self, other: Any) -> Tensor:
        """Matrix product (``@``) with numpy's / torch's rules for 1-D and batched operands."""
        other = _as_tensor(other)
        a, b = self._data.ndim, other._data.ndim
        op = linalg.Mm if a == b == 2 else linalg.Dot if a == b == 1 else linalg.Matmul
        return apply(linalg.Mv if (a, b) == (2, 1) else op, self, other)

    __matmul__ = matmul

    def __rmatmul__(self, other: Any) -> Tensor:
        return _as_tensor(other).matmul(self)

    def mm(self, mat2: Tensor) -> Tensor:
        """Product of two 2-D tensors."""
        _check_matmul_ndim("mm", self._data, mat2._data)
        return self.matmul(mat2)

    def dot(self, other: Tensor) -> Tensor:
        """Dot product of two 1-D tensors."""
        _check_matmul_ndim("dot", self._data, other._data)
        return self.matmul(other)

    # --- reductions ------------------------------------------------------------------------

    def _dims(self, dim: Any) -> tuple[int, ...] | None:
        return reductions.dims_of(dim, self._data.ndim)

    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Sum of all elements, or over ``dim`` (an int or a tuple)."""
        if dim is None and not keepdim:
            return apply(reductions.SumAll, self)
        dims = reductions.dims_of(dim, self._data.ndim)
        return apply(reductions.Sum, self, dims=dims, keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Mean of all elements, or over ``dim``."""
        if dim is None and not keepdim:
            return apply(reductions.MeanAll, self)
        dims = reductions.dims_of(dim, self._data.ndim)
        return apply(reductions.Mean, self, dims=dims, keepdim=keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Product of all elements, or over ``dim`` (one dim, as torch)."""
        if dim is None:
            return apply(reductions.ProdAll, self)
        return apply(reductions.Prod, self, dims=self._dims(_one_dim(dim)), keepdim=keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The maximum over ``dim`` (all dims by default); ties share the gradient evenly."""
        return apply(reductions.Amax, self, dims=self._dims(dim), keepdim=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The minimum over ``dim`` (all dims by default)."""
        return apply(reductions.Amin, self, dims=self._dims(dim), keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:  # fmt: skip
        """Variance over ``dim``: sum((x - mean)^2) / (n - correction); correction is 1 unless
        ``correction=`` (or ``unbiased=False``: 0) says otherwise."""
        dim, c = _correction(dim, unbiased, correction)
        return apply(reductions.Var, self, dims=self._dims(dim), correction=c, keepdim=keepdim)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:  # fmt: skip
        """Standard deviation: the square root of :meth:`var` (same arguments)."""
        dim, c = _correction(dim, unbiased, correction)
        return apply(reductions.Std, self, dims=self._dims(dim), correction=c, keepdim=keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """log(sum(exp(x))) over ``dim``, without overflow."""
        if isinstance(dim, (tuple, list)) and not dim and not keepdim and self._data.ndim:
            if self._data.size:  # torch 2.13 refuses this one case (an empty tensor it sums)
                ones = [1] * self._data.ndim
                raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {ones}")
        return apply(reductions.Logsumexp, self, dims=self._dims(dim), keepdim=keepdim)

    def cumsum(self, dim: int) -> Tensor:
        """Running sums along ``dim``."""
        (d,) = self._dims(_one_dim(dim)) or (0,)
        return apply(reductions.Cumsum, self, dim=d)

    def _extreme(self, dim: Any, keepdim: bool, is_max: bool) -> Any:
        if isinstance(dim, Tensor):  # x.max(other): the elementwise maximum
            return apply(binary_op("maximum" if is_max else "minimum"), self, dim)
        if dim is None:
            if self._data.size == 0:
                raise _empty_reduction_error()
            return apply(reductions.MaxAll if is_max else reductions.MinAll, self)
        (d,) = self._dims(_one_dim(dim)) or (0,)
        op = reductions.Max if is_max else reductions.Min
        return _MaxResult(*apply(op, self, dim=d, keepdim=keepdim))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The maximum (gradient split evenly over ties), or ``(values, indices)`` over ``dim``."""
        return self._extreme(dim, keepdim, True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The minimum, or ``(values, indices)`` over ``dim``."""
        return self._extreme(dim, keepdim, False)

    def _arg(self, fn: Any, dim: int | None, keepdim: bool) -> Tensor:
        d = None if dim is None else (self._dims(_one_dim(dim)) or (None,))[0]
        return Tensor._wrap(_arg_index(self._data, fn, dim is None, d, keepdim))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the maximum (of the flattened tensor if ``dim`` is None)."""
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the minimum."""
        return self._arg(np.argmin, dim, keepdim)

    def softmax(self, dim: int) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``."""
        (d,) = reductions.dims_of(dim, self._data.ndim) or (None,)
        return apply(softmax.Softmax, self, dim=d)

    def log_softmax(self, dim: int) -> Tensor:
        """log(softmax(x)) along ``dim``, computed stably."""
        (d,) = reductions.dims_of(dim, self._data.ndim) or (None,)
        return apply(softmax.LogSoftmax, self, dim=d)

    # --- shape ops (views: they share this tensor's memory, see minigrad.views) ----------

    def reshape(self, *shape_: Any) -> Tensor:
        """The same elements in a new shape (one size may be -1); a view where possible."""
        return views.mark_view(self, apply(shape.View, self, shape=_shape_arg(shape_)))

    def view(self, *shape_: Any) -> Tensor:
        """:meth:`reshape`, refused (as in torch) where it would have to copy."""
        out = self.reshape(*shape_)
        if out._data.size and not np.may_share_memory(out._data, self._data):
            raise _view_error()
        return out

    def view_as(self, other: Tensor) -> Tensor:
        """View with ``other``'s shape."""
        return self.view(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one (this tensor itself if that is one dim)."""
        new = _flatten_shape(self._data.shape, self._dims((start_dim, end_dim)) or (0, 0))
        return self if new is None else self.reshape(new)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dim at ``dim``."""
        n = self._data.ndim + 1
        (d,) = reductions.dims_of(dim, n) or (0,)
        return views.mark_view(self, apply(shape.Unsqueeze, self, dim=d))

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove size-1 dims (only those of ``dim``, an int or a tuple, if given)."""
        dims = None if dim is None else _unique(self._dims(dim) or (), dim, self._data.ndim)
        return views.mark_view(self, apply(shape.Squeeze, self, dims=dims))

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims."""
        perm = self._dims(_permutation(dims, self._data.ndim)) or ()
        return views.mark_view(self, apply(shape.Permute, self, perm=perm))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        perm = list(range(self._data.ndim))
        if perm:
            d0, d1 = self._dims((dim0, dim1)) or (0, 0)
            perm[d0], perm[d1] = perm[d1], perm[d0]
        else:
            self._dims((dim0, dim1))
        return views.mark_view(self, apply(shape.Transpose, self, perm=tuple(perm)))

    def t(self) -> Tensor:
        """Transpose of a tensor with at most 2 dims."""
        n = self._data.ndim
        if n > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {n}D: use "
                f"transpose(dim0, dim1) or permute(...)."
            )
        return views.mark_view(self, apply(shape.T, self, perm=tuple(reversed(range(n)))))

    @property
    def T(self) -> Tensor:
        """All dims reversed (the transpose of a matrix)."""
        perm = tuple(reversed(range(self._data.ndim)))
        return views.mark_view(self, apply(shape.Permute, self, perm=perm))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a matrix or a batch of them)."""
        if self._data.ndim == 1:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
            )
        return self.transpose(-2, -1) if self._data.ndim else self

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape (-1 keeps a size) without copying."""
        new = _expand_shape(self._data.shape, sizes)
        return views.mark_view(self, apply(shape.Expand, self, shape=new))

    def expand_as(self, other: Tensor) -> Tensor:
        """Expand to ``other``'s shape."""
        return self.expand(other.shape)

    def flip(self, *dims: Any) -> Tensor:
        """The elements in reverse order along ``dims`` (a copy)."""
        ds = self._dims(_shape_arg(dims)) or ()
        if len(set(ds)) != len(ds):
            raise RuntimeError("flip: dims has duplicates: each dim may appear once.")
        return apply(shape.Flip, self, dims=ds)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        """``out[i][j] = self[index[i][j]][j]`` for dim 0 (and so on for other dims)."""
        (d,) = self._dims(dim) or (0,)
        return apply(shape.Gather, self, index, dim=d)

    def __getitem__(self, index: Any) -> Tensor:
        idx, advanced = _index_arg(index, self._data)
        if advanced:
            idx, first = _split_index(idx)
            if first is None:
                return apply(shape.Index, self, index=idx)
            return apply(shape.Index, self, index=idx, first=first)
        op = shape.Select if isinstance(idx, int) else shape.Slice
        return views.mark_view(self, apply(op, self, index=idx))

    # --- dtype conversion (last: from here on `float`, `int` and `bool` name methods) ---------

    def to(self, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False) -> Tensor:
        """Convert the dtype (``x.to(minigrad.float64)``, ``x.to(other)``); only the CPU exists."""
        for a in args:
            if isinstance(a, str):
                _check_device(a)
            elif a is not None:
                dtype = a._data.dtype if isinstance(a, Tensor) else a
        _check_device(device)
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self.clone() if copy else self
        return apply(shape.ToCopy, self, dtype=np.dtype(dtype))

    def type(self, dtype: Any = None) -> Any:
        """Convert to ``dtype``; with no argument, the dtype's name."""
        return str(self._data.dtype) if dtype is None else self.to(dtype)

    def float(self) -> Tensor:
        """As float32."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        """As int64."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """As int32."""
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """As bool."""
        return self.to(dtypes.bool_)


_wrap = Tensor._wrap  # (a module global: the hot path's lookup is then one dict probe)
