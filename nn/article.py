"""The reference article's network, data and learning rate ("Backpropagation Step by Step").

Three layers, no activations, no biases::

    h1  = i1*w1 + i2*w2
    h2  = i1*w3 + i2*w4
    out = h1*w5 + h2*w6
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value

from .layers import MLP
from .losses import squared_error

WEIGHTS = {"w1": 0.11, "w2": 0.21, "w3": 0.12, "w4": 0.08, "w5": 0.14, "w6": 0.15}
INPUTS = (2.0, 3.0)
TARGET = 1.0
LEARNING_RATE = 0.05

# Where each weight sits: (layer, neuron, input) in the MLP.
POSITIONS = {
    "w1": (0, 0, 0),
    "w2": (0, 0, 1),
    "w3": (0, 1, 0),
    "w4": (0, 1, 1),
    "w5": (1, 0, 0),
    "w6": (1, 0, 1),
}

# The article's closed-form gradients, with delta = out - target.
GRADIENT_FORMULAS = {
    "w1": "delta * w5 * i1",
    "w2": "delta * w5 * i2",
    "w3": "delta * w6 * i1",
    "w4": "delta * w6 * i2",
    "w5": "delta * h1",
    "w6": "delta * h2",
}


def article_network() -> MLP:
    """The article's network with its initial weights, labelled w1..w6, neurons h1, h2, out."""
    model = MLP(2, [2, 1], activation="linear", bias=False, seed=0)
    for name, (layer, neuron, position) in POSITIONS.items():
        weight = model.layers[layer].neurons[neuron].weights[position]
        weight.data = WEIGHTS[name]
        weight.label = name
    for unit, name in zip(model.layers[0].neurons + model.layers[1].neurons, ("h1", "h2", "out"), strict=True):
        unit.name = name
    return model


def article_inputs() -> list[Value]:
    """The article's sample as labelled leaves ``i1 = 2`` and ``i2 = 3``, so graphs show them."""
    return [Value(INPUTS[0], "i1"), Value(INPUTS[1], "i2")]


def article_weights(model: MLP) -> dict[str, Value]:
    """The six weights of ``article_network()`` by the article's names."""
    return {name: model.layers[layer].neurons[n].weights[i] for name, (layer, n, i) in POSITIONS.items()}


def article_error(model: MLP, inputs: Sequence[Value]) -> tuple[Value, Value]:
    """One forward pass of the article's network: (its prediction ``out``, the error ``E`` against the target)."""
    prediction = model(inputs)
    assert isinstance(prediction, Value), "the article's network has one output"
    error = squared_error(prediction, TARGET)
    error.label = "E"
    return prediction, error


def article_state() -> tuple[MLP, list[Value], Value, Value]:
    """The article after its forward and backward pass: (model, inputs, out, E)."""
    model = article_network()
    inputs = article_inputs()
    prediction, error = article_error(model, inputs)
    error.backward()
    return model, inputs, prediction, error
