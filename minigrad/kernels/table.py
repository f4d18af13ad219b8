"""Elementwise forward and backward kernels, laid out the way OneFlow lays them out.

Every elementwise op of ``minigrad.Tensor`` runs through the two tables of this module:

* ``UNARY_KERNELS[name]`` is a :class:`UnaryKernel`: a forward functor ``y = f(x)`` and a
  backward functor ``dx = backward(dy, saved)``. As in OneFlow, the backward is named by what
  it reads: ``saves == "x"`` is OneFlow's ``...BackwardWithDyX`` (it recomputes from the saved
  input), ``saves == "y"`` is ``...BackwardWithDyY`` (it reuses the saved output).
* ``BINARY_KERNELS[name]`` is a :class:`BinaryKernel`: ``y = f(a, b)`` with numpy
  broadcasting and one backward per operand, each returning a gradient in the broadcast
  shape; :func:`unbroadcast` sums it back to the operand's shape.

``KERNEL_DOCS[name]`` records, for each op, the backward's name in OneFlow's ``BinaryOp``
enum and the formula PyTorch writes in ``tools/autograd/derivatives.yaml``.

Everything computes in the input's dtype. Constants are cast to that dtype first (see
:func:`_cast`), as OneFlow's functors write ``static_cast<Src>(2.0)``: under numpy 2's
promotion rules (NEP 50) an ``np.float64`` scalar is a strong type, so ``x32 * np.log(2)``
would silently become float64. Values at special points (0, ties, negative bases, ...) follow
PyTorch. Kernels are pure numpy: this module knows nothing about ``Tensor``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np

__all__ = [
    "BINARY_KERNELS",
    "KERNEL_DOCS",
    "UNARY_KERNELS",
    "BinaryKernel",
    "KernelDoc",
    "UnaryKernel",
    "unbroadcast",
]

Array = np.ndarray


class UnaryKernel(NamedTuple):
    """One elementwise unary op: its functors and every fact the Tensor needs to run it."""

    name: str  # "exp2"
    forward: Callable[[Array], Array]  # y = f(x), in x's dtype
    backward: Callable[[Array, Array], Array]  # dx = backward(dy, saved)
    saves: Literal["x", "y", ""]  # "x": ...BackwardWithDyX reads the input; "y": ...WithDyY the
    # output; "": the backward reads dy only, so nothing is kept alive for it
    keeps_int: bool = False  # integer in, integer out (neg, abs); else it computes in float
    warns: bool = True  # the forward may warn where torch is silent (log(0), sqrt(-1), 0/0)


class BinaryKernel(NamedTuple):
    """One elementwise binary op: its forward, one backward per operand, and its facts."""

    name: str  # "mul"
    forward: Callable[[Array, Array], Array]  # y = f(a, b), broadcasting
    backward_lhs: Callable[[Array, Array, Array, Array], Array]  # (dy, a, b, y) -> da, broadcast
    backward_rhs: Callable[[Array, Array, Array, Array], Array]  # (dy, a, b, y) -> db, broadcast
    saves: str = "aby"  # which of a, b, y the backward reads (the others are passed as None)
    keeps_int: bool = False
    warns: bool = True


class KernelDoc(NamedTuple):
    """Where an op's backward lives in OneFlow and how PyTorch writes it."""

    oneflow: str  # the backward's name in OneFlow's BinaryOp enum, e.g. "kExp2BackwardWithDyX"
    torch: str  # the formula in PyTorch's tools/autograd/derivatives.yaml
    domain: tuple[float, float] = (-3.0, 3.0)  # an interval where the op is smooth (for checks)


UNARY_KERNELS: dict[str, UnaryKernel] = {}
BINARY_KERNELS: dict[str, BinaryKernel] = {}
KERNEL_DOCS: dict[str, KernelDoc] = {}


