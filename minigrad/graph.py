"""The backward graph and the loop that runs it (torch's autograd engine, in Python).

Every recorded op is a :class:`Node` (a tensor's ``grad_fn``): ``next_functions`` holds one
``(node, output_nr)`` edge per input, ``(None, 0)`` for an input that needs no gradient. A leaf
that requires grad is reached through its :class:`AccumulateGrad` node.

:func:`run_backward` counts, for every node reachable from the roots, how many edges point at
it; a node runs once all of them have delivered (Kahn's algorithm, no recursion). Without
``retain_graph`` each node drops what it saved right after it ran; a second backward through it
raises an error that says to pass ``retain_graph=True``.

Gradients in the loop are numpy arrays. A gradient may be shared by several edges, so buffers
add out of place; only the leaf's own ``.grad`` is added into in place (see
``Tensor._accumulate_grad``). Under ``create_graph=True`` the same loop carries Tensors, and
each node's backward runs as recorded minigrad ops (``CREATE_GRAPH["run"]``, which
:mod:`minigrad.autograd.higher` provides: it needs the Tensor, which this module may not import).
"""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.grad_mode import enable_grad
from minigrad.quiet import restore, silence

if TYPE_CHECKING:
    from minigrad._tensor import Tensor

__all__ = [
    "CREATE_GRAPH",
    "AccumulateGrad",
    "Edge",
    "Node",
    "backward",
    "edge",
    "grad",
    "grad_any",
    "note_inplace_write",
    "run_backward",
]

Edge = tuple["Node | None", int]  # (node that receives the gradient, which of its outputs)
NO_EDGE: Edge = (None, 0)


def freed_error(node: Node) -> RuntimeError:
    """The error for a backward through a node whose saved arrays were freed."""
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
_last_write = [0]  # when the latest in-place write happened: nodes saved after it need no check


def _storage(arr: np.ndarray) -> int:
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return id(arr)


def note_inplace_write(arr: np.ndarray) -> None:
    """Record that ``arr``'s memory was just written in place (called by the in-place ops)."""
    _WRITTEN[_storage(arr)] = _last_write[0] = clock()


def _check_saved_unchanged(node: Node) -> None:
    for item in node._saved or ():
        arr = item if isinstance(item, np.ndarray) else getattr(item, "_data", None)
        if isinstance(arr, np.ndarray) and _WRITTEN.get(_storage(arr), 0) > node._seq:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {node.name()} saved an array of shape {arr.shape} "
                f"({arr.dtype}) that was changed in place after it was saved, so its gradient "
                f"would be wrong. Do the in-place update after backward(), or make it out of "
                f"place (x = x + 1 instead of x += 1) before backward()."
            )


class Node:
    """A node of the backward graph: one recorded op (torch's ``grad_fn`` objects).

    ``_saved`` is what its backward reads (``None`` once freed), ``_seq`` when it was saved,
    ``_hooks`` the tensors that asked to ``retain_grad``. Subclasses implement ``apply(grad)``,
    which returns one gradient (or None) per edge in ``next_functions``.
    """

    __slots__ = ("__weakref__", "_seq", "next_functions")
    _n_out = 1  # how many outputs the op had (how many gradients arrive)

    next_functions: tuple[Edge, ...]
    _saved: tuple[Any, ...] | None = ()  # class defaults: a new node need not set them
    _seq: int
    _hooks: list[weakref.ref[Tensor]] | None = None
    runs_without_grad = False  # run apply() even when no gradient reached the node (torch runs
    # a Function's backward on zeros, and an op with no derivative raises, even then)
    checks_without_grad = True  # check what it saved even then (torch's CopySlices does not)

    def name(self) -> str:
        """The node's name, as torch prints it (``"MulBackward0"``)."""
        return type(self).__name__

    def apply(self, *grads: Any) -> Any:
        """Gradients for the inputs (a tuple, or one bare gradient), given those of the
        outputs."""
        raise NotImplementedError

    def register_retain(self, tensor: Tensor) -> None:
        """Make the loop store the gradient of ``tensor`` (an output of this node) in its
        ``.grad``. Held by weak reference: the tensor already holds this node."""
        if self._hooks is None:
            self._hooks = []  # type: ignore[misc]  # op nodes (Ctx) have a __dict__ for it
        self._hooks.append(weakref.ref(tensor))

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions = ()

    def apply(self, *grads: Any) -> tuple[()]:
        """Accumulate: ``.grad`` is set on the first backward and summed into afterwards."""
        (grad,) = grads
        self.variable._accumulate_grad(grad, may_keep=True)
        return ()


