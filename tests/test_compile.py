"""autograd.compile: a traced graph replayed as straight-line Python.

Expected values come from the article's figures and from the eager engine run
afresh at every point (the replay must give the same numbers, bit for bit
as floats compare); the guards are checked against the behaviour the module
documents.
"""

import contextlib
import gc
import io
import math
import random
import re
import struct
import threading
import time
import tokenize
from fractions import Fraction
from pathlib import Path

import numpy
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from operators import BINARY, BY_NAME, OPERATIONS, UNARY_NAMES, apply

import autograd
import autograd.value
from autograd import (
    AnomalyError,
    AutogradError,
    DomainError,
    GraphError,
    NumericOverflowError,
    Value,
    detect_anomaly,
    grad,
    no_grad,
)
from autograd.backward import accumulate
from nn import (
    MLP,
    SGD,
    article_inputs,
    article_network,
    compile_loss,
    cross_entropy,
    hinge_loss,
    l2_penalty,
    mse_loss,
    squared_error,
)

ARTICLE_GRADIENTS = [-0.22652, -0.33978, -0.2427, -0.36405, -0.68765, -0.38832]  # dE/dw1..w6, the article's


def same(a: float, b: float) -> bool:
    """The same float, bit for bit (-0.0 is not 0.0), except that any NaN matches any NaN: CPython itself returns
    either NaN operand of a sum, depending on whether the interpreter has specialised that instruction yet."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return struct.pack("<d", a) == struct.pack("<d", b)


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
    # A parameter's gradient adds into the total it came in with (+=); a node's is its own (=).
    for line in [
        "d_w5 += h1 * d_out",
        "d_w6 += h2 * d_out",
        "d_h1 = w5 * d_out",
        "d_w1 += i1 * d_h1",
        "d_w4 += i2 * d_h2",
    ]:
        assert f"    {line}\n" in source, line
    assert source.startswith("def replay(parameters, data, seed, gradients):\n")
    assert "    w1, w2, w3, w4, w5, w6 = parameters\n" in source
    assert "    h1 = w1 * i1 + w2 * i2\n" in source
    assert re.search(r"\n    t\d+ = 0.5 \* (t\d+) \*\* 2.0\n", source)  # ** 2 written out; 0.5 first, as f has it


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
        # the general code too (a plain call has its own): totals from -0.0, added to as the sweep adds them
        general, totals = replay.accumulate([-0.0] * len(numbers), numbers=numbers)
        assert same(general, expected[0]) and all(map(same, totals, expected[1])), (totals, expected[1], replay.code)


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


def test_check_mode_compares_constants_bit_for_bit_so_a_nan_constant_is_the_same_graph():
    x = Value(1.0)
    replay = autograd.compile(lambda: x * 2.0 + Value(math.nan), [x], check=True)  # a NaN is not == itself
    output, [gradient] = replay(3.0)
    assert math.isnan(output) and gradient == 2.0


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


def two_powers(x, y):
    a = x**x  # at x = -0.5: a negative base with a non-integer exponent
    b = y**x  # at y = 0: 0 ** -0.5, a division by zero; the graph's order puts b before a
    return a + b


def test_a_failing_replay_raises_the_error_f_meets_first():
    with pytest.raises(DomainError):  # the eager engine meets x ** x first
        two_powers(Value(-0.5), Value(0.0))
    x, y = Value(2.0), Value(1.0)
    replay = autograd.compile(lambda: two_powers(x, y), [x, y])
    with pytest.raises(DomainError, match=r"\(-0.5\) \*\* \(-0.5\)"):
        replay(-0.5, 0.0)


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
    assert "d_w5 += h1 * d_out" in printed.getvalue()


# --- names: a label never changes what the code computes ------------------------------------


FULLWIDTH_X = "\uff58"  # Python normalises identifiers (NFKC): this one is read as x
FULLWIDTH_INF = "\uff49\uff4e\uff46"  # read as inf
MICRO_SIGN, GREEK_MU = "\u00b5", "\u03bc"  # both read as GREEK MU


def labelled(value, label):
    value.label = label
    return value


def fullwidth_x_over_input_x(x):
    return labelled(x * 3.0, FULLWIDTH_X) * x  # Python reads the identifier FULLWIDTH_X as x (NFKC)


def fullwidth_inf_over_the_inf_literal(x):
    a = x * -math.inf
    return labelled(x * 2.0, FULLWIDTH_INF) + a * a  # read as inf, the name the code gives the literal


def micro_and_mu(x, y):
    return x * y + y  # inputs labelled MICRO_SIGN and GREEK_MU: one name after NFKC


NORMALISED_LABELS = [
    (fullwidth_x_over_input_x, ["x"], [2.0]),
    (fullwidth_inf_over_the_inf_literal, ["x"], [3.0]),
    (micro_and_mu, [MICRO_SIGN, GREEK_MU], [2.0, 5.0]),
]


@pytest.mark.parametrize(("f", "labels", "numbers"), NORMALISED_LABELS, ids=lambda v: getattr(v, "__name__", None))
def test_labels_that_python_normalises_never_collide_with_other_names(f, labels, numbers):
    leaves = [Value(1.0, label) for label in labels]
    replay = autograd.compile(lambda: f(*leaves), leaves)
    fresh = [Value(n, label) for n, label in zip(numbers, labels, strict=True)]
    expected = f(*fresh)
    output, grads = replay(*numbers)
    assert same(output, expected.data), replay.source
    assert all(same(a, b) for a, b in zip(grads, grad(expected, fresh), strict=True)), replay.source
    tokens = tokenize.generate_tokens(io.StringIO(replay.source).readline)
    assert all(t.string.isascii() for t in tokens if t.type == tokenize.NAME)  # nothing for Python to normalise


def test_labels_appear_in_comments_safely():
    x = Value(2.0, FULLWIDTH_X + "\nimport os")
    replay = autograd.compile(lambda: labelled(x * x, "naïve\r\u2028") * 3.0, [x])
    assert replay(3.0) == (27.0, [18.0])
    assert FULLWIDTH_X in replay.source and "naïve" in replay.source  # readable, in comments
    assert "\nimport os" not in replay.source


# Families that one NFKC name (or a generated name) would merge, and labels that are no name at all.
COLLIDING_LABELS = [
    *("x", FULLWIDTH_X, "\U0001d431", "inf", FULLWIDTH_INF, "nan", "\uff4e\uff41\uff4e", MICRO_SIGN, GREEK_MU),
    *("fi", "\ufb01", "t1", "t2", "d_x", "d_t1", ""),
]
OTHER_LABELS = [
    *("replay", "lambda", "None", "print", "float", "relu", "local_relu", "power", "__debug__", "match", "_"),
    *("a b", "1x", "x\ny", "# x", "'", '"""', "\\", "\u00e9", "e\u0301"),
]
label = st.one_of(st.sampled_from(COLLIDING_LABELS), st.sampled_from(OTHER_LABELS), st.text(max_size=3))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    start=st.lists(number, min_size=1, max_size=3),
    moves=st.lists(number, min_size=3, max_size=3),
    program=st.lists(instruction, min_size=1, max_size=8),
    labels=st.lists(label, min_size=12, max_size=12),
)
def test_random_labels_never_change_what_the_replay_computes(start, moves, program, labels):
    def labelled_program(leaves):
        output = run_program(leaves, program)
        for node, text in zip(reversed(autograd.topological_order(output)), labels, strict=False):
            if not node.is_leaf:
                node.label = text
        return output

    leaf_labels = labels[-len(start) :]
    traced = eager_of(labelled_program, start, leaf_labels)
    assume(not isinstance(traced, type))
    leaves = [Value(x, text) for x, text in zip(start, leaf_labels, strict=True)]
    replay = autograd.compile(lambda: labelled_program(leaves), leaves)
    for numbers in (start, [x + m for x, m in zip(start, moves, strict=False)]):
        expected = eager_of(labelled_program, numbers, leaf_labels)
        if isinstance(expected, type):
            with pytest.raises(expected):
                replay(*numbers)
            continue
        output, grads = replay(*numbers)
        assert same(output, expected[0]), replay.source
        assert all(same(a, b) for a, b in zip(grads, expected[1], strict=True)), replay.source


