"""Views and in-place ops on Tensors, as torch has them.

A view (``x[1]``, ``x.t()``, ``x.view(2, 3)``, ...) shares its base's memory, so an in-place
op on either changes both. For autograd torch then *rebases* histories (see
:mod:`minigrad.ops.inplace` for the nodes): after ``v.mul_(2)`` on a view ``v`` of ``b``, the
base's ``grad_fn`` is a ``CopySlices`` of the op's result, and every view of the base gets its
history regenerated from the base's new one. So a view knows its base (``_base``, the root of
its chain of views) and a base its views (``_views``, weakly); both are set only by view ops,
so that tensors that are no views pay nothing for them.

:func:`write` is the one path of every in-place op: compute the result out of place (through
the one ``apply``, recorded like any op), check it as torch does (shape, dtype, memory), write it
into the tensor's memory, bump the version, and rebase while recording.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.grad_mode import grad_mode
from minigrad.graph import note_inplace_write
from minigrad.op import Ctx
from minigrad.ops import inplace
from minigrad.ops.elementwise import Clamp, FloorDivideInPlace, binary_op
from minigrad.tensor_args import _bounds, _leaf_inplace_error

if TYPE_CHECKING:
    from minigrad._tensor import Tensor
    from minigrad.op import Op

__all__ = ["mark_view", "ufunc_write", "write"]

Apply = Callable[..., Any]


def _storage(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory (the root of its ``base`` chain)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def mark_view(base: Tensor, out: Tensor) -> Tensor:
    """Mark ``out`` (made by a view op from ``base``) as a view of ``base``'s root."""
    if _storage(out._data) is not _storage(base._data):
        return out  # a reshape of a non-contiguous array copies, as torch's does
    root = getattr(base, "_base", None)
    if root is None:
        root = base
    out._base = root
    views: list[weakref.ref[Tensor]] | None = getattr(root, "_views", None)
    if views is None:
        views = root._views = []
    elif len(views) > 64:
        views[:] = [r for r in views if r() is not None]
    views.append(weakref.ref(out))
    return out


def ufunc_write(t: Tensor, apply: Apply, ufunc: np.ufunc, op: type[Op], other: Any) -> Tensor:
    """``t op= other``: numpy's ``out=`` when nothing is recorded (the fast path of an
    optimizer's ``p -= lr * p.grad``), else :func:`write` (which also raises torch's error for
    what numpy refuses: a shape or dtype the result cannot be stored in)."""
    d = t._data
    o = other._data if type(other) is type(t) else getattr(other, "_data", other)
    if grad_mode.enabled and (t._rg or getattr(other, "_rg", False)):
        return write(t, apply, op, (other,), {})
    if type(o) is np.ndarray:  # bools (sub refuses them) and overlaps: checked by write
        if o.dtype.kind == "b" or (
            (o.base is not None or d.base is not None) and np.may_share_memory(o, d)
        ):
            return write(t, apply, op, (other,), {})
    elif type(o) is bool:
        return write(t, apply, op, (other,), {})
    try:
        ufunc(d, o, out=d)
    except (TypeError, ValueError):
        return write(t, apply, op, (other,), {})
    note_inplace_write(d)
    return t


Method = Callable[["Tensor", Any], "Tensor"]


def op_writes(apply: Apply) -> tuple[Method, Method, Method]:
    """The methods ``//=``, ``%=`` and ``**=`` (``floor_divide_``, ``remainder_``, ``pow_``),
    which have no numpy fast path: without them, Python would run ``x = x // other`` (a new
    tensor; a view's base unchanged)."""

    def method(op: type[Op], sign: str) -> Method:
        def write_op(self: Tensor, other: Any) -> Tensor:
            return write(self, apply, op, (other,), {})

        write_op.__doc__ = f"In place: self = self {sign} other."
        return write_op

    ops = (FloorDivideInPlace, "//"), (binary_op("remainder"), "%"), (binary_op("pow"), "**")
    return method(*ops[0]), method(*ops[1]), method(*ops[2])


def clamp_write(apply: Apply) -> Callable[..., Tensor]:
    """The method ``clamp_`` (``clip_``)."""

    def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
        """In place: :meth:`clamp`."""
        return write(self, apply, Clamp, (), _bounds(min, max))

    return clamp_


def write(
    t: Tensor, apply: Apply, op: type[Op], args: tuple[Any, ...], params: dict[str, Any]
) -> Tensor:
    """``t <- op(t, *args, **params)`` in place, checked and (if grad mode is on and an
    operand requires grad) recorded as torch records it."""
    record = grad_mode.enabled and (t._rg or any(getattr(a, "_rg", False) for a in args))
    base: Tensor | None = getattr(t, "_base", None)
    region = inplace.region(t._data, params)  # (torch reports an index out of range first)
    if record and t._rg and t.grad_fn is None:
        raise _leaf_inplace_error()
    if record and base is not None and base._rg and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation: do it under minigrad.no_grad(), or clone() the leaf first."
        )
    # fill_ / zero_ (a number, no index) or a copy onto itself: aliased memory (an expand) is
    # fine, as in torch; x[i] = v and every other op refuse to write aliased elements.
    index = params.get("index")
    mask = getattr(index, "dtype", None) == np.bool_  # x[mask] = one number: a masked fill
    fill = op is inplace.IndexPut and (
        (index is ... and not params.get("strip") and (not args or args[0] is t))
        or (mask and not args)
    )
    if not fill:
        items = index if type(index) is tuple else (index,)
        if not any(isinstance(i, np.ndarray) for i in items):  # (torch's index_put_ only warns)
            inplace.check_writable(region)
        inplace.check_no_overlap(region, args, params)
    src = t
    if record:  # the op must read the value from before the write (torch saves a clone)
        src = type(t)._wrap(t._data.copy(), t._rg, t.grad_fn)
        src._output_nr = t._output_nr
    res = apply(op, src, *args, **params)
    if res._data.shape != t._data.shape:
        raise inplace.shape_error(t._data.shape, res._data.shape)
    if res._data.dtype != t._data.dtype:
        if not inplace.can_store(res._data.dtype, t._data.dtype):
            raise inplace.cast_error(res._data.dtype, t._data.dtype)
        res = res.to(t._data.dtype)
    inplace.store(t._data, res._data)
    note_inplace_write(t._data)
    if record and res.grad_fn is not None:  # (an integer result records nothing)
        _rebase(t, res, base, apply)
    return t


def _rebase(t: Tensor, res: Tensor, base: Tensor | None, apply: Apply) -> None:
    """After an in-place op on ``t`` recorded as ``res``: ``t``'s history is ``res``'s; if ``t``
    is a view, its base's is a CopySlices of it; every view of the base is regenerated."""
    if base is None:
        t._rg, t.grad_fn, t._output_nr = True, res.grad_fn, 0
        base = t
    else:
        pos = inplace.positions(base._data, t._data)
        inner = res.grad_fn
        if isinstance(inner, Ctx):  # torch keeps the op inside its CopySlices, which skips it
            # when no gradient comes: it is then neither checked nor run
            inner.checks_without_grad = inner.runs_without_grad = False
        new = apply(inplace.CopySlices, base, res, pos=pos)
        base._rg, base.grad_fn, base._output_nr = True, new.grad_fn, 0
    for ref in getattr(base, "_views", ()):
        view = ref()
        if view is not None:
            pos = inplace.positions(base._data, view._data)
            regen = apply(inplace.AsStrided, base, pos=pos)
            view._rg, view.grad_fn, view._output_nr = True, regen.grad_fn, 0
