"""autograd.compile: a traced graph replayed as straight-line Python.

Expected values come from the article's figures and from the eager engine run
afresh at every point (the replay must give the same numbers, bit for bit
as floats compare); the guards are checked against the behaviour the module
documents.
"""

import contextlib
import io
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from operators import BINARY, BY_NAME, OPERATIONS, UNARY_NAMES, apply

import autograd
import autograd.value
from autograd import AnomalyError, AutogradError, DomainError, GraphError, Value, detect_anomaly, grad, no_grad
from nn import MLP, SGD, article_inputs, article_network, compile_loss, hinge_loss, l2_penalty, squared_error

ARTICLE_GRADIENTS = [-0.22652, -0.33978, -0.2427, -0.36405, -0.68765, -0.38832]  # dE/dw1..w6, the article's


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def article_replay():
    model = article_network()
    return model, autograd.compile(lambda: squared_error(model(article_inputs()), 1.0), model.parameters())


def test_article_network_gives_the_articles_numbers():
    _, replay = article_replay()
    error, grads = replay()
    assert error == pytest.approx(0.3272405, abs=1e-12)
    assert grads == pytest.approx(ARTICLE_GRADIENTS, abs=1e-12)


def test_article_source_reads_like_the_articles_formulas():
    _, replay = article_replay()
    source = replay.source
    # The article: dE/dw5 = delta * h1, dE/dw6 = delta * h2, dE/dw1 = delta * w5 * i1 ...
    for line in ["d_w5 = h1 * d_out", "d_w6 = h2 * d_out", "d_h1 = w5 * d_out", "d_w1 = i1 * d_h1", "d_w4 = i2 * d_h2"]:
        assert f"    {line}\n" in source, line
    assert source.startswith("def replay(w1, w2, w3, w4, w5, w6):")
    assert "    h1 = w1 * i1 + w2 * i2\n" in source


def test_new_numbers_give_what_the_eager_engine_gives():
    model, replay = article_replay()
    weights = [0.3, -0.2, 0.5, 0.1, -0.7, 0.9]
    error, grads = replay(*weights)
    for parameter, number in zip(model.parameters(), weights, strict=True):
        parameter.data = number
    eager = squared_error(model(article_inputs()), 1.0)
    assert error == eager.data
    assert grads == grad(eager, model.parameters())


# Every Value method that applies an operation: each row's, and Python's reflected twin of each operator (__rsub__).
OPERATION_METHODS = [op.method for op in OPERATIONS]
OPERATION_METHODS += ["__r" + op.method[2:] for op in OPERATIONS if op.arity == 2]


def test_a_replay_makes_no_value(monkeypatch):
    _, replay = article_replay()
    x = Value(1.0)

    def no_values(*args):
        raise AssertionError("the replay made a Value")

    # Every way to make a Value, in the Python engine and on the C accelerator alike: a new leaf, or an operation.
    monkeypatch.setattr(Value, "__init__", no_values)
    for name in OPERATION_METHODS:
        monkeypatch.setattr(Value, name, no_values)
    for make_a_value in (lambda: Value(2.0), lambda: x * 2.0, lambda: 2.0 - x, lambda: x.tanh(), lambda: -x):
        with pytest.raises(AssertionError, match="made a Value"):  # the trap is set
            make_a_value()
    error, _ = replay(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    h1, h2 = 2 * 0.1 + 3 * 0.2, 2 * 0.3 + 3 * 0.4
    assert error == pytest.approx(0.5 * (h1 * 0.5 + h2 * 0.6 - 1.0) ** 2, rel=1e-15)


def test_relu_sign_changes_are_replayed_correctly():
    x, w = Value(1.0), Value(2.0)
    replay = autograd.compile(lambda: (x * w + 1.0).relu() * 3.0, [x, w])
    assert replay(1.0, 2.0) == (9.0, [6.0, 3.0])
    assert replay(-1.0, 2.0) == (0.0, [0.0, 0.0])  # relu is off: its derivative is recomputed, not replayed


# --- random graphs: the replay against the eager engine ------------------------------------

number = st.one_of(st.just(0.0), st.floats(min_value=-3.0, max_value=3.0))
instruction = st.tuples(
    st.sampled_from(UNARY_NAMES + sorted(BINARY)),
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.one_of(st.none(), number),
    st.booleans(),
)


def run_program(leaves, program):
    values = list(leaves)
    for name, i, j, constant, number_first in program:
        a = values[i % len(values)]
        if name in BINARY:
            f = BINARY[name]
            b = values[j % len(values)] if constant is None else constant
            values.append(f(b, a) if constant is not None and number_first else f(a, b))
        else:
            values.append(apply(BY_NAME[name], a))
    made = values[len(leaves) :]
    return sum(made[1:], made[0])  # every result reaches the output, so an error anywhere is the output's


def eager(program, numbers):
    """The eager engine's output and gradients at ``numbers``, or the type of error it raises."""
    leaves = [Value(x) for x in numbers]
    try:
        output = run_program(leaves, program)
        return output.data, grad(output, leaves)
    except AutogradError as error:
        return type(error)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    start=st.lists(number, min_size=1, max_size=4),
    moves=st.lists(number, min_size=4, max_size=4),
    program=st.lists(instruction, min_size=1, max_size=14),
)
def test_random_graphs_replay_exactly_as_the_eager_engine(start, moves, program):
    traced = eager(program, start)
    assume(not isinstance(traced, type))  # the trace itself must succeed
    leaves = [Value(x) for x in start]
    replay = autograd.compile(lambda: run_program(leaves, program), leaves)
    for numbers in (start, [x + m for x, m in zip(start, moves, strict=False)]):
        expected = eager(program, numbers)
        if isinstance(expected, type):  # e.g. log of a negative number: the same error, from the replay
            with pytest.raises(expected):
                replay(*numbers)
            continue
        output, grads = replay(*numbers)
        assert same(output, expected[0]), (output, expected[0], replay.source)
        assert all(same(a, b) for a, b in zip(grads, expected[1], strict=True)), (grads, expected[1], replay.source)


