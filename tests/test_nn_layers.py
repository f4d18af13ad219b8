"""minigrad.nn layers, Sequential and loss modules against torch.nn: same weights, same numbers."""

import itertools
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
ACTIVATIONS = {"ReLU": (nn.ReLU, torch.nn.ReLU), "Tanh": (nn.Tanh, torch.nn.Tanh)}
ACTIVATIONS["Sigmoid"] = (nn.Sigmoid, torch.nn.Sigmoid)


def mlp_pair(sizes, activation, dtype):
    """The same MLP in both libraries: torch's weights are copied from minigrad's."""
    ours_act, torch_act = ACTIVATIONS[activation]
    ours, theirs = [], []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        ours.append(nn.Linear(n_in, n_out, dtype=dtype))
        theirs.append(
            torch.nn.Linear(n_in, n_out, dtype=torch.from_numpy(np.zeros(0, dtype)).dtype)
        )
        if i < len(sizes) - 2:
            ours.append(ours_act())
            theirs.append(torch_act())
    model, t_model = nn.Sequential(*ours), torch.nn.Sequential(*theirs)
    t_model.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()}
    )
    return model, t_model


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=20, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=2, max_size=4),
    batch=st.integers(1, 8),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    seed=st.integers(0, 2**32 - 1),
)
def test_mlp_forward_and_gradients_match_torch(dtype, sizes, batch, activation, seed):
    rng = np.random.default_rng(seed)
    minigrad.manual_seed(seed)
    model, t_model = mlp_pair(sizes, activation, dtype)
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    logits, t_logits = model(minigrad.tensor(x)), t_model(torch.from_numpy(x))
    np.testing.assert_allclose(logits.detach().numpy(), t_logits.detach().numpy(), **TOL[dtype])
    loss = F.cross_entropy(logits, y)
    t_loss = torch.nn.functional.cross_entropy(t_logits, torch.from_numpy(y))
    loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(loss.item(), t_loss.item(), **TOL[dtype])
    t_params = dict(t_model.named_parameters())
    names = [name for name, _ in model.named_parameters()]
    assert names == list(t_params)
    for name, p in model.named_parameters():
        assert p.grad.numpy().dtype == dtype
        np.testing.assert_allclose(p.grad.numpy(), t_params[name].grad.numpy(), **TOL[dtype])


def test_training_steps_match_torch():
    """Five Adam steps on the same batches: the parameters stay equal to torch's."""
    rng = np.random.default_rng(0)
    minigrad.manual_seed(0)
    model, t_model = mlp_pair([6, 5, 3], "ReLU", np.float64)
    opt = minigrad.optim.Adam(model.parameters(), lr=0.01)
    t_opt = torch.optim.Adam(t_model.parameters(), lr=0.01)
    criterion, t_criterion = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    for _ in range(5):
        x, y = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
        opt.zero_grad()
        t_opt.zero_grad()
        criterion(model(minigrad.tensor(x)), y).backward()
        t_criterion(t_model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt.step()
        t_opt.step()
    for (name, p), (t_name, tp) in zip(
        model.named_parameters(), t_model.named_parameters(), strict=True
    ):
        assert name == t_name
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
        (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Identity(), torch.nn.Identity()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
    ],
)
def test_weightless_layers_match_torch(ours, theirs):
    x = np.random.default_rng(0).standard_normal((3, 4, 2)) * 10
    a, b = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, t_out = ours(a), theirs(b)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), **TOL[np.float64])
    g = np.random.default_rng(1).standard_normal(t_out.shape)
    out.backward(minigrad.tensor(g))
    t_out.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **TOL[np.float64])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules_match_torch(reduction):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 3)) * 20, rng.uniform(0, 1, (5, 3))
    pos_weight = rng.uniform(0.5, 2, 3)
    classes = rng.integers(0, 3, 5)
    pairs = [
        (nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction), y),
        (
            nn.CrossEntropyLoss(reduction=reduction),
            torch.nn.CrossEntropyLoss(reduction=reduction),
            classes,
        ),
        (
            nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=pos_weight),
            torch.nn.BCEWithLogitsLoss(
                reduction=reduction, pos_weight=torch.from_numpy(pos_weight)
            ),
            y,
        ),
    ]
    for ours, theirs, target in pairs:
        a, b = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, t_out = ours(a, target), theirs(b, torch.from_numpy(target))
        np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), **TOL[np.float64])
        out.sum().backward()
        t_out.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **TOL[np.float64])


def test_repr_matches_torch():
    ours = nn.Sequential(
        nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10), nn.Tanh(), nn.Softmax(dim=1)
    )
    theirs = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(64, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 10),
        torch.nn.Tanh(),
        torch.nn.Softmax(dim=1),
    )
    assert repr(ours) == repr(theirs)


def test_state_dict_round_trip_through_torch():
    minigrad.manual_seed(1)
    model, t_model = mlp_pair([4, 6, 2], "Tanh", np.float64)
    fresh = nn.Sequential(
        nn.Linear(4, 6, dtype=np.float64), nn.Tanh(), nn.Linear(6, 2, dtype=np.float64)
    )
    # torch's state_dict (torch tensors) loads into a minigrad model, and back again.
    fresh.load_state_dict({k: v.numpy() for k, v in t_model.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(
        fresh(minigrad.tensor(x)).detach().numpy(), model(minigrad.tensor(x)).detach().numpy()
    )
    state = fresh.state_dict()
    assert list(state) == list(t_model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    # The state dict shares memory with the parameters (like torch), load_state_dict copies.
    state["0.bias"].numpy()[0] = 123.0
    assert dict(fresh.named_parameters())["0.bias"].detach().numpy()[0] == 123.0
    with pytest.raises(RuntimeError, match="missing keys"):
        fresh.load_state_dict({"0.weight": np.zeros((6, 4))})


def test_dropout_is_scaled_random_in_training_and_identity_in_eval():
    x = minigrad.ones(200, 100, dtype=minigrad.float64, requires_grad=True)
    drop = nn.Dropout(p=0.25)
    minigrad.manual_seed(0)
    out = drop(x)
    values = out.detach().numpy()
    assert set(np.unique(values).tolist()) == {0.0, 1 / 0.75}
    assert abs((values == 0).mean() - 0.25) < 0.01  # 20000 draws: about 0.003 standard error
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)  # the gradient is the same mask
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(drop(x).detach().numpy(), values)
    drop.eval()
    assert drop(x) is x
    assert not nn.Dropout(1.0)(x).detach().numpy().any()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_train_eval_and_requires_grad_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Dropout(), nn.Linear(3, 1)))
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "1.1.weight",
        "1.1.bias",
    ]


def test_sequential_container():
    layers = [nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers and model[-1] is layers[2]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    model.append(nn.Sigmoid())
    assert len(model) == 4 and [n for n, _ in model.named_children()] == ["0", "1", "2", "3"]
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(3, 4)), ("act", nn.ReLU())]))
    assert [n for n, _ in named.named_parameters()] == ["hidden.weight", "hidden.bias"]
    with pytest.raises(TypeError, match=r"nn\.ReLU"):
        nn.Sequential(nn.Linear(3, 4), F.relu)
