"""The scalar autograd engine: a ``Value`` holds one number and the gradient flowing into it.

Every operation on Values returns a new Value that remembers its operands (``_a`` and, for a
binary op, ``_b``; ``_prev`` gives both as a tuple), the name of the operation (``_op``) and
the function that applies the chain rule for it (``_backward``). ``Value.backward()`` walks
the graph in reverse topological order and calls those functions, like
``torch.Tensor.backward()`` does for tensors.

Why it is fast for pure Python (measured in a notebook kernel by ``benchmarks/bench_value.py``;
notebook 03 explains each point):

- One object per node. A node is a single Value with ``__slots__``: no per-object
  ``__dict__``, no tuple of operands (they sit in two slots), no closure. In a notebook the
  garbage collector costs more than the arithmetic: every object allocated counts towards
  its next collection, and each full collection walks every object torch and matplotlib
  keep alive. Fewer objects per node, fewer collections.
- The backward rule of each op is a plain function defined once, next to its forward, and
  stored by reference. micrograd builds a new closure per node, and the closure refers back
  to the node, so every node sits in a reference cycle that only the garbage collector frees.
- The topological sort is an explicit-stack loop: no recursion, so a chain of a million nodes
  works, and no per-node Python call or allocation.
- Subtraction, division and negation are ops of their own instead of being built out of
  ``+``, ``*`` and ``**`` (fewer nodes, and results rounded the way torch rounds them).

Conventions. Gradients at special points follow PyTorch: ``relu'(0) = 0``, ``abs'(0) = 0``,
``d(x**0)/dx = 0`` everywhere, ``d(x**0.5)/dx = inf`` at 0, and the exponent's gradient of
``a**b`` is 0 where ``a == 0`` and ``b >= 0`` (``nan`` where ``a < 0``). Forward values follow
Python floats, not torch: ``x / 0`` raises ``ZeroDivisionError``, and ``log`` of a number
``<= 0`` raises ``ValueError`` instead of returning ``-inf`` or ``nan``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real

__all__ = ["Value", "topological_order"]


class Value:
    """A scalar in a computation graph, with its gradient.

    Args:
        data: the number (int, float or any real number such as a numpy float); stored as float.
        label: an optional name, shown by ``repr`` and by ``minigrad.viz.draw``.

    Attributes:
        data: the value, a float.
        grad: d(root)/d(this value) after ``root.backward()``; starts at 0.0.
        label: the name given at construction ('' if none).
        _op: the operation that produced this Value ('' for a leaf, e.g. '+', '*', 'tanh').
        _a, _b: the operands of that operation (``None`` where there is none: a leaf has
            neither, a unary op has no ``_b``).
        _prev: the operands as a tuple, in order (empty for a leaf).

    Example:
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> c = a * b + a
        >>> c.backward()
        >>> a.grad, b.grad
        (-2.0, 2.0)
    """

    # The operands live in two slots, not in a tuple: a tuple per node would be a second
    # object for the garbage collector to count and walk (see the module docstring).
    __slots__ = (
        "__weakref__",
        "_a",
        "_b",
        "_backward",
        "_exponent",
        "_mark",
        "_op",
        "data",
        "grad",
        "label",
    )
    # Typed as Values for the backward rules, which only run on nodes that have operands.
    _a: Value  # first operand; None on a leaf
    _b: Value  # second operand; None on a leaf and on the output of a unary op
    _exponent: float  # set only on the output of ``v ** number``: the constant exponent
    _mark: object  # which topological_order has seen this node (see there)

    def __init__(self, data: float, label: str = "") -> None:
        if type(data) is not float:
            data = _check_number(data)
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = ""
        self._a = self._b = None  # type: ignore[assignment]
        self._mark = None
        self._backward: Callable[[Value], None] = _leaf_backward

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The operands of the op that made this Value, in order (``()`` for a leaf)."""
        a: Value | None = self._a
        b: Value | None = self._b
        if a is None:
            return ()
        return (a,) if b is None else (a, b)

    # ---- binary operators -------------------------------------------------------------------
    # Each op builds its output with _node() and names its backward rule, defined right below
    # it. A rule gets the output node `out` and adds d(out)/d(operand) * out.grad to each
    # operand's grad: `+=`, not `=`, because an operand used by several nodes (or twice by one
    # node, as in a * a) receives a gradient from each use. The rules are plain functions, not
    # closures: a closure over `out` stored on `out` would make a reference cycle per node.

    def __add__(self, other: Value | float) -> Value:
        other = other if type(other) is Value else _as_value(other, "+")
        return _node(self.data + other.data, self, other, "+", Value._add_backward)

    @staticmethod
    def _add_backward(out: Value) -> None:
        """d(a + b)/da = d(a + b)/db = 1."""
        a, b = out._a, out._b
        a.grad += out.grad
        b.grad += out.grad

    def __sub__(self, other: Value | float) -> Value:
        other = other if type(other) is Value else _as_value(other, "-")
        return _node(self.data - other.data, self, other, "-", Value._sub_backward)

    @staticmethod
    def _sub_backward(out: Value) -> None:
        """d(a - b)/da = 1, d(a - b)/db = -1."""
        a, b = out._a, out._b
        a.grad += out.grad
        b.grad -= out.grad

    def __mul__(self, other: Value | float) -> Value:
        other = other if type(other) is Value else _as_value(other, "*")
        return _node(self.data * other.data, self, other, "*", Value._mul_backward)

    @staticmethod
    def _mul_backward(out: Value) -> None:
        """d(a * b)/da = b, d(a * b)/db = a."""
        a, b = out._a, out._b
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    def __truediv__(self, other: Value | float) -> Value:
        other = other if type(other) is Value else _as_value(other, "/")
        try:
            data = self.data / other.data
        except ZeroDivisionError:
            raise ZeroDivisionError(
                f"division by zero: {self.data!r} / {other.data!r} (minigrad follows Python "
                "floats here, torch would give inf or nan); keep the denominator away from 0, "
                "e.g. x / (y + 1e-12)"
            ) from None
        return _node(data, self, other, "/", Value._div_backward)

    @staticmethod
    def _div_backward(out: Value) -> None:
        """d(a / b)/da = 1/b, d(a / b)/db = -a/b**2 = -(a/b)/b."""
        a, b = out._a, out._b
        a.grad += out.grad / b.data
        b.grad -= out.grad * out.data / b.data  # reuse out.data = a/b

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            data = _pow(self.data, other.data)
            return _node(data, self, other, "**", Value._pow_backward)
        # A number exponent is a constant, not an operand: it lives in the op's name and in
        # _exponent, and gets no gradient.
        exponent = _as_value(other, "**").data
        out = _node(
            _pow(self.data, exponent), self, None, f"**{exponent:g}", Value._pow_number_backward
        )
        out._exponent = exponent
        return out

    @staticmethod
    def _pow_backward(out: Value) -> None:
        """d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * ln(a)."""
        a, b = out._a, out._b
        a.grad += _power_rule(a.data, b.data) * out.grad
        # As torch: 0 where a == 0 (b < 0 raised in the forward), nan where a < 0 (no real log).
        if a.data > 0.0:
            b.grad += out.data * math.log(a.data) * out.grad
        elif a.data < 0.0:
            b.grad += math.nan

    @staticmethod
    def _pow_number_backward(out: Value) -> None:
        """d(a**p)/da = p * a**(p-1), p a constant."""
        a = out._a
        a.grad += _power_rule(a.data, out._exponent) * out.grad

    # Reflected operators: `2 * v` calls v.__rmul__(2); the number becomes a leaf Value.
    def __radd__(self, other: float) -> Value:
        return _as_value(other, "+") + self

    def __rsub__(self, other: float) -> Value:
        return _as_value(other, "-") - self

    def __rmul__(self, other: float) -> Value:
        return _as_value(other, "*") * self

    def __rtruediv__(self, other: float) -> Value:
        return _as_value(other, "/") / self

    def __rpow__(self, other: float) -> Value:
        return _as_value(other, "**") ** self

    def __neg__(self) -> Value:
        return _node(-self.data, self, None, "neg", Value._neg_backward)

    @staticmethod
    def _neg_backward(out: Value) -> None:
        """d(-a)/da = -1."""
        out._a.grad -= out.grad

    # ---- unary functions --------------------------------------------------------------------

    def exp(self) -> Value:
        """e ** self. Raises OverflowError above about 709.78 (float64's limit)."""
        try:
            data = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp({self.data!r}) is larger than the largest float (exp(709.78)); "
                "scale the input down or work in log space"
            ) from None
        return _node(data, self, None, "exp", Value._exp_backward)

    @staticmethod
    def _exp_backward(out: Value) -> None:
        """(e**x)' = e**x: reuse the output."""
        out._a.grad += out.data * out.grad

    def log(self) -> Value:
        """Natural logarithm; self.data must be > 0."""
        if not self.data > 0.0:
            raise ValueError(
                f"log is only defined for positive numbers, got log({self.data!r}); "
                "clamp the input first, e.g. (x + 1e-12).log() for x >= 0"
            )
        return _node(math.log(self.data), self, None, "log", Value._log_backward)

    @staticmethod
    def _log_backward(out: Value) -> None:
        """(ln x)' = 1/x."""
        a = out._a
        a.grad += out.grad / a.data

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _node(math.tanh(self.data), self, None, "tanh", Value._tanh_backward)

    @staticmethod
    def _tanh_backward(out: Value) -> None:
        """tanh'(x) = 1 - tanh(x)**2: reuse the output."""
        out._a.grad += out.grad * (1.0 - out.data * out.data)

    def sigmoid(self) -> Value:
        """1 / (1 + exp(-self)), computed without overflow for large |self|."""
        x = self.data
        if x >= 0.0:
            data = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            data = e / (1.0 + e)
        return _node(data, self, None, "sigmoid", Value._sigmoid_backward)

    @staticmethod
    def _sigmoid_backward(out: Value) -> None:
        """sigmoid'(x) = (1 - s) * s with s = sigmoid(x): reuse the output."""
        out._a.grad += out.grad * (1.0 - out.data) * out.data

    def relu(self) -> Value:
        """max(self, 0); its gradient at 0 is 0, as in torch."""
        data = self.data if self.data > 0.0 else 0.0
        return _node(data, self, None, "relu", Value._relu_backward)

    @staticmethod
    def _relu_backward(out: Value) -> None:
        """relu'(x) = 1 for x > 0, else 0 (0 at x = 0, as in torch)."""
        if out.data > 0.0:
            out._a.grad += out.grad

    def sin(self) -> Value:
        """Sine (radians)."""
        return _node(math.sin(self.data), self, None, "sin", Value._sin_backward)

    @staticmethod
    def _sin_backward(out: Value) -> None:
        """sin'(x) = cos(x)."""
        a = out._a
        a.grad += out.grad * math.cos(a.data)

    def cos(self) -> Value:
        """Cosine (radians)."""
        return _node(math.cos(self.data), self, None, "cos", Value._cos_backward)

    @staticmethod
    def _cos_backward(out: Value) -> None:
        """cos'(x) = -sin(x)."""
        a = out._a
        a.grad -= out.grad * math.sin(a.data)

    def abs(self) -> Value:
        """|self|; its gradient at 0 is 0, as in torch."""
        return _node(abs(self.data), self, None, "abs", Value._abs_backward)

    @staticmethod
    def _abs_backward(out: Value) -> None:
        """|x|' = sign(x), with sign(0) = 0 as in torch."""
        a = out._a
        if a.data > 0.0:
            a.grad += out.grad
        elif a.data < 0.0:
            a.grad -= out.grad

    __abs__ = abs

    # ---- the graph --------------------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every Value this one depends on with d(self)/d(that value).

        Leaves (Values built by the user) accumulate: calling backward twice adds twice, as
        torch does for ``.grad``; set them back with ``zero_grad()`` or a module's
        ``zero_grad()``. Interior nodes are reset by each call, so their ``.grad`` always
        holds the gradient from the latest backward.
        """
        order = topological_order(self)
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad += 1.0
        # Reverse topological order: a node's grad is complete (every use has added its
        # share) before the node passes it on to its operands. Leaves have no rule to run.
        for node in reversed(order):
            if node._a is not None:
                node._backward(node)

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0.0 on this Value and every Value it depends on."""
        seen = {self}
        stack = [self]
        while stack:
            node = stack.pop()
            node.grad = 0.0
            for child in node._prev:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)


