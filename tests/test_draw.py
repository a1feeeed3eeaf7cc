"""draw_graph: the DOT it builds, and what Graphviz's real `dot` program makes of it.

Expected counts come from the article's network written out by hand (six
products, three sums, three error operations), expected numbers from the
article's table; rendering goes through the real `dot` program, which CI installs.
"""

import json
import re
import xml.etree.ElementTree as ET

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import GraphError, GraphTooLargeError, GraphvizNotFoundError, Value, draw_graph, stepthrough_html
from autograd.views.draw import MAX_RENDER_VALUES
from nn import MLP, article_inputs, article_network, squared_error
from nn.cli import main

SVG = "{http://www.w3.org/2000/svg}"
ARTICLE_GRADIENTS = {"w1": -0.22652, "w2": -0.33978, "w3": -0.2427, "w4": -0.36405, "w5": -0.68765, "w6": -0.38832}
# The article's graph: leaves i1, i2, w1..w6; six products w*x, three sums (h1, h2, out),
# then out - 1, (out - 1) ** 2 and 0.5 * that: 8 leaves + 12 operations.
ARTICLE_VALUES = 8 + 12
ARTICLE_OPERATIONS = 12
# Edges: two inputs into each product and each sum, one Value input into each error
# operation, and one edge from every operation to its result.
ARTICLE_EDGES = 6 * 2 + 3 * 2 + 3 * 1 + 12


def article_error():
    model = article_network()
    out = model(article_inputs())
    error = squared_error(out, 1.0)
    error.backward()
    return model, error


def statements(source):
    """(node names, edges) declared in a DOT source."""
    nodes = re.findall(r"^\t(n\d+(?:_op)?) \[", source, flags=re.M)
    edges = re.findall(r"^\t(n\d+(?:_op)?) -> (n\d+(?:_op)?)(?::in\d)?(?::[wn])? \[", source, flags=re.M)
    return nodes, edges


def svg_of(drawing):
    return ET.fromstring(drawing.pipe(format="svg"))


def svg_nodes(root):
    """{node name: [its text pieces]} from dot's SVG, where each node is <g class="node ..."><title>name</title>."""
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        if "node" in group.get("class", "").split():
            nodes[group.find(f"{SVG}title").text] = [t.text or "" for t in group.iter(f"{SVG}text")]
    return nodes


def all_text(root):
    return [t.text or "" for t in root.iter(f"{SVG}text")]


# --- structure ---------------------------------------------------------------


def test_article_graph_has_one_node_per_value_and_operation_and_one_edge_per_input():
    _, error = article_error()
    nodes, edges = statements(draw_graph(error).source)
    assert len([n for n in nodes if not n.endswith("_op")]) == ARTICLE_VALUES
    assert len([n for n in nodes if n.endswith("_op")]) == ARTICLE_OPERATIONS
    assert len(edges) == ARTICLE_EDGES
    assert len(set(nodes)) == len(nodes)


def test_a_value_used_twice_shows_two_edges():
    x = Value(3.0, "x")
    y = x * x
    nodes, edges = statements(draw_graph(y).source)
    assert len(nodes) == 3  # x, y, and the * between them
    assert edges.count(("n0", "n1_op")) == 2


def test_each_edge_into_an_operation_arrives_at_its_local_derivative():
    # d(a*b)/da = b = 5 and d(a*b)/db = a = 2; d(exp(c))/dc = exp(c) = e^10
    a, b = Value(2.0, "a"), Value(5.0, "b")
    out = (a * b).exp()
    root = svg_of(draw_graph(out, precision=6))
    nodes = svg_nodes(root)
    product = next(texts for name, texts in nodes.items() if name.endswith("_op") and "*" in texts)
    assert "∂ 5" in product and "∂ 2" in product
    exp_node = next(texts for name, texts in nodes.items() if name.endswith("_op") and "exp" in texts)
    assert "∂ 22026.5" in exp_node
    # the edge from a ends at the port that shows ∂ 5 (a's local derivative is b)
    source = draw_graph(out).source
    a_name = re.search(r"^\t(n\d+) \[label=<.*<b>a</b>", source, flags=re.M).group(1)
    port = re.search(rf"^\t{a_name} -> (n\d+_op):(in\d)", source, flags=re.M)
    op_line = re.search(rf"^\t{port.group(1)} \[label=(.*)$", source, flags=re.M).group(1)
    assert re.search(rf'port="{port.group(2)}"[^>]*><font[^>]*>∂ 5<', op_line)


