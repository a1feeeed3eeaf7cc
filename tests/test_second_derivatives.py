"""grad(..., create_graph=True): derivatives that can be differentiated again."""

import math

import pytest
from finite_differences import second_difference

from autograd import Value, grad
from nn import article_inputs, article_network, article_weights, squared_error


def test_create_graph_returns_values():
    x = Value(2.0)
    (dx,) = grad(x**3, [x], create_graph=True)
    assert isinstance(dx, Value) and dx.data == 12.0
    (d2x,) = grad(dx, [x])
    assert d2x == 12.0  # d2(x^3)/dx2 = 6x
    (d2x_value,) = grad(dx, [x], create_graph=True)
    (d3x,) = grad(d2x_value, [x])
    assert d3x == 6.0


@pytest.mark.parametrize(
    ("name", "f", "second"),
    [
        ("tanh", lambda v: v.tanh(), lambda x: -2 * math.tanh(x) / math.cosh(x) ** 2),
        ("sigmoid", lambda v: v.sigmoid(), None),
        ("exp", lambda v: v.exp(), math.exp),
        ("log", lambda v: v.log(), lambda x: -1 / x**2),
        ("pow", lambda v: v**3.5, lambda x: 3.5 * 2.5 * x**1.5),
        ("sin", lambda v: v.sin(), lambda x: -math.sin(x)),
        ("cos", lambda v: v.cos(), lambda x: -math.cos(x)),
        ("sqrt", lambda v: v.sqrt(), lambda x: -0.25 * x**-1.5),
        ("div", lambda v: 1 / v, lambda x: 2 / x**3),
        ("exp-pow", lambda v: 2**v, lambda x: math.log(2) ** 2 * 2**x),
    ],
)
@pytest.mark.parametrize("x", [0.4, 1.3])
def test_second_derivative_matches_finite_differences_and_closed_form(name, f, second, x):
    leaf = Value(x)
    (first,) = grad(f(leaf), [leaf], create_graph=True)
    (engine,) = grad(first, [leaf])
    numeric = second_difference(lambda t: f(Value(t)).data, x)
    assert engine == pytest.approx(numeric, rel=1e-5, abs=1e-6), name
    if second is not None:
        assert engine == pytest.approx(second(x), rel=1e-12), name


def test_mixed_second_derivative_of_a_power_of_two_values():
    x, y = Value(1.7), Value(2.3)
    (dx,) = grad(x**y, [x], create_graph=True)
    (dxdy,) = grad(dx, [y])
    # d/dy (y x^(y-1)) = x^(y-1) + y x^(y-1) ln x
    assert dxdy == pytest.approx(1.7**1.3 + 2.3 * 1.7**1.3 * math.log(1.7), rel=1e-12)


def test_hessian_of_the_articles_error_matches_its_closed_form():
    model = article_network()
    weights = article_weights(model)
    names = ["w1", "w2", "w3", "w4", "w5", "w6"]
    w = [weights[n] for n in names]
    error = squared_error(model(article_inputs()), 1.0)
    first = grad(error, w, create_graph=True)
    hessian = [grad(g, w) for g in first]

    # Closed form: E = 1/2 (out - t)^2 with out = w5 h1 + w6 h2, h1 = i1 w1 + i2 w2, h2 = i1 w3 + i2 w4.
    # d out/dw = (w5 i1, w5 i2, w6 i1, w6 i2, h1, h2) =: J; d2E = J J^T + delta * d2(out).
    i1, i2 = 2.0, 3.0
    w1, w2, w3, w4, w5, w6 = 0.11, 0.21, 0.12, 0.08, 0.14, 0.15
    h1, h2 = i1 * w1 + i2 * w2, i1 * w3 + i2 * w4
    delta = w5 * h1 + w6 * h2 - 1.0
    jac = [w5 * i1, w5 * i2, w6 * i1, w6 * i2, h1, h2]
    d2out = [[0.0] * 6 for _ in range(6)]
    for k, i in ((0, i1), (1, i2)):  # d2 out / dw_k dw5 = i
        d2out[k][4] = d2out[4][k] = i
    for k, i in ((2, i1), (3, i2)):  # d2 out / dw_k dw6 = i
        d2out[k][5] = d2out[5][k] = i
    for r in range(6):
        for c in range(6):
            expected = jac[r] * jac[c] + delta * d2out[r][c]
            assert hessian[r][c] == pytest.approx(expected, abs=1e-12), (names[r], names[c])
