"""Every operation, and many random expression graphs, against PyTorch 2.13 in float64.

PyTorch is a test dependency (the ``test`` extra pins torch==2.13.0): this module
imports it unconditionally, so CI fails rather than skips if it is missing.
"""

import math

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from operators import BINARY, BY_NAME, UNARY_NAMES, apply

from autograd import AutogradError, Value

torch.set_num_threads(1)
REL = 1e-10  # the bar: 1e-10 relative


def close(engine: float, reference: float) -> bool:
    return math.isclose(engine, reference, rel_tol=REL, abs_tol=1e-12)


def leaf(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


# Every operation of the table, applied the same way to a Value and to a tensor (they share the method names).


def inside_the_domain(name: str, x: float) -> bool:
    """Outside an operation's domain the engine raises: the error tests take over there."""
    try:
        apply(BY_NAME[name], Value(x))
    except AutogradError:
        return False
    return True


POINTS = [-30.0, -2.5, -0.3, 0.0, 0.7, 4.0, 30.0]
UNARY_CASES = [(name, x) for name in UNARY_NAMES for x in POINTS if inside_the_domain(name, x)]


@pytest.mark.parametrize(("name", "x"), UNARY_CASES)
def test_unary_operation_against_pytorch(name, x):
    v, t = Value(x), leaf(x)
    out, ref = apply(BY_NAME[name], v), apply(BY_NAME[name], t)
    out.backward()
    ref.backward()
    assert close(out.data, ref.item()), (name, x)
    assert close(v.grad, t.grad.item()), (name, x)


PAIRS = [(2.0, 3.0), (0.5, -1.5), (1.7, 0.25), (-2.0, 3.0), (3.0, -2.0)]
SIDES = ["value-value", "value-number", "number-value"]
# d(x**y)/dy at a negative base is NaN in both engines: test_power_of_negative_base compares that case.
BINARY_CASES = [
    (name, x, y, side)
    for name in sorted(BINARY)
    for x, y in PAIRS
    for side in SIDES
    if not (name == "**" and x < 0 and side != "value-number")
]


@pytest.mark.parametrize(("name", "x", "y", "side"), BINARY_CASES)
def test_binary_operation_against_pytorch(name, x, y, side):
    f = BINARY[name]
    vx, vy = Value(x), Value(y)
    tx, ty = leaf(x), leaf(y)
    operands = {
        "value-value": ((vx, vy), (tx, ty)),
        "value-number": ((vx, y), (tx, y)),
        "number-value": ((x, vy), (x, ty)),
    }[side]
    out, ref = f(*operands[0]), f(*operands[1])
    out.backward()
    ref.backward()
    assert close(out.data, ref.item())
    for v, t in ((vx, tx), (vy, ty)):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert close(v.grad, expected), (name, side, x, y)


def test_power_of_negative_base_with_integer_exponent():
    vx, vy, tx, ty = Value(-2.0), Value(3.0), leaf(-2.0), leaf(3.0)
    (vx**vy).backward()
    (tx**ty).backward()
    assert vx.grad == tx.grad.item() == 12.0
    assert math.isnan(vy.grad) and math.isnan(ty.grad.item())


# --- random expression graphs ----------------------------------------------------------------

# Magnitudes between 0.01 and 3 (and exact zeros): dividing by a far tinier number makes terms near 1e67
# whose cancellation leaves only rounding noise, in both engines, and nothing to compare.
number = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.01, max_value=3.0).flatmap(lambda x: st.sampled_from([x, -x])),
)
instruction = st.tuples(
    st.sampled_from(UNARY_NAMES + sorted(BINARY)),
    st.integers(min_value=0, max_value=10_000),  # which earlier value is the first operand
    st.integers(min_value=0, max_value=10_000),  # which earlier value is the second operand
    st.one_of(st.none(), number),  # a plain-number second operand instead, sometimes
    st.booleans(),  # put the plain number on the left
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(inputs=st.lists(number, min_size=1, max_size=4), program=st.lists(instruction, min_size=1, max_size=12))
def test_random_expression_graphs_against_pytorch(inputs, program):
    leaves = [Value(x) for x in inputs]
    tensors = [leaf(x) for x in inputs]
    ours: list = list(leaves)
    theirs: list = list(tensors)
    for name, i, j, constant, number_first in program:
        a, ta = ours[i % len(ours)], theirs[i % len(theirs)]
        if name == "**" and (constant is None or number_first):
            # d(x**y)/dy = x**y log(x) is undefined (NaN) for a base <= 0; engines differ only in how a
            # later zero local derivative treats that NaN (torch's relu masks it, a product keeps it).
            base = constant if constant is not None else a.data
            assume(base > 0)
        try:
            if name in UNARY_NAMES:
                out, ref = apply(BY_NAME[name], a), apply(BY_NAME[name], ta)
            elif constant is not None:
                f = BINARY[name]
                out, ref = (f(constant, a), f(constant, ta)) if number_first else (f(a, constant), f(ta, constant))
            else:
                f = BINARY[name]
                out, ref = f(a, ours[j % len(ours)]), f(ta, theirs[j % len(theirs)])
        except AutogradError:
            assume(False)  # outside an operation's domain: the error tests cover these
        assume(math.isfinite(out.data) and abs(out.data) < 1e6)
        ours.append(out)
        theirs.append(ref)
    result, reference = ours[-1], theirs[-1]
    assume(all(math.isfinite(v.data) for v in ours))
    # Where a derivative itself is infinite (sqrt at 0), the gradient is undefined: nothing to compare.
    assume(all(math.isfinite(local) for v in ours for local in v.local_grads))
    assert close(result.data, reference.item())
    result.backward()
    reference.backward()
    for v, t in zip(leaves, tensors, strict=True):
        expected = 0.0 if t.grad is None else t.grad.item()
        assume(math.isfinite(expected))
        assert close(v.grad, expected), (v.grad, expected)
