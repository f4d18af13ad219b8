"""minigrad.optim against torch.optim: same start, same losses -> same parameters, step by step."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import optim

STEPS = 40
TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}

sgd_kwargs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-4, 0.1),
        "momentum": st.sampled_from([0.0, 0.5, 0.9, 0.99]),
        "dampening": st.sampled_from([0.0, 0.1, 0.5]),
        "weight_decay": st.sampled_from([0.0, 1e-4, 0.1]),
        "nesterov": st.booleans(),
    }
).map(
    # torch (and minigrad) refuse Nesterov without momentum or with dampening.
    lambda kw: {**kw, "dampening": 0.0, "momentum": kw["momentum"] or 0.9} if kw["nesterov"] else kw
)
adam_kwargs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-4, 0.1),
        "betas": st.tuples(st.sampled_from([0.0, 0.3, 0.9]), st.sampled_from([0.5, 0.99, 0.999])),
        "eps": st.sampled_from([1e-8, 1e-3]),
        "weight_decay": st.sampled_from([0.0, 1e-2]),
        "amsgrad": st.booleans(),
    }
)


def run_both(optimizer: str, kwargs: dict, dtype, seed: int) -> None:
    """Minimise the same least-squares losses with both libraries; compare after every step."""
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (1,)]
    starts = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ours = [minigrad.tensor(w.copy(), requires_grad=True) for w in starts]
    theirs = [torch.tensor(w.copy(), requires_grad=True) for w in starts]
    opt = getattr(optim, optimizer)(ours, **kwargs)
    t_opt = getattr(torch.optim, optimizer)(theirs, **kwargs)
    for step in range(STEPS):
        # A new random quadratic every step, so gradients change sign and size.
        targets = [rng.standard_normal(s).astype(dtype) for s in shapes]
        scales = [rng.uniform(0.5, 1.5, s).astype(dtype) for s in shapes]
        opt.zero_grad()
        t_opt.zero_grad()
        loss = sum(((p * a - b) ** 2).sum() for p, a, b in zip(ours, scales, targets, strict=True))
        t_loss = sum(
            ((p * torch.from_numpy(a) - torch.from_numpy(b)) ** 2).sum()
            for p, a, b in zip(theirs, scales, targets, strict=True)
        )
        loss.backward()
        t_loss.backward()
        opt.step()
        t_opt.step()
        for p, tp in zip(ours, theirs, strict=True):
            assert p.detach().numpy().dtype == dtype
            np.testing.assert_allclose(
                p.detach().numpy(),
                tp.detach().numpy(),
                **TOL[dtype],
                err_msg=f"after step {step + 1}",
            )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=25, deadline=None)
@given(kwargs=sgd_kwargs, seed=st.integers(0, 2**32 - 1))
def test_sgd_matches_torch(dtype, kwargs, seed):
    run_both("SGD", kwargs, dtype, seed)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=25, deadline=None)
@given(kwargs=adam_kwargs, seed=st.integers(0, 2**32 - 1))
def test_adam_matches_torch(dtype, kwargs, seed):
    run_both("Adam", kwargs, dtype, seed)


def test_param_groups_use_their_own_hyperparameters():
    w0 = np.array([1.0, -2.0])
    a, b = (
        minigrad.tensor(w0.copy(), requires_grad=True),
        minigrad.tensor(w0.copy(), requires_grad=True),
    )
    ta, tb = (
        torch.tensor(w0.copy(), requires_grad=True),
        torch.tensor(w0.copy(), requires_grad=True),
    )
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD([{"params": [ta]}, {"params": [tb], "lr": 0.5}], lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        t_opt.zero_grad()
        ((a * a).sum() + (b * b * b).sum()).backward()
        ((ta * ta).sum() + (tb * tb * tb).sum()).backward()
        opt.step()
        t_opt.step()
    np.testing.assert_allclose(a.detach().numpy(), ta.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy(), rtol=1e-12)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_zero_grad_and_parameters_without_grad(optimizer):
    used = minigrad.tensor([1.0, 2.0], requires_grad=True)
    unused = minigrad.tensor([3.0], requires_grad=True)
    opt = getattr(optim, optimizer)([used, unused], lr=0.1)
    (used * used).sum().backward()
    opt.step()
    # A parameter that got no gradient is left alone, as in torch.
    assert unused.grad is None and unused.detach().numpy().tolist() == [3.0]
    assert used.detach().numpy().tolist() != [1.0, 2.0]
    opt.zero_grad(set_to_none=False)
    assert used.grad is not None and used.grad.numpy().tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert used.grad is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD([p], lr=-1.0), "learning rate"),
        (lambda p: optim.SGD([p], lr=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.SGD([p], lr=0.1, momentum=-0.5), "momentum"),
        (lambda p: optim.Adam([p], betas=(1.0, 0.999)), "beta parameter at index 0"),
        (lambda p: optim.Adam([p], eps=-1e-8), "epsilon"),
        (lambda p: optim.Adam([minigrad.tensor([1.0])]), "requires_grad=True"),
    ],
)
def test_bad_hyperparameters_are_explained(make, message):
    p = minigrad.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=message):
        make(p)
