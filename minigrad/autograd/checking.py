"""``gradcheck``: an analytical Jacobian against central differences, in float64; and
``gradgradcheck``: the same check of the gradient itself (the backward, differentiated)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad._tensor import Tensor
from minigrad.autograd.higher import grad as grad_with_graph
from minigrad.grad_mode import enable_grad, no_grad
from minigrad.graph import grad
from minigrad.random import generator

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when an analytical gradient disagrees with the numerical one."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences.

    Every floating input that requires grad is copied to float64; each element is nudged by
    ``+-eps`` to get one column of the numerical Jacobian, ``(f(x + eps) - f(x - eps)) / 2eps``,
    and one backward per output element gives one row of the analytical Jacobian. They must
    agree everywhere: ``|analytical - numerical| <= atol + rtol * |numerical|``. On failure a
    :class:`GradcheckError` names the input, the element, and both values (or, with
    ``raise_exception=False``, False is returned).
    """
    inputs = _as_tuple(inputs)
    # float64 copies: the numerical derivative needs the precision (eps = 1e-6).
    args = []
    for a in inputs:
        if isinstance(a, Tensor) and a._data.dtype.kind == "f":
            c = Tensor._wrap(np.array(a._data, dtype=np.float64))
            c._rg = a._rg
            args.append(c)
        else:
            args.append(a)
    wrt = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a._rg]
    if not wrt:
        raise ValueError(
            "gradcheck: no input requires grad, so there is nothing to check. Create the "
            "inputs with requires_grad=True."
        )

    def outputs() -> list[np.ndarray]:
        with no_grad():
            outs = _as_tuple(fn(*args))
        return [np.array(o._data, dtype=np.float64) for o in outs if isinstance(o, Tensor)]

    with enable_grad():
        outs = [o for o in _as_tuple(fn(*args)) if isinstance(o, Tensor)]
    n_out = sum(o._data.size for o in outs)
    for i in wrt:
        x = args[i]._data
        numerical = _numerical_jacobian(outputs, x, eps, n_out)
        analytical = _analytical_jacobian(outs, args[i], n_out)
        bad = np.abs(analytical - numerical) > atol + rtol * np.abs(numerical)
        bad |= np.isnan(analytical) != np.isnan(numerical)
        if bad.any():
            j, c = np.argwhere(bad)[0]
            index = tuple(int(v) for v in np.unravel_index(j, x.shape))
            out_k, out_e = _locate(outs, int(c))
            msg = (
                f"Jacobian mismatch for output {out_k} with respect to input {i}, at input "
                f"element {index} and output element {out_e}:\n"
                f"numerical: {float(numerical[j, c])!r}\n"
                f"analytical: {float(analytical[j, c])!r}\n"
                f"(|analytical - numerical| must be <= atol + rtol * |numerical| = "
                f"{atol} + {rtol} * {abs(numerical[j, c]):.3g}). The backward formula for this "
                f"input is wrong (or the function is not differentiable at this point)."
            )
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def _numerical_jacobian(
    outputs: Callable[[], list[np.ndarray]], x: np.ndarray, eps: float, n_out: int
) -> np.ndarray:
    """Row j: the central difference of every output element for a nudge of element j of x."""
    numerical = np.zeros((x.size, n_out))
    flat = x.reshape(-1)  # a view: nudging it nudges the input
    for j in range(x.size):
        orig = flat[j]
        flat[j] = orig + eps
        plus = outputs()
        flat[j] = orig - eps
        minus = outputs()
        flat[j] = orig
        numerical[j] = np.concatenate(
            [((p - m) / (2 * eps)).reshape(-1) for p, m in zip(plus, minus, strict=True)]
        )
    return numerical


def _analytical_jacobian(outs: list[Tensor], x: Tensor, n_out: int) -> np.ndarray:
    """Column c: the gradient of output element c with respect to x, one backward each."""
    analytical = np.zeros((x._data.size, n_out))
    col = 0
    for o in outs:
        for e in range(o._data.size):
            if o._rg:
                seed = np.zeros(o._data.size)
                seed[e] = 1.0
                gs = grad([o], [x], [seed.reshape(o._data.shape)], True, allow_unused=True)
                if gs[0] is not None:
                    analytical[:, col] = gs[0].reshape(-1)
            col += 1
    return analytical


def _locate(outs: list[Tensor], col: int) -> tuple[int, tuple[int, ...]]:
    """Which output, and which element of it, is column ``col`` of the Jacobian."""
    for k, o in enumerate(outs):
        if col < o._data.size:
            return k, tuple(int(v) for v in np.unravel_index(col, o._data.shape))
        col -= o._data.size
    raise IndexError(col)


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives (torch's ``gradgradcheck``): :func:`gradcheck` of the function
    ``(inputs, v) -> autograd.grad(func(inputs), inputs, v, create_graph=True)``.

    ``v`` (``grad_outputs``, random normal by default, one per output) is an input of that
    function too, so both what the backward does with the gradient it receives and how its
    result depends on the inputs (the second derivative) are checked.
    """
    inputs = _as_tuple(inputs)
    with enable_grad():
        outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]
    if grad_outputs is None:
        grad_outputs = [
            Tensor._wrap(generator().standard_normal(o.shape).astype(o._data.dtype)) for o in outs
        ]
    vs = []
    for g in _as_tuple(grad_outputs):
        v = Tensor._wrap(np.array(getattr(g, "_data", g), dtype=np.float64))
        v._rg = True
        vs.append(v)
    wrt = [i for i, a in enumerate(inputs) if isinstance(a, Tensor) and a._rg]
    n_in = len(inputs)

    def first_derivatives(*args: Any) -> tuple[Any, ...]:
        with enable_grad():
            ins, seeds = args[:n_in], args[n_in:]
            ys = [o for o in _as_tuple(func(*ins)) if isinstance(o, Tensor)]
            diff = [ins[i] for i in wrt]
            gs = grad_with_graph(ys, diff, list(seeds), True, True, True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first_derivatives, (*inputs, *vs), eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception,
    )  # fmt: skip
