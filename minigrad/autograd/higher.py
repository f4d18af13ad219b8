"""``create_graph=True``: the backward pass run as minigrad ops, so that it records a graph.

The loop is :func:`minigrad.graph.run_backward` itself (count the edges into each node, run a
node once all its gradients have arrived), with Tensors instead of arrays in it: this module
gives it what runs one node (``CREATE_GRAPH``). Each node runs the *same* backward rule as on
the fast path, handed :class:`~minigrad.autograd.tracer.Tracer`\\ s instead of arrays: the
gradient it receives, and what it saved, each put back where it came from in the graph (an
input's array as that input, the output's as the output). So the
gradients that come out are Tensors whose ``grad_fn`` is the backward pass itself, and they
can be differentiated again (``grad`` of ``grad``, Hessian-vector products, ...).

Where an op saved an array, it says which array it was (``Op.saved_as``: ``"in0"``, ``"out0"``,
None for a constant such as an index); an op that does not say cannot be differentiated twice
and raises, rather than treating its input as a constant.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._tensor import Tensor, apply
from minigrad.autograd.function import FunctionCtx
from minigrad.autograd.tracer import Tracer
from minigrad.grad_mode import enable_grad, no_grad
from minigrad.graph import (
    CREATE_GRAPH,
    AccumulateGrad,
    Edge,
    Node,
    _tensor_list,
    freed_error,
    grad_any,
)
from minigrad.graph import backward as graph_backward
from minigrad.kernels import unbroadcast
from minigrad.op import Ctx, Op

__all__ = ["OnceDifferentiableBackward", "backward", "grad"]


# --- a node's saved arrays, put back into the graph ----------------------------------------


def _input_tensor(arr: Any, e: Edge) -> Tensor:
    """Input ``arr`` of a node reached along edge ``e``: a Tensor with that input's history."""
    node, nr = e
    if node is None:
        return Tensor._wrap(arr)  # the input needed no gradient: a constant
    if type(node) is AccumulateGrad:
        leaf = node.variable
        if leaf._data is arr:
            return leaf
        t = Tensor._wrap(arr, True)  # (a copy of the leaf in another dtype): the same node
        t._acc = weakref.ref(node)
        return t
    t = Tensor._wrap(arr, True, node)
    t._output_nr = nr
    return t


def _saved_traced(node: Ctx) -> tuple[Any, ...]:
    """What ``node`` saved, each array as a Tracer in its place in the graph."""
    saved = node._saved
    if saved is None:
        raise freed_error(node)
    if not saved:
        return saved
    roles = node.op.saved_as
    if callable(roles):
        roles = roles(node)
    if roles is None:
        raise NotImplementedError(
            f"{node.name()}: the double backward of {node.op.__name__} is not supported: its "
            f"backward reads saved arrays, and the op does not declare which input or output "
            f"each one is (Op.saved_as), so their gradients cannot be followed."
        )
    out: list[Any] = []
    for arr, role in zip(saved, roles, strict=True):
        if isinstance(arr, np.generic):  # (numpy gives a scalar for a 0-d result)
            arr = np.asarray(arr)
        if arr is None or role is None or not isinstance(arr, np.ndarray):
            out.append(arr)
        elif role.startswith("in"):
            out.append(Tracer(_input_tensor(arr, node.next_functions[int(role[2:])])))
        else:
            t = Tensor._wrap(arr, arr.dtype.kind in "fc", node)
            t._output_nr = int(role[3:])
            out.append(Tracer(t))
    return tuple(out)


class _TracedCtx:
    """A node's ``ctx`` as its backward sees it under ``create_graph``: the saved arrays as
    Tracers, every other attribute the node's own."""

    __slots__ = ("_node", "saved_tensors")

    def __init__(self, node: Ctx) -> None:
        self._node = node
        self.saved_tensors = _saved_traced(node)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._node, name)


