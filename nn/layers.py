"""Neurons, layers and multi-layer perceptrons built from ``Value`` operations."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value

from .module import Module

Input = Value | float
Seed = int | random.Random | None


def _linear(v: Value) -> Value:
    """The identity: no activation. A named function, so models that use it pickle."""
    return v


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": _linear,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
}


def _rng(seed: Seed) -> random.Random:
    """A random generator from a seed, an existing generator, or (None) fresh entropy."""
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def _activation(name: str) -> Callable[[Value], Value]:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


class Neuron(Module):
    """activation(w . x + b): weights drawn uniformly from [-1, 1], bias starting at 0."""

    def __init__(
        self, n_inputs: int, activation: str = "relu", bias: bool = True, seed: Seed = None, name: str = ""
    ) -> None:
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 1:
            raise ValueError(f"a Neuron needs at least one input, got n_inputs={n_inputs!r}")
        rng = _rng(seed)
        self.activation = activation
        self._activate = _activation(activation)
        self.name = name
        self.weights = [Value(rng.uniform(-1.0, 1.0), f"{name}.w{i + 1}" if name else "") for i in range(n_inputs)]
        self.bias = Value(0.0, f"{name}.b" if name else "") if bias else None

    def __call__(self, inputs: Sequence[Input]) -> Value:
        if len(inputs) != len(self.weights):
            raise ValueError(f"this Neuron takes {len(self.weights)} inputs, got {len(inputs)}")
        total = self.weights[0] * inputs[0]
        for weight, x in zip(self.weights[1:], inputs[1:], strict=True):
            total = total + weight * x
        if self.bias is not None:
            total = total + self.bias
        out = self._activate(total)
        if self.name:
            out.label = self.name
        return out

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this shape (a checkpoint records them)."""
        return {"n_inputs": len(self.weights), "activation": self.activation, "bias": self.bias is not None}

    def __repr__(self) -> str:
        return f"Neuron({len(self.weights)}, activation={self.activation!r}, bias={self.bias is not None})"


class Layer(Module):
    """``n_outputs`` neurons reading the same inputs; calling it always returns a list."""

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        activation: str = "relu",
        bias: bool = True,
        seed: Seed = None,
        names: Sequence[str] = (),
    ) -> None:
        if isinstance(n_outputs, bool) or not isinstance(n_outputs, int) or n_outputs < 1:
            raise ValueError(f"a Layer needs at least one neuron, got n_outputs={n_outputs!r}")
        rng = _rng(seed)
        names = list(names) or [""] * n_outputs
        if len(names) != n_outputs:
            raise ValueError(f"{len(names)} names given for {n_outputs} neurons")
        self.neurons = [Neuron(n_inputs, activation, bias, rng, name) for name in names]

    def __call__(self, inputs: Sequence[Input]) -> list[Value]:
        return [neuron(inputs) for neuron in self.neurons]

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this shape (a checkpoint records them)."""
        first = self.neurons[0].architecture()
        return {**first, "n_outputs": len(self.neurons)}

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


class MLP(Module):
    """A multi-layer perceptron: ``activation`` between layers, ``output_activation`` at the end.

    ``MLP(2, [2, 1], activation="linear", bias=False)`` is the reference article's network.
    Calling it returns a Value when the last layer has one neuron, else a list.
    """

    def __init__(
        self,
        n_inputs: int,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        bias: bool = True,
        seed: Seed = None,
    ) -> None:
        if not layer_sizes:
            raise ValueError("an MLP needs at least one layer size")
        for name in (activation, output_activation):  # reject an unknown name even where unused
            _activation(name)
        rng = _rng(seed)
        self.activation, self.output_activation = activation, output_activation
        sizes = [n_inputs, *layer_sizes]
        last = len(layer_sizes) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, bias, rng)
            for i in range(len(layer_sizes))
        ]

    @property
    def n_inputs(self) -> int:
        return len(self.layers[0].neurons[0].weights)

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this shape (a checkpoint records them)."""
        return {
            "n_inputs": self.n_inputs,
            "layer_sizes": [len(layer.neurons) for layer in self.layers],
            "activation": self.activation,
            "output_activation": self.output_activation,
            "bias": self.layers[0].neurons[0].bias is not None,
        }

    def __call__(self, inputs: Sequence[Input]) -> Value | list[Value]:
        outputs: Sequence[Input] = inputs
        for layer in self.layers:
            outputs = layer(outputs)
        result: list[Value] = list(outputs)  # type: ignore[arg-type]
        return result[0] if len(result) == 1 else result

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
