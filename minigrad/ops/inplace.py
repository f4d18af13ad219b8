"""In-place ops on arrays that share memory: what torch records when ``v.mul_(2)`` changes a
view ``v`` of a tensor ``b``, or ``b[i] = w`` changes part of ``b``.

A view shares its base's memory (numpy views do), so writing into it changes the base and
every other view of it. For autograd, torch then *rebases* histories: the base's new
``grad_fn`` is a ``CopySlices`` node (its old value, with the view's region replaced by the
op's result), and each view's ``grad_fn`` becomes ``AsStridedBackward0`` of the base's new
history (the view's elements, picked out of the base). Both need to know which elements of the
base a view holds: :func:`positions` reads that off the arrays' memory addresses.

``IndexPut`` is ``x[index] = value`` computed out of place (``setitem``, ``fill_``,
``copy_`` while recording); the Tensor writes its result back into ``x``'s memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.kernels import unbroadcast
from minigrad.op import Ctx, Op

__all__ = [
    "AsStrided", "CopySlices", "IndexPut", "cast_error", "check_no_overlap", "check_put_dtype",
    "check_writable", "positions", "region", "shape_error", "store", "writable",
]  # fmt: skip


def _addresses(a: np.ndarray) -> np.ndarray:
    """The memory address of every element of ``a`` (int64, shape of ``a``)."""
    addr = np.full(a.shape, a.__array_interface__["data"][0], dtype=np.int64)
    for k, (n, stride) in enumerate(zip(a.shape, a.strides, strict=True)):
        shape = [1] * a.ndim
        shape[k] = n
        addr = addr + (np.arange(n, dtype=np.int64) * stride).reshape(shape)
    return addr


def positions(base: np.ndarray, view: np.ndarray) -> np.ndarray:
    """For each element of ``view`` (which shares memory with ``base``), its index in
    ``base`` flattened in C order: ``base.reshape(-1)[positions(base, view)]`` is ``view``."""
    flat = _addresses(base).reshape(-1)
    order = np.argsort(flat, kind="stable")
    return order[np.searchsorted(flat[order], _addresses(view))]


def check_put_dtype(index: Any, dtype: np.dtype, value: np.ndarray) -> None:
    """torch's ``index_put_`` (an advanced-index write) needs the value in the tensor's dtype."""
    items = index if type(index) is tuple else (index,)
    shapes = [
        shape
        for i in items
        if isinstance(i, np.ndarray)
        for shape in ([(int(i.sum()),)] * i.ndim if i.dtype == np.bool_ else [i.shape])
    ]
    try:  # torch first broadcasts the index tensors together
        np.broadcast_shapes(*shapes)
    except ValueError:
        got = ", ".join(str(list(sh)) for sh in shapes)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {got}"
        ) from None
    value_dtype = value.dtype
    if len(items) == 1 and getattr(items[0], "dtype", None) == np.bool_ and value.size == 1:
        return  # x[mask] = one value is a masked fill in torch: it casts
    if value_dtype != dtype and any(isinstance(i, np.ndarray) for i in items):
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got {dtype} for the "
            f"destination and {value_dtype} for the source: convert the value first "
            f"(value.to(x.dtype))."
        )


def check_no_overlap(out: np.ndarray, inputs: tuple[Any, ...], params: dict[str, Any]) -> None:
    """torch refuses an in-place op whose input overlaps the written tensor (``out``) in part
    (``x[1:].copy_(x[:-1])``), as its ``get_overlap_status`` sees it: the input, broadcast to
    ``out``'s shape, spans the same memory but with other strides. Through an index array
    (``x[i] = x``), any overlap torch can see is refused (both dense), unless the value is one
    number (a fill)."""
    index = params.get("index")
    items = index if type(index) is tuple else (index,)
    advanced = any(isinstance(i, np.ndarray) for i in items)
    for a in inputs:
        arr = getattr(a, "_data", None)
        if not isinstance(arr, np.ndarray) or not np.may_share_memory(arr, out):
            continue
        if advanced:  # (x[mask] = one value is a masked fill: not checked)
            fill = arr.size == 1 and len(items) == 1 and items[0].dtype == np.bool_
            bad = not fill and _dense(arr) and _dense(out) and np.shares_memory(arr, out)
        elif not params.get("strip") or arr.shape == out.shape:
            bad = _partial_overlap(arr, out)  # copy_, add_, ...: the input as it is
        elif arr.ndim == 0:
            bad = False  # x[i] = a 0-d tensor is a fill
        else:  # x[i] = v: torch drops v's leading 1s, then broadcasts it
            arr = arr.reshape(
                arr.shape[next((i for i, n in enumerate(arr.shape) if n != 1), arr.ndim) :]
            )
            if arr.ndim == 0:  # torch expands it with strides 0: dense only onto one element,
                # and then the same only for a 0-d target
                bad = out.ndim > 0 and out.size == 1 and bool(np.shares_memory(arr, out))
            else:
                try:
                    np.broadcast_shapes(arr.shape, out.shape)
                except ValueError:
                    continue  # the op itself raises its shape error
                bad = _partial_overlap(_expand(arr, out.shape), out)
        if bad:
            raise RuntimeError(
                "unsupported operation: some elements of the input tensor and the written-to "
                "tensor refer to a single memory location, which could lead to wrong results. "
                "Please clone() the tensor before performing the operation."
            )


def _expand(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``a`` broadcast to ``shape`` with torch's expand strides: a stretched dim gets 0, a new
    leading dim of size 1 the size times the stride of the dim after it (numpy would give 0),
    of any other size 0."""
    n, k = len(shape), a.ndim
    strides = [0] * n
    for i in range(n - 1, -1, -1):
        d = i - (n - k)
        if d >= 0:
            strides[i] = a.strides[d] if a.shape[d] == shape[i] else 0
        elif shape[i] == 1:
            strides[i] = shape[i + 1] * strides[i + 1] if i + 1 < n else a.itemsize
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=False)


