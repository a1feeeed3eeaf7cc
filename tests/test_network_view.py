"""draw_network: the article's network drawn as the article draws it, rendered by the real `dot`.

Expected values and positions come from the article: inputs i1 = 2, i2 = 3 on the left,
hidden h1 = 0.85 above h2 = 0.48, out = 0.191 on the right; w1 joins i1 to h1, w2 i2 to h1,
w3 i1 to h2, w4 i2 to h2, w5 h1 to out, w6 h2 to out.
"""

import xml.etree.ElementTree as ET

import pytest

from nn import MLP, article_inputs, article_network, article_weights, draw_network, squared_error

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
