"""Finite differences: the numerical derivative every autodiff result is checked against.

Notebook 01 uses :func:`derivative` to compare finite differences with symbolic and automatic
differentiation; ``minigrad.autograd.gradcheck`` grows from the same central difference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

Method = Literal["forward", "backward", "central"]


def derivative(
    f: Callable[[np.ndarray], np.ndarray],
    x: float | np.ndarray,
    h: float | np.ndarray = 1e-6,
    method: Method = "central",
) -> np.ndarray:
    """Estimate f'(x) by a finite difference with step ``h``.

    ``forward`` is (f(x+h) - f(x)) / h with error O(h); ``central`` is
    (f(x+h) - f(x-h)) / 2h with error O(h^2). Rounding error grows like eps/h, so a smaller
    ``h`` is not always better (notebook 01 plots this). ``x`` may be a number or an array;
    ``f`` is applied elementwise and computed in float64. ``h`` may be an array of steps too
    (broadcast against ``x``), e.g. to plot the error against the step size.
    """
    h = np.asarray(h, dtype=np.float64)
    if np.any(h <= 0):
        raise ValueError(f"the step h must be positive, got h={h.tolist()!r}")
    x = np.asarray(x, dtype=np.float64)
    if method == "forward":
        return (f(x + h) - f(x)) / h
    if method == "backward":
        return (f(x) - f(x - h)) / h
    if method == "central":
        return (f(x + h) - f(x - h)) / (2 * h)
    raise ValueError(f"unknown method {method!r}: use 'forward', 'backward' or 'central'")
