"""Exponentials, logarithms and powers: ``exp``, ``exp2``, ``expm1``, ``log``, ``log2``,
``log10``, ``log1p``, ``sqrt``, ``rsqrt``, ``square``, ``reciprocal``.

Each op is its forward, its backward and its registration in :mod:`minigrad.kernels.table`,
which runs when this module is imported.
"""

from __future__ import annotations

import numpy as np

from minigrad.kernels.table import Array, _cast, _unary

# --------------------------------------------------------------------------------------------
# Unary kernels. Each op: forward, backward, registration. dx = dy * f'(.) unless noted.
# --------------------------------------------------------------------------------------------


def exp_forward(x: Array) -> Array:
    """e**x."""
    return np.exp(x)


def exp_backward(dy: Array, y: Array) -> Array:
    """dx = dy * y: the derivative of e**x is the output itself, so torch saves the output
    (OneFlow's kExpBackwardWithDyX recomputes e**x from the input instead)."""
    return dy * y


_unary(
    "exp",
    exp_forward,
    exp_backward,
    "y",
    "kExpBackwardWithDyX",
    "grad * result.conj()",
    domain=(-5.0, 5.0),
)


def exp2_forward(x: Array) -> Array:
    """2**x."""
    return np.exp2(x)


def exp2_backward(dy: Array, y: Array) -> Array:
    """dx = dy * y * ln 2, with y = 2**x the saved output, as torch's ``grad * result *
    M_LN2`` (OneFlow's kExp2BackwardWithDyX recomputes 2**x from the input instead); ln 2 is
    cast to y's dtype (``static_cast<Src>(2.0)``)."""
    return dy * y * np.log(_cast(2.0, y))


_unary(
    "exp2",
    exp2_forward,
    exp2_backward,
    "y",
    "kExp2BackwardWithDyX",
    "grad * result.conj() * M_LN2",
    domain=(-5.0, 5.0),
)


def expm1_forward(x: Array) -> Array:
    """e**x - 1, accurate for small x."""
    return np.expm1(x)


def expm1_backward(dy: Array, y: Array) -> Array:
    """dx = dy * e**x = dy * (y + 1), from the saved output (torch's choice)."""
    return dy * (y + 1)


_unary(
    "expm1",
    expm1_forward,
    expm1_backward,
    "y",
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


def sqrt_backward(dy: Array, y: Array) -> Array:
    """dx = dy / (2 y), y = sqrt(x) the saved output (torch's choice): inf at 0, nan below 0."""
    return dy / (_cast(2.0, y) * y)


_unary(
    "sqrt",
    sqrt_forward,
    sqrt_backward,
    "y",
    "kSqrtBackwardWithDyX",
    "grad / (2 * result.conj())",
    domain=(0.05, 5.0),
)


def rsqrt_forward(x: Array) -> Array:
    """1 / sqrt(x)."""
    return 1 / np.sqrt(x)


def rsqrt_backward(dy: Array, y: Array) -> Array:
    """dx = -dy y**3 / 2, y = 1 / sqrt(x) the saved output (torch's choice): -inf at 0."""
    return _cast(-0.5, y) * dy * (y * y * y)


_unary(
    "rsqrt",
    rsqrt_forward,
    rsqrt_backward,
    "y",
    "kRsqrtBackwardWithDyX",
    "-0.5 * grad * result.pow(3).conj()",
    domain=(0.05, 5.0),
)


def square_forward(x: Array) -> Array:
    """x**2 (of a bool: int64, as torch's pow(x, 2); numpy would give int8)."""
    return np.square(x.astype(np.int64) if x.dtype.kind == "b" else x)


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


def reciprocal_backward(dy: Array, y: Array) -> Array:
    """dx = -dy / x**2 = -dy y**2, y = 1 / x the saved output (torch's choice)."""
    return -dy * (y * y)


_unary(
    "reciprocal",
    reciprocal_forward,
    reciprocal_backward,
    "y",
    "kReciprocalBackwardWithDyX",
    "-grad * (result * result).conj()",
    domain=(0.2, 3.0),
)
