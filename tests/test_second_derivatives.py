"""grad(..., create_graph=True): derivatives that can be differentiated again, for every row of the table.

References, all independent of the engine: second derivatives in closed form (written here), PyTorch 2.13
float64 double backward (``torch.autograd.grad(..., create_graph=True)``), mpmath at high precision, and
central differences of the eager first derivative. The cases come from the operation table
(``tests/operators.py``), so a new row is checked here as soon as it exists.
"""

import functools
import itertools
import math
import struct

import mpmath
import pytest
import sympy
import torch
from finite_differences import central_difference, second_difference
from operators import BY_NAME, DERIVATIVE_OPERATIONS, NAMES, OPERATIONS, apply

from autograd import AnomalyError, AutogradError, GraphError, Operation, Value, detect_anomaly, grad
from autograd.value import MASKED, POWER_LOG, RAISED, RECIPROCAL, _unary_method, local_grads_as_values
from nn import article_inputs, article_network, article_weights, squared_error

torch.set_num_threads(1)


def test_create_graph_returns_values():
    x = Value(2.0)
    (dx,) = grad(x**3, [x], create_graph=True)
    assert isinstance(dx, Value) and dx.data == 12.0
    (d2x,) = grad(dx, [x])
    assert d2x == 12.0  # d2(x^3)/dx2 = 6x
    (d2x_value,) = grad(dx, [x], create_graph=True)
    (d3x,) = grad(d2x_value, [x])
    assert d3x == 6.0


# --- every operation, at ordinary points: closed form, PyTorch, finite differences -------------------


def _log(v: float) -> float:
    return math.log(v) if v > 0 else math.nan  # the log of a negative base: undefined


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# Each operation's second derivatives in closed form: f''(x) for a unary one, (f_xx, f_xy, f_yy) for f(x, y).
SECOND = {
    "neg": lambda x: 0.0,
    "abs": lambda x: 0.0,
    "exp": math.exp,
    "log": lambda x: -1 / x**2,
    "sqrt": lambda x: -0.25 * x**-1.5,
    "tanh": lambda x: -2 * math.tanh(x) / math.cosh(x) ** 2,
    "sigmoid": lambda x: _sigmoid(x) * (1 - _sigmoid(x)) * (1 - 2 * _sigmoid(x)),
    "relu": lambda x: 0.0,
    "sin": lambda x: -math.sin(x),
    "cos": lambda x: -math.cos(x),
    "+": lambda x, y: (0.0, 0.0, 0.0),
    "-": lambda x, y: (0.0, 0.0, 0.0),
    "*": lambda x, y: (0.0, 1.0, 0.0),
    "/": lambda x, y: (0.0, -1 / y**2, 2 * x / y**3),
    "**": lambda x, y: (
        y * (y - 1) * x ** (y - 2),
        x ** (y - 1) * (1 + y * _log(x)),
        x**y * _log(x) ** 2,
    ),
}

UNARY_POINTS = [-1.3, -0.4, 0.6, 1.7, 2.5]
BINARY_POINTS = [(1.7, 2.3), (0.4, -1.5), (2.5, 0.5), (-1.5, 3.0), (3.0, -2.0)]
FORMS = {1: ["x"], 2: ["x, y", "x, number", "number, y"]}


def defined(op: Operation, point: tuple[float, ...]) -> bool:
    """Inside the operation's domain (where the engine raises, tests/test_errors.py takes over)."""
    try:
        apply(op, *(Value(p) for p in point))
        return True
    except AutogradError:
        return False


def build(op, form, point, make):
    """The variables (leaves made by ``make``: Values or tensors) and ``op`` applied to them in ``form``."""
    if form == "x":
        leaves = [make(point[0])]
        return leaves, apply(op, leaves[0])
    if form == "x, y":
        leaves = [make(point[0]), make(point[1])]
        return leaves, apply(op, *leaves)
    if form == "x, number":
        leaves = [make(point[0])]
        return leaves, apply(op, leaves[0], point[1])
    leaves = [make(point[1])]
    return leaves, apply(op, point[0], leaves[0])


