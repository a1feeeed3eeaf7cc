"""`micro-autograd explain` and `autograd.explain`: any expression through the forward pass and the chain rule.

Values and gradients are checked against PyTorch 2.13 in float64, each expression written a second time by
hand as PyTorch code (never through the parser under test). Hostile expressions are refused with exit
status 2 and the offending part underlined, and nothing in them ever runs: a sentinel file never appears,
and while they are read ``eval`` and ``exec`` raise and ``compile`` raises for anything but a syntax tree.
"""

import builtins
import itertools
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from autograd import Explanation, ExpressionError, Value, explain, topological_order
from autograd.views.stepthrough import page_data
from nn.cli import main

torch.set_num_threads(1)
CONSOLE = str(Path(sys.executable).with_name("micro-autograd"))


def close(engine, reference):
    return math.isclose(engine, reference, rel_tol=1e-12, abs_tol=1e-15)


# (expression, values, the same function in PyTorch)
TABLE = [
    ("tanh(x*w + b)", {"x": 2, "w": -0.5, "b": 1}, lambda x, w, b: torch.tanh(x * w + b)),
    ("x*w1 + y*w2", {"x": 2, "w1": 0.11, "y": 3, "w2": 0.21}, lambda x, w1, y, w2: x * w1 + y * w2),
    (
        "0.5 * (h1*w5 + h2*w6 - 1) ** 2",
        {"h1": 0.85, "w5": 0.14, "h2": 0.48, "w6": 0.15},
        lambda h1, w5, h2, w6: 0.5 * (h1 * w5 + h2 * w6 - 1) ** 2,
    ),
    ("x**2 - 3*x*y + (-x)**3 / y", {"x": -0.809, "y": 2}, lambda x, y: x**2 - 3 * x * y + (-x) ** 3 / y),
    ("-x**2", {"x": 3}, lambda x: -(x**2)),
    ("2 ** -x + x ** y", {"x": 1.5, "y": 0.5}, lambda x, y: 2 ** (-x) + x**y),
    ("3 - x / 4 + 4 / x", {"x": 0.7}, lambda x: 3 - x / 4 + 4 / x),
    ("x * x * x", {"x": -1.25}, lambda x: x * x * x),
    ("exp(x) * log(y) + sqrt(y)", {"x": 0.3, "y": 2.5}, lambda x, y: torch.exp(x) * torch.log(y) + torch.sqrt(y)),
    (
        "sigmoid(a) + relu(b) + relu(-b)",
        {"a": -0.4, "b": 1.7},
        lambda a, b: torch.sigmoid(a) + torch.relu(b) + torch.relu(-b),
    ),
    ("sin(t) * cos(t) + abs(t - 2)", {"t": 0.9}, lambda t: torch.sin(t) * torch.cos(t) + torch.abs(t - 2)),
    ("2 * 3 * x + 10 ** -2 * y", {"x": 0.5, "y": -2}, lambda x, y: 6 * x + 0.01 * y),  # constants folded
    ("+x - -y + (x)", {"x": 1.1, "y": 2.2}, lambda x, y: x + y + x),
    ("tanh(tanh(tanh(u)))", {"u": 0.8}, lambda u: torch.tanh(torch.tanh(torch.tanh(u)))),
    ("(x - y) / (x + y) ** 0.5", {"x": 4, "y": 1.5}, lambda x, y: (x - y) / (x + y) ** 0.5),
]


def torch_reference(values, function):
    leaves = {name: torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for name, v in values.items()}
    out = function(*leaves.values())
    out.backward()
    return out.item(), {name: leaf.grad.item() for name, leaf in leaves.items()}


@pytest.mark.parametrize(("expression", "values", "reference"), TABLE, ids=[row[0] for row in TABLE])
def test_values_and_gradients_match_pytorch(expression, values, reference):
    value, gradients = torch_reference(values, reference)
    explanation = explain(expression, **values)
    assert close(explanation.root.data, value)
    assert explanation.gradients.keys() == values.keys()
    for name, gradient in gradients.items():
        assert close(explanation.gradients[name], gradient), name
        assert explanation.leaves[name].grad == explanation.gradients[name]


