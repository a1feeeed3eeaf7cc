"""The node of the computation graph, and the operations that build it.

A ``Value`` holds a number (``data``) and the derivative of the final output
with respect to it (``grad``). When an operation made it, it also records the
operation, its inputs and its *local derivatives*, d(this)/d(input) for each
input, computed in the same breath as the value itself. That record is all
the backward sweep (``backward.py``) needs to apply the chain rule.

Every operation is one ``Operation`` in the table below: a name, the forward
formula and the local-derivative formula, side by side. ``_unary_method`` and
``_binary_method`` turn each entry into the ``Value`` method that applies it,
so no operation carries its own copy of the bookkeeping.

This Python is the specification. When ``autograd/_native.c`` was compiled,
the node, the two factories' methods and the backward sweep run those same
steps in C, calling this table's formulas (see ``accelerator.py``).
"""

from __future__ import annotations

import inspect
import math
import numbers
import operator
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import replace
from types import FunctionType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, Union

from . import backward as _backward
from .accelerator import native
from .errors import AutogradError, DivisionByZeroError, DomainError, GraphError, NumericOverflowError
from .grad_mode import RECORD, Mode, _mode, _mode_now

Operand = Union["Value", int, float]
"""What an operator accepts on either side: a Value or a plain number."""

# A local derivative is a float in the eager engine and a Value when second
# derivatives are wanted (``grad(..., create_graph=True)``).
Local = Union[float, "Value"]


class Operation:
    """One operation: its name, its forward formula and its local derivatives.

    ``forward`` maps the inputs' numbers to the output's number.
    ``local_grads`` maps the inputs and the output to d(out)/d(input): one
    value for a unary operation, a pair for a binary one. It is written with
    plain arithmetic and the helpers below, so it works on floats (the eager
    engine, at forward time) and on Values (second derivatives) alike.
    ``domain`` says, for error messages, which inputs the operation accepts.
    ``method`` names the Value method that applies it (``"exp"``, ``"__add__"``;
    ``2 - x`` is Python's reflected ``__rsub__``); it defaults to ``name``.
    """

    __slots__ = ("name", "arity", "forward", "local_grads", "domain", "reflected", "method")

    def __init__(
        self,
        name: str,
        arity: int,
        forward: Callable[..., float],
        local_grads: Callable[..., Any],
        domain: str = "",
        reflected: bool = False,
        method: str | None = None,
    ) -> None:
        self.name = name
        self.arity = arity
        self.forward = forward
        self.local_grads = local_grads
        self.domain = domain
        # A reflected operation has the plain number on its left: ``2 - x``.
        self.reflected = reflected
        self.method = name if method is None else method

    def with_number_first(self) -> Operation:
        """The same operation with the plain number as its left operand (``2 - x``)."""
        return Operation(self.name, self.arity, self.forward, self.local_grads, self.domain, True, self.method)

    def describe(self, *operands: float) -> str:
        """The call as a reader would write it: ``log(-1.0)``, ``1.0 / 0.0``."""
        if self.arity == 1:
            return f"{self.name}({operands[0]!r})"
        left, right = (_show(v) for v in operands)
        return f"{left} {self.name} {right}"

    def error(self, cause: Exception, *operands: float) -> AutogradError:
        """Turn what Python's arithmetic raised into the engine's error, naming the call."""
        call = self.describe(*operands)
        if isinstance(cause, ZeroDivisionError):
            return DivisionByZeroError(f"{call}: division by zero")
        if isinstance(cause, OverflowError):
            return NumericOverflowError(f"{call}: the result is too large for a float")
        return DomainError(f"{call} is undefined: {self.name} needs {self.domain}")

    def __repr__(self) -> str:
        return f"Operation({self.name!r})"


def _show(number: float) -> str:
    return f"({number!r})" if number < 0 else repr(number)


# --- helpers the formulas use; each accepts a float or a Value ---------------
# A formula reads a number (``_data``) only to choose a branch; it computes with plain arithmetic and
# these helpers, which stay Values on Values. ``math.cos(x)`` on a Value would go through ``float()``
# and give a constant, whose derivative is 0: while second derivatives are built that raises GraphError.


