"""Fuzzing every operation of the table, alone and in random programs, over awkward floats.

Operands include ±0.0, subnormals, huge and tiny magnitudes, NaN and
infinity. Each operation either gives the value and gradient an independent
reference gives (mpmath at high precision: the value, and a central
difference where the function is smooth there) or raises one of the engine's
documented errors, with no ``.grad`` changed; never an internal exception.
The operations are read from the table in ``autograd/value.py``
(``OPERATIONS``), so a new one is fuzzed as soon as it exists (or this file
says what it lacks).
"""

import contextlib
import math
import operator
import os
import struct

import mpmath
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from operators import NAMES, OPERATIONS, apply

from autograd import AnomalyError, AutogradError, Value, detect_anomaly, topological_order
from nn import SGD

# Longer hunts: MICRO_AUTOGRAD_FUZZ_SCALE=50 python -m pytest tests/test_fuzz.py
SCALE = int(os.environ.get("MICRO_AUTOGRAD_FUZZ_SCALE", "1"))


def _relu(x):
    return x if x > 0 else mpmath.mpf(0)


# The mathematics of each operation, independently of the engine, in mpmath.
REFERENCE = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": mpmath.power,
    "neg": operator.neg,
    "abs": mpmath.fabs,
    "exp": mpmath.exp,
    "log": mpmath.log,
    "sqrt": mpmath.sqrt,
    "tanh": mpmath.tanh,
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "relu": _relu,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
}

# The documented errors: the engine's own, and TypeError for an operand that is not a number.
DOCUMENTED = (AutogradError, TypeError)

SPECIAL = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e-300,
    -1e-300,
    1e-8,
    0.5,
    1.0,
    -1.0,
    2.0,
    -2.0,
    3.0,
    710.0,
    -746.0,
    1e300,
    -1e300,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    math.inf,
    -math.inf,
    math.nan,
]
AWKWARD = st.one_of(st.sampled_from(SPECIAL), st.floats(), st.floats(-10, 10), st.integers(-4, 4).map(float))
MODERATE = st.one_of(st.floats(-3, 3), st.integers(-3, 3).map(float), st.sampled_from([0.0, -0.0, 0.5, 1.0]))
PLAIN_NUMBERS = st.one_of(AWKWARD, st.integers(-3, 3), st.just(10**400))

PRECISION = 3000  # bits: enough for x + h with |x| up to 2**1024 and h down to 2**-1300
STEP = mpmath.mpf(2) ** -200  # relative to the operand, and never above this


def reference(op, *numbers):
    """The exact value of ``op`` at the given floats, or None where it is not a real number."""
    with mpmath.workprec(PRECISION):
        try:
            result = REFERENCE[op.name](*(mpmath.mpf(x) for x in numbers))
        except (ZeroDivisionError, ValueError):
            return None
        if not isinstance(result, mpmath.mpf) or not mpmath.isfinite(result):
            return None
        return result


def smooth_derivative(f, point, index):
    """df/d(point[index]) by central difference in mpmath, or None where f is not smooth there.

    Where f is smooth, the two one-sided differences and the central differences
    at two step sizes all agree to ~h. At a kink (abs, relu at 0) the one-sided
    ones differ; at a singularity (sqrt at 0, |x| ** x at 0) the step sizes do.
    """
    with mpmath.workprec(PRECISION):
        x = [mpmath.mpf(v) for v in point]
        h = STEP * min(1, abs(x[index])) if x[index] else STEP * mpmath.mpf(2) ** -1100

        def at(shift):
            moved = list(x)
            moved[index] += shift
            return f(moved)

        small = h * mpmath.mpf(2) ** -40
        values = [at(-h), at(0), at(h), at(-small), at(small)]
        if any(v is None for v in values):
            return None
        below, centre, above, just_below, just_above = values
        forward, backward = (above - centre) / h, (centre - below) / h
        central, finer = (above - below) / (2 * h), (just_above - just_below) / (2 * small)
        tolerance = mpmath.mpf(2) ** -100 * (1 + abs(central))
        if abs(forward - backward) > tolerance or abs(central - finer) > tolerance:
            return None
        return central


