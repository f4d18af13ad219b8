"""Layers without weights of their own, the ``Sequential`` container, and loss modules.

All mirror ``torch.nn``: an activation module just calls its function from
:mod:`minigrad.nn.functional`, ``Sequential`` feeds each module's output to the next, and
a loss module remembers its ``reduction`` so that ``criterion(logits, target)`` reads like
torch code.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, Self, overload

import numpy.typing as npt

from minigrad._tensor import Tensor
from minigrad.factories import from_numpy
from minigrad.nn import functional as F
from minigrad.nn.modules import Module
from minigrad.random import generator as _generator

__all__ = [
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Identity",
    "LogSoftmax",
    "MSELoss",
    "ModuleList",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
]


class ReLU(Module):
    """``max(x, 0)`` elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply :func:`minigrad.nn.functional.relu`."""
        return F.relu(input)


class Tanh(Module):
    """The hyperbolic tangent, elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply :func:`minigrad.nn.functional.tanh`."""
        return F.tanh(input)


class Sigmoid(Module):
    """The logistic function, elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply :func:`minigrad.nn.functional.sigmoid`."""
        return F.sigmoid(input)


class Softmax(Module):
    """Softmax along ``dim`` (probabilities that sum to 1)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Apply :func:`minigrad.nn.functional.softmax`."""
        return F.softmax(input, dim=self.dim)

    def extra_repr(self) -> str:
        """Show ``dim`` as torch does."""
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Log-softmax along ``dim``, computed stably."""

    def forward(self, input: Tensor) -> Tensor:
        """Apply :func:`minigrad.nn.functional.log_softmax`."""
        return F.log_softmax(input, dim=self.dim)


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to switch a layer off)."""

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input``."""
        return input


class Flatten(Module):
    """Flattens dimensions ``start_dim`` to ``end_dim``: (N, 8, 8) -> (N, 64) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        """Reshape, keeping the batch dimension."""
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        """Show the dimensions as torch does."""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the rest by
    ``1 / (1 - p)`` (so the expected value is unchanged); in eval mode, do nothing."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p

    def forward(self, input: Tensor) -> Tensor:
        """Multiply by a random mask drawn from minigrad's generator (``manual_seed``)."""
        if not self.training or self.p == 0:
            return input
        keep = _generator().random(input.shape) >= self.p
        scale = 0.0 if self.p == 1 else 1 / (1 - self.p)
        return input * from_numpy((keep * scale).astype(input.dtype))

    def extra_repr(self) -> str:
        """Show ``p`` as torch does."""
        return f"p={self.p}"


class Sequential(Module):
    """A chain of modules: ``Sequential(a, b, c)(x)`` is ``c(b(a(x)))``.

    Modules are registered under the names ``"0"``, ``"1"``, ... (or the keys of an
    ``OrderedDict``), so parameter names read ``"0.weight"`` as in torch.
    """

    @overload
    def __init__(self, *modules: Module) -> None: ...
    @overload
    def __init__(self, modules: OrderedDict[str, Module], /) -> None: ...
    def __init__(self, *modules: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        named: list[tuple[str, object]]  # checked below: anything but a Module is refused
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(i), m) for i, m in enumerate(modules)]
        for name, module in named:
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential takes Modules, but got {type(module).__name__} at position "
                    f"{name}: wrap functions in a Module (e.g. nn.ReLU() instead of F.relu)"
                )
            self.add_module(name, module)

    def forward(self, input: Any) -> Any:
        """Feed the input through every module in order."""
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        """The modules in order."""
        return iter(self._modules.values())

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __getitem__(self, index: int | slice) -> Module:
        """A module by position, or a new Sequential of a slice of them."""
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[index][1]

    def append(self, module: Module) -> Self:
        """Add a module at the end."""
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules, registered (so ``parameters()`` finds theirs) under the names
    ``"0"``, ``"1"``, ...; it has no ``forward``: call its modules yourself."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _check(self, module: object, where: object) -> Module:
        if not isinstance(module, Module):
            raise TypeError(
                f"ModuleList takes Modules, but got {type(module).__name__} at {where}: wrap "
                f"functions in a Module (e.g. nn.ReLU() instead of F.relu)"
            )
        return module

    def append(self, module: Module) -> Self:
        """Add a module at the end."""
        self.add_module(str(len(self)), self._check(module, len(self)))
        return self

    def extend(self, modules: Iterable[Module]) -> Self:
        """Add modules at the end."""
        for m in modules:
            self.append(m)
        return self

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        """The modules in order."""
        return iter(self._modules.values())

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...
    def __getitem__(self, index: int | slice) -> Module:
        """A module by position (negative counts from the end), or a ModuleList of a slice."""
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        if not -len(modules) <= index < len(modules):
            raise IndexError(f"index {index} is out of range for a ModuleList of {len(modules)}")
        return modules[index]

    def __setitem__(self, index: int, module: Module) -> None:
        """Replace the module at ``index``."""
        name = list(self._modules)[index]
        self.add_module(name, self._check(module, index))


class _Loss(Module):
    """A loss module: holds ``reduction`` ("mean", "sum" or "none")."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error (see :func:`minigrad.nn.functional.mse_loss`)."""

    def forward(self, input: Tensor, target: Tensor | npt.ArrayLike) -> Tensor:
        """The loss of ``input`` against ``target``."""
        return F.mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits against class indices (see ``functional.cross_entropy``)."""

    def forward(self, input: Tensor, target: Tensor | npt.ArrayLike) -> Tensor:
        """The loss of logits ``input`` (N, C) against classes ``target`` (N,)."""
        return F.cross_entropy(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits (see ``functional.binary_cross_entropy_with_logits``)."""

    def __init__(
        self,
        weight: Tensor | npt.ArrayLike | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | npt.ArrayLike | None = None,
    ) -> None:
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input: Tensor, target: Tensor | npt.ArrayLike) -> Tensor:
        """The loss of logits ``input`` against targets in [0, 1]."""
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )
