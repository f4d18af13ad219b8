"""torch's function namespace for minigrad's ops: ``minigrad.exp(x)``, ``minigrad.cat(...)``.

Each function is the Tensor method of the same name (``minigrad.sum(x, 0)`` is ``x.sum(0)``) or
an op with several tensor inputs (``cat``, ``stack``, ``where``). ``minigrad/__init__.py``
imports these names one by one, so that an editor sees every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from minigrad._tensor import Tensor, _as_tensor, apply
from minigrad.ops import shape
from minigrad.ops.elementwise import binary_op, unary_op

__all__ = [
    "abs", "acos", "acosh", "add", "allclose", "amax", "amin", "argmax", "argmin", "asin",
    "asinh", "atan", "atanh", "cat", "ceil", "clamp", "clip", "clone", "cos", "cosh", "cumsum",
    "detach", "div", "dot", "equal", "erf", "erfc", "exp", "exp2", "expm1", "flatten", "flip",
    "floor", "floor_divide", "gather", "is_tensor", "log", "log1p", "log2", "log10",
    "log_softmax", "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mm",
    "mul", "neg", "negative", "numel", "permute", "pow", "prod", "reciprocal", "relu",
    "remainder", "reshape", "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "softmax",
    "sqrt", "square", "squeeze", "stack", "std", "sub", "sum", "t", "tan", "tanh", "transpose",
    "true_divide", "unsqueeze", "var", "where",
]  # fmt: skip


def _unary(name: str) -> Callable[[Any], Tensor]:
    op = unary_op(name)

    def fn(input: Any) -> Tensor:
        return apply(op, _as_tensor(input))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name} (kernel ``UNARY_KERNELS[{name!r}]``)."
    return fn


def _binary(name: str) -> Callable[[Any, Any], Tensor]:
    op = binary_op(name)

    def fn(input: Any, other: Any) -> Tensor:
        return apply(op, input, other)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name} (kernel ``BINARY_KERNELS[{name!r}]``)."
    return fn


def _method(name: str) -> Callable[..., Any]:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(_as_tensor(input), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``minigrad.{name}(x, ...)`` is ``x.{name}(...)``."
    return fn


# Elementwise: one line per kernel of minigrad.kernels (a test checks that none is missing).
mul, div = _binary("mul"), _binary("div")
pow = _binary("pow")
true_divide, remainder = _binary("div"), _binary("remainder")
maximum, minimum = _method("maximum"), _method("minimum")
neg = negative = _unary("neg")
abs = _unary("abs")
exp, exp2, expm1 = _unary("exp"), _unary("exp2"), _unary("expm1")
log, log2, log10, log1p = _unary("log"), _unary("log2"), _unary("log10"), _unary("log1p")
sqrt, rsqrt, square = _unary("sqrt"), _unary("rsqrt"), _unary("square")
reciprocal = _unary("reciprocal")
sin, cos, tan = _unary("sin"), _unary("cos"), _unary("tan")
asin, acos, atan = _unary("asin"), _unary("acos"), _unary("atan")
sinh, cosh, tanh = _unary("sinh"), _unary("cosh"), _unary("tanh")
asinh, acosh, atanh = _unary("asinh"), _unary("acosh"), _unary("atanh")
sigmoid, relu, erf, erfc = _unary("sigmoid"), _unary("relu"), _unary("erf"), _unary("erfc")
sign, floor, ceil, round = _unary("sign"), _unary("floor"), _unary("ceil"), _unary("round")

# Methods as functions.
sum, mean, max, min = _method("sum"), _method("mean"), _method("max"), _method("min")
argmax, argmin = _method("argmax"), _method("argmin")
reshape, flatten = _method("reshape"), _method("flatten")
squeeze, unsqueeze = _method("squeeze"), _method("unsqueeze")
transpose, permute, t = _method("transpose"), _method("permute"), _method("t")
matmul, mm, dot = _method("matmul"), _method("mm"), _method("dot")
clone, detach, equal = _method("clone"), _method("detach"), _method("equal")
add, sub = _method("add"), _method("sub")  # with alpha=
floor_divide = _method("floor_divide")
clamp, clip = _method("clamp"), _method("clip")
prod, amax, amin, cumsum = _method("prod"), _method("amax"), _method("amin"), _method("cumsum")
var, std, logsumexp = _method("var"), _method("std"), _method("logsumexp")
flip, gather = _method("flip"), _method("gather")


def softmax(input: Tensor, dim: int) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (shifted by the max: no overflow)."""
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """log(softmax(x)) along ``dim``, as x - logsumexp(x): never -inf for finite logits."""
    return input.log_softmax(dim)


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Concatenate along an existing dim."""
    return apply(shape.Cat, *[_as_tensor(t) for t in tensors], dim=dim)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Stack along a new dim."""
    return apply(shape.Stack, *[_as_tensor(t) for t in tensors], dim=dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (broadcasting)."""
    return apply(shape.Where, condition, input, other)


def is_tensor(obj: Any) -> bool:
    """True if ``obj`` is a minigrad Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """Number of elements."""
    return input.numel()


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
    """True if all elements are close."""
    return input.allclose(other, rtol, atol)