def test_the_dot_source_is_identical_for_the_same_graph_built_twice():
    _, first = article_error()
    _, second = article_error()
    assert draw_graph(first).source == draw_graph(second).source
    assert draw_graph(first).source == draw_graph(first).source


def test_node_names_are_positions_in_topological_order_never_ids():
    _, error = article_error()
    source = draw_graph(error).source
    names = re.findall(r"\b(n\d+)\b", source)
    assert set(names) == {f"n{i}" for i in range(ARTICLE_VALUES)}
    assert not re.search(r"\d{8,}", source)  # no id()-sized numbers anywhere


def test_drawing_never_changes_the_graph():
    model, error = article_error()
    from autograd import topological_order

    before = [(n.data, n.grad, n.label, n.op, n.parents, n.local_grads) for n in topological_order(error)]
    drawing = draw_graph(error, parameters=model.parameters())
    drawing.pipe(format="svg")
    after = [(n.data, n.grad, n.label, n.op, n.parents, n.local_grads) for n in topological_order(error)]
    assert before == after


# --- through the real dot program -------------------------------------------


def test_article_svg_shows_every_label_and_the_articles_gradients():
    model, error = article_error()
    root = svg_of(draw_graph(error, parameters=model.parameters(), precision=6))
    texts = all_text(root)
    for label in ("i1", "i2", "w1", "w2", "w3", "w4", "w5", "w6", "h1", "h2", "out"):
        assert label in texts, label
    nodes = svg_nodes(root)
    by_label = {texts[0]: texts for texts in nodes.values() if texts and texts[0] in ARTICLE_GRADIENTS}
    for name, gradient in ARTICLE_GRADIENTS.items():
        assert by_label[name][-1] == repr(gradient), name  # the last number in a value box is its grad
    for label, value in {"h1": "0.85", "h2": "0.48", "out": "0.191"}.items():
        assert next(t for t in nodes.values() if t and t[0] == label)[2] == value
    assert len(nodes) == ARTICLE_VALUES + ARTICLE_OPERATIONS


def test_roles_are_told_apart_by_class_and_colour():
    model, error = article_error()
    root = svg_of(draw_graph(error, parameters=model.parameters()))
    roles = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if "node" in classes and len(classes) == 2:  # value boxes carry their role as a second class
            roles[next(t.text for t in group.iter(f"{SVG}text"))] = classes[1]
    assert roles["i1"] == roles["i2"] == "input"
    assert {roles[f"w{k}"] for k in range(1, 7)} == {"parameter"}
    assert roles["h1"] == roles["out"] == "intermediate"
    assert "output" in roles.values()
    source = draw_graph(error, parameters=model.parameters()).source
    colours = {role: re.search(rf'class={role} .*?fillcolor="(#\w+)"', source).group(1) for role in set(roles.values())}
    assert len(set(colours.values())) == 4


@pytest.mark.parametrize(
    "label",
    [
        '{ } | < > " \\ ;',
        '"]; injected [label="x"]; n0 -> n0 [',
        "</td></tr></table>><b>bold</b>",
        "&amp; &lt; &#65; ]]> <!-- -->",
        "Ελληνικά, русский, 中文, العربية, 🙂",
        "\\N \\G \\L \\n",
    ],
)
def test_hostile_labels_render_literally_and_inject_nothing(label):
    x = Value(1.5, label)
    y = (x * 2.0).tanh()
    root = svg_of(draw_graph(y))
    nodes = svg_nodes(root)
    assert len(nodes) == 5  # x, x * 2, its tanh, and two operations: nothing injected
    assert label in all_text(root)


