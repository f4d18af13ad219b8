"""minigrad: a small autograd library that mirrors PyTorch's API, grown in the course notebooks.

``import minigrad as torch`` runs the covered subset of PyTorch and gives the same numbers. The
modules, one per concept (``minigrad/README.md`` has the map):

* ``numeric``: finite differences (notebook 1); ``engine``: the scalar ``Value`` (notebook 3);
* ``op``, ``ops``: the Op mechanism and the ops by family; ``_tensor``: the Tensor and the one
  ``apply``; ``graph``: the backward graph and its loop; ``grad_mode``; ``autograd``:
  ``Function``, ``grad``, ``gradcheck`` (notebook 4); ``kernels``: the elementwise functor
  table (notebook 5); ``dtypes``, ``random``, ``factories``, ``functions``;
* ``nn``, ``optim``, ``data`` (notebook 6) and ``viz`` (graph drawings).

The auto-grader is not part of the library: it is the package ``grader`` beside it.
"""

from minigrad import autograd, data, nn, numeric, optim, viz
from minigrad._tensor import Tensor
from minigrad.dtypes import bool_, float16, float32, float64, int8, int32, int64, uint8
from minigrad.engine import Value
from minigrad.factories import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minigrad.functions import (  # noqa: A004 (torch's names: minigrad.sum, minigrad.max, ...)
    abs,
    acos,
    acosh,
    add,
    allclose,
    argmax,
    argmin,
    asin,
    asinh,
    atan,
    atanh,
    cat,
    ceil,
    clone,
    cos,
    cosh,
    detach,
    div,
    dot,
    equal,
    erf,
    erfc,
    exp,
    exp2,
    expm1,
    flatten,
    floor,
    is_tensor,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    neg,
    negative,
    numel,
    permute,
    pow,
    reciprocal,
    relu,
    reshape,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    softmax,
    sqrt,
    square,
    squeeze,
    stack,
    sub,
    sum,
    t,
    tan,
    tanh,
    transpose,
    true_divide,
    unsqueeze,
    where,
)
from minigrad.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.random import manual_seed

float = float32  # noqa: A001 (torch.float is float32)
double = float64
long = int64
half = float16
bool = bool_  # noqa: A001

__version__ = "0.1.0"

__all__ = [
    "abs", "acos", "acosh", "add", "allclose", "arange", "argmax", "argmin", "as_tensor", "asin",
    "asinh", "atan", "atanh", "autograd", "bool", "bool_", "cat", "ceil", "clone", "cos", "cosh",
    "data", "detach", "div", "dot", "double", "empty", "enable_grad", "equal", "erf", "erfc",
    "exp", "exp2", "expm1", "eye", "flatten", "float", "float16", "float32", "float64", "floor",
    "from_numpy", "full", "full_like", "half", "int32", "int64", "int8", "is_grad_enabled",
    "is_tensor", "linspace", "log", "log10", "log1p", "log2", "log_softmax", "long", "manual_seed",
    "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul", "neg", "negative", "nn",
    "no_grad", "numel", "numeric", "ones", "ones_like", "optim", "permute", "pow", "rand",
    "rand_like", "randint", "randn", "randn_like", "randperm", "reciprocal", "relu", "reshape",
    "round", "rsqrt", "set_grad_enabled", "sigmoid", "sign", "sin", "sinh", "softmax", "sqrt",
    "square", "squeeze", "stack", "sub", "sum", "t", "tan", "tanh", "tensor", "Tensor",
    "transpose", "true_divide", "uint8", "unsqueeze", "Value", "viz", "where", "zeros",
    "zeros_like",
]  # fmt: skip