def _cast(value: float, like: Array) -> np.generic:
    """``static_cast<Src>(value)``: the constant as a scalar of ``like``'s dtype.

    Without the cast, numpy 2 (NEP 50) promotes a float32 array times an ``np.float64``
    constant to float64.
    """
    return np.asarray(like).dtype.type(value)


def _zero_backward(dy: Array, x: Array) -> Array:
    """dx = 0 everywhere: a piecewise-constant op passes no gradient (OneFlow's fill variant)."""
    return np.zeros_like(dy)


def _unary(
    name: str,
    forward: Callable[[Array], Array],
    backward: Callable[[Array, Array], Array],
    saves: Literal["x", "y", ""],
    oneflow: str,
    torch: str,
    domain: tuple[float, float] = (-3.0, 3.0),
    keeps_int: bool = False,
    warns: bool = True,
) -> None:
    """Register a unary kernel and its documentation under ``name``."""
    UNARY_KERNELS[name] = UnaryKernel(name, forward, backward, saves, keeps_int, warns)
    KERNEL_DOCS[name] = KernelDoc(oneflow, torch, domain)


def _binary(
    name: str,
    forward: Callable[[Array, Array], Array],
    backward_lhs: Callable[[Array, Array, Array, Array], Array],
    backward_rhs: Callable[[Array, Array, Array, Array], Array],
    oneflow: str,
    torch: str,
    domain: tuple[float, float] = (-3.0, 3.0),
    saves: str = "aby",
    keeps_int: bool = False,
    warns: bool = True,
) -> None:
    """Register a binary kernel and its documentation under ``name``."""
    kernel = BinaryKernel(name, forward, backward_lhs, backward_rhs, saves, keeps_int, warns)
    BINARY_KERNELS[name] = kernel
    KERNEL_DOCS[name] = KernelDoc(oneflow, torch, domain)


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``grad`` over the dimensions that broadcasting added or stretched, back to ``shape``.

    An operand of shape ``shape`` was broadcast to ``grad.shape`` in the forward; every copy
    of an element received a gradient, and the element's gradient is their sum.
    """
    grad = np.asarray(grad)
    shape = tuple(shape)
    extra = grad.ndim - len(shape)  # leading dimensions that broadcasting added
    if extra < 0 or any(n not in (1, m) for n, m in zip(shape, grad.shape[extra:], strict=True)):
        raise ValueError(
            f"cannot unbroadcast a gradient of shape {grad.shape} to shape {shape}: "
            f"shape {shape} does not broadcast to {grad.shape}; pass the operand's own shape"
        )
    stretched = [extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1]
    axes = tuple(range(extra)) + tuple(stretched)
    if not axes:
        return grad
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


# --------------------------------------------------------------------------------------------
# Unary kernels. Each op: forward, backward, registration. dx = dy * f'(.) unless noted.
# --------------------------------------------------------------------------------------------


def exp_forward(x: Array) -> Array:
    """e**x."""
    return np.exp(x)


def exp_backward(dy: Array, x: Array) -> Array:
    """dx = dy * e**x, recomputed from x as OneFlow does (PyTorch reuses the result)."""
    return dy * np.exp(x)


_unary(
    "exp",
    exp_forward,
    exp_backward,
    "x",
    "kExpBackwardWithDyX",
    "grad * result.conj()",
    domain=(-5.0, 5.0),
)


def exp2_forward(x: Array) -> Array:
    """2**x."""
    return np.exp2(x)


def exp2_backward(dy: Array, x: Array) -> Array:
    """dx = dy * 2**x * ln 2, with ln 2 cast to x's dtype (``static_cast<Src>(2.0)``)."""
    return dy * np.exp2(x) * np.log(_cast(2.0, x))


_unary(
    "exp2",
    exp2_forward,
    exp2_backward,
    "x",
    "kExp2BackwardWithDyX",
    "grad * result.conj() * M_LN2",
    domain=(-5.0, 5.0),
)


