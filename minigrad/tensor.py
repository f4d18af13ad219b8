"""``minigrad.Tensor``: a numpy array plus the bookkeeping reverse-mode autodiff needs.

A Value (notebook 3) is one number per graph node; a Tensor is one *array* per node, so one
matrix multiply is one node and its backward is one more matrix multiply, not a million
scalar nodes. The API mirrors PyTorch's (``import minigrad as torch`` runs the covered subset).

Every op is a forward of a few numpy lines and, next to it, a node class whose ``apply``
holds the backward rule. Elementwise ops do not hard-code their math: they look their
forward and backward functors up in :mod:`minigrad.kernels` (``UNARY_KERNELS``,
``BINARY_KERNELS``), as OneFlow's ops look up their ``BinaryFunctor`` specialisations.

Speed notes (per-op Python overhead is what a small network pays for): tensors and nodes use
``__slots__``; an op records a node only when grad mode is on and an input requires grad;
nodes hold numpy arrays, never their output tensor (no reference cycles, so memory is freed
as soon as the graph is dropped); float32 stays float32 (Python scalars are cast to the
tensor's dtype, numpy 2 treats them as weak).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from minigrad import autograd as _ag
from minigrad import kernels as _k
from minigrad.autograd import Node, _edge, grad_mode

__all__ = [
    "Tensor",
    "tensor",
    "float32",
    "float64",
    "int64",
    "int32",
    "bool_",
    "TORCH_FUNCTIONS",
]

float16 = np.float16
float32 = np.float32
float64 = np.float64
int64 = np.int64
int32 = np.int32
int8 = np.int8
uint8 = np.uint8
bool_ = np.bool_

_DEFAULT_FLOAT = np.dtype(np.float32)
_INT64 = np.dtype(np.int64)
_new = object.__new__
_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed minigrad's random generator (used by ``randn``, ``rand``, ``randint`` and ``nn``
    initialisation), like ``torch.manual_seed``. Results differ from torch's for the same seed."""
    global _rng
    _rng = np.random.default_rng(seed)


def _generator() -> np.random.Generator:
    """minigrad's numpy random Generator (reseeded by :func:`manual_seed`)."""
    return _rng


_default_generator = _generator  # the name minigrad.data uses


