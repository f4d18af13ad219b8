"""Fair grading of exercise 07 (gradients of gradients): known-wrong answers lose the
question's points in every one of many random draws, and correct answers written differently
keep them in every draw.

Only the cases live here; ``tests/test_grade_fairness.py`` runs and judges them with its own
(the same for every exercise).
"""

from __future__ import annotations

E07 = "07_higher_order"

LAPLACIAN_LOOP = (
    "    total = 0.0\n"
    "    for i in range(x.shape[0]):\n"
    "        (row,) = minigrad.autograd.grad(g[i], x, retain_graph=True)  # row i of H\n"
    "        total += row[i].item()\n"
    "    return total\n"
)
LAPLACIAN_GRAD = "    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)\n"
JVP_SEED = "    u = minigrad.zeros_like(y, requires_grad=True)  # any value: J^T u is linear in u\n"
JVP_BODY = (
    "    x = x.detach().requires_grad_()\n"
    "    y = func(x)\n"
    + JVP_SEED
    + "    (vjp,) = minigrad.autograd.grad(y, x, grad_outputs=u, create_graph=True)\n"
    "    (jv,) = minigrad.autograd.grad(vjp, u, grad_outputs=v)\n"
    "    return jv\n"
)
LOGCOSH_FORWARD = "        return a + minigrad.log1p(minigrad.exp(-2 * a)) - math.log(2)"
LOGCOSH_BACKWARD = (
    "        return grad_output * x.tanh()  # minigrad ops: recorded under create_graph=True"
)
SMOOTH_SAVE = (
    "        ctx.save_for_backward(x)  # not r: computed with recording off, it is a constant"
)
SMOOTH_BACKWARD = (
    "        (x,) = ctx.saved_tensors\n"
    "        return grad_output * x / (x * x + 1).sqrt()  # r again, recorded from x"
)
HVP_FIX = (
    "    g = w.grad\n"
    "    w.grad = None  # backward() adds into .grad: the second one must start from nothing\n"
    "    (g * v).sum().backward()\n"
)