def _node(
    data: float, a: Value, b: Value | None, op: str, backward: Callable[[Value], None]
) -> Value:
    """Make an op's output Value without __init__'s input checks (data is already a float)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._a = a
    out._b = b  # type: ignore[assignment]
    out._mark = None
    out._backward = backward
    return out


_new = object.__new__


def _leaf_backward(out: Value) -> None:
    """A leaf's rule: it has no operands, so there is nothing to pass on (never called)."""


def _check_number(data: object) -> float:
    """Return data as a float if it is a real number; raise a TypeError that says why not."""
    if not isinstance(data, bool) and isinstance(data, Real):
        return float(data)
    if isinstance(data, Value):
        raise TypeError(
            f"Value(data) needs a number, got another Value ({data!r}); use that Value "
            "directly, or Value(v.data) for a new leaf with the same number"
        )
    raise TypeError(
        f"Value(data) needs a real number (int or float), got {type(data).__name__}: "
        f"{data!r:.80}. For arrays use minigrad.tensor(...); for a string, convert it "
        "with float(...) first"
    )


def _as_value(other: object, op: str) -> Value:
    """Wrap a plain number as a leaf Value; reject anything else with a clear TypeError."""
    if isinstance(other, Value):
        return other
    # The common cases first: the isinstance check against the Real ABC is slow.
    if (
        type(other) is float
        or type(other) is int
        or (not isinstance(other, bool) and isinstance(other, Real))
    ):
        return Value(float(other))
    raise TypeError(
        f"unsupported operand for {op} with a Value: {type(other).__name__} {other!r:.80}; "
        "use a Value or a real number (int or float)"
    )