def expm1_forward(x: Array) -> Array:
    """e**x - 1, accurate for small x."""
    return np.expm1(x)


def expm1_backward(dy: Array, x: Array) -> Array:
    """dx = dy * e**x."""
    return dy * np.exp(x)


_unary(
    "expm1",
    expm1_forward,
    expm1_backward,
    "x",
    "kExpm1BackwardWithDyX",
    "grad * (result.conj() + 1)",
    domain=(-5.0, 5.0),
)


def log_forward(x: Array) -> Array:
    """Natural logarithm."""
    return np.log(x)


def log_backward(dy: Array, x: Array) -> Array:
    """dx = dy / x: inf at 0 (for dy > 0), as in torch."""
    return dy / x


_unary(
    "log",
    log_forward,
    log_backward,
    "x",
    "kLogBackwardWithDyX",
    "grad.div(self.conj())",
    domain=(0.05, 5.0),
)


def log2_forward(x: Array) -> Array:
    """Base-2 logarithm."""
    return np.log2(x)


def log2_backward(dy: Array, x: Array) -> Array:
    """dx = dy / (x ln 2)."""
    return dy / (x * np.log(_cast(2.0, x)))


_unary(
    "log2",
    log2_forward,
    log2_backward,
    "x",
    "kLog2BackwardWithDyX",
    "grad / (self.conj() * 0.6931471805599453)",
    domain=(0.05, 5.0),
)


def log10_forward(x: Array) -> Array:
    """Base-10 logarithm."""
    return np.log10(x)


def log10_backward(dy: Array, x: Array) -> Array:
    """dx = dy / (x ln 10)."""
    return dy / (x * np.log(_cast(10.0, x)))


_unary(
    "log10",
    log10_forward,
    log10_backward,
    "x",
    "kLog10BackwardWithDyX",
    "grad / (self.conj() * 2.3025850929940456)",
    domain=(0.05, 5.0),
)


def log1p_forward(x: Array) -> Array:
    """log(1 + x), accurate for small x."""
    return np.log1p(x)


def log1p_backward(dy: Array, x: Array) -> Array:
    """dx = dy / (1 + x)."""
    return dy / (x + 1)


_unary(
    "log1p",
    log1p_forward,
    log1p_backward,
    "x",
    "kLog1pBackwardWithDyX",
    "log1p_backward(grad, self)",
    domain=(-0.9, 5.0),
)


def sqrt_forward(x: Array) -> Array:
    """Square root (nan below 0)."""
    return np.sqrt(x)


def sqrt_backward(dy: Array, x: Array) -> Array:
    """dx = dy / (2 sqrt(x)): inf at 0, nan below 0, as in torch."""
    return dy * _cast(0.5, x) / np.sqrt(x)


_unary(
    "sqrt",
    sqrt_forward,
    sqrt_backward,
    "x",
    "kSqrtBackwardWithDyX",
    "grad / (2 * result.conj())",
    domain=(0.05, 5.0),
)


def rsqrt_forward(x: Array) -> Array:
    """1 / sqrt(x)."""
    return 1 / np.sqrt(x)


def rsqrt_backward(dy: Array, x: Array) -> Array:
    """dx = -dy / (2 x sqrt(x)): -inf at 0, as in torch."""
    return dy * _cast(-0.5, x) / (x * np.sqrt(x))


_unary(
    "rsqrt",
    rsqrt_forward,
    rsqrt_backward,
    "x",
    "kRsqrtBackwardWithDyX",
    "-0.5 * grad * result.pow(3).conj()",
    domain=(0.05, 5.0),
)


def square_forward(x: Array) -> Array:
    """x**2."""
    return np.square(x)


def square_backward(dy: Array, x: Array) -> Array:
    """dx = 2 x dy."""
    return dy * 2 * x


_unary(
    "square",
    square_forward,
    square_backward,
    "x",
    "kSquareBackwardWithDyX",
    "(no entry: square is pow(self, 2), so PowBackward0)",
    keeps_int=True,
)