@pytest.mark.parametrize(("expression", "values", "reference"), TABLE, ids=[row[0] for row in TABLE])
def test_the_command_prints_pytorchs_gradients(capsys, expression, values, reference):
    _, gradients = torch_reference(values, reference)
    assert main(["explain", "--precise", "--", expression, *(f"{name}={v!r}" for name, v in values.items())]) == 0
    printed = capsys.readouterr().out.split("Gradients")[1]
    for name, gradient in gradients.items():
        number = re.search(rf"^  df/d{name} = (\S+)", printed, flags=re.M).group(1)
        assert close(float(number), gradient), name


# --- what the text says --------------------------------------------------------------------------


def test_the_forward_pass_shows_each_operations_arithmetic_in_the_order_it_runs():
    text = explain("tanh(x*w + b)", x=2, w=-0.5, b=1).text
    forward = text.split("Forward pass")[1].split("Backward")[0].strip().splitlines()[1:]
    assert [line.strip() for line in forward] == [
        "x * w = 2 * (-0.5) = -1",
        "x * w + b = -1 + 1 = 0",
        "f = tanh(x * w + b) = tanh(0) = 0",
    ]
    text = explain("a*b + c*d", a=1, b=2, c=3, d=4).text
    assert text.index("a * b = 1 * 2 = 2") < text.index("c * d = 3 * 4 = 12") < text.index("f = a * b + c * d")


@pytest.mark.parametrize(
    ("expression", "values", "line"),
    [
        ("x ** 2", {"x": -0.809}, "f = x ** 2 = (-0.809) ** 2 = 0.6545"),  # never -0.809 ** 2
        ("(-x) ** 2", {"x": 0.809}, "f = (-x) ** 2 = (-0.809) ** 2 = 0.6545"),
        ("-x ** 2", {"x": 3}, "f = -(x ** 2) = -9"),
        ("x * -y", {"x": 2, "y": 3}, "f = x * (-y) = 2 * (-3) = -6"),
        ("x - -y", {"x": 2, "y": 3}, "f = x - (-y) = 2 - (-3) = 5"),
        ("2 ** -x", {"x": 1}, "f = 2 ** (-x) = 2 ** (-1) = 0.5"),
        ("(x + y) * z", {"x": 1, "y": 2, "z": 3}, "f = (x + y) * z = 3 * 3 = 9"),
        ("x - (y - z)", {"x": 1, "y": 2, "z": 3}, "f = x - (y - z) = 1 - (-1) = 2"),
        ("(x - y) - z", {"x": 1, "y": 2, "z": 3}, "f = x - y - z = -1 - 3 = -4"),
        ("x / (y * z)", {"x": 1, "y": 2, "z": 4}, "f = x / (y * z) = 1 / 8 = 0.125"),
        # the project's one rule (notation) writes a power's exponent in parentheses unless it is a name or
        # an unsigned number: x ** (y ** z) is what Python reads x ** y ** z as, with nothing to remember
        ("x ** y ** z", {"x": 2, "y": 3, "z": 2}, "f = x ** (y ** z) = 2 ** 9 = 512"),
        ("(x ** y) ** z", {"x": 2, "y": 3, "z": 2}, "f = (x ** y) ** z = 8 ** 2 = 64"),
        ("-(-x)", {"x": 2}, "f = -(-x) = -(-2) = 2"),
    ],
)
def test_formulas_are_written_by_operator_precedence(expression, values, line):
    assert f"  {line}\n" in explain(expression, **values).text + "\n"


