"""The network view: a model drawn the way the article draws it.

Neurons are circles in layers (inputs on the left, the output on the right),
each showing its value for the given inputs; every weight is an edge from the
neuron that feeds it, labelled with the weight and its current gradient.
Where ``draw_graph`` shows every operation, this shows the model's shape.
Drawing never changes the model: the values come from a forward pass under
``no_grad`` and the gradients are read from the parameters as they are.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence

from autograd import Value, no_grad
from autograd.draw import FONT, ROLE_STYLE, Direction, GraphDrawing, Role, check_layout, format_number, label_html

from .layers import MLP, Layer, Neuron

Model = MLP | Layer | Neuron
WEIGHT_COLOUR = "#334155"
GRAD_COLOUR = "#b91c1c"


def draw_network(
    model: Model,
    inputs: Sequence[Value | float] | None = None,
    *,
    precision: int = 4,
    show_grad: bool = True,
    direction: Direction = "LR",
) -> GraphDrawing:
    """Draw ``model`` as layers of neurons joined by weights.

    ``inputs``: one sample; each neuron then shows its value for it (inputs named by their
    Value labels, else ``x1, x2, ...``). ``show_grad``: label each weight with its ``grad`` too.
    """
    layers = _layers_of(model)
    n_inputs = len(layers[0][0].weights)
    if inputs is not None and len(inputs) != n_inputs:
        raise ValueError(f"this model takes {n_inputs} inputs, got {len(inputs)}")
    check_layout(direction, precision)

    values = _forward(layers, inputs) if inputs is not None else None
    input_names = [_input_name(x, i) for i, x in enumerate(inputs or [None] * n_inputs)]
    drawing = GraphDrawing(
        name="network",
        graph_attr={"rankdir": direction, "fontname": FONT, "nodesep": "0.5", "ranksep": "1.6"},
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#64748b", "arrowsize": "0.6"},
    )
    drawing.value_count = n_inputs + sum(len(layer) for layer in layers)
    key = "circles: each neuron's value for these inputs" if values is not None else "circles: neurons"
    key += "; edges: each weight" + (" and its gradient (grad)" if show_grad else "")
    drawing.attr(label=key, labelloc="b", labeljust="l", fontsize="10", fontcolor="#64748b")

    columns: list[list[tuple[str, str, float | None]]] = [
        [(f"x{i}", name, None if values is None else values[0][i]) for i, name in enumerate(input_names)]
    ]
    for depth, layer in enumerate(layers, start=1):
        columns.append(
            [
                (f"L{depth}n{j}", neuron.name or f"n{depth}.{j + 1}", None if values is None else values[depth][j])
                for j, neuron in enumerate(layer)
            ]
        )
    for depth, column in enumerate(columns):
        role: Role = "input" if depth == 0 else "output" if depth == len(layers) else "intermediate"
        neurons = layers[depth - 1] if depth else [None] * len(column)
        with drawing.subgraph(name=f"layer{depth}") as cluster:
            cluster.attr(rank="same")
            for (node_id, name, value), neuron in zip(column, neurons, strict=True):
                fill, border, _style, _peripheries = ROLE_STYLE[role]
                cluster.node(
                    node_id,
                    _neuron_label(name, value, neuron, precision),
                    id=node_id,
                    shape="circle",
                    style="filled",
                    fillcolor=fill,
                    color=border,
                    penwidth="1.5",
                )
            for (upper, _, _), (lower, _, _) in itertools.pairwise(column):
                cluster.edge(upper, lower, style="invis")  # keeps the article's order: i1 above i2

    for depth, layer in enumerate(layers, start=1):
        for j, neuron in enumerate(layer):
            for i, weight in enumerate(neuron.weights):
                tail, head = columns[depth - 1][i][0], columns[depth][j][0]
                drawing.edge(tail, head, label=_weight_label(weight, precision, show_grad), id=f"{tail}-{head}")
    return drawing


def _layers_of(model: Model) -> list[list[Neuron]]:
    if isinstance(model, MLP):
        return [layer.neurons for layer in model.layers]
    if isinstance(model, Layer):
        return [model.neurons]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(f"draw_network() draws an MLP, a Layer or a Neuron, not {type(model).__name__}")


def _forward(layers: list[list[Neuron]], inputs: Sequence[Value | float]) -> list[list[float]]:
    """Each layer's values for ``inputs``, computed without recording a graph."""
    current = [x.data if isinstance(x, Value) else float(x) for x in inputs]
    values = [current]
    with no_grad():
        for layer in layers:
            current = [neuron(current).data for neuron in layer]
            values.append(current)
    return values


def _input_name(x: Value | float | None, index: int) -> str:
    return x.label if isinstance(x, Value) and x.label else f"x{index + 1}"


def _neuron_label(name: str, value: float | None, neuron: Neuron | None, precision: int) -> str:
    parts = [f"<b>{label_html(name)}</b>"]
    if value is not None:
        parts.append(html.escape(format_number(value, precision)))
    if neuron is not None and (neuron.activation != "linear" or neuron.bias is not None):
        details = [] if neuron.activation == "linear" else [neuron.activation]
        if neuron.bias is not None:
            details.append(f"b {format_number(neuron.bias.data, precision)}")
        parts.append(f'<font point-size="8" color="#64748b">{html.escape(", ".join(details))}</font>')
    return "<" + "<br/>".join(parts) + ">"


def _weight_label(weight: Value, precision: int, show_grad: bool) -> str:
    name = f"<b>{label_html(weight.label)}</b> = " if weight.label else ""
    text = f'<font color="{WEIGHT_COLOUR}">{name}{html.escape(format_number(weight.data, precision))}</font>'
    if show_grad:
        text += f'<br/><font color="{GRAD_COLOUR}">grad {html.escape(format_number(weight.grad, precision))}</font>'
    return f"<{text}>"
