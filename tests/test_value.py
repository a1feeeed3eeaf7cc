"""Value: construction, the record each operation leaves, and every operation's local derivative."""

import math
import operator

import pytest
from operators import BINARY, BY_NAME, UNARY_NAMES, apply

from autograd import Value, no_grad

# Each operation's value and derivative in closed form, written independently of the engine.
UNARY = {
    "neg": (lambda x: -x, lambda x: -1.0),
    "abs": (abs, lambda x: 1.0 if x > 0 else -1.0),
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda x: 1 / x),
    "sqrt": (math.sqrt, lambda x: 0.5 / math.sqrt(x)),
    "tanh": (math.tanh, lambda x: 1 / math.cosh(x) ** 2),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda x: -math.sin(x)),
}


def test_data_is_stored_as_float_and_grad_starts_at_zero():
    x = Value(2)
    assert x.data == 2.0 and type(x.data) is float
    assert x.grad == 0.0 and type(x.grad) is float
    assert x.label == "" and x.op == "" and x.parents == () and x.is_leaf


@pytest.mark.parametrize("bad", [True, False, "2", None, 1 + 2j, [1.0], object()])
def test_non_numeric_data_is_a_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_label_must_be_text():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


@pytest.mark.parametrize("name", UNARY_NAMES)
@pytest.mark.parametrize("x", [0.3, 1.7, 2.5])
def test_unary_operation_value_and_local_derivative(name, x):
    forward, derivative = UNARY[name]
    node = apply(BY_NAME[name], Value(x))
    assert node.data == pytest.approx(forward(x), rel=1e-14)
    assert node.op == name
    assert len(node.parents) == 1
    assert node.local_grads[0] == pytest.approx(derivative(x), rel=1e-12)


def test_negation_and_abs():
    x = Value(-1.5)
    assert (-x).data == 1.5 and (-x).local_grads == (-1.0,)
    assert abs(x).data == 1.5 and abs(x).local_grads == (-1.0,)
    assert abs(Value(2.0)).local_grads == (1.0,)


# Each binary operation at x = 2, y = 3: its value and its two local derivatives, in closed form.
BINARY_AT_2_3 = {
    "+": (5.0, 1.0, 1.0),
    "-": (-1.0, 1.0, -1.0),
    "*": (6.0, 3.0, 2.0),
    "/": (2 / 3, 1 / 3, -2 / 9),
    "**": (8.0, 3 * 2**2, 8 * math.log(2)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_operations_between_values(name):
    value, dx, dy = BINARY_AT_2_3[name]
    x, y = Value(2.0), Value(3.0)
    node = BINARY[name](x, y)
    assert node.data == pytest.approx(value, rel=1e-14)
    assert node.parents == (x, y)
    assert node.local_grads == pytest.approx((dx, dy), rel=1e-14)


@pytest.mark.parametrize(
    ("expression", "value", "derivative"),
    [
        (lambda x: x + 2, 5.0, 1.0),
        (lambda x: 2 + x, 5.0, 1.0),
        (lambda x: x - 2, 1.0, 1.0),
        (lambda x: 2 - x, -1.0, -1.0),
        (lambda x: x * 2, 6.0, 2.0),
        (lambda x: 2 * x, 6.0, 2.0),
        (lambda x: x / 2, 1.5, 0.5),
        (lambda x: 2 / x, 2 / 3, -2 / 9),
        (lambda x: x**2, 9.0, 6.0),
        (lambda x: 2**x, 8.0, 8 * math.log(2)),
        (lambda x: x**0.5, math.sqrt(3), 0.5 / math.sqrt(3)),
    ],
)
def test_plain_numbers_on_either_side(expression, value, derivative):
    x = Value(3.0)
    node = expression(x)
    assert node.data == pytest.approx(value, rel=1e-14)
    assert node.parents == (x,), "a plain number is folded in, not wrapped in a node"
    assert node.local_grads[0] == pytest.approx(derivative, rel=1e-14)
    node.backward()
    assert x.grad == pytest.approx(derivative, rel=1e-14)


def test_operands_are_in_the_order_the_operation_takes_them():
    x, y = Value(3.0), Value(-2.0)
    assert x.operands() == ()
    assert x.exp().operands() == (x,)
    assert (x * y).operands() == (x, y)
    assert (x * x).operands() == (x, x)
    assert (x * 2).operands() == (x, 2.0)
    assert (2 * x).operands() == (2.0, x), "recorded as written, as 2 - x is"
    assert (2 + x).operands() == (2.0, x)
    assert sum([x, y]).operands()[0].operands() == (0.0, x), "sum() starts with 0 + x"
    assert (2 - x).operands() == (2.0, x)
    assert (2**x).operands() == (2.0, x)
    assert (x / 4).operands() == (x, 4.0)
    folded = (x - 0.5).operands()[1]
    assert type(folded) is float and folded == 0.5
    with no_grad():
        assert (x * 2).operands() == (), "no_grad results are leaves"


def test_a_number_on_the_left_of_a_sum_or_product_gives_the_same_bits_as_on_the_right():
    for number in (3.0, -0.0, 0.0, 1e308, -2.5):
        for data in (2.0, -0.0, 0.0, 1e-310, math.inf):
            for operation in (operator.mul, operator.add):
                a, b = Value(data), Value(data)
                left, right = operation(number, a), operation(b, number)
                assert repr(left.data) == repr(right.data)
                left.backward()
                right.backward()
                assert math.copysign(1.0, a.grad) == math.copysign(1.0, b.grad) and a.grad == b.grad


def test_relu_and_abs_have_derivative_zero_at_zero_as_in_pytorch():
    assert Value(0.0).relu().local_grads == (0.0,)
    assert abs(Value(0.0)).local_grads == (0.0,)


def test_sigmoid_and_tanh_do_not_overflow_at_plus_minus_1000():
    for x in (1000.0, -1000.0):
        s, t = Value(x).sigmoid(), Value(x).tanh()
        assert s.data == (1.0 if x > 0 else 0.0)
        assert t.data == (1.0 if x > 0 else -1.0)
        assert s.local_grads == (0.0,) and t.local_grads == (0.0,)


def test_labels_ops_and_parents_describe_the_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    assert (c.op, c.parents, c.label) == ("*", (a, b), "c")
    assert repr(c) == "Value(data=-6.0, grad=0.0, label='c')"
    assert float(c) == -6.0
