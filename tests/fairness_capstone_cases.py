"""Fair grading of the questions exercises 05 and 06 added in the build-along track (05 q5-q7:
a binary kernel entry, a debug and a predict question; 06 q4-q8: LayerNorm, RMSprop, a training
loop to debug, predictions and the capstone's training): known-wrong answers lose the
question's points in every one of many random draws, and correct answers written differently
keep them in every draw.

Only the cases live here; ``tests/test_grade_fairness.py`` runs and judges them with its own
(the same for every exercise).
"""

from __future__ import annotations

E05, E06 = "05_framework_kernels", "06_training"

LOGADDEXP_A = "    return dy * np.where(a >= b, 1 / (1 + e), e / (1 + e))"
LOGADDEXP_B = "    return dy * np.where(b >= a, 1 / (1 + e), e / (1 + e))"
LOGADDEXP_FORWARD = "    return np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b)))"
SELU_FIXED = "return dy * np.where(y > 0, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA)"
LN_VARIANCE = "        variance = (centred * centred).mean(dim=dims, keepdim=True)"
LN_RETURN = "        return centred / (variance + self.eps).sqrt() * self.weight + self.bias"
RMS_UPDATE = (
    "                square_avg *= alpha\n                square_avg += (1 - alpha) * grad * grad"
)
LOOP_FIXED = (
    "        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n"
    "        losses.append(loss.item())"
)
TRAIN_STEP = "            optimizer.step()\n    ### END SOLUTION"

