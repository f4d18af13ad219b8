"""minigrad: a small autograd library that mirrors PyTorch's API, grown in the course notebooks.

Each concept has one module: ``numeric`` (finite differences), ``engine`` (the scalar
``Value``), ``tensor`` and ``autograd`` (tensors, Functions, the backward engine), ``kernels``
(elementwise forward/backward functors), ``nn``, ``optim``, ``viz`` (graph drawings) and
``grade`` (the auto-grader).
"""

from minigrad import autograd, nn, numeric, viz
from minigrad.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.engine import Value
from minigrad.tensor import TORCH_FUNCTIONS as _TORCH_FUNCTIONS
from minigrad.tensor import Tensor, bool_, float16, float32, float64, int32, int64

# isort: split
# Training (issue 6): optimizers and data loading.
from minigrad import data, optim

# Tensor engine (issue 4): torch's function namespace, so that `import minigrad as torch` runs
# the covered subset: minigrad.tensor, zeros, randn, exp, sum, matmul, softmax, manual_seed, ...
globals().update(_TORCH_FUNCTIONS)
float = float32  # noqa: A001 (torch.float is float32)
double = float64
long = int64
half = float16
bool = bool_  # noqa: A001

__all__ = ["Value", "numeric", "viz"]
__all__ += ["Tensor", "autograd", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]
__all__ += ["float32", "float64", "int64", "int32", "nn", *_TORCH_FUNCTIONS]
__all__ += ["optim", "data"]
__version__ = "0.1.0"