#: (id, exercise, question, replacements): each must score 0 on the question in every draw.
WRONG: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    # q1: the Laplacian ---------------------------------------------------------------------
    (
        "Laplacian as the sum of the gradient of g.sum() (column sums of H)",
        E07,
        "q1",
        [
            (
                LAPLACIAN_LOOP,
                "    (sums,) = minigrad.autograd.grad(g.sum(), x)\n    return sums.sum().item()\n",
            )
        ],
    ),
    (
        "Laplacian summing whole rows of H",
        E07,
        "q1",
        [("        total += row[i].item()", "        total += row.sum().item()")],
    ),
    (
        "Laplacian without create_graph",
        E07,
        "q1",
        [(LAPLACIAN_GRAD, "    (g,) = minigrad.autograd.grad(f(x), x)\n")],
    ),
    (
        "Laplacian by second differences",
        E07,
        "q1",
        [
            (
                LAPLACIAN_GRAD + LAPLACIAN_LOOP,
                "    x0, h, total = x.detach().numpy(), 1e-4, 0.0\n"
                "    fx = f(minigrad.tensor(x0)).item()\n"
                "    for i in range(len(x0)):\n"
                "        e = np.zeros_like(x0)\n"
                "        e[i] = h\n"
                "        up = f(minigrad.tensor(x0 + e)).item()\n"
                "        down = f(minigrad.tensor(x0 - e)).item()\n"
                "        total += (up - 2 * fx + down) / h**2\n"
                "    return total\n",
            )
        ],
    ),
    # q2: jvp -------------------------------------------------------------------------------
    (
        "jvp returning J^T v (one reverse pass seeded with v)",
        E07,
        "q2",
        [
            (
                JVP_BODY,
                "    x = x.detach().requires_grad_()\n"
                "    y = func(x)\n"
                "    (vjp,) = minigrad.autograd.grad(y, x, grad_outputs=v.reshape(y.shape))\n"
                "    return vjp\n",
            )
        ],
    ),
    (
        "jvp by a central difference",
        E07,
        "q2",
        [
            (
                JVP_BODY,
                "    h = 1e-5\n"
                "    f = lambda t: func((x + t * v).requires_grad_()).detach()\n"
                "    return (f(h) - f(-h)) / (2 * h)\n",
            )
        ],
    ),
    (
        "jvp by a fourth-order central difference",
        E07,
        "q2",
        [
            (
                JVP_BODY,
                "    h = 1e-3\n"
                "    f = lambda t: func((x + t * v).requires_grad_()).detach()\n"
                "    return (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h)\n",
            )
        ],
    ),
    (
        "jvp without create_graph",
        E07,
        "q2",
        [
            (
                "grad_outputs=u, create_graph=True)",
                "grad_outputs=u)",
            )
        ],
    ),
    (
        "jvp with the seed that does not require grad",
        E07,
        "q2",
        [(JVP_SEED, "    u = minigrad.zeros_like(y)\n")],
    ),
    (
        "jvp from minigrad.autograd.functional",
        E07,
        "q2",
        [(JVP_BODY, "    return minigrad.autograd.functional.jvp(func, x, v)[1]\n")],
    ),
    # q3: LogCoshFunction -------------------------------------------------------------------
    (
        "LogCosh backward through numpy",
        E07,
        "q3",
        [
            (
                LOGCOSH_BACKWARD,
                "        dy, xs = grad_output.detach().numpy(), x.detach().numpy()\n"
                "        return minigrad.tensor(dy * np.tanh(xs))",
            )
        ],
    ),
    (
        "LogCosh backward on x.detach()",
        E07,
        "q3",
        [(LOGCOSH_BACKWARD, "        return grad_output * x.detach().tanh()")],
    ),
    (
        "LogCosh backward on grad_output.detach()",
        E07,
        "q3",
        [(LOGCOSH_BACKWARD, "        return grad_output.detach() * x.tanh()")],
    ),
    (
        "LogCosh forward written literally (inf at 800)",
        E07,
        "q3",
        [(LOGCOSH_FORWARD, "        return x.cosh().log()")],
    ),
    (
        "LogCosh backward as sinh / cosh (nan at 800)",
        E07,
        "q3",
        [(LOGCOSH_BACKWARD, "        return grad_output * x.sinh() / x.cosh()")],
    ),
    (
        "LogCosh backward marked once_differentiable",
        E07,
        "q3",
        [
            (
                "    @staticmethod\n    def backward(ctx, grad_output):\n"
                "        ### BEGIN SOLUTION\n"
                "        (x,) = ctx.saved_tensors\n" + LOGCOSH_BACKWARD,
                "    @staticmethod\n    @minigrad.autograd.once_differentiable\n"
                "    def backward(ctx, grad_output):\n        ### BEGIN SOLUTION\n"
                "        (x,) = ctx.saved_tensors\n" + LOGCOSH_BACKWARD,
            )
        ],
    ),
    (
        "LogCosh forward with a float64 numpy constant (float32 becomes float64)",
        E07,
        "q3",
        [
            (
                LOGCOSH_FORWARD,
                "        xs = x.detach().numpy()\n"
                "        return minigrad.tensor(np.logaddexp(xs, -xs) - np.log(2.0))",
            )
        ],
    ),
    # q4: SmoothAbsFunction ----------------------------------------------------------------
    (
        "SmoothAbs left as given (the saved intermediate r)",
        E07,
        "q4",
        [
            (SMOOTH_SAVE, "        ctx.save_for_backward(x, r)"),
            (
                SMOOTH_BACKWARD,
                "        x, r = ctx.saved_tensors\n        return grad_output * x / r",
            ),
        ],
    ),
    (
        "SmoothAbs backward recomputing r with numpy",
        E07,
        "q4",
        [
            (
                SMOOTH_BACKWARD,
                "        (x,) = ctx.saved_tensors\n"
                "        r = minigrad.tensor(np.sqrt(x.detach().numpy() ** 2 + 1))\n"
                "        return grad_output * x / r",
            )
        ],
    ),
    (
        "SmoothAbs backward marked once_differentiable",
        E07,
        "q4",
        [
            (
                "    @staticmethod\n    def backward(ctx, grad_output):\n"
                "        ### BEGIN SOLUTION\n"
                "        (x,) = ctx.saved_tensors\n        return grad_output * x / (x * x",
                "    @staticmethod\n    @minigrad.autograd.once_differentiable\n"
                "    def backward(ctx, grad_output):\n        ### BEGIN SOLUTION\n"
                "        (x,) = ctx.saved_tensors\n        return grad_output * x / (x * x",
            )
        ],
    ),
    # q5: hvp by two backward() calls ------------------------------------------------------
    (
        "hvp left as given (.grad accumulates)",
        E07,
        "q5",
        [(HVP_FIX, "    (w.grad * v).sum().backward()\n")],
    ),
    (
        "hvp subtracting the gradient afterwards (it was added into in place)",
        E07,
        "q5",
        [
            (
                HVP_FIX,
                "    g = w.grad\n    (g * v).sum().backward()\n    return w.grad - g\n",
            )
        ],
    ),
    (
        "hvp by a central difference of the gradient",
        E07,
        "q5",
        [
            (
                HVP_FIX,
                "    def grad_at(t):\n"
                "        p = (w.detach() + t * v).requires_grad_()\n"
                "        f(p).backward()\n"
                "        return p.grad\n\n"
                "    h = 1e-5\n"
                "    return (grad_at(h) - grad_at(-h)) / (2 * h)\n",
            )
        ],
    ),
    (
        "hvp with a plain gradient, no create_graph",
        E07,
        "q5",
        [
            (
                "    f(w).backward(create_graph=True)",
                "    f(w).backward()",
            )
        ],
    ),
    # q6: predictions ----------------------------------------------------------------------
    (
        "predict: one backward counted in (a)",
        E07,
        "q6",
        [('"a": [24.0, True]', '"a": [12.0, True]')],
    ),
    (
        "predict: a gradient under create_graph taken for a leaf in (b)",
        E07,
        "q6",
        [('"b": [True, False, False, True]', '"b": [True, True, False, True]')],
    ),
    ("predict: x.grad replaced, not added to, in (c)", E07, "q6", [('"c": 8.0', '"c": 2.0')]),
    (
        "predict: relu without a second derivative in (d)",
        E07,
        "q6",
        [('"d": [[0.0, 0.0, 4.0], [0.0, 0.0, 2.0]]', '"d": [[0.0, 0.0, 4.0], [0.0, 0.0, 0.0]]')],
    ),
    (
        "predict: the numpy backward differentiated anyway in (e)",
        E07,
        "q6",
        [('"e": [16.0, 2.0]', '"e": [16.0, 14.0]')],
    ),
    (
        "predict: the Hessian's shape as a matrix in (f)",
        E07,
        "q6",
        [('"f": [2, 3, 2, 3]', '"f": [6, 6]')],
    ),
]