# Markup and escape characters of DOT, HTML-like labels, XML and Graphviz (\\l \\n \\N), quotes,
# spaces, newlines, letters and unicode from several scripts.
LABEL_ALPHABET = [*"][{}|<>&\"'\\;#%=lnN \n", "é", "中", "🙂", "ع"]


def drawn_labels(labels):
    """Draw one graph holding a leaf per label (leaf i holds the number i) through the real `dot`,
    and give back the lines of text each leaf shows, from the SVG's <text> elements."""
    total = Value(-1.0)  # an unlabelled start, so that every labelled value is an input
    for i, label in enumerate(labels):
        total = total + Value(float(i), label)
    root = svg_of(draw_graph(total, show_grad=False, show_local_grads=False, legend=False))
    assert len(svg_nodes(root)) == 1 + 3 * len(labels)  # the leaves, the sums and their + boxes: nothing more
    shown = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class", "").split() == ["node", "input"]:  # a leaf's box: its label's lines, "data", i
            *lines, caption, number = [t.text or "" for t in group.iter(f"{SVG}text")]
            assert caption == "data"
            # SVG keeps a run of spaces as spaces and no-break spaces (U+00A0): they show the same.
            shown[number] = [line.replace("\xa0", " ") for line in lines]
    return [shown.get(f"{float(i):g}") for i in range(len(labels))]


def literal_lines(label):
    """What a short label without control characters must show: its lines, literally (dot draws no empty line)."""
    return [line for line in label.split("\n") if line]


def test_a_label_of_one_closing_bracket_draws_and_so_does_its_step_through_page():
    for label in ("]", "]]", "]\n]"):
        assert drawn_labels([label]) == [literal_lines(label)], label
    assert ">]</text>" in stepthrough_html(Value(2.0, "]") * 3.0)  # the page builds, the label drawn in it


def test_every_label_of_one_or_two_markup_or_escape_characters_draws_literally():
    labels = [a + b for a in ["", *LABEL_ALPHABET] for b in LABEL_ALPHABET]
    for start in range(0, len(labels), 200):  # a few hundred values per `dot` run
        batch = labels[start : start + 200]
        drawn = drawn_labels(batch)
        wrong = [(label, shown) for label, shown in zip(batch, drawn, strict=True) if shown != literal_lines(label)]
        assert not wrong, wrong[:10]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(st.sampled_from(LABEL_ALPHABET), max_size=40), min_size=1, max_size=30))
def test_any_label_of_markup_escape_and_unicode_characters_draws_literally(labels):
    labels = [label.strip("\n") or "x" for label in labels]  # an empty label shows no line at all
    assert drawn_labels(labels) == [literal_lines(label) for label in labels]


def test_an_empty_label_draws_only_the_number():
    assert drawn_labels(["", "a"]) == [[], ["a"]]


def test_newlines_in_a_label_become_separate_lines():
    x = Value(1.0, "first line\nsecond line")
    texts = all_text(svg_of(draw_graph(x * 3.0)))
    assert "first line" in texts and "second line" in texts


def test_control_characters_show_as_escapes():
    x = Value(1.0, "bell\x07 nul\x00")
    texts = all_text(svg_of(draw_graph(x + 1.0)))
    assert "bell\\x07 nul\\x00" in texts


def test_a_very_long_label_is_wrapped_and_cut_with_a_note():
    label = "".join(chr(ord("a") + i % 26) for i in range(5000))
    root = svg_of(draw_graph(Value(1.0, label) * 2.0))
    texts = all_text(root)
    assert label[:40] in texts and label[40:80] in texts
    assert any("4840 characters" in t for t in texts)  # 5000 - 160 shown


# --- options -----------------------------------------------------------------