def eager_of(build, numbers, labels):
    leaves = [Value(x, text) for x, text in zip(numbers, labels, strict=True)]
    try:
        output = build(leaves)
        return output.data, grad(output, leaves)
    except AutogradError as error:
        return type(error)


# --- numbers in: converted and refused exactly as Value(...) does ------------------------------


@pytest.mark.parametrize(
    "number",
    [numpy.float32(0.1), numpy.float64(0.1), 2**53 + 1, Fraction(1, 3), 3, numpy.int64(7), -0.0],  # float64: a subclass
    ids=repr,
)
def test_a_replay_computes_in_floats_whatever_number_it_is_given(number):
    x = Value(1.0)
    replay = autograd.compile(lambda: x * x + x, [x])
    output, [gradient] = replay(number)
    reference = Value(number)  # the conversion Value(...) makes
    expected = reference * reference + reference
    assert type(output) is float and type(gradient) is float
    assert output == expected.data and gradient == grad(expected, [reference])[0]


@pytest.mark.parametrize(
    ("number", "error", "message"),
    [
        (True, TypeError, "input 1 must be an int or a float, not bool"),
        (numpy.array([1.0, 2.0]), TypeError, "input 1 must be an int or a float, not ndarray"),
        ("1.0", TypeError, "input 1 must be an int or a float, not str"),
        (None, TypeError, "input 1 must be an int or a float, not NoneType"),
        (1 + 2j, TypeError, "input 1 must be an int or a float, not complex"),
        (10**400, NumericOverflowError, "input 1 is too large for a float"),
    ],
    ids=["bool", "array", "str", "None", "complex", "huge int"],
)
def test_a_replay_refuses_what_value_refuses_naming_the_input(number, error, message):
    with pytest.raises(error):
        Value(number)  # the reference: Value(...) refuses it too
    x, y = Value(1.0), Value(2.0)
    replay = autograd.compile(lambda: x * y, [x, y])
    before = number.copy() if isinstance(number, numpy.ndarray) else None
    with pytest.raises(error, match=message):
        replay(1.0, number)
    if before is not None:
        assert (number == before).all()  # not modified in place
    assert (x.data, y.data) == (1.0, 2.0)


