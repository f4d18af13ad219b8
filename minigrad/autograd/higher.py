"""``create_graph=True``: the backward pass run as minigrad ops, so that it records a graph.

The loop is :func:`minigrad.graph.run_backward`'s (count the edges into each node, run a node
once all its gradients have arrived), with Tensors instead of arrays in it. Each node runs the
*same* backward rule as on the fast path, handed :class:`~minigrad.autograd.tracer.Tracer`\\ s
instead of arrays: the gradient it receives, and what it saved, each put back where it came
from in the graph (an input's array as that input, the output's as the output). So the
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
    _check_saved_unchanged,
    _last_write,
    _on_paths,
    _root_grads,
    _tensor_list,
    edge,
    freed_error,
)
from minigrad.kernels import unbroadcast
from minigrad.op import Ctx, Op

__all__ = ["OnceDifferentiableBackward", "backward", "grad", "run_backward_graph"]


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
    return tuple(_as_tensor(g) for g in outs)


# --- the loop --------------------------------------------------------------------------------


def _deliver(buffers: dict[Node, Any], node: Node, nr: int, g: Tensor) -> None:
    """Add ``g`` into the input buffer of ``node`` (a recorded add)."""
    if node._n_out == 1:
        old = buffers.get(node)
        buffers[node] = g if old is None else old + g
    else:
        slots = buffers.get(node)
        if slots is None:
            slots = buffers[node] = [None] * node._n_out
        slots[nr] = g if slots[nr] is None else slots[nr] + g


def _accumulate(t: Tensor, g: Tensor) -> None:
    """``t.grad`` gets ``g`` (with its graph), or ``t.grad + g`` if it had a gradient."""
    if g._data.dtype != t._data.dtype:
        g = g.to(t._data.dtype)
    if not g._rg:
        g = Tensor._wrap(np.array(g._data, copy=True))
    t.grad = g if t.grad is None else t.grad + g


def _count_edges(roots: Sequence[Edge]) -> dict[Node, int]:
    """How many edges point at each node reachable from ``roots``."""
    deps: dict[Node, int] = {}
    stack = [node for node, _ in roots if node is not None]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return deps


def _arrived(
    node: Node, grad_in: Any, capture: dict[Edge, list[int]] | None, captured: list[Any]
) -> None:
    """What happens to a node's gradient before it runs: captured for ``grad``, stored for the
    tensors that called ``retain_grad``."""
    one = node._n_out == 1
    if capture is not None:
        for nr in range(node._n_out):
            for slot in capture.get((node, nr), ()):
                captured[slot] = grad_in if one else (grad_in[nr] if grad_in else None)
    if node._hooks is not None and grad_in is not None:
        for ref in node._hooks:
            t = ref()
            if t is not None and t.grad_fn is node:
                g = grad_in if one else grad_in[t._output_nr]
                if g is not None:
                    _accumulate(t, g)


def _run(node: Node, grad_in: Any, capturing: bool, retain_graph: bool) -> tuple[Any, ...]:
    """Run one node: its gradients for its inputs (a leaf's node accumulates into ``.grad``)."""
    if grad_in is None or (capturing and type(node) is AccumulateGrad):
        return (None,) * len(node.next_functions)
    if type(node) is AccumulateGrad:
        _accumulate(node.variable, grad_in)
        return ()
    if node._saved is None:
        raise freed_error(node)
    if node._saved and _last_write[0] > node._seq:
        _check_saved_unchanged(node)
    outs = _run_node(node, [grad_in] if node._n_out == 1 else grad_in)
    if not retain_graph and node._saved:
        node._saved = None  # type: ignore[misc]
    return outs


def run_backward_graph(
    roots: Sequence[Edge],
    grads: Sequence[Tensor],
    retain_graph: bool,
    capture: dict[Edge, list[int]] | None = None,
    n_captured: int = 0,
) -> list[Tensor | None]:
    """:func:`minigrad.graph.run_backward` with Tensors, each node's backward recorded."""
    deps = _count_edges(roots)
    buffers: dict[Node, Any] = {}
    for (root, nr), g in zip(roots, grads, strict=True):
        if root is not None:
            _deliver(buffers, root, nr, g)
    ready = [node for node in buffers if deps.get(node, 0) == 0]
    captured: list[Tensor | None] = [None] * n_captured
    with enable_grad(), np.errstate(all="ignore"):
        while ready:
            node = ready.pop()
            grad_in = buffers.pop(node, None)
            _arrived(node, grad_in, capture, captured)
            outs = _run(node, grad_in, capture is not None, retain_graph)
            for (nxt, nr), g in zip(node.next_functions, outs, strict=True):
                if nxt is None:
                    continue
                if g is not None:
                    _deliver(buffers, nxt, nr, g)
                left = deps[nxt] - 1
                if left:
                    deps[nxt] = left
                else:
                    ready.append(nxt)
    return captured


# --- where gradients start and end ---------------------------------------------------------


def _seeds(outputs: list[Tensor], grad_outputs: Any) -> tuple[list[Edge], list[Tensor]]:
    """The root edges and seed gradients, seeds that are Tensors kept as they are (so that a
    gradient of a gradient may depend on them, as in ``vjp``)."""
    if grad_outputs is not None and not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    roots, arrays = _root_grads(outputs, grad_outputs)
    given = grad_outputs or [None] * len(outputs)
    seeds = [
        Tensor._wrap(a) if not isinstance(g, Tensor) else g if g._data.dtype == a.dtype
        else g.to(a.dtype)
        for g, a in zip(given, arrays, strict=True)
    ]  # fmt: skip
    return roots, seeds


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    inputs: Any = None,
) -> None:
    """``backward(..., create_graph=True)``: the leaves' ``.grad`` get Tensors with a graph."""
    outputs = _tensor_list(tensors)
    retain = True if retain_graph is None else bool(retain_graph)
    if inputs is not None:
        ins = _tensor_list(inputs)
        gs = grad(outputs, ins, grad_tensors, retain, True, allow_unused=True)
        for t, g in zip(ins, gs, strict=True):
            if g is not None:
                _accumulate(t, g)
        return
    roots, seeds = _seeds(outputs, grad_tensors)
    run_backward_graph(roots, seeds, retain)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = True,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """``autograd.grad(..., create_graph=True)``: the gradients as Tensors with a graph."""
    ins = _tensor_list(inputs)
    retain = True if retain_graph is None else bool(retain_graph)
    capture: dict[Edge, list[int]] = {}
    for i, t in enumerate(ins):
        if not t._rg:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) does not require grad: call "
                f"requires_grad_() on it before the forward computation."
            )
        capture.setdefault(edge(t), []).append(i)
    roots, seeds = _seeds(_tensor_list(outputs), grad_outputs)
    needed = _on_paths([r for r, _ in roots], {n for n, _ in capture})
    kept = [(r, g) for r, g in zip(roots, seeds, strict=True) if r[0] in needed]
    got: list[Tensor | None] = [None] * len(ins)
    if kept:
        got = run_backward_graph([r for r, _ in kept], [g for _, g in kept], True, capture,
                                 len(ins))  # fmt: skip
    if not retain:
        for node in needed:
            if node._saved:
                node._saved = None  # type: ignore[misc]
    out: list[Tensor | None] = []
    for i, (g, t) in enumerate(zip(got, ins, strict=True)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) appears to not have been "
                f"used in the graph. Set allow_unused=True if this is the desired behavior."
            )
        out.append(None if g is None else g.to(t._data.dtype) if g._data.dtype != t._data.dtype
                   else g)  # fmt: skip
    return tuple(out)


CREATE_GRAPH["backward"] = backward