def run_backward(  # noqa: C901 (one loop on purpose: a call per node would cost)
    roots: Sequence[Edge],
    grads: Sequence[np.ndarray],
    retain_graph: bool = False,
    capture: dict[Edge, list[int]] | None = None,
    n_captured: int = 0,
    only: set[Node] | None = None,
    create_graph: bool = False,
) -> list[Any]:
    """Backpropagate ``grads`` from the edges ``roots`` (``(node, output_nr)`` pairs).

    Dependency counts give the order: a node runs when every edge into it has delivered, and
    the gradients that reach it are summed first. With ``capture`` (used by ``autograd.grad``)
    the gradients arriving at the given edges are returned (in the listed slots) instead of
    being accumulated into any ``.grad``; with ``only``, only those nodes run (the others may
    still be captured), as torch prunes ``autograd.grad``'s graph to what leads to its inputs.
    With ``create_graph`` the gradients are Tensors and ``CREATE_GRAPH["run"]`` runs each node
    (recorded: call it with grad mode on); the rest of the loop is the same.
    """
    run_recorded = CREATE_GRAPH["run"] if create_graph else None
    # 1. Count the edges into every reachable node (iterative DFS: no recursion limit).
    deps: dict[Node, int] = {}
    stack = [node for node, _ in roots if node is not None]
    seen = set(stack)
    if only is not None:
        stack = [node for node in stack if node in only]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    if only is None or nxt in only:
                        stack.append(nxt)

    # 2. Seed the input buffers with the root gradients.
    buffers: dict[Node, Any] = {}
    for (root, nr), g in zip(roots, grads, strict=True):
        if root is not None:
            _deliver(buffers, root, nr, g)
    ready = [node for node in buffers if deps.get(node, 0) == 0]
    captured: list[Any] = [None] * n_captured

    # 3. Run nodes as they become ready. Backward functors compute inf/nan silently, as torch.
    pruned = only is not None or capture is not None  # (autograd.grad; not .backward())
    quiet = silence()
    try:
        while ready:
            node = ready.pop()
            grad = buffers.pop(node, None)
            if pruned and _pruned(node, grad, only, capture, captured, create_graph):
                continue
            if node._hooks is not None and grad is not None:
                _retain(node, grad, create_graph)
            outs: tuple[Any, ...]
            if grad is None:
                outs = _without_grad(node, retain_graph, run_recorded)
            else:
                saved = node._saved
                if saved is None:
                    raise freed_error(node)
                if saved and _last_write[0] > node._seq:
                    _check_saved_unchanged(node)
                if run_recorded is None:  # (the fast path: one test of a local more per node)
                    outs = node.apply(grad) if node._n_out == 1 else node.apply(*grad)
                    if type(outs) is not tuple:  # a backward may return its one gradient bare
                        outs = (outs,)
                else:
                    outs = run_recorded(node, grad)
                if saved and not retain_graph:
                    node._saved = None  # type: ignore[misc]  # only op nodes (Ctx) save
            for (nxt, nr), g in zip(node.next_functions, outs, strict=True):
                if nxt is None:
                    continue
                if g is not None:  # _deliver, with its one-output case inline
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
    finally:
        restore(quiet)
    return captured


def _deliver(buffers: dict[Node, Any], node: Node, nr: int, g: Any) -> None:
    """Add ``g`` into the input buffer of ``node`` (out of place: ``g`` may be shared)."""
    if node._n_out == 1:
        old = buffers.get(node)
        buffers[node] = g if old is None else old + g
    else:
        slots = buffers.get(node)
        if slots is None:
            slots = buffers[node] = [None] * node._n_out
        slots[nr] = g if slots[nr] is None else slots[nr] + g