def engine_derivatives(op, form, point, path):
    """d/d(leaf path[0]), then d/d(leaf path[1]) of that, ...: each order built with create_graph=True."""
    leaves, out = build(op, form, point, Value)
    found = []
    for index in path:
        (out,) = grad(out, [leaves[index]], create_graph=True, allow_unused=True)
        found.append(out.data)
    return found


def tensor(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def pytorch_derivatives(op, form, point, path):
    """The same derivatives from PyTorch's double backward."""
    leaves, out = build(op, form, point, tensor)
    found = []
    for index in path:
        if not out.requires_grad:  # a constant: its derivatives are 0
            found.append(0.0)
            continue
        (out,) = torch.autograd.grad(out, [leaves[index]], create_graph=True, allow_unused=True)
        if out is None:
            out = torch.zeros((), dtype=torch.float64)
        found.append(out.item())
    return found


def agree(engine: float, reference: float, rel: float = 1e-12) -> bool:
    if type(reference).__name__ == "NAN_OR" and math.isnan(engine):
        return True
    if math.isnan(engine) or math.isnan(reference):
        return math.isnan(engine) and math.isnan(reference)
    if math.isinf(engine) or math.isinf(reference):
        return engine == reference
    return math.isclose(engine, reference, rel_tol=rel, abs_tol=1e-300)


def ordinary_cases():
    for op in OPERATIONS:
        for form in FORMS[op.arity]:
            points = UNARY_POINTS if op.arity == 1 else BINARY_POINTS
            for point in points:
                if isinstance(point, float):
                    point = (point,)
                if defined(op, point):
                    yield pytest.param(op.name, form, point, id=f"{op.name} {form} {point}")


def expected_second(name, form, point):
    """The closed form's second derivatives along each pair of variables: {(i, j): d2f/di dj}."""
    if form == "x":
        return {(0, 0): SECOND[name](point[0])}
    fxx, fxy, fyy = SECOND[name](*point)
    if form == "x, y":
        return {(0, 0): fxx, (0, 1): fxy, (1, 0): fxy, (1, 1): fyy}
    return {(0, 0): fxx if form == "x, number" else fyy}


@pytest.mark.parametrize(("name", "form", "point"), list(ordinary_cases()))
def test_every_operation_has_its_second_derivatives_at_ordinary_points(name, form, point):
    op = BY_NAME[name]
    for (i, j), closed_form in expected_second(name, form, point).items():
        engine = engine_derivatives(op, form, point, (i, j))[1]
        assert agree(engine, closed_form), (name, form, point, (i, j), engine, closed_form)
        pytorch = pytorch_derivatives(op, form, point, (i, j))[1]
        assert agree(engine, pytorch), (name, form, point, (i, j), engine, pytorch)
        if math.isnan(closed_form):
            continue

        def first(t: float, i=i, j=j) -> float:  # d f/d(variable i), eager, with variable j moved to t
            moved = list(point)
            moved[j if form != "number, y" else 1] = t
            leaves, out = build(op, form, tuple(moved), Value)
            return grad(out, [leaves[i]], allow_unused=True)[0]

        numeric = central_difference(first, point[j if form != "number, y" else 1], h=1e-6)
        assert engine == pytest.approx(numeric, rel=1e-6, abs=1e-6), (name, form, point, (i, j))


def test_every_operation_has_a_closed_form_second_derivative_here():
    assert sorted(SECOND) == NAMES, "add the new operation's second derivatives to SECOND"


# --- every operation at its boundary points, to the third order, against PyTorch ----------------------

BOUNDARY_UNARY = [0.0, -0.0, 1e-200, 1.0, -1.0, 20.0, -20.0, 40.0, -40.0, 709.0, -745.0, 800.0, -800.0, math.pi / 2]
BOUNDARY_UNARY += [1e300, math.inf, -math.inf]
BOUNDARY_BINARY = [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, 0.5), (0.0, 1.5), (0.0, 3.0), (0.0, -1.0), (0.0, -0.0)]
BOUNDARY_BINARY += [(-0.0, 0.5), (-0.0, 1.0), (-0.0, 2.0), (2.0, 0.0), (2.0, -0.0), (1.0, 0.0), (-2.0, 0.0)]
BOUNDARY_BINARY += [(-2.0, 3.0), (-2.0, 1.0), (-2.0, 2.0), (-1.0, 0.5), (1.0, 1e-160), (0.0, math.inf), (math.inf, 2.0)]
BOUNDARY_BINARY += [(1e300, 2.0)]


