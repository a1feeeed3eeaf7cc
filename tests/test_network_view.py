"""draw_network: the article's network drawn as the article draws it, rendered by the real `dot`.

Expected values and positions come from the article: inputs i1 = 2, i2 = 3 on the left,
hidden h1 = 0.85 above h2 = 0.48, out = 0.191 on the right; w1 joins i1 to h1, w2 i2 to h1,
w3 i1 to h2, w4 i2 to h2, w5 h1 to out, w6 h2 to out.
"""

import math
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, topological_order
from autograd.views.stepthrough import Slot, page_data
from nn import MLP, article_inputs, article_network, article_weights, draw_network, network_view, squared_error

SVG = "{http://www.w3.org/2000/svg}"
VALUES = {"i1": "2", "i2": "3", "h1": "0.85", "h2": "0.48", "out": "0.191"}
WEIGHTS = {
    "w1": ("i1", "h1", 0.11, -0.22652),
    "w2": ("i2", "h1", 0.21, -0.33978),
    "w3": ("i1", "h2", 0.12, -0.2427),
    "w4": ("i2", "h2", 0.08, -0.36405),
    "w5": ("h1", "out", 0.14, -0.68765),
    "w6": ("h2", "out", 0.15, -0.38832),
}


def article_after_backward():
    model = article_network()
    inputs = article_inputs()
    squared_error(model(inputs), 1.0).backward()
    return model, inputs


