"""numpy's floating-point warnings off, cheaply: torch computes inf and nan silently.

``np.errstate(all="ignore")`` costs about 1.3 us per use, as much as the rest of a small op.
What it does is set one context variable (numpy's error state) and reset it after; doing that
directly, or running a function in a context where the variable is already set, costs a
fraction of it. (numpy without that variable: the public ``np.errstate``, slower.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["quietly", "restore", "silence"]

try:
    import contextvars

    from numpy._core.umath import _extobj_contextvar, _make_extobj

    _IGNORE = _make_extobj(all="ignore")
    _QUIET = contextvars.copy_context()
    _QUIET.run(_extobj_contextvar.set, _IGNORE)
    # quietly(fn, *args): fn(*args) with the warnings off. Not re-entrant (a context can be
    # entered once at a time): for functions that call no minigrad op, such as kernels.
    quietly: Callable[..., Any] = _QUIET.run
    # silence() turns the warnings off until restore(what it returned); these nest.
    silence: Callable[[], Any] = functools.partial(_extobj_contextvar.set, _IGNORE)
    restore: Callable[[Any], None] = _extobj_contextvar.reset

except ImportError:  # pragma: no cover (a numpy without that variable)

    def quietly(fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` without numpy's floating-point warnings."""
        with np.errstate(all="ignore"):
            return fn(*args)

    def silence() -> Any:
        """Turn numpy's floating-point warnings off until ``restore(what this returns)``."""
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore(state: Any) -> None:
        """Undo :func:`silence`."""
        state.__exit__(None, None, None)