def boundary_cases():
    for op in OPERATIONS:
        if op.arity == 1:
            for x in BOUNDARY_UNARY:
                yield pytest.param(op.name, "x", (x,), (0, 0, 0), id=f"{op.name} x={x}")
            continue
        for point in BOUNDARY_BINARY:
            for path in itertools.product((0, 1), repeat=3):
                yield pytest.param(op.name, "x, y", point, path, id=f"{op.name} {point} {path}")
            for form in ("x, number", "number, y"):
                yield pytest.param(op.name, form, point, (0, 0, 0), id=f"{op.name} {form} {point}")


def reference_derivatives(op, form, point, path):
    """PyTorch's derivatives, except where the engine's documented choice differs (each tested below too).

    - A base of -0.0 (sqrt, x ** y) is the base 0 of the domain's edge: every derivative is the one at
      +0.0 (PyTorch's sqrt(x) and x ** 0.5 have slope -inf at -0.0, its x ** y with a tensor exponent +inf).
    - x ** y with x > 0 and y = 0: the slope in x is 0, but its derivatives in y are the true ones
      (mpmath), where PyTorch's mask (``where(y == 0, 0, ...)``) makes them 0.
    - x ** y with x < 0: once differentiated in y (log of a negative number), every further derivative
      is NaN, where PyTorch's masks hide the NaN in some (-0.5 at (-2, 0)).
    """
    if op.name in ("sqrt", "**") and math.copysign(1.0, point[0]) < 0 and point[0] == 0.0:
        return reference_derivatives(op, form, (0.0, *point[1:]), path)
    if op.name == "**" and form != "x, number" and point[0] == 0.0 and 0.0 < point[1] < math.inf:
        return zero_base_derivatives(form, point[1], path)
    if op.name == "**" and form == "x, y" and point[0] > 0 and point[1] == 0.0:
        orders = [(path[: k + 1].count(0), path[: k + 1].count(1)) for k in range(len(path))]
        return [float(mpmath.diff(lambda a, b: a**b, point, order)) for order in orders]
    found = pytorch_derivatives(op, form, point, path)
    if op.name == "**" and form == "x, y" and point[0] < 0 and 1 in path:
        found[path.index(1) :] = [math.nan] * (3 - path.index(1))
    return found


@functools.cache
def limit_at_zero_base(i: int, j: int, y: float) -> float:
    """d^(i+j)/dx^i dy^j of x ** y as x -> 0+ at this y (sympy's limit of the closed form)."""
    x_, y_ = sympy.symbols("x y", positive=True)
    found = sympy.limit(sympy.diff(x_**y_, x_, i, y_, j).subs(y_, sympy.nsimplify(y)), x_, 0, "+")
    return float(found)


def zero_base_derivatives(form, y, path):
    """The documented choice at base 0 with 0 < y < inf: the first derivative is PyTorch's; a second one
    that differentiates in y is the limit as x -> 0+ (sympy), where PyTorch's mask gives NaN, but d/dy d/dx
    for y < 1, which is inf - inf: NaN (PyTorch's too); a third one that differentiates in y is the limit
    or NaN (the derivatives of a masked step), never another number. The rest are PyTorch's."""
    found = pytorch_derivatives(BY_NAME["**"], form, (0.0, y), path)
    steps = [1] * len(path) if form == "number, y" else list(path)
    for k in (1, 2):
        if 1 not in steps[: k + 1]:
            continue
        limit = limit_at_zero_base(steps[: k + 1].count(0), steps[: k + 1].count(1), y)
        if k == 1:
            found[1] = math.nan if steps[:2] == [0, 1] and y < 1.0 else limit
        else:
            found[2] = NAN_OR(limit)
    return found


class NAN_OR(float):
    """An expected value that NaN also meets (see ``zero_base_derivatives``)."""