def test_the_backward_sweep_shows_every_chain_rule_product():
    explanation = explain("tanh(x*w + b)", x=2, w=-0.5, b=1)
    backward = explanation.text.split("Backward sweep")[1].split("Gradients")[0]
    edges = sum(len(node.parents) for node in topological_order(explanation.root))
    products = [line for line in backward.splitlines() if " * d" in line]
    assert len(products) == edges == 5
    assert "  df/df = 1\n" in backward
    assert "  df/d(x * w + b) = df/df * d(tanh(x * w + b))/d(x * w + b) = 1 * 1 = 1\n" in backward  # 1 - tanh(0)^2
    assert "  df/dx = df/d(x * w) * d(x * w)/dx = 1 * (-0.5) = -0.5\n" in backward
    assert "  df/dw = df/d(x * w) * d(x * w)/dw = 1 * 2 = 2\n" in backward


def test_a_name_used_twice_accumulates_its_gradient_visibly():
    text = explain("x*x", x=3).text
    assert "df/dx = df/df * d(x * x)/dx (input 1) = 1 * 3 = 3" in text
    assert "df/dx += df/df * d(x * x)/dx (input 2) = 1 * 3 = 3, so df/dx = 3 + 3 = 6" in text
    assert text.rstrip().endswith("df/dx = 6")  # 2x at x = 3


def test_every_name_gets_its_gradient_and_parameters_are_marked():
    explanation = explain("tanh(x*w + b)", x=2, w=-0.5, b=1, parameters=["w", "b"])
    gradients = explanation.text.split("Gradients")[1]
    assert "df/dx = -0.5\n" in gradients  # d tanh(xw+b)/dx = w (1 - tanh(0)^2) = w
    assert "df/dw = 2   (parameter)" in gradients
    assert "df/db = 1   (parameter)" in gradients


def test_two_nodes_with_the_same_formula_get_different_names():
    text = explain("-x * x - -x", x=2).text
    assert "  -x = -2\n" in text and "  v1 = -x = -2\n" in text  # two negations, two nodes
    assert "df/dv1 =" in text and "df/d(-x) =" in text


def test_long_formulas_are_named_v1_v2():
    text = explain("sigmoid(a*x1 + b*x2 + c*x1*x2)", a=1, b=2, c=3, x1=0.5, x2=-1).text
    assert "  v1 = a * x1 + b * x2 + c * x1 * x2 = -1.5 + (-1.5) = -3\n" in text
    assert "  f = sigmoid(v1) = sigmoid(-3) = 0.04743\n" in text


def test_plain_numbers_are_folded_and_said_so():
    explanation = explain("2 * 3 * x", x=0.5)
    assert "2 * 3 = 6   (plain numbers: folded into a constant, not a node of the graph)" in explanation.text
    assert 6.0 in explanation.root.operands() and len(topological_order(explanation.root)) == 2


def test_precise_prints_every_digit():
    text = explain("x / 3", x=1, precise=True).text
    # Every digit: the shortest text that reads back as the float, whole numbers without ".0" (as the
    # expression's own constants are written): 1 is 1.0 exactly.
    assert "f = x / 3 = 1 / 3 = 0.3333333333333333" in text
    assert float(text.rstrip().rsplit(" = ", 1)[1]) == 1 / 3


def test_the_output_alone_is_a_leaf():
    explanation = explain("x", x=2)
    assert explanation.root is explanation.leaves["x"] and explanation.gradients == {"x": 1.0}
    assert "dx/dx = 1" in explanation.text


# --- the step-through page -----------------------------------------------------------------------------


def page_steps(page):
    return page_data(page)["steps"]  # each step's texts written out with the recorded numbers