def reciprocal_forward(x: Array) -> Array:
    """1 / x."""
    return 1 / x


def reciprocal_backward(dy: Array, x: Array) -> Array:
    """dx = -dy / x**2."""
    return -dy / (x * x)


_unary(
    "reciprocal",
    reciprocal_forward,
    reciprocal_backward,
    "x",
    "kReciprocalBackwardWithDyX",
    "-grad * (result * result).conj()",
    domain=(0.2, 3.0),
)


def sin_forward(x: Array) -> Array:
    """Sine."""
    return np.sin(x)


def sin_backward(dy: Array, x: Array) -> Array:
    """dx = dy cos(x)."""
    return dy * np.cos(x)


_unary(
    "sin",
    sin_forward,
    sin_backward,
    "x",
    "kSinBackwardWithDyX",
    "grad * self.cos().conj()",
)


def cos_forward(x: Array) -> Array:
    """Cosine."""
    return np.cos(x)


def cos_backward(dy: Array, x: Array) -> Array:
    """dx = -dy sin(x)."""
    return -dy * np.sin(x)


_unary(
    "cos",
    cos_forward,
    cos_backward,
    "x",
    "kCosBackwardWithDyX",
    "grad * -self.sin().conj()",
)


def tan_forward(x: Array) -> Array:
    """Tangent."""
    return np.tan(x)


def tan_backward(dy: Array, x: Array) -> Array:
    """dx = dy / cos(x)**2."""
    c = np.cos(x)
    return dy / (c * c)


_unary(
    "tan",
    tan_forward,
    tan_backward,
    "x",
    "kTanBackwardWithDyX",
    "grad * (1 + result.pow(2)).conj()",
    domain=(-1.3, 1.3),
)


def asin_forward(x: Array) -> Array:
    """Inverse sine."""
    return np.arcsin(x)


def asin_backward(dy: Array, x: Array) -> Array:
    """dx = dy / sqrt(1 - x**2): inf at +-1, nan beyond."""
    return dy / np.sqrt(1 - x * x)


_unary(
    "asin",
    asin_forward,
    asin_backward,
    "x",
    "kAsinBackwardWithDyX",
    "grad * (-self * self + 1).rsqrt().conj()",
    domain=(-0.95, 0.95),
)


def acos_forward(x: Array) -> Array:
    """Inverse cosine."""
    return np.arccos(x)


def acos_backward(dy: Array, x: Array) -> Array:
    """dx = -dy / sqrt(1 - x**2)."""
    return -dy / np.sqrt(1 - x * x)


_unary(
    "acos",
    acos_forward,
    acos_backward,
    "x",
    "kAcosBackwardWithDyX",
    "grad * -((-self * self + 1).rsqrt()).conj()",
    domain=(-0.95, 0.95),
)


def atan_forward(x: Array) -> Array:
    """Inverse tangent."""
    return np.arctan(x)


def atan_backward(dy: Array, x: Array) -> Array:
    """dx = dy / (1 + x**2)."""
    return dy / (1 + x * x)


_unary(
    "atan",
    atan_forward,
    atan_backward,
    "x",
    "kAtanBackwardWithDyX",
    "grad / (self * self + 1).conj()",
)


def sinh_forward(x: Array) -> Array:
    """Hyperbolic sine."""
    return np.sinh(x)


def sinh_backward(dy: Array, x: Array) -> Array:
    """dx = dy cosh(x)."""
    return dy * np.cosh(x)


_unary(
    "sinh",
    sinh_forward,
    sinh_backward,
    "x",
    "kSinhBackwardWithDyX",
    "grad * self.cosh().conj()",
    domain=(-5.0, 5.0),
)


def cosh_forward(x: Array) -> Array:
    """Hyperbolic cosine."""
    return np.cosh(x)


