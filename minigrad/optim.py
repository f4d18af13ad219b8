"""Optimizers: ``SGD``, ``Adam`` and ``AdamW`` with PyTorch's exact update rules.

An optimizer holds references to parameters and, on ``step()``, moves each one using its
``.grad``. The rules below follow ``torch.optim``'s single-tensor (``foreach=False``) code
line by line, so the same initial weights and gradients give the same parameters as torch,
step after step. The arithmetic runs on the parameters' numpy arrays in place
(``p.detach().numpy()`` shares memory with the parameter, like torch's ``p.data``): the
optimizer's own work must never be recorded in the autograd graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from minigrad.graph import note_inplace_write

if TYPE_CHECKING:
    from minigrad._tensor import Tensor

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]

# What an optimizer takes, as in torch: parameters, or parameter groups {"params": [...], ...}.
_Params: TypeAlias = "Iterable[Tensor] | Iterable[dict[str, Any]]"


class Optimizer:
    """Base class: parameter groups, per-parameter state and ``zero_grad``.

    ``params`` is an iterable of parameters, or of dicts ``{"params": [...], "lr": ...}``
    giving some groups their own hyperparameters (as in torch); ``defaults`` fills in what a
    group does not set. ``state[id(p)]`` holds what a rule keeps between steps (momentum
    buffers, moment estimates).
    """

    def __init__(self, params: _Params, defaults: dict[str, Any]) -> None:
        items: list[Any] = list(params)  # tensors, or group dicts: the first one tells
        if not items:
            raise ValueError(
                "optimizer got an empty parameter list: pass model.parameters() (a model with "
                "at least one parameter) or a list of tensors with requires_grad=True"
            )
        groups: list[dict[str, Any]] = items if isinstance(items[0], dict) else [{"params": items}]
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        for group in groups:
            group = {**defaults, **group, "params": list(group["params"])}
            for p in group["params"]:
                if not getattr(p, "requires_grad", False):
                    raise ValueError(
                        f"can't optimize a tensor that does not require grad ({type(p).__name__} "
                        f"of shape {getattr(p, 'shape', '?')}): create it with requires_grad=True"
                    )
            self.param_groups.append(group)
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: ``None`` (the default, as in torch) or zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.numpy()[...] = 0

    def step(self) -> None:
        """Update every parameter that has a gradient (subclasses implement the rule)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """Name the optimizer and show each group's hyperparameters, like torch."""
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _check(name: str, value: float, low: float = 0.0, high: float | None = None) -> None:
    """Raise a ValueError naming a hyperparameter outside [low, high)."""
    if value < low or (high is not None and value >= high):
        bounds = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"invalid {name}: {value} (it must be {bounds})")


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay.

    With :math:`g = \nabla_p L + \lambda p` (weight decay :math:`\lambda`), momentum
    :math:`\mu` and dampening :math:`\tau`: :math:`b \leftarrow g` on the first step, then
    :math:`b \leftarrow \mu b + (1 - \tau) g`; the step uses :math:`g + \mu b` (Nesterov) or
    :math:`b`, and :math:`p \leftarrow p - \text{lr} \cdot \text{step}`.
    """

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        _check("learning rate", lr)
        _check("momentum value", momentum)
        _check("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
        )
        super().__init__(params, defaults)

    def step(self) -> None:
        """One SGD step for every parameter with a gradient (torch's ``_single_tensor_sgd``)."""
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param, grad = p.detach().numpy(), p.grad.numpy()
                if group["weight_decay"] != 0:
                    grad = grad + group["weight_decay"] * param
                if momentum != 0:
                    state = self.state.setdefault(id(p), {})
                    if "momentum_buffer" not in state:
                        # The first step starts the buffer at g itself: no dampening yet (an
                        # array even for a 0-d parameter, so that it is updated in place).
                        state["momentum_buffer"] = np.array(grad, copy=True)
                    else:
                        buf = state["momentum_buffer"]
                        buf *= momentum
                        buf += (1 - dampening) * grad
                    buf = state["momentum_buffer"]
                    grad = grad + momentum * buf if group["nesterov"] else buf
                param -= lr * grad
                note_inplace_write(param)  # as torch's step bumps the version counter


class Adam(Optimizer):
    r"""Adam: per-coordinate steps scaled by running averages of the gradient and its square.

    With :math:`g = \nabla_p L + \lambda p`:
    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`,
    :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
    then :math:`p \leftarrow p - \frac{\text{lr}}{1-\beta_1^t}\,
    \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}` (with ``amsgrad``, :math:`v` in the
    denominator is the running maximum of :math:`v`).
    """

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        _check("learning rate", lr)
        _check("epsilon value", eps)
        _check("beta parameter at index 0", betas[0], 0.0, 1.0)
        _check("beta parameter at index 1", betas[1], 0.0, 1.0)
        _check("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    def step(self) -> None:
        """One Adam step for every parameter with a gradient (torch's ``_single_tensor_adam``)."""
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param, grad = p.detach().numpy(), p.grad.numpy()
                state = self.state.setdefault(id(p), {})
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(param)
                    state["exp_avg_sq"] = np.zeros_like(param)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = np.zeros_like(param)
                state["step"] += 1
                step, exp_avg, exp_avg_sq = state["step"], state["exp_avg"], state["exp_avg_sq"]
                if group["weight_decay"] != 0:
                    grad = grad + group["weight_decay"] * param
                exp_avg += (1 - beta1) * (grad - exp_avg)  # torch: exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                bias_correction1 = 1 - beta1**step
                bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                if group["amsgrad"]:
                    np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                    denom = np.sqrt(state["max_exp_avg_sq"]) / bias_correction2_sqrt + eps
                else:
                    denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
                param -= (lr / bias_correction1) * (exp_avg / denom)
                note_inplace_write(param)


class AdamW(Adam):
    r"""Adam with decoupled weight decay: each step first shrinks the parameter,
    :math:`p \leftarrow p\,(1 - \text{lr}\,\lambda)`, then takes Adam's step without any
    weight decay in the gradient (torch's ``_single_tensor_adamw``; default :math:`\lambda` =
    0.01)."""

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def step(self) -> None:
        """Decay every parameter that has a gradient, then Adam's step with no L2 term."""
        decays = []
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    param = p.detach().numpy()
                    param *= 1 - group["lr"] * group["weight_decay"]
            decays.append(group["weight_decay"])
            group["weight_decay"] = 0.0  # Adam.step must not add it to the gradient too
        try:
            super().step()
        finally:
            for group, decay in zip(self.param_groups, decays, strict=True):
                group["weight_decay"] = decay
