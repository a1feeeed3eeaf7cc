"""The operation table is the one list of operations: every row is in it, each Value method applies its row,
and every test table of independent references covers every row, so a new row cannot escape the tests."""

import math

import test_fuzz
import test_second_derivatives
import test_value
from operators import DERIVATIVE_OPERATIONS, NAMES, OPERATIONS, apply

import autograd.value
from autograd import Operation, Value


def test_every_operation_row_is_in_the_table():
    rows = [entry for entry in vars(autograd.value).values() if isinstance(entry, Operation)]
    assert set(rows) == set(OPERATIONS) | set(DERIVATIVE_OPERATIONS), "add the new row to OPERATIONS"
    assert len(NAMES) == len(OPERATIONS), "each row has a name of its own"


def test_each_value_method_applies_its_row():
    for op in OPERATIONS:
        operands = (Value(0.5),) if op.arity == 1 else (Value(0.5), Value(0.25))
        node = apply(op, *operands)
        assert node.operation is op and node.data == op.forward(*(v.data for v in operands)), op
        if op.arity == 2:  # a plain number first: Python's reflected method (__rsub__), the same row's formulas
            number_first = apply(op, 0.5, Value(0.25))
            assert number_first.operation.forward is op.forward and number_first.data == op.forward(0.5, 0.25), op
    for op in DERIVATIVE_OPERATIONS:  # used inside derivative formulas only
        assert op.method == "" and not hasattr(Value, op.name), op


# The test tables of independent references (closed forms, mpmath), keyed by operation name.
REFERENCE_TABLES = {
    "UNARY or BINARY_AT_2_3 in tests/test_value.py": lambda: {**test_value.UNARY, **test_value.BINARY_AT_2_3},
    "REFERENCE in tests/test_fuzz.py": lambda: test_fuzz.REFERENCE,
    "SECOND in tests/test_second_derivatives.py": lambda: test_second_derivatives.SECOND,
}


def missing_rows(operations) -> dict[str, list[str]]:
    """For each reference table, the rows of ``operations`` it lacks."""
    tables = {where: table() for where, table in REFERENCE_TABLES.items()}
    return {where: [op.name for op in operations if op.name not in table] for where, table in tables.items()}


def test_every_test_table_covers_every_row():
    missing = {where: names for where, names in missing_rows(OPERATIONS).items() if names}
    assert not missing, f"add these operations to these test tables: {missing}"
    assert set(test_second_derivatives.DERIVATIVE_ROWS) == set(DERIVATIVE_OPERATIONS)


def test_a_new_row_is_missed_by_no_test_table():
    tan = Operation("tan", 1, math.tan, lambda x, out: 1.0 + out * out)
    assert all(names == ["tan"] for names in missing_rows([*OPERATIONS, tan]).values())