def cosh_backward(dy: Array, x: Array) -> Array:
    """dx = dy sinh(x)."""
    return dy * np.sinh(x)


_unary(
    "cosh",
    cosh_forward,
    cosh_backward,
    "x",
    "kCoshBackwardWithDyX",
    "grad * self.sinh().conj()",
    domain=(-5.0, 5.0),
)


def tanh_forward(x: Array) -> Array:
    """Hyperbolic tangent."""
    return np.tanh(x)


def tanh_backward(dy: Array, y: Array) -> Array:
    """dx = dy (1 - y**2): cheap in the output, so the output is what is saved."""
    return dy * (1 - y * y)


_unary(
    "tanh",
    tanh_forward,
    tanh_backward,
    "y",
    "kTanhBackwardWithDyY",
    "tanh_backward(grad, result)",
)


def asinh_forward(x: Array) -> Array:
    """Inverse hyperbolic sine."""
    return np.arcsinh(x)


def asinh_backward(dy: Array, x: Array) -> Array:
    """dx = dy / sqrt(x**2 + 1)."""
    return dy / np.sqrt(x * x + 1)


_unary(
    "asinh",
    asinh_forward,
    asinh_backward,
    "x",
    "kAsinhBackwardWithDyX",
    "grad * (self.pow(2) + 1).rsqrt().conj()",
)


def acosh_forward(x: Array) -> Array:
    """Inverse hyperbolic cosine (nan below 1)."""
    return np.arccosh(x)


def acosh_backward(dy: Array, x: Array) -> Array:
    """dx = dy / sqrt(x**2 - 1): inf at 1."""
    return dy / np.sqrt(x * x - 1)


_unary(
    "acosh",
    acosh_forward,
    acosh_backward,
    "x",
    "kAcoshBackwardWithDyX",
    "grad * (self * self - 1).rsqrt()",
    domain=(1.05, 5.0),
)


def atanh_forward(x: Array) -> Array:
    """Inverse hyperbolic tangent."""
    return np.arctanh(x)


def atanh_backward(dy: Array, x: Array) -> Array:
    """dx = dy / (1 - x**2)."""
    return dy / (1 - x * x)


_unary(
    "atanh",
    atanh_forward,
    atanh_backward,
    "x",
    "kAtanhBackwardWithDyX",
    "grad * 1 / (1 - self.pow(2)).conj()",
    domain=(-0.95, 0.95),
)


def sigmoid_forward(x: Array) -> Array:
    """1 / (1 + e**-x), computed without overflow: e**-|x| never exceeds 1."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_backward(dy: Array, y: Array) -> Array:
    """dx = dy y (1 - y): cheap in the output, so the output is what is saved."""
    return dy * (1 - y) * y


_unary(
    "sigmoid",
    sigmoid_forward,
    sigmoid_backward,
    "y",
    "kSigmoidBackwardWithDyY",
    "sigmoid_backward(grad, result)",
    domain=(-30.0, 30.0),
)


# numpy has no erf ufunc: apply the C library's erf (math.erf) element by element. Exact to the
# last bit, and about 40 times slower than np.exp: fine for the array sizes of this course.
_math_erf = np.frompyfunc(math.erf, 1, 1)
_math_erfc = np.frompyfunc(math.erfc, 1, 1)


def _float_dtype(x: Array) -> np.dtype:
    """x's dtype if it is a float type, else float64 (erf of integers is a float)."""
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)


def erf_forward(x: Array) -> Array:
    """The error function 2/sqrt(pi) * integral_0^x e**-t**2 dt (libm's, elementwise)."""
    x = np.asarray(x)
    return np.asarray(_math_erf(x), dtype=_float_dtype(x))


def erf_backward(dy: Array, x: Array) -> Array:
    """dx = dy 2/sqrt(pi) e**-x**2."""
    return dy * _cast(2 / math.sqrt(math.pi), x) * np.exp(-x * x)


