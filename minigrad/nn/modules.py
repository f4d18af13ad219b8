"""Tensor-level building blocks of ``minigrad.nn``: ``Module``, ``Parameter`` and ``Linear``.

Mirrors ``torch.nn``: a Module registers the Parameters and sub-Modules assigned to its
attributes, so ``model.parameters()`` finds every weight, and ``model(x)`` runs ``forward``.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from minigrad._tensor import Tensor
from minigrad.nn.functional import linear
from minigrad.random import generator as _generator

__all__ = ["Linear", "Module", "Parameter"]


class Parameter(Tensor):
    """A Tensor that is a module's weight: requires grad by default and is found by
    ``Module.parameters()``."""

    __slots__ = ()

    def __init__(
        self, data: Tensor | npt.ArrayLike | None = None, requires_grad: bool = True
    ) -> None:
        if data is None:
            arr = np.zeros(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data  # shares memory, like torch
        else:
            arr = np.asarray(data)
        self._adopt(arr, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models. Assign Parameters and Modules as attributes in
    ``__init__``; define ``forward``; call the module to run it.

    ``parameters()`` walks the registered Parameters of the module and its sub-modules;
    ``train()`` / ``eval()`` set ``training``; ``requires_grad_(False)`` freezes the weights.
    """

    _parameters: OrderedDict[str, Parameter]
    _buffers: OrderedDict[str, Tensor | None]
    _modules: OrderedDict[str, Module]
    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call: call "
                f"super().__init__() first in your module's __init__"
            )
        params, modules = self.__dict__["_parameters"], self.__dict__["_modules"]
        params.pop(name, None)
        modules.pop(name, None)
        buffers = self.__dict__["_buffers"]
        if isinstance(value, Parameter):
            params[name] = value
            buffers.pop(name, None)
        elif isinstance(value, Module):
            modules[name] = value
            buffers.pop(name, None)
        elif name in buffers:
            buffers[name] = value  # reassigning a registered buffer keeps it registered
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """Add a tensor that is state but not a parameter (e.g. running statistics): it is
        saved in ``state_dict`` and converted by ``to``, but not returned by ``parameters``."""
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, for an absent one such as a disabled bias)."""
        if param is None:
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a sub-module under ``name``."""
        setattr(self, name, module)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it."""
        raise NotImplementedError(f"Module [{type(self).__name__}] is missing forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs, sub-modules' with dotted names; each parameter once."""
        seen: set[int] = set()
        for mod_prefix, mod in self.named_modules(prefix) if recurse else [(prefix, self)]:
            for name, p in mod._parameters.items():
                if id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and its sub-modules."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """``(name, buffer)`` pairs of this module and its sub-modules."""
        for mod_prefix, mod in self.named_modules(prefix):
            for name, b in mod._buffers.items():
                if b is not None:
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), b

    def buffers(self) -> Iterator[Tensor]:
        """Every buffer of this module and its sub-modules."""
        for _, b in self.named_buffers():
            yield b

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all sub-modules, with dotted names."""
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and all sub-modules."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their names."""
        yield from ((n, m) for n, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        """Direct sub-modules."""
        for _, m in self.named_children():
            yield m

    def train(self, mode: bool = True) -> Self:
        """Set training mode (matters for layers like dropout) here and in sub-modules."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Self:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Switch gradient tracking of every parameter (freeze with False)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn: Callable[[Module], object]) -> Self:
        """Call ``fn`` on every sub-module (children first) and on this module; return self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, dtype: npt.DTypeLike | None = None, *args: Any, **kwargs: Any) -> Self:
        """Convert every floating parameter and buffer to ``dtype`` in place (devices: only cpu).

        The parameters stay the same objects, so an optimizer built before still holds them.
        """
        dtype = kwargs.get("dtype", dtype)
        if dtype is None or isinstance(dtype, str):
            return self  # a device such as "cpu"
        for t in list(self.parameters()) + list(self.buffers()):
            if t._data.dtype.kind == "f":
                t._data = t._data.astype(dtype)
                if t.grad is not None:
                    t.grad._data = t.grad._data.astype(dtype)
        return self

    def float(self) -> Self:
        """Parameters and buffers to float32."""
        return self.to(np.float32)

    def double(self) -> Self:
        """Parameters and buffers to float64 (e.g. for gradcheck)."""
        return self.to(np.float64)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient (to None by default, as torch does)."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad._data[...] = 0

    def state_dict(self) -> OrderedDict[str, Tensor]:
        """Parameter and buffer values by dotted name (detached tensors sharing memory)."""
        state: OrderedDict[str, Tensor] = OrderedDict(
            (n, p.detach()) for n, p in self.named_parameters()
        )
        state.update((n, b.detach()) for n, b in self.named_buffers())
        return state

    def load_state_dict(self, state_dict: Mapping[str, Tensor | npt.ArrayLike]) -> None:
        """Copy values into the parameters (shapes must match)."""
        params: dict[str, Tensor] = dict(self.named_parameters())
        params.update(self.named_buffers())
        missing = set(params) - set(state_dict)
        unexpected = set(state_dict) - set(params)
        if missing or unexpected:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}: missing keys "
                f"{sorted(missing)}, unexpected keys {sorted(unexpected)}"
            )
        for n, p in params.items():
            v = state_dict[n]
            v = v._data if isinstance(v, Tensor) else np.asarray(v)
            if v.shape != p.shape:
                raise RuntimeError(
                    f"size mismatch for {n}: copying a param with shape {v.shape}, the "
                    f"parameter in the current model has shape {p.shape}"
                )
            p._data[...] = v

    def extra_repr(self) -> str:
        """Extra text shown by ``repr`` (e.g. layer sizes)."""
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({n}): " + repr(m).replace("\n", "\n  ") for n, m in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


class Linear(Module):
    """y = x @ weight.T + bias, with ``weight`` of shape (out_features, in_features).

    Initialised like torch: weight and bias uniform in ±1/sqrt(in_features). Accepts 1-D
    input (one sample) and 2-D or batched input.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dt = np.dtype(dtype or np.float32)
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
        rng = _generator()
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)).astype(dt))
        if bias:
            self.bias = Parameter(rng.uniform(-bound, bound, (out_features,)).astype(dt))
        else:
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        """Apply the affine map to the last dimension of ``input``."""
        if input.shape[-1:] != (self.in_features,):
            raise RuntimeError(
                f"Linear({self.in_features}, {self.out_features}) got input of shape "
                f"{tuple(input.shape)}: its last dimension must be in_features = "
                f"{self.in_features}."
            )
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        """Sizes, as torch prints them."""
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
