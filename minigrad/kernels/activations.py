"""Activations and piecewise ops: ``sigmoid``, ``erf``, ``erfc``, ``abs``, ``relu``,
``softplus``, ``gelu``, ``neg``, and the piecewise-constant ``sign``, ``floor``, ``ceil``,
``round``, whose backward is zero.

Each op is its forward, its backward (dx = dy * f'(.) unless noted) and its registration in
:mod:`minigrad.kernels.table`, which runs when this module is imported.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.kernels.table import Array, _cast, _unary, _zero_backward


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
    y = _math_erf(x)  # (a traced x under create_graph gives a traced erf: gelu's backward)
    return (y if hasattr(y, "astype") else np.asarray(y)).astype(_float_dtype(x), copy=False)


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
    """dx = dy sign(x): 0 at 0 and at nan (torch's ``self.sgn()`` of a nan is 0), but a nan or
    inf coming from above stays nan (dy * 0), as torch's product does."""
    return dy * np.where(np.isnan(x), _cast(0, x), np.sign(x))


_unary(
    "abs",
    abs_forward,
    abs_backward,
    "x",
    "kAbsBackwardWithDyX",
    "grad * self.sgn()",
    keeps_int=True,
    warns=False,
    refuses_bool=True,
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
    refuses_bool=True,
    grad_tracks_saved=True,
)


def softplus_forward(x: Array) -> Array:
    """log(1 + e**x), and x itself above torch's threshold 20 (where the two agree)."""
    threshold = _cast(20.0, x)
    return np.where(x > threshold, x, np.log1p(np.exp(np.minimum(x, threshold))))


def softplus_backward(dy: Array, x: Array) -> Array:
    """dx = dy sigmoid(x), and dy above the threshold 20 (torch's softplus_backward)."""
    threshold = _cast(20.0, x)
    # (where, not minimum: at x = threshold torch's second derivative is 0, and this z is then
    # a constant of a create_graph backward)
    z = np.exp(np.where(x < threshold, x, threshold))
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
    refuses_bool=True,
)


def sign_forward(x: Array) -> Array:
    """-1, 0 or 1; torch computes (0 < x) - (x < 0), so a nan gives 0 too (a bool stays)."""
    if x.dtype.kind in "biu":
        return x.copy() if x.dtype.kind == "b" else np.sign(x)
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
    """Largest integer <= x; integers stay integers (numpy would give floats)."""
    return np.floor(x) if x.dtype.kind in "fc" else x.copy()


_unary(
    "floor",
    floor_forward,
    _zero_backward,
    "",
    "(none: UnaryMathBwdWithFillZeroOp returns ZerosLike(dy))",
    "zeros_like(grad)",
    keeps_int=True,
    warns=False,
    refuses_bool=True,
)


def ceil_forward(x: Array) -> Array:
    """Smallest integer >= x; integers stay integers (numpy would give floats)."""
    return np.ceil(x) if x.dtype.kind in "fc" else x.copy()


_unary(
    "ceil",
    ceil_forward,
    _zero_backward,
    "",
    "(none: UnaryMathBwdWithFillZeroOp returns ZerosLike(dy))",
    "zeros_like(grad)",
    keeps_int=True,
    warns=False,
    refuses_bool=True,
)


def round_forward(x: Array) -> Array:
    """Nearest integer, halves to even (as torch.round and np.round do); integers stay integers."""
    return np.round(x) if x.dtype.kind in "fc" else x.copy()


_unary(
    "round",
    round_forward,
    _zero_backward,
    "",
    "(none: UnaryMathBwdWithFillZeroOp returns ZerosLike(dy))",
    "zeros_like(grad)",
    keeps_int=True,
    warns=False,
    refuses_bool=True,
)