def test_direction_precision_and_what_is_shown():
    _, error = article_error()
    assert "rankdir=TB" in draw_graph(error, direction="TB").source
    assert "rankdir=LR" in draw_graph(error).source
    two_digits = all_text(svg_of(draw_graph(error, precision=2)))
    assert "0.19" in two_digits and "0.191" not in two_digits
    bare = all_text(svg_of(draw_graph(error, show_grad=False, show_local_grads=False, legend=False)))
    assert "grad" not in bare
    assert not any(t.startswith("∂") for t in bare)
    assert "grad" in all_text(svg_of(draw_graph(error)))


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((3.0,), TypeError, "draws a Value, not float"),
        ((Value(1.0),), ValueError, "direction"),
        ((Value(1.0),), ValueError, "precision"),
        ((Value(1.0),), TypeError, "parameters must be Values"),
    ],
)
def test_bad_arguments_are_named(arguments, error, message):
    options = {
        "direction": {"direction": "diagonal"},
        "precision": {"precision": 0},
        "parameters must be Values": {"parameters": [1.0]},
    }.get(message, {})
    with pytest.raises(error, match=message):
        draw_graph(*arguments, **options)


# --- layout: what dot makes of the drawing ------------------------------------


def _bezier(p0, p1, p2, p3, samples=24):
    for k in range(samples + 1):
        t = k / samples
        u = 1 - t
        weights = (u**3, 3 * u * u * t, 3 * u * t * t, t**3)
        yield tuple(sum(w * c for w, c in zip(weights, axis, strict=True)) for axis in zip(p0, p1, p2, p3, strict=True))


def edges_passing_nodes(drawing, margin=1.0):
    """(tail, head, node) for every edge whose drawn path comes within ``margin`` points of a node
    other than its own two ends, from the geometry `dot -Tjson` computes (boxes and Bezier curves)."""
    layout = json.loads(drawing.pipe(format="json"))
    objects = layout["objects"]
    boxes = {}
    for index, item in enumerate(objects):
        if "pos" in item and "width" in item:
            x, y = map(float, item["pos"].split(","))
            half_width, half_height = float(item["width"]) * 36 + margin, float(item["height"]) * 36 + margin
            boxes[index] = (x - half_width, y - half_height, x + half_width, y + half_height)
    passing = []
    for edge in layout["edges"]:
        points = []
        for draw in edge.get("_draw_", []):  # invisible edges draw nothing
            if draw["op"] in ("b", "B"):
                control = draw["points"]
                for k in range(0, len(control) - 3, 3):
                    points += _bezier(*control[k : k + 4])
        for index, (x0, y0, x1, y1) in boxes.items():
            if index not in (edge["tail"], edge["head"]) and any(x0 < x < x1 and y0 < y < y1 for x, y in points):
                passing.append((objects[edge["tail"]]["name"], objects[edge["head"]]["name"], objects[index]["name"]))
    return passing


def mlp_output(seed):
    model = MLP(3, [4, 4, 1], activation="tanh", seed=seed)
    return model, model([Value(1.0, "x1"), Value(-2.0, "x2"), Value(0.5, "x3")])


@pytest.mark.parametrize("direction", ["TB", "LR"])
@pytest.mark.parametrize("graph", ["article", "mlp0", "mlp1"])
def test_no_edge_runs_under_a_node_it_does_not_join(graph, direction):
    # Issue 11: top to bottom, the edge from i1 to w3 * i1 used to run along the bottom of the w2 and
    # i2 boxes, as if w2 fed that product.
    model, root = article_error() if graph == "article" else mlp_output(int(graph[-1]))
    drawing = draw_graph(root, direction=direction, parameters=model.parameters())
    assert edges_passing_nodes(drawing) == []


