"""Reverse-mode automatic differentiation for :class:`minigrad.Tensor`, like ``torch.autograd``.

The pieces, in the order a gradient meets them:

* **Graph nodes.** Every op that involves a tensor requiring grad records a :class:`Node` (its
  ``grad_fn``): which nodes produced its inputs (``next_functions``, torch's ``(node, 0)``
  pairs) and what it saved for its backward. A leaf that requires grad is reached through an
  :class:`AccumulateGrad` node whose ``variable`` is the leaf; it adds into ``leaf.grad``.
* **Functions.** :class:`Function` is how ops are written: ``forward(ctx, *args)`` and
  ``backward(ctx, *grad_outputs)``. ``Function.apply`` runs the forward without recording and
  creates the node; the node *is* the ``ctx`` (as in torch). The built-in ops of
  :mod:`minigrad.tensor` are node classes too (``MulBackward0``, ``MmBackward0``, ...), so a
  student's Function and a built-in op run through the same engine.
* **The engine.** :func:`run_backward` counts, for every node reachable from the roots, how
  many edges point at it; a node runs once all of them have delivered (Kahn's algorithm, no
  recursion). Without ``retain_graph`` each node drops what it saved right after it ran; a
  second backward through it raises an error that says to pass ``retain_graph=True``.
* **Grad mode.** :class:`no_grad` / :class:`enable_grad` switch recording off and on, as
  context managers or decorators.
* **Checking.** :func:`gradcheck` compares a whole analytical Jacobian with central
  differences in float64.

Inside the engine gradients are plain numpy arrays (nodes never build graphs of their own:
minigrad does first derivatives only). A gradient array that reaches a leaf's ``.grad`` is
copied unless it is certainly owned by nobody else; every node therefore returns arrays it
created, or views (which get copied), and sends any array it did not create to one edge only.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

__all__ = [
    "AccumulateGrad",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Node",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]

_Tensor: Any = None  # minigrad.tensor.Tensor, bound by minigrad.tensor when it is imported


def _bind_tensor(cls: type) -> None:
    """Called once by :mod:`minigrad.tensor` (the two modules need each other)."""
    global _Tensor
    _Tensor = cls


# ------------------------------------------------------------------------------------------
# Grad mode
# ------------------------------------------------------------------------------------------


class _GradMode:
    """The one switch every op reads: record a graph or not. A slots object is the cheapest
    thing to read on every op."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True if ops currently record a graph (``torch.is_grad_enabled``)."""
    return grad_mode.enabled


class _GradModeSwitch:
    """Base of :class:`no_grad`, :class:`enable_grad` and :class:`set_grad_enabled`."""

    _mode: bool = True

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        # `@no_grad` without parentheses, as torch allows: decorate right away.
        if orig_func is not None:
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func: Callable | None = None) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(grad_mode.enabled)
        grad_mode.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._prev.pop()

    def __call__(self, fn: Callable) -> Callable:
        """Use as a decorator: the whole function runs in this mode."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeSwitch):  # noqa: N801 (torch's name)
    """Context manager / decorator: ops inside record no graph (``torch.no_grad``).

    Use it for parameter updates (``p -= lr * p.grad``) and evaluation.
    """

    _mode = False


class enable_grad(_GradModeSwitch):  # noqa: N801 (torch's name)
    """Context manager / decorator: record a graph even inside :class:`no_grad`."""

    _mode = True


class set_grad_enabled(_GradModeSwitch):  # noqa: N801 (torch's name)
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

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._prev.pop()

    def __call__(self, fn: Callable) -> Callable:
        """Use as a decorator (the mode applies while ``fn`` runs)."""
        grad_mode.enabled = self._prev.pop()  # undo the switch done by __init__
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = grad_mode.enabled
            grad_mode.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                grad_mode.enabled = prev

        return wrapper


# ------------------------------------------------------------------------------------------
# Graph nodes
# ------------------------------------------------------------------------------------------


def _freed_error(node: Node) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time (or to read saved tensors after "
        f"they were freed): {node.name()} already ran its backward and freed what it saved. "
        f"Pass retain_graph=True to the first backward() (or autograd.grad()) call if you need "
        f"to backward through the graph again."
    )


# torch gives every tensor a version counter, bumped by in-place ops, and refuses to backward
# through a node whose saved tensors changed since it saved them. minigrad keeps the same
# promise with one clock: a node that saves arrays records when (``_seq``), and an in-place
# write logs when it wrote which storage (the root of the array's ``base`` chain, so views
# count). A reused id cannot raise falsely: the array it named died before the node was made.
clock = itertools.count(1).__next__
_WRITTEN: dict[int, int] = {}


def _storage(arr: np.ndarray) -> int:
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return id(arr)


def note_inplace_write(arr: np.ndarray) -> None:
    """Record that ``arr``'s memory was just written in place (called by the in-place ops)."""
    _WRITTEN[_storage(arr)] = clock()


