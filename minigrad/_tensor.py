"""``minigrad.Tensor``, and :func:`apply`: the one path by which an op makes tensors.

A Value (notebook 3) is one number per graph node; a Tensor is one *array* per node, so one
matrix multiply is one node and its backward is one more matrix multiply, not a million scalar
nodes. The Tensor is thin: it holds a numpy array and the autograd bookkeeping (``grad``,
``grad_fn``, ``requires_grad``), and each of its ops is one line that hands an :class:`Op` (from
:mod:`minigrad.ops`) to :func:`apply`. Gradients come back to tensors through :func:`backward`
and :func:`grad`, which run the loop of :mod:`minigrad.graph`.

The module is named ``_tensor`` (as torch names its ``torch/_tensor.py``) so that
``minigrad.tensor`` stays the function that makes a tensor.

Speed notes (per-op Python overhead is what a small network pays for): tensors and nodes use
``__slots__``; an op records a node only when grad mode is on and an input requires grad;
nodes hold numpy arrays, never their output tensor (no reference cycles, so memory is freed as
soon as the graph is dropped); float32 stays float32 (numbers are weak, as in torch).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from minigrad import dtypes
from minigrad.dtypes import DEFAULT_FLOAT, INT64
from minigrad.grad_mode import grad_mode
from minigrad.graph import NO_EDGE, Node, backward, edge, note_inplace_write
from minigrad.op import Op
from minigrad.ops import linalg, reductions, shape, softmax
from minigrad.ops.elementwise import binary_op, unary_op
from minigrad.random import generator
from minigrad.tensor_base import TensorBase

__all__ = ["Tensor", "apply", "to_array"]

_new = object.__new__


def apply(op: type[Op], *inputs: Any, **params: Any) -> Any:  # noqa: C901 (one hot path)
    """Apply ``op`` to ``inputs`` (Tensors, or numbers standing in for them): every op, built in
    or a user's ``autograd.Function``, makes its outputs here.

    1. note which inputs need a gradient: grad mode is on and the input requires grad;
    2. make the op's node, which is also the ``ctx`` its forward and backward share;
    3. run the forward on the inputs' arrays (a Function's adapter hands it Tensors instead);
    4. wrap the output arrays as Tensors and, if any input needs a gradient, record the node:
       its edges to the inputs' nodes, and itself as the outputs' ``grad_fn``.
    """
    # One or two inputs (nearly every op) take a path without loops: per-op overhead is what
    # a small network pays for.
    enabled = grad_mode.enabled
    needs: tuple[bool, ...]
    args: tuple[Any, ...]
    if len(inputs) == 2:
        a, b = inputs
        ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
        needs = (enabled and ta and a._rg, enabled and tb and b._rg)
        args = (a._data if ta else a, b._data if tb else b)
    elif len(inputs) == 1 and isinstance(inputs[0], Tensor):
        needs = (enabled and inputs[0]._rg,)
        args = (inputs[0]._data,)
    else:
        needs = tuple([enabled and isinstance(x, Tensor) and x._rg for x in inputs])
        args = tuple([x._data if isinstance(x, Tensor) else x for x in inputs])
    record = True in needs
    if record or not op.on_arrays:
        ctx = _new(op.node)
    else:  # nothing will be recorded: a built-in op may use its one idle ctx, which saves
        ctx = op.idle  # nothing (ops keep arrays only through save_for_backward)
    ctx.needs_input_grad = needs
    # Positional calls where possible: a call with *args costs more than most ops' own work.
    if not op.on_arrays:
        out = op.run_forward(ctx, inputs, params)  # type: ignore[attr-defined]
    elif params:
        out = op.forward(ctx, *args, **params)
    elif len(args) == 2:
        out = op.forward(ctx, args[0], args[1])
    elif len(args) == 1:
        out = op.forward(ctx, args[0])
    else:
        out = op.forward(ctx, *args)
    if record:
        # A non-leaf's edge, inline; a leaf's (its AccumulateGrad node) through edge().
        if len(inputs) == 2:
            ea = NO_EDGE if not needs[0] else (a.grad_fn, a._output_nr) if a.grad_fn else edge(a)
            eb = NO_EDGE if not needs[1] else (b.grad_fn, b._output_nr) if b.grad_fn else edge(b)
            ctx.next_functions = (ea, eb)
        elif len(inputs) == 1:
            x = inputs[0]
            ctx.next_functions = ((x.grad_fn, x._output_nr) if x.grad_fn else edge(x),)
        else:
            ctx.next_functions = tuple(
                [edge(x) if n else NO_EDGE for x, n in zip(inputs, needs, strict=True)]
            )
    if type(out) is np.ndarray:
        if record and out.dtype.kind in "fc":
            return Tensor._wrap(out, True, ctx)
        return Tensor._wrap(out)
    if type(out) is not tuple:
        return _output(out, ctx, 0, record)
    if record:
        ctx._n_out = len(out)
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
        t = Tensor._wrap(y, True, ctx)
        t._output_nr = nr
        return t
    return Tensor._wrap(y)


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """A fresh array from Python data, a numpy array or a Tensor (or nested lists of them)."""
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    return np.array(data, dtype=dtypes.infer_dtype(data) if dtype is None else dtype)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._wrap(to_array(x))


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` like torch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _index_arg(index: Any) -> tuple[Any, bool]:
    """Tensors in an index as arrays, and whether numpy will do advanced indexing."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    advanced = False
    for it in items:
        if isinstance(it, Tensor):
            it = it._data
        elif isinstance(it, list):
            it = np.asarray(it)
        advanced = advanced or isinstance(it, np.ndarray)
        out.append(it)
    return (tuple(out) if isinstance(index, tuple) else out[0]), advanced


