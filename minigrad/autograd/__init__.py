"""Reverse-mode automatic differentiation for :class:`minigrad.Tensor`, like ``torch.autograd``.

The pieces live where their concept lives; this package gathers torch's names for them:

* grad mode (:mod:`minigrad.grad_mode`): ``no_grad``, ``enable_grad``, ``set_grad_enabled``;
* the graph and its backward loop (:mod:`minigrad.graph`): ``Node``, ``AccumulateGrad``,
  ``run_backward``, and :func:`backward` / :func:`grad`, where gradients start and end;
* the Op mechanism (:mod:`minigrad.op`) and a user's ``Function`` with its ``ctx``
  (:mod:`minigrad.autograd.function`), both run by the one ``apply`` of :mod:`minigrad._tensor`;
* :func:`gradcheck` (:mod:`minigrad.autograd.checking`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._tensor import Tensor, apply
from minigrad.autograd import functional, higher
from minigrad.autograd.checking import GradcheckError, gradcheck, gradgradcheck
from minigrad.autograd.function import Function, FunctionCtx, once_differentiable
from minigrad.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.graph import AccumulateGrad, Node, backward, run_backward
from minigrad.graph import grad as _grad_arrays

__all__ = [
    "AccumulateGrad",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Node",
    "apply",
    "backward",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "once_differentiable",
    "run_backward",
    "set_grad_enabled",
]


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated
    into ``.grad`` (``torch.autograd.grad``). With ``create_graph=True`` they record the
    backward pass, so that they can be differentiated again (``retain_graph`` then defaults
    to True, as in torch)."""
    if create_graph:
        return higher.grad(outputs, inputs, grad_outputs, retain_graph, True, allow_unused)
    got = _grad_arrays(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    ins = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    return tuple(  # each in its input's dtype, as torch (a float32 leaf in a float64 graph)
        None if g is None else Tensor._wrap(np.array(g, dtype=t._data.dtype))
        for g, t in zip(got, ins, strict=True)
    )
