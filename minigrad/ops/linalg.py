"""Matrix products: ``matmul`` (``@``), and ``linear`` as one ``AddmmBackward0`` node.

For y = a @ b the backward is two more products: da = dy @ b.T and db = a.T @ dy. Each
operand is saved only if the *other* one needs a gradient (db reads a, da reads b).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.kernels import unbroadcast
from minigrad.op import Ctx, Op

__all__ = ["Addmm", "Dot", "Matmul", "Mm", "Mv", "matmul_error"]


def matmul_error(a: np.ndarray, b: np.ndarray) -> RuntimeError:
    """torch's error for operands whose inner dimensions differ, saying which sizes to match."""
    if a.ndim == 0 or b.ndim == 0:
        return RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}; use * to multiply by a scalar."
        )
    sa, sb = "x".join(map(str, a.shape)), "x".join(map(str, b.shape))
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    return RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb}): the inner dimensions "
        f"must match (the last size of the left, {a.shape[-1]}, must equal the "
        f"{'only' if b.ndim == 1 else 'second-to-last'} size of the right, {k_b}). Transpose "
        f"an operand (w.T) or check which dimension holds the features."
    )


class Matmul(Op):
    """``a @ b`` with numpy's (and torch's) rules for 1-D and batched operands."""

    saved_as = ("in0", "in1")

    @staticmethod
    def forward(ctx: Ctx, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The product; keeps each operand only if the other one needs a gradient."""
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}. "
                f"Convert one operand first, e.g. b.to(a.dtype) or x.float()."
            )
        if a.ndim == 0 or b.ndim == 0:
            raise matmul_error(a, b)
        try:
            y = a @ b
        except ValueError:
            raise matmul_error(a, b) from None
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.shapes = a.shape, b.shape
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[Any, Any]:
        """Treat 1-D operands as a row (left) or a column (right), differentiate, undo it."""
        a, b = ctx.saved_tensors
        (shape_a, shape_b), (need_a, need_b) = ctx.shapes, ctx.needs_input_grad
        a_row = (1, *shape_a) if len(shape_a) == 1 else shape_a
        b_col = (*shape_b, 1) if len(shape_b) == 1 else shape_b
        if len(shape_a) == len(shape_b) == 1:
            dy = dy.reshape(1, 1)
        elif len(shape_a) == 1:
            dy = np.expand_dims(dy, -2)
        elif len(shape_b) == 1:
            dy = np.expand_dims(dy, -1)
        da = db = None
        if need_a:
            da = unbroadcast(dy @ np.swapaxes(b.reshape(b_col), -1, -2), a_row).reshape(shape_a)
        if need_b:
            db = unbroadcast(np.swapaxes(a.reshape(a_row), -1, -2) @ dy, b_col).reshape(shape_b)
        return da, db


class Mm(Matmul):
    """``a @ b`` for two matrices: da = dy @ b.T, db = a.T @ dy."""

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[Any, Any]:
        """One matrix product per operand that needs a gradient."""
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (dy @ b.T if need_a else None, a.T @ dy if need_b else None)


class Mv(Matmul):
    """Matrix times vector."""


class Dot(Matmul):
    """Vector times vector."""


class Addmm(Op):
    """``x @ w.T + bias`` for a batch of rows: what torch's ``nn.Linear`` records."""

    saved_as = ("in0", "in1")

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, w: np.ndarray, bias: Any = None) -> np.ndarray:
        """One product and one broadcast add; saves x for dw and w for dx."""
        if x.shape[1] != w.shape[1]:
            raise matmul_error(x, w.T)
        need_x, need_w = ctx.needs_input_grad[:2]
        if need_w or need_x:  # (only the bias needs a gradient: nothing saved, nothing freed)
            ctx.save_for_backward(x if need_w else None, w if need_x else None)
        y = x @ w.T
        if bias is not None:
            y += bias
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> tuple[Any, ...]:
        """dx = dy @ w, dw = dy.T @ x, dbias = dy summed over the batch."""
        x, w = ctx.saved_tensors or (None, None)
        need = ctx.needs_input_grad
        dx = dy @ w if need[0] else None
        dw = dy.T @ x if need[1] else None
        if len(need) == 2:
            return dx, dw
        return dx, dw, dy.sum(0) if need[2] else None
