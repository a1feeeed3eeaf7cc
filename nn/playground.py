"""The playground: a page where a small network learns a dataset in the plane while you watch.

Every hidden and output neuron is drawn as a heatmap of its output over the input plane, every weight as a
line (colour its sign, width its size), and the page trains the network in the browser with the numbers of
the engine's own operation table: the JavaScript replay (``CompiledGradient.javascript``) of each sample's
loss, compiled here exactly as ``fit(..., compiled=True)`` compiles it (``nn.compiled_step``, one trace per
class), and of a forward pass that returns every neuron's activation for the heatmaps. The page's SGD step
is ``nn.SGD``'s arithmetic, its batches are shuffled by Python's own Mersenne Twister (``random.js``), so
20 epochs in the page end at the weights ``nn.fit`` reaches with the same seed.

A saved page cannot run Python, so it carries the replays of a set of architectures generated in advance
(``HIDDEN_CHOICES`` x ``ACTIVATION_CHOICES``, and the model's own): changing the layers or the activation
in the page picks another of them. Its "Export" gives an ``nn.save`` checkpoint that ``nn.load`` reads.

The page's HTML, style and script are files beside this one (``playground/``), inlined when it is written.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import autograd
from autograd import Value
from autograd.views.stepthrough import StepThrough

from .checkpoint import _document
from .compiled import compiled_step
from .data import Dataset, train_test_split
from .layers import MLP
from .losses import hinge_loss
from .optim import SGD

HIDDEN_CHOICES: tuple[tuple[int, ...], ...] = ((), (4,), (8,), (4, 4), (8, 8), (8, 8, 8))
"""The hidden layers a saved page can switch between (with the model's own)."""
ACTIVATION_CHOICES = ("relu", "tanh", "sigmoid")
"""The activations a saved page can switch between (with the model's own)."""
NOTEBOOK_HEIGHT = 760
"""Pixels of notebook the inline page takes."""


def binary_hinge_loss(score: Value, target: int) -> Value:
    """One sample's max-margin loss for a class target 0 or 1: max(0, 1 - label * score), label = 2 * target - 1.

    ``nn.hinge_loss`` of the one sample, for ``fit`` (which passes one output and one target): the loss
    the playground trains with.
    """
    if target not in (0, 1) or isinstance(target, bool):
        raise ValueError(f"binary_hinge_loss: the target must be the class 0 or 1, got {target!r}")
    return hinge_loss([score], [2 * target - 1])


class Playground(StepThrough):
    """The playground page of a model and a dataset: shown inline by a notebook (in an ``<iframe srcdoc>``, as
    the step-through page is), ``.save(path)`` writes it."""

    def __repr__(self) -> str:
        return "Playground(the playground page: a notebook shows it, .save(path) writes it)"

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="The playground" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #cbd5e1; border-radius: 8px" '
            'sandbox="allow-scripts allow-downloads"></iframe>'
        )


def playground(
    model: MLP,
    dataset: Dataset,
    *,
    name: str = "",
    learning_rate: float = 0.1,
    batch_size: int = 10,
    test_fraction: float = 0.2,
    seed: int = 0,
    height: int = NOTEBOOK_HEIGHT,
) -> Playground:
    """The playground of ``model`` (an ``nn.MLP`` of two inputs and one output, a score) on ``dataset`` (points
    in the plane with class targets 0 and 1, as ``nn.make_moons`` gives them).

    The dataset is split with ``train_test_split(dataset, test_fraction, seed)``; the page trains on the first
    part with ``binary_hinge_loss`` and SGD at ``learning_rate`` in batches of ``batch_size``, shuffled by
    ``random.Random(seed)`` as ``fit(..., seed=seed)`` shuffles them, and tests on the second. ``name``
    titles the page.
    """
    _check(model, dataset, learning_rate, batch_size, seed, height)
    train, test = train_test_split(dataset, test_fraction, seed)
    own = (tuple(len(layer.neurons) for layer in model.layers[:-1]), model.activation)
    choices = [(hidden, activation) for hidden in HIDDEN_CHOICES for activation in ACTIVATION_CHOICES]
    if own not in choices:
        choices.append(own)
    architectures = [(_architecture_entry(*choice), _replays(*choice)) for choice in choices]
    config = {
        "title": name or "a dataset",
        "train": _points(train),
        "test": _points(test),
        "extent": _extent(dataset),
        "architectures": [entry for entry, _ in architectures],
        "start": {
            "architecture": choices.index(own),
            "parameters": [p.data for p in model.parameters()],
            "learningRate": learning_rate,
            "batchSize": batch_size,
            "seed": seed,
        },
    }
    replays = ",\n".join(code for _, code in architectures)
    return Playground(_page(config, replays, name), height)


