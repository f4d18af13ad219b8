"""Grad mode: the one switch every op reads to decide whether to record a graph.

``no_grad`` / ``enable_grad`` / ``set_grad_enabled`` work as context managers and decorators,
as in torch. Use ``no_grad`` for parameter updates (``p -= lr * p.grad``) and evaluation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["enable_grad", "grad_mode", "is_grad_enabled", "no_grad", "set_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    """Whether ops record a graph. A slots object is the cheapest thing to read on every op."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True if ops currently record a graph (``torch.is_grad_enabled``)."""
    return grad_mode.enabled


class _GradModeSwitch:
    """Base of :class:`no_grad` and :class:`enable_grad`: a context manager and a decorator."""

    _mode: bool = True

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        # `@no_grad` without parentheses, as torch allows: decorate right away.
        if orig_func is not None:
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(grad_mode.enabled)
        grad_mode.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._prev.pop()

    def __call__(self, fn: F) -> F:
        """Use as a decorator: the whole function runs in this mode."""
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = grad_mode.enabled
            grad_mode.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                grad_mode.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeSwitch):  # torch's name
    """Context manager / decorator: ops inside record no graph (``torch.no_grad``)."""

    _mode = False


class enable_grad(_GradModeSwitch):  # torch's name
    """Context manager / decorator: record a graph even inside :class:`no_grad`."""

    _mode = True


class set_grad_enabled(_GradModeSwitch):  # torch's name
    """Switch recording on or off: as a plain call, a context manager or a decorator."""

    def __new__(cls, mode: bool) -> set_grad_enabled:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._prev.append(grad_mode.enabled)
        grad_mode.enabled = self._mode  # like torch: the call itself already switches

    def __enter__(self) -> None:
        pass

    def __call__(self, fn: F) -> F:
        """Use as a decorator (the mode applies while ``fn`` runs, not from the call on)."""
        grad_mode.enabled = self._prev.pop()  # undo the switch done by __init__
        return super().__call__(fn)