def test_the_step_through_page_says_what_the_text_says(tmp_path):
    """Each value is labelled with its name, and the page reads a label that is a formula as that
    formula: its forward pass is the text's, line for line, with no parentheses added (never
    ``x * y * z = (x * y) * z``) and none missing (``∂(-x)``, never ``∂-x``)."""
    explanation = explain("x*y*z + tanh(x*w + b) - (-x)**2", x=2, y=3, z=4, w=-0.5, b=1, parameters=["w", "b"])
    page = explanation.save_stepthrough(tmp_path / "page.html").read_text(encoding="utf-8")
    steps = page_steps(page)
    text = explanation.text.split("Forward pass")[1].split("Backward")[0].strip().splitlines()[1:]
    forward = [step["lines"][0] for step in steps if step["phase"] == "forward"]
    assert forward == [line.strip() for line in text]  # whole numbers: the page's 12 digits and the text's 4 agree
    assert "x * y * z = 6 * 4 = 24" in forward and "f = v1 - (-x) ** 2 = 24 - 4 = 20" in forward
    lines = [line for step in steps for line in step["lines"]]
    # d(u ** 2)/du = 2u at u = -2: the row's formula, over the names and over the numbers
    assert "∂((-x) ** 2)/∂(-x) = 2 * (-x) ** 1 = 2 * (-2) ** 1 = -4" in lines
    assert not [line for line in lines if "∂-" in line]
    assert steps[0]["lines"] == [
        "x = 2  (input)",
        "y = 3  (input)",
        "z = 4  (input)",
        "w = -0.5  (parameter)",
        "b = 1  (parameter)",
    ]
    parameters = re.findall(r'<g id="n\d+" class="node parameter">.*?font-size="11.00">(\w+)</text>', page, re.S)
    assert sorted(parameters) == ["b", "w"]  # drawn amber


def test_the_page_of_an_explanation_promises_no_update_it_does_not_make(tmp_path):
    """Without a learning rate the page ends with the backward sweep: its table of parameters has no
    column for values after a step, and no step says gradient descent will use a gradient."""
    explanation = explain("tanh(x*w + b)", x=2, w=-0.5, b=1, parameters=["w", "b"])
    page = explanation.save_stepthrough(tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<caption>The numbers: change any of them</caption>" in page and "<th>after the step</th>" not in page
    assert "gradient descent" not in json.dumps(page_steps(page))
    updating = explanation.save_stepthrough(tmp_path / "update.html", learning_rate=0.1).read_text(encoding="utf-8")
    assert "<th>after the step</th>" in updating and page_steps(updating)[-1]["phase"] == "result"


# --- the Python API ---------------------------------------------------------------------------------


def test_the_python_api_returns_the_graph_the_leaves_and_the_gradients():
    explanation = explain("x * w", {"x": 2}, w=-0.5, parameters=["w"])
    assert isinstance(explanation, Explanation) and str(explanation) == explanation.text
    assert isinstance(explanation.root, Value) and explanation.root.data == -1.0
    assert list(explanation.leaves) == ["x", "w"] and all(leaf.is_leaf for leaf in explanation.leaves.values())
    assert explanation.leaves["w"].label == "w" and explanation.root.label == "f"
    assert explanation.gradients == {"x": -0.5, "w": 2.0}
    assert explanation.parameters == ("w",)
    # A positional-only expression and mapping: any name, even "values" or "expression", can be given.
    assert explain("values * expression", values=2, expression=3).gradients == {"values": 3.0, "expression": 2.0}


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: explain("x", x=True), TypeError, "the value of x must be a number, not bool"),
        (lambda: explain("x", x="2"), TypeError, "must be a number, not str"),
        (lambda: explain("x", x=math.inf), ExpressionError, "finite"),
        (lambda: explain("x", x=10**400), ExpressionError, "too large"),
        (lambda: explain("x", x=1, y=2), ExpressionError, "y is given a value but the expression does not use it"),
        (lambda: explain("x", x=1, parameters=["z"]), ExpressionError, "parameter 'z' is not a name"),
        (lambda: explain("x", {"x y": 1}), ExpressionError, "'x y' is not a name"),
        (lambda: explain(b"x", x=1), TypeError, "not bytes"),
    ],
)
def test_bad_values_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# --- hostile input -----------------------------------------------------------------------------------

