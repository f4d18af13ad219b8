r"""Activations and losses as functions, named and shaped as in ``torch.nn.functional``.

The activations and ``softmax`` / ``log_softmax`` are the tensor engine's ops. Each loss is an
:class:`~minigrad.autograd.Function`: a numpy forward and, right under it, the backward
formula torch uses (its graph node carries torch's name, e.g. ``NllLossBackward0``). They are
written to be *numerically stable*: no ``exp`` of a large number, no ``log`` of a probability
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
from minigrad.autograd import Function, FunctionCtx, once_differentiable
from minigrad.factories import from_numpy
from minigrad.functions import where
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


def _tensor(a: Any) -> Tensor:
    """Wrap a numpy result (a 0-d result of a reduction is a numpy scalar) as a Tensor."""
    return from_numpy(np.asarray(a))


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply a loss's ``reduction``: the mean, the sum, or the elementwise losses."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduced_grad(grad_output: Tensor, shape: tuple[int, ...], reduction: str) -> np.ndarray:
    """The upstream gradient of a loss spread back over its elements (``mean`` divides by n)."""
    g = grad_output.numpy()
    if reduction == "mean":
        g = g / max(int(np.prod(shape)), 1)
    return np.broadcast_to(g, shape)


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


class MseLoss(Function):
    """Squared error; backward ``2 (x - y) g`` for the input, the negative for the target."""

    node_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, input: Tensor, target: Any, reduction: str) -> Tensor:
        """Elementwise ``(x - y)^2``, then the reduction."""
        diff = _array(input) - _array(target)
        # torch saves the input and the target (so changing either in place before backward
        # raises), not their difference
        ctx.save_for_backward(input, target if isinstance(target, Tensor) else _tensor(target))
        ctx.reduction = reduction
        return _tensor(_reduce(diff * diff, reduction))

    @staticmethod
    @once_differentiable  # (its backward works on arrays: no second derivative yet)
    def backward(ctx: FunctionCtx, grad_output: Tensor) -> tuple[np.ndarray, np.ndarray, None]:
        """Both inputs' gradients from the saved input and target."""
        x, y = ctx.saved_tensors
        diff = _array(x) - _array(y)
        grad = 2 * diff * _reduced_grad(grad_output, diff.shape, ctx.reduction)
        return grad, -grad, None


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or summed, or elementwise) squared error between ``input`` and ``target``."""
    _check_reduction(reduction)
    _check_same_shape(input, target, "mse_loss")
    return MseLoss.apply(input, target, reduction)


class NllLoss(Function):
    """Negative log-likelihood of class indices: ``-logp[i, target[i]]``."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, logp: Tensor, target: np.ndarray, reduction: str) -> Tensor:
        """Pick each row's log-probability of its target class."""
        lp = _array(logp)
        picked = lp[np.arange(lp.shape[0]), target] if lp.ndim == 2 else lp[target]
        ctx.save_for_backward(logp, _tensor(target))  # torch saves self too (the in-place check)
        ctx.shape, ctx.reduction = lp.shape, reduction
        return _tensor(_reduce(-picked, reduction))

    @staticmethod
    @once_differentiable  # (its backward works on arrays: no second derivative yet)
    def backward(ctx: FunctionCtx, grad_output: Tensor) -> tuple[np.ndarray, None, None]:
        """The gradient is ``-g`` at each row's target class and zero elsewhere."""
        target = ctx.saved_tensors[1].numpy()
        g = _reduced_grad(grad_output, target.shape, ctx.reduction)
        grad = np.zeros(ctx.shape, dtype=grad_output.numpy().dtype)
        if len(ctx.shape) == 2:
            grad[np.arange(ctx.shape[0]), target] = -g
        else:
            grad[target] = -g
        return grad, None, None


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
    return NllLoss.apply(input, _class_targets(input, target, "nll_loss"), reduction)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) against class indices ``target`` (N,).

    The same as ``nll_loss(log_softmax(input, dim=-1), target)``, as in torch: the softmax
    probabilities are never formed, so very confident wrong logits give a large finite loss
    rather than ``log(0) = -inf``.
    """
    _check_reduction(reduction)
    t = _class_targets(input, target, "cross_entropy")
    return NllLoss.apply(log_softmax(input, dim=-1), t, reduction)


class BinaryCrossEntropyWithLogits(Function):
    """``-[w_p y log(sigmoid(x)) + (1 - y) log(1 - sigmoid(x))]``, from logits, stably."""

    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(
        ctx: FunctionCtx, input: Tensor, target: Any, weight: Any, pos_weight: Any, reduction: str
    ) -> Tensor:
        """``(1 - y) x - l log(sigmoid(x))`` with ``l = 1 + (w_p - 1) y`` (torch's formula)."""
        x, y = _array(input), _array(target)
        log_sigmoid = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        log_weight = 1 if pos_weight is None else 1 + (_array(pos_weight) - 1) * y
        loss = (1 - y) * x - log_weight * log_sigmoid
        if weight is not None:
            loss = loss * _array(weight)
        # torch saves self and target themselves (so the in-place check sees them)
        saved = [t if isinstance(t, Tensor) else _tensor(t) for t in (input, target)]
        ctx.save_for_backward(*saved, *(_tensor(a) for a in (log_sigmoid, log_weight)))
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return _tensor(_reduce(loss, reduction))

    @staticmethod
    @once_differentiable  # (its backward works on arrays: no second derivative yet)
    def backward(ctx: FunctionCtx, grad_output: Tensor) -> tuple[Any, ...]:
        """``d/dx = l sigmoid(x) - w_p y``; ``d/dy = -x - (w_p - 1) log(sigmoid(x))``."""
        x, y, log_sigmoid, log_weight = (_array(t) for t in ctx.saved_tensors)
        weight, pos_weight = ctx.weight, ctx.pos_weight
        g = _reduced_grad(grad_output, x.shape, ctx.reduction)
        if weight is not None:
            g = g * _array(weight)
        sig = np.exp(log_sigmoid)
        pos = 1 if pos_weight is None else _array(pos_weight)
        grad_input = (log_weight * sig - pos * y) * g if ctx.needs_input_grad[0] else None
        grad_target = None
        if ctx.needs_input_grad[1]:
            # torch computes log(1 - sigmoid(x)) - w_p log(sigmoid(x)), which is -inf/inf at
            # extreme logits; rewritten with log(1 - sigmoid(x)) = log(sigmoid(x)) - x it stays
            # finite wherever the loss is.
            grad_target = (-x - (pos - 1) * log_sigmoid) * g
        return grad_input, grad_target, None, None, None


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
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)