def _dense(a: np.ndarray) -> bool:
    """No two elements share memory and no gap between them (torch's non-overlapping-and-dense)."""
    big = [(abs(st), n) for st, n in zip(a.strides, a.shape, strict=True) if n > 1]
    return (
        all(st for st, _ in big) and sum((n - 1) * st for st, n in big) == (a.size - 1) * a.itemsize
    )


def _partial_overlap(src: np.ndarray, out: np.ndarray) -> bool:
    """torch's PARTIAL overlap: both dense, their memory ranges meet, and they are not the same
    elements in the same order (same range, same strides on the dims longer than 1)."""
    if not (_dense(src) and _dense(out)) or not np.shares_memory(src, out):
        return False  # torch's TOO_HARD (not checked) or no overlap
    same = (
        src.shape == out.shape
        and _pointer(src) == _pointer(out)
        and all(  # (torch compares every stride; numpy gives a new dim of size 1 stride 0)
            s == t or (n == 1 and 0 in (s, t))
            for s, t, n in zip(src.strides, out.strides, out.shape, strict=True)
        )
    )
    return not same


def _pointer(a: np.ndarray) -> int:
    return int(a.__array_interface__["data"][0])


def writable(a: np.ndarray) -> np.ndarray:
    """``a``, or (for a read-only ``expand``) a writable array on the same memory: filling an
    expanded tensor with one number is allowed in torch (every alias gets that number)."""
    if a.flags.writeable:
        return a
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    offset = _pointer(a) - _pointer(root)
    return np.ndarray(a.shape, a.dtype, buffer=root, offset=offset, strides=a.strides)


def check_writable(a: np.ndarray) -> None:
    """torch refuses to write into a tensor whose elements share memory (an ``expand`` that
    repeats an element: a dim of stride 0 and size > 1; expanding a size to itself is fine)."""
    if a.size and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape, strict=True)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )


def store(a: np.ndarray, new: np.ndarray) -> None:
    """Write ``new`` into ``a``'s memory. An ``expand`` is read-only in numpy: there only the
    changed elements are written, so that an element repeated in ``a`` ends up with its new
    value whichever copy changed (torch's ``index_put_`` on an expanded tensor)."""
    if a.flags.writeable:
        a[...] = new
        return
    changed = np.not_equal(new, a)
    if a.dtype.kind == "f":
        changed &= ~(np.isnan(new) & np.isnan(a))
    writable(a)[changed] = new[changed]


def cast_error(result: np.dtype, out: np.dtype) -> RuntimeError:
    """torch's error for an in-place op whose result cannot be stored in the tensor's dtype."""
    return RuntimeError(
        f"result type {result} can't be cast to the desired output type {out}: an in-place op "
        f"keeps the tensor's dtype; use the out-of-place op (x = x * 2.5) or convert x first."
    )


def shape_error(out: tuple[int, ...], result: tuple[int, ...]) -> RuntimeError:
    """torch's error for an in-place op whose result would need a bigger tensor."""
    return RuntimeError(
        f"output with shape {list(out)} doesn't match the broadcast shape {list(result)}: an "
        f"in-place op cannot change the tensor's shape; use the out-of-place op instead."
    )


def can_store(result: np.dtype, out: np.dtype) -> bool:
    """torch's ``canCast``: no float into an integer, no integer into a bool."""
    rank = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
    return rank[result.kind] <= rank[out.kind]


class _CopySlicesNode(Ctx):
    __slots__ = ()
    checks_without_grad = False  # torch's CopySlices returns at once when no gradient came