# (expression, NAME=VALUE arguments, the words of the message, the part underlined)
HOSTILE = [
    ("__import__('os').system('touch {sentinel}')", [], "only the functions", "__import__('os').system"),
    ("exp(__import__('os').system('touch {sentinel}'))", [], "only the functions", "__import__('os').system"),
    ("().__class__", [], "attribute", "().__class__"),
    ("x.__class__", ["x=1"], "attribute", "x.__class__"),
    ("[x][0]", ["x=1"], "indexing", "[x][0]"),
    ("x[0]", ["x=1"], "indexing", "x[0]"),
    ("lambda: 1", [], "lambda", "lambda: 1"),
    ("f(x=1)", [], "f is not a function explain knows", "f"),
    ("exp(x=1)", [], "takes no keyword arguments", "x=1"),
    ("exp(x, x)", ["x=1"], "exactly one argument", "exp(x, x)"),
    ("exp(*[x])", ["x=1"], "starred", "*[x]"),
    ("getattr(x, 'y')", ["x=1"], "getattr is not a function", "getattr"),
    ("__builtins__", [], "double underscore", "__builtins__"),
    ("x + y", ["x=1"], "y has no value", "y"),
    ("x", [], "x has no value", "x"),
    ("exp + x", ["x=1"], "exp is a function", "exp"),
    ("x if x else x", ["x=1"], "if/else", "x if x else x"),
    ("x < 1", ["x=1"], "comparison", "x < 1"),
    ("x and x", ["x=1"], "and/or", "x and x"),
    ("(y := x)", ["x=1"], "assignment", "y := x"),
    ("x // 2", ["x=1"], "//", "x // 2"),
    ("x % 2", ["x=1"], "%", "x % 2"),
    ("x @ x", ["x=1"], "@", "x @ x"),
    ("x ^ 1", ["x=1"], "^ is not one of the operations + - * / **; a power is written ** (x**1)", "x ^ 1"),
    ("(x+1)^(2*x)", ["x=1"], "a power is written ** ((x + 1)**(2 * x))", "(x+1)^(2*x)"),
    ("x | 1", ["x=1"], "a bitwise operator is not one of the operations", "x | 1"),
    ("~x", ["x=1"], "~", "~x"),
    ("not x", ["x=1"], "not", "not x"),
    ("'abc' * x", ["x=1"], "'abc' is not a number", "'abc'"),
    ("True * x", ["x=1"], "True is not a number", "True"),
    ("1j * x", ["x=1"], "complex", "1j"),
    ("None", [], "None is not a number", "None"),
    ("f'{x}'", ["x=1"], "f-string", "f'{x}'"),
    ("[x for x in (1,)]", [], "comprehension", "[x for x in (1,)]"),
    ("{x: 1}", ["x=1"], "dict", "{x: 1}"),
    ("(x, x)", ["x=1"], "tuple", "(x, x)"),
    ("x; import os", ["x=1"], "not an expression explain can read", ";"),
    ("import os", [], "not an expression explain can read", "import"),
    ("x +", ["x=1"], "not an expression explain can read", None),  # the caret sits after the end
    ("", [], "empty", None),
    ("x\n+ 1", ["x=1"], "one line", None),
    ("2 ** 10 ** 10", [], "too large for a float", "2 ** 10 ** 10"),  # floats: refused at once, never computed
    ("x ** 10 ** 10", ["x=2"], "too large for a float", "x ** 10 ** 10"),
    ("1e999 * x", ["x=1"], "too large for a float", "1e999"),
    ("9" * 400 + " * x", ["x=1"], "too large for a float", "9" * 76),  # underlined as far as shown
    ("exp(exp(exp(exp(x))))", ["x=2"], "too large for a float", "exp(exp(exp(x)))"),
    ("log(x) + 1", ["x=-1"], "log(-1.0) is undefined", "log(x)"),
    ("1 + x / 0", ["x=1"], "division by zero", "x / 0"),
    ("x / (y - y)", ["x=0.30000000000000004", "y=0.7"], "error: 0.3 / 0: division by zero\n", "x / (y - y)"),
    ("2 * 3", [], "no names", "2 * 3"),
    ("x + " * 300 + "x", ["x=1"], "at most 1,000", None),  # very long
    ("(" * 300 + "x" + ")" * 300, ["x=1"], "nested", None),  # deeper than Python's parser goes
    ("x + " + "-(" * 210 + "x" + ")" * 210, ["x=1"], "nested", None),
    ("x * y", ["x=1", "x=2", "y=1"], "x is given a value twice", None),
    ("x", ["x=abc"], "'abc' is not a number", None),
    ("x", ["x=True"], "'True' is not a number", None),
    ("x", ["x=nan"], "finite", None),
    ("x", ["x=1e999"], "finite", None),
    ("x", ["x"], "NAME=VALUE", None),
    ("x", ["x=1", "y=2"], "y is given a value but the expression does not use it", None),
    ("x", ["x=1", "--param", "z"], "parameter 'z' is not a name", None),
    ("__class__", ["__class__=1"], "double underscore", None),
    ("exp(x)", ["exp=1", "x=1"], "exp is one of the functions", None),
]


