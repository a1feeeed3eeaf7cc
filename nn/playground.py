"""The playground: a page where a small network learns a dataset in the plane while you watch.

Every hidden and output neuron is drawn as a heatmap of its output over the input plane, every weight as a
line (colour its sign, width its size), and the page trains the network in the browser with the engine's own
numbers: the engine's JavaScript twin (``autograd.replay.twin``: the operation table's rows, generated, and the
one sweep) builds each batch's graph as ``nn.fit`` builds it (``nn.MLP``'s sums in its order, the hinge loss,
the batch's mean) and runs ``backward()`` on it. The page's SGD step is ``nn.SGD``'s arithmetic, its batches
are shuffled by Python's own Mersenne Twister (``random.js``), so 20 epochs in the page end at the weights
``nn.fit`` reaches with the same seed.

Since the twin builds any graph, the page builds the MLP for any layer sizes (up to ``MAX_HIDDEN_LAYERS`` of
``MAX_WIDTH`` neurons) and activation the learner types in; nothing is generated per architecture. Its
"Export" gives an ``nn.save`` checkpoint that ``nn.load`` reads, and any such checkpoint of an MLP of two
inputs and one linear output loads into it.

The page's HTML, style and script are files beside this one (``playground/``), inlined when it is written.
"""

from __future__ import annotations

import html
import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

from autograd import Value
from autograd.replay.twin import twin_javascript
from autograd.views.stepthrough import StepThrough

from .checkpoint import FORMAT, VERSION
from .data import Dataset, train_test_split
from .layers import MLP
from .losses import hinge_loss

HIDDEN_SUGGESTIONS: tuple[tuple[int, ...], ...] = ((), (4,), (8,), (4, 4), (8, 8), (8, 8, 8))
"""The hidden layers the page suggests (any others may be typed in)."""
ACTIVATION_CHOICES = ("relu", "tanh", "sigmoid")
"""The activations the page offers between layers."""
MAX_HIDDEN_LAYERS, MAX_WIDTH = 4, 16
"""The largest network the page builds: at most 4 hidden layers of 1 to 16 neurons (the command's limits)."""
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
    config = {
        "title": name or "a dataset",
        "train": _points(train),
        "test": _points(test),
        "extent": _extent(dataset),
        "suggestions": [list(hidden) for hidden in HIDDEN_SUGGESTIONS],
        "activations": list(dict.fromkeys([*ACTIVATION_CHOICES, model.activation])),
        "limits": {"layers": MAX_HIDDEN_LAYERS, "width": MAX_WIDTH},
        "checkpoint": {"format": FORMAT, "version": VERSION},
        "start": {
            "hidden": [len(layer.neurons) for layer in model.layers[:-1]],
            "activation": model.activation,
            "parameters": [p.data for p in model.parameters()],
            "learningRate": learning_rate,
            "batchSize": batch_size,
            "seed": seed,
        },
    }
    return Playground(_page(config, name), height)


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


def _page(config: dict[str, Any], name: str) -> str:
    # JSON inside <script>: "</" written as "<\/" so no string can close the script element.
    data = json.dumps(config, allow_nan=False).replace("</", "<\\/")
    parts = {
        "TITLE": html.escape(f"Playground: {name}" if name else "Playground"),
        "CSS": _asset("playground.css"),
        "CONFIG": data,
        "TWIN": twin_javascript().replace("</", "<\\/"),
        "RANDOM": _asset("random.js"),
        "SCRIPT": _asset("playground.js"),
    }
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda slot: parts[slot.group(1)], _asset("playground.html"))