def _as_tensor(g: Any) -> Tensor | None:
    if g is None:
        return None
    if isinstance(g, Tracer):
        return g.t
    if isinstance(g, Tensor):
        return g
    return Tensor._wrap(np.asarray(g))


# --- a user's Function ---------------------------------------------------------------------


class OnceDifferentiableBackward(Op):
    """Stands for the gradients of a ``@once_differentiable`` backward in a recorded graph:
    differentiating through it raises, as in torch."""

    node_name = "DelayedError"
    saved_as = ()

    @staticmethod
    def forward(ctx: Ctx, g: np.ndarray) -> np.ndarray:
        """The gradient itself."""
        return g

    @staticmethod
    def backward(ctx: Ctx, dy: Any) -> Any:
        """torch's error."""
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with "
            "@once_differentiable: its backward is not differentiable. Remove the decorator and "
            "write the backward with differentiable minigrad ops to take second derivatives."
        )


def _function_saved(node: FunctionCtx) -> tuple[Any, ...] | None:
    """A Function's saved tensors, an output among them reconnected to this node."""
    saved = node._saved
    if not saved:
        return saved
    out_ids = getattr(node, "output_ids", ())
    fixed = []
    for t in saved:
        if isinstance(t, Tensor) and not t._rg and id(t._data) in out_ids:
            y = Tensor._wrap(t._data, True, node)
            y._output_nr = out_ids.index(id(t._data))
            t = y
        fixed.append(t)
    return tuple(fixed)


def _run_function(node: FunctionCtx, grads: Sequence[Tensor | None]) -> tuple[Any, ...]:
    """A user's Function under create_graph: its backward on Tensors, recording (unless it is
    ``@once_differentiable``: then its result is fenced off by a node that raises)."""
    wrapped = [
        g if g is not None
        else Tensor._wrap(np.zeros(shape, dtype)) if node._materialize else None
        for g, (shape, dtype) in zip(grads, node.output_meta, strict=True)
    ]  # fmt: skip
    backward_fn = node.op.backward
    once = getattr(backward_fn, "once_differentiable", False)
    saved = node._saved
    node._saved = _function_saved(node)
    try:
        if once:
            with no_grad():
                result = backward_fn(node, *wrapped)
        else:
            with enable_grad():
                result = backward_fn(node, *wrapped)
    finally:
        node._saved = saved
    result = result if isinstance(result, tuple) else (result,)
    n_in = len(node.next_functions)
    if len(result) > n_in and all(r is None for r in result[n_in:]):
        result = result[:n_in]
    if len(result) != n_in:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{n_in}, got {len(result)}): backward must return one gradient per argument "
            f"of forward (after ctx), None for arguments that need none."
        )
    # torch fences the result only if a gradient it received requires grad (else the second
    # backward fails with "does not require grad"); minigrad always does, for a clear error.
    fence = once
    outs: list[Tensor | None] = []
    for i, (r, (nxt, _)) in enumerate(zip(result, node.next_functions, strict=True)):
        if nxt is None or r is None:
            outs.append(None)
            continue
        shape, dtype = node.input_meta[i] or ((), np.dtype(np.float64))
        t = r if isinstance(r, Tensor) else Tensor._wrap(np.array(r, dtype=dtype))
        if t.shape != shape:
            try:
                t = _as_tensor(unbroadcast(Tracer(t), shape))  # type: ignore[arg-type,assignment]
            except ValueError:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"{list(t.shape)} but expected shape compatible with {list(shape)}."
                ) from None
        if t._data.dtype != dtype:
            t = t.to(dtype)
        if fence:
            with enable_grad():
                t = apply(OnceDifferentiableBackward, Tensor._wrap(t._data, True))
        outs.append(t)
    return tuple(outs)