def _check(
    model: object, dataset: object, learning_rate: object, batch_size: object, seed: object, height: object
) -> None:
    if not isinstance(model, MLP):
        raise TypeError(f"playground: the model must be an nn.MLP, not {type(model).__name__}")
    if not isinstance(dataset, Dataset):
        raise TypeError(f"playground: the dataset must be an nn.Dataset, not {type(dataset).__name__}")
    if model.n_inputs != 2:
        raise ValueError(f"playground: the model must read 2 inputs (a point in the plane), not {model.n_inputs}")
    if len(model.layers[-1].neurons) != 1 or model.output_activation != "linear":
        raise ValueError(
            "playground: the model must end in one linear neuron (a score: positive for class 1), "
            f"not {len(model.layers[-1].neurons)} with {model.output_activation!r}"
        )
    if any(neuron.bias is None for layer in model.layers for neuron in layer.neurons):
        raise ValueError("playground: the model's neurons must have biases (bias=True)")
    widths = sorted({len(x) for x in dataset.inputs})
    if widths != [2]:
        raise ValueError(
            "playground: the dataset's inputs must be points in the plane, 2 numbers each, "
            f"not {', '.join(map(str, widths)) or 'none'}"
        )
    classes = set(dataset.targets)
    if not classes <= {0, 1} or any(isinstance(t, bool) or not isinstance(t, int) for t in dataset.targets):
        found = ", ".join(sorted(map(repr, classes - {0, 1})))
        raise ValueError(f"playground: the dataset's targets must be the classes 0 and 1, not {found}")
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, int | float)
        or not 0 < learning_rate < math.inf
    ):
        raise ValueError(f"playground: learning_rate must be a positive number, got {learning_rate!r}")
    for what, number, low in (("batch_size", batch_size, 1), ("seed", seed, 0), ("height", height, 300)):
        if isinstance(number, bool) or not isinstance(number, int) or number < low:
            raise ValueError(f"playground: {what} must be a whole number >= {low}, got {number!r}")


@cache
def _architecture_entry(hidden: tuple[int, ...], activation: str) -> dict[str, Any]:
    """What the page needs to know of one architecture: where each neuron's parameters are, their names,
    and the ``nn.save`` document it fills in to export."""
    model = MLP(2, [*hidden, 1], activation=activation, seed=0)
    position = {id(p): k for k, p in enumerate(model.parameters())}
    layout = [
        [
            {"weights": [position[id(w)] for w in neuron.weights], "bias": position[id(neuron.bias)]}
            for neuron in layer.neurons
        ]
        for layer in model.layers
    ]
    template = _document(model, SGD(model.parameters(), lr=1.0))
    return {
        "hidden": list(hidden),
        "activation": activation,
        "layout": layout,
        "names": [name for name, _ in model.named_parameters()],
        "checkpoint": template,
    }


@cache
def _replays(hidden: tuple[int, ...], activation: str) -> str:
    """The architecture's JavaScript: each class's sample loss as ``fit(..., compiled=True)`` replays it, and
    the forward pass with every neuron's activation as aux, as one object literal."""
    model = MLP(2, [*hidden, 1], activation=activation, seed=0)
    step = compiled_step(model, binary_hinge_loss)
    losses = [step.replay_for((0.0, 0.0), target)[0].javascript for target in (0, 1)]
    inputs = [Value(0.0, "x1"), Value(0.0, "x2")]

    def forward() -> tuple[Value, list[Value]]:
        outputs: Sequence[Value] = inputs
        activations: list[Value] = []
        for layer in model.layers:
            outputs = layer(outputs)
            activations.extend(outputs)
        return outputs[0], activations

    forward_replay = autograd.compile(forward, model.parameters(), data=inputs, has_aux=True)
    loss_0, loss_1, forward_js = (_function(source) for source in (*losses, forward_replay.javascript))
    return f"{{loss: [{loss_0}, {loss_1}], forward: {forward_js}}}"


def _function(source: str) -> str:
    """A generated ``function replay(...)`` declaration as an expression, so that many live in one script."""
    return f"(function () {{\n{source}\nreturn replay;\n}})()"


def _points(data: Dataset) -> list[list[float]]:
    return [[x, y, target] for (x, y), target in zip(data.inputs, data.targets, strict=True)]


def _extent(data: Dataset) -> list[float]:
    """The square of the plane the heatmaps cover: the points' range, with a margin, the same on both axes."""
    xs = [x for x, _ in data.inputs]
    ys = [y for _, y in data.inputs]
    centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = 0.6 * max(max(xs) - min(xs), max(ys) - min(ys), 1e-3)
    return [centre_x - half, centre_x + half, centre_y - half, centre_y + half]


@cache
def _asset(name: str) -> str:
    """A file of the page (HTML, style, scripts), from the package's ``playground`` folder."""
    return resources.files(__package__).joinpath("playground", name).read_text(encoding="utf-8")


def _page(config: dict[str, Any], replays: str, name: str) -> str:
    # JSON inside <script>: "</" written as "<\/" so no string can close the script element.
    data = json.dumps(config, allow_nan=False).replace("</", "<\\/")
    parts = {
        "TITLE": html.escape(f"Playground: {name}" if name else "Playground"),
        "CSS": _asset("playground.css"),
        "CONFIG": data,
        "REPLAYS": replays.replace("</", "<\\/"),
        "RANDOM": _asset("random.js"),
        "SCRIPT": _asset("playground.js"),
    }
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda slot: parts[slot.group(1)], _asset("playground.html"))
