"""PyTorch users' code runs unchanged with ``import minigrad as torch`` and gives torch's numbers.

Each snippet below is ordinary torch code (from the tutorials and docs, or as a torch user
writes it), kept as source text. It is executed twice: once with ``torch``, ``nn`` and
``F``-free torch names bound to PyTorch, once with them bound to minigrad (``import minigrad
as torch``, ``from minigrad import nn``). Data that would come from torch's random generator
is built from numpy with a fixed seed, so both runs see the same numbers. Every snippet ends by
putting what it computed into ``result``; the two results must agree.
"""

import textwrap

import numpy as np
import pytest
import torch

import minigrad

SNIPPETS = {
    # The "autograd" tutorial: y = x + 2, z = 3 y^2, out = mean(z).
    "tutorial_basics": """
        x = torch.ones(2, 2, requires_grad=True)
        y = x + 2
        z = y * y * 3
        out = z.mean()
        out.backward()
        result = [x.grad, out, z.grad_fn.name(), y.is_leaf, x.is_leaf]
    """,
    # The docs' custom Function example (LegendrePolynomial3).
    "legendre_function": """
        class LegendrePolynomial3(torch.autograd.Function):
            @staticmethod
            def forward(ctx, input):
                ctx.save_for_backward(input)
                return 0.5 * (5 * input ** 3 - 3 * input)

            @staticmethod
            def backward(ctx, grad_output):
                input, = ctx.saved_tensors
                return grad_output * 1.5 * (5 * input ** 2 - 1)

        x = torch.tensor(data[0], requires_grad=True)
        P3 = LegendrePolynomial3.apply
        y = P3(x).sum()
        y.backward()
        result = [y, x.grad]
    """,
    # Fitting a polynomial with plain tensors and manual SGD (the "learning PyTorch" tutorial).
    "polynomial_fit_manual_sgd": """
        x = torch.linspace(-3.14159, 3.14159, 200, dtype=torch.float64)
        y = torch.sin(x)
        a = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)
        c = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        d = torch.tensor(0.05, dtype=torch.float64, requires_grad=True)
        learning_rate = 1e-6
        for t in range(200):
            y_pred = a + b * x + c * x ** 2 + d * x ** 3
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                a -= learning_rate * a.grad
                b -= learning_rate * b.grad
                c -= learning_rate * c.grad
                d -= learning_rate * d.grad
                a.grad = None
                b.grad = None
                c.grad = None
                d.grad = None
        result = [loss, a, b, c, d]
    """,
    # An nn.Module MLP trained with a hand-written SGD step and a log_softmax NLL loss.
    "module_mlp_training": """
        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 8)
                self.fc2 = nn.Linear(8, 3)

            def forward(self, x):
                return self.fc2(torch.relu(self.fc1(x)))

        model = MLP()
        with torch.no_grad():
            for p, w in zip(model.parameters(), data[1]):
                p.copy_(torch.tensor(w))
        x = torch.tensor(data[2])
        target = torch.tensor(data[3])
        losses = []
        for step in range(20):
            logits = model(x)
            loss = -logits.log_softmax(dim=1)[torch.arange(len(target)), target].mean()
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.5 * p.grad
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            accuracy = (model(x).argmax(dim=1) == target).float().mean()
        result = [torch.tensor(losses), accuracy, [p.detach() for p in model.parameters()]]
    """,
    # torch.autograd.grad, retain_graph, and gradient accumulation.
    "autograd_grad_and_retain_graph": """
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x.exp() * x.sin()).sum()
        (gx,) = torch.autograd.grad(y, x, retain_graph=True)
        y.backward(retain_graph=True)
        y.backward()
        result = [gx, x.grad]
    """,
    # Broadcasting, reductions with dim/keepdim, softmax, detach, item, tolist.
    "broadcasting_and_reductions": """
        a = torch.tensor(data[4], requires_grad=True)
        b = torch.tensor(data[5], requires_grad=True)
        c = (a.unsqueeze(-1) * b).sum(dim=1, keepdim=True)
        p = torch.softmax(c.squeeze(1), dim=-1)
        m = p.max()
        total = p.mean(0).sum() + m
        total.backward()
        result = [c.detach(), p.detach(), a.grad, b.grad, total.item(), p.shape[1],
                  p.detach().tolist()[0]]
    """,
    # Manual gradients of c = sum(x * y + z) against autograd.
    "manual_vs_autograd": """
        x = torch.tensor(data[4], requires_grad=True)
        y = torch.tensor(data[4] * 2 + 1, requires_grad=True)
        z = torch.tensor(data[4] - 1, requires_grad=True)
        c = (x * y + z).sum()
        c.backward()
        result = [c, x.grad, y.grad, z.grad, y.detach(), torch.ones_like(z)]
    """,
    # Freezing parameters, no_grad decorator, matmul and transpose.
    "freeze_and_no_grad_decorator": """
        layer = nn.Linear(3, 2)
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(data[6]))
            layer.bias.fill_(0.5)
        layer.requires_grad_(False)
        w = torch.tensor(data[7], requires_grad=True)

        @torch.no_grad()
        def evaluate(inp):
            return layer(inp) @ w

        x = torch.tensor(data[4][:, :3]).float()
        out = (layer(x) @ w).pow(2).sum()
        out.backward()
        result = [out, w.grad, layer.weight.grad is None, evaluate(x).requires_grad,
                  x.t() @ x, x.T.shape]
    """,
    # The docs' "Extending torch.autograd" LinearFunction, checked with gradcheck as the docs do.
    "linear_function_docs": """
        class LinearFunction(torch.autograd.Function):
            @staticmethod
            def forward(ctx, input, weight, bias=None):
                ctx.save_for_backward(input, weight, bias)
                output = input.mm(weight.t())
                if bias is not None:
                    output += bias.unsqueeze(0).expand_as(output)
                return output

            @staticmethod
            def backward(ctx, grad_output):
                input, weight, bias = ctx.saved_tensors
                grad_input = grad_weight = grad_bias = None
                if ctx.needs_input_grad[0]:
                    grad_input = grad_output.mm(weight)
                if ctx.needs_input_grad[1]:
                    grad_weight = grad_output.t().mm(input)
                if bias is not None and ctx.needs_input_grad[2]:
                    grad_bias = grad_output.sum(0)
                return grad_input, grad_weight, grad_bias

        x = torch.tensor(data[4], requires_grad=True)
        w = torch.tensor(data[4][:3] * 0.5, requires_grad=True)
        b = torch.tensor(data[4][0, :3] + 1, requires_grad=True)
        out = LinearFunction.apply(x, w, b)
        (out ** 2).sum().backward()
        ok = torch.autograd.gradcheck(LinearFunction.apply, (x, w, b))
        result = [out, x.grad, w.grad, b.grad, ok]
    """,
    # An MLP in nn.Sequential trained with Adam and cross_entropy, ModuleList and AdamW too.
    "mlp_adam_and_adamw": """
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        with torch.no_grad():
            for p, w in zip(model.parameters(), data[1]):
                p.copy_(torch.tensor(w))
        heads = nn.ModuleList([nn.Linear(3, 2), nn.Linear(3, 2)])
        with torch.no_grad():
            for h in heads:
                h.weight.fill_(0.1)
                h.bias.zero_()
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        opt2 = torch.optim.AdamW(heads.parameters(), lr=0.01, weight_decay=0.1)
        x = torch.tensor(data[2])
        target = torch.tensor(data[3])
        losses = []
        for step in range(30):
            logits = model(x)
            loss = torch.nn.functional.cross_entropy(logits, target)
            loss = loss + sum(h(logits).pow(2).mean() for h in heads)
            opt.zero_grad()
            opt2.zero_grad()
            loss.backward()
            opt.step()
            opt2.step()
            losses.append(loss.item())
        result = [torch.tensor(losses), [p.detach() for p in model.parameters()],
                  [p.detach() for p in heads.parameters()]]
    """,
}