def test_an_array_is_never_modified_in_place():
    x = Value(1.0)
    replay = autograd.compile(lambda: x * x, [x])  # d_x = x * 1.0 + x * 1.0: += on an array would write into it
    array = numpy.array([1.0, 2.0])
    with pytest.raises(TypeError):
        replay(array)
    assert array.tolist() == [1.0, 2.0]


# --- the eager paths share nothing: threads, the inputs' numbers ----------------------------


def slow_product(x, y):
    """x * y * x, with a pause that lets other threads run between reading x and y."""
    product = x * y
    time.sleep(0.002)
    return product * x


def run_in_threads(call, inputs):
    results: dict = {}

    def work(i, numbers):
        try:
            results[i] = call(numbers)
        except Exception as error:  # the test compares the error too
            results[i] = error

    threads = [threading.Thread(target=work, args=(i, numbers)) for i, numbers in enumerate(inputs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[i] for i in range(len(inputs))]


POINTS = [(float(i), float(10 - i)) for i in range(1, 9)]


def eager_product(numbers):
    x, y = Value(numbers[0]), Value(numbers[1])
    output = slow_product(x, y)
    return output.data, grad(output, [x, y])


def test_concurrent_checked_calls_are_exact_and_leave_the_inputs_alone():
    x, y = Value(0.5), Value(0.25)
    replay = autograd.compile(lambda: slow_product(x, y), [x, y], check=True)
    assert run_in_threads(lambda numbers: replay(*numbers), POINTS) == [eager_product(p) for p in POINTS]
    assert (x.data, y.data) == (0.5, 0.25)


def test_concurrent_calls_under_detect_anomaly_are_exact_and_leave_the_inputs_alone():
    x, y = Value(0.5), Value(0.25)
    calls = []
    replay = autograd.compile(lambda: calls.append(1) or slow_product(x, y), [x, y])

    def checked(numbers):
        with detect_anomaly():
            return replay(*numbers)

    assert run_in_threads(checked, POINTS) == [eager_product(p) for p in POINTS]
    assert (x.data, y.data) == (0.5, 0.25)
    assert len(calls) == 1  # f ran once, to be traced: the checked calls rebuilt the traced graph


def test_concurrent_failing_calls_raise_their_own_errors_and_leave_the_inputs_alone():
    x, y = Value(2.0), Value(3.0)
    replay = autograd.compile(lambda: (slow_product(x, y) - 1.0).log(), [x, y])
    points = [(float(i), -1.0 if i % 2 else 1.0) for i in range(1, 9)]  # every other one: log of a negative number
    results = run_in_threads(lambda numbers: replay(*numbers), points)
    for (a, b), result in zip(points, results, strict=True):
        if b < 0:
            assert isinstance(result, DomainError) and f"log({a * b * a - 1.0!r})" in str(result)
        else:
            xv, yv = Value(a), Value(b)
            expected = (slow_product(xv, yv) - 1.0).log()
            assert result == (expected.data, grad(expected, [xv, yv]))
    assert (x.data, y.data) == (2.0, 3.0)


def test_a_call_with_no_numbers_never_sees_the_numbers_a_checked_call_put_into_the_inputs():
    x, y = Value(0.5), Value(0.25)
    checked = autograd.compile(lambda: slow_product(x, y), [x, y], check=True)
    plain = autograd.compile(lambda: x * y * x, [x, y])
    seen = []

    def read_the_inputs():
        for _ in range(40):
            seen.append(plain())
            time.sleep(0.0005)

    reader = threading.Thread(target=read_the_inputs)
    reader.start()
    for i in range(20):
        checked(float(i), 3.0)
    reader.join()
    assert all(call == (0.0625, [0.25, 0.25]) for call in seen)  # always the inputs' own numbers, 0.5 and 0.25
    assert (x.data, y.data) == (0.5, 0.25)


def test_under_detect_anomaly_the_error_names_the_operation_and_the_labels():
    w, b = Value(1.0, "w"), Value(0.0, "b")
    replay = autograd.compile(lambda: labelled(w * 1e300, "scaled") * w + b, [w, b])
    with (
        detect_anomaly(),
        pytest.raises(
            AnomalyError, match=r"\* produced inf from x = [0-9.]+e\+305 \(label 'scaled'\), y = 100000.0 \(label 'w'\)"
        ),
    ):
        replay(1e5, 0.0)
    root = autograd.compile(lambda: labelled(w.sqrt(), "root") + b, [w, b])
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"in backward, sqrt\(0.0\) \(label 'root'\).*label 'w'"):
        root(0.0, 1.0)  # the forward is finite; d sqrt(w)/dw at 0 is inf
    assert (w.data, b.data) == (1.0, 0.0)


# --- grad mode ---------------------------------------------------------------------------


