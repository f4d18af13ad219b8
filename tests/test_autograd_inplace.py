"""In-place changes to what a node saved: an error like torch's, never a silently wrong gradient.

Each scenario runs the same code with torch and with minigrad (`lib` is either module) and
checks that minigrad raises exactly where torch does, and gives torch's gradients elsewhere.
"""

import numpy as np
import pytest
import torch

import minigrad


def update_a_factor_under_no_grad(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    x = lib.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    with lib.no_grad():
        w -= 1
    y.backward()
    return x.grad


def fill_an_input_that_needs_no_grad(lib):
    w = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
    x = lib.tensor([3.0, 4.0, 5.0])
    y = (w * x).exp().sum()
    x.fill_(0.0)
    y.backward()
    return w.grad


def write_through_a_detached_alias(lib):
    w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (w @ w).sum()
    w.detach()[0, 0] = 10.0
    y.backward()
    return w.grad


def optimizer_step_between_two_backwards(lib):
    lin = lib.nn.Linear(3, 1)
    opt = lib.optim.SGD(lin.parameters(), lr=0.1)
    x = lib.ones(2, 3, requires_grad=True)  # so that the weight is saved, for x's gradient
    loss = (lin(x) ** 2).sum()
    loss.backward(retain_graph=True)
    opt.step()
    loss.backward()
    return lin.weight.grad


def change_an_addend_nothing_saved(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([5.0, 7.0])
    y = (a + b).sum()
    b.add_(1.0)
    y.backward()
    return a.grad


def update_after_backward(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    x = lib.tensor([3.0, 4.0])
    for _ in range(3):
        loss = ((w * x) ** 2).sum()
        loss.backward()
        with lib.no_grad():
            w -= 0.01 * w.grad
            w.grad.zero_()
    return w


RAISES = [
    update_a_factor_under_no_grad,
    fill_an_input_that_needs_no_grad,
    write_through_a_detached_alias,
    optimizer_step_between_two_backwards,
]
FINE = [change_an_addend_nothing_saved, update_after_backward]


@pytest.mark.parametrize("scenario", RAISES, ids=lambda f: f.__name__)
def test_backward_through_a_changed_saved_array_raises_like_torch(scenario):
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        scenario(torch)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as error:
        scenario(minigrad)
    assert "in place after it was saved" in str(error.value)


@pytest.mark.parametrize("scenario", FINE, ids=lambda f: f.__name__)
def test_in_place_changes_that_cannot_change_a_gradient_are_allowed(scenario):
    expected = scenario(torch).detach().numpy()
    got = scenario(minigrad).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6)
