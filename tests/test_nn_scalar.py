"""Neuron, Layer and MLP on scalar Values against the same network written in torch."""

import random

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad import Value
from minigrad.nn import MLP, Layer, Neuron


def torch_copy(model: MLP) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Each layer's weights (nout x nin) and biases as float64 leaf tensors."""
    layers = []
    for layer in model.layers:
        w = [[p.data for p in n.w] for n in layer.neurons]
        b = [n.b.data for n in layer.neurons]
        layers.append(
            (
                torch.tensor(w, dtype=torch.float64, requires_grad=True),
                torch.tensor(b, dtype=torch.float64, requires_grad=True),
            )
        )
    return layers


def torch_forward(layers, x: torch.Tensor) -> torch.Tensor:
    for i, (w, b) in enumerate(layers):
        x = w @ x + b
        if i < len(layers) - 1:
            x = torch.relu(x)
    return x


@settings(max_examples=30, deadline=None)
@given(
    nin=st.integers(1, 4),
    hidden=st.lists(st.integers(1, 5), min_size=0, max_size=2),
    nout=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    x=st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=4, max_size=4),
)
def test_mlp_output_and_gradients_match_torch(nin, hidden, nout, seed, x):
    model = MLP(nin, [*hidden, nout], rng=random.Random(seed))
    x = x[:nin]
    out = model(x)
    outs = out if isinstance(out, list) else [out]
    loss = sum((o * o for o in outs), Value(0.0))  # a scalar that uses every output
    model.zero_grad()
    loss.backward()

    layers = torch_copy(model)
    t_out = torch_forward(layers, torch.tensor(x, dtype=torch.float64))
    (t_out**2).sum().backward()

    np.testing.assert_allclose([o.data for o in outs], t_out.detach().numpy(), rtol=1e-12)
    # One (weight grads, bias grad) pair per neuron, layer by layer.
    expected = [(w.grad[k], b.grad[k]) for w, b in layers for k in range(len(b))]
    got = [([p.grad for p in n.w], n.b.grad) for layer in model.layers for n in layer.neurons]
    assert len(got) == len(expected)
    for (gw, gb), (tw, tb) in zip(got, expected, strict=True):
        np.testing.assert_allclose(gw, tw.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(gb, tb.item(), rtol=1e-9, atol=1e-12)


def test_parameters_count_order_and_zero_grad():
    model = MLP(3, [4, 2], rng=random.Random(0))
    params = model.parameters()
    assert len(params) == (3 * 4 + 4) + (4 * 2 + 2)
    assert params[:4] == [*model.layers[0].neurons[0].w, model.layers[0].neurons[0].b]
    loss = sum(model([1.0, -1.0, 0.5]), Value(0.0))
    loss.backward()
    assert any(p.grad != 0.0 for p in params)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in params)


def test_training_steps_reduce_the_loss():
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, (20, 2)).tolist()
    ys = [1.0 if a * b > 0 else -1.0 for a, b in xs]
    model = MLP(2, [8, 1], rng=rng)

    def loss() -> Value:
        return sum(((model(x) - y) ** 2 for x, y in zip(xs, ys, strict=True)), Value(0.0))

    first = loss().data
    for _ in range(20):
        total = loss()
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
    assert loss().data < first


def test_initialisation_is_seeded_and_in_range():
    a = MLP(2, [3, 1], rng=random.Random(7))
    b = MLP(2, [3, 1], rng=random.Random(7))
    c = MLP(2, [3, 1], rng=np.random.default_rng(7))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert all(type(p.data) is float for p in c.parameters())
    for n in a.layers[0].neurons:
        assert all(-1.0 <= w.data <= 1.0 for w in n.w) and n.b.data == 0.0


def test_neuron_nonlinearity_and_layer_output_shape():
    relu_neuron = Neuron(2, rng=random.Random(0))
    linear_neuron = Neuron(2, nonlin=False, rng=random.Random(0))
    assert relu_neuron([1.0, 2.0])._op == "relu"
    assert linear_neuron([1.0, 2.0])._op == "+"
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    assert len(Layer(2, 3)([1.0, 2.0])) == 3
    assert repr(MLP(2, [3, 1])) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], "
        "Layer of [LinearNeuron(3)]]"
    )


def test_wrong_input_size_says_what_was_expected():
    with pytest.raises(ValueError, match="takes 3 inputs, got 2"):
        Neuron(3)([1.0, 2.0])
