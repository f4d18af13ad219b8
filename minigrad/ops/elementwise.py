"""Elementwise ops: each runs an entry of the kernel table (:mod:`minigrad.kernels`).

The table entry holds every fact about the op: its forward and backward functors, what the
backward reads (``saves``), whether integers stay integers (``keeps_int``) and whether numpy may
warn where torch is silent (``warns``). This module turns an entry into an Op whose node is
named as torch names it (``exp2`` records ``Exp2Backward0``). The table is read at every call,
so replacing an entry changes what the Tensor computes.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np

from minigrad.dtypes import DEFAULT_FLOAT, cast, operands, result_type
from minigrad.kernels import BINARY_KERNELS, UNARY_KERNELS, unbroadcast
from minigrad.op import Ctx, Op
from minigrad.quiet import quietly

__all__ = [
    "Binary",
    "Clamp",
    "FloorDivide",
    "FloorDivideInPlace",
    "RemainderOfNumber",
    "Scale",
    "Unary",
    "binary_op",
    "check_broadcast",
    "unary_op",
]


def _array(x: Any) -> np.ndarray:
    """numpy gives a scalar, not an array, for 0-d operands; the engine wants arrays (a
    create_graph Tracer, which has a shape too, passes as it is)."""
    return x if type(x) is np.ndarray or not isinstance(x, np.generic) else np.asarray(x)


class Unary(Op):
    """``y = kernel.forward(x)``, ``dx = kernel.backward(dy, x or y)``: the kernel is the node
    class's ``kernel``, looked up in ``UNARY_KERNELS`` at every call."""

    kernel: ClassVar[str]

    @staticmethod
    def saved_as(ctx: Ctx) -> tuple[str, ...]:
        """The input or the output, as the kernel's ``saves`` says."""
        return {"x": ("in0",), "y": ("out0",), "": ()}[UNARY_KERNELS[ctx.kernel].saves]

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray) -> np.ndarray:
        """Run the kernel's forward; save the input or the output, as the kernel declares."""
        k = UNARY_KERNELS[ctx.kernel]
        if x.dtype.kind not in "fc":
            if k.refuses_bool and x.dtype.kind == "b":
                raise _bool_error(k.name, "on")
            if not k.keeps_int:
                x = cast(x, DEFAULT_FLOAT)
        y = quietly(k.forward, x) if k.warns else k.forward(x)
        saves = k.saves
        if saves and ctx.needs_input_grad[0]:  # (a call that records nothing keeps nothing)
            if type(y) is not np.ndarray:  # a 0-d result: save the array the tensor will hold
                y = np.asarray(y)
            ctx.save_for_backward(x if saves == "x" else y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """``dx = kernel.backward(dy, saved)``."""
        (saved,) = ctx.saved_tensors or (None,)  # None: the rule reads dy only
        return _array(UNARY_KERNELS[ctx.kernel].backward(dy, saved))

    @staticmethod
    def grad_tracks_saved(ctx: Any) -> bool:
        """The kernel entry's ``grad_tracks_saved``."""
        return UNARY_KERNELS[ctx.kernel].grad_tracks_saved


class Binary(Op):
    """``y = kernel.forward(a, b)`` with broadcasting; each operand's gradient is summed back
    to its shape (:func:`~minigrad.kernels.unbroadcast`)."""

    kernel: ClassVar[str]
    saved_as = ("in0", "in1", "out0")

    @staticmethod
    def forward(ctx: Ctx, a: Any, b: Any) -> np.ndarray:
        """Promote the operands to one dtype, run the kernel, save what its backward reads."""
        k = BINARY_KERNELS[ctx.kernel]
        given_a, given_b = a, b
        if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype != b.dtype:
            if k.refuses_bool:
                if k.name == "pow" and type(b) is bool and getattr(a, "dtype", None) == np.bool_:
                    return a.copy() if b else np.ones_like(a)  # torch: bool ** bool stays bool
                _refuse(k.name, k.refuses_bool, a, b)
            a, b = operands(a, b)
        if a.dtype.kind not in "fc":
            if k.refuses_bool and a.dtype.kind == "b":
                raise _bool_error(k.name, "with two bool tensors")
            if not k.keeps_int:
                a, b = cast(a, DEFAULT_FLOAT), cast(b, DEFAULT_FLOAT)
        try:
            y = quietly(k.forward, a, b) if k.warns else k.forward(a, b)
        except ValueError:
            _check_broadcast(a, b, ctx.kernel)
            raise
        need_a, need_b = ctx.needs_input_grad
        if need_a or need_b:  # (a call that records nothing keeps nothing)
            y = _save(ctx, k.saves_for[need_a + 2 * need_b], given_a, given_b, a, b, y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The gradient of each operand that needs one, in that operand's shape."""
        k = BINARY_KERNELS[ctx.kernel]
        a: Any
        b: Any
        y: Any
        a, b, y = ctx.saved_tensors or (None, None, None)
        need_a, need_b = ctx.needs_input_grad
        shape_a, shape_b, cast_to = ctx.shapes
        if cast_to is not None:  # (tensors saved as given: converted as the forward did)
            dt, cast_a, cast_b = cast_to
            a = a.astype(dt) if cast_a and a is not None else a
            b = b.astype(dt) if cast_b and b is not None else b
        da = db = None
        if need_a:
            da = k.backward_lhs(dy, a, b, y)
            if da.shape != shape_a:  # a numpy scalar from 0-d operands has shape () too
                da = unbroadcast(da, shape_a)
        if need_b:
            db = k.backward_rhs(dy, a, b, y)
            if db.shape != shape_b:
                db = unbroadcast(db, shape_b)
        return da, db


def _save(ctx: Ctx, saves: str, given_a: Any, given_b: Any, a: Any, b: Any, y: Any) -> Any:
    """Save what ``saves`` (``k.saves_for``: what torch saves for the inputs that need a
    gradient) names of the operands ``a``, ``b`` and the result ``y``, and the shapes; return
    ``y`` (as an array). An operand converted for the op is saved as given (as torch saves the
    tensor: an in-place change to it is then seen); the backward converts it again."""
    if type(given_b) is not np.ndarray:  # x ** 2 is torch's pow(Tensor, Scalar): it saves
        saves = saves.replace("y", "")  # self only
    cast_to = None
    if saves:
        if "y" in saves and type(y) is not np.ndarray:
            y = np.asarray(y)  # a 0-d result: save the array the tensor will hold
        if type(given_b) is bool:  # torch's Scalar keeps its type: a bool is never equal to 0
            b = np.asarray(b, dtype=np.bool_)  # (x ** False)
        cast_a = type(given_a) is np.ndarray and given_a.dtype != a.dtype
        cast_b = type(given_b) is np.ndarray and given_b.dtype != b.dtype
        ctx.save_for_backward(
            (given_a if cast_a else a) if "a" in saves else None,
            (given_b if cast_b else b) if "b" in saves else None,
            y if "y" in saves else None,
        )
        cast_to = (a.dtype, cast_a, cast_b) if cast_a or cast_b else None
    ctx.shapes = (a.shape, b.shape, cast_to)
    return y


_BOOL_MESSAGES = {
    "sub": "Subtraction, the `-` operator, {how} is not supported. If you are trying to invert "
    "a mask, use the `~` or `logical_not()` operator instead.",
    "neg": "Negation, the `-` operator, {how} a bool tensor is not supported. If you are trying "
    "to invert a mask, use the `~` or `logical_not()` operator instead.",
    "relu": "Boolean inputs not supported for relu",
}


def _bool_error(name: str, how: str) -> RuntimeError:
    """torch's refusal of a bool operand for op ``name``."""
    if name in _BOOL_MESSAGES:
        return RuntimeError(_BOOL_MESSAGES[name].format(how=how))
    return NotImplementedError(
        f"\"{name}\" not implemented for 'Bool': convert the bool tensor first (x.long() or "
        f"x.float())."
    )


def _refuse(name: str, rule: str, a: Any, b: Any) -> None:
    """Operands of mixed types that torch refuses for op ``name``: a bool operand of ``-``
    (``rule == "any"``), and an integer tensor to a negative integer power."""
    if rule == "any" and any(
        isinstance(v, (bool, np.bool_)) or getattr(v, "dtype", None) == np.bool_ for v in (a, b)
    ):
        raise _bool_error(name, "with a bool tensor")
    if (
        name == "pow" and isinstance(b, int) and b < 0
        and isinstance(a, np.ndarray) and a.dtype.kind in "biu"
    ):  # fmt: skip
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _check_broadcast(a: np.ndarray, b: np.ndarray, op: str) -> None:
    """Raise torch's error, with a way out, if the shapes of a and b do not broadcast."""
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast. Aligned from "
            f"the right, each pair of sizes must be equal or one of them 1. Reshape or unsqueeze "
            f"an operand (e.g. b.reshape(-1, 1) or b.unsqueeze(0)) so that they line up."
        ) from None


check_broadcast = _check_broadcast  # (public: comparisons raise torch's error too)


def _camel(name: str) -> str:
    """torch's class name for op ``name``: ``exp2`` -> ``Exp2``, ``log1p`` -> ``Log1P`` (a letter
    after a digit is upper case), ``max_pool`` -> ``MaxPool``."""
    camel = "".join(part.capitalize() for part in name.split("_"))
    return re.sub(r"(?<=\d)[a-z]", lambda m: m.group().upper(), camel)


_OPS: dict[tuple[type[Op], str], type[Op]] = {}


def _kernel_op(base: type[Op], name: str) -> type[Op]:
    """The Op of kernel ``name`` (made on first use: a kernel added to the table is an op)."""
    op = _OPS.get((base, name))
    if op is None:
        op = _OPS[base, name] = type(_camel(name), (base,), {"kernel": name})
        op.node.kernel = name  # type: ignore[attr-defined]  # so its ctx says ctx.kernel
    return op


def unary_op(name: str) -> type[Op]:
    """The Op of unary kernel ``name`` (``unary_op("exp2")`` records ``Exp2Backward0``)."""
    return _kernel_op(Unary, name)


def binary_op(name: str) -> type[Op]:
    """The Op of binary kernel ``name`` (``binary_op("mul")`` records ``MulBackward0``)."""
    return _kernel_op(Binary, name)


class Clamp(Op):
    """``x.clamp(min, max)`` with numbers for the bounds (torch's ``ClampBackward1``): the
    gradient passes where min <= x <= max, and is 0 where x was clamped."""

    node_name = "ClampBackward1"
    saved_as = ("in0",)

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, min: Any = None, max: Any = None) -> np.ndarray:
        """``minimum(maximum(x, min), max)``: max wins where min > max, nan stays nan."""
        dt = result_type(x, *[v for v in (min, max) if v is not None])
        if dt.kind == "b":
            dt = np.dtype(np.int64)  # torch clamps bools as integers
        x = x.astype(dt, copy=False)
        lo = None if min is None else dt.type(min)
        hi = None if max is None else dt.type(max)
        ctx.bounds = lo, hi
        ctx.save_for_backward(x)
        y = x if lo is None else np.maximum(x, lo)
        return np.asarray(y if hi is None else np.minimum(y, hi))

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy where the input was inside [min, max], 0 elsewhere (and at a nan input)."""
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        keep = np.ones(x.shape, dtype=bool)
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
        return np.where(keep, dy, _cast_zero(dy))


def _cast_zero(dy: np.ndarray) -> np.generic:
    return dy.dtype.type(0)


def _integer_division(ctx: Ctx, a: Any, b: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The operands of ``//``: promoted as any binary op's, integers kept, bools and an integer
    division by zero refused (torch raises where numpy would give 0)."""
    if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype != b.dtype:
        a, b = operands(a, b)
    if a.dtype.kind == "b":
        raise _bool_error(name, "")
    if a.dtype.kind in "iu" and a.size and not b.all():  # (an empty result divides nothing)
        raise RuntimeError("ZeroDivisionError")
    _check_broadcast(a, b, name)
    ctx.shapes = a.shape, b.shape
    return a, b


