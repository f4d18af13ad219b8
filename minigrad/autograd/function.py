"""``autograd.Function``: a user's differentiable operation, written with Tensors.

A Function is an :class:`~minigrad.op.Op` plus an adapter. The built-in ops' forward and
backward take numpy arrays; a Function's take Tensors, as in torch. The adapter is the two
places where that differs: :meth:`Function.run_forward` runs ``forward`` on the Tensors
themselves, with recording off, and hands :func:`~minigrad._tensor.apply` the arrays of what it
returned; :meth:`FunctionCtx.apply` wraps the arrays the backward loop delivers as Tensors,
calls ``backward``, and checks what it returns. Everything else (the node, its edges, the
outputs' ``grad_fn``) is the one ``apply`` that every op takes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from minigrad._tensor import Tensor, apply
from minigrad.dtypes import DEFAULT_FLOAT
from minigrad.grad_mode import grad_mode, no_grad
from minigrad.graph import note_inplace_write
from minigrad.kernels import unbroadcast
from minigrad.op import Ctx, Op

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


def once_differentiable(fn: Any) -> Any:
    """Mark a ``backward`` as not differentiable itself (torch's decorator): it runs without
    recording, and under ``create_graph=True`` differentiating its result raises an error."""
    fn.once_differentiable = True
    return fn


class FunctionCtx(Ctx):
    """What ``forward`` and ``backward`` of a :class:`Function` receive as ``ctx``.

    Store tensors with :meth:`save_for_backward` (they are freed after backward), anything else
    as plain attributes (``ctx.scale = 2``).
    """

    __slots__ = ()
    op: ClassVar[type[Function]]
    _materialize = True
    runs_without_grad = True  # torch calls backward (on zeros) even when no gradient arrived
    input_meta: tuple[tuple[tuple[int, ...], np.dtype] | None, ...]
    output_meta: tuple[tuple[tuple[int, ...], np.dtype], ...]
    non_differentiable: set[int]

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for ``backward``; read them back with ``ctx.saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save tensors (or None), got "
                    f"{type(t).__name__}: store other values as attributes, ctx.name = value"
                )
        super().save_for_backward(*tensors)

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that have no gradient (e.g. indices); they get requires_grad=False."""
        self.marked_non_differentiable = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that ``forward`` modified in place (and returns): as in torch, each
        such input becomes that output, its history rebased onto this node."""
        self.dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """If False, ``backward`` receives None (not zeros) for outputs that got no gradient."""
        self._materialize = bool(value)

    def apply(self, *grads: Any) -> tuple[Any, ...]:
        """The adapter's backward half: Tensors to the user's ``backward``, arrays back."""
        wrapped = [
            Tensor._wrap(np.asarray(g)) if g is not None
            else Tensor._wrap(np.zeros(shape, dtype)) if self._materialize else None
            for g, (shape, dtype) in zip(grads, self.output_meta, strict=True)
        ]  # fmt: skip
        with no_grad():
            result = self.op.backward(self, *wrapped)
        result = result if isinstance(result, tuple) else (result,)
        n_in = len(self.next_functions)
        if len(result) > n_in and all(r is None for r in result[n_in:]):
            result = result[:n_in]
        if len(result) != n_in:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{n_in}, got {len(result)}): backward must return one gradient per argument "
                f"of forward (after ctx), None for arguments that need none."
            )
        return tuple(
            self._checked_grad(i, r) if nxt is not None and r is not None else None
            for i, (r, (nxt, _)) in enumerate(zip(result, self.next_functions, strict=True))
        )

    def _checked_grad(self, i: int, r: Any) -> np.ndarray:
        """Gradient ``r`` for input ``i`` as a fresh array of the input's shape and dtype."""
        meta = self.input_meta[i]
        assert meta is not None, "a gradient for an input that is not a Tensor"
        shape, dtype = meta
        arr = np.asarray(r._data if isinstance(r, Tensor) else r)
        if arr.shape != shape:
            try:
                arr = unbroadcast(arr, shape)
            except ValueError:
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {i} - got "
                    f"{list(arr.shape)} but expected shape compatible with {list(shape)}: the "
                    f"gradient for an input must have that input's shape (sum over broadcast "
                    f"dimensions, transpose if needed)."
                ) from None
        # The user may return the same tensor twice, or grad_output itself: own a copy.
        return np.array(arr, dtype=dtype, copy=True)


class Function(Op):
    """Base class of differentiable operations, as ``torch.autograd.Function``.

    Subclass it with two static methods::

        class Exp2Function(Function):
            @staticmethod
            def forward(ctx, x):
                y = 2**x
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, grad_output):
                (y,) = ctx.saved_tensors
                return grad_output * math.log(2) * y

    and call it with ``Exp2Function.apply(x)``. ``forward`` runs with recording off;
    ``backward`` returns one gradient per ``forward`` argument (None where not needed:
    check ``ctx.needs_input_grad``).
    """

    node_base = FunctionCtx
    on_arrays = False

    @classmethod
    def default_node_name(cls) -> str:
        """torch's name for the node of a Python Function: ``Exp2Function`` records
        ``Exp2FunctionBackward``."""
        return f"{cls.__name__}Backward"

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, if an input requires grad, record a node for ``backward``."""
        return apply(cls, *args, **kwargs)

    @classmethod
    def run_forward(cls, ctx: FunctionCtx, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
        """The adapter's forward half: the user's ``forward`` on Tensors, arrays back."""
        ctx.input_meta = tuple(
            (x.shape, x._data.dtype) if isinstance(x, Tensor) else None for x in inputs
        )
        with no_grad():
            out = cls.forward(ctx, *inputs, **params)
        outs = out if isinstance(out, tuple) else (out,)
        ctx.output_meta = tuple(
            (o.shape, o._data.dtype) if isinstance(o, Tensor) else ((), DEFAULT_FLOAT) for o in outs
        )
        # which arrays are the outputs (so that create_graph reconnects a saved output)
        ctx.output_ids = [id(o._data) if isinstance(o, Tensor) else None for o in outs]
        marked = getattr(ctx, "marked_non_differentiable", ())
        ctx.non_differentiable = {i for i, o in enumerate(outs) if any(o is m for m in marked)}
        dirty = _dirty_inputs(ctx, outs)
        # An output that is a dirty input stays that Tensor (apply rebases its history);
        # any other Tensor is handed over as its array, so that apply gives it a new identity.
        arrays = tuple(
            o if any(o is d for d in dirty) else o._data if isinstance(o, Tensor) else o
            for o in outs
        )
        return arrays if isinstance(out, tuple) else arrays[0]


def _dirty_inputs(ctx: FunctionCtx, outs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    """The inputs ``mark_dirty`` names, checked: each was changed in place and is returned."""
    dirty: tuple[Tensor, ...] = getattr(ctx, "dirty", ())
    for t in dirty:
        if not any(t is o for o in outs):
            raise RuntimeError(
                f"{ctx.name()}: an input marked dirty (modified in place) must be returned by "
                f"forward, as torch requires."
            )
        if grad_mode.enabled and t._rg and t.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation "
                f"({ctx.name()} marks it dirty): clone it first (x.clone()), or do this "
                f"under minigrad.no_grad()."
            )
        note_inplace_write(t._data)
    return dirty
