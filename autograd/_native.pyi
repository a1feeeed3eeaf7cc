# Type stub of the C accelerator (autograd/_native.c); each function mirrors the Python named beside it.
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from .value import Value as _Value

Value: type[_Value]  # value.py: class Value
SOURCE_SHA256: str  # the SHA-256 of the _native.c it was compiled from (setup.py stamps it)

def configure(
    *,
    mode_var: ContextVar[Any],
    record_mode: object,
    apply_mode: Callable[..., bool],
    as_number: Callable[[object], float | None],
    python_init: Callable[..., None],
    check_number: Callable[[object, str], float],
    check_label: Callable[[object], str],
    autograd_error: type[BaseException],
) -> None: ...
def make_leaf(node: _Value, data: float, label: str) -> None: ...  # value.py: _make_leaf
def unary_method(op: object) -> Callable[[_Value], _Value]: ...  # value.py: _unary_method
def binary_method(op: object) -> Callable[[_Value, Any], _Value]: ...  # value.py: _binary_method
def topological_order(root: _Value) -> list[_Value]: ...  # backward.py: topological_order
def chain_rule(order: list[_Value]) -> None: ...  # backward.py: chain_rule
