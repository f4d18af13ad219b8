"""Draw computation graphs with graphviz: a minigrad ``Value`` graph, or a tensor's backward graph.

One function, :func:`draw`, handles three kinds of root:

* a minigrad ``Value``: one box per value (label, data, grad) and one small node per operation,
  found by walking ``_prev`` (micrograd's ``draw_dot``, without its recursion);
* a PyTorch tensor: one box per autograd node, found by walking ``grad_fn`` and
  ``next_functions``; leaves are shown through ``AccumulateGrad.variable``;
* a minigrad ``Tensor``, which mirrors PyTorch's ``grad_fn`` API, so the same walk draws it.

Edges point the way data flows in the forward pass (inputs to outputs), top to bottom by
default: a graph a few operations deep is then narrower than a notebook column, so its text
shows at full size (left to right, the records of a five-value chain are ~1,300 pt wide).
Node names are ``n0``, ``n1``, ... in the order the walk meets them, so the same graph always
gives the same DOT source and the same SVG (notebook tests compare the SVG text).
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from minigrad._tensor import Tensor
from minigrad.engine import Value

if TYPE_CHECKING:
    import graphviz

__all__ = ["draw"]

# Tensors with at most this many elements show their numbers; bigger ones show only a shape.
SMALL_TENSOR = 8


def draw(
    root: Any,
    *,
    rankdir: str = "TB",
    names: Mapping[str, object] | None = None,
    show_saved: bool = True,
    max_elements: int = SMALL_TENSOR,
) -> graphviz.Digraph:
    """Draw the computation graph that ends at ``root`` and return it as a ``graphviz.Digraph``.

    Args:
        root: a minigrad ``Value``, a minigrad ``Tensor`` or a ``torch.Tensor``.
        rankdir: graphviz layout direction: ``"TB"`` (top to bottom, inputs at the top, the
            default: narrow enough for a notebook column) or ``"LR"`` (left to right).
        names: for tensor graphs, names to print on tensors, e.g. ``{"x": x, "w": w}`` (tensors
            have no label of their own; a ``Value`` shows its ``label``).
        show_saved: for tensor graphs, list what each backward node saved for the backward pass.
        max_elements: tensors with at most this many elements show their data (and grad).

    Returns:
        A ``graphviz.Digraph``; in Jupyter it displays itself as an SVG picture.

    Raises:
        TypeError: if ``root`` is none of the supported kinds.
        ValueError: if ``rankdir`` is not a graphviz direction.
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    kind = _kind_of(root)
    try:
        import graphviz
    except ImportError as err:
        raise ImportError(
            "minigrad.viz.draw needs the graphviz Python package: pip install graphviz "
            "(and the 'dot' program: apt-get install graphviz / brew install graphviz)"
        ) from err
    # Tight rank spacing and low one-line nodes keep a deep graph short; the text keeps
    # graphviz's default size.
    dot = graphviz.Digraph(
        "computation_graph",
        format="svg",
        graph_attr={"rankdir": rankdir, "ranksep": "0.3"},
        node_attr={"height": "0.3"},
    )
    if kind == "value":
        _draw_values(dot, root)
    else:
        # Tensors are matched by identity: an AccumulateGrad's .variable is the leaf itself.
        tensor_names = {id(t): name for name, t in (names or {}).items()}
        _draw_tensor(dot, root, tensor_names, show_saved=show_saved, max_elements=max_elements)
    return dot


def _kind_of(root: object) -> Literal["value", "tensor"]:
    """Say which kind of graph ``root`` starts: ``"value"`` or ``"tensor"``; else TypeError."""
    if isinstance(root, Value):
        return "value"
    # A torch tensor can only exist if torch was imported already; minigrad never imports it.
    torch = sys.modules.get("torch")
    if isinstance(root, Tensor) or (torch is not None and isinstance(root, torch.Tensor)):
        return "tensor"
    raise TypeError(
        f"draw() expects a minigrad Value, a minigrad Tensor or a torch.Tensor, "
        f"got {type(root).__name__}: build an expression first, e.g. "
        f"draw(Value(2.0) * Value(3.0)), and pass its result"
    )


def _record_escape(text: str) -> str:
    """Escape the characters that have a meaning inside a graphviz record label."""
    for char in '\\{}|<>"':
        text = text.replace(char, "\\" + char)
    return text


def _draw_values(dot: graphviz.Digraph, root: Value) -> None:
    """Add a Value graph: a record per value, an op node per operation, edges forward."""
    names: dict[int, str] = {id(root): "n0"}
    order = [root]
    queue = deque([root])
    # Breadth-first from the root with an explicit queue: a chain 10,000 deep must not recurse.
    while queue:
        v = queue.popleft()
        for child in v._prev:
            if id(child) not in names:
                names[id(child)] = f"n{len(names)}"
                order.append(child)
                queue.append(child)
    count = len(names)
    for v in order:
        name = names[id(v)]
        label = f"{{ {_record_escape(v.label)} | data {v.data:.4f} | grad {v.grad:.4f} }}"
        dot.node(name, label, shape="record")
        if v._op:
            op_name = f"n{count}"
            count += 1
            dot.node(op_name, v._op, shape="ellipse")
            dot.edge(op_name, name)
            # One edge per operand, so x * x shows x feeding the op twice.
            for child in v._prev:
                dot.edge(names[id(child)], op_name)