def _check_saved_unchanged(node: Node) -> None:
    seq = getattr(node, "_seq", None)
    if seq is None:
        return
    for item in node._saved:
        arr = item._data if isinstance(item, _Tensor) else item
        if isinstance(arr, np.ndarray) and _WRITTEN.get(_storage(arr), 0) > seq:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {node.name()} saved an array of shape {arr.shape} "
                f"({arr.dtype}) that was changed in place after it was saved, so its gradient "
                f"would be wrong. Do the in-place update after backward(), or make it out of "
                f"place (x = x + 1 instead of x += 1) before backward()."
            )


class Node:
    """A node of the backward graph: one recorded op (torch's ``grad_fn`` objects).

    ``next_functions`` holds one ``(node, 0)`` pair per input (``(None, 0)`` for an input that
    needs no gradient), ``_saved`` what the backward reads (``None`` once freed), ``_seq`` when
    it saved it (nodes that save arrays). Subclasses implement ``apply(grad)``, which returns one
    gradient array (or None) per input.
    """

    __slots__ = ("next_functions", "_saved", "_hooks", "_seq", "__weakref__")
    _n_out = 1  # how many outputs (gradients arriving); only custom Functions have more

    def name(self) -> str:
        """The node's name, as torch prints it (``"MulBackward0"``)."""
        return type(self).__name__

    def apply(self, grad: Any) -> tuple:
        """Gradients for the inputs, given the gradient of the output."""
        raise NotImplementedError

    def register_retain(self, tensor: Tensor) -> None:
        """Make the engine store the gradient of ``tensor`` (an output of this node) in its
        ``.grad``. Held by weak reference: the tensor already holds this node."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(weakref.ref(tensor))

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node for a leaf that requires grad: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions = ()
        self._saved = ()
        self._hooks = None

    def apply(self, grad: np.ndarray) -> tuple:
        """Accumulate: ``.grad`` is set on the first backward and summed into afterwards."""
        var = self.variable
        old = var.grad
        if type(grad) is not np.ndarray:
            grad = np.array(grad)
        if old is None:
            # A view or a read-only array may share memory with other gradients: copy it.
            if grad.base is not None or not grad.flags.writeable:
                grad = grad.copy()
            var.grad = _Tensor._wrap(grad)
        else:
            old_data = old._data
            if old_data.flags.writeable and old_data.shape == grad.shape:
                np.add(old_data, grad, out=old_data)
            else:
                old._data = old_data + grad
        return ()


def _edge(t: Tensor) -> Node:
    """The node that receives the gradient of ``t`` (``t`` requires grad): its ``grad_fn``, or
    for a leaf its AccumulateGrad node, created once and then shared while it lives (the leaf
    holds it weakly, the node holds the leaf: no cycle)."""
    fn = t.grad_fn
    if fn is not None:
        return fn
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc


# ------------------------------------------------------------------------------------------
# The engine
# ------------------------------------------------------------------------------------------


def run_backward(
    roots: Sequence[tuple[Node, int]],
    grads: Sequence[np.ndarray],
    retain_graph: bool = False,
    capture: dict[tuple[Node, int], int] | None = None,
) -> list[np.ndarray | None] | None:
    """Backpropagate ``grads`` from the nodes ``roots`` (``(node, output_nr)`` pairs).

    Dependency counts give the order: a node runs when every edge into it has delivered, and
    the gradients that reach it are summed first. With ``capture`` (used by :func:`grad`) the
    gradients arriving at the given ``(node, output_nr)`` pairs are returned instead of being
    accumulated into any ``.grad``.
    """
    # 1. Count the edges into every reachable node (iterative DFS: no recursion limit).
    deps: dict[Node, int] = {}
    stack = [node for node, _ in roots]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)

    # 2. Seed the input buffers with the root gradients.
    buffers: dict[Node, Any] = {}
    for (node, nr), g in zip(roots, grads, strict=True):
        _deliver(buffers, node, nr, g)
    ready = [node for node in buffers if deps.get(node, 0) == 0]
    captured: list[np.ndarray | None] | None = None
    if capture is not None:
        captured = [None] * len(capture)

    # 3. Run nodes as they become ready. Backward functors compute inf/nan silently, as torch.
    with np.errstate(all="ignore"):
        while ready:
            node = ready.pop()
            grad = buffers.pop(node, None)
            if capture is not None:
                _capture(node, grad, capture, captured)
            if node._hooks is not None and grad is not None:
                _retain(node, grad)
            if grad is None or (capture is not None and type(node) is AccumulateGrad):
                outs: tuple = (None,) * len(node.next_functions)
            else:
                if node._saved is None:
                    raise _freed_error(node)
                if _WRITTEN and node._saved:
                    _check_saved_unchanged(node)
                outs = node.apply(grad)
                if not retain_graph and node._saved:
                    node._saved = None
            for (nxt, nr), g in zip(node.next_functions, outs, strict=True):
                if nxt is None:
                    continue
                if g is not None:
                    if nxt._n_out != 1:
                        _deliver(buffers, nxt, nr, g)
                    elif nxt in buffers:
                        buffers[nxt] = buffers[nxt] + g  # out of place: g may be shared
                    else:
                        buffers[nxt] = g
                left = deps[nxt] - 1
                if left:
                    deps[nxt] = left
                else:
                    ready.append(nxt)
    return captured


def _capture(node: Node, grad: Any, capture: dict, captured: list) -> None:
    """Record the gradients arriving at the nodes :func:`grad` asked for."""
    for nr in range(node._n_out):
        slot = capture.get((node, nr))
        if slot is not None:
            captured[slot] = grad if node._n_out == 1 else (grad[nr] if grad else None)


def _deliver(buffers: dict, node: Node, nr: int, g: np.ndarray) -> None:
    """Add ``g`` into the input buffer of ``node`` (out of place: ``g`` may be shared)."""
    if node._n_out == 1:
        old = buffers.get(node)
        buffers[node] = g if old is None else old + g
    else:
        slots = buffers.get(node)
        if slots is None:
            slots = buffers[node] = [None] * node._n_out
        slots[nr] = g if slots[nr] is None else slots[nr] + g


def _retain(node: Node, grad: Any) -> None:
    """Store the gradient of the tensors that called ``retain_grad()`` on this node's output."""
    for ref in node._hooks:
        t = ref()
        if t is None or t.grad_fn is not node:
            continue
        g = grad if node._n_out == 1 else grad[t._output_nr]
        if g is None:
            continue
        if t.grad is None:
            t.grad = _Tensor._wrap(np.array(g, copy=True))
        else:
            t.grad._data = t.grad._data + g