def close(engine, exact, ulps=4):
    """The engine's float is within a few units in the last place of the exact value."""
    as_float = float(exact)
    if math.isinf(as_float):  # beyond the float range: IEEE overflow to infinity of the same sign
        return engine == as_float
    return abs(engine - as_float) <= ulps * math.ulp(as_float)


def gradient_agrees(engine, exact):
    as_float = float(exact)
    if math.isinf(as_float):
        return engine == as_float
    return math.isclose(engine, as_float, rel_tol=1e-9, abs_tol=1e-15)


def pytorch_gradients(op, form, numbers):
    """PyTorch's float64 gradients for the same call (a tensor has the engine's method names): the reference
    for IEEE overflow inside a derivative."""
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in numbers[:1]]
    if form == "value, value":
        leaves.append(torch.tensor(numbers[1], dtype=torch.float64, requires_grad=True))
    x = leaves[0]
    arguments = {
        "value": (x,),
        "value, value": tuple(leaves),
        "same value": (x, x),
        "value, number": (x, float(numbers[1])),
        "number, value": (float(numbers[1]), x),
    }[form]
    apply(op, *arguments).backward()
    return [leaf.grad.item() for leaf in leaves]


def same_float(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


def operand_forms(op):
    """Value op Value, the same Value twice, and a plain number on either side (operators only)."""
    if op.arity == 1:
        return ["value"]
    forms = ["value, value", "same value", "value, number"]
    return [*forms, "number, value"] if op.method.startswith("__") else forms


def test_every_operation_in_the_table_can_be_applied_and_has_a_reference():
    assert len(NAMES) >= 15
    lacking = [name for name in NAMES if name not in REFERENCE]
    assert not lacking, f"add these operations to REFERENCE in this file: {lacking}"
    untorched = [op.name for op in OPERATIONS if not hasattr(torch.Tensor, op.method)]
    assert not untorched, f"PyTorch has no tensor method of these names: {untorched}"


# --- one operation at a time ----------------------------------------------------


@st.composite
def single_operations(draw, numbers=AWKWARD):
    op = draw(st.sampled_from(OPERATIONS))
    form = draw(st.sampled_from(operand_forms(op)))
    first = draw(numbers)
    if form == "value":
        return op, form, [first]
    if form == "same value":
        return op, form, [first, first]
    return op, form, [first, draw(PLAIN_NUMBERS if "number" in form else numbers)]


def build(op, form, numbers):
    """The leaves, the call, and the exact function of the leaves the call computes."""
    if form == "value":
        leaves = [Value(numbers[0], "x")]
        return leaves, lambda: apply(op, leaves[0]), lambda v: REFERENCE[op.name](v[0])
    if form == "value, value":
        leaves = [Value(numbers[0], "x"), Value(numbers[1], "y")]
        return leaves, lambda: apply(op, *leaves), lambda v: REFERENCE[op.name](v[0], v[1])
    if form == "same value":
        leaves = [Value(numbers[0], "x")]
        return leaves, lambda: apply(op, leaves[0], leaves[0]), lambda v: REFERENCE[op.name](v[0], v[0])
    number = numbers[1]
    leaves = [Value(numbers[0], "x")]
    if form == "value, number":
        return leaves, lambda: apply(op, leaves[0], number), lambda v: REFERENCE[op.name](v[0], mpmath.mpf(number))
    return leaves, lambda: apply(op, number, leaves[0]), lambda v: REFERENCE[op.name](mpmath.mpf(number), v[0])


def exact_or_none(function):
    def safe(values):
        try:
            result = function(values)
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
        return result if isinstance(result, mpmath.mpf) and mpmath.isfinite(result) else None

    return safe


@settings(max_examples=400 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single_operations())
def test_one_operation_gives_the_exact_value_and_gradient_or_a_documented_error(case):
    op, form, numbers = case
    leaves, call, exact = build(op, form, numbers)
    exact = exact_or_none(exact)
    operands = [float(x) for x in numbers] if all(abs(x) < 2**1024 for x in numbers) else None
    with mpmath.workprec(PRECISION):
        expected = exact([mpmath.mpf(x) for x in numbers[: len(leaves)]]) if operands else None
    inputs_finite = operands is not None and all(math.isfinite(x) for x in operands)
    try:
        result = call()
    except DOCUMENTED as error:
        event(f"raised {type(error).__name__}")
        assert op.name in str(error) or isinstance(error, TypeError | AutogradError), error
        assert [leaf.grad for leaf in leaves] == [0.0] * len(leaves)  # nothing was touched
        if inputs_finite and expected is not None:
            # only where the true value is beyond the float range may a defined value raise
            assert math.isinf(float(expected)), f"{op.describe(*operands)} raised {error!r}; exact {expected}"
        return
    assert isinstance(result.data, float)
    if inputs_finite and expected is not None:
        event("value checked")
        assert close(result.data, expected), f"{op.describe(*operands)} = {result.data!r}; exact {expected}"
    elif inputs_finite and not math.isnan(result.data):
        # an undefined value may only come out as NaN or infinity, never as an ordinary number
        assert not math.isfinite(result.data), f"{op.describe(*operands)} = {result.data!r}, but it is undefined"

    result.backward()
    if not inputs_finite or expected is None:
        return
    for index, leaf in enumerate(leaves):
        slope = smooth_derivative(exact, [leaf.data for leaf in leaves], index)
        if slope is None:
            continue
        if gradient_agrees(leaf.grad, slope):
            event("gradient: exact")
            continue
        event("gradient: PyTorch's, where floats cannot reach the exact one")
        # Where a float inside the derivative's formula overflows (1/x for a subnormal x) or rounds
        # (y - 1 for y beyond 2**53), the exact gradient is out of reach: then it is PyTorch's, bit for bit.
        pytorch = pytorch_gradients(op, form, numbers)[index]
        assert same_float(leaf.grad, pytorch), (
            f"d {op.describe(*operands)}/d{leaf.label}: engine {leaf.grad!r}, exact {slope}, PyTorch {pytorch!r}"
        )


# --- random programs ---------------------------------------------------------------


@st.composite
def programs(draw, numbers, max_steps=6):
    """Leaves, then steps that each apply a table operation to earlier results or plain numbers."""
    leaves = draw(st.lists(numbers, min_size=1, max_size=3))
    steps = []
    for step in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(OPERATIONS))
        available = len(leaves) + step
        operands = []
        for position in range(op.arity):
            plain = position == 1 or op.method.startswith("__")
            if op.arity == 2 and plain and draw(st.integers(0, 3)) == 0:
                operands.append(("number", draw(numbers)))
            else:
                operands.append(("node", draw(st.integers(0, available - 1))))
        if all(kind == "number" for kind, _ in operands):
            operands[0] = ("node", available - 1)
        steps.append((op, operands))
    return leaves, steps


