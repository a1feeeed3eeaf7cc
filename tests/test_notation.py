"""autograd.notation: formulas written by precedence, and the order a program computed a graph's nodes.

Expected formulas are written by hand as a mathematics text writes them; expected orders come from
the programs that built the graphs (the article's formulas, an MLP's layers).
"""

import random

import pytest
from operators import BINARY

from autograd import Value, topological_order
from autograd.value import Operation
from autograd.views.notation import (
    ATOM,
    LOOSE,
    POWER,
    PRODUCT,
    SIGN,
    SUM,
    apply,
    derivative,
    name,
    number,
    reading_order,
)
from nn import MLP, article_inputs, article_network, squared_error

x, y, z = name("x"), name("y"), name("z")


@pytest.mark.parametrize(
    ("formula", "written"),
    [
        (apply("**", [number(-0.809), number(2)]), "(-0.809) ** 2"),  # never -0.809 ** 2, which is -(0.809 ** 2)
        (apply("neg", [apply("**", [x, number(2)])]), "-(x ** 2)"),
        (apply("**", [apply("neg", [x]), number(2)]), "(-x) ** 2"),
        (apply("**", [x, apply("**", [y, z])]), "x ** (y ** z)"),
        (apply("**", [apply("**", [x, y]), z]), "(x ** y) ** z"),
        (apply("**", [number(2), number(-1.5)]), "2 ** (-1.5)"),
        (apply("*", [number(0.05), number(-0.68765)]), "0.05 * (-0.68765)"),
        (apply("*", [number(-0.809), number(0.85)]), "-0.809 * 0.85"),
        (apply("-", [number(1), apply("neg", [x])]), "1 - (-x)"),
        (apply("-", [x, apply("+", [y, z])]), "x - (y + z)"),
        (apply("+", [apply("-", [x, y]), z]), "x - y + z"),
        (apply("-", [apply("-", [x, y]), z]), "x - y - z"),
        (apply("*", [apply("+", [x, y]), z]), "(x + y) * z"),
        (apply("+", [apply("*", [x, y]), apply("*", [y, z])]), "x * y + y * z"),
        (apply("/", [x, apply("*", [y, z])]), "x / (y * z)"),
        (apply("/", [apply("*", [x, y]), z]), "x * y / z"),
        (apply("exp", [apply("+", [x, y])]), "exp(x + y)"),
        (apply("*", [apply("tanh", [x]), number(2)]), "tanh(x) * 2"),
        (apply("neg", [number(-0.5)]), "-(-0.5)"),
        (apply("*", [name("y detached"), number(3)]), "(y detached) * 3"),
        (apply("+", [number(float("nan")), number(float("-inf"))]), "nan + (-inf)"),
    ],
)
def test_formulas_are_written_by_precedence(formula, written):
    assert formula.text == written


def test_every_operation_in_the_table_is_written_over_its_operands():
    operations = [value for value in vars(__import__("autograd.value").value).values() if isinstance(value, Operation)]
    assert len(operations) >= len(BINARY) + 10  # the table, read from value.py: a new row is covered here at once
    for operation in operations:
        text = apply(operation.name, [x, y][: operation.arity]).text
        assert "x" in text and (operation.arity == 1 or "y" in text), operation
        if operation.name in BINARY:
            assert text == f"x {operation.name} y"


def test_a_derivative_parenthesises_anything_but_a_name():
    assert derivative(name("E"), apply("*", [name("w5"), name("h1")])) == "∂E/∂(w5 * h1)"
    assert derivative(apply("**", [x, number(2)]), x) == "∂(x ** 2)/∂x"
    assert derivative(name("E"), name("w5*h1")) == "∂E/∂(w5*h1)"  # a label that is a product, not ∂E/∂w5 times h1


def test_a_derivative_written_with_a_letter_d_parenthesises_a_call_too():
    u = name("u")
    assert derivative(name("f"), u, "d") == "df/du"
    assert derivative(apply("tanh", [u]), u, "d") == "d(tanh(u))/du"  # never dtanh(u)/du: dtanh reads as one word
    assert derivative(apply("tanh", [u]), u) == "∂tanh(u)/∂u"
    assert derivative(name("f"), apply("neg", [u]), "d") == "df/d(-u)"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("w5", ATOM),
        ("2.5", ATOM),
        ("tanh(x * w + b)", ATOM),
        ("x * w", PRODUCT),
        ("w5*h1", PRODUCT),
        ("x / y", PRODUCT),
        ("x * w + b", SUM),
        ("x - 1", SUM),
        ("-x", SIGN),
        ("-x ** 2", SIGN),  # Python reads it as -(x ** 2)
        ("x ** 2", POWER),
        ("y detached", LOOSE),
        ("a, b", LOOSE),
        ("x < 1", LOOSE),
        ("x if y else z", LOOSE),
        ("'a b'", LOOSE),
        ("h1'", ATOM),  # not a formula, and one word
        ("", LOOSE),
        (" x", LOOSE),
        ("(" * 300 + "x" + ")" * 300, ATOM),  # deeper than Python's parser goes: one word, as it looks
    ],
)
def test_a_name_binds_as_the_formula_its_text_is(text, level):
    assert name(text).level == level