class _NoDerivative(Ctx):
    """The node of an op without a derivative: its backward raises even when no gradient
    reached it (torch's ``NotImplemented`` error node runs regardless)."""

    __slots__ = ()
    runs_without_grad = True


class FloorDivide(Op):
    """``a // b``: floor(a / b); inf or nan for a float division by 0. torch defines no
    derivative for it, so its backward raises (its output still requires grad): that is why it
    is an Op of its own and not an entry of the kernel table, whose entries all differentiate."""

    node_name = "NotImplemented"
    node_base = _NoDerivative

    @staticmethod
    def forward(ctx: Ctx, a: Any, b: Any) -> np.ndarray:
        """``np.floor_divide`` on torch's operands."""
        a, b = _integer_division(ctx, a, b, "div_floor_cpu")
        return quietly(np.floor_divide, a, b)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> Any:
        """torch's error: there is no derivative."""
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class FloorDivideInPlace(FloorDivide):
    """``a //= b`` (``floor_divide_``): the same op, named as torch's error names it."""

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> Any:
        """torch's error: there is no derivative."""
        raise RuntimeError("derivative for aten::floor_divide_ is not implemented")


class RemainderOfNumber(FloorDivide):
    """``number % tensor``: torch's ``remainder(Scalar, Tensor)``, which, unlike ``tensor %
    tensor`` (the kernel table's ``remainder``), has no derivative."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Ctx, a: Any, b: Any) -> np.ndarray:
        """The table's remainder (torch's fmod, then moved to b's side: ``0 % -1.0`` is +0.0,
        where ``np.remainder`` gives -0.0) on torch's operands."""
        a, b = _integer_division(ctx, a, b, "remainder_cpu")
        return np.asarray(quietly(BINARY_KERNELS["remainder"].forward, a, b))

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> Any:
        """torch's error: there is no derivative."""
        raise RuntimeError("derivative for aten::remainder is not implemented")


class Scale(Op):
    """``alpha * other`` inside ``add(other, alpha=)`` / ``sub``: torch keeps alpha as a number
    on its AddBackward0 node (nothing saved, nothing freed), and so does this op."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, alpha: Any) -> np.ndarray:
        """x * alpha, alpha weak (a float32 tensor stays float32)."""
        x, a = operands(x, alpha)
        ctx.alpha, ctx.dtype = a, x.dtype
        return np.asarray(x * a)

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dy * alpha."""
        return (dy * ctx.alpha).astype(dy.dtype, copy=False)