#: (id, exercise, question, replacements): each must keep full marks in every draw.
RIGHT: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "Laplacian as the trace of autograd.functional.hessian",
        E07,
        "q1",
        [
            (
                LAPLACIAN_GRAD + LAPLACIAN_LOOP,
                "    H = minigrad.autograd.functional.hessian(f, x.detach())\n"
                "    return float(np.trace(H.numpy()))\n",
            )
        ],
    ),
    (
        "Laplacian by one-hot seeds",
        E07,
        "q1",
        [
            (
                LAPLACIAN_LOOP,
                "    eye = np.eye(x.shape[0])\n"
                "    rows = [\n"
                "        minigrad.autograd.grad(g, x, grad_outputs=minigrad.tensor(e), "
                "retain_graph=True)[0]\n"
                "        for e in eye\n"
                "    ]\n"
                "    return minigrad.stack(rows).numpy().trace()\n",
            )
        ],
    ),
    (
        "jvp with a seed of ones",
        E07,
        "q2",
        [(JVP_SEED, "    u = minigrad.ones_like(y).requires_grad_()\n")],
    ),
    (
        "jvp with a random seed, result as numpy",
        E07,
        "q2",
        [
            (JVP_SEED, "    u = minigrad.randn(y.shape, dtype=y.dtype, requires_grad=True)\n"),
            ("    return jv\n", "    return jv.numpy()\n"),
        ],
    ),
    (
        "jvp from the Jacobian built row by row",
        E07,
        "q2",
        [
            (
                JVP_BODY,
                "    x = x.detach().requires_grad_()\n"
                "    y = func(x)\n"
                "    flat = y.reshape(-1)\n"
                "    rows = [\n"
                "        minigrad.autograd.grad(flat[k], x, retain_graph=True)[0].numpy()\n"
                "        for k in range(flat.shape[0])\n"
                "    ]\n"
                "    return (np.array(rows) @ v.numpy()).reshape(y.shape)\n",
            )
        ],
    ),
    (
        "LogCosh backward with minigrad.tanh, forward with softplus",
        E07,
        "q3",
        [
            (LOGCOSH_BACKWARD, "        return minigrad.tanh(x) * grad_output"),
            (
                LOGCOSH_FORWARD,
                "        return a + minigrad.nn.functional.softplus(-2 * a) - math.log(2)",
            ),
        ],
    ),
    (
        "LogCosh forward in numpy (forward needs no graph)",
        E07,
        "q3",
        [
            (
                LOGCOSH_FORWARD,
                "        xs = x.detach().numpy()\n"
                "        log2 = xs.dtype.type(math.log(2))\n"
                "        return minigrad.tensor(np.logaddexp(xs, -xs) - log2)",
            )
        ],
    ),
    (
        "SmoothAbs saving its output",
        E07,
        "q4",
        [
            (
                SMOOTH_SAVE,
                "        y = r - 1\n        ctx.save_for_backward(x, y)\n        return y",
            ),
            (
                SMOOTH_BACKWARD,
                "        x, y = ctx.saved_tensors\n        return grad_output * x / (y + 1)",
            ),
        ],
    ),
    (
        "SmoothAbs with rsqrt",
        E07,
        "q4",
        [
            (
                SMOOTH_BACKWARD,
                "        (x,) = ctx.saved_tensors\n"
                "        return grad_output * x * (x * x + 1).rsqrt()",
            )
        ],
    ),
    (
        "hvp with autograd.grad for the second pass",
        E07,
        "q5",
        [
            (
                HVP_FIX,
                "    (hv,) = minigrad.autograd.grad((w.grad * v).sum(), w)\n    return hv\n",
            )
        ],
    ),
    (
        "hvp subtracting a copy of the gradient taken before",
        E07,
        "q5",
        [
            (
                HVP_FIX,
                "    g0 = w.grad.detach().clone()\n    (w.grad * v).sum().backward()\n"
                "    return w.grad - g0\n",
            )
        ],
    ),
    (
        "predictions as other numbers",
        E07,
        "q6",
        [
            ('"a": [24.0, True]', '"a": (24, 1)'),
            ('"c": 8.0', '"c": 8'),
            ('"f": [2, 3, 2, 3]', '"f": (2.0, 3.0, 2.0, 3.0)'),
        ],
    ),
]