#: (id, exercise, question, replacements): each must score 0 on the question in every draw.
WRONG: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    # 05 q5: logaddexp ---------------------------------------------------------------------
    (
        "logaddexp forward written literally (overflows)",
        E05,
        "q5",
        [(LOGADDEXP_FORWARD, "    return np.log(np.exp(a) + np.exp(b))")],
    ),
    (
        "logaddexp forward: the maximum only",
        E05,
        "q5",
        [(LOGADDEXP_FORWARD, "    return np.maximum(a, b)")],
    ),
    (
        "logaddexp backward written literally (nan at 1000)",
        E05,
        "q5",
        [(LOGADDEXP_A, "    return dy * np.exp(a) / (np.exp(a) + np.exp(b))")],
    ),
    (
        "logaddexp backward from the saved y (float32 loses digits at 1000)",
        E05,
        "q5",
        [
            (LOGADDEXP_A, "    return dy * np.exp(a - y)"),
            (LOGADDEXP_B, "    return dy * np.exp(b - y)"),
        ],
    ),
    ("logaddexp: b's gradient is a's", E05, "q5", [(LOGADDEXP_B, LOGADDEXP_A)]),
    (
        "logaddexp backward without dy",
        E05,
        "q5",
        [(LOGADDEXP_A, "    return np.where(a >= b, 1 / (1 + e), e / (1 + e))")],
    ),
    (
        "logaddexp backward as maximum's (all to the larger)",
        E05,
        "q5",
        [
            (LOGADDEXP_A, "    return dy * np.where(a >= b, 1.0, 0.0)"),
            (LOGADDEXP_B, "    return dy * np.where(b > a, 1.0, 0.0)"),
        ],
    ),
    (
        "logaddexp backward written into dy (b's gradient then wrong)",
        E05,
        "q5",
        [(LOGADDEXP_A, "    dy *= np.where(a >= b, 1 / (1 + e), e / (1 + e))\n    return dy")],
    ),
    # 05 q6: SELU (debug) ------------------------------------------------------------------
    (
        "SELU: the planted bugs left in",
        E05,
        "q6",
        [
            (
                SELU_FIXED,
                "return dy * np.where(y >= 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(y))",
            )
        ],
    ),
    (
        "SELU: exp(y) fixed, >= at 0 left",
        E05,
        "q6",
        [(SELU_FIXED, "return dy * np.where(y >= 0, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA)")],
    ),
    (
        "SELU: >= fixed, exp(y) left",
        E05,
        "q6",
        [
            (
                SELU_FIXED,
                "return dy * np.where(y > 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(y))",
            )
        ],
    ),
    (
        "SELU: the entry switched to save x, the backward still reads y",
        E05,
        "q6",
        [('selu_backward, saves="y")', 'selu_backward, saves="x")')],
    ),
    (
        "SELU: boolean masks times a Python float (float64)",
        E05,
        "q6",
        [
            (
                SELU_FIXED,
                "return dy * (SELU_SCALE * (y > 0) + (y <= 0) * (y + SELU_SCALE * SELU_ALPHA))",
            )
        ],
    ),
    (
        "SELU: scale * alpha as np.float64",
        E05,
        "q6",
        [
            (
                SELU_FIXED,
                "return dy * np.where(y > 0, SELU_SCALE, y + np.float64(SELU_SCALE * SELU_ALPHA))",
            )
        ],
    ),
    # 05 q7: predictions -------------------------------------------------------------------
    (
        "predict: factor needs a grad",
        E05,
        "q7",
        [('"a": [True, False, False]', '"a": [True, False, True]')],
    ),
    (
        "predict: b needs a grad",
        E05,
        "q7",
        [('"a": [True, False, False]', '"a": [True, True, False]')],
    ),
    ("predict: sigmoid saves its input", E05, "q7", [('"b": False', '"b": True')]),
    ("predict: sin saves its output", E05, "q7", [('"c": True', '"c": False')]),
    ("predict: mul saves both operands", E05, "q7", [('"d": False', '"d": True')]),
    (
        "predict: a 0-d float64 tensor promotes",
        E05,
        "q7",
        [('"e": [False, False]', '"e": [True, False]')],
    ),
    (
        "predict: the gradient follows the output",
        E05,
        "q7",
        [('"e": [False, False]', '"e": [True, True]')],
    ),
    ("predict 05: one left out", E05, "q7", [('"e": [False, False]', '"e": None')]),
    # 06 q4: LayerNorm ---------------------------------------------------------------------
    (
        "LayerNorm with the unbiased variance",
        E06,
        "q4",
        [(LN_VARIANCE, "        variance = x.var(dim=dims, keepdim=True)")],
    ),
    (
        "LayerNorm with eps outside the square root",
        E06,
        "q4",
        [
            (
                LN_RETURN,
                "        return centred / (variance.sqrt() + self.eps) * self.weight + self.bias",
            )
        ],
    ),
    (
        "LayerNorm without eps",
        E06,
        "q4",
        [(LN_RETURN, "        return centred / variance.sqrt() * self.weight + self.bias")],
    ),
    (
        "LayerNorm over the batch (BatchNorm's axis)",
        E06,
        "q4",
        [("        dims = tuple(range(-len(self.normalized_shape), 0))", "        dims = (0,)")],
    ),
    (
        "LayerNorm over the last dimension only",
        E06,
        "q4",
        [("        dims = tuple(range(-len(self.normalized_shape), 0))", "        dims = (-1,)")],
    ),
    (
        "LayerNorm without its shift",
        E06,
        "q4",
        [(LN_RETURN, "        return centred / (variance + self.eps).sqrt() * self.weight")],
    ),
    (
        "LayerNorm's weight and bias not Parameters",
        E06,
        "q4",
        [
            (
                "        self.weight = nn.Parameter(np.ones(self.normalized_shape, "
                "dtype=np.float32))\n"
                "        self.bias = nn.Parameter(np.zeros(self.normalized_shape, "
                "dtype=np.float32))",
                "        self.weight = minigrad.ones(*self.normalized_shape, requires_grad=True)\n"
                "        self.bias = minigrad.zeros(*self.normalized_shape, requires_grad=True)",
            )
        ],
    ),
    (
        "LayerNorm with float64 parameters (a float32 input gives float64)",
        E06,
        "q4",
        [
            (
                "nn.Parameter(np.ones(self.normalized_shape, dtype=np.float32))",
                "nn.Parameter(np.ones(self.normalized_shape))",
            ),
            (
                "nn.Parameter(np.zeros(self.normalized_shape, dtype=np.float32))",
                "nn.Parameter(np.zeros(self.normalized_shape))",
            ),
        ],
    ),
    (
        "LayerNorm's weight starting random",
        E06,
        "q4",
        [
            (
                "nn.Parameter(np.ones(self.normalized_shape, dtype=np.float32))",
                "nn.Parameter(np.random.default_rng().uniform(0.5, 1.5, self.normalized_shape)"
                ".astype(np.float32))",
            )
        ],
    ),
    # 06 q5: RMSprop -----------------------------------------------------------------------
    (
        "RMSprop with eps inside the square root",
        E06,
        "q5",
        [('np.sqrt(square_avg) + group["eps"]', 'np.sqrt(square_avg + group["eps"])')],
    ),
    (
        "RMSprop's alpha and 1 - alpha swapped",
        E06,
        "q5",
        [
            (
                RMS_UPDATE,
                "                square_avg *= 1 - alpha\n"
                "                square_avg += alpha * grad * grad",
            )
        ],
    ),
    (
        "RMSprop's square average starting at g**2",
        E06,
        "q5",
        [
            (
                '                    state["square_avg"] = np.zeros_like(param)',
                '                    state["square_avg"] = grad * grad',
            )
        ],
    ),
    (
        "RMSprop's state forgotten between steps",
        E06,
        "q5",
        [
            (
                "                state = self.state.setdefault(id(p), {})",
                "                state = {}",
            )
        ],
    ),
    (
        "RMSprop with decoupled weight decay (AdamW's)",
        E06,
        "q5",
        [
            (
                '                    grad = grad + group["weight_decay"] * param',
                '                    param -= group["lr"] * group["weight_decay"] * param',
            )
        ],
    ),
    (
        "RMSprop reads lr from the defaults, not the group",
        E06,
        "q5",
        [('group["lr"]', 'self.defaults["lr"]')],
    ),
    (
        "RMSprop without momentum",
        E06,
        "q5",
        [("                if momentum > 0:", "                if False:")],
    ),
    (
        "RMSprop rebinding the parameter instead of updating it in place",
        E06,
        "q5",
        [
            (
                '                    param -= group["lr"] * buffer\n',
                '                    param = param - group["lr"] * buffer\n',
            ),
            (
                '                    param -= group["lr"] * grad / denominator',
                '                    param = param - group["lr"] * grad / denominator',
            ),
        ],
    ),
    # 06 q6: the training loop (debug) -----------------------------------------------------
    (
        "train_steps: the planted bugs left in",
        E06,
        "q6",
        [
            (
                LOOP_FIXED,
                "        loss.backward()\n        optimizer.step()\n        losses.append(loss)",
            )
        ],
    ),
    (
        "train_steps: zero_grad still missing",
        E06,
        "q6",
        [
            (
                LOOP_FIXED,
                "        loss.backward()\n        optimizer.step()\n"
                "        losses.append(loss.item())",
            )
        ],
    ),
    (
        "train_steps: the loss tensors still kept",
        E06,
        "q6",
        [(LOOP_FIXED, LOOP_FIXED.replace("loss.item()", "loss"))],
    ),
    (
        "train_steps: zero_grad between backward and step",
        E06,
        "q6",
        [
            (
                LOOP_FIXED,
                "        loss.backward()\n        optimizer.zero_grad()\n        optimizer.step()\n"
                "        losses.append(loss.item())",
            )
        ],
    ),
    # 06 q7: predictions -------------------------------------------------------------------
    ("predict: no momentum", E06, "q7", [('"a": -1.122', '"a": -0.6')]),
    ("predict: momentum with dampening", E06, "q7", [('"a": -1.122', '"a": -0.542')]),
    ("predict: Adam steps like SGD", E06, "q7", [('"b": 0.9', '"b": -99.0')]),
    ("predict: zero_grad leaves zeros", E06, "q7", [('"c": [True, 0.8]', '"c": [False, 0.8]')]),
    ("predict: the step is lr * 1", E06, "q7", [('"c": [True, 0.8]', '"c": [True, 0.9]')]),
    (
        "predict: dropout does not rescale",
        E06,
        "q7",
        [('"d": [0.0, 2.0, 1.0]', '"d": [0.0, 1.0, 1.0]')],
    ),
    (
        "predict: dropout still on in eval",
        E06,
        "q7",
        [('"d": [0.0, 2.0, 1.0]', '"d": [0.0, 2.0, 0.0, 2.0]')],
    ),
    (
        "predict: no_grad output requires grad",
        E06,
        "q7",
        [('"e": [False, True, True]', '"e": [True, True, True]')],
    ),
    (
        "predict: no_grad switches w off",
        E06,
        "q7",
        [('"e": [False, True, True]', '"e": [False, True, False]')],
    ),
    # 06 q8: the capstone ------------------------------------------------------------------
    (
        "capstone: the optimizer never steps",
        E06,
        "q8",
        [(TRAIN_STEP, "            pass\n    ### END SOLUTION")],
    ),
    ("capstone: a learning rate far too small", E06, "q8", [("lr=0.002", "lr=1e-6")]),
    (
        "capstone: a network without the student's LayerNorm",
        E06,
        "q8",
        [("nn.Linear(64, 64), LayerNorm(64), nn.ReLU()", "nn.Linear(64, 64), nn.ReLU()")],
    ),
    (
        "capstone: one step only",
        E06,
        "q8",
        [(TRAIN_STEP, "            optimizer.step()\n            return\n    ### END SOLUTION")],
    ),
]