def run_program(steps, values, apply_op):
    """Evaluate the program over ``values`` (Values, or exact numbers); its last result."""
    pool = list(values)
    for op, operands in steps:
        pool.append(apply_op(op, *[pool[ref] if kind == "node" else ref for kind, ref in operands]))
    return pool[-1]


def exact_program(steps):
    """The program as an exact function of its leaves, None where it is not a finite real number."""

    def exact_op(op, *operands):
        result = REFERENCE[op.name](*(mpmath.mpf(x) for x in operands))
        if not isinstance(result, mpmath.mpf):
            raise ValueError("not a real number")  # e.g. the square root of a negative number
        return result

    return exact_or_none(lambda point: run_program(steps, point, exact_op))


def bits(numbers):
    """The numbers' exact bit patterns: unchanged means these are equal, NaN included (nan != nan)."""
    return [struct.pack("<d", x) for x in numbers]


@settings(max_examples=200 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(AWKWARD), st.booleans())
def test_random_programs_never_raise_an_internal_exception_nor_half_update_a_grad(program, anomaly):
    leaves, steps = program
    values = [Value(x, f"x{i}") for i, x in enumerate(leaves)]
    for i, value in enumerate(values):
        value.grad = 0.5 + i  # earlier gradients: to be added to, never lost
    before = [value.grad for value in values]
    try:
        with detect_anomaly() if anomaly else contextlib.nullcontext():
            result = run_program(steps, values, apply)
            result.backward()
    except DOCUMENTED as error:
        event(f"raised {type(error).__name__}")
        assert not isinstance(error, AnomalyError) or anomaly
        assert [value.grad for value in values] == before
        assert bits(value.data for value in values) == bits(leaves)
        return
    if anomaly:  # all it let through is finite
        assert math.isfinite(result.data) and all(math.isfinite(value.grad) for value in values)

    # An optimiser step under detect_anomaly moves every parameter, or none.
    optimizer = SGD(values, lr=0.125)
    data = [value.data for value in values]
    grads = [value.grad for value in values]
    moved = [x - 0.125 * g for x, g in zip(data, grads, strict=True)]
    with detect_anomaly():
        try:
            optimizer.step()
        except AnomalyError:
            assert bits(value.data for value in values) == bits(data)
            assert not all(math.isfinite(x) for x in grads + moved)
        else:
            assert [value.data for value in values] == moved and all(math.isfinite(x) for x in moved)


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(MODERATE))
def test_random_programs_have_the_exact_gradient_where_they_are_smooth_and_well_conditioned(program):
    leaves, steps = program
    values = [Value(x, f"x{i}") for i, x in enumerate(leaves)]
    try:
        result = run_program(steps, values, apply)
    except DOCUMENTED:
        return
    exact = exact_program(steps)
    with mpmath.workprec(PRECISION):
        expected = exact([mpmath.mpf(x) for x in leaves])
    if expected is None or not math.isfinite(result.data):
        return
    if not math.isclose(result.data, float(expected), rel_tol=1e-12, abs_tol=1e-300):
        return  # rounding in the float program already lost the value (cancellation): no exact gradient to expect
    if any(not math.isfinite(local) for node in topological_order(result) for local in node.local_grads):
        return  # an infinite factor in the chain rule (sqrt at 0) gives inf or NaN, as in PyTorch
    result.backward()
    for index, value in enumerate(values):
        slope = smooth_derivative(exact, leaves, index)
        if slope is not None:
            event("program gradient checked")
            assert math.isclose(value.grad, float(slope), rel_tol=1e-7, abs_tol=1e-12), (value.label, value.grad, slope)


# --- what the fuzzer found, kept as plain regression tests ---------------------------


def torch_power_gradient(x, y):
    base = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (base**y).backward()
    return base.grad.item()


def test_a_power_whose_derivative_overflows_gives_infinity_not_an_error_as_in_pytorch():
    x = Value(5e-324)
    y = x**x  # 1.0; but the derivative formula y * x**(y-1) overflows on the way
    y.backward()
    assert y.data == 1.0 and x.grad == torch_power_gradient(5e-324, 5e-324) == math.inf
    x = Value(0.5)
    (x**-1023.5).backward()
    assert x.grad == torch_power_gradient(0.5, -1023.5) == -math.inf


def test_a_power_with_exponent_zero_has_slope_zero_everywhere_as_in_pytorch():
    for base in (5e-324, 0.0, -3.0, 1e300):
        x = Value(base)
        (x**0.0).backward()
        assert x.grad == torch_power_gradient(base, 0.0) == 0.0