_unary(
    "erf",
    erf_forward,
    erf_backward,
    "x",
    "kErfBackwardWithDyX",
    "2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad",
)


def erfc_forward(x: Array) -> Array:
    """1 - erf(x), accurate where erf(x) is close to 1."""
    x = np.asarray(x)
    return np.asarray(_math_erfc(x), dtype=_float_dtype(x))


def erfc_backward(dy: Array, x: Array) -> Array:
    """dx = -dy 2/sqrt(pi) e**-x**2."""
    return dy * _cast(-2 / math.sqrt(math.pi), x) * np.exp(-x * x)


_unary(
    "erfc",
    erfc_forward,
    erfc_backward,
    "x",
    "kErfcBackwardWithDyX",
    "-2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad",
)


def abs_forward(x: Array) -> Array:
    """|x|."""
    return np.abs(x)


def abs_backward(dy: Array, x: Array) -> Array:
    """dx = dy sign(x), and 0 at 0 and at nan (torch's ``self.sgn()`` of a nan is 0)."""
    return np.where(x > 0, dy, np.where(x < 0, -dy, _cast(0, dy)))


_unary(
    "abs",
    abs_forward,
    abs_backward,
    "x",
    "kAbsBackwardWithDyX",
    "grad * self.sgn()",
    keeps_int=True,
    warns=False,
)


def relu_forward(x: Array) -> Array:
    """max(x, 0); nan stays nan, as in torch."""
    return np.maximum(x, _cast(0, x))


def relu_backward(dy: Array, y: Array) -> Array:
    """dx = 0 where y <= 0, else dy: 0 at 0, and a nan passes dy through, as in torch."""
    # Multiplying by the mask is about 10x faster than np.where on a random mask (the step of
    # an MLP spends most of its backward here). Only an inf or nan in dy needs np.where, since
    # 0 * inf would be nan where torch gives 0.
    keep = ~(y <= 0)
    dx = dy * keep
    if not np.isfinite(dx).all():
        dx = np.where(keep, dy, _cast(0, dy))
    return dx


_unary(
    "relu",
    relu_forward,
    relu_backward,
    "y",
    "kReluBackwardWithDyY",
    "threshold_backward(grad, result, 0)",
    keeps_int=True,
    warns=False,
)


def softplus_forward(x: Array) -> Array:
    """log(1 + e**x), and x itself above torch's threshold 20 (where the two agree)."""
    threshold = _cast(20.0, x)
    return np.where(x > threshold, x, np.log1p(np.exp(np.minimum(x, threshold))))


def softplus_backward(dy: Array, x: Array) -> Array:
    """dx = dy sigmoid(x), and dy above the threshold 20 (torch's softplus_backward)."""
    threshold = _cast(20.0, x)
    z = np.exp(np.minimum(x, threshold))
    return np.where(x > threshold, dy, dy * z / (z + 1))


_unary(
    "softplus",
    softplus_forward,
    softplus_backward,
    "x",
    "kSoftplusBackwardWithDyX",
    "softplus_backward(grad, self, beta, threshold)",
    domain=(-30.0, 30.0),
)


def gelu_forward(x: Array) -> Array:
    """x * Phi(x), Phi the standard normal CDF written with erf (torch's exact gelu)."""
    return x * _cast(0.5, x) * (1 + erf_forward(x * _cast(math.sqrt(0.5), x)))


def gelu_backward(dy: Array, x: Array) -> Array:
    """dx = dy (Phi(x) + x phi(x)), phi the standard normal density."""
    cdf = _cast(0.5, x) * (1 + erf_forward(x * _cast(math.sqrt(0.5), x)))
    pdf = _cast(1 / math.sqrt(2 * math.pi), x) * np.exp(_cast(-0.5, x) * x * x)
    return dy * (cdf + x * pdf)


_unary(
    "gelu",
    gelu_forward,
    gelu_backward,
    "x",
    "kGeluBackwardWithDyX",
    "gelu_backward(grad, self, approximate=approximate)",
)