def _root_grads(
    outputs: Sequence[Tensor], grad_outputs: Sequence[Any] | None
) -> tuple[list[tuple[Node, int]], list[np.ndarray]]:
    """Validate the tensors backward starts from and build their seed gradients."""
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"got {len(outputs)} outputs but {len(grad_outputs)} grad_outputs: pass one "
            f"gradient per output (None for a scalar output)"
        )
    roots, grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs, strict=True)):
        if not out._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn: "
                f"nothing that produced it requires grad. Create the inputs with "
                f"requires_grad=True (or call x.requires_grad_()) before computing it, and do "
                f"not compute it under no_grad()."
            )
        data = out._data
        if g is None:
            if data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs, but this output "
                    f"has shape {tuple(data.shape)}. Reduce it first (y.sum().backward()) or "
                    f"pass the gradient of the final result with respect to it: "
                    f"y.backward(gradient=minigrad.ones_like(y))."
                )
            g_arr = np.ones(data.shape, dtype=data.dtype)
        else:
            g_arr = np.array(g._data if isinstance(g, _Tensor) else g, dtype=data.dtype)
            if g_arr.shape != data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g_arr.shape)} "
                    f"and output[{i}] has a shape of {tuple(data.shape)}: the gradient must "
                    f"have the shape of the tensor it is the gradient of."
                )
        roots.append((_edge(out), out._output_nr))
        grads.append(g_arr)
    return roots, grads


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``.

    ``torch.autograd.backward``; ``t.backward()`` calls it.
    """
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported: minigrad's backward "
            "formulas work on numpy arrays and record no graph. Use torch for double backward."
        )
    if isinstance(tensors, _Tensor):
        tensors = [tensors]
        if grad_tensors is not None:
            grad_tensors = [grad_tensors]
    roots, grads = _root_grads(list(tensors), grad_tensors)
    run_backward(roots, grads, bool(retain_graph))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated
    into ``.grad`` (``torch.autograd.grad``)."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported by minigrad."
        )
    if isinstance(outputs, _Tensor):
        outputs = [outputs]
        if grad_outputs is not None and not isinstance(grad_outputs, (list, tuple)):
            grad_outputs = [grad_outputs]
    single = isinstance(inputs, _Tensor)
    inputs = [inputs] if single else list(inputs)
    for i, t in enumerate(inputs):
        if not t._rg:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) does not require grad: call "
                f"requires_grad_() on it before the forward computation."
            )
    roots, grads = _root_grads(list(outputs), grad_outputs)
    capture = {(_edge(t), t._output_nr): i for i, t in enumerate(inputs)}
    got = run_backward(roots, grads, bool(retain_graph), capture)
    result: list[Tensor | None] = []
    for i, g in enumerate(got):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}) appears to not have been "
                    f"used in the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        else:
            result.append(_Tensor._wrap(np.array(g, copy=True)))
    return tuple(result)


# ------------------------------------------------------------------------------------------
# Custom Functions
# ------------------------------------------------------------------------------------------


class FunctionCtx:
    """What ``forward`` and ``backward`` of a :class:`Function` receive as ``ctx``.

    Store tensors with :meth:`save_for_backward` (they are freed after backward), anything else
    as plain attributes (``ctx.scale = 2``).
    """

    to_save: tuple = ()
    needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for ``backward``; read them back with ``ctx.saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, _Tensor):
                raise TypeError(
                    f"save_for_backward can only save tensors (or None), got "
                    f"{type(t).__name__}: store other values as attributes, ctx.name = value"
                )
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to :meth:`save_for_backward`, in order."""
        saved = self._saved
        if saved is None:
            raise _freed_error(self)
        return saved

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that have no gradient (e.g. indices); they get requires_grad=False."""
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs modified in place by ``forward`` (accepted for torch compatibility)."""
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """If False, ``backward`` receives None (not zeros) for outputs that got no gradient."""
        self._materialize = bool(value)


