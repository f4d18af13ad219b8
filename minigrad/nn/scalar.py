"""Neural networks on scalar Values: a Neuron, a Layer of neurons, an MLP of layers.

The same building blocks as micrograd's ``nn`` (and the same order of operations, so the two
give bit-identical results from the same weights), built on ``minigrad.Value``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol, TypedDict, Unpack

from minigrad.engine import Value

__all__ = ["MLP", "Layer", "Module", "Neuron"]


class _Uniform(Protocol):
    def uniform(self, low: float, high: float) -> float: ...


class _NeuronOptions(TypedDict, total=False):
    """The keyword arguments a Layer passes on to each Neuron."""

    nonlin: bool
    rng: _Uniform | None


class Module:
    """Base class: a model made of Values, with ``parameters()`` and ``zero_grad()``."""

    def parameters(self) -> list[Value]:
        """All trainable Values of the model, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0.0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One neuron: ``act(w . x + b)`` with ``act`` = relu if ``nonlin`` else the identity.

    Args:
        nin: number of inputs.
        nonlin: apply relu to the output (False for an output neuron).
        rng: where the initial weights come from (anything with ``uniform(low, high)``, e.g.
            ``random.Random(0)`` or ``np.random.default_rng(0)``); Python's ``random`` module
            if None. Weights start uniform in [-1, 1], the bias at 0.
    """

    def __init__(self, nin: int, nonlin: bool = True, rng: _Uniform | None = None) -> None:
        rng = random if rng is None else rng
        self.w = [Value(float(rng.uniform(-1.0, 1.0))) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float] | Value) -> Value:
        """The neuron's output for one input vector x (Values or numbers)."""
        if isinstance(x, Value):
            x = [x]  # the output of a one-neuron layer, fed to the next layer
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x, strict=True):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs.

    Returns a list of ``nout`` Values, or a single Value when ``nout == 1``. Extra keyword
    arguments (``nonlin``, ``rng``) go to each Neuron.
    """

    def __init__(self, nin: int, nout: int, **kwargs: Unpack[_NeuronOptions]) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float] | Value) -> Value | list[Value]:
        """Every neuron's output for the input vector x."""
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Each neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: relu hidden layers, a linear last layer.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, e.g. ``[16, 16, 1]``.
        rng: where initial weights come from (see Neuron).

    Example:
        >>> model = MLP(2, [16, 16, 1], rng=random.Random(0))
        >>> score = model([1.0, -2.0])
    """

    def __init__(self, nin: int, nouts: Sequence[int], rng: _Uniform | None = None) -> None:
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last, rng=rng) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float] | Value) -> Sequence[Value | float] | Value:
        """The network's output for one input vector x."""
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        """Each layer's parameters, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
