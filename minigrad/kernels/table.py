"""The shared pieces of :mod:`minigrad.kernels`: the entry types, the three tables, and the
helpers that every family module uses.

:class:`UnaryKernel`, :class:`BinaryKernel` and :class:`KernelDoc` are the entries of
``UNARY_KERNELS``, ``BINARY_KERNELS`` and ``KERNEL_DOCS``. The family modules (``exp_log``,
``trig``, ``activations``, ``binary``) fill the tables when they are imported, by calling
:func:`_unary` and :func:`_binary`; they write their constants with :func:`_cast`.
:func:`unbroadcast` sums a binary kernel's gradient back to its operand's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np

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
    refuses_bool: bool = False  # torch refuses a bool tensor (neg, abs, floor, ...)
    # torch's backward is one differentiable op of the saved tensor (relu: threshold_backward),
    # so under create_graph its result depends on that tensor even where this rule reads it
    # only through a mask (derivative 0): it requires grad, and a further grad gives zeros.
    grad_tracks_saved: bool = False


class BinaryKernel(NamedTuple):
    """One elementwise binary op: its forward, one backward per operand, and its facts."""

    name: str  # "mul"
    forward: Callable[[Array, Array], Array]  # y = f(a, b), broadcasting
    backward_lhs: Callable[[Array, Array, Array, Array], Array]  # (dy, a, b, y) -> da, broadcast
    backward_rhs: Callable[[Array, Array, Array, Array], Array]  # (dy, a, b, y) -> db, broadcast
    lhs_saves: str = "aby"  # which of a, b, y backward_lhs reads (the others are passed as None)
    rhs_saves: str = "aby"  # which of a, b, y backward_rhs reads
    keeps_int: bool = False
    warns: bool = True
    refuses_bool: Literal["", "any", "both"] = ""  # torch refuses bools: any operand (sub),
    # or both (pow, //, %)
    # What to save when only a (index 1), only b (2) or both (3) need a gradient: as torch
    # saves other only for self's gradient, self only for other's (``needs_a + 2 * needs_b``).
    saves_for: tuple[str, str, str, str] = ("", "aby", "aby", "aby")

    @property
    def saves(self) -> str:
        """Everything either backward may read (the union of ``lhs_saves`` and ``rhs_saves``)."""
        return "".join(k for k in "aby" if k in self.lhs_saves + self.rhs_saves)


class KernelDoc(NamedTuple):
    """Where an op's backward lives in OneFlow and how PyTorch writes it."""

    oneflow: str  # the backward's name in OneFlow's BinaryOp enum, e.g. "kExp2BackwardWithDyX"
    # (its suffix is what OneFlow saves, which may differ from the entry's ``saves``: torch's)
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
    return (like.dtype if hasattr(like, "dtype") else np.asarray(like).dtype).type(value)


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
    refuses_bool: bool = False,
    grad_tracks_saved: bool = False,
) -> None:
    """Register a unary kernel and its documentation under ``name``."""
    UNARY_KERNELS[name] = UnaryKernel(
        name, forward, backward, saves, keeps_int, warns, refuses_bool, grad_tracks_saved
    )
    KERNEL_DOCS[name] = KernelDoc(oneflow, torch, domain)


def _binary(
    name: str,
    forward: Callable[[Array, Array], Array],
    backward_lhs: Callable[[Array, Array, Array, Array], Array],
    backward_rhs: Callable[[Array, Array, Array, Array], Array],
    oneflow: str,
    torch: str,
    domain: tuple[float, float] = (-3.0, 3.0),
    lhs_saves: str = "aby",
    rhs_saves: str = "aby",
    keeps_int: bool = False,
    warns: bool = True,
    refuses_bool: Literal["", "any", "both"] = "",
) -> None:
    """Register a binary kernel and its documentation under ``name``."""
    both = "".join(k for k in "aby" if k in lhs_saves + rhs_saves)
    saves_for = ("", lhs_saves, rhs_saves, both)
    kernel = BinaryKernel(
        name, forward, backward_lhs, backward_rhs, lhs_saves, rhs_saves, keeps_int, warns,
        refuses_bool, saves_for,
    )  # fmt: skip
    BINARY_KERNELS[name] = kernel
    KERNEL_DOCS[name] = KernelDoc(oneflow, torch, domain)


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``grad`` over the dimensions that broadcasting added or stretched, back to ``shape``.

    An operand of shape ``shape`` was broadcast to ``grad.shape`` in the forward; every copy
    of an element received a gradient, and the element's gradient is their sum.
    """
    if not hasattr(grad, "shape"):  # (a number; arrays and create_graph's Tracers pass as they are)
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