class BackwardCFunction(FunctionCtx, Node):
    """The graph node of one call of a custom :class:`Function`; it is also that call's ``ctx``."""

    _forward_cls: type[Function]
    _materialize = True
    _non_differentiable: tuple = ()

    def __init__(self) -> None:
        self.next_functions = ()
        self._saved = ()
        self._hooks = None

    def apply(self, grad: Any) -> tuple:
        """Call the user's ``backward`` with tensors, then check what it returned."""
        n_out = self._n_out
        grads = [grad] if n_out == 1 else list(grad)
        wrapped = []
        for g, (shape, dtype) in zip(grads, self._output_meta, strict=True):
            if g is None:
                wrapped.append(
                    _Tensor._wrap(np.zeros(shape, dtype=dtype)) if self._materialize else None
                )
            else:
                wrapped.append(_Tensor._wrap(g))
        with no_grad():
            result = self._forward_cls.backward(self, *wrapped)
        if not isinstance(result, tuple):
            result = (result,)
        name = self.name()
        n_in = len(self.next_functions)
        if len(result) != n_in:
            if len(result) > n_in and all(r is None for r in result[n_in:]):
                result = result[:n_in]
            else:
                raise RuntimeError(
                    f"function {name} returned an incorrect number of gradients (expected "
                    f"{n_in}, got {len(result)}): backward must return one gradient per "
                    f"argument of forward (after ctx), None for arguments that need none."
                )
        outs: list[np.ndarray | None] = []
        for i, (r, (nxt, _), meta) in enumerate(
            zip(result, self.next_functions, self._input_meta, strict=True)
        ):
            if nxt is None or r is None:
                outs.append(None)
                continue
            shape, dtype = meta
            arr = np.asarray(r._data if isinstance(r, _Tensor) else r)
            if arr.shape != shape:
                if not _expandable(shape, arr.shape):
                    raise RuntimeError(
                        f"Function {name} returned an invalid gradient at index {i} - got "
                        f"{list(arr.shape)} but expected shape compatible with {list(shape)}: "
                        f"the gradient for an input must have that input's shape (sum over "
                        f"broadcast dimensions, transpose if needed)."
                    )
                arr = _kernels().unbroadcast(arr, shape)
            # The user may return the same tensor twice, or grad_output itself: own a copy.
            outs.append(np.array(arr, dtype=dtype, copy=True))
        return tuple(outs)


