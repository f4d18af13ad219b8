"""Neural-network building blocks: on scalar Values (``Neuron``, ``Layer``, ``MLP``) and on
Tensors (``Module``, ``Parameter``, ``Linear``, ...), named as in ``torch.nn``."""

from minigrad.nn.modules import Linear, Module, Parameter
from minigrad.nn.scalar import MLP, Layer, Neuron

__all__ = ["Neuron", "Layer", "MLP"]
__all__ += ["Module", "Parameter", "Linear"]
