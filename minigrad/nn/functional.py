r"""Activations and losses as functions, named and shaped as in ``torch.nn.functional``.

The activations and ``softmax`` / ``log_softmax`` are the tensor engine's ops. Each loss is an
:class:`~minigrad.op.Op`: a numpy forward and, right under it, the backward formula torch uses
(its graph node carries torch's name, e.g. ``NllLossBackward0``), written in numpy's
vocabulary so that under ``create_graph=True`` it runs on Tracers and records a graph: the
losses are twice differentiable, as torch's. They are written to be *numerically stable*: no
``exp`` of a large number, no ``log`` of a probability
rounded to zero, so extreme logits give finite losses and gradients wherever torch's do.

* ``log_softmax`` subtracts the row maximum first (the log-sum-exp trick):
  :math:`\log\mathrm{softmax}(x)_i = (x_i - m) - \log\sum_j e^{x_j - m}` with
  :math:`m = \max_j x_j`.
* ``cross_entropy`` is ``nll_loss(log_softmax(x))``: it never forms a probability.
* ``binary_cross_entropy_with_logits`` uses :math:`\log\sigma(x) = \min(x, 0) -
  \log(1 + e^{-|x|})`, whose exponent is never positive.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad._tensor import Tensor, apply
from minigrad.functions import where
from minigrad.op import Ctx, Op
from minigrad.ops.elementwise import unary_op
from minigrad.ops.linalg import Addmm

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "gelu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
]

_REDUCTIONS = ("mean", "sum", "none")


def _array(x: Any) -> np.ndarray:
    """The numpy data of a tensor, or ``x`` as an array (targets may be plain arrays)."""
    return x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)


def _operand(target: Any) -> Any:
    """A loss's target as an input of its op: a Tensor (its gradient may be asked for) or an
    array (a constant)."""
    return target if isinstance(target, Tensor) else np.asarray(target)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply a loss's ``reduction``: the mean, the sum, or the elementwise losses."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _spread(dy: Any, n: int, reduction: str) -> Any:
    """The upstream gradient of a loss, per element (``mean`` divides by the n elements; it
    broadcasts against them)."""
    return dy / max(n, 1) if reduction == "mean" else dy


def _check_reduction(reduction: str) -> None:
    """Raise a ValueError for an unknown ``reduction``."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_same_shape(input: Tensor, target: Any, name: str) -> None:
    """Losses compare elementwise: refuse a target that would silently broadcast."""
    if tuple(np.shape(_array(target))) != tuple(input.shape):
        raise ValueError(
            f"{name}: the target must have the same shape as the input, got input "
            f"{tuple(input.shape)} and target {tuple(np.shape(_array(target)))}; reshape one "
            f"of them (e.g. target.reshape(input.shape)) so that each prediction has its target"
        )


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``; for a batch of rows, one ``AddmmBackward0`` node as torch
    records it (other shapes and mixed dtypes take ``matmul`` and ``+``)."""
    x, w = input._data, weight._data
    if x.ndim != 2 or x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        out = input.matmul(weight.t())
        return out if bias is None else out + bias
    operands = (input, weight) if bias is None else (input, weight, bias)
    return apply(Addmm, *operands)


def relu(input: Tensor) -> Tensor:
    """``max(x, 0)`` elementwise; the gradient at 0 is 0, as in torch."""
    return input.relu()


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent, elementwise."""
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + exp(-x))``, elementwise."""
    return input.sigmoid()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold`` (torch's
    rule, which keeps it linear and exact for large inputs). The defaults run the
    ``softplus`` kernel directly."""
    if beta == 1.0 and threshold == 20.0:
        return apply(unary_op("softplus"), input)
    scaled = input * beta
    # The kernel itself is stable for every input, so the branch `where` discards is finite.
    return where(scaled > threshold, input, apply(unary_op("softplus"), scaled) / beta)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``, Phi the standard normal CDF (the ``gelu`` kernel, with erf); with
    ``approximate="tanh"``, torch's tanh approximation
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""
    if approximate == "none":
        return apply(unary_op("gelu"), input)
    if approximate == "tanh":
        inner = (input + 0.044715 * input**3) * math.sqrt(2.0 / math.pi)
        return 0.5 * input * (1.0 + inner.tanh())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _check_dim(dim: int | None, name: str) -> int:
    """torch guesses a missing ``dim`` (with a warning); minigrad asks for it."""
    if dim is None:
        raise ValueError(f"{name} needs dim, the dimension to normalise over: e.g. dim=-1")
    return dim


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """Probabilities along ``dim``: :math:`e^{x_i} / \\sum_j e^{x_j}`, shifted by the maximum
    so that no exponent is positive (the tensor engine's op, node ``SoftmaxBackward0``)."""
    return input.softmax(_check_dim(dim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """Log-probabilities along ``dim`` as :math:`x - m - \\log\\sum_j e^{x_j - m}`: stable for
    huge logits (the tensor engine's op, node ``LogSoftmaxBackward0``)."""
    return input.log_softmax(_check_dim(dim, "log_softmax"))


class MseLoss(Op):
    """Squared error; backward ``2 (x - y) g`` for the input, the negative for the target
    (numpy on the fast path, recorded ops under ``create_graph``: twice differentiable)."""

    node_name = "MseLossBackward0"
    saved_as = ("in0", "in1")  # torch saves the input and the target (the in-place check)

    @staticmethod
    def forward(ctx: Ctx, x: np.ndarray, y: np.ndarray, reduction: str) -> np.ndarray:
        """Elementwise ``(x - y)^2``, then the reduction."""
        diff = x - y
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        return np.asarray(_reduce(diff * diff, reduction))

    @staticmethod
    def backward(ctx: Ctx, dy: Any) -> tuple[Any, Any]:
        """Both inputs' gradients from the saved input and target."""
        x, y = ctx.saved_tensors
        diff = x - y
        grad = diff * (_spread(dy, diff.size, ctx.reduction) * 2)
        need_x, need_y = ctx.needs_input_grad
        return (grad if need_x else None), (-grad if need_y else None)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or summed, or elementwise) squared error between ``input`` and ``target``."""
    _check_reduction(reduction)
    _check_same_shape(input, target, "mse_loss")
    return apply(MseLoss, input, _operand(target), reduction=reduction)


class NllLoss(Op):
    """Negative log-likelihood of class indices: ``-logp[i, target[i]]``."""

    node_name = "NllLossBackward0"
    saved_as = ("in0", None)  # torch saves self too (the in-place check), and the target

    @staticmethod
    def forward(ctx: Ctx, logp: np.ndarray, target: np.ndarray, reduction: str) -> np.ndarray:
        """Pick each row's log-probability of its target class."""
        picked = logp[np.arange(logp.shape[0]), target] if logp.ndim == 2 else logp[target]
        ctx.save_for_backward(logp, target)
        ctx.shape, ctx.reduction = logp.shape, reduction
        return np.asarray(_reduce(-picked, reduction))

    @staticmethod
    def backward(ctx: Ctx, dy: Any) -> Any:
        """The gradient is ``-g`` at each row's target class and zero elsewhere (linear in
        ``g``: its own gradient is an nll_loss of the incoming one, as torch's)."""
        _, target = ctx.saved_tensors
        grad = np.zeros_like(dy, shape=ctx.shape)
        where = (np.arange(ctx.shape[0]), target) if len(ctx.shape) == 2 else target
        grad[where] = -_spread(dy, target.size, ctx.reduction)
        return grad


def _class_targets(input: Tensor, target: Any, name: str) -> np.ndarray:
    """Check class-index targets: integers, one per row, each in ``[0, C)``."""
    t = _array(target)
    if t.dtype.kind not in "iu":
        raise ValueError(
            f"{name} expects integer class indices as target (dtype int64, one per row), got "
            f"dtype {t.dtype}; for probabilities per class use binary_cross_entropy_with_logits "
            f"or convert with target.astype(np.int64)"
        )
    shape = tuple(input.shape)
    if len(shape) not in (1, 2) or t.shape != shape[:-1]:
        raise ValueError(
            f"{name}: input of shape (N, C) (or (C,)) needs one target per row, of shape (N,) "
            f"(or ()); got input {shape} and target {t.shape}"
        )
    c = shape[-1]
    if t.size and (t.min() < 0 or t.max() >= c):
        raise ValueError(
            f"{name}: target class indices must be in [0, {c}) for {c} classes, got values "
            f"from {t.min()} to {t.max()}"
        )
    return t


def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target classes, given log-probabilities ``input``."""
    _check_reduction(reduction)
    t = _class_targets(input, target, "nll_loss")
    return apply(NllLoss, input, target=t, reduction=reduction)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) against class indices ``target`` (N,).

    The same as ``nll_loss(log_softmax(input, dim=-1), target)``, as in torch: the softmax
    probabilities are never formed, so very confident wrong logits give a large finite loss
    rather than ``log(0) = -inf``.
    """
    _check_reduction(reduction)
    t = _class_targets(input, target, "cross_entropy")
    return apply(NllLoss, log_softmax(input, dim=-1), target=t, reduction=reduction)


class BinaryCrossEntropyWithLogits(Op):
    """``-[w_p y log(sigmoid(x)) + (1 - y) log(1 - sigmoid(x))]``, from logits, stably."""

    node_name = "BinaryCrossEntropyWithLogitsBackward0"
    saved_as = ("in0", "in1")  # torch saves self and target themselves

    @staticmethod
    def forward(
        ctx: Ctx, x: np.ndarray, y: np.ndarray, weight: Any, pos_weight: Any, reduction: str
    ) -> np.ndarray:
        """``(1 - y) x - l log(sigmoid(x))`` with ``l = 1 + (w_p - 1) y`` (torch's formula)."""
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        loss = (1 - y) * x - log_weight * _log_sigmoid(x)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return np.asarray(_reduce(loss, reduction))

    @staticmethod
    def backward(ctx: Ctx, dy: Any) -> tuple[Any, Any]:
        """``d/dx = l sigmoid(x) - w_p y``; ``d/dy = -x - (w_p - 1) log(sigmoid(x))``."""
        x, y = ctx.saved_tensors
        weight, pos_weight = ctx.weight, ctx.pos_weight
        g = _spread(dy, x.size, ctx.reduction)
        if weight is not None:
            g = g * weight
        log_sigmoid = _log_sigmoid(x)
        pos = 1 if pos_weight is None else pos_weight
        need_x, need_y = ctx.needs_input_grad
        grad_input = grad_target = None
        if need_x:
            log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
            grad_input = (log_weight * np.exp(log_sigmoid) - pos * y) * g
        if need_y:
            # torch computes log(1 - sigmoid(x)) - w_p log(sigmoid(x)), which is -inf/inf at
            # extreme logits; rewritten with log(1 - sigmoid(x)) = log(sigmoid(x)) - x it stays
            # finite wherever the loss is.
            grad_target = (-x - (pos - 1) * log_sigmoid) * g
        return grad_input, grad_target


def _log_sigmoid(x: Any) -> Any:
    """``log(sigmoid(x)) = min(x, 0) - log(1 + e^-|x|)``: the exponent is never positive."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of logits ``input`` against targets in [0, 1], computed stably.

    ``weight`` rescales each element's loss, ``pos_weight`` the positive term (both broadcast
    against the input, as in torch).
    """
    _check_reduction(reduction)
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    weight, pos_weight = (None if w is None else _array(w) for w in (weight, pos_weight))
    return apply(
        BinaryCrossEntropyWithLogits, input, _operand(target), weight=weight,
        pos_weight=pos_weight, reduction=reduction,
    )  # fmt: skip