# ------------------------------------------------------------------------------------------
# dtype rules (torch's promotion for the float / int / bool cases)
# ------------------------------------------------------------------------------------------

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _promote(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cast two arrays of different dtypes to torch's result dtype.

    A higher category (bool < int < float) wins; within a category, a dimensioned tensor
    wins over a 0-d one (float32 matrix * float64 0-d tensor is float32), else the wider type.
    """
    ca, cb = _CATEGORY[a.dtype.kind], _CATEGORY[b.dtype.kind]
    if ca != cb:
        dt = a.dtype if ca > cb else b.dtype
    elif (a.ndim == 0) != (b.ndim == 0):
        dt = b.dtype if a.ndim == 0 else a.dtype
    else:
        dt = np.promote_types(a.dtype, b.dtype)
    return a.astype(dt, copy=False), b.astype(dt, copy=False)


def _scalar_dtype(value: Any, like: np.dtype) -> np.dtype:
    """The dtype of ``tensor op value`` for a Python number ``value`` (weak, as in torch)."""
    if isinstance(value, (bool, np.bool_)):
        return like
    if isinstance(value, (int, np.integer)):
        return like
    if like.kind in "fc":
        return like
    return _DEFAULT_FLOAT  # int tensor with a float scalar: the default float dtype


def _infer_dtype(data: Any) -> np.dtype:
    """dtype of ``tensor(data)`` when none is given: float32 for Python floats, int64 for ints."""
    if isinstance(data, np.ndarray):
        return data.dtype
    if isinstance(data, np.generic):
        return data.dtype
    arr = np.asarray(data)
    if arr.dtype.kind == "f":
        return _DEFAULT_FLOAT
    if arr.dtype.kind in "iu":
        return _INT64
    return arr.dtype


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """A fresh ndarray from Python data, a numpy array or a Tensor (or nested lists of them)."""
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    if dtype is None:
        dtype = _infer_dtype(data)
    return np.array(data, dtype=dtype)


# ------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------


def _broadcast_error(a: np.ndarray, b: np.ndarray, op: str) -> RuntimeError:
    return RuntimeError(
        f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast. Aligned from "
        f"the right, each pair of sizes must be equal or one of them 1. Reshape or unsqueeze "
        f"an operand (e.g. b.reshape(-1, 1) or b.unsqueeze(0)) so that they line up."
    )


def _matmul_error(a: np.ndarray, b: np.ndarray) -> RuntimeError:
    sa = "x".join(map(str, a.shape)) or "scalar"
    sb = "x".join(map(str, b.shape)) or "scalar"
    if a.ndim == 0 or b.ndim == 0:
        return RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}; use * to multiply by a scalar."
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    return RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb}): the inner dimensions "
        f"must match (the last size of the left, {k_a}, must equal the "
        f"{'only' if b.ndim == 1 else 'second-to-last'} size of the right, {k_b}). Transpose "
        f"an operand (w.T) or check which dimension holds the features."
    )


def _leaf_inplace_error() -> RuntimeError:
    return RuntimeError(
        "a leaf Variable that requires grad is being used in an in-place operation. Changing a "
        "parameter in place would silently make recorded gradients wrong; do updates inside "
        "`with minigrad.no_grad():` (p -= lr * p.grad), or use an out-of-place op (x = x + 1)."
    )


# ------------------------------------------------------------------------------------------
# Node classes: one per op, backward next to the forward it undoes
# ------------------------------------------------------------------------------------------


class UnaryBackward(Node):
    """Backward of an elementwise unary kernel: ``dx = kernel.backward(dy, saved)``, where
    ``saved`` is the input x or the output y, as the kernel declares (WithDyX / WithDyY)."""

    __slots__ = ()
    kernel_name: str

    def __init__(self, x_node: Node, saved: np.ndarray) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = (saved,)
        self._seq = _ag.clock()
        self._hooks = None

    def apply(self, dy: np.ndarray) -> tuple:
        """Gradient of the one input (the table is read now: it is the code that runs)."""
        backward = _raw_kernel(_k.UNARY_KERNELS[self.kernel_name])[1]
        dx = backward(dy, self._saved[0])
        return (dx if type(dx) is np.ndarray else np.asarray(dx),)


class BinaryBackward(Node):
    """Backward of an elementwise binary kernel; sums each gradient back to its input's shape."""

    __slots__ = ("shapes",)
    kernel_name: str

    def __init__(
        self, a_node: Node | None, b_node: Node | None, saved: tuple, shapes: tuple
    ) -> None:
        self.next_functions = ((a_node, 0), (b_node, 0))
        self._saved = saved
        self._seq = _ag.clock()
        self._hooks = None
        self.shapes = shapes

    def apply(self, dy: np.ndarray) -> tuple:
        """Gradients of a and b, computed only for the inputs that need one."""
        a, b, y = self._saved or (None, None, None)
        a_shape, b_shape = self.shapes
        _, backward_lhs, backward_rhs = _raw_kernel(_k.BINARY_KERNELS[self.kernel_name])
        (na, _), (nb, _) = self.next_functions
        da = db = None
        if na is not None:
            da = backward_lhs(dy, a, b, y)
            if type(da) is not np.ndarray:  # numpy gives scalars for 0-d operands
                da = np.asarray(da)
            if da.shape != a_shape:
                da = _k.unbroadcast(da, a_shape)
        if nb is not None:
            db = backward_rhs(dy, a, b, y)
            if type(db) is not np.ndarray:
                db = np.asarray(db)
            if db.shape != b_shape:
                db = _k.unbroadcast(db, b_shape)
        return (da, db)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _raw(fn: Callable) -> Callable:
    """The kernel functor without its per-call ``np.errstate`` wrapper (the engine runs every
    backward inside one errstate; paying for it per call is a large share of a small op)."""
    return getattr(fn, "__wrapped__", fn)


_RAW_CACHE: dict[int, tuple[Any, tuple[Callable, ...]]] = {}


def _raw_kernel(k: Any) -> tuple[Callable, ...]:
    """The unwrapped functors of kernel entry ``k`` (forward, backward...), cached per entry:
    replacing an entry of the table (a new object) is still seen at once."""
    hit = _RAW_CACHE.get(id(k))
    if hit is None or hit[0] is not k:
        hit = (k, tuple(_raw(f) if callable(f) else f for f in k[1:]))
        _RAW_CACHE[id(k)] = hit
    return hit[1]


_UNARY_NODES: dict[str, type[UnaryBackward]] = {}
_BINARY_NODES: dict[str, type[BinaryBackward]] = {}


def _unary_node_cls(name: str) -> type[UnaryBackward]:
    """The node class of unary kernel ``name``, named as torch names it (``Exp2Backward0``)."""
    cls = _UNARY_NODES.get(name)
    if cls is None:
        cls = type(
            f"{_camel(name)}Backward0", (UnaryBackward,), {"__slots__": (), "kernel_name": name}
        )
        _UNARY_NODES[name] = cls
    return cls


def _binary_node_cls(name: str) -> type[BinaryBackward]:
    """The node class of binary kernel ``name`` (``MulBackward0``)."""
    cls = _BINARY_NODES.get(name)
    if cls is None:
        cls = type(
            f"{_camel(name)}Backward0", (BinaryBackward,), {"__slots__": (), "kernel_name": name}
        )
        _BINARY_NODES[name] = cls
    return cls


# Ops whose result keeps an integer dtype (the others compute in floating point, like torch).
_INT_PRESERVING = {"neg", "abs", "relu", "sign", "square", "add", "sub", "mul", "maximum",
                   "minimum", "pow"}  # fmt: skip
# Backward functors that read only dy (checked against minigrad.kernels); their nodes save
# nothing, so inputs and outputs can be freed as soon as the forward no longer needs them.
_READS_ONLY_DY = {"add", "sub", "neg"}
# Forward functors that raise no floating-point warning on finite input (at most overflow to
# inf): called without the kernel's per-call np.errstate wrapper, a large share of a small op.
_NEVER_WARNS = {"add", "sub", "mul", "relu", "neg", "abs", "sign", "maximum", "minimum"}


def _binary_forward(name: str) -> Callable:
    """The forward functor of binary kernel ``name``, read from the table at call time."""
    k = _k.BINARY_KERNELS[name]
    return _raw_kernel(k)[0] if name in _NEVER_WARNS else k.forward


def _unary(name: str, x: Tensor) -> Tensor:
    """Apply the unary kernel ``name`` to ``x`` (and record its node if needed)."""
    k = _k.UNARY_KERNELS[name]
    xd = x._data
    if xd.dtype.kind not in "fc" and name not in _INT_PRESERVING:
        xd = xd.astype(_DEFAULT_FLOAT)
    if name in _NEVER_WARNS:
        y = _raw_kernel(k)[0](xd)
        if type(y) is not np.ndarray:
            y = np.asarray(y)
    else:
        y = k.forward(xd)
    if x._rg and grad_mode.enabled:
        if name in _READS_ONLY_DY:
            saved = None  # the functor ignores it: keep neither x nor y alive
        else:
            saved = xd if k.saves == "x" else y
        return Tensor._wrap(y, True, _unary_node_cls(name)(_edge(x), saved))
    return Tensor._wrap(y)


def _binary(name: str, a: Any, b: Any) -> Tensor:
    """Apply the binary kernel ``name`` to ``a`` and ``b`` (Tensors or Python numbers)."""
    a_is_t = isinstance(a, Tensor)
    b_is_t = isinstance(b, Tensor)
    if a_is_t and b_is_t:
        ad, bd = a._data, b._data
        if ad.dtype != bd.dtype:
            ad, bd = _promote(ad, bd)
    elif a_is_t:
        ad = a._data
        if isinstance(b, np.ndarray):
            ad, bd = _promote(ad, b)
        else:
            dt = _scalar_dtype(b, ad.dtype)
            ad = ad.astype(dt, copy=False)
            bd = np.array(b, dtype=dt)
    elif b_is_t:
        bd = b._data
        if isinstance(a, np.ndarray):
            ad, bd = _promote(a, bd)
        else:
            dt = _scalar_dtype(a, bd.dtype)
            bd = bd.astype(dt, copy=False)
            ad = np.array(a, dtype=dt)
    else:
        raise TypeError(f"{name}: expected at least one Tensor, got {type(a)} and {type(b)}")
    if ad.dtype.kind not in "fc" and name not in _INT_PRESERVING:
        ad = ad.astype(_DEFAULT_FLOAT)
        bd = bd.astype(_DEFAULT_FLOAT)
    try:
        y = _binary_forward(name)(ad, bd)
        if type(y) is not np.ndarray:
            y = np.asarray(y)
    except ValueError:
        if ad.ndim and bd.ndim:
            try:
                np.broadcast_shapes(ad.shape, bd.shape)
            except ValueError:
                raise _broadcast_error(ad, bd, name) from None
        raise
    ra = a_is_t and a._rg
    rb = b_is_t and b._rg
    if (ra or rb) and grad_mode.enabled:
        saved = () if name in _READS_ONLY_DY else (ad, bd, y)
        node = _binary_node_cls(name)(
            _edge(a) if ra else None, _edge(b) if rb else None, saved, (ad.shape, bd.shape)
        )
        return Tensor._wrap(y, True, node)
    return Tensor._wrap(y)


# --- reductions ---------------------------------------------------------------------------


def _norm_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    nd = builtins.max(ndim, 1)
    out = []
    for d in dims:
        if not -nd <= d < nd:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got "
                f"{d}): this tensor has {ndim} dimension(s)."
            )
        out.append(d % nd if ndim else 0)
    return tuple(out)


def _expand_grad(dy: np.ndarray, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool):
    """Copy the gradient of a reduction back over the reduced dims."""
    if not keepdim and dims and len(shape):
        dy = np.expand_dims(dy, dims)
    out = np.empty(shape, dtype=dy.dtype)
    out[...] = dy
    return out


class SumBackward0(Node):
    """Backward of a full sum: every element got the same gradient."""

    __slots__ = ("shape",)

    def __init__(self, x_node: Node, shape: tuple[int, ...]) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = ()
        self._hooks = None
        self.shape = shape

    def apply(self, dy: np.ndarray) -> tuple:
        """dy copied to every element of the input's shape."""
        return (np.full(self.shape, dy, dtype=dy.dtype),)


