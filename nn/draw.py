"""The network view: a model drawn the way the article draws it.

Neurons are circles in layers (inputs on the left, the output on the right),
each showing its value for the given inputs; every weight is an edge from the
neuron that feeds it, labelled with the weight and its current gradient.
Where ``draw_graph`` shows every operation, this shows the model's shape.
Drawing never changes the model: the values come from a forward pass under
``no_grad`` and the gradients are read from the parameters as they are.

``network_view`` makes the same picture a view of the step-through page: each
step of the graph lights up the neuron or weight it is about, and the numbers
fill in as the forward pass, the backward sweep and the update reach them.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from functools import partial

from autograd import Value, no_grad, topological_order
from autograd.views.draw import (
    DIGIT_WIDTH,
    FONT,
    ROLE_STYLE,
    Direction,
    GraphDrawing,
    Role,
    check_layout,
    display_text,
    format_number,
    label_html,
)
from autograd.views.stepthrough import Slot, View, strings

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
    neuron_grads: bool = False,
    lang: str = "en",
) -> GraphDrawing:
    """Draw ``model`` as layers of neurons joined by weights.

    ``inputs``: one sample; each neuron then shows its value for it (inputs named by their
    Value labels, else ``x1, x2, ...``). ``show_grad``: label each weight with its ``grad`` too.
    ``neuron_grads``: a line for each neuron's gradient under its value, blank (``grad ·``) for
    the step-through page to fill in (a model keeps no gradient of its neurons' outputs).
    ``lang``: the language of the key under the drawing (``network_key``).
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
    key = network_key(lang, values is not None, show_grad)
    drawing.attr(label=key, labelloc="b", labeljust="l", fontsize="10", fontcolor="#64748b")

    columns: list[list[tuple[str, str, float | None]]] = [
        [(f"x{i}", name, None if values is None else values[0][i]) for i, name in enumerate(input_names)]
    ]
    for depth, layer in enumerate(layers, start=1):
        columns.append(
            [
                (f"L{depth}n{j}", neuron.name or _default_name(depth, j), None if values is None else values[depth][j])
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
                    _neuron_label(name, value, neuron, precision, neuron_grads and depth > 0),
                    id=node_id,
                    shape="circle",
                    style="filled",
                    fillcolor=fill,
                    color=border,
                    penwidth="1.5",
                    # wide enough for a number of `precision` digits, so a page can swap one for another
                    width=f"{max(0.75, DIGIT_WIDTH * (precision + (6 if neuron_grads else 4)) / 72):.2f}",
                )
            for (upper, _, _), (lower, _, _) in itertools.pairwise(column):
                cluster.edge(upper, lower, style="invis")  # keeps the article's order: i1 above i2

    for depth, layer in enumerate(layers, start=1):
        for j, neuron in enumerate(layer):
            for i, weight in enumerate(neuron.weights):
                tail, head = columns[depth - 1][i][0], columns[depth][j][0]
                drawing.edge(tail, head, label=_weight_label(weight, precision, show_grad), id=f"{tail}-{head}")
    return drawing


def network_key(lang: str, values: bool, show_grad: bool) -> str:
    """The key under the network's drawing, in ``lang`` (the step-through page's table): what the
    circles show (each neuron's ``values`` for the inputs, or just neurons) and what the edges do."""
    text = strings(lang)
    circles = text["network_key_values" if values else "network_key_neurons"]
    return text["network_key"].format(
        circles=circles, edges=text["network_key_gradients" if show_grad else "network_key_weights"]
    )


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


def _neuron_label(name: str, value: float | None, neuron: Neuron | None, precision: int, grad: bool = False) -> str:
    parts = [f"<b>{label_html(name)}</b>"]
    if value is not None:
        parts.append(html.escape(format_number(value, precision)))
    if neuron is not None and (neuron.activation != "linear" or neuron.bias is not None):
        details = [] if neuron.activation == "linear" else [neuron.activation]
        if neuron.bias is not None:
            details.append(f"b {format_number(neuron.bias.data, precision)}")
        parts.append(f'<font point-size="8" color="#64748b">{html.escape(", ".join(details))}</font>')
    if grad:
        parts.append(f'<font point-size="10" color="{GRAD_COLOUR}">grad ·</font>')
    return "<" + "<br/>".join(parts) + ">"


def _weight_label(weight: Value, precision: int, show_grad: bool) -> str:
    name = f"<b>{label_html(weight.label)}</b> = " if weight.label else ""
    text = f'<font color="{WEIGHT_COLOUR}">{name}{html.escape(format_number(weight.data, precision))}</font>'
    if show_grad:
        text += f'<br/><font color="{GRAD_COLOUR}">grad {html.escape(format_number(weight.grad, precision))}</font>'
    return f"<{text}>"


def network_view(
    model: Model,
    inputs: Sequence[Value | float],
    root: Value,
    *,
    precision: int = 7,
    direction: Direction = "LR",
    target: Value | None = None,
) -> View:
    """The network picture of ``model`` as a view of the step-through page of ``root``'s graph
    (``autograd.stepthrough_html(root, views=[network_view(model, inputs, root)])``).

    ``root`` depends on one forward pass of ``model`` on ``inputs`` (a loss of ``model(inputs)``, say).
    Each step about a product ``w * x`` lights weight ``w``'s line, each step about a neuron's sums and
    activation lights its circle; the neurons' values, the weights and the gradients of both fill in as
    the steps reach them, with ``precision`` significant digits (7 shows every number of the article).
    Where ``root`` is computed from the model's output (a loss), a box for it follows the output
    neuron, lit by the steps of that computation; ``target``, a leaf the loss compares the output
    with, is drawn as a given value feeding it.
    """
    layers = _layers_of(model)
    drawing = draw_network(model, inputs, precision=precision, direction=direction, neuron_grads=True)
    drawing.graph_attr["ranksep"] = "1.1"  # the page scales a drawing to its smallest text: keep it compact
    drawing.edge_attr["fontsize"] = "10"
    users: dict[Value, list[Value]] = {}
    for node in topological_order(root):
        for parent in node.parents:
            users.setdefault(parent, []).append(node)

    def the_user(node: Value, what: str) -> Value:
        found = users.get(node, [])
        if len(found) != 1:
            raise ValueError(
                f"the network view needs a graph of one forward pass of the model: {what} is used "
                f"{len(found)} times in the graph, not once"
            )
        return found[0]

    elements: dict[Value, list[str]] = {}
    data: dict[Value, Slot] = {}
    grads: dict[Value, Slot] = {}
    names = [_input_name(x, i) for i, x in enumerate(inputs)]
    for i, x in enumerate(inputs):
        if isinstance(x, Value) and x in users:
            elements[x] = [f"x{i}"]
            data[x] = Slot(f"x{i}", _lines(names[i]))
    previous = [f"x{i}" for i in range(len(inputs))]
    for depth, layer in enumerate(layers, start=1):
        current = [f"L{depth}n{j}" for j in range(len(layer))]
        for neuron, neuron_id in zip(layer, current, strict=True):
            total: Value | None = None
            for weight, tail in zip(neuron.weights, previous, strict=True):
                line = f"{tail}-{neuron_id}"
                product = the_user(weight, f"weight {weight.label or line}")
                elements[weight] = elements[product] = [line]
                data[weight] = Slot(line, _lines(weight.label), " = " if weight.label else "")
                grads[weight] = Slot(line, -1, "grad ")
                # the neuron's running sum: w1*x1, then + w2*x2, ... (Neuron.__call__)
                total = product if total is None else the_user(product, f"the product of {weight.label or line}")
                elements.setdefault(total, [neuron_id])
            assert total is not None
            if neuron.bias is not None:
                total = the_user(neuron.bias, f"the bias of {neuron.name or neuron_id}")
                elements[neuron.bias] = elements[total] = [neuron_id]
            if neuron.activation != "linear":
                total = the_user(total, f"the sum of {neuron.name or neuron_id}")
                elements[total] = [neuron_id]
            data[total] = Slot(neuron_id, _lines(neuron.name or _default_name(depth, current.index(neuron_id))))
            grads[total] = Slot(neuron_id, -1, "grad ")
        previous = current
    if target is not None and (not isinstance(target, Value) or not target.is_leaf or target not in users):
        raise ValueError("the network view's target must be a leaf Value the root is computed from")
    loss = [node for node in topological_order(root) if not node.is_leaf and node not in elements]
    if loss:  # the loss after the output neuron, and the target it compares with
        _loss_box(drawing, root, target, previous, precision)
        for node in loss:
            elements[node] = ["loss"]
        data[root] = Slot("loss", _lines(root.label or "loss"))
        if target is not None:
            elements[target] = ["target"]
            data[target] = Slot("target", 1)
            grads[target] = Slot("target", -1, "grad ")
    return View("network", drawing, elements, data, grads, precision, partial(network_key, values=True, show_grad=True))


def _loss_box(drawing: GraphDrawing, root: Value, target: Value | None, outputs: list[str], precision: int) -> None:
    """A box for the loss right of the output neurons, and one for the target feeding it."""
    fill, border, _style, _peripheries = ROLE_STYLE["output"]
    name = label_html(root.label or "loss")
    value = html.escape(format_number(root.data, precision))
    drawing.node(
        "loss",
        f"<<b>{name}</b><br/>{value}>",
        id="loss",
        shape="box",
        style="filled,rounded",
        fillcolor=fill,
        color=border,
        penwidth="1.5",
        width=f"{DIGIT_WIDTH * (precision + 4) / 72:.2f}",
    )
    for output in outputs:
        drawing.edge(output, "loss", id=f"{output}-loss")
    if target is not None:
        fill, border, _style, _peripheries = ROLE_STYLE["input"]
        label = (
            f"<<b>{label_html(target.label or 'target')}</b><br/>{html.escape(format_number(target.data, precision))}"
        )
        label += f'<br/><font point-size="10" color="{GRAD_COLOUR}">grad ·</font>>'
        drawing.node(
            "target",
            label,
            id="target",
            shape="box",
            style="filled",
            fillcolor=fill,
            color=border,
            width=f"{DIGIT_WIDTH * (precision + 9) / 72:.2f}",
        )
        drawing.edge("target", "loss", id="target-loss")


def _lines(text: str) -> int:
    """How many lines ``text`` takes as a label (``""``: none): the index of the text that follows it."""
    return len(display_text(text).split("\n")) if text else 0


def _default_name(depth: int, index: int) -> str:
    return f"n{depth}.{index + 1}"
