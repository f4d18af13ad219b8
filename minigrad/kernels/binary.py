"""Binary kernels: ``add``, ``sub``, ``mul``, ``div``, ``pow``, ``maximum``, ``minimum``,
``remainder``.

Each op is its forward, one backward per operand (each returning a gradient in the broadcast
shape, for :func:`~minigrad.kernels.table.unbroadcast`) and its registration in
:mod:`minigrad.kernels.table`, which runs when this module is imported.
"""

from __future__ import annotations

import numpy as np

from minigrad.kernels.table import Array, _binary, _cast

# --------------------------------------------------------------------------------------------
# Binary kernels: (dy, a, b, y) -> gradient in the broadcast shape, before unbroadcast.
# --------------------------------------------------------------------------------------------


def add_forward(a: Array, b: Array) -> Array:
    """a + b."""
    return np.add(a, b)


def add_backward(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = db = dy; a fresh copy, because the engine may accumulate into it in place."""
    return dy.copy()


_binary(
    "add",
    add_forward,
    add_backward,
    add_backward,
    "(BroadcastAdd: dy, then BroadcastReduceSumLike)",
    "self: handle_r_to_c(self.scalar_type(), grad); "
    "other: handle_r_to_c(other.scalar_type(), maybe_multiply(grad, alpha.conj()))",
    lhs_saves="",
    rhs_saves="",
    keeps_int=True,
)


def sub_forward(a: Array, b: Array) -> Array:
    """a - b."""
    return np.subtract(a, b)


def sub_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy (a fresh copy)."""
    return dy.copy()


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
    lhs_saves="",
    rhs_saves="",
    keeps_int=True,
    refuses_bool="any",
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
    lhs_saves="b",
    rhs_saves="a",
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
    lhs_saves="b",
    rhs_saves="ab",
)


def pow_forward(a: Array, b: Array) -> Array:
    """a ** b; an integer tensor exponent may be negative (the result truncates, as in torch:
    2 ** -1 is 0, where numpy raises)."""
    if b.dtype.kind in "iu" and (b < 0).any():
        one = np.where(b % 2 == 0, np.ones_like(a), a)  # (+-1) ** b
        return np.where(b < 0, np.where(np.abs(a) == 1, one, 0), np.power(a, np.abs(b)))
    return np.power(a, b)


def pow_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy b a**(b - 1), and exactly 0 where b == 0 (so x**0 has grad 0 even at x = 0);
    but not for a bool number (torch's ``Scalar(False)`` is not equal to 0: the grad of
    ``x ** False`` is ``0 * x**-1``, nan at x = 0)."""
    if b.dtype == np.bool_:
        b = b.astype(dy.dtype)
        return dy * (b * np.power(a, b - 1))
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
    lhs_saves="aby",  # (torch's PowBackward1 saves the result even when only self needs it)
    rhs_saves="aby",
    keeps_int=True,
    refuses_bool="both",
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
    lhs_saves="ab",
    rhs_saves="ab",
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
    lhs_saves="ab",
    rhs_saves="ab",
    keeps_int=True,
    warns=False,
)


def remainder_forward(a: Array, b: Array) -> Array:
    """a - floor(a / b) * b (``%``): the sign of the divisor, as Python's and torch's; an
    integer remainder by 0 is refused, as torch refuses it (numpy would give 0)."""
    if b.dtype.kind in "iu" and a.size and not b.all():  # (an empty result divides nothing)
        raise RuntimeError("ZeroDivisionError")
    m = np.fmod(a, b)  # torch's: fmod, then moved to b's side (an exact multiple keeps a's sign)
    return np.where((m != 0) & ((b < 0) != (m < 0)), m + b, m)


def remainder_backward_lhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """da = dy (a fresh copy)."""
    return dy.copy()


def remainder_backward_rhs(dy: Array, a: Array, b: Array, y: Array) -> Array:
    """db = -dy floor(a / b)."""
    return -dy * np.floor_divide(a, b)


_binary(
    "remainder",
    remainder_forward,
    remainder_backward_lhs,
    remainder_backward_rhs,
    "(FloorMod: dy, and -dy * floor(x / y) for y)",
    'self: grad; other: -grad * self.div(other, rounding_mode="floor")',
    domain=(0.5, 3.0),
    lhs_saves="",
    rhs_saves="ab",
    keeps_int=True,
    refuses_bool="both",
)
