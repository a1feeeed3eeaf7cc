"""gradcheck: the engine's gradients against central finite differences, on every operation."""

import math
import operator

import pytest
from finite_differences import central_difference
from operators import BINARY

from autograd import GradcheckError, GraphError, Value, grad, gradcheck
from autograd.value import Operation, _binary_method

FUNCTIONS = {
    **BINARY,
    "number-first": lambda a, b: (3 - a) * (2 / b) + 2**a,
    "neg-abs": lambda a, b: -abs(a - b),
    "exp": lambda a, b: (a * b).exp(),
    "log": lambda a, b: (a * b).log(),
    "sqrt": lambda a, b: (a + b).sqrt(),
    "tanh": lambda a, b: (a - b).tanh(),
    "sigmoid": lambda a, b: (a * b).sigmoid(),
    "relu": lambda a, b: (a - b).relu() + (b - a).relu() * 2,
    "sin": lambda a, b: (a * b).sin(),
    "cos": lambda a, b: (a + b).cos(),
    "everything": lambda a, b: ((a * b).tanh() + a.exp() / b - (a**b).log() + b.sigmoid() * a.sin()) ** 2,
}


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