class SumBackward1(Node):
    """Backward of ``sum(dim, keepdim)``."""

    __slots__ = ("shape", "dims", "keepdim")

    def __init__(self, x_node: Node, shape: tuple, dims: tuple, keepdim: bool) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = ()
        self._hooks = None
        self.shape, self.dims, self.keepdim = shape, dims, keepdim

    def apply(self, dy: np.ndarray) -> tuple:
        """Broadcast dy back over the summed dims."""
        return (_expand_grad(dy, self.shape, self.dims, self.keepdim),)


class MeanBackward0(SumBackward0):
    """Backward of a full mean: every element got 1/n of the gradient."""

    __slots__ = ()

    def apply(self, dy: np.ndarray) -> tuple:
        """Broadcast dy / n to the input's shape."""
        n = builtins.max(math.prod(self.shape), 1)
        return (np.full(self.shape, dy / dy.dtype.type(n), dtype=dy.dtype),)


class MeanBackward1(SumBackward1):
    """Backward of ``mean(dim, keepdim)``."""

    __slots__ = ()

    def apply(self, dy: np.ndarray) -> tuple:
        """Broadcast dy / n back over the averaged dims."""
        n = math.prod(self.shape[d] for d in self.dims) if self.shape else 1
        return (_expand_grad(dy / dy.dtype.type(builtins.max(n, 1)), self.shape, self.dims,
                             self.keepdim),)  # fmt: skip


class MaxBackward1(Node):
    """Backward of a full ``max()``/``min()``: the gradient is split evenly over ties."""

    __slots__ = ()

    def __init__(self, x_node: Node, x: np.ndarray, y: np.ndarray) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = (x, y)
        self._seq = _ag.clock()
        self._hooks = None

    def apply(self, dy: np.ndarray) -> tuple:
        """dy / (number of maxima) at each maximum, 0 elsewhere."""
        x, y = self._saved
        mask = x == y
        return (mask * (dy / dy.dtype.type(mask.sum())),)


class MinBackward1(MaxBackward1):
    """Backward of a full ``min()``."""

    __slots__ = ()


class MaxBackward0(Node):
    """Backward of ``max(dim)``/``min(dim)``: the gradient goes to the returned index."""

    __slots__ = ("shape", "dim", "keepdim")

    def __init__(self, x_node: Node, shape: tuple, idx: np.ndarray, dim: int, keepdim: bool):
        self.next_functions = ((x_node, 0),)
        self._saved = (idx,)
        self._seq = _ag.clock()
        self._hooks = None
        self.shape, self.dim, self.keepdim = shape, dim, keepdim

    def apply(self, dy: np.ndarray) -> tuple:
        """Scatter dy into a zero tensor at the argmax positions."""
        (idx,) = self._saved
        if not self.keepdim and self.shape:
            idx = np.expand_dims(idx, self.dim)
            dy = np.expand_dims(dy, self.dim)
        dx = np.zeros(self.shape, dtype=dy.dtype)
        if self.shape:
            np.put_along_axis(dx, idx, dy, axis=self.dim)
        else:
            dx[...] = dy
        return (dx,)


class MinBackward0(MaxBackward0):
    """Backward of ``min(dim)``."""

    __slots__ = ()


class _MaxResult(NamedTuple):
    """``(values, indices)``, as ``torch.return_types.max``."""

    values: Tensor
    indices: Tensor


# --- linear algebra -----------------------------------------------------------------------


class MmBackward0(Node):
    """Backward of a 2-D matrix product y = a @ b: da = dy @ b.T, db = a.T @ dy."""

    __slots__ = ()

    def __init__(self, a_node: Node | None, b_node: Node | None, a: np.ndarray, b: np.ndarray):
        self.next_functions = ((a_node, 0), (b_node, 0))
        # Only what the *other* gradient needs: db reads a, da reads b.
        self._saved = (a if b_node is not None else None, b if a_node is not None else None)
        self._seq = _ag.clock()
        self._hooks = None

    def apply(self, dy: np.ndarray) -> tuple:
        """One matrix product per input that needs a gradient."""
        a, b = self._saved
        (na, _), (nb, _) = self.next_functions
        return (dy @ b.T if na is not None else None, a.T @ dy if nb is not None else None)


