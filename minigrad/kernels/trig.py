"""Trigonometric and hyperbolic functions and their inverses: ``sin``, ``cos``, ``tan``,
``asin``, ``acos``, ``atan``, ``sinh``, ``cosh``, ``tanh``, ``asinh``, ``acosh``, ``atanh``.

Each op is its forward, its backward (dx = dy * f'(.) unless noted) and its registration in
:mod:`minigrad.kernels.table`, which runs when this module is imported.
"""

from __future__ import annotations

import numpy as np

from minigrad.kernels.table import Array, _unary


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


def tan_backward(dy: Array, y: Array) -> Array:
    """dx = dy / cos(x)**2 = dy (1 + y**2), y = tan(x) the saved output (torch's choice)."""
    return dy * (1 + y * y)


_unary(
    "tan",
    tan_forward,
    tan_backward,
    "y",
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