@pytest.mark.parametrize(("name", "form", "point", "path"), list(boundary_cases()))
def test_boundary_points_match_pytorch_at_every_order_or_the_documented_choice(name, form, point, path):
    op = BY_NAME[name]
    if not defined(op, point):
        return  # outside the domain: tests/test_errors.py
    engine = engine_derivatives(op, form, point, path)
    reference = reference_derivatives(op, form, point, path)
    assert all(agree(a, b) for a, b in zip(engine, reference, strict=True)), (engine, reference)


# --- the limits issue 10 names, one by one (each gave 0 or a wrong sign before) -----------------------


def pytorch_along(f, x: float, order: int) -> list[float]:
    t = tensor(x)
    out, found = f(t), []
    for _ in range(order):
        (out,) = torch.autograd.grad(out, [t], create_graph=True)
        found.append(out.item())
    return found


def engine_along(f, x: float, order: int) -> list[float]:
    v = Value(x)
    out, found = f(v), []
    for _ in range(order):
        (out,) = grad(out, [v], create_graph=True, allow_unused=True)
        found.append(out.data)
    return found


def test_second_derivative_of_sqrt_and_of_x_to_the_half_at_zero_is_minus_infinity_as_in_pytorch():
    for f in (lambda v: v.sqrt(), lambda v: v**0.5):
        assert engine_along(f, 0.0, 3) == pytorch_along(f, 0.0, 3) == [math.inf, -math.inf, math.inf]


def test_third_derivative_of_x_to_the_one_and_a_half_at_zero_is_minus_infinity_as_in_pytorch():
    f = lambda v: v**1.5  # noqa: E731
    assert engine_along(f, 0.0, 4) == pytorch_along(f, 0.0, 4) == [0.0, math.inf, -math.inf, math.inf]


def test_second_derivative_in_the_exponent_of_a_negative_base_is_nan_as_in_pytorch():
    f = lambda v: (-2.0) ** v  # noqa: E731
    engine, pytorch = engine_along(f, 3.0, 3), pytorch_along(f, 3.0, 3)
    assert all(math.isnan(d) for d in engine + pytorch), (engine, pytorch)  # d2 was 0
    engine = engine_derivatives(BY_NAME["**"], "x, y", (-2.0, 3.0), (1, 1, 1))
    pytorch = pytorch_derivatives(BY_NAME["**"], "x, y", (-2.0, 3.0), (1, 1, 1))
    assert all(math.isnan(d) for d in engine + pytorch), (engine, pytorch)


def test_mixed_derivatives_of_a_power_at_zero_one_agree_in_both_orders_at_the_limit():
    # d/dy (d/dx x**y) = x**(y-1) (1 + y log x) = d/dx (d/dy x**y): as x -> 0+ at y = 1, -inf (sympy).
    # Before: 1 one way (PyTorch's mask drops y log x) and NaN the other (d/dx of a masked 0 * -inf).
    limit = limit_at_zero_base(1, 1, 1.0)
    assert limit == -math.inf
    for point in ((0.0, 1.0), (-0.0, 1.0)):
        assert engine_derivatives(BY_NAME["**"], "x, y", point, (0, 1)) == [1.0, limit]
        assert engine_derivatives(BY_NAME["**"], "x, y", point, (1, 0)) == [0.0, limit]
    pytorch = [pytorch_derivatives(BY_NAME["**"], "x, y", (0.0, 1.0), path)[1] for path in ((0, 1), (1, 0))]
    assert pytorch[0] == 1.0 and math.isnan(pytorch[1])  # PyTorch 2.13 disagrees with itself here


@pytest.mark.parametrize("y", [0.5, 1.0, 1.5, 2.0, 3.0])
@pytest.mark.parametrize("form", ["x, y", "number, y"])
def test_zero_to_the_y_has_second_derivative_zero_in_y_as_hips_autograd_and_the_limit_say(form, y):
    # 0 ** y is 0 for every y > 0: d2/dy2 is 0 (HIPS autograd: log(where(x, x, 1)) is constant there;
    # sympy: the limit of x**y log(x)**2). Before: NaN, PyTorch 2.13's value (its mask's slope, 0 * -inf).
    assert limit_at_zero_base(0, 2, y) == 0.0
    path = (1, 1) if form == "x, y" else (0, 0)
    assert engine_derivatives(BY_NAME["**"], form, (0.0, y), path) == [0.0, 0.0]
    assert math.isnan(pytorch_derivatives(BY_NAME["**"], form, (0.0, y), path)[1])