def test_the_geometry_check_sees_an_edge_under_a_node():
    # The check above can fail: three boxes in a row, and a straight edge from the first to the third.
    drawing = graphviz.Digraph(engine="neato", graph_attr={"splines": "line"}, node_attr={"shape": "box"})
    for name, x in (("a", 0), ("b", 2), ("c", 4)):
        drawing.node(name, pos=f"{x},0!")
    drawing.edge("a", "c")
    assert edges_passing_nodes(drawing) == [("a", "c", "b")]


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_the_legend_is_no_wider_than_a_three_node_drawing(direction):
    # It used to widen x * 3 to 1134 pt: the legend's text was larger than the nodes' and in one line.
    y = Value(2.0, "x") * 3.0
    width = {}
    for legend in (True, False):
        root = svg_of(draw_graph(y, direction=direction, legend=legend))
        width[legend] = float(root.get("width").removesuffix("pt"))
    assert width[True] <= width[False] + 4
    legend_text = [t for t in svg_of(draw_graph(y, direction=direction)).iter(f"{SVG}text") if t.text == "parameter"]
    assert float(legend_text[0].get("font-size")) < 11  # smaller than the values it explains


# --- size and missing dot ----------------------------------------------------


def test_a_100000_node_graph_builds_dot_and_refuses_to_render_clearly():
    x = Value(1.0, "x")
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    drawing = draw_graph(y)  # no RecursionError: the traversal is iterative
    nodes, edges = statements(drawing.source)
    assert len(nodes) == 100_001 + 100_000
    assert len(edges) == 2 * 100_000
    assert drawing.value_count == 100_001 > MAX_RENDER_VALUES
    with pytest.raises(GraphTooLargeError, match=r"100,001 values.*Draw a smaller part"):
        drawing.pipe(format="svg")
    bundle = drawing._repr_mimebundle_()
    assert "Draw a smaller part" in bundle["text/plain"]


def test_the_render_limit_can_be_set():
    x = Value(1.0)
    y = x
    for _ in range(10):
        y = y + 1.0
    with pytest.raises(GraphTooLargeError, match="11 values"):
        draw_graph(y, render_limit=5).pipe()
    assert draw_graph(y, render_limit=None).pipe(format="svg").startswith(b"<?xml")


def test_without_dot_the_source_builds_and_rendering_says_what_to_install(monkeypatch, tmp_path):
    _, error = article_error()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    drawing = draw_graph(error)
    assert drawing.source.startswith("digraph")
    for attempt in (lambda: drawing.pipe(format="svg"), lambda: drawing.render(tmp_path / "graph", format="svg")):
        with pytest.raises(GraphvizNotFoundError) as raised:
            attempt()
        message = str(raised.value)
        assert "`dot`" in message and "apt-get install graphviz" in message and "brew install graphviz" in message
        assert isinstance(raised.value, graphviz.ExecutableNotFound)
    assert "apt-get install graphviz" in drawing._repr_mimebundle_()["text/plain"]


def test_a_notebook_shows_the_drawing_inline_as_svg():
    _, error = article_error()
    bundle = draw_graph(error)._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    assert "<svg" in svg
    ET.fromstring(svg)


def test_render_writes_a_file(tmp_path):
    _, error = article_error()
    written = draw_graph(error).render(tmp_path / "graph", format="svg")
    ET.parse(written)


