"""Finite differences against torch.autograd, and the step-size error behaviour they teach."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from minigrad.numeric import derivative

finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)


def torch_derivative(fn, x: float) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).backward()
    return t.grad.item()


@given(finite)
def test_central_difference_matches_autograd_for_cubic(x):
    expected = torch_derivative(lambda t: t**3 + t**2, x)
    got = derivative(lambda v: v**3 + v**2, x)
    assert got == pytest.approx(expected, rel=1e-7, abs=1e-7)


@given(finite.filter(lambda v: abs(v) > 1e-3))
def test_central_difference_matches_autograd_for_sinc(x):
    expected = torch_derivative(lambda t: torch.sin(t) / t, x)
    got = derivative(lambda v: np.sin(v) / v, x)
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_central_is_more_accurate_than_forward():
    x, exact = 1.0, np.cos(1.0)
    forward_error = abs(derivative(np.sin, x, h=1e-3, method="forward") - exact)
    central_error = abs(derivative(np.sin, x, h=1e-3, method="central") - exact)
    assert central_error < forward_error / 100


def test_backward_difference_error_is_first_order():
    exact = np.exp(0.5)
    errors = [abs(derivative(np.exp, 0.5, h=h, method="backward") - exact) for h in (1e-2, 1e-3)]
    assert errors[1] == pytest.approx(errors[0] / 10, rel=0.05)


def test_array_input_is_elementwise():
    xs = np.linspace(-2, 2, 7)
    np.testing.assert_allclose(derivative(np.tanh, xs), 1 - np.tanh(xs) ** 2, rtol=1e-8)


@pytest.mark.parametrize("h", [0.0, -1e-3])
def test_non_positive_step_is_rejected(h):
    with pytest.raises(ValueError, match="step h must be positive"):
        derivative(np.sin, 1.0, h=h)


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown method 'sideways'"):
        derivative(np.sin, 1.0, method="sideways")


def test_array_of_steps_broadcasts():
    steps = np.array([1e-2, 1e-3, 1e-4])
    np.testing.assert_allclose(derivative(np.sin, 0.3, h=steps), np.cos(0.3), rtol=1e-4)
