"""gradcheck: the engine's gradients against central finite differences, on every operation."""

import math
import operator
from fractions import Fraction

import numpy
import pytest
from finite_differences import central_difference
from operators import OPERATIONS, apply

from autograd import AutogradError, GradcheckError, GraphError, Value, grad, gradcheck
from autograd.value import Operation, _binary_method


def _cases(op):
    """Functions of two positive inputs that apply ``op``: between Values and with a plain number on either
    side, or (unary) to a product, and to a difference of either sign where the operation takes one."""
    if op.arity == 2:
        yield op.name, lambda a, b: apply(op, a, b)
        yield f"{op.name} number", lambda a, b: apply(op, a, 1.5)
        yield f"number {op.name}", lambda a, b: apply(op, 1.5, b)
        return
    yield op.name, lambda a, b: apply(op, a * b)
    try:
        apply(op, Value(-1.0))
    except AutogradError:  # log, sqrt: positive numbers only
        return
    yield f"{op.name} of a difference", lambda a, b: apply(op, a - b) + apply(op, b - a) * 2.0


FUNCTIONS = {name: f for op in OPERATIONS for name, f in _cases(op)}
FUNCTIONS["everything"] = lambda a, b: ((a * b).tanh() + a.exp() / b - (a**b).log() + b.sigmoid() * a.sin()) ** 2


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("point", [(0.7, 1.3), (2.0, 0.4), (1.1, 2.9)])
def test_gradcheck_passes_on_every_operation(name, point):
    assert gradcheck(FUNCTIONS[name], list(point))


def test_engine_gradient_equals_an_independent_finite_difference():
    a = Value(0.7)
    f = (a * a).sin() / a.exp()
    (engine,) = grad(f, [a])
    numeric = central_difference(lambda x: math.sin(x * x) / math.exp(x), 0.7)
    assert engine == pytest.approx(numeric, rel=1e-8)


def test_gradcheck_catches_a_wrong_gradient():
    # A multiplication whose local-derivative formula is wrong: 3.0 on each of the two edges of a * a, where
    # the right ones are a = 2.0 each (4.0 in all): the engine then says 6.0.
    wrong_times = _binary_method(Operation("*", 2, operator.mul, lambda x, y, out: (3.0, 3.0)))

    def wrong(a):
        return wrong_times(a, a)

    with pytest.raises(GradcheckError, match=r"engine 6\.0, finite differences 4\.0"):
        gradcheck(wrong, [2.0])
    assert gradcheck(wrong, [2.0], raise_exception=False) is False


def test_gradcheck_needs_a_value_result():
    with pytest.raises(GraphError, match="must return a Value"):
        gradcheck(lambda a: 3.0, [1.0])


def never_called(*values):
    raise AssertionError("gradcheck evaluated f before checking its arguments")


@pytest.mark.parametrize("eps", [0.0, -0.0, -1e-6, math.nan, math.inf, -math.inf])
def test_gradcheck_refuses_an_eps_that_is_not_a_positive_finite_number(eps):
    with pytest.raises(ValueError, match=rf"gradcheck: eps must be a finite number > 0, not {eps!r}"):
        gradcheck(never_called, [1.0], eps=eps)


@pytest.mark.parametrize("name", ["atol", "rtol"])
@pytest.mark.parametrize("value", [-1e-5, math.nan, math.inf, -math.inf])
def test_gradcheck_refuses_a_tolerance_that_is_negative_or_not_finite(name, value):
    with pytest.raises(ValueError, match=rf"gradcheck: {name} must be a finite number >= 0, not {value!r}"):
        gradcheck(never_called, [1.0], **{name: value})


@pytest.mark.parametrize("name", ["eps", "atol", "rtol"])
@pytest.mark.parametrize("value", ["1e-6", None, True, [1e-6]])
def test_gradcheck_refuses_a_setting_that_is_not_a_number(name, value):
    with pytest.raises(TypeError, match=rf"gradcheck: {name} must be a number, not {type(value).__name__}"):
        gradcheck(never_called, [1.0], **{name: value})


