"""``softmax`` and ``log_softmax`` along a dim, computed so that no exponent is positive.

Both save their *output*: the backward of softmax is ``y * (dy - sum(dy * y))`` and that of
log_softmax ``dy - exp(y) * sum(dy)``, each cheaper from y than from x.
"""

from __future__ import annotations

import numpy as np

from minigrad.op import Ctx, Op

__all__ = ["LogSoftmax", "Softmax"]


def _float(x: np.ndarray) -> np.ndarray:
    """torch's softmaxes are defined for floating point only."""
    if x.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"softmax_lastdim_kernel_impl\" not implemented for '{x.dtype}': convert the tensor "
            f"to float first (x.float())."
        )
    return x


class Softmax(Op):
    """``exp(x) / sum(exp(x))`` along ``dim``, shifted by the max so that exp cannot overflow."""

    saved_as = ("out0",)

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int | None) -> np.ndarray:
        """Subtracting the max changes nothing (it cancels) but keeps every exponent <= 0."""
        if x.size == 0 and x.dtype.kind not in "fc":
            return x.copy()  # torch: an empty integer tensor in, the same out
        x = _float(x)
        e = np.exp(x - x.max(dim, keepdims=True, initial=-np.inf))  # (initial: empty x too)
        y = e / e.sum(dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dx = y * (dy - sum(dy * y)) along ``dim``, from the saved output y."""
        (y,) = ctx.saved_tensors
        return y * (dy - (dy * y).sum(ctx.dim, keepdims=True))


class LogSoftmax(Op):
    """``x - logsumexp(x)`` along ``dim``: finite for any finite logits (never log(0))."""

    saved_as = ("out0",)

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, dim: int | None) -> np.ndarray:
        """Shift by the max m, then log(softmax(x)) = (x - m) - log(sum(exp(x - m)))."""
        if x.size == 0 and x.dtype.kind not in "fc":
            return x.copy()  # torch: an empty integer tensor in, the same out
        shifted = _float(x) - x.max(dim, keepdims=True, initial=-np.inf)
        with np.errstate(divide="ignore"):  # a row of -inf gives -inf, as in torch
            y = shifted - np.log(np.exp(shifted).sum(dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Ctx, dy: np.ndarray) -> np.ndarray:
        """dx = dy - softmax(x) * sum(dy), with softmax(x) = exp(y) from the saved output."""
        (y,) = ctx.saved_tensors
        return dy - np.exp(y) * dy.sum(ctx.dim, keepdims=True)