def _check_device(device: Any) -> None:
    if device is not None and str(device) != "cpu":
        raise RuntimeError(
            f"minigrad runs on the CPU only, got device={device!r}: leave device out or pass 'cpu'"
        )


def _leaf_inplace_error() -> RuntimeError:
    return RuntimeError(
        "a leaf Variable that requires grad is being used in an in-place operation. Changing a "
        "parameter in place would silently make recorded gradients wrong; do updates inside "
        "`with minigrad.no_grad():` (p -= lr * p.grad), or use an out-of-place op (x = x + 1)."
    )


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


def _compare(ufunc: np.ufunc) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        o = other._data if isinstance(other, Tensor) else other
        return Tensor._wrap(np.asarray(ufunc(self._data, o)))

    method.__doc__ = f"Elementwise ``np.{ufunc.__name__}`` (a bool tensor, no gradient)."
    return method


class _MaxResult(NamedTuple):
    """``(values, indices)``, as ``torch.return_types.max``."""

    values: Tensor
    indices: Tensor


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
        """A copy that stays in the graph."""
        return apply(shape.Clone, self)

    # --- elementwise ops: one line each, through the kernel table ---------------------------

    __add__ = add = _binary_method("add")
    __radd__ = _binary_method("add", reflected=True)
    __sub__ = sub = _binary_method("sub")
    __rsub__ = _binary_method("sub", reflected=True)
    __mul__ = mul = _binary_method("mul")
    __rmul__ = _binary_method("mul", reflected=True)
    __truediv__ = div = true_divide = _binary_method("div")
    __rtruediv__ = _binary_method("div", reflected=True)
    __pow__ = pow = _binary_method("pow")
    __rpow__ = _binary_method("pow", reflected=True)
    maximum = _binary_method("maximum")
    minimum = _binary_method("minimum")
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

    # --- in-place ops ----------------------------------------------------------------------

    def _inplace(self, name: str, other: Any, ufunc: np.ufunc) -> Tensor:
        """``self op= other``: numpy's ``out=`` when nothing is recorded, else the out-of-place
        op with its result (and node) taking over this tensor, as torch rebases history."""
        if grad_mode.enabled and (self._rg or (isinstance(other, Tensor) and other._rg)):
            if self._rg and self.grad_fn is None:
                raise _leaf_inplace_error()
            res = apply(binary_op(name), self, other)
            if res._data.dtype != self._data.dtype:
                res = res.to(self._data.dtype)
            self._data, self._rg, self.grad_fn = res._data, True, res.grad_fn
            return self
        ufunc(self._data, other._data if isinstance(other, Tensor) else other, out=self._data)
        note_inplace_write(self._data)
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace("add", other, np.add)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace("sub", other, np.subtract)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace("mul", other, np.multiply)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace("div", other, np.true_divide)

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        """In place: self += alpha * other."""
        return self._inplace("add", other if alpha == 1 else other * alpha, np.add)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        """In place: self -= alpha * other."""
        return self._inplace("sub", other if alpha == 1 else other * alpha, np.subtract)

    def mul_(self, other: Any) -> Tensor:
        """In place: self *= other."""
        return self._inplace("mul", other, np.multiply)

    def div_(self, other: Any) -> Tensor:
        """In place: self /= other."""
        return self._inplace("div", other, np.true_divide)

    def _overwrite(self, index: Any, value: Any) -> Tensor:
        """Write ``value`` into ``self[index]``: refused while the write would be recorded."""
        if grad_mode.enabled and self._rg:
            if self.grad_fn is None:
                raise _leaf_inplace_error()
            raise RuntimeError(
                "overwriting a tensor that is part of a recorded graph is not supported by "
                "minigrad: compute a new tensor instead, or do it under minigrad.no_grad()."
            )
        if grad_mode.enabled and isinstance(value, Tensor) and value._rg:
            raise RuntimeError(
                "assigning a tensor that requires grad into another tensor (x[i] = v) is not "
                "recorded by minigrad, so its gradient would be lost: build the result out of "
                "place instead (e.g. minigrad.cat / minigrad.stack / minigrad.where)."
            )
        self._data[index] = value._data if isinstance(value, Tensor) else value
        note_inplace_write(self._data)
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self._overwrite(..., 0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value`` in place."""
        return self._overwrite(..., value)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast) into this tensor in place."""
        return self._overwrite(..., src)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Fill in place with normal samples."""
        return self._overwrite(..., generator().normal(mean, std, self._data.shape))

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Fill in place with uniform samples from [a, b)."""
        return self._overwrite(..., generator().uniform(a, b, self._data.shape))

    def __setitem__(self, index: Any, value: Any) -> None:
        self._overwrite(_index_arg(index)[0], value)

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
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(
                f"mm: both arguments must be matrices (2-D), got {self.ndim}-D and "
                f"{mat2.ndim}-D; use matmul (@) for other shapes."
            )
        return self.matmul(mat2)

    def dot(self, other: Tensor) -> Tensor:
        """Dot product of two 1-D tensors."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(
                f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors: dot takes "
                f"two vectors; use matmul (@) for matrices."
            )
        if self.shape != other.shape:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src "
                f"[{other.shape[0]}] to have the same number of elements: dot needs equal lengths."
            )
        return self.matmul(other)

    # --- reductions ------------------------------------------------------------------------

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

    def _extreme(self, dim: Any, keepdim: bool, is_max: bool) -> Any:
        if isinstance(dim, Tensor):  # x.max(other): the elementwise maximum
            return apply(binary_op("maximum" if is_max else "minimum"), self, dim)
        if dim is None:
            return apply(reductions.MaxAll if is_max else reductions.MinAll, self)
        (d,) = reductions.dims_of(dim, self._data.ndim) or (0,)
        op = reductions.Max if is_max else reductions.Min
        return _MaxResult(*apply(op, self, dim=d, keepdim=keepdim))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The maximum (gradient split evenly over ties), or ``(values, indices)`` over ``dim``."""
        return self._extreme(dim, keepdim, True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The minimum, or ``(values, indices)`` over ``dim``."""
        return self._extreme(dim, keepdim, False)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the maximum (of the flattened tensor if ``dim`` is None)."""
        i = self._data.argmax() if dim is None else self._data.argmax(dim, keepdims=keepdim)
        return Tensor._wrap(np.asarray(i, dtype=INT64))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the minimum."""
        i = self._data.argmin() if dim is None else self._data.argmin(dim, keepdims=keepdim)
        return Tensor._wrap(np.asarray(i, dtype=INT64))

    def softmax(self, dim: int) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``."""
        (d,) = reductions.dims_of(dim, self._data.ndim) or (None,)
        return apply(softmax.Softmax, self, dim=d)

    def log_softmax(self, dim: int) -> Tensor:
        """log(softmax(x)) along ``dim``, computed stably."""
        (d,) = reductions.dims_of(dim, self._data.ndim) or (None,)
        return apply(softmax.LogSoftmax, self, dim=d)

    # --- shape ops -------------------------------------------------------------------------

    def reshape(self, *shape_: Any) -> Tensor:
        """The same elements in a new shape (one size may be -1)."""
        return apply(shape.View, self, shape=_shape_arg(shape_))

    def view(self, *shape_: Any) -> Tensor:
        """Same as :meth:`reshape` (numpy views do not need contiguity)."""
        return self.reshape(*shape_)

    def view_as(self, other: Tensor) -> Tensor:
        """Reshape to ``other``'s shape."""
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one."""
        s = self._data.shape
        if not s:
            return self.reshape(1)
        start, end = start_dim % len(s), end_dim % len(s)
        return self.reshape((*s[:start], math.prod(s[start : end + 1]), *s[end + 1 :]))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dim at ``dim``."""
        return apply(shape.Unsqueeze, self, dim=dim)

    def squeeze(self, dim: int | None = None) -> Tensor:
        """Remove size-1 dims (only ``dim`` if given and of size 1)."""
        return apply(shape.Squeeze, self, dim=dim)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims."""
        perm = tuple(d % self._data.ndim for d in _shape_arg(dims))
        return apply(shape.Permute, self, perm=perm)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        perm = list(range(self._data.ndim))
        if perm:
            perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
        return apply(shape.Transpose, self, perm=tuple(perm))

    def t(self) -> Tensor:
        """Transpose of a tensor with at most 2 dims."""
        n = self._data.ndim
        if n > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {n}D: use "
                f"transpose(dim0, dim1) or permute(...)."
            )
        return apply(shape.T, self, perm=tuple(reversed(range(n))))

    @property
    def T(self) -> Tensor:
        """All dims reversed (the transpose of a matrix)."""
        return apply(shape.Permute, self, perm=tuple(reversed(range(self._data.ndim))))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped."""
        return self.transpose(-2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape (-1 keeps a size) without copying."""
        x, sizes = self._data, _shape_arg(sizes)
        lead = len(sizes) - x.ndim
        new = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return apply(shape.Expand, self, shape=new)

    def expand_as(self, other: Tensor) -> Tensor:
        """Expand to ``other``'s shape."""
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        idx, advanced = _index_arg(index)
        op = shape.Index if advanced else shape.Select if isinstance(idx, int) else shape.Slice
        return apply(op, self, index=idx)

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