def test_gradcheck_refuses_an_eps_too_small_to_move_an_input():
    # 1e10 + 1e-9 == 1e10 in floats: both evaluations would be at the same point, and the
    # "finite difference" 0 would wrongly blame the engine for its gradient, 1.
    with pytest.raises(ValueError, match=r"gradcheck: eps=1e-09 does not move input 1 \(10000000000\.0\)"):
        gradcheck(lambda a, b: a + b, [1.0, 1e10], eps=1e-9)
    assert gradcheck(lambda a, b: a + b, [1.0, 1e10], eps=1.0)  # a step that input can take


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_gradcheck_refuses_a_point_that_is_not_finite(x):
    with pytest.raises(ValueError, match=rf"gradcheck: input 1 is {x!r}; finite differences need a finite point"):
        gradcheck(never_called, [1.0, x])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (["1"], "input 0 must be an int or a float, not str: '1'"),  # float("1") took it as 1.0
        ([1.0, "abc"], "input 1 must be an int or a float, not str: 'abc'"),  # "could not convert string to float"
        ([True], "input 0 must be an int or a float, not bool: True"),  # taken as 1.0, as Value(True) is not
        ([Value(2.0)], r"input 0 must be an int or a float, not Value"),  # its number taken; its .grad never set
        (1.0, "inputs must be a sequence of numbers, not float"),  # "'float' object is not iterable"
    ],
)
def test_gradcheck_refuses_an_input_that_is_not_a_number_by_position_before_calling_f(inputs, message):
    with pytest.raises(TypeError, match=rf"gradcheck: {message}"):
        gradcheck(never_called, inputs)


def test_gradcheck_takes_the_numbers_value_takes():
    # ints, numpy floats and Fractions are numbers, as for Value(...): d(a*b)/da = b, d(a*b)/db = a
    assert gradcheck(lambda a, b: a * b, [2, numpy.float64(0.5)])
    assert gradcheck(lambda a: a * a, [Fraction(1, 3)])


@pytest.mark.parametrize("inputs", [Value(2.0, "x"), None, 2.0])
def test_grad_refuses_inputs_that_are_not_a_sequence_by_name(inputs):
    # A single Value (torch.autograd.grad takes one; this grad returns a list, so it asks for [x]) raised
    # "'Value' object is not iterable", from deep inside, naming neither grad() nor its inputs.
    x = Value(2.0, "x")
    with pytest.raises(GraphError, match=rf"grad\(\) inputs must be a sequence of Values, not {type(inputs).__name__}"):
        grad(x * x, inputs)
    with pytest.raises(GraphError, match=r"for one Value v, pass \[v\]"):
        grad(x * x, x)


def test_gradcheck_says_when_its_own_step_leaves_the_domain_of_f():
    # log at 1e-7 is fine; its finite differences step to 1e-7 - 1e-6 < 0. The engine's own "log(-9e-07) is
    # undefined" named a number the caller never gave, as if f failed at their point.
    below = 1e-7 - 1e-6
    with pytest.raises(ValueError, match=rf"gradcheck: f fails at input 0 - eps = {below!r}, a step of the finite "):
        gradcheck(lambda a: a.log(), [1e-7])
    with pytest.raises(ValueError, match=r"log\(-9e-07\) is undefined.*a smaller eps"):
        gradcheck(lambda a, b: a * b.log(), [2.0, 1e-7], raise_exception=False)
    assert gradcheck(lambda a: a.log(), [1e-7], eps=1e-9, rtol=1e-3)  # d log(a)/da = 1/a
    with pytest.raises(AutogradError, match=r"log\(-1.0\)"):  # at the point itself: f's own error, as it was
        gradcheck(lambda a: a.log(), [-1.0])