def _to_numpy(t: Any) -> np.ndarray:
    """Return a tensor's numbers as an ndarray (torch and minigrad tensors alike)."""
    return np.asarray(t.detach().numpy())


def _describe(t: Any, max_elements: int) -> str:
    """Shape and dtype of a tensor, plus its numbers when there are few of them."""
    arr = _to_numpy(t)
    text = f"{tuple(arr.shape)} {arr.dtype}"
    if arr.size <= max_elements:
        # One line per row keeps a small matrix readable inside the box.
        numbers = np.array2string(arr, precision=4, suppress_small=True)
        text += "\\n" + numbers.replace("\n", "\\n")
    return text


def _tensor_label(
    t: Any, title: str, names: dict[int, str], max_elements: int, show_grad: bool
) -> str:
    """Label of a tensor box: a title, [name:] shape and data, and the grad if asked and present."""
    name = names.get(id(t))
    # A backslash would start a graphviz escape sequence: double it.
    prefix = "" if name is None else name.replace("\\", "\\\\") + ": "
    lines = [title, prefix + _describe(t, max_elements)]
    grad = t.grad if show_grad else None
    if grad is not None:
        lines.append("grad " + _describe(grad, max_elements))
    return "\\n".join(lines)


def _show_saved(value: Any) -> str:
    """One saved object in a few characters: the shape of an array or tensor, or a value.

    A one-element tensor shows as ``value 3``, so that it does not read like a count.
    """
    if hasattr(value, "shape"):
        arr = _to_numpy(value) if hasattr(value, "detach") else np.asarray(value)
        return f"value {arr.item():.4g}" if arr.size == 1 else str(tuple(arr.shape))
    if isinstance(value, tuple):  # a shape, e.g. torch.Size
        return str(tuple(value))
    return str(value)


def _saved_lines(fn: Any) -> list[str]:
    """What a backward node saved for the backward pass, or ``freed`` once backward released it.

    torch exposes each saved object as an attribute ``_saved_<name>``; minigrad's nodes keep a
    tuple ``_saved`` (``None`` once freed).
    """
    lines = []
    if not hasattr(fn, "_saved"):
        for attr in dir(fn):
            if not attr.startswith("_saved_"):
                continue
            try:
                value = getattr(fn, attr)
            except RuntimeError:  # torch raises when reading a freed saved tensor
                lines.append(f"{attr[7:]}: freed")
                continue
            if value is None or (isinstance(value, tuple) and not value):  # nothing was saved
                continue
            lines.append(f"{attr[7:]}: {_show_saved(value)}")
    elif fn._saved is None:
        lines.append("saved: freed")
    elif fn._saved:
        shown = [_show_saved(value) for value in fn._saved if value is not None]
        lines.append("saved: " + ", ".join(shown))
    return lines


def _node_name(fn: Any) -> str:
    """A backward node's name without C++ namespace (torch::autograd::AccumulateGrad)."""
    return fn.name().rsplit("::", 1)[-1]


def _draw_tensor(
    dot: graphviz.Digraph,
    root: Any,
    names: dict[int, str],
    *,
    show_saved: bool,
    max_elements: int,
) -> None:
    """Add a tensor's backward graph: the root tensor, then every node behind its grad_fn."""
    show_root_grad = root.is_leaf or getattr(root, "retains_grad", False)
    dot.node(
        "n0",
        _tensor_label(root, "output", names, max_elements, show_root_grad),
        shape="box",
        style="filled",
        fillcolor="darkolivegreen1",
    )
    if root.grad_fn is None:
        return
    # Keep every node object alive in `seen` so that no id() is reused during the walk.
    seen: dict[int, tuple[str, Any]] = {id(root.grad_fn): ("n1", root.grad_fn)}
    dot.edge("n1", "n0")
    queue = deque([root.grad_fn])
    while queue:
        fn = queue.popleft()
        name = seen[id(fn)][0]
        variable = getattr(fn, "variable", None)
        if variable is not None:
            # An AccumulateGrad node: draw the leaf tensor it adds gradients into.
            label = _tensor_label(variable, _node_name(fn), names, max_elements, show_grad=True)
            dot.node(name, label, shape="box", style="filled", fillcolor="lightblue")
        else:
            lines = [_node_name(fn)]
            if show_saved:
                lines += _saved_lines(fn)
            dot.node(name, "\\n".join(lines), shape="box")
        for next_fn, _ in fn.next_functions:
            if next_fn is None:  # that input does not need a gradient
                continue
            if id(next_fn) not in seen:
                seen[id(next_fn)] = (f"n{len(seen) + 1}", next_fn)
                queue.append(next_fn)
            dot.edge(seen[id(next_fn)][0], name)
