"""The Op mechanism: an operation's forward, its backward and what it saves, in one class.

Every differentiable operation of minigrad is an :class:`Op` subclass with two static methods,
as a ``torch.autograd.Function`` has::

    class Mul(Op):
        @staticmethod
        def forward(ctx, a, b):          # numpy arrays in, an array out
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, dy):           # the output's gradient in, one per input out
            a, b = ctx.saved_tensors
            return dy * b, dy * a

``apply(Mul, x, y)`` (in :mod:`minigrad._tensor`, also ``minigrad.autograd.apply``) is the one
path every op takes: it makes the ``ctx``, runs ``forward`` on the inputs' arrays and, if an
input requires grad, records the ``ctx`` as the outputs' ``grad_fn``. The ``ctx`` *is* the graph
node (as in torch): an instance of the op's node class, named as torch names it
(``MulBackward0``), whose ``apply`` the backward loop calls. A user's ``autograd.Function`` is
an Op too, with an adapter that hands its forward and backward Tensors instead of arrays
(:mod:`minigrad.autograd.function`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from minigrad.graph import Node, clock, freed_error

__all__ = ["Ctx", "Op"]


class Ctx(Node):
    """One recorded call of an op: its node in the backward graph and the ``ctx`` that its
    ``forward`` and ``backward`` share.

    Arrays the backward needs go through :meth:`save_for_backward` (they are freed after the
    backward and checked for in-place changes); anything else is a plain attribute
    (``ctx.shape = x.shape``). ``needs_input_grad[i]`` says whether input ``i`` needs a gradient.
    """

    __slots__ = ("__dict__", "needs_input_grad")
    op: ClassVar[type[Op]]
    needs_input_grad: tuple[bool, ...]

    if TYPE_CHECKING:  # an op keeps what it likes on its ctx: ctx.shape, ctx.dims, ...

        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def save_for_backward(self, *saved: Any) -> None:
        """Keep arrays (tensors, for a Function) for ``backward``: read them with
        ``ctx.saved_tensors``."""
        self._saved = saved
        self._seq = clock()

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What :meth:`save_for_backward` kept, in order."""
        saved = self._saved
        if saved is None:
            raise freed_error(self)
        return saved

    def apply(self, *grads: Any) -> Any:
        """Run the op's backward for this call: one gradient per input (None where unneeded).

        The node class of a built-in op binds its ``backward`` here directly (one call less)."""
        return self.op.backward(self, *grads)


def _discard(ctx: Ctx, *saved: Any) -> None:
    """``save_for_backward`` of a call that records nothing: there will be no backward."""


class Op:
    """Base class of operations: ``forward(ctx, *arrays, **params)`` and
    ``backward(ctx, *grad_outputs)``, both static, both on numpy arrays.

    Tensors are the positional inputs (numbers may stand in for them: ``x * 2``); options such as
    ``dim`` are keyword parameters, passed to ``forward`` only. The node class is named
    ``node_name`` if the op sets it, else ``<OpName>Backward0``.
    """

    node: ClassVar[type[Ctx]] = Ctx
    idle: ClassVar[Ctx]
    node_name: ClassVar[str] = ""
    node_base: ClassVar[type[Ctx]] = Ctx
    on_arrays: ClassVar[bool] = True  # False for a Function: apply hands it Tensors instead
    # What each array given to save_for_backward is: "in0" (input 0), "out0" (output 0), None
    # (a constant, e.g. an index); or a function of the ctx that says so. create_graph=True
    # follows the gradient through the saved inputs and outputs (None: undeclared, refused).
    saved_as: ClassVar[Any] = None  # (a tuple, a staticmethod of the ctx, or None)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or cls.default_node_name()
        body: dict[str, Any] = {"__slots__": (), "op": cls}
        if cls.on_arrays:
            body["apply"] = cls.backward  # the backward loop calls node.apply(*grad_outputs)
        cls.node = type(name, (cls.node_base,), body)
        # The ctx of calls that record nothing (no grad needed): one per op, it keeps nothing.
        cls.idle = type(name, (cls.node,), {"__slots__": (), "save_for_backward": _discard})()
        cls.node.__module__ = cls.__module__

    @staticmethod
    def grad_tracks_saved(ctx: Any) -> bool:
        """Whether this call's gradient depends on what it saved even where the backward reads
        it only through a mask (as torch's one-op backward ``threshold_backward`` does): then,
        under create_graph, the gradient requires grad through the saved tensors."""
        return False

    @classmethod
    def default_node_name(cls) -> str:
        """torch's name for the node of a built-in op: ``Mul`` records ``MulBackward0``."""
        return f"{cls.__name__}Backward0"

    @staticmethod
    def forward(ctx: Any, *args: Any, **params: Any) -> Any:
        """Compute the output array(s) from the input arrays."""
        raise NotImplementedError("an Op subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Gradients with respect to each input, given those of the outputs."""
        raise NotImplementedError(
            "an Op subclass must define backward(ctx, *grad_outputs) to be differentiated"
        )