def neg_forward(x: Array) -> Array:
    """-x."""
    return np.negative(x)


def neg_backward(dy: Array, x: Array) -> Array:
    """dx = -dy; reads neither x nor y."""
    return np.negative(dy)


_unary(
    "neg",
    neg_forward,
    neg_backward,
    "",
    "(none: NegativeOp returns functional::Negative(dy))",
    "grad.neg()",
    keeps_int=True,
    warns=False,
)


def sign_forward(x: Array) -> Array:
    """-1, 0 or 1; torch computes (0 < x) - (x < 0), so a nan gives 0 too."""
    return np.where(np.isnan(x), _cast(0, x), np.sign(x))


_unary(
    "sign",
    sign_forward,
    _zero_backward,
    "",
    "(none: UnaryMathBwdWithFillZeroOp returns ZerosLike(dy))",
    "zeros_like(grad)",
    keeps_int=True,
    warns=False,
)


def floor_forward(x: Array) -> Array:
    """Largest integer <= x."""
    return np.floor(x)


_unary(
    "floor",
    floor_forward,
    _zero_backward,
    "",
    "(none: UnaryMathBwdWithFillZeroOp returns ZerosLike(dy))",
    "zeros_like(grad)",
    warns=False,
)


def ceil_forward(x: Array) -> Array:
    """Smallest integer >= x."""
    return np.ceil(x)


_unary(
    "ceil",
    ceil_forward,
    _zero_backward,
    "",
    "(none: UnaryMathBwdWithFillZeroOp returns ZerosLike(dy))",
    "zeros_like(grad)",
    warns=False,
)


def round_forward(x: Array) -> Array:
    """Nearest integer, halves to even (as torch.round and np.round do)."""
    return np.round(x)


_unary(
    "round",
    round_forward,
    _zero_backward,
    "",
    "(none: UnaryMathBwdWithFillZeroOp returns ZerosLike(dy))",
    "zeros_like(grad)",
    warns=False,
)


# --------------------------------------------------------------------------------------------
# Binary kernels: (dy, a, b, y) -> gradient in the broadcast shape, before unbroadcast.
# --------------------------------------------------------------------------------------------


def add_forward(a: Array, b: Array) -> Array:
    """a + b."""
    return np.add(a, b)


