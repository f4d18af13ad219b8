"""``autograd.functional``: derivatives of a function, with torch's signatures.

Each is a few calls of :func:`minigrad.autograd.grad`, most with ``create_graph=True``:

* ``vjp(f, x, v)``: one backward, ``v^T J``;
* ``jvp(f, x, v)``: ``J v`` by the double-backward trick: the backward of ``u -> u^T J`` (which
  is linear in ``u``) with respect to ``u`` is ``J v``: forward mode from two reverse passes;
* ``jacobian(f, x)``: one backward per output element (the rows of ``J``);
* ``hessian(f, x)``: the Jacobian of the gradient;
* ``hvp(f, x, v)``: ``H v`` without forming ``H``: the gradient of ``grad(f) . v``
  (reverse-over-reverse; the Hessian of a twice-differentiable function is symmetric).

Inputs are detached and made to require grad first, so the caller's tensors are not part of
the result's graph unless ``create_graph=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad._tensor import Tensor, apply
from minigrad.autograd.higher import grad
from minigrad.grad_mode import enable_grad
from minigrad.ops import shape

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _tuple(x: Any, what: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(whether ``x`` was a tuple, ``x`` as a tuple of Tensors), with a clear error if not."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"The {what} given to the function must be a Tensor or a tuple of Tensors, but "
                f"element {i} is a {type(t).__name__}."
            )
    return is_tuple, items


def _fresh(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """The inputs as the graph starts at them: detached copies that require grad, or (with
    ``create_graph``, for an input that requires grad) a view of it, so that the result stays
    differentiable with respect to the caller's tensor, as in torch."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(Tensor._wrap(t._data).requires_grad_(True))
    return tuple(out)


def _grads(
    outputs: Sequence[Tensor], inputs: Sequence[Tensor], v: Any, create_graph: bool, strict: bool,
    what: str,
) -> tuple[Tensor, ...]:  # fmt: skip
    """``autograd.grad`` with zeros where an input was not used (an error if ``strict``)."""
    live = [(o, g) for o, g in zip(outputs, v, strict=True) if o.requires_grad]
    gs: tuple[Tensor | None, ...] = (None,) * len(inputs)
    if live:
        gs = grad([o for o, _ in live], list(inputs), [g for _, g in live], True, True, True)
    out = []
    for i, (g, x) in enumerate(zip(gs, inputs, strict=True)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of input {i}. "
                    f"This is not allowed in strict mode ({what})."
                )
            g = Tensor._wrap(np.zeros_like(x._data))
        out.append(g if create_graph else g.detach())
    return tuple(out)


def _seed(v: Any, like: tuple[Tensor, ...], what: str) -> tuple[Tensor, ...]:
    """``v`` as one Tensor per tensor of ``like`` (ones if None and ``like`` has one element)."""
    if v is None:
        if len(like) != 1 or like[0]._data.size != 1:
            raise RuntimeError(
                f"The vector v can only be None if the {what} is a single Tensor with a single "
                f"element: pass v, a Tensor of the {what}'s shape."
            )
        return (Tensor._wrap(np.ones_like(like[0]._data)),)
    _, vs = _tuple(v, "v")
    if len(vs) != len(like):
        raise RuntimeError(f"v has {len(vs)} Tensors but the {what} has {len(like)}.")
    for i, (a, b) in enumerate(zip(vs, like, strict=True)):
        if a.shape != b.shape:
            raise RuntimeError(
                f"Mismatch in shape: v[{i}] has shape {tuple(a.shape)} and the {what}'s "
                f"tensor {i} has shape {tuple(b.shape)}: they must match."
            )
    return vs


def _outputs(
    func: Callable[..., Any], inputs: tuple[Tensor, ...]
) -> tuple[bool, tuple[Tensor, ...]]:
    with enable_grad():
        return _tuple(func(*inputs), "outputs")


def _shape_like(is_tuple: bool, items: tuple[Any, ...]) -> Any:
    return items if is_tuple else items[0]