def _run_node(node: Node, grads: Sequence[Tensor | None]) -> tuple[Any, ...]:
    """One node's backward under create_graph: the same rule, on Tracers."""
    if isinstance(node, FunctionCtx):
        return _run_function(node, grads)
    if not isinstance(node, Ctx):
        raise NotImplementedError(f"{node.name()} has no backward that records a graph")
    ctx = _TracedCtx(node)
    dys = [None if g is None else Tracer(g) for g in grads]
    outs = node.op.backward(ctx, *dys)
    if type(outs) is not tuple:
        outs = (outs,)
    result = tuple(_as_tensor(g) for g in outs)
    if node.op.grad_tracks_saved(node):
        links = [s.t for s in ctx.saved_tensors if isinstance(s, Tracer) and s.t._rg]
        result = tuple(_linked(g, links) for g in result)
    return result


class SavedTensorLink(Op):
    """``g``, made to depend on a saved tensor ``s`` with derivative 0: what torch's one-op
    backward (relu's ``threshold_backward(grad, result)``) records, so that the gradient
    requires grad and a further grad gives zeros for ``s``, not an error."""

    saved_as = ()

    @staticmethod
    def forward(ctx: Ctx, g: np.ndarray, s: np.ndarray) -> np.ndarray:
        """The gradient itself."""
        ctx.shape, ctx.dtype = s.shape, s.dtype
        return g

    @staticmethod
    def backward(ctx: Ctx, dy: Any) -> tuple[Any, Any]:
        """dy for the gradient, zeros for the saved tensor."""
        return dy, np.zeros(ctx.shape, ctx.dtype)


def _linked(g: Tensor | None, links: list[Tensor]) -> Tensor | None:
    if g is None or g._rg:
        return g
    for s in links:
        g = apply(SavedTensorLink, g, s)
    return g


# --- what the backward loop of minigrad.graph calls under create_graph -----------------------


def _run_recorded(node: Node, grad_in: Any) -> tuple[Any, ...]:
    """Run one node under create_graph (``graph.run_backward`` calls it, grad mode on): a
    leaf's node accumulates into ``.grad``; any other runs its rule on Tracers. ``grad_in``
    is None for a node that no gradient reached but that runs anyway (a Function)."""
    if type(node) is AccumulateGrad:
        _accumulate(node.variable, grad_in)
        return ()
    if grad_in is None:
        return _run_node(node, [None] * node._n_out)
    return _run_node(node, [grad_in] if node._n_out == 1 else grad_in)


def _accumulate(t: Tensor, g: Tensor) -> None:
    """``t.grad`` gets ``g`` (with its graph), or ``t.grad + g`` if it had a gradient."""
    if g._data.dtype != t._data.dtype:
        g = g.to(t._data.dtype)
    if not g._rg:
        g = Tensor._wrap(np.array(g._data, copy=True))
    t.grad = g if t.grad is None else t.grad + g


def _seeds(grad_outputs: Any, arrays: list[np.ndarray]) -> list[Tensor]:
    """The seed gradients as Tensors, those given as Tensors kept as they are (so that a
    gradient of a gradient may depend on them, as in ``vjp``); ``arrays`` are the checked
    seeds of ``graph._root_grads``."""
    given = grad_outputs or [None] * len(arrays)
    return [
        Tensor._wrap(a) if not isinstance(g, Tensor) else g if g._data.dtype == a.dtype
        else g.to(a.dtype)
        for g, a in zip(given, arrays, strict=True)
    ]  # fmt: skip


CREATE_GRAPH.update(run=_run_recorded, accumulate=_accumulate, seeds=_seeds)


# --- where gradients start and end ---------------------------------------------------------


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    inputs: Any = None,
) -> None:
    """``backward(..., create_graph=True)``: the leaves' ``.grad`` get Tensors with a graph."""
    graph_backward(tensors, grad_tensors, retain_graph, True, inputs)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = True,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """``autograd.grad(..., create_graph=True)``: the gradients as Tensors with a graph, each
    in its input's dtype."""
    got = grad_any(outputs, inputs, grad_outputs, retain_graph, True, allow_unused)
    return tuple(
        None if g is None else g.to(t._data.dtype) if g._data.dtype != t._data.dtype else g
        for g, t in zip(got, _tensor_list(inputs), strict=True)
    )