def test_a_compiled_function_works_under_no_grad():
    x, y = Value(2.0), Value(3.0)
    replay = autograd.compile(lambda: x * y + x, [x, y])
    with no_grad():
        assert replay(4.0, 5.0) == (24.0, [6.0, 4.0])  # like torch.func.grad: the outer no_grad() does not apply
        assert replay() == (8.0, [4.0, 2.0])
    checked = autograd.compile(lambda: x * y + x, [x, y], check=True)
    with no_grad():
        assert checked(4.0, 5.0) == (24.0, [6.0, 4.0])
    with no_grad(), detect_anomaly():
        assert replay(4.0, 5.0) == (24.0, [6.0, 4.0])


# --- data: placeholders whose numbers change on every call ------------------------------------------------


def bits(number):
    return struct.pack("<d", number)


def same_bits(a, b):
    """Lists of floats equal bit for bit (-0.0 is not 0.0), any NaN matching any NaN as in ``same``."""
    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))


def samples(n, width, seed):
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(width)] for _ in range(n)]


def test_one_trace_of_one_samples_loss_serves_every_sample_with_the_eager_numbers():
    model = MLP(4, [5, 3], seed=1)
    xs = samples(20, 4, seed=2)
    placeholders = [Value(0.0, f"x{i + 1}") for i in range(4)]
    replay = autograd.compile(lambda: cross_entropy(model(placeholders), 2), model.parameters(), data=placeholders)
    for x in xs:
        expected = cross_entropy(model(x), 2)  # the eager engine, afresh at each sample (data as plain numbers)
        output, grads = replay(data=x)
        assert same(output, expected.data)
        assert same_bits(grads, grad(expected, model.parameters()))
    assert not any(repr(v) in replay.source for x in xs for v in x)  # no sample's number is written into the code
    assert "x1, x2, x3, x4 = data" in replay.source


def minibatch_with_repeated_parameters(w, x):
    """A loss that uses each parameter several times per sample: its gradient sums several contributions."""
    a, b = w
    h = (a * x[0] + b * x[1]).tanh()
    return (h * a - x[2]) ** 2 + (b * h).exp() * 0.1


def test_accumulate_gives_the_minibatch_gradient_of_backward_bit_for_bit_where_a_per_sample_sum_does_not():
    rng = random.Random(5)
    w = [Value(0.7, "a"), Value(-0.4, "b")]
    placeholders = [Value(0.0, f"x{i}") for i in range(3)]
    replay = autograd.compile(lambda: minibatch_with_repeated_parameters(w, placeholders), w, data=placeholders)
    naive_differs = False
    for _ in range(30):
        batch = [[rng.uniform(-3, 3) for _ in range(3)] for _ in range(7)]
        for p in w:
            p.grad = 0.0
        terms = [minibatch_with_repeated_parameters(w, x) for x in batch]
        mean = sum(terms[1:], terms[0]) / len(terms)  # nn's mean: ((l1 + l2) + l3) ... / B
        mean.backward()  # the reference: the eager engine's one sweep over the whole minibatch
        totals, outputs, per_sample = [0.0, 0.0], [], [0.0, 0.0]
        for x in batch:
            output, totals = replay.accumulate(totals, data=x, seed=1.0 / len(batch))
            outputs.append(output)
            _, g = replay(data=x)
            per_sample = [t + gi / len(batch) for t, gi in zip(per_sample, g, strict=True)]
        total = outputs[0]
        for output in outputs[1:]:
            total += output
        assert same(total / len(batch), mean.data)
        assert same_bits(list(totals), [p.grad for p in w]), (totals, [p.grad for p in w])
        naive_differs |= not same_bits(per_sample, [p.grad for p in w])
    assert naive_differs  # summing each sample's own gradient would not be the eager engine's sum


