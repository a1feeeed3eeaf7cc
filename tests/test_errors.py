"""Bad input gets a clear error naming the operation and the offending value; nothing changes."""

import re

import pytest

from autograd import (
    AutogradError,
    DivisionByZeroError,
    DomainError,
    NumericOverflowError,
    Value,
)

CASES = [
    ("log of zero", lambda x: (x * 0).log(), DomainError, r"log\(0\.0\) is undefined: log needs x > 0"),
    ("log of a negative", lambda x: (-x).log(), DomainError, r"log\(-2\.0\) is undefined"),
    ("sqrt of a negative", lambda x: (-x).sqrt(), DomainError, r"sqrt\(-2\.0\) is undefined: sqrt needs x >= 0"),
    ("division by zero", lambda x: x / 0, DivisionByZeroError, r"2\.0 / 0\.0: division by zero"),
    ("division by a zero Value", lambda x: x / (x - 2), DivisionByZeroError, r"2\.0 / 0\.0"),
    ("number over zero", lambda x: 1 / (x - 2), DivisionByZeroError, r"1\.0 / 0\.0"),
    ("zero to a negative power", lambda x: (x - 2) ** -1, DivisionByZeroError, r"0\.0 \*\* \(-1\.0\)"),
    ("negative base, fractional power", lambda x: (-x) ** 0.5, DomainError, r"\(-2\.0\) \*\* 0\.5 is undefined"),
    ("negative number base", lambda x: (-8) ** (x / 4), DomainError, r"\(-8\.0\) \*\* 0\.5"),
    ("exp overflow", lambda x: (x * 500).exp(), NumericOverflowError, r"exp\(1000\.0\).*too large"),
    ("power overflow", lambda x: (x * 1e200) ** 2, NumericOverflowError, r"\*\* 2\.0.*too large"),
    ("huge integer operand", lambda x: x + 10**400, NumericOverflowError, r"too large to be a float"),
    ("sin of infinity", lambda x: (x * float("inf")).sin(), DomainError, r"sin\(inf\) is undefined"),
]


@pytest.mark.parametrize(("case", "make", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_clear_error_and_nothing_changes(case, make, error, message):
    x = Value(2.0, label="x")
    y = x * x  # an existing graph, already differentiated once
    y.backward()
    before = (x.data, x.grad, y.data, y.grad, y.parents, y.local_grads)
    with pytest.raises(error, match=message) as raised:
        make(x)
    assert isinstance(raised.value, AutogradError)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__, "no chained internal traceback"
    assert (x.data, x.grad, y.data, y.grad, y.parents, y.local_grads) == before


def test_errors_are_also_the_builtin_exceptions_python_users_catch():
    with pytest.raises(ValueError):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(OverflowError):
        Value(1000.0).exp()


# Where the other operand is a sequence, Python's own sequence methods answer in their own words.
SEQUENCE_WORDING = {
    ("other", "+"): r'can only concatenate \w+ \(not "Value"\)',
    ("x", "*"): "can't multiply sequence by non-int of type 'Value'",
    ("other", "*"): "can't multiply sequence by non-int of type 'Value'",
}


@pytest.mark.parametrize("other", ["2", None, [1.0], True, 1 + 1j])
@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_non_numeric_operand_is_a_type_error_naming_operator_and_types(op, other):
    x = Value(2.0)
    spelled = re.escape("** or pow()" if op == "**" else op)
    kind = type(other).__name__
    for left, first, second in (("x", "Value", kind), ("other", kind, "Value")):
        expression = f"x {op} other" if left == "x" else f"other {op} x"
        expected = rf"unsupported operand type\(s\) for {spelled}: '{first}' and '{second}'"
        if isinstance(other, str | list):
            expected = SEQUENCE_WORDING.get((left, op), expected)
        with pytest.raises(TypeError, match=expected):
            eval(expression, {}, {"x": x, "other": other})
