"""minigrad: a small autograd library that mirrors PyTorch's API, grown in the course notebooks.

Each concept has one module: ``numeric`` (finite differences), ``engine`` (the scalar
``Value``), ``tensor`` and ``autograd`` (tensors, Functions, the backward engine), ``kernels``
(elementwise forward/backward functors), ``nn``, ``optim``, ``viz`` (graph drawings) and
``grade`` (the auto-grader).
"""

from minigrad import numeric, viz
from minigrad.engine import Value

__all__ = ["Value", "numeric", "viz"]
__version__ = "0.1.0"