def test_a_minibatch_shaped_trace_serves_every_minibatch_of_its_shape():
    model = MLP(2, [3, 1], seed=4)
    xs = [[Value(0.0), Value(0.0)] for _ in range(5)]
    ys = [Value(0.0) for _ in range(5)]
    data = [v for x in xs for v in x] + ys
    replay = autograd.compile(lambda: mse_loss([model(x) for x in xs], ys), model.parameters(), data=data)
    rng = random.Random(6)
    for _ in range(10):
        points = [[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(5)]
        targets = [rng.gauss(0, 1) for _ in range(5)]
        expected = mse_loss([model(p) for p in points], targets)
        output, grads = replay(data=[v for p in points for v in p] + targets)
        assert same(output, expected.data) and same_bits(grads, grad(expected, model.parameters()))


def test_a_detached_number_is_recomputed_from_each_calls_data():
    placeholders = [Value(0.0, f"z{i}") for i in range(3)]
    w = Value(1.5, "w")
    replay = autograd.compile(lambda: cross_entropy([w * z for z in placeholders], 0), [w], data=placeholders)
    assert "= max([" in replay.source  # the largest logit, recomputed on every call
    for logits in ([0.1, 2.0, -1.0], [800.0, -5.0, 700.0], [-3.0, -2.0, 900.0]):  # the largest moves, and is huge
        w_fresh = Value(1.5)
        expected = cross_entropy([w_fresh * z for z in logits], 0)
        output, [gradient] = replay(data=logits)
        assert math.isfinite(output) and same(output, expected.data)
        assert same(gradient, grad(expected, [w_fresh])[0])


def test_a_number_computed_from_data_outside_the_engine_is_frozen_and_check_mode_says_so():
    x = Value(1.0, "x")

    def shifted():
        return (x - x.data).exp()  # x.data read in Python: a constant of the trace, frozen at 1.0

    assert autograd.compile(shifted, [], data=[x])(data=[3.0])[0] == math.exp(2.0)  # as documented: frozen
    checked = autograd.compile(shifted, [], data=[x], check=True)
    with pytest.raises(GraphError, match="different graph"):
        checked(data=[3.0])
    assert x.data == 1.0
    peak = autograd.compile(lambda: (x - autograd.detached(max, [x])).exp(), [], data=[x], check=True)
    assert peak(data=[3.0])[0] == 1.0  # detached: recomputed, and the same graph


def test_has_aux_returns_the_numbers_of_the_values_f_reports():
    model = MLP(3, [4, 2], seed=7)
    placeholders = [Value(0.0) for _ in range(3)]

    def f():
        logits = model(placeholders)
        return cross_entropy(logits, 1), logits

    replay = autograd.compile(f, model.parameters(), data=placeholders, has_aux=True)
    output, grads, aux = replay(data=[0.3, -0.2, 0.9])
    logits = model([0.3, -0.2, 0.9])
    expected = cross_entropy(logits, 1)
    assert aux == [v.data for v in logits] and output == expected.data
    assert grads == grad(expected, model.parameters())
    assert replay.output(data=[0.3, -0.2, 0.9]) == (output, aux)
    with pytest.raises(GraphError, match=r"must return \(output, values\)"):
        autograd.compile(lambda: model(placeholders)[0], model.parameters(), data=placeholders, has_aux=True)


def test_data_get_no_gradient_and_are_refused_as_values_are():
    x, w = Value(2.0, "x"), Value(3.0, "w")
    replay = autograd.compile(lambda: x * w, [w], data=[x])
    assert replay(data=[5.0]) == (15.0, [5.0])
    assert replay(4.0, data=[5.0]) == (20.0, [5.0])
    assert replay() == (6.0, [2.0])  # no numbers: the leaves' own
    for bad, error, message in [
        (["5"], TypeError, "data 0 must be an int or a float, not str"),
        ([True], TypeError, "data 0 must be an int or a float, not bool"),
        ([10**400], NumericOverflowError, "data 0 is too large for a float"),
        ([1.0, 2.0], TypeError, "takes 1 data numbers, got 2"),
        (5.0, TypeError, "data numbers must be a sequence of numbers, not float"),
    ]:
        with pytest.raises(error, match=message):
            replay(data=bad)
    with pytest.raises(TypeError, match="gradient 0 must be an int or a float, not str"):
        replay.accumulate(["0"], data=[1.0])
    with pytest.raises(TypeError, match="seed must be an int or a float, not str"):
        replay.accumulate([0.0], data=[1.0], seed="1")
    totals, row = numpy.array([1.0]), numpy.array([5.0])  # arrays of numbers are sequences of numbers
    assert replay.accumulate(totals, data=row) == (15.0, (6.0,))
    assert totals.tolist() == [1.0] and row.tolist() == [5.0]  # never modified in place
    with pytest.raises(TypeError, match="data 0 must be an int or a float, not ndarray"):
        replay(data=numpy.array([[5.0]]))
    assert (x.data, w.data) == (2.0, 3.0)


@pytest.mark.parametrize(
    ("parameters", "data", "message"),
    [("shared", "shared", "twice"), ([], [Value(1.0) * 2], "must be leaves"), ([], [1.0], "data 0 must be a Value")],
)
def test_bad_data_are_refused_clearly(parameters, data, message):
    if parameters == "shared":
        leaf = Value(1.0)
        parameters, data = [leaf], [leaf]
    with pytest.raises(GraphError, match=message):
        autograd.compile(lambda: Value(1.0) * 2.0, parameters, data=data)


def test_computing_from_data_under_no_grad_is_refused():
    x, w = Value(2.0), Value(1.0)

    def frozen():
        with no_grad():
            scale = x * 3.0
        return w * scale

    with pytest.raises(GraphError, match="no_grad"):
        autograd.compile(frozen, [w], data=[x])


def test_with_data_a_failing_call_and_detect_anomaly_run_the_engine_and_leave_the_leaves_alone():
    x, w = Value(2.0, "x"), Value(1.0, "w")
    replay = autograd.compile(lambda: (x * w).log(), [w], data=[x])
    with pytest.raises(DomainError, match=r"log\(-3.0\)"):
        replay(data=[-3.0])
    product = autograd.compile(lambda: x * w, [w], data=[x])
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"produced inf from x = 1e\+308 \(label 'x'\), y = 10.0"):
        product(10.0, data=[1e308])
    with detect_anomaly():  # the engine's own numbers, and the same ones as the replay's
        assert replay.accumulate([0.25], data=[3.0], seed=0.5) == replay.accumulate([0.25], data=[3.0], seed=0.5)
        checked = replay.accumulate([0.25], data=[3.0], seed=0.5)
    assert checked == replay.accumulate([0.25], data=[3.0], seed=0.5)
    assert (x.data, w.data) == (2.0, 1.0)


