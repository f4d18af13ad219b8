"""Exercise 06 (training): a stable softmax cross-entropy, its backward, and an Adam step."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.core import Exercise, Question, need


def _ce_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for scale in (1.0, 3.0, 10.0, 1000.0):
        n, c = int(rng.integers(1, 7)), int(rng.integers(2, 6))
        logits = rng.normal(scale=scale, size=(n, c))
        cases.append({"logits": logits, "targets": rng.integers(0, c, size=n)})
    # Logits far from 0 overflow a naive exp: the stable log-sum-exp handles them.
    cases.append(
        {
            "logits": np.array([[1000.0, 0.0, -1000.0], [-800.0, -805.0, -1000.0]]),
            "targets": np.array([1, 0]),
        }
    )
    return cases


def _ce_torch(case: dict[str, Any]) -> Any:
    import torch

    logits = torch.tensor(case["logits"], dtype=torch.float64, requires_grad=True)
    targets = torch.tensor(case["targets"], dtype=torch.int64)
    return logits, torch.nn.functional.cross_entropy(logits, targets)


def _ce_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    loss = need(ns, "cross_entropy")(case["logits"], case["targets"])
    return np.asarray(loss, dtype=np.float64)


def _ce_expected(case: dict[str, Any]) -> float:
    return _ce_torch(case)[1].item()


def _ce_backward_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    grad = need(ns, "cross_entropy_backward")(case["logits"], case["targets"])
    return np.asarray(grad, dtype=np.float64)


def _ce_backward_expected(case: dict[str, Any]) -> np.ndarray:
    logits, loss = _ce_torch(case)
    loss.backward()
    return logits.grad.numpy()


def _adam_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    # A single step, a few, and many (moments carried between steps matter); the last with
    # tiny gradients, where eps is not small beside sqrt(v) and its place in the formula shows.
    for steps, scale in ((1, 1.0), (3, 1.0), (8, 1.0), (6, 1e-4)):
        shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
        grads = rng.normal(scale=scale, size=(steps, *shape))
        grads[0].reshape(-1)[0] = 0.0  # a zero gradient: the step is still well defined
        cases.append(
            {
                "param": rng.normal(size=shape),
                "grads": grads,
                "lr": float(rng.choice([1e-3, 1e-2, 0.1])),
                "betas": [float(rng.uniform(0.8, 0.95)), float(rng.uniform(0.99, 0.9999))],
                "eps": float(rng.choice([1e-8, 1e-6])) if scale == 1.0 else 1e-5,
            }
        )
    return cases


def _adam_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    step = need(ns, "adam_step")
    param = case["param"].copy()
    m, v = np.zeros_like(param), np.zeros_like(param)
    beta1, beta2 = case["betas"]
    for t, grad in enumerate(case["grads"], start=1):
        out = step(param, grad, m, v, t, case["lr"], beta1, beta2, case["eps"])
        if not isinstance(out, tuple | list) or len(out) != 3:
            raise ValueError("adam_step must return three arrays: (param, m, v)")
        param, m, v = (np.asarray(a, dtype=np.float64) for a in out)
    return param


def _adam_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    param = torch.tensor(case["param"], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([param], lr=case["lr"], betas=tuple(case["betas"]), eps=case["eps"])
    for grad in case["grads"]:
        param.grad = torch.tensor(grad, dtype=torch.float64)
        opt.step()
    return param.detach().numpy()


EXERCISE = Exercise(
    id="06_training",
    title="Losses and optimizers",
    questions=(
        Question(
            name="q1",
            title="softmax cross-entropy (mean), stable for large logits",
            needs=("cross_entropy",),
            make_cases=_ce_cases,
            run=_ce_run,
            expected=_ce_expected,
        ),
        Question(
            name="q2",
            title="the gradient of the cross-entropy with respect to the logits",
            needs=("cross_entropy_backward",),
            make_cases=_ce_cases,
            run=_ce_backward_run,
            expected=_ce_backward_expected,
            hint="one gradient per logit: shape (N, C)",
        ),
        Question(
            name="q3",
            title="Adam steps, as torch.optim.Adam",
            needs=("adam_step",),
            make_cases=_adam_cases,
            run=_adam_run,
            expected=_adam_expected,
            rtol=1e-9,
            atol=1e-12,
        ),
    ),
)