class MatmulBackward0(Node):
    """Backward of ``matmul`` for 1-D and batched operands (numpy's matmul rules)."""

    __slots__ = ()

    def __init__(self, a_node: Node | None, b_node: Node | None, a: np.ndarray, b: np.ndarray):
        self.next_functions = ((a_node, 0), (b_node, 0))
        self._saved = (a, b)
        self._seq = _ag.clock()
        self._hooks = None

    def apply(self, dy: np.ndarray) -> tuple:
        """Promote 1-D operands to matrices, differentiate, then undo the promotion."""
        a, b = self._saved
        (na, _), (nb, _) = self.next_functions
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1 and b.ndim == 1:
            dy2 = dy.reshape(1, 1)
        elif a.ndim == 1:
            dy2 = np.expand_dims(dy, -2)
        elif b.ndim == 1:
            dy2 = np.expand_dims(dy, -1)
        else:
            dy2 = dy
        da = db = None
        if na is not None:
            da = _k.unbroadcast(dy2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if nb is not None:
            db = _k.unbroadcast(np.swapaxes(a2, -1, -2) @ dy2, b2.shape).reshape(b.shape)
        return (da, db)


class DotBackward0(MatmulBackward0):
    """Backward of the dot product of two vectors."""

    __slots__ = ()


class MvBackward0(MatmulBackward0):
    """Backward of a matrix-vector product."""

    __slots__ = ()


class AddmmBackward0(Node):
    """Backward of ``linear``: y = x @ w.T + b in one node (what torch's nn.Linear records)."""

    __slots__ = ()

    def __init__(self, nodes: tuple, x: np.ndarray, w: np.ndarray, has_bias: bool) -> None:
        self.next_functions = tuple((n, 0) for n in nodes)
        self._saved = (x if nodes[1] is not None else None, w if nodes[0] is not None else None)
        self._seq = _ag.clock()
        self._hooks = None

    def apply(self, dy: np.ndarray) -> tuple:
        """dx = dy @ w, dw = dy.T @ x, db = dy summed over the batch."""
        x, w = self._saved
        nx, nw = self.next_functions[0][0], self.next_functions[1][0]
        grads = [dy @ w if nx is not None else None, dy.T @ x if nw is not None else None]
        if len(self.next_functions) == 3:
            grads.append(dy.sum(0) if self.next_functions[2][0] is not None else None)
        return tuple(grads)


# --- shape ops ----------------------------------------------------------------------------


class ViewBackward0(Node):
    """Backward of ``view``/``reshape``/``flatten``: reshape the gradient back."""

    __slots__ = ("shape",)

    def __init__(self, x_node: Node, shape: tuple) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = ()
        self._hooks = None
        self.shape = shape

    def apply(self, dy: np.ndarray) -> tuple:
        """The same numbers in the input's shape."""
        return (dy.reshape(self.shape),)


class UnsqueezeBackward0(ViewBackward0):
    """Backward of ``unsqueeze``."""

    __slots__ = ()


class SqueezeBackward0(ViewBackward0):
    """Backward of ``squeeze``."""

    __slots__ = ()


class PermuteBackward0(Node):
    """Backward of ``permute``/``transpose``/``t``: apply the inverse permutation."""

    __slots__ = ("inverse",)

    def __init__(self, x_node: Node, perm: tuple[int, ...]) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = ()
        self._hooks = None
        self.inverse = tuple(np.argsort(perm))

    def apply(self, dy: np.ndarray) -> tuple:
        """Transpose the gradient back."""
        return (dy.transpose(self.inverse),)


class TransposeBackward0(PermuteBackward0):
    """Backward of ``transpose(d0, d1)``."""

    __slots__ = ()


class TBackward0(PermuteBackward0):
    """Backward of ``t()``/``.T``."""

    __slots__ = ()


class ExpandBackward0(Node):
    """Backward of ``expand``: sum over the broadcast dims."""

    __slots__ = ("shape",)

    def __init__(self, x_node: Node, shape: tuple) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = ()
        self._hooks = None
        self.shape = shape

    def apply(self, dy: np.ndarray) -> tuple:
        """Un-broadcast to the input's shape."""
        return (_k.unbroadcast(dy, self.shape),)


class CloneBackward0(Node):
    """Backward of ``clone``/``contiguous`` and dtype casts: pass the gradient on."""

    __slots__ = ("dtype",)

    def __init__(self, x_node: Node, dtype: np.dtype) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = ()
        self._hooks = None
        self.dtype = dtype

    def apply(self, dy: np.ndarray) -> tuple:
        """The gradient, in the input's dtype."""
        return (dy.astype(self.dtype, copy=False),)


class ToCopyBackward0(CloneBackward0):
    """Backward of ``to(dtype)``/``float()``/``double()``."""

    __slots__ = ()


class IndexBackward0(Node):
    """Backward of indexing: scatter-add the gradient into zeros of the input's shape.

    With integer arrays an element may be picked twice; its gradient is the sum, so the
    scatter must add (``np.add.at``), not assign.
    """

    __slots__ = ("shape", "index", "advanced")

    def __init__(self, x_node: Node, shape: tuple, index: Any, advanced: bool) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = ()
        self._hooks = None
        self.shape, self.index, self.advanced = shape, index, advanced

    def apply(self, dy: np.ndarray) -> tuple:
        """Zeros with dy added at the indexed positions."""
        dx = np.zeros(self.shape, dtype=dy.dtype)
        if self.advanced:
            np.add.at(dx, self.index, dy)
        else:
            dx[self.index] = dy
        return (dx,)


class SliceBackward0(IndexBackward0):
    """Backward of basic slicing."""

    __slots__ = ()


class SelectBackward0(IndexBackward0):
    """Backward of integer indexing of one dimension."""

    __slots__ = ()


class CatBackward0(Node):
    """Backward of ``cat``: split the gradient into the inputs' pieces."""

    __slots__ = ("dim", "sizes")

    def __init__(self, nodes: tuple, dim: int, sizes: list[int]) -> None:
        self.next_functions = tuple((n, 0) for n in nodes)
        self._saved = ()
        self._hooks = None
        self.dim, self.sizes = dim, sizes

    def apply(self, dy: np.ndarray) -> tuple:
        """One slice of dy per input."""
        bounds = np.cumsum(self.sizes)[:-1]
        return tuple(np.split(dy, bounds, axis=self.dim))


class StackBackward0(Node):
    """Backward of ``stack``: each input gets its slice along the new dim."""

    __slots__ = ("dim",)

    def __init__(self, nodes: tuple, dim: int) -> None:
        self.next_functions = tuple((n, 0) for n in nodes)
        self._saved = ()
        self._hooks = None
        self.dim = dim

    def apply(self, dy: np.ndarray) -> tuple:
        """dy split along the stacked dim."""
        return tuple(np.moveaxis(dy, self.dim, 0))


class WhereBackward0(Node):
    """Backward of ``where(cond, a, b)``: dy goes to a where cond holds, to b elsewhere."""

    __slots__ = ()

    def __init__(self, nodes: tuple, cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        self.next_functions = tuple((n, 0) for n in nodes)
        self._saved = (cond, a.shape, b.shape)
        self._seq = _ag.clock()
        self._hooks = None

    def apply(self, dy: np.ndarray) -> tuple:
        """Masked copies of dy, summed back to each input's shape."""
        cond, sa, sb = self._saved
        zero = dy.dtype.type(0)
        (na, _), (nb, _) = self.next_functions
        da = _k.unbroadcast(np.where(cond, dy, zero), sa) if na is not None else None
        db = _k.unbroadcast(np.where(cond, zero, dy), sb) if nb is not None else None
        return (da, db)


# --- softmax ------------------------------------------------------------------------------


class LogSoftmaxBackward0(Node):
    """Backward of ``log_softmax``: dx = dy - softmax(x) * sum(dy) along ``dim``."""

    __slots__ = ("dim",)

    def __init__(self, x_node: Node, y: np.ndarray, dim: int) -> None:
        self.next_functions = ((x_node, 0),)
        self._saved = (y,)
        self._seq = _ag.clock()
        self._hooks = None
        self.dim = dim

    def apply(self, dy: np.ndarray) -> tuple:
        """Uses the saved output: softmax(x) = exp(log_softmax(x))."""
        (y,) = self._saved
        return (dy - np.exp(y) * dy.sum(self.dim, keepdims=True),)


class SoftmaxBackward0(LogSoftmaxBackward0):
    """Backward of ``softmax``: dx = y * (dy - sum(dy * y)) along ``dim``."""

    __slots__ = ()

    def apply(self, dy: np.ndarray) -> tuple:
        """Uses the saved output y."""
        (y,) = self._saved
        return (y * (dy - (dy * y).sum(self.dim, keepdims=True)),)


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    """x - logsumexp(x): shifted by the max so that exp cannot overflow."""
    shifted = x - x.max(dim, keepdims=True)
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.exp(shifted).sum(dim, keepdims=True))


def _softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(dim, keepdims=True))
    return e / e.sum(dim, keepdims=True)


# ------------------------------------------------------------------------------------------
# Tensor
# ------------------------------------------------------------------------------------------