def test_check_mode_with_data_compares_each_calls_graph_and_puts_the_numbers_back():
    x, w = Value(1.0, "x"), Value(2.0, "w")
    replay = autograd.compile(lambda: w * 2.0 if x.data > 0 else w.exp(), [w], data=[x], check=True)
    assert replay.accumulate([1.0], data=[5.0], seed=0.5) == (4.0, (2.0,))
    with pytest.raises(GraphError, match="different graph"):
        replay(data=[-1.0])
    assert (x.data, w.data) == (1.0, 2.0)


# Random graphs, with some leaves as data: sample after sample, accumulate gives the eager minibatch, bit for bit.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    batch=st.lists(st.lists(number, min_size=4, max_size=4), min_size=1, max_size=3),
    n_parameters=st.integers(1, 3),
    program=st.lists(instruction, min_size=1, max_size=12),
)
def test_random_graphs_with_data_accumulate_exactly_as_the_eager_minibatch(batch, n_parameters, program):
    start = batch[0]
    parameters = [Value(v) for v in start[:n_parameters]]
    for p in parameters:
        p.grad = 0.0
    try:
        terms = [run_program([*parameters, *(Value(v) for v in x[n_parameters:])], program) for x in batch]
        mean = sum(terms[1:], terms[0]) / len(terms)
        mean.backward()
    except AutogradError:
        assume(False)
    placeholders = [Value(v) for v in start[n_parameters:]]
    replay = autograd.compile(lambda: run_program([*parameters, *placeholders], program), parameters, data=placeholders)
    totals, outputs = [-0.0] * n_parameters, []  # -0.0: no gradient yet, as the sweep starts
    for x in batch:
        output, totals = replay.accumulate(totals, data=x[n_parameters:], seed=1.0 / len(batch))
        outputs.append(output)
    assert same(sum(outputs[1:], outputs[0]) / len(batch), mean.data), replay.source
    # into .grad as CompiledStep adds them: as backward() does, leaving a parameter the output never reached alone
    into_grad = [0.0 if i in replay.unreached else accumulate(0.0, t) for i, t in enumerate(totals)]
    assert same_bits(into_grad, [p.grad for p in parameters]), replay.source


# --- the forms written out by hand: equal to the table's functions, bit for bit ---------------------------------

EDGE_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-310, -1e-310, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308]
EDGE_FLOATS += [1e154, 1.3407807929942596e154, -1.3407807929942597e154, 1e-162, math.inf, -math.inf, math.nan, 2.0]


def outcome(compute):
    """The float ``compute()`` gives, or the type of the error it raises."""
    try:
        return compute()
    except ArithmeticError as error:
        return type(error)


def written(text, x):
    """The text the writer produces, evaluated at x (bound to the placeholder ``{0}``)."""
    return eval(text.format("x"), {}, {"x": x})


@settings(max_examples=3000, deadline=None)
@given(x=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(EDGE_FLOATS)))
def test_relu_and_square_written_out_are_the_tables_functions_bit_for_bit(x):
    from autograd.replay.codegen import _relu, _relu_slope, _square, _square_slopes, _Symbol
    from autograd.value import POWER, RELU

    name = _Symbol("{0}")
    checks = [
        (_relu(name).text, lambda: RELU.forward(x)),
        (_relu_slope(name, _Symbol("out")).text, lambda: RELU.local_grads(x, RELU.forward(x))),
        (_square(name, 2.0).text, lambda: POWER.forward(x, 2.0)),
    ]
    for text, table in checks:
        expected, got = outcome(table), outcome(lambda text=text: written(text, x))
        assert type(expected) is type(got) and (isinstance(got, type) or same(got, expected)), (text, x)
    if not isinstance(outcome(lambda: POWER.forward(x, 2.0)), type):
        slope = _square_slopes(name, 2.0, _Symbol("out"))[0].text
        assert same(written(slope, x), POWER.local_grads(x, 2.0, POWER.forward(x, 2.0))[0]), (slope, x)


def test_square_is_not_x_times_x():
    """Why ``x ** 2.0`` and not ``x * x``: they differ for some floats, and the table computes ``x ** 2.0``."""
    rng = random.Random(0)
    assert any(x**2.0 != x * x for x in (rng.uniform(-1e3, 1e3) for _ in range(100_000)))


def test_compiling_leaves_the_cycle_collector_as_it_found_it():
    x = Value(1.0)
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            autograd.compile(lambda: x * x + x, [x])
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_check_mode_notices_a_constant_changed_after_compiling_and_the_rebuild_keeps_the_traced_one():
    x, scale = Value(2.0, "x"), Value(3.0, "scale")
    checked = autograd.compile(lambda: x * scale, [x], check=True)
    plain = autograd.compile(lambda: x * scale, [x])
    scale.data = 4.0  # after compiling: the replay keeps 3.0, as documented
    with pytest.raises(GraphError, match="different graph"):
        checked(2.0)
    assert plain(2.0) == (6.0, [3.0])
    with detect_anomaly():  # the engine rebuilds the traced graph: the traced constant, 3.0
        assert plain(2.0) == (6.0, [3.0])


