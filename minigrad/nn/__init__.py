"""Neural-network building blocks: on scalar Values (``Neuron``, ``Layer``, ``MLP``) and on
Tensors (``Module``, ``Parameter``, ``Linear``, ...), named as in ``torch.nn``."""

from minigrad.nn.modules import Linear, Module, Parameter
from minigrad.nn.scalar import MLP, Layer, Neuron

# isort: split
# Training (issue 6): activations, Sequential, loss modules, and the functional namespace.
from minigrad.nn import functional
from minigrad.nn.layers import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Identity,
    LogSoftmax,
    ModuleList,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

__all__ = ["MLP", "Layer", "Neuron"]
__all__ += ["Linear", "Module", "Parameter"]
__all__ += ["Identity", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Tanh", "functional"]
__all__ += ["BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Flatten", "MSELoss", "Sequential"]
__all__ += ["ModuleList"]