def test_at_minus_zero_sqrt_and_power_take_the_derivatives_at_zero_where_pytorch_flips_the_sign():
    for f in (lambda v: v.sqrt(), lambda v: v**0.5):
        assert engine_along(f, -0.0, 3) == engine_along(f, 0.0, 3) == [math.inf, -math.inf, math.inf]
        assert pytorch_along(f, -0.0, 1) == [-math.inf]  # PyTorch: 0.5 / -0.0 (and its x ** y with a tensor y: inf)


def test_derivatives_in_the_exponent_at_exponent_zero_are_the_true_ones_where_pytorch_gives_zero():
    for x in (2.0, 0.5):
        engine = engine_derivatives(BY_NAME["**"], "x, y", (x, 0.0), (0, 1))
        assert engine == [0.0, pytest.approx(1 / x, rel=1e-15)]  # d/dy (y x**(y-1)) at y = 0: 1/x
        assert second_difference(lambda y, x=x: x**y, 0.0) == pytest.approx(math.log(x) ** 2, rel=1e-6)
        assert pytorch_derivatives(BY_NAME["**"], "x, y", (x, 0.0), (0, 1)) == [0.0, 0.0]


def test_through_the_log_of_a_negative_base_every_derivative_is_nan_where_pytorch_sometimes_says_minus_half():
    engine = engine_derivatives(BY_NAME["**"], "x, y", (-2.0, 0.0), (1, 0))
    pytorch = pytorch_derivatives(BY_NAME["**"], "x, y", (-2.0, 0.0), (1, 0))
    assert math.isnan(engine[0]) and math.isnan(engine[1])
    assert math.isnan(pytorch[0]) and pytorch[1] == -0.5


def test_zero_to_the_power_minus_infinity_has_pytorchs_slopes():
    x, y = Value(0.0), Value(-math.inf)
    out = x**y
    out.backward()
    tx, ty = tensor(0.0), tensor(-math.inf)
    (tx**ty).backward()
    assert out.data == math.inf and (x.grad, y.grad) == (tx.grad.item(), ty.grad.item()) == (-math.inf, -math.inf)


# --- what second derivatives are built from ----------------------------------------------------------

SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 1e-300, 0.25, 0.5, 1.0, -1.0, 1.5, -1.5, 2.0, -2.0, 3.0, 710.0, 1023.5]
SPECIAL += [-1023.5, 1e300, -1e300, math.inf, -math.inf, math.nan]


def bits(number: float) -> bytes:
    return struct.pack("<d", number)


def every_node():
    """Each row (the derivative-only ones too) applied to awkward floats in every form."""
    for op in (*OPERATIONS, *DERIVATIVE_OPERATIONS):
        if op.arity == 1:
            for x in SPECIAL:
                yield op, (Value(x),)
            continue
        for x, y in itertools.product(SPECIAL, repeat=2):
            shared = Value(x)
            yield from ((op, (Value(x), Value(y))), (op, (Value(x), y)), (op, (x, Value(y))), (op, (shared, shared)))


def test_first_derivatives_with_create_graph_are_the_eager_numbers_bit_for_bit():
    checked = 0
    for op, operands in every_node():
        try:
            node = apply(op, *operands)
        except (AutogradError, TypeError):
            continue
        as_values = local_grads_as_values(node)
        numbers = [v.data if isinstance(v, Value) else v for v in as_values]
        assert [bits(n) for n in numbers] == [bits(n) for n in node.local_grads], (op, operands, numbers)
        checked += 1
    assert checked > 5000


def power_log_second(x: float, y: float) -> tuple[float, float, float]:
    """d2/dx2, d2/dxdy, d2/dy2 of x ** y * log(x), by mpmath's differences at high precision."""
    with mpmath.workdps(40):
        f = lambda a, b: a**b * mpmath.log(a)  # noqa: E731
        return tuple(float(mpmath.diff(f, (x, y), order)) for order in ((2, 0), (1, 1), (0, 2)))