def test_under_detect_anomaly_accumulate_checks_the_gradients_it_returns_whatever_the_seed_and_totals():
    # The eager twins: a loss that scales the output by 1e300 (a seed of 1e300), and a .grad of 1.7e308 that the
    # output's gradient is added to; detect_anomaly() stops both, naming the gradient.
    p = Value(1e-300, "p")
    replay = autograd.compile(lambda: p * 1e10, [p])
    with detect_anomaly():
        eager = Value(1e-300, "p")
        with pytest.raises(AnomalyError, match="gradient"):
            (eager * 1e10 * 1e300).backward()
        with pytest.raises(AnomalyError, match=r"label 'p'.*inf"):
            replay.accumulate([-0.0], seed=1e300)  # 1e10 * 1e300 overflows: it returned (1e-290, (inf,))
        with pytest.raises(AnomalyError, match=r"label 'p'.*inf"):
            replay.accumulate([1.7e308], seed=1e298)  # 1.7e308 + 1e308 overflows
    checked = autograd.compile(lambda: p * 1e10, [p], check=True)
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"label 'p'.*inf"):
        checked.accumulate([-0.0], seed=1e300)
    assert replay.accumulate([-0.0], seed=1e300) == (1e-300 * 1e10, (math.inf,))  # unchecked: it overflows, as eagerly
    with detect_anomaly():
        assert replay.accumulate([0.25], seed=0.5) == (1e-300 * 1e10, (0.25 + 0.5 * 1e10,))


def test_a_single_value_where_a_sequence_of_values_belongs_is_refused_by_name():
    # Each raised "'Value' object is not iterable", naming neither compile nor which argument.
    x = Value(2.0, "x")
    with pytest.raises(
        GraphError, match=r"compile: parameters must be a sequence of Values, not Value; for one Value v, pass \[v\]"
    ):
        autograd.compile(lambda: x * x, x)
    with pytest.raises(
        GraphError, match=r"compile: data must be a sequence of Values, not Value; for one Value v, pass \[v\]"
    ):
        autograd.compile(lambda: x * x, [], data=x)
    with pytest.raises(
        GraphError,
        match=r"compile: with has_aux=True, f must return \(output, values\), where values must be a sequence of "
        r"Values, not Value; ",
    ):
        autograd.compile(lambda: (x * x, x), [x], has_aux=True)


def test_a_dict_or_a_set_where_numbers_or_values_belong_is_refused_by_name():
    # Before: a dict was read as its keys (a wrong loss and gradients, silently), a set in its own order.
    w, x, y = Value(2.0, "w"), Value(3.0, "x"), Value(5.0, "y")
    for unordered, what in (({x: 1, y: 2}, "a dict (read in turn it gives its keys)"), ({x, y}, "a set")):
        with pytest.raises(GraphError, match=re.escape(f"compile: data must be a sequence of Values, not {what}")):
            autograd.compile(lambda: w * x + y, [w], data=unordered)
        with pytest.raises(
            GraphError, match=re.escape(f"compile: parameters must be a sequence of Values, not {what}")
        ):
            autograd.compile(lambda: w * x + y, unordered)
    replay = autograd.compile(lambda: w * x + y, [w], data=[x, y])
    assert replay.output(data=[1.0, 2.0]) == 4.0  # 2 * 1 + 2
    cases = [
        (lambda d: replay.output(data=d), "data numbers", {1.0: "a", 2.0: "b"}),
        (lambda d: replay.output(data=d), "data numbers", frozenset({1.0, 2.0})),
        (lambda d: replay.accumulate(d, data=[1.0, 2.0]), "running totals", {0: 1.0}),
        (lambda d: replay.accumulate(d, data=[1.0, 2.0]), "running totals", {1.0}),
        (lambda d: replay.output(numbers=d, data=[1.0, 2.0]), "input numbers", {2.0: None}),
    ]
    for call, what, unordered in cases:
        kind = type(unordered).__name__
        with pytest.raises(TypeError, match=f"compiled function: {what} must be a sequence of numbers, not a {kind} "):
            call(unordered)


# --- the plain call's own replay: a graph's ``__call__``, seed 1.0 and fresh totals, bit for bit the general one's


def article_weight() -> float:
    """A weight for the article's network, signed zeros and the awkward floats among them."""
    return random.choice([0.0, -0.0, 1.0, -1.0, 5e-324, -1e50, random.uniform(-2, 2), random.gauss(0, 1e-3)])


def took_the_plain_replay(replay, *numbers):
    """Whether ``replay(*numbers)`` was answered by the graph's own ``__call__`` alone, without the general one."""
    namespace = type(replay).__call__.__globals__
    general, calls = namespace["general"], []
    namespace["general"] = lambda *arguments, **options: calls.append(arguments) or general(*arguments, **options)
    try:
        replay(*numbers)
    except TypeError:  # refused: by the general call, which the test then asks about
        pass
    finally:
        namespace["general"] = general
    return not calls