def underlined(message):
    """The part of the shown expression that the caret line underlines."""
    lines = message.splitlines()
    for shown, carets in itertools.pairwise(lines):
        if carets.strip() and set(carets.strip()) == {"^"}:
            start = len(carets) - len(carets.lstrip())
            return shown[start : start + len(carets.strip())]
    return None


@pytest.fixture
def no_code_runs(monkeypatch):
    """eval and exec raise; compile raises unless it only builds a syntax tree (what ast.parse does)."""
    real_compile = builtins.compile

    def refuse(*args, **kwargs):
        raise AssertionError("the expression was about to be run")

    def syntax_tree_only(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & 0x400:  # ast.PyCF_ONLY_AST: a tree, never a code object
            raise AssertionError("the expression was about to be compiled to code")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", syntax_tree_only)


@pytest.mark.parametrize(("expression", "arguments", "words", "part"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_pointing_at_the_part_and_nothing_runs(
    capsys, tmp_path, no_code_runs, expression, arguments, words, part
):
    sentinel = tmp_path / "pwned"
    expression = expression.replace("{sentinel}", str(sentinel))
    assert main(["explain", expression, *arguments]) == 2
    message = capsys.readouterr().err
    assert message.startswith("micro-autograd explain: error: ") and "Traceback" not in message
    assert words in message
    if part is not None:
        assert underlined(message) == part.replace("{sentinel}", str(sentinel))
    assert not sentinel.exists()


def test_long_chains_and_deep_nesting_within_the_limits_are_computed_without_recursion():
    assert explain("-" * 998 + "x", x=1.5).gradients == {"x": 1.0}  # 998 negations, one inside the other
    assert explain("x" + " + x" * 249, x=1).gradients == {"x": 250.0}  # 1,000 characters: the limit


def test_a_parse_failure_at_the_end_points_after_it(capsys):
    assert main(["explain", "x +", "x=1"]) == 2
    message = capsys.readouterr().err
    assert "  x +\n     ^" in message


def test_long_expressions_are_shown_as_a_window_around_the_part():
    with pytest.raises(ExpressionError) as refused:
        explain("x + " * 100 + "y", x=1)
    shown, carets = str(refused.value).splitlines()[1:]
    assert len(shown) < 90 and shown.lstrip().startswith("...")
    assert shown[carets.index("^")] == "y"


def test_the_refusal_keeps_its_parts():
    with pytest.raises(ExpressionError) as refused:
        explain("tanh(x) + sinh(x)", x=1)
    assert refused.value.reason.startswith("sinh is not a function") and refused.value.span == (10, 14)
    assert isinstance(refused.value, ValueError)


def test_the_console_script_refuses_hostile_input_and_runs_nothing(tmp_path):
    sentinel = tmp_path / "pwned"
    for expression in (f"__import__('os').system('touch {sentinel}')", f"open('{sentinel}', 'w')"):
        done = subprocess.run([CONSOLE, "explain", expression], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 2 and "^" in done.stderr and "Traceback" not in done.stderr
    assert not sentinel.exists()


# --- the command line ----------------------------------------------------------------------------------


def test_the_console_script_explains_an_expression():
    done = subprocess.run(
        [CONSOLE, "explain", "tanh(x*w + b)", "x=2", "w=-0.5", "b=1"], capture_output=True, text=True, check=True
    )
    assert "x * w = 2 * (-0.5) = -1" in done.stdout and "df/dx = -0.5" in done.stdout and not done.stderr


def test_values_and_options_may_come_in_any_order(capsys):
    assert main(["explain", "x * w", "x=2", "--param", "w", "w=3", "--precise"]) == 0
    out = capsys.readouterr().out
    assert "df/dw = 2   (parameter)" in out and "df/dx = 3\n" in out


def test_an_expression_starting_with_minus_goes_after_double_dash(capsys):
    assert main(["explain", "--", "-x*2", "x=3"]) == 0
    assert "f = -x * 2 = -3 * 2 = -6" in capsys.readouterr().out
    assert main(["explain", "-x * 2", "x=3"]) == 0  # with a space, argparse takes it for what it is
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["explain", "-x*2", "x=3"])
    assert exit_info.value.code == 2 and "goes after --" in capsys.readouterr().err


def test_html_and_drawings_are_written(capsys, tmp_path):
    page, svg, png, pdf = (tmp_path / name for name in ("page.html", "g.svg", "g.png", "g.pdf"))
    arguments = ["tanh(x*w + b)", "x=2", "w=-0.5", "b=1", "--param", "w,b"]
    outputs = ["--html", str(page), "--svg", str(svg), "--png", str(png), "--pdf", str(pdf)]
    assert main(["explain", *arguments, *outputs]) == 0
    out = capsys.readouterr().out
    assert f"Step-through page written to {page}" in out and f"wrote {svg}" in out
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "tanh(x*w + b)" in html and "x * w" in html
    drawing = svg.read_text(encoding="utf-8")
    parameters = re.findall(r'<g id="n\d+" class="node parameter">.*?font-size="11.00">(\w+)</text>', drawing, re.S)
    assert sorted(parameters) == ["b", "w"]  # drawn amber, as draw_graph draws parameters
    assert png.read_bytes().startswith(b"\x89PNG") and pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("option", "path", "words"),
    [
        ("--svg", "g.png", "the file name says .png"),
        ("--png", "g.svg", "says .svg"),
        ("--pdf", "", "empty"),
        # it said "cannot write a .txt file; the formats are .svg, .png, .pdf, .dot": --svg writes SVG only
        ("--svg", "g.txt", "g.txt: the file name says .txt but the format asked for is svg"),
    ],
)
def test_a_drawing_whose_name_contradicts_its_format_is_refused(capsys, tmp_path, option, path, words):
    assert main(["explain", "x * 2", "x=1", option, str(tmp_path / path) if path else path]) == 2
    captured = capsys.readouterr()
    assert words in captured.err and not captured.out  # refused before anything is computed
    assert list(tmp_path.iterdir()) == []


def test_explain_help_lists_what_an_expression_may_use(capsys):
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    help_text = capsys.readouterr().out
    assert "exp log sqrt tanh sigmoid relu sin cos abs" in help_text and "``" not in help_text
    for option in ("--param NAME", "--precise", "--html PATH", "--svg PATH", "--png PATH", "--pdf PATH"):
        assert option in help_text
