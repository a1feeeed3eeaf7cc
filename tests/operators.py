"""The operation table as the tests see it: every row of ``autograd.value.OPERATIONS``, and how Python code applies it.

Tests build their cases from these lists, so a new row is tested everywhere at once. Tables of independent
references (closed forms, mpmath) are keyed by the row's name; tests/test_operation_table.py names any row
one of them lacks.
"""

import operator

from autograd.value import DERIVATIVE_OPERATIONS, OPERATIONS, Operation, Value, _binary_method, _unary_method

UNARY = [op for op in OPERATIONS if op.arity == 1]
BINARY_OPERATIONS = [op for op in OPERATIONS if op.arity == 2]
BY_NAME = {op.name: op for op in OPERATIONS}
NAMES = sorted(BY_NAME)
UNARY_NAMES = sorted(op.name for op in UNARY)

# The binary operators by name, as Python code applies them: "+" -> operator.__add__.
BINARY = {op.name: getattr(operator, op.method) for op in BINARY_OPERATIONS}

__all__ = ["BINARY", "BY_NAME", "DERIVATIVE_OPERATIONS", "NAMES", "OPERATIONS", "UNARY", "UNARY_NAMES", "apply"]


def apply(op: Operation, *operands: object) -> object:
    """Apply ``op`` the way Python code writes it: ``x + y``, ``2 - x``, ``-x``, ``abs(x)``, ``x.exp()``.

    Works on Values, plain numbers and torch tensors alike (a tensor has the same method names). A row that
    only derivative formulas use (no method) is applied to Values by the machinery a method would use.
    """
    if not op.method:
        if op.arity == 1:
            return _unary_method(op)(*operands)
        x, y = operands
        return _binary_method(op)(x, y) if isinstance(x, Value) else _binary_method(op.with_number_first())(y, x)
    if op.method.startswith("__"):  # an operator: operator.__sub__(2, x) is 2 - x, Python's reflected call included
        return getattr(operator, op.method)(*operands)
    (operand,) = operands
    return getattr(operand, op.method)()