# The rows only derivative formulas use: 1/v (+inf at 0), x ** p with a limit at a pole, a masked 0, and
# x ** y * log(x) with its limits at x = 0.
DERIVATIVE_ROWS = {
    RECIPROCAL: [((0.7,), 2 / 0.7**3), ((-1.3,), 2 / -(1.3**3)), ((0.0,), math.inf)],
    RAISED: [((1.7, -0.5), SECOND["**"](1.7, -0.5)), ((2.0, 3.0), SECOND["**"](2.0, 3.0))],
    MASKED: [((0.7,), math.nan), ((0.0,), math.nan)],
    POWER_LOG: [((x, y), power_log_second(x, y)) for x, y in ((1.7, 0.5), (2.0, 3.0), (0.4, -1.5))],
}


@pytest.mark.parametrize("op", DERIVATIVE_OPERATIONS, ids=lambda op: op.name)
def test_the_rows_derivative_formulas_use_have_their_second_derivatives(op):
    for point, expected in DERIVATIVE_ROWS[op]:
        if op.arity == 1:
            assert agree(engine_derivatives(op, "x", point, (0, 0))[1], expected), (op, point)
            continue
        for (i, j), closed_form in zip(((0, 0), (0, 1), (1, 1)), expected, strict=True):
            assert agree(engine_derivatives(op, "x, y", point, (i, j))[1], closed_form), (op, point, (i, j))
    assert set(DERIVATIVE_ROWS) == set(DERIVATIVE_OPERATIONS)


def test_the_derivative_only_rows_give_limits_where_python_raises():
    x = Value(0.0)
    assert apply(RECIPROCAL, x).data == apply(RECIPROCAL, Value(-0.0)).data == math.inf
    assert apply(RAISED, x, -0.5).data == apply(RAISED, 0.0, Value(-0.5)).data == math.inf
    assert math.isnan(apply(RAISED, Value(-8.0), 0.5).data)
    assert apply(RAISED, Value(1e-300), -2.0).data == math.inf  # overflow: inf, not an error
    assert apply(MASKED, Value(math.inf)).data == 0.0 and math.isnan(apply(MASKED, x).local_grads[0])


def test_a_formula_that_turns_a_value_into_a_float_fails_loudly_naming_the_operation():
    # 1 / cos(x)**2 through math.cos: a float, so a second derivative would silently be 0 (it was).
    tan = Operation("tan", 1, math.tan, lambda x, out: 1 / math.cos(x) ** 2)
    x = Value(0.5)
    (first,) = grad(_unary_method(tan)(x), [x])
    assert first == pytest.approx(1 / math.cos(0.5) ** 2, rel=1e-15)  # the eager engine is unaffected
    with pytest.raises(GraphError, match=r"formula of 'tan' turned a Value into a float"):
        grad(_unary_method(tan)(x), [x], create_graph=True)
    floor = Operation("floor", 1, math.floor, lambda x, out: 0.0 * int(x))
    with pytest.raises(GraphError, match=r"formula of 'floor' failed on Values"):
        grad(_unary_method(floor)(x), [x], create_graph=True)
    assert float(x) == 0.5  # and float() works again afterwards


def test_second_derivatives_under_detect_anomaly_raise_only_for_what_they_carry():
    with detect_anomaly():
        x = Value(-2.0)
        (dx,) = grad(x**2.0, [x], create_graph=True)  # d/dy of x**y is NaN at x < 0, but it is not asked for
        assert grad(dx, [x]) == [2.0]
        base, exponent = Value(0.0), Value(1.0)
        (dy,) = grad(base**exponent, [exponent], create_graph=True)  # 0 ...
        assert dy.data == 0.0
        with pytest.raises(AnomalyError):
            grad(dy, [base])  # ... whose own derivative is -inf (the limit of 1 + log x)


# --- composites ---------------------------------------------------------------------------------------


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
    hessian = [grad(g, w, allow_unused=True) for g in first]

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