def _pow(base: float, exponent: float) -> float:
    """base ** exponent as a real number (Python would return a complex for (-8) ** (1/3))."""
    if base < 0.0 and not exponent.is_integer():
        raise ValueError(
            f"{base!r} ** {exponent!r} is not a real number (negative base, non-integer "
            "exponent); use an integer exponent or make the base non-negative, e.g. x.abs()"
        )
    if base == 0.0 and exponent < 0.0:
        raise ZeroDivisionError(
            f"0.0 ** {exponent!r} divides by zero; keep the base away from 0, e.g. (x + 1e-12) ** p"
        )
    return base**exponent


def _power_rule(base: float, exponent: float) -> float:
    """d(base ** exponent)/d(base), with torch's values at the special points."""
    if exponent == 0.0:
        return 0.0  # x ** 0 is constant, even at x = 0
    if base == 0.0 and exponent < 1.0:
        return math.inf  # e.g. sqrt(x) at 0: torch says inf
    return exponent * base ** (exponent - 1.0)


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on (and root itself), each one after all of its operands.

    A post-order depth-first search with an explicit stack instead of recursion, so the depth
    of the graph is not limited by Python's recursion limit (micrograd's recursive version
    stops at about 1000). The stack holds only nodes. The first time a node is on top of it,
    the node is marked ``seen`` and its operands go on the stack, above it. The next time it
    is on top, everything above it has been emitted (its operands, and theirs), so it is
    emitted in turn and marked ``done``. A node pushed by several parents is emitted once.

    The marks are two new objects per sort, stored in each node's ``_mark`` slot: a node
    marked by an earlier sort counts as unseen, so nothing needs resetting, and nothing is
    allocated per node (no tuple, no set entry, no call).
    """
    order = []
    seen, done = object(), object()
    stack = [root]
    while stack:
        node = stack[-1]
        mark = node._mark
        if mark is done:  # pushed by a second parent, already emitted
            stack.pop()
        elif mark is seen:  # its operands are all emitted
            stack.pop()
            node._mark = done
            order.append(node)
        else:
            node._mark = seen
            a, b = node._a, node._b
            if a is not None and a._mark is not done:
                stack.append(a)
            if b is not None and b._mark is not done:
                stack.append(b)
    return order