def _data(v: Local) -> float:
    return v.data if isinstance(v, Value) else v


def _sign(x: float) -> float:
    """d|x|/dx, with 0 at 0 as in PyTorch."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0 if x == 0.0 else math.nan


def _sin(x: Local) -> Local:
    return x.sin() if isinstance(x, Value) else math.sin(x)


def _cos(x: Local) -> Local:
    return x.cos() if isinstance(x, Value) else math.cos(x)


def _negative_sin(x: Local) -> Local:
    return -x.sin() if isinstance(x, Value) else -math.sin(x)


def _log(x: Local) -> Local:
    return x.log() if isinstance(x, Value) else math.log(x)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), arranged so that neither branch can overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _power(x: float, y: float) -> float:
    """x ** y for real numbers only: Python would return a complex for (-8) ** 0.5."""
    if x < 0.0 and not y.is_integer():
        raise ValueError("negative base with a non-integer exponent")
    return float(x**y)


# Where a local derivative meets a pole (sqrt's slope 1 / (2 sqrt x) at 0, the slope y x**(y-1) of x**y
# at x = 0), its value is a limit: infinity. So are its own derivatives, so the formulas state it with
# the rows below, which give the limit where Python's arithmetic would raise, each with its own local
# derivatives: every order of ``grad(..., create_graph=True)`` is then the limit too, as in PyTorch,
# instead of the 0 a constant would give.


def _one_over(v: float) -> float:
    """1 / v for a v that meets 0 only as a limit from above (sqrt's result): +inf at 0 and -0.0."""
    return 1.0 / v if v else math.inf


def _power_or_limit(x: float, y: float) -> float:
    """x ** y with a limit where Python raises: +inf at a pole (0 ** -0.5; the base meets 0 from
    above), inf of the right sign on overflow, NaN for a negative base with a non-integer exponent."""
    try:
        result = x**y
    except ZeroDivisionError:  # 0 ** (a negative y)
        return math.inf
    except OverflowError:
        return -math.inf if x < 0.0 and y % 2.0 == 1.0 else math.inf
    return math.nan if isinstance(result, complex) else float(result)


def _reciprocal(v: Local) -> Local:
    """1 / v, +inf at 0: the RECIPROCAL row on a Value."""
    return _apply_reciprocal(v) if isinstance(v, Value) else _one_over(v)


def _raised(x: Local, y: Local) -> Local:
    """x ** y with limits, never an error (``_power_or_limit``): the RAISED row when either is a Value."""
    if isinstance(x, Value):
        return _apply_raised(x, y)
    if isinstance(y, Value):
        return _apply_raised_number_first(y, x)
    return _power_or_limit(x, y)


def _masked(out: Local) -> Local:
    """0 where PyTorch masks a slope that is 0 * inf to 0 (``where(mask, 0, ...)``): on a Value, the
    MASKED row, whose own slope is NaN, as PyTorch's derivatives of that slope are (0 * inf again)."""
    return _apply_masked(out) if isinstance(out, Value) else 0.0


def _sqrt_slope(x: Local, out: Local) -> Local:
    """d sqrt(x)/dx = 0.5 / sqrt(x): +inf at 0, where its derivatives are limits too (RECIPROCAL)."""
    return 0.5 * _reciprocal(out)


def _power_log(x: float, y: float) -> float:
    """x ** y * log(x), the slope of x ** y in y, with its limit as x -> 0+ at 0 (0 for y > 0, -inf
    otherwise); NaN for a negative base."""
    if x > 0.0:
        return _power_or_limit(x, y) * math.log(x)
    if x == 0.0:
        return 0.0 if y > 0.0 else -math.inf
    return math.nan


def _power_log_grads(x: Local, y: Local, out: Local) -> tuple[Local, Local]:
    """d/dx = x**(y-1) (1 + y log x) and d/dy = x**y log(x)**2. At x = 0 (y > 0), their limits as x -> 0+:
    d/dx is 0 for y > 1 and -inf for y <= 1, d/dy is 0; the derivatives of those limits are NaN (a masked
    step), as PyTorch's derivatives of its masked slopes are."""
    if _data(x) == 0.0 and _data(y) > 0.0:
        return (0.0 if _data(y) > 1.0 else -math.inf) + _masked(out), 0.0 + _masked(out)
    if _data(x) > 0.0:
        return _raised(x, y - 1.0) * (1.0 + y * _log(x)), out * _log(x)
    return out * math.nan, out * math.nan


def _slope_in_the_exponent_at_zero(x: Local, y: Local) -> Local:
    """x ** y * log(x) at x = 0 for 0 < y < inf: 0, a Value of the inputs on Values (the POWER_LOG row)."""
    if isinstance(x, Value):
        return _apply_power_log(x, y)
    if isinstance(y, Value):
        return _apply_power_log_number_first(y, x)
    return _power_log(x, y)


def _power_grads(x: Local, y: Local, out: Local) -> tuple[Local, Local]:
    """d(x**y)/dx = y * x**(y-1) and d(x**y)/dy = x**y * log(x), valued as PyTorch values them where
    they meet a pole or the log of a number <= 0 (inf, NaN, or a masked 0), each a Value of the inputs
    on Values, so that its own derivatives are limits too. POWER and RAISED share it. At x = 0 with
    0 < y < inf, d/dy is the POWER_LOG row, whose derivatives are the limits as x -> 0+ (x ** y is 0 for
    every y > 0 there, so every derivative in y is 0; PyTorch's mask gives NaN)."""
    return _slopes_of_power(x, y, out, limit_at_zero=False)


def _raised_grads(x: Local, y: Local, out: Local) -> tuple[Local, Local]:
    """RAISED's slopes: POWER's, but at 0 ** 0 the slope in y is its limit, -inf (x**0 log x as x -> 0+,
    and (0**k - 1)/k from either side), where POWER's is PyTorch's masked 0. RAISED is x ** (y - 1) in
    POWER's slope y * x**(y-1), so d/dy of that slope at (0, 1) is 1 + 1 * -inf: the limit, as d/dx of
    the slope in y is there (issue 21)."""
    return _slopes_of_power(x, y, out, limit_at_zero=True)


def _slopes_of_power(x: Local, y: Local, out: Local, limit_at_zero: bool) -> tuple[Local, Local]:
    x_, y_ = _data(x), _data(y)
    dx: Local
    if y_ != 0.0:
        dx = y * _raised(x, y - 1.0)  # at x = 0: 0, 1 or inf as y is above, at or below 1
    elif not isinstance(y, Value):
        dx = 0.0  # x ** 0 is 1 whatever x is
    else:  # 0 as in PyTorch, but its slope in y is x**-1 (PyTorch's mask makes that 0 too): keep it where finite
        slope = y * _raised(x, y - 1.0)
        dx = slope + 0.0 if _data(slope) == 0.0 else _masked(out)  # + 0.0: 0 * -0.5 is -0.0
    dy: Local
    if x_ > 0.0:
        dy = out * _log(x)
    elif x_ == 0.0 and 0.0 < y_ < math.inf:
        dy = _slope_in_the_exponent_at_zero(x, y)  # x**y log(x) at x = 0: 0 * -inf, whose limit is 0
    elif x_ == 0.0 and y_ == 0.0 and limit_at_zero:
        dy = -math.inf + _masked(out)
    elif x_ == 0.0 and not y_ < 0.0:
        dy = _masked(out)  # x**y log(x) at x = 0: 0 * -inf, which PyTorch masks to 0
    elif x_ == 0.0:  # a negative exponent (RAISED's, or 0 ** -inf): inf * -inf
        dy = out * -math.inf
    else:  # the log of a negative base (or NaN): NaN, as in PyTorch, and so are its derivatives
        dy = out * math.nan if isinstance(out, Value) else math.nan
    return dx, dy


# --- the operations: name, arity, forward formula, local derivatives ---------
# Each local-derivative formula receives the inputs and the output (``out``).

ADD = Operation("+", 2, operator.add, lambda x, y, out: (1.0, 1.0), method="__add__")
SUBTRACT = Operation("-", 2, operator.sub, lambda x, y, out: (1.0, -1.0), method="__sub__")
MULTIPLY = Operation("*", 2, operator.mul, lambda x, y, out: (y, x), method="__mul__")
DIVIDE = Operation("/", 2, operator.truediv, lambda x, y, out: (1.0 / y, -out / y), method="__truediv__")
POWER = Operation(
    "**",
    2,
    _power,
    _power_grads,
    "a real result: an integer exponent for a negative base",
    method="__pow__",
)
NEGATE = Operation("neg", 1, operator.neg, lambda x, out: -1.0, method="__neg__")
ABSOLUTE = Operation("abs", 1, abs, lambda x, out: _sign(_data(x)), method="__abs__")
EXP = Operation("exp", 1, math.exp, lambda x, out: out)
LOG = Operation("log", 1, math.log, lambda x, out: 1.0 / x, "x > 0")
SQRT = Operation("sqrt", 1, math.sqrt, _sqrt_slope, "x >= 0")
TANH = Operation("tanh", 1, math.tanh, lambda x, out: 1.0 - out * out)
SIGMOID = Operation("sigmoid", 1, _sigmoid, lambda x, out: out * (1.0 - out))
RELU = Operation("relu", 1, lambda x: 0.0 if x <= 0.0 else x, lambda x, out: 0.0 if _data(x) <= 0.0 else 1.0)
SIN = Operation("sin", 1, math.sin, lambda x, out: _cos(x), "a finite x")
COS = Operation("cos", 1, math.cos, lambda x, out: _negative_sin(x), "a finite x")

OPERATIONS = (ADD, SUBTRACT, MULTIPLY, DIVIDE, POWER, NEGATE, ABSOLUTE, EXP, LOG, SQRT, TANH, SIGMOID, RELU, SIN, COS)
"""Every operation a Value method applies (``op.method``): tests and tools iterate this table."""

# Used only inside local-derivative formulas (see above): no Value method applies them.
RECIPROCAL = Operation("reciprocal", 1, _one_over, lambda x, out: -(out * out), method="")
RAISED = Operation("pow", 2, _power_or_limit, _raised_grads, method="")
MASKED = Operation("masked", 1, lambda x: 0.0, lambda x, out: out * math.nan, method="")  # NaN at every order
POWER_LOG = Operation("pow_log", 2, _power_log, _power_log_grads, method="")  # x ** y * log(x), limits at 0
DERIVATIVE_OPERATIONS = (RECIPROCAL, RAISED, MASKED, POWER_LOG)


def _unary_method(op: Operation) -> Callable[[Value], Value]:
    """The Value method that applies the unary ``op``: compute, record, return the new node."""
    if native is not None:
        return native.unary_method(op)  # these same steps, in C
    forward, local_grad = op.forward, op.local_grads

    def apply_unary(self: Value) -> Value:
        x = self._data
        try:
            out = forward(x)
            dx = local_grad(x, out)
            node = _new_node(Value)  # the new node, its fields set here: a call per operation saved
            node._data = out
            node._grad = 0.0
            node._label = ""
            node._op_ = op
            node._x_ = self
            node._dx_ = dx
            node._y_ = None
            node._dy_ = node._constant_ = 0.0
            mode = _mode_now()
            if mode is not RECORD and not _apply_mode(node, mode):
                _make_leaf(node, out, "")  # no_grad: the result is a new leaf
            return node
        except (ArithmeticError, ValueError) as cause:
            if isinstance(cause, AutogradError):
                raise
            raise op.error(cause, x) from None

    apply_unary.operation = op  # as the C method's
    return apply_unary


def _binary_method(op: Operation) -> Callable[[Value, Operand], Value]:
    """The Value method that applies the binary ``op`` to a Value or a plain number."""
    if native is not None:
        return native.binary_method(op)  # these same steps, in C
    forward, local_grads, reflected = op.forward, op.local_grads, op.reflected

    def apply_binary(self: Value, other: Operand) -> Value:
        y_node: Value | None = None
        if other.__class__ is float:  # first: a float is never a Value, and the test is the cheaper
            y = other
        elif isinstance(other, Value):
            y_node, y = other, other._data
        else:
            number = _as_number(other)
            if number is None:  # Python then raises TypeError naming the operator and both types
                return NotImplemented
            y = number
        x = self._data
        if reflected:  # ``2 - self``: the plain number is the left operand
            x, y = y, x
        try:
            out = forward(x, y)
            dx, dy = local_grads(x, y, out)
            constant = 0.0
            if y_node is None:  # one Value input: the plain number is kept in its own field, so second
                constant = y  # derivatives can rebuild the local derivative later
                if reflected:
                    dx, constant = dy, x
                dy = 0.0
            node = _new_node(Value)  # the new node, its fields set here: a call per operation saved
            node._data = out
            node._grad = 0.0
            node._label = ""
            node._op_ = op
            node._x_ = self
            node._dx_ = dx
            node._y_ = y_node
            node._dy_ = dy
            node._constant_ = constant
            mode = _mode_now()
            if mode is not RECORD and not _apply_mode(node, mode):
                _make_leaf(node, out, "")  # no_grad: the result is a new leaf
            return node
        except (ArithmeticError, ValueError) as cause:
            if isinstance(cause, AutogradError):
                raise
            raise op.error(cause, x, y) from None

    apply_binary.operation = op  # as the C method's
    return apply_binary


# The derivative-only rows, applied by the helpers ``_reciprocal``, ``_raised`` and ``_masked``.
_apply_reciprocal = _unary_method(RECIPROCAL)
_apply_raised = _binary_method(RAISED)
_apply_raised_number_first = _binary_method(RAISED.with_number_first())
_apply_masked = _unary_method(MASKED)
_apply_power_log = _binary_method(POWER_LOG)
_apply_power_log_number_first = _binary_method(POWER_LOG.with_number_first())


def _name_methods(cls: type) -> None:
    """Name each operation method after its first attribute in ``cls`` (``Value.relu``, ``Value.__add__``), as
    a method written in the class would be: pickle finds a function by that name. (A C method names itself:
    Python calls its ``__set_name__``.)"""
    for name, attribute in vars(cls).items():
        named = isinstance(attribute, FunctionType) and attribute.__qualname__.startswith(f"{cls.__qualname__}.")
        if isinstance(attribute, FunctionType) and hasattr(attribute, "operation") and not named:
            attribute.__name__, attribute.__qualname__ = name, f"{cls.__qualname__}.{name}"


def _as_number(other: object, role: str = "operand") -> float | None:
    """A plain number (an operand, or a Value's data or grad) as a float; None for anything else (bool included)."""
    if other.__class__ is not int and (isinstance(other, bool) or not isinstance(other, numbers.Real)):
        return None  # (an exact int, the 2 of ``x ** 2``, skips the abstract-class check: the costly part)
    try:
        return float(other)
    except OverflowError:
        size = f"an int of {other.bit_length()} bits" if isinstance(other, int) else repr(other)
        raise NumericOverflowError(f"{role} is too large to be a float: {size}") from None


def _checked_number(value: object, field: str) -> float:
    """What a Value's ``data`` or ``grad`` may be set to, as a float: a float, or an int, converted."""
    number = _as_number(value, f"Value {field}")
    if number is None:
        raise TypeError(f"Value {field} must be an int or a float, not {type(value).__name__}: {value!r}")
    return number


def not_values(given: object) -> str:
    """Why ``given`` cannot be a sequence of Values (a single Value, a number), to finish an error; "" if it can."""
    if isinstance(given, Value):
        return "must be a sequence of Values, not Value; for one Value v, pass [v]"
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        return f"must be a sequence of Values, not {type(given).__name__}"
    return ""


def _checked_label(label: object) -> str:
    """What a Value's label may be: a str, kept as a plain str (a str subclass could refer back to its node)."""
    if not isinstance(label, str):
        raise TypeError(f"Value label must be a str, not {type(label).__name__}: {label!r}")
    return str.__str__(label)


def _make_leaf(node: Value, data: float, label: str) -> None:
    """Set every field of ``node`` as a new leaf's; ``data`` and ``label`` are already checked."""
    node._data = data
    node._grad = 0.0
    node._label = label
    node._op_ = node._x_ = node._y_ = None
    node._dx_ = node._dy_ = node._constant_ = 0.0


def _apply_mode(node: Value, mode: Mode) -> bool:
    """The uncommon modes: run the active check on the new node; say whether its record is kept (not under
    ``no_grad``)."""
    if mode.check is not None:
        mode.check(node)
    return mode.record


_new_node = object.__new__

# The operation whose local-derivative formula is running on Values (``local_grads_as_values``), if any.
_formula_on_values: ContextVar[Operation | None] = ContextVar("formula_on_values", default=None)

# --- the fields of the Python node -------------------------------------------------------------------------
# The Python node keeps each field in a slot; the names the rest of the code uses are properties over those
# slots, so that what is assigned is checked (a refused assignment changes nothing) and the record of how the
# node was made is read-only: no cycle can go through it. The C node's getters and setters are the twins.
# A property costs a Python-level call per read, so the node's own methods (``parents``...) and the backward
# sweep read the record's slots (``_x_``...) directly; the C node answers to those names with its getters.

_T = TypeVar("_T", covariant=True)

if TYPE_CHECKING:  # what the properties below are, for the type checker

    class _ReadOnly(Protocol[_T]):
        def __get__(self, node: Value, owner: type | None = None) -> _T: ...

    class _Field(_ReadOnly[_T], Protocol[_T]):
        def __set__(self, node: Value, value: object) -> None: ...


def _number_field(name: str, assign: Callable[[Value, object], None], doc: str) -> _Field[float]:
    """``data`` or ``grad``: a float; an int is converted, anything else refused (by ``assign``)."""
    return property(operator.attrgetter(f"_{name}"), assign, _undeletable(name), doc)


# The two assignments, each storing into its slot by name: the quickest a checked assignment can be.
def _assign_data(node: Value, value: object) -> None:
    node._data = value if value.__class__ is float else _checked_number(value, "data")


def _assign_grad(node: Value, value: object) -> None:
    node._grad = value if value.__class__ is float else _checked_number(value, "grad")


def _label_field() -> _Field[str]:
    def assign(node: Value, value: object) -> None:
        node._label = value if value.__class__ is str else _checked_label(value)

    return property(operator.attrgetter("_label"), assign, _undeletable("label"), "a name for drawings and messages")


def _undeletable(name: str) -> Callable[[Value], None]:
    def refuse(node: Value) -> None:
        raise AttributeError(f"Value {name} cannot be deleted")

    return refuse


def _record_field(name: str) -> Any:  # a _ReadOnly[...]: the class body says of what
    """A field of the record (``_op``, ``_x``, ...): set when the node is made, read-only afterwards."""

    def refuse(node: Value, value: object = None) -> None:
        raise AttributeError(f"{name} is read-only: a Value's record is fixed when the node is made")

    return property(operator.attrgetter(f"{name}_"), refuse, refuse)


class Value:
    """A scalar in a computation graph: its number, its gradient, and how it was made."""

    __slots__ = ("_data", "_grad", "_label", "_op_", "_x_", "_dx_", "_y_", "_dy_", "_constant_")
    _data: float
    _grad: float
    _label: str
    _op_: Operation | None
    _x_: Value | None
    _dx_: float
    _y_: Value | None
    _dy_: float
    _constant_: float

    data = _number_field("data", _assign_data, "the number")
    grad = _number_field("grad", _assign_grad, "d(output)/d(this node), filled in by backward()")
    label = _label_field()
    # The record: the Operation that made this node (None for a leaf); its Value inputs (None where absent);
    # d(self)/d(_x) and d(self)/d(_y); the plain number folded into a binary operation (the 2 of ``x * 2`` or
    # ``2 - x``, with _y None). A number that does not apply is 0.0.
    _op: _ReadOnly[Operation | None] = _record_field("_op")
    _x: _ReadOnly[Value | None] = _record_field("_x")
    _dx: _ReadOnly[float] = _record_field("_dx")
    _y: _ReadOnly[Value | None] = _record_field("_y")
    _dy: _ReadOnly[float] = _record_field("_dy")
    _constant: _ReadOnly[float] = _record_field("_constant")

    def __init__(self, data: float, label: str = "") -> None:
        _make_leaf(
            self,
            data if data.__class__ is float else _checked_number(data, "data"),
            label if label.__class__ is str else _checked_label(label),
        )

    # --- reading the graph ---------------------------------------------------

    @property
    def op(self) -> str:
        """The operation that made this node: ``"*"``, ``"exp"``, ...; ``""`` for a leaf."""
        return "" if self._op is None else self._op.name

    @property
    def operation(self) -> Operation | None:
        """The full Operation record (None for a leaf)."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True when no recorded operation made this node (inputs, parameters, constants)."""
        return self._op is None

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Value inputs of the operation that made this node, in operand order."""
        x = self._x_
        if x is None:
            return ()
        y = self._y_
        return (x,) if y is None else (x, y)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, as recorded at forward time."""
        if self._x_ is None:
            return ()
        if self._y_ is None:
            return (self._dx_,)
        return (self._dx_, self._dy_)

    def operands(self) -> tuple[Value | float, ...]:
        """The node's operands in the order its operation takes them; ``()`` for a leaf.

        Value inputs come as Values, a folded plain number (the ``2`` of ``x * 2`` or
        ``2 - x``) as a float. This is the one place that decodes how a node stores them.
        """
        x = self._x_
        if x is None:
            return ()
        if self._y_ is not None:
            return (x, self._y_)
        op = self._op_
        if op is None or op.arity == 1:
            return (x,)
        number = self._constant_
        return (number, x) if op.reflected else (x, number)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        op = _formula_on_values.get()
        if op is not None:  # math.cos(x) in a formula: the second derivative would silently be 0
            raise GraphError(
                f"the local-derivative formula of {op.name!r} turned a Value into a float (float(), math.cos(x)...)"
                " while building second derivatives, which would then be 0: write it with Value arithmetic and"
                " the helpers in autograd/value.py"
            )
        return self.data

    # --- gradients -----------------------------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node self depends on."""
        _backward.backward(self)

    def detach(self) -> Value:
        """A new leaf with the same number: gradients stop here."""
        return Value(self.data, self.label)

    def __reduce__(self) -> tuple[Any, ...]:
        """Copies and pickles of a leaf keep its type, number, gradient and label, and a subclass's own
        attributes (its ``__dict__`` and ``__slots__``); a subclass's ``__init__`` is not called again. As in
        PyTorch, a node an operation made is refused: its whole graph would come with it (copy ``detach()``)."""
        if self._op is not None:
            raise GraphError(
                f"only a leaf Value can be copied or pickled; {self!r} was made by {self.op!r}: copy its detach()"
            )
        state = object.__getstate__(self)  # the default: (__dict__, slots) or __dict__
        attributes, slots = state if isinstance(state, tuple) else (state, {})
        subclass_slots = {name: value for name, value in (slots or {}).items() if name not in _NODE_SLOTS}
        return (
            _rebuild_leaf,
            (type(self), self.data, self.label),
            (attributes or None, {"grad": self.grad, **subclass_slots}),
        )

    # --- operations: each is one entry of the table above ----------------------

    __add__ = _binary_method(ADD)
    __radd__ = _binary_method(ADD.with_number_first())  # 2 + x is recorded, and drawn, as written
    __mul__ = _binary_method(MULTIPLY)
    __rmul__ = _binary_method(MULTIPLY.with_number_first())
    __sub__ = _binary_method(SUBTRACT)
    __rsub__ = _binary_method(SUBTRACT.with_number_first())
    __truediv__ = _binary_method(DIVIDE)
    __rtruediv__ = _binary_method(DIVIDE.with_number_first())
    __pow__ = _binary_method(POWER)
    __rpow__ = _binary_method(POWER.with_number_first())
    __neg__ = _unary_method(NEGATE)
    __abs__ = _unary_method(ABSOLUTE)
    exp = _unary_method(EXP)
    log = _unary_method(LOG)
    sqrt = _unary_method(SQRT)
    tanh = _unary_method(TANH)
    sigmoid = _unary_method(SIGMOID)
    relu = _unary_method(RELU)
    sin = _unary_method(SIN)
    cos = _unary_method(COS)


_NODE_SLOTS = frozenset(Value.__slots__)
_NODE_FIELDS = ("data", "grad", "label", "_op", "_x", "_dx", "_y", "_dy", "_constant")
_name_methods(Value)


def _rebuild_leaf(cls: type[Value], data: float, label: str) -> Value:
    """A new leaf of ``cls`` (Value or a subclass) for copy and pickle, made without the subclass's ``__init__``."""
    node = Value.__new__(cls)
    Value.__init__(node, data, label)
    return node


def _on_the_c_node(reference: type[Value]) -> type[Value]:
    """The C accelerator's node type (``autograd/_native.c``) with this class's methods and properties.

    It keeps the same fields, unboxed, with the same checks (calling ``_checked_number`` and
    ``_checked_label`` for anything but a float and a str), and is tracked by the cycle collector only when
    it could be part of a cycle; ``__init__`` keeps a C fast path for ``Value(1.5)`` and ``Value(1.5, "w1")``
    and hands every other call to the Python one above.
    """
    assert native is not None
    native.configure(
        mode_var=_mode,
        record_mode=RECORD,
        apply_mode=_apply_mode,
        as_number=_as_number,
        python_init=reference.__init__,
        check_number=_checked_number,
        check_label=_checked_label,
        autograd_error=AutogradError,
    )
    own = {"__slots__", "__init__", "__module__", "__qualname__", "__annotations__", *_NODE_SLOTS, *_NODE_FIELDS}
    for name, attribute in vars(reference).items():
        if name not in own:
            setattr(native.Value, name, attribute)
    for field in _NODE_FIELDS[3:]:  # the record's read-only getters, also under the Python node's slot names
        setattr(native.Value, f"{field}_", vars(native.Value)[field])  # (``_x_``...), which the methods read
    # And the slot the Python sweep writes (python_chain_rule, tested on this node too):
    native.Value._grad = vars(native.Value)["grad"]  # type: ignore[misc]
    native.Value.__signature__ = inspect.signature(reference)  # type: ignore[attr-defined]  # for help()
    return native.Value


if native is not None:
    _make_leaf = native.make_leaf  # the same, in C (used by __init__ beyond its fast path)
    Value = _on_the_c_node(Value)  # type: ignore[misc]


def local_grads_as_values(node: Value) -> tuple[Local, ...]:
    """The node's local derivatives rebuilt as Values from its operation's formula.

    Used for second derivatives: differentiating these again is what makes
    ``grad(..., create_graph=True)`` work. Aligned with ``node.parents``.
    While the formula runs, a Value turned into a float raises GraphError
    naming the operation, and ``detect_anomaly()`` leaves the formula's own
    steps alone (a slope masked to 0 may pass through NaN, as in PyTorch):
    the local derivative it returns is checked when the sweep multiplies it.
    """
    op = node.operation
    if op is None:
        return ()
    mode = _mode.get()
    formula = _formula_on_values.set(op)
    quiet = _mode.set(replace(mode, check=None)) if mode.check is not None else None
    try:
        return _evaluate_local_grads(op, node)
    except TypeError as error:  # int(x), range(x)...: a Value where the formula needs a number
        raise GraphError(f"the local-derivative formula of {op.name!r} failed on Values: {error}") from error
    finally:
        if quiet is not None:
            _mode.reset(quiet)
        _formula_on_values.reset(formula)


def _evaluate_local_grads(op: Operation, node: Value) -> tuple[Local, ...]:
    operands = node.operands()
    if op.arity == 1:
        return (op.local_grads(*operands, node),)
    locals_ = op.local_grads(*operands, node)  # one per operand; a plain number's is dropped
    return tuple(local for operand, local in zip(operands, locals_, strict=True) if isinstance(operand, Value))