# --- the command line --------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "fmt", "magic"),
    [
        ("graph", "svg", b"<?xml"),
        ("graph", "png", b"\x89PNG"),
        ("network", "pdf", b"%PDF"),
        ("graph", "dot", b"digraph"),
    ],
)
def test_cli_render_writes_each_format(tmp_path, capsys, view, fmt, magic):
    out = tmp_path / f"article.{fmt}"
    assert main(["render", "--view", view, "--format", fmt, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert str(out) in capsys.readouterr().out


def test_cli_render_svg_has_the_articles_gradients(tmp_path):
    out = tmp_path / "graph.svg"
    assert main(["render", "--precision", "6", "--out", str(out)]) == 0
    texts = all_text(ET.parse(out).getroot())
    for gradient in ARTICLE_GRADIENTS.values():
        assert repr(gradient) in texts


def test_cli_render_without_dot_prints_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["render", "--out", str(tmp_path / "x.svg")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("micro-autograd: error:") and "apt-get install graphviz" in error
    assert "Traceback" not in error


def test_the_readme_svg_is_what_its_command_draws_now(tmp_path):
    """docs/article-graph.svg, shown in the README, carries the same text as a fresh render of its command."""
    from pathlib import Path

    committed = Path(__file__).parent.parent / "docs" / "article-graph.svg"
    fresh = tmp_path / "fresh.svg"
    assert main(["render", "--view", "graph", "--direction", "TB", "--out", str(fresh)]) == 0
    committed_texts = all_text(ET.parse(committed).getroot())
    assert sorted(committed_texts) == sorted(all_text(ET.parse(fresh).getroot()))
    for label in ("i1", "i2", "w1", "w2", "w3", "w4", "w5", "w6", "h1", "h2", "out", "E"):
        assert label in committed_texts


def fake_dot(directory, script):
    """A stand-in `dot` on PATH that misbehaves as ``script`` says."""
    directory.mkdir()
    program = directory / "dot"
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(0o755)
    return str(directory)


def test_when_dot_crashes_the_error_says_so_and_suggests_a_smaller_part(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", fake_dot(tmp_path / "bin", "kill -SEGV $$"))
    with pytest.raises(GraphTooLargeError, match=r"`dot` crashed \(signal 11\).*Draw a smaller part"):
        draw_graph(Value(1.0) * 2.0).pipe(format="svg")


def test_when_dot_takes_too_long_it_is_stopped_with_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", fake_dot(tmp_path / "bin", "exec /bin/sleep 60"))
    drawing = draw_graph(Value(1.0) * 2.0)
    drawing.render_timeout = 0.2
    with pytest.raises(GraphTooLargeError, match=r"did not finish .* within 0.2 s.*Draw a smaller part"):
        drawing.pipe(format="svg")


def test_when_dot_fails_its_message_is_passed_on(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", fake_dot(tmp_path / "bin", "echo 'Error: syntax error in line 1' >&2; exit 1"))
    with pytest.raises(GraphError, match="exit status 1: Error: syntax error in line 1"):
        draw_graph(Value(1.0) * 2.0).pipe(format="svg")


def test_a_copy_keeps_the_size_check():
    y = Value(1.0)
    for _ in range(10):
        y = y + 1.0
    copy = draw_graph(y, render_limit=5).copy()
    assert copy.source == draw_graph(y, render_limit=5).source
    with pytest.raises(GraphTooLargeError, match="11 values"):
        copy.pipe(format="svg")


def test_a_single_value_given_as_the_parameters_is_refused_by_name():
    # It raised "'Value' object is not iterable", naming neither the function nor the argument.
    w = Value(2.0, "w")
    with pytest.raises(
        TypeError,
        match=r"draw_graph\(\): parameters must be a sequence of Values, not Value; for one Value v, pass \[v\]",
    ):
        draw_graph(w * w, parameters=w)
    with pytest.raises(TypeError, match=r"stepthrough_html\(\): parameters must be a sequence of Values, not Value"):
        stepthrough_html(w * w, parameters=w)
    with pytest.raises(TypeError, match=r"parameters must be Values; item 1 is float"):  # it was dropped silently
        stepthrough_html(w * w, parameters=[w, 0.5])


def test_a_parameter_that_is_not_a_leaf_is_refused_not_drawn_as_an_intermediate():
    # It was drawn as an intermediate value without a word: amber means "gradient descent changes this".
    w, x = Value(2.0, "w"), Value(3.0, "x")
    h = w * x
    with pytest.raises(ValueError, match=r"draw_graph\(\): parameter 1 \(label ''\) was made by '\*'; parameters are"):
        draw_graph(h * h, parameters=[w, h])
    draw_graph(h * h, parameters=[w])  # a leaf is a parameter