def _shape_arg(shape: tuple) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` like torch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _index_arg(index: Any) -> tuple[Any, bool]:
    """Turn Tensors inside an index into arrays; report whether numpy will do advanced indexing."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    advanced = False
    for it in items:
        if isinstance(it, Tensor):
            it = it._data
        elif isinstance(it, list):
            it = np.asarray(it)
        if isinstance(it, np.ndarray):
            advanced = True
        out.append(it)
    return (tuple(out) if isinstance(index, tuple) else out[0]), advanced


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Create one with :func:`minigrad.tensor` (``Tensor(data)`` also works and gives float32, as
    ``torch.Tensor``). ``requires_grad=True`` makes ops record a graph; ``backward()`` then
    fills ``.grad`` of the leaves.
    """

    __slots__ = ("_data", "_rg", "grad", "grad_fn", "_acc", "_output_nr", "__weakref__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # numpy defers `ndarray * Tensor` to Tensor.__rmul__

    def __init__(self, *data: Any, requires_grad: bool = False) -> None:
        if len(data) == 1 and not isinstance(data[0], int):
            arr = _to_array(data[0], _DEFAULT_FLOAT)
        else:
            arr = np.zeros(_shape_arg(data), dtype=_DEFAULT_FLOAT)
        self._data = arr
        self._rg = False
        self.grad = None
        self.grad_fn = None
        self._acc = None
        self._output_nr = 0
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _wrap(cls, data: np.ndarray, rg: bool = False, fn: Node | None = None) -> Tensor:
        """Wrap an ndarray without copying (the fast internal constructor)."""
        t = _new(Tensor)
        t._data = data
        t._rg = rg
        t.grad = None
        t.grad_fn = fn
        t._acc = None
        t._output_nr = 0
        return t

    # --- autograd attributes ---------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded (so that it gets a gradient)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        value = bool(value)
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients, but this tensor "
                f"has dtype {self._data.dtype}: a gradient needs real numbers. Create it as "
                f"float (minigrad.tensor([1.0, 2.0]), dtype=minigrad.float32, or x.float())."
            )
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self._rg = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op (their ``grad_fn`` is None)."""
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward (leaves always keep it)."""
        if not self._rg:
            raise RuntimeError(
                "can't retain_grad on Tensor that has requires_grad=False: it gets no gradient."
            )
        if self.grad_fn is not None:
            self.grad_fn.register_retain(self)

    @property
    def retains_grad(self) -> bool:
        """True if :meth:`retain_grad` was called on this non-leaf tensor."""
        fn = self.grad_fn
        return bool(fn is not None and fn._hooks and any(r() is self for r in fn._hooks))

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` is required when self is not a scalar (the gradient of some final scalar
        with respect to self). ``retain_graph=True`` keeps saved tensors for another backward.
        """
        if inputs is not None:
            ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            gs = _ag.grad(self, ins, gradient, retain_graph, create_graph, allow_unused=True)
            for t, g in zip(ins, gs, strict=True):
                if g is not None:
                    if t.grad is None:
                        t.grad = g
                    else:
                        t.grad._data = t.grad._data + g._data
            return
        _ag.backward(self, gradient, retain_graph, create_graph)

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph (requires_grad=False)."""
        return Tensor._wrap(self._data)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place."""
        self.grad_fn = None
        self._rg = False
        return self

    @property
    def data(self) -> Tensor:
        """The same storage as a tensor that requires no grad (in-place changes are shared)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    # --- array attributes ------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes of the dimensions (a tuple, like ``torch.Size``)."""
        return self._data.shape

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        return self._data.shape if dim is None else self._data.shape[dim]

    @property
    def dtype(self) -> np.dtype:
        """The element type (compare with ``minigrad.float32`` etc.)."""
        return self._data.dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    def dim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    def numel(self) -> int:
        """Number of elements."""
        return self._data.size

    @property
    def device(self) -> str:
        """Always ``"cpu"``."""
        return "cpu"

    def is_floating_point(self) -> bool:
        """True for float dtypes."""
        return self._data.dtype.kind == "f"

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def numpy(self, force: bool = False) -> np.ndarray:
        """The underlying ndarray (shared memory). Like torch, refused if requires_grad."""
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self._rg:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar: "
                f"item() needs exactly one element (index or reduce it first)."
            )
        return self._data.item()

    def tolist(self) -> Any:
        """Nested Python lists (a number for a 0-d tensor)."""
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu":
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (it has "
                f"{self._data.size}); use .any() or .all()."
            )
        return bool(self._data.item())

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        d = self._data
        body = np.array2string(d, separator=", ", precision=4, prefix="tensor(",
                               suppress_small=False)  # fmt: skip
        extras = []
        if d.dtype not in (_DEFAULT_FLOAT, _INT64, np.dtype(bool)):
            extras.append(f"dtype=minigrad.{d.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._rg:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # --- dtype conversion ------------------------------------------------------------------

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert the dtype (``x.to(minigrad.float64)``); devices other than cpu are ignored."""
        dtype = kwargs.get("dtype")
        for a in args:
            if not isinstance(a, str) and a is not None:
                dtype = a._data.dtype if isinstance(a, Tensor) else a
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self
        y = self._data.astype(dtype)
        if self._rg and grad_mode.enabled and y.dtype.kind in "fc":
            return Tensor._wrap(y, True, ToCopyBackward0(_edge(self), self._data.dtype))
        return Tensor._wrap(y)

    def type(self, dtype: Any = None) -> Any:
        """Convert to ``dtype``; with no argument, the dtype's name."""
        return str(self._data.dtype) if dtype is None else self.to(dtype)

    def float(self) -> Tensor:
        """As float32."""
        return self.to(float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.to(float64)

    def long(self) -> Tensor:
        """As int64."""
        return self.to(int64)

    def int(self) -> Tensor:
        """As int32."""
        return self.to(int32)

    def bool(self) -> Tensor:
        """As bool."""
        return self.to(bool_)

    def cpu(self) -> Tensor:
        """This tensor (minigrad only has the CPU)."""
        return self

    def clone(self) -> Tensor:
        """A copy that stays in the graph."""
        y = self._data.copy()
        if self._rg and grad_mode.enabled:
            return Tensor._wrap(y, True, CloneBackward0(_edge(self), y.dtype))
        return Tensor._wrap(y)

    def contiguous(self) -> Tensor:
        """This tensor (numpy handles strides)."""
        return self

    # --- arithmetic (through the kernel table) ---------------------------------------------

    def __add__(self, other: Any) -> Tensor:
        return _binary("add", self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary("add", other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary("sub", self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary("sub", other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary("mul", self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary("mul", other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary("div", self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary("div", other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _binary("pow", self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _binary("pow", other, self)

    def __neg__(self) -> Tensor:
        return _unary("neg", self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _unary("abs", self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other if isinstance(other, Tensor) else tensor(other), self)

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        """self + alpha * other."""
        return _binary("add", self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        """self - alpha * other."""
        return _binary("sub", self, other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        """self * other."""
        return _binary("mul", self, other)

    def div(self, other: Any) -> Tensor:
        """self / other."""
        return _binary("div", self, other)

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent."""
        return _binary("pow", self, exponent)

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise maximum."""
        return _binary("maximum", self, other)

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise minimum."""
        return _binary("minimum", self, other)

    # --- comparisons (no gradient) ---------------------------------------------------------

    def _compare(self, other: Any, op: Callable) -> Tensor:
        o = other._data if isinstance(other, Tensor) else other
        return Tensor._wrap(np.asarray(op(self._data, o)))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def eq(self, other: Any) -> Tensor:
        """Elementwise ==."""
        return self._compare(other, np.equal)

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

    def _inplace(self, name: str, other: Any, ufunc: Callable) -> Tensor:
        """``self op= other``: numpy's ``out=`` when nothing is recorded, else the out-of-place
        op with its result (and node) taking over this tensor, as torch rebases history."""
        other_rg = isinstance(other, Tensor) and other._rg
        if grad_mode.enabled and (self._rg or other_rg):
            if self._rg and self.grad_fn is None:
                raise _leaf_inplace_error()
            res = _binary(name, self, other)
            if res._data.dtype != self._data.dtype:
                res = res.to(self._data.dtype)
            self._data, self._rg, self.grad_fn = res._data, True, res.grad_fn
            return self
        o = other._data if isinstance(other, Tensor) else other
        ufunc(self._data, o, out=self._data)
        _ag.note_inplace_write(self._data)
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

    def _check_overwrite(self) -> None:
        if grad_mode.enabled and self._rg:
            if self.grad_fn is None:
                raise _leaf_inplace_error()
            raise RuntimeError(
                "overwriting a tensor that is part of a recorded graph is not supported by "
                "minigrad: compute a new tensor instead, or do it under minigrad.no_grad()."
            )

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        self._check_overwrite()
        self._data[...] = 0
        _ag.note_inplace_write(self._data)
        return self

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value`` in place."""
        self._check_overwrite()
        self._data[...] = value._data if isinstance(value, Tensor) else value
        _ag.note_inplace_write(self._data)
        return self

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast) into this tensor in place."""
        self._check_overwrite()
        self._data[...] = src._data if isinstance(src, Tensor) else src
        _ag.note_inplace_write(self._data)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Fill in place with normal samples."""
        self._check_overwrite()
        self._data[...] = _rng.normal(mean, std, self._data.shape)
        _ag.note_inplace_write(self._data)
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Fill in place with uniform samples from [a, b)."""
        self._check_overwrite()
        self._data[...] = _rng.uniform(a, b, self._data.shape)
        _ag.note_inplace_write(self._data)
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_overwrite()
        if grad_mode.enabled and isinstance(value, Tensor) and value._rg:
            raise RuntimeError(
                "assigning a tensor that requires grad into another tensor (x[i] = v) is not "
                "recorded by minigrad, so its gradient would be lost: build the result out of "
                "place instead (e.g. minigrad.cat / minigrad.stack / minigrad.where)."
            )
        idx, _ = _index_arg(index)
        self._data[idx] = value._data if isinstance(value, Tensor) else value
        _ag.note_inplace_write(self._data)

    # --- matrix products -------------------------------------------------------------------

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product (``@``)."""
        return matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        """2-D matrix product."""
        return mm(self, other)

    def dot(self, other: Tensor) -> Tensor:
        """Dot product of two 1-D tensors."""
        return dot(self, other)

    # --- reductions ------------------------------------------------------------------------

    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Sum of all elements, or over ``dim`` (an int or a tuple)."""
        x = self._data
        if x.dtype.kind in "bui":
            x = x.astype(_INT64)
        if dim is None:
            y = np.asarray(x.sum())
            if keepdim:
                y = y.reshape((1,) * x.ndim)
            node_args: tuple = ()
        else:
            dims = _norm_dims(dim, x.ndim)
            y = np.asarray(x.sum(axis=dims if x.ndim else None, keepdims=keepdim))
            node_args = (dims, keepdim)
        if self._rg and grad_mode.enabled:
            if node_args:
                return Tensor._wrap(y, True, SumBackward1(_edge(self), x.shape, *node_args))
            return Tensor._wrap(y, True, SumBackward0(_edge(self), x.shape))
        return Tensor._wrap(y)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Mean of all elements, or over ``dim``."""
        x = self._data
        if x.dtype.kind not in "fc":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {x.dtype}. Convert first: x.float().mean()."
            )
        if dim is None:
            y = np.asarray(x.mean())
            if keepdim:
                y = y.reshape((1,) * x.ndim)
            if self._rg and grad_mode.enabled:
                return Tensor._wrap(y, True, MeanBackward0(_edge(self), x.shape))
            return Tensor._wrap(y)
        dims = _norm_dims(dim, x.ndim)
        y = np.asarray(x.mean(axis=dims if x.ndim else None, keepdims=keepdim))
        if self._rg and grad_mode.enabled:
            return Tensor._wrap(y, True, MeanBackward1(_edge(self), x.shape, dims, keepdim))
        return Tensor._wrap(y)

    def _extreme(self, dim: Any, keepdim: bool, is_max: bool) -> Any:
        x = self._data
        if isinstance(dim, Tensor):  # x.max(other): the elementwise maximum
            return _binary("maximum" if is_max else "minimum", self, dim)
        if dim is None:
            y = np.asarray(x.max() if is_max else x.min())
            if self._rg and grad_mode.enabled:
                cls = MaxBackward1 if is_max else MinBackward1
                return Tensor._wrap(y, True, cls(_edge(self), x, y))
            return Tensor._wrap(y)
        (d,) = _norm_dims(dim, x.ndim)
        if x.ndim == 0:
            idx = np.asarray(0)
            y = x.copy()
        else:
            idx = x.argmax(axis=d, keepdims=True) if is_max else x.argmin(axis=d, keepdims=True)
            y = np.take_along_axis(x, idx, axis=d)
            if not keepdim:
                y, idx = y.squeeze(d), idx.squeeze(d)
        if self._rg and grad_mode.enabled:
            cls = MaxBackward0 if is_max else MinBackward0
            values = Tensor._wrap(y, True, cls(_edge(self), x.shape, idx, d, keepdim))
        else:
            values = Tensor._wrap(y)
        return _MaxResult(values, Tensor._wrap(idx.astype(np.int64)))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The maximum (gradient split evenly over ties), or ``(values, indices)`` over ``dim``."""
        return self._extreme(dim, keepdim, True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The minimum, or ``(values, indices)`` over ``dim``."""
        return self._extreme(dim, keepdim, False)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the maximum (of the flattened tensor if ``dim`` is None)."""
        x = self._data
        if dim is None:
            return Tensor._wrap(np.asarray(x.argmax(), dtype=np.int64))
        return Tensor._wrap(np.asarray(x.argmax(axis=dim, keepdims=keepdim), dtype=np.int64))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the minimum."""
        x = self._data
        if dim is None:
            return Tensor._wrap(np.asarray(x.argmin(), dtype=np.int64))
        return Tensor._wrap(np.asarray(x.argmin(axis=dim, keepdims=keepdim), dtype=np.int64))

    def softmax(self, dim: int) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``."""
        return softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        """log(softmax(x)) along ``dim``, computed stably."""
        return log_softmax(self, dim)

    # --- shape ops -------------------------------------------------------------------------

    def _view_op(self, y: np.ndarray, node_cls: type, *args: Any) -> Tensor:
        if self._rg and grad_mode.enabled:
            return Tensor._wrap(y, True, node_cls(_edge(self), *args))
        return Tensor._wrap(y)

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one size may be -1)."""
        x = self._data
        try:
            y = x.reshape(_shape_arg(shape))
        except ValueError:
            raise RuntimeError(
                f"shape {list(_shape_arg(shape))} is invalid for input of size {x.size} "
                f"(shape {tuple(x.shape)}): the sizes must multiply to {x.size}."
            ) from None
        return self._view_op(y, ViewBackward0, x.shape)

    def view(self, *shape: Any) -> Tensor:
        """Same as :meth:`reshape` (numpy views do not need contiguity)."""
        return self.reshape(*shape)

    def view_as(self, other: Tensor) -> Tensor:
        """Reshape to ``other``'s shape."""
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one."""
        shape = self._data.shape
        if not shape:
            return self.reshape(1)
        s, e = start_dim % len(shape), end_dim % len(shape)
        new = shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :]
        return self.reshape(new)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dim at ``dim``."""
        x = self._data
        return self._view_op(np.expand_dims(x, dim), UnsqueezeBackward0, x.shape)

    def squeeze(self, dim: int | None = None) -> Tensor:
        """Remove size-1 dims (only ``dim`` if given and of size 1)."""
        x = self._data
        if dim is None:
            y = x.squeeze()
        else:
            y = x.squeeze(dim) if x.ndim and x.shape[dim] == 1 else x
        return self._view_op(y, SqueezeBackward0, x.shape)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims."""
        perm = tuple(d % self._data.ndim for d in _shape_arg(dims))
        return self._view_op(self._data.transpose(perm), PermuteBackward0, perm)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        n = self._data.ndim
        perm = list(range(n))
        if n:
            perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
        return self._view_op(self._data.transpose(perm), TransposeBackward0, tuple(perm))

    def t(self) -> Tensor:
        """Transpose of a tensor with at most 2 dims."""
        n = self._data.ndim
        if n > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {n}D: use "
                f"transpose(dim0, dim1) or permute(...)."
            )
        perm = tuple(reversed(range(n)))
        return self._view_op(self._data.transpose(perm), TBackward0, perm)

    @property
    def T(self) -> Tensor:  # noqa: N802 (torch's name)
        """All dims reversed (the transpose of a matrix)."""
        perm = tuple(reversed(range(self._data.ndim)))
        return self._view_op(self._data.transpose(perm), PermuteBackward0, perm)

    @property
    def mT(self) -> Tensor:  # noqa: N802 (torch's name)
        """The last two dims swapped."""
        return self.transpose(-2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape (-1 keeps a size) without copying."""
        x = self._data
        sizes = _shape_arg(sizes)
        lead = len(sizes) - x.ndim
        shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return self._view_op(np.broadcast_to(x, shape), ExpandBackward0, x.shape)

    def expand_as(self, other: Tensor) -> Tensor:
        """Expand to ``other``'s shape."""
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        idx, advanced = _index_arg(index)
        x = self._data
        y = x[idx]
        if not isinstance(y, np.ndarray):
            y = np.asarray(y)
        if self._rg and grad_mode.enabled:
            if advanced:
                cls = IndexBackward0
            elif isinstance(idx, int):
                cls = SelectBackward0
            else:
                cls = SliceBackward0
            return Tensor._wrap(y, True, cls(_edge(self), x.shape, idx, advanced))
        return Tensor._wrap(y)


# Torch-style methods for every elementwise kernel (x.exp(), x.sigmoid(), ...), generated from
# the kernel table so that a kernel added there is an op here.
def _make_unary_method(name: str) -> Callable[[Tensor], Tensor]:
    def method(self: Tensor) -> Tensor:
        return _unary(name, self)

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    method.__doc__ = f"Elementwise {name} (kernel ``UNARY_KERNELS[{name!r}]``)."
    return method


def _make_binary_method(name: str) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        return _binary(name, self, other)

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    method.__doc__ = f"Elementwise {name} (kernel ``BINARY_KERNELS[{name!r}]``)."
    return method


for _name in _k.UNARY_KERNELS:
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _make_unary_method(_name))
for _name in _k.BINARY_KERNELS:
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _make_binary_method(_name))
Tensor.negative = Tensor.neg  # type: ignore[attr-defined]
Tensor.true_divide = Tensor.div  # type: ignore[attr-defined]

_ag._bind_tensor(Tensor)


# ------------------------------------------------------------------------------------------
# Functions (exported as minigrad.<name> through TORCH_FUNCTIONS)
# ------------------------------------------------------------------------------------------


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (floats become float32, ints int64, like torch)."""
    t = Tensor._wrap(_to_array(data, dtype))
    if requires_grad:
        t.requires_grad = True
    return t


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (keeps its dtype)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._wrap(array)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with a numpy array or Tensor when possible."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype):
        return Tensor._wrap(data)
    return tensor(data, dtype)


def _factory(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` is given)."""
    return _factory(np.zeros(_shape_arg(size), dtype=dtype or _DEFAULT_FLOAT), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A tensor of ones."""
    return _factory(np.ones(_shape_arg(size), dtype=dtype or _DEFAULT_FLOAT), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """An uninitialised tensor (zeros here, for reproducibility)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``."""
    if dtype is None:
        dtype = _infer_dtype(fill_value)
    return _factory(np.full(tuple(size), fill_value, dtype=dtype), requires_grad)


def _like(x: Tensor, dtype: Any) -> tuple[tuple[int, ...], Any]:
    return x.shape, dtype if dtype is not None else x.dtype


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape and dtype."""
    shape, dt = _like(input, dtype)
    return _factory(np.zeros(shape, dtype=dt), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape and dtype."""
    shape, dt = _like(input, dtype)
    return _factory(np.ones(shape, dtype=dt), requires_grad)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None) -> Tensor:
    """``fill_value`` with ``input``'s shape and dtype."""
    shape, dt = _like(input, dtype)
    return Tensor._wrap(np.full(shape, fill_value, dtype=dt))


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """Standard normal samples (from minigrad's generator, see :func:`manual_seed`)."""
    dt = np.dtype(dtype or _DEFAULT_FLOAT)
    return _factory(_rng.standard_normal(_shape_arg(size), dtype=dt), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """Uniform samples from [0, 1)."""
    dt = np.dtype(dtype or _DEFAULT_FLOAT)
    return _factory(_rng.random(_shape_arg(size), dtype=dt), requires_grad)


def randn_like(input: Tensor, dtype: Any = None) -> Tensor:
    """Normal samples with ``input``'s shape and dtype."""
    return randn(input.shape, dtype=dtype or input.dtype)


def rand_like(input: Tensor, dtype: Any = None) -> Tensor:
    """Uniform samples with ``input``'s shape and dtype."""
    return rand(input.shape, dtype=dtype or input.dtype)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None) -> Tensor:
    """Random integers in [low, high) (``randint(high, size)`` also works)."""
    if high is None or isinstance(high, (tuple, list)):
        low, high, size = 0, low, high if high is not None else size
    return Tensor._wrap(_rng.integers(low, high, tuple(size), dtype=dtype or np.int64))


def randperm(n: int) -> Tensor:
    """A random permutation of 0..n-1."""
    return Tensor._wrap(_rng.permutation(n).astype(np.int64))


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, **_: Any) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else _DEFAULT_FLOAT
    return Tensor._wrap(np.arange(start, end, step).astype(dtype))


def linspace(start: float, end: float, steps: int, dtype: Any = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``."""
    return Tensor._wrap(np.linspace(start, end, steps).astype(dtype or _DEFAULT_FLOAT))


def eye(n: int, m: int | None = None, dtype: Any = None) -> Tensor:
    """The identity matrix."""
    return Tensor._wrap(np.eye(n, m, dtype=dtype or _DEFAULT_FLOAT))


def _as_t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with numpy's / torch's rules for 1-D and batched operands."""
    input, other = _as_t(input), _as_t(other)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}. "
            f"Convert one operand first, e.g. b.to(a.dtype) or x.float()."
        )
    if a.ndim == 0 or b.ndim == 0:
        raise _matmul_error(a, b)
    try:
        y = a @ b
    except ValueError:
        raise _matmul_error(a, b) from None
    if not isinstance(y, np.ndarray):
        y = np.asarray(y)
    ra, rb = input._rg, other._rg
    if (ra or rb) and grad_mode.enabled:
        na = _edge(input) if ra else None
        nb = _edge(other) if rb else None
        if a.ndim == 2 and b.ndim == 2:
            node: Node = MmBackward0(na, nb, a, b)
        elif a.ndim == 1 and b.ndim == 1:
            node = DotBackward0(na, nb, a, b)
        elif a.ndim == 2 and b.ndim == 1:
            node = MvBackward0(na, nb, a, b)
        else:
            node = MatmulBackward0(na, nb, a, b)
        return Tensor._wrap(y, True, node)
    return Tensor._wrap(y)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two 2-D tensors."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(
            f"mm: both arguments must be matrices (2-D), got {input.ndim}-D and {mat2.ndim}-D; "
            f"use matmul (@) for other shapes."
        )
    return matmul(input, mat2)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Dot product of two 1-D tensors."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors: dot takes "
            f"two vectors; use matmul (@) for matrices."
        )
    if input.shape != other.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
            f"[{other.shape[0]}] to have the same number of elements: dot needs equal lengths."
        )
    return matmul(input, other)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` (torch's ``nn.functional.linear``); one node for 2-D input."""
    x, w = input._data, weight._data
    if x.ndim != 2 or x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        out = matmul(input, weight.t())
        return out if bias is None else out + bias
    if x.shape[1] != w.shape[1]:
        raise _matmul_error(x, w.T)
    y = x @ w.T
    if bias is not None:
        y += bias._data
    operands = (input, weight) if bias is None else (input, weight, bias)
    if grad_mode.enabled and any(t._rg for t in operands):
        nodes = tuple(_edge(t) if t._rg else None for t in operands)
        return Tensor._wrap(y, True, AddmmBackward0(nodes, x, w, bias is not None))
    return Tensor._wrap(y)


def softmax(input: Tensor, dim: int) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (shifted by the max: no overflow)."""
    x = input._data
    if x.dtype.kind not in "fc":
        x = x.astype(_DEFAULT_FLOAT)
    (d,) = _norm_dims(dim, x.ndim)
    y = _softmax(x, d if x.ndim else None)
    if input._rg and grad_mode.enabled:
        return Tensor._wrap(y, True, SoftmaxBackward0(_edge(input), y, d if x.ndim else None))
    return Tensor._wrap(y)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """log(softmax(x)) along ``dim``, computed as x - logsumexp(x) so that it never gives -inf
    for finite logits."""
    x = input._data
    if x.dtype.kind not in "fc":
        x = x.astype(_DEFAULT_FLOAT)
    (d,) = _norm_dims(dim, x.ndim)
    y = _log_softmax(x, d if x.ndim else None)
    if input._rg and grad_mode.enabled:
        return Tensor._wrap(y, True, LogSoftmaxBackward0(_edge(input), y, d if x.ndim else None))
    return Tensor._wrap(y)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Concatenate along an existing dim."""
    tensors = [_as_t(t) for t in tensors]
    arrays = [t._data for t in tensors]
    y = np.concatenate(arrays, axis=dim)
    if grad_mode.enabled and any(t._rg for t in tensors):
        nodes = tuple(_edge(t) if t._rg else None for t in tensors)
        sizes = [a.shape[dim] for a in arrays]
        return Tensor._wrap(y, True, CatBackward0(nodes, dim, sizes))
    return Tensor._wrap(y)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Stack along a new dim."""
    tensors = [_as_t(t) for t in tensors]
    y = np.stack([t._data for t in tensors], axis=dim)
    if grad_mode.enabled and any(t._rg for t in tensors):
        nodes = tuple(_edge(t) if t._rg else None for t in tensors)
        return Tensor._wrap(y, True, StackBackward0(nodes, dim % y.ndim))
    return Tensor._wrap(y)


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (broadcasting)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    a = input if isinstance(input, Tensor) else None
    b = other if isinstance(other, Tensor) else None
    like = a._data.dtype if a is not None else b._data.dtype if b is not None else _DEFAULT_FLOAT
    ad = a._data if a is not None else np.asarray(input, dtype=like)
    bd = b._data if b is not None else np.asarray(other, dtype=like)
    if ad.dtype != bd.dtype:
        ad, bd = _promote(ad, bd)
    y = np.where(cond, ad, bd)
    ra, rb = a is not None and a._rg, b is not None and b._rg
    if (ra or rb) and grad_mode.enabled:
        nodes = (_edge(a) if ra else None, _edge(b) if rb else None)
        return Tensor._wrap(y, True, WhereBackward0(nodes, cond, ad, bd))
    return Tensor._wrap(y)


def _fn_sum(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Sum of all elements, or over ``dim``."""
    return input.sum(dim, keepdim)


def _fn_mean(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Mean of all elements, or over ``dim``."""
    return input.mean(dim, keepdim)


def _fn_max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``minigrad.max(x)``, ``minigrad.max(x, dim)`` or ``minigrad.max(x, y)``."""
    return input.max(dim, keepdim)


def _fn_min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``minigrad.min(x)``, ``minigrad.min(x, dim)`` or ``minigrad.min(x, y)``."""
    return input.min(dim, keepdim)


def _method_fn(name: str) -> Callable:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(_as_t(input), name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"``minigrad.{name}(x, ...)`` is ``x.{name}(...)``."
    return fn


def _unary_fn(name: str) -> Callable[[Tensor], Tensor]:
    def fn(input: Tensor) -> Tensor:
        return _unary(name, _as_t(input))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (kernel ``UNARY_KERNELS[{name!r}]``)."
    return fn


def _binary_fn(name: str) -> Callable[[Any, Any], Tensor]:
    def fn(input: Any, other: Any) -> Tensor:
        return _binary(name, input, other)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (kernel ``BINARY_KERNELS[{name!r}]``)."
    return fn


def is_tensor(obj: Any) -> bool:
    """True if ``obj`` is a minigrad Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """Number of elements."""
    return input.numel()


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
    """True if all elements are close."""
    return input.allclose(other, rtol, atol)


# The torch-level function namespace: ``minigrad.<name>``. Kept in a dict rather than as module
# globals because several names (sum, max, abs, pow, ...) would shadow Python's builtins here.
TORCH_FUNCTIONS: dict[str, Callable] = {
    **{name: _unary_fn(name) for name in _k.UNARY_KERNELS},
    **{name: _binary_fn(name) for name in _k.BINARY_KERNELS},
    "sum": _fn_sum,
    "mean": _fn_mean,
    "max": _fn_max,
    "min": _fn_min,
    **{
        n: _method_fn(n)
        for n in (
            "reshape transpose t flatten unsqueeze squeeze permute argmax argmin clone detach equal"
        ).split()
    },
    "negative": _unary_fn("neg"),
    "true_divide": _binary_fn("div"),
    "tensor": tensor,
    "from_numpy": from_numpy,
    "as_tensor": as_tensor,
    "zeros": zeros,
    "ones": ones,
    "empty": empty,
    "full": full,
    "zeros_like": zeros_like,
    "ones_like": ones_like,
    "full_like": full_like,
    "randn": randn,
    "rand": rand,
    "randn_like": randn_like,
    "rand_like": rand_like,
    "randint": randint,
    "randperm": randperm,
    "arange": arange,
    "linspace": linspace,
    "eye": eye,
    "matmul": matmul,
    "mm": mm,
    "dot": dot,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "cat": cat,
    "stack": stack,
    "where": where,
    "is_tensor": is_tensor,
    "numel": numel,
    "allclose": allclose,
    "manual_seed": manual_seed,
}
