"""What a tensor holds: its numpy array and its autograd fields, and what can be read off them.

:class:`minigrad.Tensor` adds the operations (each one line through ``apply``); this base class
has no operations, only the data, the flags (``requires_grad``, ``is_leaf``) and the array's
attributes (``shape``, ``dtype``, ``item()``, ...). The split is torch's too: its Python
``torch.Tensor`` subclasses ``torch._C.TensorBase``.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from minigrad.dtypes import BOOL, DEFAULT_FLOAT, INT64

if TYPE_CHECKING:
    from minigrad._tensor import Tensor
    from minigrad.graph import AccumulateGrad, Node

__all__ = ["TensorBase"]


def _numpy_refused() -> RuntimeError:
    return RuntimeError(
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )


class TensorBase:
    """A tensor's data and autograd fields (see :class:`minigrad.Tensor`)."""

    # _base and _views are set only on views and on tensors that have views (minigrad.views):
    # other tensors leave them unset, and readers use getattr(t, "_base", None).
    __slots__ = (
        "__weakref__", "_acc", "_base", "_data", "_output_nr", "_rg", "_views", "grad", "grad_fn",
    )  # fmt: skip
    __array_priority__ = 1000
    __array_ufunc__ = None  # numpy defers `ndarray * Tensor` to Tensor.__rmul__

    _data: np.ndarray
    _rg: bool
    grad: Tensor | None  # a Tensor (the subclass), made by Tensor._accumulate_grad
    grad_fn: Node | None
    _acc: weakref.ref[AccumulateGrad] | None
    _output_nr: int
    _base: Tensor  # unset unless a view (read with getattr(t, "_base", None))
    _views: list[weakref.ref[Tensor]]  # unset unless the tensor has views

    def _adopt(self, data: np.ndarray, requires_grad: bool) -> None:
        """Set every field of a new tensor (for ``__init__`` of Tensor and Parameter)."""
        self._data, self._rg, self.grad, self.grad_fn = data, False, None, None
        self._acc, self._output_nr = None, 0
        if requires_grad:
            self.requires_grad = True

    # --- autograd attributes ---------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded (so that it gets a gradient)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        value = bool(value)
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients, but this tensor "
                f"has dtype {self._data.dtype}: a gradient needs real numbers. Create it as "
                f"float (minigrad.tensor([1.0, 2.0]), dtype=minigrad.float32, or x.float())."
            )
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self._rg = value

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op (their ``grad_fn`` is None)."""
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward (leaves always keep it)."""
        if not self._rg:
            raise RuntimeError(
                "can't retain_grad on Tensor that has requires_grad=False: it gets no gradient."
            )
        if self.grad_fn is not None:
            self.grad_fn.register_retain(self)  # type: ignore[arg-type]  # a Tensor, in fact

    @property
    def retains_grad(self) -> bool:
        """True if :meth:`retain_grad` was called on this non-leaf tensor."""
        hooks = self.grad_fn._hooks if self.grad_fn is not None else None
        return bool(hooks and any(r() is self for r in hooks))

    # --- array attributes ------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes of the dimensions (a tuple, like ``torch.Size``)."""
        return self._data.shape

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        return self._data.shape if dim is None else self._data.shape[dim]

    @property
    def dtype(self) -> np.dtype:
        """The element type (compare with ``minigrad.float32`` etc.)."""
        return self._data.dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    def dim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    def numel(self) -> int:
        """Number of elements."""
        return self._data.size

    @property
    def device(self) -> str:
        """Always ``"cpu"``."""
        return "cpu"

    def is_floating_point(self) -> bool:
        """True for float dtypes."""
        return self._data.dtype.kind == "f"

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def numpy(self, force: bool = False) -> np.ndarray:
        """The underlying ndarray (shared memory). Like torch, refused if requires_grad."""
        if self._rg and not force:
            raise _numpy_refused()
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self._rg:
            raise _numpy_refused()
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar: "
                f"item() needs exactly one element (index or reduce it first)."
            )
        return self._data.item()

    def tolist(self) -> Any:
        """Nested Python lists (a number for a 0-d tensor)."""
        return self._data.tolist()

    def __float__(self) -> float:
        self._check_one("float")
        return float(self.item())

    def __int__(self) -> int:
        self._check_one("int")
        return int(self.item())

    def _check_one(self, what: str) -> None:
        if self._data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars: {what}() of a "
                f"tensor with {self._data.size} elements; index or reduce it first."
            )

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu":
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (it has "
                f"{self._data.size}); use .any() or .all()."
            )
        return bool(self._data.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        d = self._data
        body = np.array2string(d, separator=", ", precision=4, prefix="tensor(")
        extras = []
        if d.dtype not in (DEFAULT_FLOAT, INT64, BOOL):
            extras.append(f"dtype=minigrad.{d.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._rg:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def cpu(self) -> Self:
        """This tensor (minigrad only has the CPU)."""
        return self