def _pruned(
    node: Node,
    grad: Any,
    only: set[Node] | None,
    capture: dict[Edge, list[int]] | None,
    captured: list[Any],
    create_graph: bool,
) -> bool:
    """``autograd.grad``'s part of the loop: capture the gradients it asked for, and say
    whether ``node`` is skipped: it is outside ``only`` (then it does not run, but if its
    gradient was asked for it is captured and its ``retain_grad`` tensors see it, as torch
    calls a captured node's tensor hooks too), or it is a leaf's AccumulateGrad (``grad()``
    returns gradients instead of accumulating them)."""
    if only is not None and node not in only:
        if capture is not None and any((node, nr) in capture for nr in range(node._n_out)):
            _capture(node, grad, capture, captured)
            if node._hooks is not None and grad is not None:
                _retain(node, grad, create_graph)
        return True
    if capture is not None:
        _capture(node, grad, capture, captured)
        return type(node) is AccumulateGrad
    return False


def _without_grad(node: Node, retain_graph: bool, run_recorded: Any) -> tuple[Any, ...]:
    """A node that no gradient reached (every edge into it carried None, e.g. below a Function
    whose backward returned None) still runs in torch: it checks what it saved (freed? changed
    in place?) and frees it; a Function's backward runs on zeros and an op without a derivative
    raises (``runs_without_grad``); any other op passes None on."""
    if node.checks_without_grad:
        if node._saved is None:
            raise freed_error(node)
        if node._saved and _last_write[0] > node._seq:
            _check_saved_unchanged(node)
    outs: Any = (None,) * len(node.next_functions)
    if node.runs_without_grad and run_recorded is not None:
        outs = run_recorded(node, None)
    elif node.runs_without_grad:
        outs = node.apply(*([None] * node._n_out))
        outs = outs if type(outs) is tuple else (outs,)
    if not retain_graph and node._saved:
        node._saved = None  # type: ignore[misc]  # only op nodes (Ctx) save
    return tuple(outs)


def _capture(node: Node, grad: Any, capture: dict[Edge, list[int]], captured: list[Any]) -> None:
    """Record the gradients arriving at the edges ``autograd.grad`` asked for."""
    for nr in range(node._n_out):
        slots = capture.get((node, nr))
        if slots is not None:
            g = grad if node._n_out == 1 else (grad[nr] if grad else None)
            for slot in slots:
                captured[slot] = g


def _retain(node: Node, grad: Any, create_graph: bool) -> None:
    """Store the gradient of the tensors that called ``retain_grad()`` on this node's outputs."""
    for ref in node._hooks or ():
        t = ref()
        if t is None or t.grad_fn is not node:
            continue
        g = grad if node._n_out == 1 else grad[t._output_nr]
        if g is not None:
            _accumulate(t, g, create_graph)


def edge(t: Tensor) -> Edge:
    """The edge along which ``t`` (which requires grad) receives its gradient: to its
    ``grad_fn``, or for a leaf to its AccumulateGrad node. A leaf's node is made once and shared
    while it lives (the leaf holds it weakly, the node holds the leaf: no cycle)."""
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return (acc, 0)


# ------------------------------------------------------------------------------------------
# Where gradients start and end: edges to tensors, backward() and grad() on arrays
# ------------------------------------------------------------------------------------------


def _root_grads(
    outputs: Sequence[Tensor], grad_outputs: Sequence[Any] | None
) -> tuple[list[Edge], list[np.ndarray]]:
    """Check the tensors backward starts from and build their seed gradients."""
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
            g_arr = np.array(getattr(g, "_data", g), dtype=data.dtype)
            if g_arr.shape != data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g_arr.shape)} "
                    f"and output[{i}] has a shape of {tuple(data.shape)}: the gradient must "
                    f"have the shape of the tensor it is the gradient of."
                )
        roots.append(edge(out))
        grads.append(g_arr)
    return roots, grads


def _on_paths(roots: list[Node | None], targets: set[Node | None]) -> set[Node]:
    """The nodes reachable from ``roots`` from which one of ``targets`` is reachable along at
    least one edge (the nodes that must run; a target itself need not, unless it is on the way
    to another)."""
    parents: dict[Node, list[Node]] = {}
    stack = [r for r in roots if r is not None]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                parents.setdefault(nxt, []).append(node)
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    needed: set[Node] = set()
    stack = [t for t in targets if t in seen]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