def add_backward(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = db = dy; a fresh copy, because the engine may accumulate into it in place."""
    return np.array(dy, copy=True)


_binary(
    "add",
    add_forward,
    add_backward,
    add_backward,
    "(BroadcastAdd: dy, then BroadcastReduceSumLike)",
    "self: handle_r_to_c(self.scalar_type(), grad); "
    "other: handle_r_to_c(other.scalar_type(), maybe_multiply(grad, alpha.conj()))",
    saves="",
    keeps_int=True,
)


def sub_forward(a: Array, b: Array) -> Array:
    """a - b."""
    return np.subtract(a, b)


def sub_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy (a fresh copy)."""
    return np.array(dy, copy=True)


def sub_backward_rhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """db = -dy."""
    return np.negative(dy)


_binary(
    "sub",
    sub_forward,
    sub_backward_lhs,
    sub_backward_rhs,
    "(BroadcastSub: dy and ScalarMul(dy, -1))",
    "self: handle_r_to_c(self.scalar_type(), grad); "
    "other: handle_r_to_c(other.scalar_type(), maybe_multiply(-grad, alpha.conj()))",
    saves="",
    keeps_int=True,
)


def mul_forward(a: Array, b: Array) -> Array:
    """a * b."""
    return np.multiply(a, b)


def mul_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy * b."""
    return dy * b


def mul_backward_rhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """db = dy * a."""
    return dy * a


_binary(
    "mul",
    mul_forward,
    mul_backward_lhs,
    mul_backward_rhs,
    "(BroadcastMul: functional::Mul(dy, y) and Mul(dy, x))",
    "self: mul_tensor_backward(grad, other, self.scalar_type()); "
    "other: mul_tensor_backward(grad, self, other.scalar_type())",
    saves="ab",
    keeps_int=True,
)


def div_forward(a: Array, b: Array) -> Array:
    """a / b."""
    return np.true_divide(a, b)


def div_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy / b."""
    return dy / b


def div_backward_rhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """db = -dy a / b**2, written (a / b) / b as torch does, so b**2 cannot overflow."""
    return -dy * ((a / b) / b)


_binary(
    "div",
    div_forward,
    div_backward_lhs,
    div_backward_rhs,
    "(BroadcastDiv: functional::Div(dy, y) and DivGrad(dy, z, y))",
    "self: div_tensor_self_backward(grad, other, self.scalar_type()); "
    "other: div_tensor_other_backward(grad, self, other)",
    domain=(0.2, 3.0),
    saves="ab",
)


def pow_forward(a: Array, b: Array) -> Array:
    """a ** b."""
    return np.power(a, b)


def pow_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy b a**(b - 1), and exactly 0 where b == 0 (so x**0 has grad 0 even at x = 0)."""
    return np.where(b == 0, _cast(0, dy), dy * (b * np.power(a, b - 1)))


def pow_backward_rhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """db = dy a**b log(a): nan for a negative base; 0 where a == 0 and b >= 0, as in torch."""
    return dy * np.where((a == 0) & (b >= 0), _cast(0, dy), y * np.log(a))


_binary(
    "pow",
    pow_forward,
    pow_backward_lhs,
    pow_backward_rhs,
    "(BroadcastPow: BroadcastPowXGrad and BroadcastPowYGrad)",
    "self: pow_backward_self(grad, self, exponent); "
    "exponent: pow_backward_exponent(grad, self, exponent, result)",
    domain=(0.1, 3.0),
    saves="aby",
    keeps_int=True,
)


def maximum_forward(a: Array, b: Array) -> Array:
    """Elementwise max; nan if either is nan."""
    return np.maximum(a, b)


def maximum_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy where a > b, dy / 2 on a tie, 0 where a < b."""
    return np.where(a < b, _cast(0, dy), np.where(a == b, dy / 2, dy))


def maximum_backward_rhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """db = dy where b > a, dy / 2 on a tie, 0 where b < a."""
    return np.where(a > b, _cast(0, dy), np.where(a == b, dy / 2, dy))


_binary(
    "maximum",
    maximum_forward,
    maximum_backward_lhs,
    maximum_backward_rhs,
    "(BroadcastMaximum: ElementwiseMaxGrad)",
    "self: at::where(self == other, grad / 2, grad).masked_fill_(self < other, 0); "
    "other: at::where(self == other, grad / 2, grad).masked_fill_(self > other, 0)",
    saves="ab",
    keeps_int=True,
    warns=False,
)


def minimum_forward(a: Array, b: Array) -> Array:
    """Elementwise min; nan if either is nan."""
    return np.minimum(a, b)


def minimum_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy where a < b, dy / 2 on a tie, 0 where a > b."""
    return np.where(a > b, _cast(0, dy), np.where(a == b, dy / 2, dy))


def minimum_backward_rhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """db = dy where b < a, dy / 2 on a tie, 0 where b > a."""
    return np.where(a < b, _cast(0, dy), np.where(a == b, dy / 2, dy))


_binary(
    "minimum",
    minimum_forward,
    minimum_backward_lhs,
    minimum_backward_rhs,
    "(BroadcastMinimum: ElementwiseMinGrad)",
    "self: at::where(self == other, grad / 2, grad).masked_fill_(self > other, 0); "
    "other: at::where(self == other, grad / 2, grad).masked_fill_(self < other, 0)",
    saves="ab",
    keeps_int=True,
    warns=False,
)
