"""Seeded random programs over minigrad's claimed API, written against a module named ``lib``.

A program is a list of statements (each a string, possibly of several lines). The generator
runs every statement under torch as it writes it and looks at the results to choose the next
one (which tensors exist, their shapes and dtypes, which require grad), so most statements are
valid; the ones that raise are kept too, since minigrad must raise there as well.

Every family of statements is one method ``f_<name>``; ``FAMILIES`` weighs them. Names made by
a program are ``v0``, ``v1``, ...; ``PRELUDE`` defines the Functions and helpers programs use.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch

PRELUDE = """
class Two(lib.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, ga, gb):
        (x,) = ctx.saved_tensors
        return ga * 2 + gb * 2 * x

class MulF(lib.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a

class Three(lib.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x)
        ctx.scale = scale
        i = x.detach().reshape(-1).argmax() if x.numel() else lib.tensor(0)
        ctx.mark_non_differentiable(i)
        return x * scale, x.exp(), i

    @staticmethod
    def backward(ctx, ga, gb, gi):
        (x,) = ctx.saved_tensors
        g = None
        if ga is not None:
            g = ga * ctx.scale
        if gb is not None:
            g = gb * x.exp() if g is None else g + gb * x.exp()
        return g, None

class Dirty(lib.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2

class NoneGrad(lib.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * 1 + b * 0 if ctx.needs_input_grad[0] else a + b

    @staticmethod
    def backward(ctx, g):
        return g, None

class ArgMaxF(lib.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        i = x.argmax()
        ctx.mark_non_differentiable(i)
        return x.max(), i

    @staticmethod
    def backward(ctx, g, gi):
        return None
"""

UNARY = [
    "neg", "abs", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
    "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "sigmoid", "relu", "erf", "erfc", "sign", "floor", "ceil", "round",
]  # fmt: skip
UNARY_FUNCS = ["exp", "log", "sqrt", "abs", "sin", "tanh", "sigmoid", "relu", "sign", "floor"]
BINARY_OPS = ["+", "-", "*", "/", "**", "//", "%"]
BINARY_METHODS = ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]
COMPARE = ["==", "!=", "<", "<=", ">", ">="]
DTYPES = ["float32", "float32", "float32", "float64", "int64", "bool"]
INPLACE = ["add_", "sub_", "mul_", "div_", "floor_divide_", "remainder_", "pow_"]


def _dtype_name(t: torch.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


class Generator:
    """Writes one program from ``seed``: ``Generator(seed).program(n_statements)``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ns: dict[str, Any] = {"lib": torch}
        exec(PRELUDE, self.ns)
        self.lines: list[str] = []
        self.counter = 0

    # --- running and looking ------------------------------------------------------------------

    def emit(self, line: str) -> None:
        """Keep ``line`` and run it under torch (what it made steers what comes next)."""
        self.lines.append(line)
        try:
            exec(line, self.ns)
        except Exception:
            pass

    def new(self) -> str:
        name = f"v{self.counter}"
        self.counter += 1
        return name

    def tensors(self, pred: Callable[[torch.Tensor], bool] = lambda t: True) -> list[str]:
        return [
            k for k, v in self.ns.items()
            if k.startswith("v") and isinstance(v, torch.Tensor) and pred(v)
        ]  # fmt: skip

    def pick(self, pred: Callable[[torch.Tensor], bool] = lambda t: True) -> str | None:
        names = self.tensors(pred)
        return self.rng.choice(names) if names else None

    def t(self, name: str) -> torch.Tensor:
        return self.ns[name]

    # --- values -------------------------------------------------------------------------------

    def shape(self, max_ndim: int = 3) -> tuple[int, ...]:
        r = self.rng
        ndim = r.choice([0, 1, 1, 2, 2, 2, 3][: max_ndim * 2 + 1])
        return tuple(r.choice([1, 2, 2, 3, 3, 4] + ([0] if r.random() < 0.05 else []))
                     for _ in range(ndim))  # fmt: skip

    def number(self, dtype: str) -> str:
        r = self.rng
        if dtype == "bool":
            return r.choice(["True", "False"])
        if dtype.startswith("int"):
            return str(r.randint(-3, 4))
        if r.random() < 0.15:
            return r.choice(["0.0", "1.0", "-1.0", "0.5", "2.0"])
        return repr(round(r.uniform(-2.5, 2.5), 2))

    def nested(self, shape: tuple[int, ...], dtype: str) -> str:
        if not shape:
            return self.number(dtype)
        return "[" + ", ".join(self.nested(shape[1:], dtype) for _ in range(shape[0])) + "]"

    def literal(
        self, shape: tuple[int, ...] | None = None, dtype: str | None = None, rg: bool | None = None
    ) -> str:
        shape = self.shape() if shape is None else shape
        dtype = self.rng.choice(DTYPES) if dtype is None else dtype
        if rg is None:
            rg = dtype.startswith("float") and self.rng.random() < 0.6
        args = self.nested(shape, dtype)
        if 0 in shape:
            args = f"lib.zeros({shape}).tolist()" if len(shape) > 1 else "[]"
        extra = "" if dtype == "float32" and self.rng.random() < 0.5 else f", dtype=lib.{dtype}"
        if dtype in ("int64", "bool") and self.rng.random() < 0.5:
            extra = ""
        if dtype == "float32" and ("." not in args or self.rng.random() < 0.2):
            extra = ", dtype=lib.float32"
        return f"lib.tensor({args}{extra}{', requires_grad=True' if rg else ''})"

    def bcast_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """A shape that broadcasts with ``shape`` (fewer dims, some of them 1)."""
        r = self.rng
        s = list(shape[r.randint(0, len(shape)) :] if shape and r.random() < 0.4 else shape)
        s = [1 if r.random() < 0.3 else n for n in s]
        if r.random() < 0.15:
            s = [r.choice([1, 2]), *s]
        return tuple(s)

    def dim(self, t: torch.Tensor) -> int:
        n = max(t.dim(), 1)
        return self.rng.randint(-n, n - 1)

    # --- the program ----------------------------------------------------------------------------

    def program(self, n: int) -> list[str]:
        families = [(getattr(self, f"f_{name}"), w) for name, w in FAMILIES]
        funcs, weights = zip(*families, strict=True)
        for _ in range(2):
            self.f_create()
        while len(self.lines) < n:
            self.rng.choices(funcs, weights)[0]()
        return self.lines

    # --- families -------------------------------------------------------------------------------

    def f_create(self) -> None:
        self.emit(f"{self.new()} = {self.literal()}")

    def f_factory(self) -> None:
        r, v = self.rng, self.new()
        s = self.shape()
        dt = r.choice(["", ", dtype=lib.float64", ", dtype=lib.int64", ", dtype=lib.bool"])
        rg = (
            ", requires_grad=True"
            if r.random() < 0.3 and "int" not in dt and "bool" not in dt
            else ""
        )
        choice = r.randrange(9)
        if choice == 0:
            self.emit(f"{v} = lib.zeros({s}{dt}{rg})")
        elif choice == 1:
            self.emit(f"{v} = lib.ones(*{s}{dt}{rg})")
        elif choice == 2:
            self.emit(f"{v} = lib.full({s}, {self.number(r.choice(DTYPES))}{dt}{rg})")
        elif choice == 3:
            a, b = r.randint(-3, 2), r.randint(-2, 6)
            step = r.choice(["", ", 1", ", 2", ", 0.5", ", -1", ", 0"])
            a_ = r.choice([str(a), f"{a}.0"])
            self.emit(f"{v} = lib.arange({a_}, {b}{step}{dt})")
        elif choice == 4:
            self.emit(f"{v} = lib.arange({r.randint(0, 6)}{dt})")
        elif choice == 5:
            self.emit(f"{v} = lib.linspace({self.number('float32')}, {r.randint(0, 3)}, "
                      f"{r.randint(1, 5)}{dt})")  # fmt: skip
        elif choice == 6:
            self.emit(f"{v} = lib.eye({r.randint(1, 3)}{r.choice(['', ', 2'])}{dt})")
        else:
            x = self.pick()
            if x is None:
                return
            fn = r.choice(["zeros_like", "ones_like"])
            self.emit(f"{v} = lib.{fn}({x}{dt if r.random() < 0.3 else ''})")

    def f_unary(self) -> None:
        x = self.pick()
        if x is None:
            return
        r, v = self.rng, self.new()
        if r.random() < 0.3:
            self.emit(f"{v} = lib.{r.choice(UNARY_FUNCS)}({x})")
        elif r.random() < 0.1:
            self.emit(f"{v} = -{x}")
        else:
            self.emit(f"{v} = {x}.{r.choice(UNARY)}()")

    def operand(self, like: torch.Tensor) -> str:
        """A second operand for ``like``: a broadcastable tensor (often new), or a number."""
        r = self.rng
        if r.random() < 0.35:
            return self.number(r.choice(["float32", "int64", "int64", "bool"]))
        same = self.pick(lambda t: _broadcasts(t.shape, like.shape))
        if same is not None and r.random() < 0.5:
            return same
        dtype = r.choice(DTYPES) if r.random() < 0.3 else _dtype_name(like)
        return self.literal(self.bcast_shape(tuple(like.shape)), dtype)

    def f_binary(self) -> None:
        x = self.pick()
        if x is None:
            return
        r, v = self.rng, self.new()
        y = self.operand(self.t(x))
        choice = r.random()
        if choice < 0.5:
            op = r.choice(BINARY_OPS)
            self.emit(f"{v} = {y} {op} {x}" if r.random() < 0.25 else f"{v} = {x} {op} {y}")
        elif choice < 0.75:
            self.emit(f"{v} = {x}.{r.choice(BINARY_METHODS)}({y})")
        elif choice < 0.85:
            alpha = r.choice(["2", "-1", "0.5"])
            self.emit(f"{v} = {x}.{r.choice(['add', 'sub'])}({y}, alpha={alpha})")
        elif choice < 0.92:
            self.emit(f"{v} = {x} {r.choice(COMPARE)} {y}")
        else:
            self.emit(f"{v} = lib.{r.choice(['add', 'mul', 'maximum', 'pow'])}({x}, {y})")

    def dims(self, t: torch.Tensor, empty: bool = True) -> str:
        """A ``dim`` argument: one dim, a tuple of distinct dims, or an empty tuple (not for
        var / std: torch 2.13's backward of ``dim=()`` does not match its forward)."""
        r = self.rng
        n = t.dim()
        if n == 0 or r.random() < 0.6:
            return str(self.dim(t))
        k = r.randint(0 if empty else 1, n)
        ds = r.sample(range(n), k)
        ds = [d - n if r.random() < 0.3 else d for d in ds]
        return "(" + ", ".join(map(str, ds)) + ("," if len(ds) == 1 else "") + ")"

    def f_reduce(self) -> None:
        x = self.pick()
        if x is None:
            return
        r, v, t = self.rng, self.new(), self.t(x)
        keep = r.choice(["", ", keepdim=True", ", keepdim=False"])
        kind = r.randrange(10)
        if kind == 0:
            self.emit(f"{v} = {x}.{r.choice(['sum', 'mean', 'max', 'min', 'prod'])}()")
        elif kind in (1, 2):
            fn = r.choice(["sum", "mean", "amax", "amin", "logsumexp"])
            self.emit(f"{v} = {x}.{fn}({self.dims(t)}{keep})")
        elif kind == 3:
            fn = r.choice(["max", "min", "argmax", "argmin", "prod"])
            self.emit(f"{v} = {x}.{fn}({self.dim(t)}{keep})")
        elif kind == 4:
            fn = r.choice(["var", "std"])
            d = r.choice(["", self.dims(t, empty=False)])
            corr = r.choice(["", "correction=0", "correction=1", "unbiased=False"])
            args = [a for a in (d, corr, keep.lstrip(", ") if d else "") if a]
            self.emit(f"{v} = {x}.{fn}({', '.join(args)})")
        elif kind == 5:
            fn = r.choice(["softmax", "log_softmax", "cumsum"])
            self.emit(f"{v} = {x}.{fn}({self.dim(t)})")
        elif kind == 6:
            fn = r.choice(["sum", "mean", "max", "amax", "logsumexp", "prod", "cumsum"])
            self.emit(f"{v} = lib.{fn}({x}, {self.dim(t)})")
        elif kind == 7:
            self.emit(f"{v} = {x}.sum(dim={self.dims(t)}{keep})")
        elif kind == 8:
            self.emit(f"{v} = {x}.{r.choice(['any', 'all'])}()")
        else:
            lo, hi = self.number("float32"), self.number("float32")
            fn = r.choice(["clamp", "clip"])
            arg = r.choice([f"{lo}, {hi}", f"min={lo}", f"max={hi}", f"{lo}"])
            self.emit(f"{v} = {x}.{fn}({arg})")

    def f_matmul(self) -> None:
        r = self.rng
        n, k, m = r.randint(1, 3), r.randint(1, 3), r.randint(1, 3)
        dtype = r.choice(["float32", "float32", "float64"])
        forms = [((n, k), (k, m)), ((k,), (k,)), ((n, k), (k,)), ((k,), (k, m)),
                 ((2, n, k), (k, m)), ((2, n, k), (2, k, m)), ((n, k), (2, k, m)),
                 ((1, n, k), (3, k, m)), ((n, k), (k + 1, m)), ((), (k,))]  # fmt: skip
        sa, sb = r.choice(forms)
        a, b = self.new(), self.new()
        self.emit(f"{a} = {self.literal(sa, dtype)}")
        self.emit(f"{b} = {self.literal(sb, dtype if r.random() < 0.9 else 'float64')}")
        v = self.new()
        how = r.choice(["@", "matmul", "lib.matmul", "mm", "dot"])
        if how == "@":
            self.emit(f"{v} = {a} @ {b}")
        elif how.startswith("lib"):
            self.emit(f"{v} = lib.matmul({a}, {b})")
        else:
            self.emit(f"{v} = {a}.{how}({b})")

    def f_shape(self) -> None:
        x = self.pick()
        if x is None:
            return
        r, v, t = self.rng, self.new(), self.t(x)
        n, s = t.dim(), tuple(t.shape)
        kind = r.randrange(14)
        if kind == 0:
            new = list(s)
            r.shuffle(new)
            if new and r.random() < 0.5:
                new[r.randrange(len(new))] = -1
            self.emit(f"{v} = {x}.{r.choice(['reshape', 'view'])}({tuple(new)})")
        elif kind == 1:
            self.emit(f"{v} = {x}.{r.choice(['reshape', 'view'])}(-1)")
        elif kind == 2:
            self.emit(f"{v} = {x}.flatten({r.choice(['', '1', '0, -1', '-2'])})")
        elif kind == 3:
            self.emit(f"{v} = {x}.unsqueeze({r.randint(-n - 1, n)})")
        elif kind == 4:
            arg = r.choice(["", str(self.dim(t)), "(0, -1)", "(0,)"])
            self.emit(f"{v} = {x}.squeeze({arg})")
        elif kind == 5:
            perm = list(range(n))
            r.shuffle(perm)
            self.emit(
                f"{v} = {x}.permute({', '.join(str(p - n if r.random() < 0.3 else p) for p in perm)})"  # noqa: E501
            )
        elif kind == 6:
            self.emit(f"{v} = {x}.transpose({self.dim(t)}, {self.dim(t)})")
        elif kind == 7:
            self.emit(f"{v} = {x}.{r.choice(['t()', 'T', 'mT'])}")
        elif kind == 8:
            big = tuple(r.choice([k, 2, 3]) if k == 1 else k for k in s)
            if r.random() < 0.3:
                big = (2, *big)
            args = ", ".join(str(-1 if r.random() < 0.2 and i >= len(big) - len(s) else k)
                             for i, k in enumerate(big))  # fmt: skip
            self.emit(f"{v} = {x}.expand({args})")
        elif kind == 9:
            other = self.pick(lambda u: u.dim() == n and u.dim() > 0)
            d = self.dim(t)
            items = [x, other or x, x][: r.randint(1, 3)]
            fn = r.choice(["cat", "stack"])
            self.emit(f"{v} = lib.{fn}([{', '.join(items)}], {d})")
        elif kind == 10:
            self.emit(f"{v} = {x}.{r.choice(['clone()', 'detach()', 'contiguous()'])}")
        elif kind == 11:
            dims = self.dims(t)
            self.emit(f"{v} = {x}.flip({dims if dims.startswith('(') else '(' + dims + ',)'})")
        elif kind == 12:
            self.emit(f"{v} = lib.flip({x}, [{self.dim(t)}])")
        else:
            d = self.dim(t)
            size = s[d] if n else 1
            idx = self.literal(
                tuple(k if i != (d % max(n, 1)) else r.randint(1, 3) for i, k in enumerate(s)),
                "int64",
                rg=False,
            )
            idx = idx.replace("lib.tensor(", "lib.tensor(") if size else idx
            self.emit(f"{v}i = ({idx}.abs() % {max(size, 1)})")
            self.emit(f"{v} = {x}.gather({d}, {v}i)")

    def index(self, t: torch.Tensor) -> str:
        r = self.rng
        items: list[str] = []
        for size in t.shape[: r.randint(0, t.dim())]:
            k = r.randrange(9)
            if k == 0 and size:
                items.append(str(r.randint(-size, size - 1)))
            elif k == 1:
                a, b = r.randint(-size - 1, size), r.randint(-size - 1, size + 1)
                items.append(f"{a}:{b}")
            elif k == 2:
                items.append(f"::{r.choice([1, 2, 3, -1])}")
            elif k == 3 and size:
                items.append(str([r.randint(-size, size - 1) for _ in range(r.randint(1, 3))]))
            elif k == 4 and size:
                idx = [r.randint(0, size - 1) for _ in range(r.randint(1, 3))]
                items.append(f"lib.tensor({idx})")
            elif k == 5:
                items.append("None")
            elif k == 6:
                items.append(str(r.randint(-size - 1, size)))  # maybe out of range
            else:
                items.append(":")
        if r.random() < 0.15:
            items.insert(r.randint(0, len(items)), "...")
        if not items:
            return r.choice(["...", "None", ":"])
        return ", ".join(items)

    def f_index(self) -> None:
        x = self.pick(lambda u: u.dim() > 0) or self.pick()
        if x is None:
            return
        r, v, t = self.rng, self.new(), self.t(x)
        if r.random() < 0.15:
            mask = self.literal(tuple(t.shape[: r.randint(1, max(t.dim(), 1))]), "bool", rg=False)
            self.emit(f"{v} = {x}[{mask}]")
        elif r.random() < 0.1:
            self.emit(f"{v} = {x}[{x} > 0]")
        else:
            self.emit(f"{v} = {x}[{self.index(t)}]")

    def f_setitem(self) -> None:
        x = self.pick(lambda u: u.dim() > 0)
        if x is None:
            return
        r, t = self.rng, self.t(x)
        value = self.number(_dtype_name(t))
        index = self.index(t)
        if r.random() < 0.4:
            other = self.pick(lambda u: u.dim() <= 1)
            value = other if other else value
        elif r.random() < 0.4:  # a new tensor of the shape (or a broadcast shape) of the target
            try:
                shape = tuple(eval(f"__t[{index}]", {**self.ns, "__t": t}).shape)
            except Exception:
                shape = ()
            dtype = _dtype_name(t) if r.random() < 0.8 else r.choice(DTYPES)
            value = self.literal(self.bcast_shape(shape), dtype)
        line = f"{x}[{index}] = {value}"
        k = r.random()
        if k < 0.2:
            line = f"{x}[{x} > 0] = {value}"
        elif k < 0.3:
            line = f"{x}[{index}] += {value}"
        elif k < 0.4 and t.dim() >= 1 and t.shape[0]:
            rows = [[r.randint(0, t.shape[0] - 1) for _ in range(2)] for _ in range(2)]
            line = f"{x}[lib.tensor({rows})] = {value}"  # a 2-D index tensor
        if r.random() < 0.4:
            line = "with lib.no_grad():\n    " + line
        self.emit(line)
        if r.random() < 0.3 and self.t(x).requires_grad:
            self.emit(f"({x} * {x}).sum().backward()")

    def f_inplace(self) -> None:
        x = self.pick()
        if x is None:
            return
        r, t = self.rng, self.t(x)
        kind = r.randrange(6)
        if kind == 0:
            line = f"{x}.{r.choice(INPLACE)}({self.operand(t)})"
        elif kind == 1:
            line = f"{x} {r.choice(['+=', '-=', '*=', '/=', '//=', '%=', '**='])} {self.operand(t)}"
        elif kind == 2:
            line = f"{x}.{r.choice(['zero_()', 'fill_(' + self.number('float32') + ')'])}"
        elif kind == 3:
            line = f"{x}.clamp_({self.number('float32')}, {self.number('float32')})"
        elif kind == 4:  # through a view
            view = r.choice(["[0]", "[..., :1]", ".view(-1)", ".t()" if t.dim() <= 2 else "[0]",
                             ".unsqueeze(0)", ".expand(2, *" + x + ".shape)"])  # fmt: skip
            w = self.new()
            self.emit(f"{w} = {x}{view}")
            line = f"{w}.{r.choice(INPLACE)}({self.operand(t) if r.random() < 0.5 else '2'})"
        else:
            line = f"{x}.copy_({self.operand(t)})"
        if r.random() < 0.3:
            line = "with lib.no_grad():\n    " + line
        self.emit(line)

    def f_views(self) -> None:
        """A base, views of it, an in-place op on one of them, a backward through another:
        what torch's rebasing of histories (CopySlices, AsStrided) must get right."""
        x = self.pick(lambda u: u.is_floating_point() and u.dim() > 0 and u.numel() > 0)
        if x is None:
            return
        r, t = self.rng, self.t(x)
        b = self.new()
        self.emit(f"{b} = {x} * 1" if r.random() < 0.6 else f"{b} = {x}.detach().clone()")
        forms = ["[0]", "[..., :1]", "[1:]", ".view(-1)", ".transpose(0, -1)", "[None]",
                 "[..., 0]", ".unsqueeze(-1)", ".t()" if t.dim() <= 2 else "[0]"]  # fmt: skip
        views = []
        for _ in range(r.randint(1, 3)):
            w = self.new()
            self.emit(f"{w} = {r.choice([b, *views])}{r.choice(forms)}")
            views.append(w)
        target = r.choice([*views, b])
        if target not in self.ns:
            return
        other = self.operand(self.t(target))
        op = r.choice([f".mul_({other})", f".add_({other})", ".zero_()", ".clamp_(-0.5, 0.5)",
                       f"[...] = {other}", f".copy_({other})", " /= 2"])  # fmt: skip
        self.emit(f"{target}{op}")
        out = r.choice([*views, b])
        self.emit(f"({out} * {out}).sum().backward()")

    def f_backward(self) -> None:
        x = self.pick(lambda u: u.requires_grad)
        if x is None:
            return
        r = self.rng
        retain = r.choice(["", "retain_graph=True"])
        kind = r.randrange(5)
        if kind == 0:
            self.emit(f"{x}.sum().backward({retain})")
        elif kind == 1:
            self.emit(f"({x} * {x}).mean().backward({retain})")
        elif kind == 2:
            leaves = self.tensors(lambda u: u.requires_grad and u.is_leaf)
            if not leaves:
                return
            ins = r.sample(leaves, min(len(leaves), r.randint(1, 3)))
            if r.random() < 0.2:
                ins.append(ins[0])
            unused = r.choice(["", ", allow_unused=True"])
            g = self.new()
            self.emit(f"{g} = lib.autograd.grad({x}.sum(), [{', '.join(ins)}]{unused})")
        elif kind == 3:
            self.emit(f"{x}.backward(lib.ones_like({x}){', ' + retain if retain else ''})")
        else:
            leaves = self.tensors(lambda u: u.requires_grad and u.is_leaf)
            if not leaves:
                return
            self.emit(f"{x}.sum().backward(inputs=[{r.choice(leaves)}])")

    def f_function(self) -> None:
        x = self.pick(lambda u: u.is_floating_point())
        if x is None:
            return
        r = self.rng
        a, b = self.new(), self.new()
        kind = r.randrange(6)
        if kind == 0:
            self.emit(f"{a}, {b} = Two.apply({x})")
            self.emit(f"({r.choice([a, b, a + ' + ' + b])}).sum().backward()")
        elif kind == 1:
            y = self.pick(lambda u: u.is_floating_point() and _broadcasts(u.shape, self.t(x).shape))
            self.emit(f"{a} = MulF.apply({x}, {y or x})")
        elif kind == 2:
            self.emit(f"{a}, {b} = ArgMaxF.apply({x})")
        elif kind == 3:  # three outputs, one non-differentiable, grads not materialized
            c = self.new()
            self.emit(f"{a}, {b}, {c} = Three.apply({x}, {r.choice(['2', '-0.5', '1'])})")
            used = r.choice([a, b, f"{a} + {b}", f"{a} * {b}"])
            self.emit(f"({used}).sum().backward({r.choice(['', 'retain_graph=True'])})")
        elif kind == 4:  # mark_dirty: the input changed in place and returned
            self.emit(f"{a} = {x} * 1")
            self.emit(f"{b} = Dirty.apply({a})")
            self.emit(f"({r.choice([a, b])} * {b}).sum().backward()")
        else:  # a backward that returns None for an input that requires grad
            y = self.pick(lambda u: u.is_floating_point() and u.shape == self.t(x).shape)
            self.emit(f"{a} = NoneGrad.apply({x}, {y or x})")
            self.emit(f"{a}.sum().backward()")

    def f_grad_mode(self) -> None:
        x = self.pick()
        if x is None:
            return
        r, v = self.rng, self.new()
        mode = r.choice(["lib.no_grad()", "lib.enable_grad()", "lib.set_grad_enabled(False)"])
        self.emit(f"with {mode}:\n    {v} = {x} * 2 + 1")
        if r.random() < 0.3:
            self.emit(f"{v} = {x}.detach().requires_grad_()")

    def f_dtype(self) -> None:
        x = self.pick()
        if x is None:
            return
        r, v = self.rng, self.new()
        kind = r.randrange(5)
        if kind == 0:
            self.emit(f"{v} = {x}.{r.choice(['float()', 'double()', 'long()', 'int()', 'bool()'])}")
        elif kind == 1:
            self.emit(f"{v} = {x}.to(lib.{r.choice(['float32', 'float64', 'int64', 'bool'])})")
        elif kind == 2:
            y = self.pick(lambda u: u.dim() == self.t(x).dim() and u.dim() > 0)
            self.emit(f"{v} = lib.cat([{x}, {y or x}], 0)")
        elif kind == 3:
            c = self.literal(tuple(self.t(x).shape), "bool", rg=False)
            a = r.choice([x, self.number(r.choice(DTYPES))])
            b = r.choice([x, self.number(r.choice(DTYPES)), self.literal(tuple(self.t(x).shape))])
            self.emit(f"{v} = lib.where({c}, {a}, {b})")
        else:
            self.emit(f"{v} = lib.where({x} > 0, {x}, {self.number('float32')})")

    def f_nn(self) -> None:
        r = self.rng
        i, o = r.randint(1, 3), r.randint(1, 3)
        m, x, y = self.new(), self.new(), self.new()
        bias = r.choice(["", ", bias=False"])
        w = self.nested((o, i), "float32")
        setup = [f"{m} = lib.nn.Linear({i}, {o}{bias})", "with lib.no_grad():",
                 f"    {m}.weight.copy_(lib.tensor({w}))"]  # fmt: skip
        if not bias:
            setup.append(f"    {m}.bias.copy_(lib.tensor({self.nested((o,), 'float32')}))")
        kind = r.randrange(4)
        layers = ["lib.nn.ReLU()", "lib.nn.Tanh()", "lib.nn.Sigmoid()", "lib.nn.Identity()",
                  "lib.nn.Softmax(dim=-1)", "lib.nn.LogSoftmax(dim=1)", "lib.nn.Dropout(0.5)",
                  "lib.nn.Flatten()"]  # fmt: skip
        if kind == 1:
            setup.append(f"{m} = lib.nn.Sequential({m}, {', '.join(r.sample(layers, 2))})")
            setup.append(f"{m}.eval()" if r.random() < 0.7 else f"{m}[-1:]")  # (Dropout: eval)
            if "Dropout" in setup[-2] and "eval" not in setup[-1]:
                setup[-2] = setup[-2].replace("lib.nn.Dropout(0.5)", "lib.nn.Dropout(0.0)")
        elif kind == 2:
            setup.append(f"{m} = lib.nn.ModuleList([{m}, lib.nn.Identity()])")
        elif kind == 3 and r.random() < 0.5:
            setup.append(f"{m}.weight.requires_grad_(False)")
        self.emit("\n".join(setup))
        self.emit(f"{x} = {self.literal((r.randint(1, 3), i), 'float32', rg=r.random() < 0.3)}")
        call = f"{m}[0]({x})" if kind == 2 else f"{m}({x})"
        n = f"{y}.shape[0]"
        loss = r.choice(
            [
                f"({y} ** 2).sum()",
                f"lib.nn.functional.mse_loss({y}, {y}.detach() * 0.5)",
                f"lib.nn.functional.mse_loss({y}, lib.zeros_like({y}), reduction='sum')",
                f"lib.nn.MSELoss(reduction='none')({y}, lib.ones_like({y})).sum()",
                f"lib.nn.functional.cross_entropy({y}, lib.zeros({n}, dtype=lib.int64))",
                f"lib.nn.CrossEntropyLoss()({y}, lib.zeros({n}, dtype=lib.int64))",
                f"lib.nn.functional.nll_loss({y}.log_softmax(1), lib.zeros({n}, dtype=lib.int64))",
                f"lib.nn.functional.binary_cross_entropy_with_logits({y}, lib.ones_like({y}))",
                f"lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor(2.0))({y}, {y}.detach() > 0)",
                f"lib.nn.functional.gelu({y}).sum()",
                f"lib.nn.functional.softplus({y}, beta=2.0).sum()",
            ]
        )
        loss = loss.replace(f"{y}.detach() > 0)", f"({y}.detach() > 0).float())")
        self.emit(f"{y} = {call}")
        self.emit(f"{loss}.backward()")
        self.emit(f"{self.new()} = [p.grad for p in {m}.parameters()]")
        if r.random() < 0.3:
            self.emit(f"{self.new()} = [n for n, _ in {m}.named_parameters()]")

    def f_optim(self) -> None:
        r = self.rng
        p, q = self.new(), self.new()
        dtype = r.choice(["float32", "float64"])
        self.emit(f"{p} = {self.literal(r.choice([(), (2,), (2, 2)]), dtype, rg=True)}")
        two = r.random() < 0.3  # a second parameter (0-d or not), maybe in its own group
        if two:
            self.emit(f"{q} = {self.literal(r.choice([(), (3,)]), dtype, rg=True)}")
        params = f"[{p}]"
        if two:
            params = r.choice(
                [f"[{p}, {q}]", f"[{{'params': [{p}]}}, {{'params': [{q}], 'lr': 0.05}}]"]
            )
        kind = r.randrange(3)
        if kind == 0:
            opts = [f"lr={r.choice([0.1, 0.01])}"]
            if r.random() < 0.6:
                opts.append(f"momentum={r.choice([0.9, 0.5])}")
                if r.random() < 0.3:
                    opts.append(r.choice(["nesterov=True", "dampening=0.1"]))
            if r.random() < 0.5:
                opts.append(f"weight_decay={r.choice([0.1, 0.01])}")
            opt = f"lib.optim.SGD({params}, {', '.join(opts)})"
        else:
            name = "Adam" if kind == 1 else "AdamW"
            opts = [f"lr={r.choice([0.1, 0.01])}"]
            if r.random() < 0.5:
                opts.append(f"weight_decay={r.choice([0.1, 0.01, 0.0])}")
            if r.random() < 0.3:
                opts.append("amsgrad=True")
            if r.random() < 0.3:
                opts.append("betas=(0.8, 0.9)")
            if r.random() < 0.2:
                opts.append("eps=0.1")
            opt = f"lib.optim.{name}({params}, {', '.join(opts)})"
        o = self.new()
        loss = r.choice([f"({p} ** 2).sum()", f"({p}.sin() * 3).sum()", f"({p} - 1).abs().sum()"])
        if two:
            loss += f" + ({q} * {q}).mean()"
        steps = r.randint(1, 4)
        zero = r.choice(["zero_grad()", "zero_grad()", "zero_grad(set_to_none=False)"])
        body = f"    {o}.{zero}\n    ({loss}).backward()\n    {o}.step()"
        if r.random() < 0.2:
            body += f"\n    {o}.param_groups[0]['lr'] *= 0.5"
        self.emit(f"{o} = {opt}\nfor _ in range({steps}):\n{body}")

    def f_scalar(self) -> None:
        x = self.pick()
        if x is None:
            return
        v = self.new()
        self.emit(
            f"{v} = {self.rng.choice(['float', 'int', 'bool'])}({x})"
            if self.rng.random() < 0.3
            else f"{v} = {x}.{self.rng.choice(['item()', 'tolist()', 'shape', 'numel()', 'dim()'])}"
        )


def _broadcasts(a: Any, b: Any) -> bool:
    try:
        torch.broadcast_shapes(a, b)
    except RuntimeError:
        return False
    return True


FAMILIES = [
    ("create", 3), ("factory", 1.5), ("unary", 3), ("binary", 4), ("reduce", 3), ("matmul", 1.5),
    ("shape", 3), ("index", 3), ("setitem", 1.5), ("inplace", 2), ("views", 1.5),
    ("backward", 2.5),
    ("function", 1), ("grad_mode", 1), ("dtype", 1.5), ("nn", 0.7), ("optim", 0.7), ("scalar", 1),
]  # fmt: skip


def program(seed: int, n_statements: int = 12) -> list[str]:
    """The program of ``seed``: ``n_statements`` statements (the same every time)."""
    return Generator(seed).program(n_statements)