def _detached(ts: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    return ts if create_graph else tuple(t.detach() for t in ts)


def vjp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:  # fmt: skip
    """``(func(inputs), v^T J)``: the vector-Jacobian product, one backward pass."""
    in_tuple, ins = _tuple(inputs, "inputs")
    ins = _fresh(ins, create_graph)
    out_tuple, outs = _outputs(func, ins)
    result = _grads(outs, ins, _seed(v, outs, "output"), create_graph, strict, "vjp")
    return _shape_like(out_tuple, _detached(outs, create_graph)), _shape_like(in_tuple, result)


def jvp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:  # fmt: skip
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick.

    ``g(u) = u^T J`` (one backward with a seed ``u`` that requires grad) is linear in ``u``, so
    its own vector-Jacobian product with ``v`` is ``J v``: a second backward, through the first.
    """
    _, ins = _tuple(inputs, "inputs")
    ins = _fresh(ins, create_graph)
    vs = _seed(v, ins, "input")
    out_tuple, outs = _outputs(func, ins)
    us = tuple(Tensor._wrap(np.zeros_like(o._data)).requires_grad_(True) for o in outs)
    with enable_grad():
        g = _grads(outs, ins, us, True, strict, "jvp")
        result = _grads(g, us, vs, create_graph, strict, "jvp")
    return _shape_like(out_tuple, _detached(outs, create_graph)), _shape_like(out_tuple, result)


def jacobian(
    func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
    vectorize: bool = False, strategy: str = "reverse-mode",
) -> Any:  # fmt: skip
    """The Jacobian of ``func`` at ``inputs``: for output i and input j, a Tensor of shape
    ``output_i.shape + input_j.shape``, one backward per output element (reverse mode).

    Nested as in torch: a Tensor for one input and one output, a tuple over the inputs (or the
    outputs) where only that one is a tuple, a tuple of tuples (outputs, then inputs) if both.
    ``vectorize`` changes only how torch computes it; ``strategy="forward-mode"`` is refused.
    """
    if strategy != "reverse-mode":
        raise NotImplementedError(
            f'jacobian(strategy="{strategy}"): minigrad computes Jacobians in reverse mode only '
            f'(strategy="reverse-mode", one backward per output element).'
        )
    in_tuple, ins = _tuple(inputs, "inputs")
    ins = _fresh(ins, create_graph)
    out_tuple, outs = _outputs(func, ins)
    rows: list[tuple[Any, ...]] = []
    for o in outs:
        flat = o.reshape(-1)
        per_input: list[list[Tensor]] = [[] for _ in ins]
        for k in range(flat.shape[0]):
            with enable_grad():
                seed = (Tensor._wrap(np.ones((), dtype=o._data.dtype)),)
                g = _grads((flat[k],), ins, seed, create_graph, strict, "jacobian")
            for j, gj in enumerate(g):
                per_input[j].append(gj)
        blocks = []
        for j, x in enumerate(ins):
            if per_input[j]:
                stacked = apply(shape.Stack, *per_input[j], dim=0)
            else:
                stacked = Tensor._wrap(np.zeros((0, *x.shape), dtype=x._data.dtype))
            blocks.append(stacked.reshape(*o.shape, *x.shape))
        rows.append(_shape_like(in_tuple, tuple(blocks)))
    return _shape_like(out_tuple, tuple(rows))


def hessian(
    func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
    vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode",
) -> Any:  # fmt: skip
    """The Hessian of a scalar ``func``: the Jacobian of its gradient (shape ``input.shape +
    input.shape``; a tuple of tuples for several inputs)."""
    in_tuple, ins = _tuple(inputs, "inputs")

    def gradient(*xs: Tensor) -> Any:
        _, outs = _outputs(func, xs)
        if len(outs) != 1 or outs[0]._data.size != 1:
            raise RuntimeError(
                "The function given to hessian should return a single Tensor with a single "
                "element (a scalar): sum or index its output first."
            )
        g = _grads((outs[0].reshape(()),), xs, _seed(None, outs, "output"), True, strict,
                   "hessian")  # fmt: skip
        return _shape_like(in_tuple, g)

    return jacobian(gradient, _shape_like(in_tuple, ins), create_graph, strict, vectorize,
                    outer_jacobian_strategy)  # fmt: skip


def vhp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:  # fmt: skip
    """``(func(inputs), v^T H)`` for a scalar ``func``: the gradient of ``grad(func) . v``."""
    in_tuple, ins = _tuple(inputs, "inputs")
    ins = _fresh(ins, create_graph)
    vs = _seed(v, ins, "input")
    _, outs = _outputs(func, ins)
    if len(outs) != 1 or outs[0]._data.size != 1:
        raise RuntimeError(
            "The function given to hvp / vhp should return a single Tensor with a single element."
        )
    with enable_grad():
        g = _grads(outs, ins, _seed(None, outs, "output"), True, strict, "hvp")
        result = _grads(g, ins, vs, create_graph, strict, "hvp")
    return _detached(outs, create_graph)[0], _shape_like(in_tuple, result)


def hvp(
    func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:  # fmt: skip
    """``(func(inputs), H v)``: the Hessian-vector product, never forming H (reverse over
    reverse; H is symmetric, so this is :func:`vhp`)."""
    return vhp(func, inputs, v, create_graph, strict)