def rendered(drawing):
    """(neurons {name: (texts, x, y)}, edges {(tail name, head name): texts}) from dot's SVG."""
    root = ET.fromstring(drawing.pipe(format="svg"))
    neurons, ids = {}, {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            texts = [t.text for t in group.iter(f"{SVG}text")]
            ellipse = group.find(f"{SVG}ellipse")
            neurons[texts[0]] = (texts, float(ellipse.get("cx")), float(ellipse.get("cy")))
            ids[group.find(f"{SVG}title").text] = texts[0]
    edges = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "edge":
            tail, head = group.find(f"{SVG}title").text.split("->")
            edges[(ids[tail], ids[head])] = [t.text for t in group.iter(f"{SVG}text")]
    return neurons, edges


def test_the_article_network_shows_every_neuron_with_its_value():
    model, inputs = article_after_backward()
    neurons, _ = rendered(draw_network(model, inputs=inputs))
    assert set(neurons) == set(VALUES)
    for name, value in VALUES.items():
        assert neurons[name][0] == [name, value], name


def test_every_weight_is_the_edge_the_article_puts_it_on_with_its_gradient():
    model, inputs = article_after_backward()
    _, edges = rendered(draw_network(model, inputs=inputs, precision=5))
    assert len(edges) == 6
    for name, (tail, head, weight, gradient) in WEIGHTS.items():
        texts = edges[(tail, head)]
        assert texts[0] == name, name
        assert texts[1] == f" = {weight!r}", name
        assert texts[2] == f"grad {gradient!r}", name


def test_layers_run_left_to_right_and_neurons_top_to_bottom_as_in_the_article():
    model, inputs = article_after_backward()
    neurons, _ = rendered(draw_network(model, inputs=inputs))
    x = {name: cx for name, (_, cx, _) in neurons.items()}
    y = {name: -cy for name, (_, _, cy) in neurons.items()}  # SVG y grows downwards
    assert x["i1"] == x["i2"] < x["h1"] == x["h2"] < x["out"]
    assert y["i1"] > y["i2"] and y["h1"] > y["h2"]
    assert y["h2"] < y["out"] < y["h1"]


def test_drawing_the_network_changes_nothing_in_the_model():
    model, inputs = article_after_backward()
    values = [*model.parameters(), *inputs]
    before = [(v.data, v.grad, v.label) for v in values]
    draw_network(model, inputs=inputs).pipe(format="svg")
    assert [(v.data, v.grad, v.label) for v in values] == before


def test_without_inputs_neurons_show_names_only_and_grads_can_be_hidden():
    model = article_network()
    neurons, edges = rendered(draw_network(model, show_grad=False))
    assert neurons["x1"][0] == ["x1"] and neurons["out"][0] == ["out"]
    assert edges[("h1", "out")] == ["w5", " = 0.14"]


def test_a_model_with_biases_and_activations_says_so():
    model = MLP(2, [3, 1], activation="relu", seed=0)
    neurons, edges = rendered(draw_network(model, inputs=[0.5, -1.0]))
    assert len(neurons) == 2 + 3 + 1 and len(edges) == 2 * 3 + 3 * 1
    hidden = [texts for name, (texts, _, _) in neurons.items() if name.startswith("n1.")]
    assert len(hidden) == 3 and all(texts[-1] == "relu, b 0" for texts in hidden)


def test_wrong_inputs_and_models_are_named():
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        draw_network(article_network(), inputs=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="an MLP, a Layer or a Neuron, not dict"):
        draw_network({"w": 1.0})


def test_hostile_weight_labels_render_literally():
    model = article_network()
    weight = article_weights(model)["w1"]
    weight.label = '<b>"w1"</b> \\N & {x}'
    _, edges = rendered(draw_network(model))
    assert edges[("x1", "h1")][0] == '<b>"w1"</b> \\N & {x}'


# --- the network as a view of the step-through page ----------------------------


def article_page_steps(model, inputs, root, **options):
    from autograd import stepthrough_html

    page = stepthrough_html(root, views=[network_view(model, inputs, root)], **options)
    return page, page_data(page)  # each step's texts written out with the recorded numbers


def shown_at_the_end(data, view="network"):
    """Each slot's text after the last step, by (element id, text index)."""
    (slots,) = [v["slots"] for v in data["views"] if v["name"] == view]
    where = {slot_id: (element, index) for element, index, slot_id, _ in slots}
    texts = {where[slot_id]: initial for element, index, slot_id, initial in slots}
    for step in data["steps"]:
        for slot_id, text in step.get("set", []):
            if slot_id in where:
                texts[where[slot_id]] = text
    return texts


def test_the_article_network_view_lights_each_weight_and_neuron_its_steps_are_about():
    model = article_network()
    inputs = article_inputs()
    error = squared_error(model(inputs), 1.0)
    view = network_view(model, inputs, error)
    weights = article_weights(model)
    lines = {name: f"{ids[tail]}-{ids[head]}" for name, (tail, head, _, _) in WEIGHTS.items()}
    for name, weight in weights.items():
        assert view.elements[weight] == [lines[name]]
        (product,) = [n for n in topological_order(error) if weight in n.parents]
        assert view.elements[product] == [lines[name]]  # the step computing w * x lights w's line
        assert view.grads[weight] == Slot(lines[name], -1, "grad ")
    by_label = {n.label: n for n in topological_order(error) if n.label}
    for name in ("h1", "h2", "out"):
        assert view.elements[by_label[name]] == [ids[name]]
        assert view.data[by_label[name]] == Slot(ids[name], 1)  # the text under the neuron's name
    assert view.data[inputs[0]] == Slot("x0", 1)


ids = {"i1": "x0", "i2": "x1", "h1": "L1n0", "h2": "L1n1", "out": "L2n0"}


def test_the_network_view_fills_in_the_forward_pass_the_gradients_and_the_update():
    model = article_network()
    inputs = article_inputs()
    out = model(inputs)
    error = squared_error(out, 1.0)
    _, data = article_page_steps(
        model, inputs, error, parameters=model.parameters(), learning_rate=0.05, prediction=out
    )
    forward_end = max(k for k, step in enumerate(data["steps"]) if step["phase"] == "forward")
    backward_end = max(k for k, step in enumerate(data["steps"]) if step["phase"] == "backward")
    after_forward = shown_at_the_end({**data, "steps": data["steps"][: forward_end + 1]})
    assert {name: after_forward[ids[name], 1] for name in VALUES} == VALUES  # the article's values
    after_backward = shown_at_the_end({**data, "steps": data["steps"][: backward_end + 1]})
    for name, (tail, head, _, gradient) in WEIGHTS.items():
        assert after_backward[f"{ids[tail]}-{ids[head]}", -1] == f"grad {gradient!r}", name
    at_the_end = shown_at_the_end(data)
    updated = {"w1": 0.121326, "w2": 0.226989, "w3": 0.132135, "w4": 0.0982025, "w5": 0.1743825, "w6": 0.169416}
    for name, (tail, head, _, _) in WEIGHTS.items():
        assert at_the_end[f"{ids[tail]}-{ids[head]}", 1] == f" = {updated[name]!r}", name
    assert at_the_end["L2n0", 1] == "0.2557458"  # the article's 0.2557457808075, to 7 digits


def test_a_neuron_with_a_bias_and_an_activation_shows_its_output():
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    inputs = [Value(0.5, "a"), Value(-1.5, "b")]
    (out,) = [model(inputs)]
    loss = (out - 0.25) ** 2
    _, data = article_page_steps(model, inputs, loss)
    shown = shown_at_the_end(data)
    for j, neuron in enumerate(model.layers[0].neurons):  # tanh(w . x + b), by hand
        w = [weight.data for weight in neuron.weights]
        expected = math.tanh(w[0] * 0.5 + w[1] * -1.5 + neuron.bias.data)
        assert float(shown[f"L1n{j}", 1]) == pytest.approx(expected, rel=1e-6)
    assert float(shown["L2n0", 1]) == pytest.approx(out.data, rel=1e-6)


def test_the_network_view_needs_one_forward_pass():
    model = article_network()
    twice = squared_error(model(article_inputs()), 1.0) + squared_error(model(article_inputs()), 0.0)
    with pytest.raises(ValueError, match="one forward pass of the model: weight w1 is used 2 times"):
        network_view(model, article_inputs(), twice)