# --- what it guards ------------------------------------------------------------------------


def branching(x: Value) -> Value:
    return x * 2.0 if x.data > 0 else x.exp()  # Python control flow on the number: invisible to a trace


def test_check_mode_refuses_a_graph_that_changed():
    x = Value(1.0)
    replay = autograd.compile(lambda: branching(x), [x], check=True)
    assert replay(3.0) == (6.0, [2.0])
    with pytest.raises(GraphError, match="different graph"):
        replay(-1.0)
    assert x.data == 1.0  # the eager rerun put the input's number back


def test_without_check_a_replay_keeps_the_traced_branch_as_documented():
    x = Value(1.0)
    replay = autograd.compile(lambda: branching(x), [x])
    assert replay(-1.0) == (-2.0, [2.0])  # the eager engine would take exp here; check=True catches it


def test_computing_from_an_input_under_no_grad_is_refused():
    x = Value(2.0)

    def frozen():
        with no_grad():
            scale = x * 3.0
        return x * scale

    with pytest.raises(GraphError, match="no_grad"):
        autograd.compile(frozen, [x])


def test_a_failing_replay_raises_the_engines_own_error():
    x = Value(2.0)
    replay = autograd.compile(lambda: (x - 1.0).log(), [x])
    with pytest.raises(DomainError, match=r"log\(-1.0\)"):
        replay(0.0)
    assert x.data == 2.0


def test_under_detect_anomaly_a_replay_runs_eagerly_and_is_checked():
    x, y = Value(2.0), Value(3.0)
    replay = autograd.compile(lambda: x * y, [x, y])
    assert replay(1e308, 10.0)[0] == math.inf  # no checking mode: floats overflow to inf, as in the eager engine
    with detect_anomaly(), pytest.raises(AnomalyError):
        replay(1e308, 10.0)


@pytest.mark.parametrize(
    ("inputs", "f", "message"),
    [
        ([2.0], lambda: Value(1.0), "must be a Value"),
        ([Value(2.0) * 2], lambda: Value(1.0), "must be leaves"),
        ("twice", lambda: Value(1.0), "twice"),
        ([Value(2.0)], lambda: 1.0, "must return a Value"),
    ],
)
def test_bad_requests_are_refused_clearly(inputs, f, message):
    if inputs == "twice":
        leaf = Value(1.0)
        inputs = [leaf, leaf]
    with pytest.raises(GraphError, match=message):
        autograd.compile(f, inputs)


def test_bad_calls_are_refused_clearly():
    x = Value(2.0)
    replay = autograd.compile(lambda: x * x, [x])
    with pytest.raises(TypeError, match="takes 1 input numbers, got 2"):
        replay(1.0, 2.0)
    with pytest.raises(TypeError, match="input 0 must be an int or a float, not str"):
        replay("1.0")
    assert replay() == (4.0, [4.0])  # no numbers: the inputs' current data


# --- nn trains through it ----------------------------------------------------------------


def moons_like():
    xs = [[0.1 * i, math.sin(i)] for i in range(12)]
    return xs, [1.0 if math.cos(i) > 0 else -1.0 for i in range(12)]


def test_nn_trains_through_a_compiled_loss_exactly_as_eagerly():
    xs, ys = moons_like()
    eager_model, compiled_model = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3)

    def loss_of(model):
        return hinge_loss([model(x) for x in xs], ys) + l2_penalty(model.parameters(), 1e-3)

    eager_opt = SGD(eager_model.parameters(), lr=0.1, momentum=0.9)
    compiled_opt = SGD(compiled_model.parameters(), lr=0.1, momentum=0.9)
    step = compile_loss(lambda: loss_of(compiled_model), compiled_model.parameters())
    for _ in range(5):
        eager_opt.zero_grad()
        loss = loss_of(eager_model)
        loss.backward()
        eager_opt.step()
        compiled_opt.zero_grad()
        assert step() == loss.data
        compiled_opt.step()
    for a, b in zip(eager_model.parameters(), compiled_model.parameters(), strict=True):
        assert a.data == b.data and a.grad == b.grad


def test_a_compiled_loss_adds_into_grad_like_backward():
    w = Value(3.0)
    step = compile_loss(lambda: w * w, [w])
    assert step() == 9.0
    assert step() == 9.0
    assert w.grad == 12.0  # 6 + 6: accumulated, as two backward() calls would
    assert "d_" in step.source


def test_the_readme_example_of_a_replay_runs_and_shows_the_articles_formulas():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    performance = readme.split("## Performance", 1)[1]
    example = re.findall(r"```python\n(.*?)```", performance, re.S)[0]
    printed = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README.md", "exec"), namespace)
    error, grads = namespace["error"], namespace["grads"]
    h1, h2 = 2 * 0.12 + 3 * 0.23, 2 * 0.13 + 3 * 0.1
    delta = h1 * 0.17 + h2 * 0.17 - 1.0  # the article's formulas at the new weights
    assert error == pytest.approx(0.5 * delta**2, rel=1e-12)
    assert grads[4] == pytest.approx(delta * h1, rel=1e-12)  # dE/dw5 = delta * h1
    assert grads[0] == pytest.approx(delta * 0.17 * 2, rel=1e-12)  # dE/dw1 = delta * w5 * i1
    assert "d_w5 = h1 * d_out" in printed.getvalue()