#: (id, exercise, question, replacements): correct answers written differently; each keeps
#: full marks in every draw.
RIGHT: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("numpy's logaddexp", E05, "q5", [(LOGADDEXP_FORWARD, "    return np.logaddexp(a, b)")]),
    (
        "logaddexp gradients with scipy's expit",
        E05,
        "q5",
        [
            (LOGADDEXP_A, "    from scipy.special import expit\n\n    return dy * expit(a - b)"),
            (LOGADDEXP_B, "    from scipy.special import expit\n\n    return dy * expit(b - a)"),
        ],
    ),
    (
        "logaddexp gradients as 1 / (1 + exp(b - a)), as torch writes them (overflow is fine)",
        E05,
        "q5",
        [
            (LOGADDEXP_A, "    return dy / (1 + np.exp(b - a))"),
            (LOGADDEXP_B, "    return dy / (1 + np.exp(a - b))"),
        ],
    ),
    (
        "SELU saving x instead",
        E05,
        "q6",
        [
            (
                SELU_FIXED,
                "return dy * np.where(y > 0, SELU_SCALE, SELU_SCALE * SELU_ALPHA * np.exp(y))",
            ),
            ('selu_backward, saves="y")', 'selu_backward, saves="x")'),
        ],
    ),
    (
        "SELU recovering x from y",
        E05,
        "q6",
        [
            (
                SELU_FIXED,
                "scale_alpha = SELU_SCALE * SELU_ALPHA\n"
                "    negative = scale_alpha * np.exp(np.log1p(y / scale_alpha))\n"
                "    return dy * np.where(y > 0, SELU_SCALE, negative)",
            )
        ],
    ),
    (
        "predictions as numbers",
        E05,
        "q7",
        [
            ('"a": [True, False, False]', '"a": (1, 0, 0)'),
            ('"b": False', '"b": 0'),
            ('"c": True', '"c": 1.0'),
        ],
    ),
    (
        "LayerNorm with var(unbiased=False) and rsqrt",
        E06,
        "q4",
        [
            (LN_VARIANCE, "        variance = x.var(dim=dims, unbiased=False, keepdim=True)"),
            (
                LN_RETURN,
                "        return centred * (variance + self.eps).rsqrt() * self.weight + self.bias",
            ),
        ],
    ),
    (
        "LayerNorm's variance as E[x^2] - E[x]^2",
        E06,
        "q4",
        [
            (
                LN_VARIANCE,
                "        mean = x.mean(dim=dims, keepdim=True)\n"
                "        variance = (x * x).mean(dim=dims, keepdim=True) - mean * mean",
            )
        ],
    ),
    (
        "LayerNorm's parameters from minigrad factories",
        E06,
        "q4",
        [
            (
                "nn.Parameter(np.ones(self.normalized_shape, dtype=np.float32))",
                "nn.Parameter(minigrad.ones(*self.normalized_shape))",
            ),
            (
                "nn.Parameter(np.zeros(self.normalized_shape, dtype=np.float32))",
                "nn.Parameter(minigrad.zeros(*self.normalized_shape))",
            ),
        ],
    ),
    (
        "RMSprop with lr inside the momentum buffer",
        E06,
        "q5",
        [
            (
                "                    buffer += grad / denominator\n"
                '                    param -= group["lr"] * buffer',
                '                    buffer += group["lr"] * grad / denominator\n'
                "                    param -= buffer",
            )
        ],
    ),
    (
        "RMSprop on tensors under no_grad",
        E06,
        "q5",
        [
            (
                "                param, grad = p.detach().numpy(), p.grad.numpy()",
                "                param, grad = p, p.grad",
            ),
            (
                'state["square_avg"] = np.zeros_like(param)',
                'state["square_avg"] = minigrad.zeros_like(param)',
            ),
            (
                'state["momentum_buffer"] = np.zeros_like(param)',
                'state["momentum_buffer"] = minigrad.zeros_like(param)',
            ),
            ("np.sqrt(square_avg)", "square_avg.sqrt()"),
            (
                "        for group in self.param_groups:\n            alpha, momentum",
                "        with minigrad.no_grad():\n            self._step()\n\n"
                "    def _step(self):\n"
                "        for group in self.param_groups:\n            alpha, momentum",
            ),
        ],
    ),
    (
        "train_steps with model.zero_grad() after the step",
        E06,
        "q6",
        [
            (
                LOOP_FIXED,
                "        loss.backward()\n        optimizer.step()\n        model.zero_grad()\n"
                "        losses.append(float(loss))",
            )
        ],
    ),
    (
        "predictions as other numbers",
        E06,
        "q7",
        [
            ('"d": [0.0, 2.0, 1.0]', '"d": [0, 2, 1]'),
            ('"e": [False, True, True]', '"e": (0, 1, 1)'),
        ],
    ),
    (
        "capstone: a wider network with RMSprop's momentum",
        E06,
        "q8",
        [
            (
                "nn.Linear(64, 64), LayerNorm(64), nn.ReLU(), nn.Linear(64, 10)",
                "nn.Linear(64, 128), LayerNorm(128), nn.Tanh(), nn.Linear(128, 10)",
            ),
            (
                "RMSprop(model.parameters(), lr=0.002)",
                "RMSprop(model.parameters(), lr=0.001, momentum=0.5)",
            ),
        ],
    ),
]