# ``create_graph=True``: what needs the Tensor (minigrad.autograd.higher puts it here when
# imported): "run" (one node's backward, recorded), "accumulate" (into ``.grad``, with its
# graph) and "seeds" (the root gradients as Tensors).
CREATE_GRAPH: dict[str, Any] = {}


def _accumulate(t: Tensor, g: Any, create_graph: bool) -> None:
    if create_graph:
        CREATE_GRAPH["accumulate"](t, g)
    else:
        t._accumulate_grad(g, may_keep=False)  # g goes on down the graph: keep a copy


def _no_create_graph(create_graph: bool) -> None:
    if create_graph:
        raise RuntimeError(
            "minigrad.graph.grad works on arrays and records no graph: for create_graph=True "
            "call minigrad.autograd.grad, which returns Tensors that record their own graph."
        )


def _tensor_list(tensors: Any) -> list[Tensor]:
    return list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]


def _retains(retain_graph: bool | None, create_graph: bool) -> bool:
    """torch's default: keep the graph if a graph is being built (it may be walked again)."""
    return create_graph if retain_graph is None else bool(retain_graph)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad`` (only into those of
    ``inputs``, if given): ``torch.autograd.backward``; ``t.backward()`` calls it. With
    ``create_graph=True`` the gradients are Tensors that record the backward pass."""
    outputs = _tensor_list(tensors)
    if grad_tensors is not None and not isinstance(tensors, (list, tuple)):
        grad_tensors = [grad_tensors]
    retain = _retains(retain_graph, create_graph)
    if inputs is not None:
        ins = _tensor_list(inputs)
        gs = grad_any(outputs, ins, grad_tensors, retain, create_graph, allow_unused=True)
        for t, g in zip(ins, gs, strict=True):
            if g is not None:
                _accumulate(t, g, create_graph)
        return
    roots, grads = _root_grads(outputs, grad_tensors)
    if not create_graph:
        run_backward(roots, grads, retain)
        return
    seeds = CREATE_GRAPH["seeds"](grad_tensors, grads)
    with enable_grad():
        run_backward(roots, seeds, retain, create_graph=True)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> list[np.ndarray | None]:
    """The gradients of ``outputs`` with respect to ``inputs`` (arrays that may be shared:
    copy before writing), returned instead of accumulated into ``.grad``. Tensors of them are
    ``minigrad.autograd.grad``."""
    _no_create_graph(create_graph)
    return grad_any(outputs, inputs, grad_outputs, retain_graph, False, allow_unused)


def grad_any(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any,
    retain_graph: bool | None,
    create_graph: bool,
    allow_unused: bool,
) -> list[Any]:
    """:func:`grad`, and with ``create_graph`` its gradients as Tensors that record the
    backward pass (``minigrad.autograd.grad`` calls it so)."""
    if not isinstance(outputs, (list, tuple)) and grad_outputs is not None:
        if not isinstance(grad_outputs, (list, tuple)):
            grad_outputs = [grad_outputs]
    ins = _tensor_list(inputs)
    capture: dict[Edge, list[int]] = {}
    for i, t in enumerate(ins):
        if not t._rg:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) does not require grad: call "
                f"requires_grad_() on it before the forward computation."
            )
        capture.setdefault(edge(t), []).append(i)
    roots, grads = _root_grads(_tensor_list(outputs), grad_outputs)
    seeds: list[Any] = grads
    if create_graph:  # (the given gradients themselves: a gradient may depend on them)
        seeds = CREATE_GRAPH["seeds"](grad_outputs, grads)
    # torch runs only the nodes on a path to an input: the others keep what they saved, call no
    # hook and raise no error; an input's own node only receives its gradient
    targets = {n for n, _ in capture}
    needed = _on_paths([r for r, _ in roots], targets)
    kept = [(r, g) for r, g in zip(roots, seeds, strict=True) if r[0] in needed or r[0] in targets]
    got: list[Any] = [None] * len(ins)
    if kept:
        with enable_grad() if create_graph else contextlib.nullcontext():
            got = run_backward(
                [r for r, _ in kept], [g for _, g in kept], _retains(retain_graph, create_graph),
                capture, len(ins), only=needed, create_graph=create_graph,
            )  # fmt: skip
    for i, g in enumerate(got):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) appears to not have been "
                f"used in the graph. Set allow_unused=True if this is the desired behavior."
            )
    return got