def test_a_label_that_is_a_formula_needs_no_extra_parentheses():
    # explain labels each value with its formula: the page writes over them as over any formula
    assert apply("*", [name("x * y"), z]).text == "x * y * z"
    assert apply("+", [name("x * y * z"), name("3 * x")]).text == "x * y * z + 3 * x"
    assert apply("*", [name("x + y"), z]).text == "(x + y) * z"
    assert apply("**", [name("-x"), number(2)]).text == "(-x) ** 2"


@pytest.mark.parametrize(
    ("x", "written"),
    [(2.0, "2"), (0.1, "0.1"), (1 / 3, "0.3333333333333333"), (-1e20, "-1e+20"), (-0.5, "-0.5"), (1e16, "1e+16")],
)
def test_every_digit_is_the_shortest_text_that_reads_back_as_the_number(x, written):
    formula = number(x, None)
    assert formula.text == written and float(formula.text) == x
    assert formula.level == (SIGN if x < 0 else ATOM)


def names(nodes):
    return [node.label or node.op for node in nodes if not node.is_leaf]


def test_the_articles_forward_pass_in_the_order_its_formulas_compute_it():
    error = squared_error(article_network()(article_inputs()), 1.0)
    error.label = "E"
    order = reading_order(topological_order(error))
    products = [f"{a.label}*{b.label}" for a, b in (n.parents for n in order if n.op == "*" and len(n.parents) == 2)]
    assert products == ["w1*i1", "w2*i2", "w3*i1", "w4*i2", "w5*h1", "w6*h2"]
    assert names(order) == ["*", "*", "h1", "*", "*", "h2", "*", "*", "out", "-", "**", "E"]
    assert [leaf.label for leaf in order if leaf.is_leaf] == ["w1", "i1", "w2", "i2", "w3", "w4", "w5", "w6"]


@pytest.mark.parametrize("labelled", [True, False])
def test_an_mlp_is_computed_layer_after_layer(labelled):
    model = MLP(3, [4, 4, 2], activation="tanh", seed=1)
    layer_of = {}
    if labelled:
        for depth, layer in enumerate(model.layers):
            for k, neuron in enumerate(layer.neurons):
                neuron.name = f"L{depth}n{k}"
    outputs = model([Value(1.0, "x1"), Value(-2.0, "x2"), Value(0.5, "x3")])
    root = outputs[0] + outputs[1]
    # Each neuron's output, by layer: tanh nodes in the hidden layers, the sums of the last layer.
    hidden = [n for n in topological_order(root) if n.op == "tanh"]
    for n in hidden:
        inputs = [p for p in topological_order(n) if p.op == "tanh" and p is not n]
        layer_of[n] = 1 if not inputs else 2
    for output in outputs:
        layer_of[output] = 3
    order = [n for n in reading_order(topological_order(root)) if n in layer_of]
    assert [layer_of[n] for n in order] == sorted(layer_of[n] for n in order)  # 1, 1, 1, 1, 2, 2, 2, 2, 3, 3
    assert len(order) == 10


def test_an_expression_is_read_left_to_right_as_python_evaluates_it():
    a, b, c, d = (Value(v, label) for v, label in ((1.0, "a"), (2.0, "b"), (3.0, "c"), (4.0, "d")))
    f = (a * b + c * d).exp() - (a + b) ** 2
    ops = [n.op for n in reading_order(topological_order(f)) if not n.is_leaf]
    assert ops == ["*", "*", "+", "exp", "+", "**", "-"]


def test_every_node_once_each_after_its_operands_on_random_graphs():
    rng = random.Random(11)
    for _ in range(200):
        pool = [Value(rng.uniform(-2, 2), f"x{k}") for k in range(rng.randint(1, 4))]
        for _ in range(rng.randint(1, 25)):
            a, b = rng.choice(pool), rng.choice(pool)
            made = rng.choice([a + b, a * b, a - b, a.tanh(), a * 2.0, 1.0 - b])
            if rng.random() < 0.3:
                made.label = f"v{len(pool)}"
            pool.append(made)
        order = topological_order(pool[-1])
        read = reading_order(order)
        assert sorted(map(id, read)) == sorted(map(id, order))
        place = {node: k for k, node in enumerate(read)}
        assert all(place[p] < place[n] for n in read for p in n.parents)
        assert read[-1] is pool[-1]


def test_a_graph_far_deeper_than_the_recursion_limit():
    y = Value(1.0, "x")
    for k in range(20_000):
        y = y * 1.0001
        if k % 3 == 0:
            y.label = f"y{k}"
    order = topological_order(y)
    assert reading_order(order) == order  # a chain has one order