def test_a_plain_call_replays_the_general_code_and_the_eager_engine_to_the_bit():
    model, replay = article_replay()
    assert (
        "\ndef call(self, w1=missing, w2=missing, w3=missing, w4=missing, w5=missing, w6=missing, *more, data=None):\n"
        in replay.code
    )
    assert type(replay).__call__.__name__ == "call" and isinstance(replay, autograd.CompiledGradient)
    assert "def call" not in replay.source  # the reader's view is the general replay alone
    random.seed(18)
    for _ in range(300):
        weights = [article_weight() for _ in range(6)]
        output, gradients = replay(*weights)
        assert took_the_plain_replay(replay, *weights)
        general, totals = replay.accumulate([-0.0] * 6, numbers=weights)  # the general code: seed, += from -0.0
        assert (general, list(totals)) == replay._plain_call(*weights)
        assert same(output, general) and all(map(same, gradients, totals)), weights
        for parameter, number in zip(model.parameters(), weights, strict=True):
            parameter.data = number
        eager = squared_error(model(article_inputs()), 1.0)
        assert same(output, eager.data) and all(map(same, gradients, grad(eager, model.parameters()))), weights


def test_a_plain_call_keeps_the_sign_of_a_zero_gradient_the_output_itself_and_an_unreached_parameter():
    x, y, z = Value(1.0), Value(2.0), Value(3.0)
    for f, numbers in [
        (lambda: x * y, (-0.0, 0.0)),  # d/dx = y = +0.0, d/dy = x = -0.0
        (lambda: x * -1.0 + y * 0.0, (2.0, -3.0)),  # d/dy = 0.0 * 1.0: +0.0; z is not reached
        (lambda: x, (-0.0, 1.0)),  # the output is a parameter: its gradient is the seed
        (lambda: x * x + x * y + (x - y), (-0.0, -0.0)),  # x reached by four edges, added in the sweep's order
    ]:
        replay = autograd.compile(f, [x, y, z])
        assert "def call(" in replay.code
        output, gradients = replay(*numbers, 5.0)
        general, totals = replay._plain_call(*numbers, 5.0)  # the general code: seed, += from the call's own totals
        for leaf, number in zip([x, y, z], [*numbers, 5.0], strict=True):
            leaf.data = number
        eager = f()
        expected = grad(eager, [x, y, z], allow_unused=True)
        assert same(output, general) and same(output, eager.data)
        assert all(map(same, gradients, totals)) and all(map(same, gradients, expected)), (gradients, expected)
        assert same(gradients[2], 0.0)  # an unreached parameter: +0.0, as grad() gives


@pytest.mark.parametrize(
    "number", [numpy.float64(0.25), numpy.float32(0.25), 1, Fraction(1, 4), True, "0.25", None], ids=repr
)
def test_a_call_with_a_number_that_is_not_a_float_takes_the_checked_path(number):
    _, replay = article_replay()
    weights = [0.3, -0.2, 0.5, 0.1, -0.7, 0.9]
    assert not took_the_plain_replay(replay, *weights[:5], number)  # declined: not a float itself
    if type(number) in (bool, str) or number is None:
        with pytest.raises(TypeError, match=f"input 5 must be an int or a float, not {type(number).__name__}"):
            replay(*weights[:5], number)
        return
    output, gradients = replay(*weights[:5], number)  # converted as Value(...) converts it
    assert (output, gradients) == replay(*weights[:5], float(Value(number).data))
    assert type(output) is float and all(type(g) is float for g in gradients)


def test_a_plain_call_with_the_wrong_count_is_refused_or_reads_the_parameters():
    model, replay = article_replay()
    with pytest.raises(TypeError, match="takes 6 input numbers, got 7"):
        replay(*[0.5] * 7)
    with pytest.raises(TypeError, match="takes 6 input numbers, got 2"):
        replay(0.5, 0.5)
    assert replay() == replay(*[p.data for p in model.parameters()])


def test_a_large_graph_or_one_with_data_has_no_plain_replay_and_calls_the_general_one():
    x = Value(1.0)
    large = autograd.compile(lambda: sum((x * float(i) for i in range(40)), Value(0.0)), [x])
    assert "def call" not in large.code and large(2.0) == large._plain_call(2.0) == (1560.0, [780.0])
    sample = [Value(0.0)]
    with_data = autograd.compile(lambda: x * sample[0], [x], data=sample)
    assert "def call" not in with_data.code and with_data(2.0, data=[3.0]) == (6.0, [3.0])


def test_the_code_unpacks_many_parameters_on_one_line_and_the_source_wraps_them():
    # CPython's compile() reads a parenthesised target more than twice as slowly as the bare line: the code that
    # runs has the line; .source, which a reader reads, the names in parentheses (wrapped when long). Both replay
    # the same numbers.
    weights = [Value(0.5 + i, f"w{i}") for i in range(12)]
    replay = autograd.compile(lambda: sum((w * w for w in weights), Value(0.0)), weights)
    names = ", ".join(f"w{i}" for i in range(12))
    assert f"\n    {names} = parameters\n" in replay.code
    assert f"\n    ({names}) = parameters\n" in replay.source
    namespace: dict[str, object] = {}
    exec(replay.source, namespace)  # the reader's code runs too, and gives the same numbers (closed form: 2w)
    numbers = [w.data for w in weights]
    expected = (sum(n * n for n in numbers), [2.0 * n for n in numbers])
    assert replay() == expected
    assert namespace["replay"](numbers, [], 1.0, [-0.0] * 12) == (expected[0], expected[1])  # type: ignore[operator]