class CopySlices(Op):
    """The base's new value after an in-place op on its view: the old value with the view's
    elements (at ``pos``) replaced by the op's result."""

    node_name = "CopySlices"
    node_base = _CopySlicesNode
    saved_as = (None,)  # the positions

    @staticmethod
    def forward(ctx: Ctx, base: np.ndarray, values: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """A copy of ``base`` with ``values`` written at ``pos``."""
        y = np.array(base, order="C", copy=True)
        y.reshape(-1)[pos] = values
        ctx.save_for_backward(pos)  # (so that, as torch's, it is freed: no second backward)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[Any, Any]:
        """The base gets dy except at the overwritten elements; the op's result gets those."""
        (pos,) = ctx.saved_tensors
        flat = dy.reshape(-1).copy()
        values = flat[pos]
        flat[pos] = 0
        g = flat.reshape(dy.shape)
        need_base, _ = ctx.needs_input_grad
        return (g if need_base else None), values


class AsStrided(Op):
    """A view's history regenerated from its base's: the elements at ``pos``."""

    @staticmethod
    def forward(ctx: Ctx, base: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """``base`` flattened, picked at ``pos``."""
        ctx.shape, ctx.pos = base.shape, pos
        return np.ascontiguousarray(base).reshape(-1)[pos]

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """Zeros of the base's shape with dy added at ``pos``."""
        flat = np.empty_like(dy, shape=(int(np.prod(ctx.shape)),))
        flat[...] = 0
        np.add.at(flat, ctx.pos, dy)
        return flat.reshape(ctx.shape)


def _target(a: np.ndarray, first: Any) -> np.ndarray:
    return a if first is None else a[first]


def region(a: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """What an in-place op writes of ``a``: all of it, or (``IndexPut``) the indexed part, a
    view of it for a basic index (an index array gives ``a`` itself: the write is scattered)."""
    if "index" not in params:
        return a
    index = params["index"]
    items = index if type(index) is tuple else (index,)
    part = _target(a, params.get("first"))
    if any(isinstance(i, np.ndarray) for i in items):
        return a  # (an index array: the basic part, ``first``, has been checked)
    return np.asarray(part[index])


class IndexPut(Op):
    """``x[index] = value`` out of place: a copy of x with value written at index (broadcast,
    in x's dtype). ``first`` is a basic index applied before (see ``shape.Index``)."""

    saved_as = (None,)  # (a placeholder, no array: see the end of forward)

    @staticmethod
    def forward(
        ctx: Ctx, x: np.ndarray, value: Any, index: Any, first: Any = None, strip: bool = False,
        tensor: bool = False,
    ) -> np.ndarray:  # fmt: skip
        """The write, with torch's error for a value that does not fit the indexed shape
        (``strip``: first drop the value's leading size-1 dims, as torch's ``x[i] = v``)."""
        y = x.copy()
        v = np.asarray(value)
        masked = any(
            isinstance(i, np.ndarray) for i in (index if type(index) is tuple else (index,))
        )
        if (
            x.dtype.kind in "biu"
            and v.size == 1
            and v.dtype.kind == "f"
            and (masked or not tensor)  # a number, or one value through an index array
            and not np.isfinite(v).all()
        ):
            raise RuntimeError(f"value cannot be converted to type {x.dtype}_t without overflow")
        ctx.value_shape = v.shape
        part = _target(y, first)  # torch's order: the basic part's errors, the dtype, the rest
        if tensor:  # a tensor value (not a number) must have x's dtype for an index array
            check_put_dtype(index, x.dtype, v)
        target = part[index]
        extra = v.ndim - np.ndim(target)
        if strip and extra > 0 and all(n == 1 for n in v.shape[:extra]):
            v = v.reshape(v.shape[extra:])
        elif not strip and np.ndim(target) < v.ndim:
            raise shape_error(np.shape(target), v.shape)
        try:
            _target(y, first)[index] = v
        except (ValueError, TypeError):  # (numpy's TypeError: a 2-D value for a mask)
            got = np.shape(_target(y, first)[index])
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
                f"indexing result of shape {list(got)}"
            ) from None
        ctx.index, ctx.first, ctx.squeezed = index, first, v.shape
        # An index that takes all of x (x[...] = v, x[:] = v) writes x itself in torch: a
        # copy_, which saves nothing. Any other writes a part (a CopySlices, or
        # IndexPutBackward0), which a backward frees: then a second backward raises, as in
        # torch. A saved placeholder gives the node that life cycle; it holds no array.
        if not (
            target.shape == y.shape
            and target.strides == y.strides
            and np.may_share_memory(target, y)
        ):
            ctx.save_for_backward(None)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> Any:
        """x gets dy except where it was overwritten; value gets dy there (summed back to its
        shape)."""
        need_x, *need_v = ctx.needs_input_grad  # no value input when it was a number
        dv = None
        if need_v and need_v[0]:
            picked = _target(dy, ctx.first)[ctx.index]
            dv = unbroadcast(picked, ctx.squeezed).reshape(ctx.value_shape)
        dx = None
        if need_x:
            dx = np.copy(dy)  # (dy may be a numpy scalar)
            _target(dx, ctx.first)[ctx.index] = 0
        return (dx, dv) if need_v else dx
