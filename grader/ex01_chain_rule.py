"""Exercise 01 (chain rule): derivatives by hand and by finite differences, checked by torch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.core import Exercise, Question, need

#: The functions a student's ``central_difference`` is tried on, numpy and torch spellings.
FUNCTIONS = ("sin", "exp", "tanh", "cube")


#: Exact answers are asked: a difference from PyTorch's this small is rounding; a central
#: difference (error about 1e-10 at its best step) is well outside it.
EXACT = {"rtol": 1e-12, "atol": 1e-13}


def _points(rng: np.random.Generator, zero: bool = True) -> np.ndarray:
    """Random points, with 0 and negative numbers among them (edge points); none closer to 0
    than 0.25 but 0 itself, where formulas like (x cos x - sin x) / x**2 lose digits to
    cancellation (a correct answer and PyTorch's then differ by more than rounding)."""
    n = int(rng.integers(4, 12))
    x = rng.uniform(0.25, 3.0, size=n) * rng.choice([-1.0, 1.0], size=n)
    x[0] = 0.0 if zero else -abs(x[0])
    x[1] = -abs(x[1])
    return rng.permutation(x)


def _torch_grad(fn: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    import torch

    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


def _elementwise(name: str) -> Callable[[dict[str, Any], dict[str, Any]], np.ndarray]:
    """Wrap the student's elementwise derivative ``name`` for the runner."""

    def run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
        return np.asarray(need(ns, name)(case["x"]), dtype=np.float64)

    return run


def _cubic_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    return [{"x": _points(rng)} for _ in range(4)]


def _cubic_expected(case: dict[str, Any]) -> np.ndarray:
    return _torch_grad(lambda t: t**3 + t**2, case["x"])


def _difference_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = []
    for f in FUNCTIONS:
        # Each function with the largest step (where the true derivative or another step is
        # far from the formula) and with a random one.
        for h in (1e-2, float(rng.choice([1e-2, 1e-3, 1e-4]))):
            x = rng.uniform(-2.0, 2.0, size=int(rng.integers(3, 8)))
            cases.append({"f": f, "x": x, "h": h})
    return cases


def _numpy_function(name: str) -> Callable[[np.ndarray], np.ndarray]:
    return {"sin": np.sin, "exp": np.exp, "tanh": np.tanh, "cube": lambda v: v**3}[name]


def _difference_run(ns: dict[str, Any], case: dict[str, Any]) -> np.ndarray:
    f = _numpy_function(case["f"])
    return np.asarray(need(ns, "central_difference")(f, case["x"], case["h"]), dtype=np.float64)


def _difference_expected(case: dict[str, Any]) -> np.ndarray:
    # The central difference evaluated with torch's functions: the exact formula, so a forward
    # difference (error O(h)) or the true derivative (differs by O(h^2)) both fail.
    import torch

    f = {"sin": torch.sin, "exp": torch.exp, "tanh": torch.tanh, "cube": lambda v: v**3}[case["f"]]
    x, h = torch.tensor(case["x"], dtype=torch.float64), case["h"]
    return ((f(x + h) - f(x - h)) / (2 * h)).numpy()


def _two_paths_expected(case: dict[str, Any]) -> np.ndarray:
    import torch

    return _torch_grad(lambda t: torch.sin(t) * t**2, case["x"])


def _sinc_cases(rng: np.random.Generator) -> list[dict[str, Any]]:
    cases = [{"x": _points(rng)} for _ in range(3)]
    cases.append({"x": np.array([0.0])})
    return cases


def _sinc_expected(case: dict[str, Any]) -> np.ndarray:
    # torch's autograd gives nan at x = 0 (0/0); the derivative's limit there is 0.
    import torch

    x = case["x"]
    grad = _torch_grad(lambda t: torch.sin(t) / t, np.where(x == 0, 1.0, x))
    return np.where(x == 0, 0.0, grad)


EXERCISE = Exercise(
    id="01_chain_rule",
    title="Derivatives and the chain rule",
    questions=(
        Question(
            name="q1",
            title="derivative of x**3 + x**2",
            needs=("d_cubic",),
            make_cases=_cubic_cases,
            run=_elementwise("d_cubic"),
            expected=_cubic_expected,
            **EXACT,
        ),
        Question(
            name="q2",
            title="central difference",
            needs=("central_difference",),
            make_cases=_difference_cases,
            run=_difference_run,
            expected=_difference_expected,
            rtol=1e-9,
            atol=1e-10,
        ),
        Question(
            name="q3",
            title="two paths: derivative of sin(x) * x**2",
            needs=("d_sin_times_square",),
            make_cases=_cubic_cases,
            run=_elementwise("d_sin_times_square"),
            expected=_two_paths_expected,
            **EXACT,
        ),
        Question(
            name="q4",
            title="derivative of sin(x)/x, including x = 0",
            needs=("d_sinc",),
            make_cases=_sinc_cases,
            run=_elementwise("d_sinc"),
            expected=_sinc_expected,
            forbid_warnings=True,
            **EXACT,
        ),
    ),
)