def make_data():
    rng = np.random.default_rng(0)
    mlp = [rng.normal(0, 0.5, s).astype(np.float32) for s in [(8, 4), (8,), (3, 8), (3,)]]
    return [
        np.array([0.3, -0.7, 1.2]),
        mlp,
        rng.normal(size=(16, 4)).astype(np.float32),
        rng.integers(0, 3, 16),
        rng.normal(size=(4, 5)),
        rng.normal(size=(4, 5, 3)),
        rng.normal(size=(2, 3)).astype(np.float32),
        rng.normal(size=(2, 4)).astype(np.float32),
    ]


def run(snippet, lib):
    """Execute the snippet with ``torch``/``nn`` bound to ``lib``; return its ``result``."""
    namespace = {"torch": lib, "nn": lib.nn, "data": make_data()}
    exec(textwrap.dedent(snippet), namespace)
    return namespace["result"]


def to_plain(value):
    """Tensors (of either library) to numpy, recursively; names normalised."""
    if isinstance(value, (torch.Tensor, minigrad.Tensor)):
        return np.asarray(value.detach().numpy())
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


def assert_same(a, b, path="result"):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, path
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=1e-6, err_msg=path)
    elif isinstance(a, float):
        assert b == pytest.approx(a, rel=2e-5), path
    else:
        assert b == a, path


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_torch_snippet_gives_torchs_numbers_with_minigrad(name):
    expected = to_plain(run(SNIPPETS[name], torch))
    got = to_plain(run(SNIPPETS[name], minigrad))
    assert_same(expected, got)


@pytest.mark.parametrize(
    "name", ["mlp_adam_and_adamw", "linear_function_docs", "polynomial_fit_manual_sgd"]
)
def test_issue_13s_realistic_scripts_run_with_their_imports_swapped(name):
    # the three scripts issue 13 names, as a user runs them: only the import lines differ
    def run_with(imports):
        namespace = {"data": make_data()}
        exec(imports + textwrap.dedent(SNIPPETS[name]), namespace)
        return to_plain(namespace["result"])

    expected = run_with("import torch\nfrom torch import nn\n")
    assert_same(expected, run_with("import minigrad as torch\nfrom minigrad import nn\n"))