def _expandable(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Can ``shape`` be broadcast to ``target``?"""
    if len(shape) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(reversed(shape), reversed(target), strict=False))


def _kernels() -> Any:
    from minigrad import kernels

    return kernels


class Function:
    """Base class of differentiable operations, as ``torch.autograd.Function``.

    Subclass it with two static methods::

        class Exp2Function(Function):
            @staticmethod
            def forward(ctx, x):
                y = 2**x
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, grad_output):
                (y,) = ctx.saved_tensors
                return grad_output * math.log(2) * y

    and call it with ``Exp2Function.apply(x)``. ``forward`` runs with recording off;
    ``backward`` returns one gradient per ``forward`` argument (None where not needed:
    check ``ctx.needs_input_grad``).
    """

    _backward_cls: type[BackwardCFunction]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Each Function gets its own node class, named like torch's ("LinearFunctionBackward").
        cls._backward_cls = type(
            f"{cls.__name__}Backward", (BackwardCFunction,), {"_forward_cls": cls}
        )

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs from the inputs (recording is off here)."""
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Tensor) -> Any:
        """Gradients with respect to each ``forward`` argument, given those of the outputs."""
        raise NotImplementedError(
            "a Function subclass must define backward(ctx, *grad_outputs) to be differentiated"
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, if any input requires grad, record a node for ``backward``."""
        ctx = cls._backward_cls()
        Tensor = _Tensor
        enabled = grad_mode.enabled
        needs = tuple(enabled and isinstance(a, Tensor) and a._rg for a in args)
        ctx.needs_input_grad = needs
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(out, tuple)
        outs = list(out) if is_tuple else [out]
        record = any(needs)
        non_diff = {id(t) for t in ctx._non_differentiable}
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                continue
            if any(o is a for a in args) or o.grad_fn is not None or o._rg:
                # forward returned an input (or a tensor already in a graph): give it its own
                # identity, sharing the data, so the graph stays a DAG.
                alias = Tensor._wrap(o._data)
                if id(o) in non_diff:
                    non_diff.add(id(alias))
                o = outs[i] = alias
            if record and id(o) not in non_diff and o._data.dtype.kind in "fc":
                o._rg = True
                o.grad_fn = ctx
                o._output_nr = i
        if record:
            ctx.next_functions = tuple(
                (_edge(a), 0) if n else (None, 0) for a, n in zip(args, needs, strict=True)
            )
            ctx._input_meta = tuple(
                (a.shape, a._data.dtype) if isinstance(a, Tensor) else None for a in args
            )
            ctx._output_meta = tuple(
                (o.shape, o._data.dtype) if isinstance(o, Tensor) else ((), np.float32)
                for o in outs
            )
            ctx._n_out = len(outs)
        # Saved outputs are kept as detached aliases: an output holding its own node through
        # the node's saved tensors would be a reference cycle.
        outputs_by_id = {id(o): o for o in outs if isinstance(o, Tensor)}
        ctx._saved = tuple(
            Tensor._wrap(t._data) if t is not None and id(t) in outputs_by_id else t
            for t in ctx.to_save
        )
        ctx._seq = clock()
        ctx.to_save = ()
        return tuple(outs) if is_tuple else outs[0]


# ------------------------------------------------------------------------------------------
# gradcheck
# ------------------------------------------------------------------------------------------


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when an analytical gradient disagrees with the numerical one."""


def _as_tuple(x: Any) -> tuple:
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
    Tensor = _Tensor
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
        analytical = np.zeros((x.size, n_out))
        col = 0
        for o in outs:
            for e in range(o._data.size):
                if o._rg:
                    seed = np.zeros(o._data.size)
                    seed[e] = 1.0
                    gs = grad(
                        [o],
                        [args[i]],
                        [seed.reshape(o._data.shape)],
                        retain_graph=True,
                        allow_unused=True,
                    )
                    if gs[0] is not None:
                        analytical[:, col] = gs[0]._data.reshape(-1)
                col += 1
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


def _locate(outs: list, col: int) -> tuple[int, tuple[int, ...]]:
    """Which output, and which element of it, is column ``col`` of the Jacobian."""
    for k, o in enumerate(outs):
        if col < o._data.size:
            return k, tuple(int(v) for v in np.unravel_index(col, o._data.shape))
        col -= o._data.size
    raise IndexError(col)
