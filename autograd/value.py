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
from collections.abc import Callable
from typing import Any, Union

from . import backward as _backward
from .accelerator import native
from .errors import AutogradError, DivisionByZeroError, DomainError, GraphError, NumericOverflowError
from .grad_mode import RECORD, Mode, _mode

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
    """

    __slots__ = ("name", "arity", "forward", "local_grads", "domain", "reflected")

    def __init__(
        self,
        name: str,
        arity: int,
        forward: Callable[..., float],
        local_grads: Callable[..., Any],
        domain: str = "",
        reflected: bool = False,
    ) -> None:
        self.name = name
        self.arity = arity
        self.forward = forward
        self.local_grads = local_grads
        self.domain = domain
        # A reflected operation has the plain number on its left: ``2 - x``.
        self.reflected = reflected

    def with_number_first(self) -> Operation:
        """The same operation with the plain number as its left operand (``2 - x``)."""
        return Operation(self.name, self.arity, self.forward, self.local_grads, self.domain, True)

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


def _power_slope(x: Local, y: Local) -> Local:
    """d(x**y)/dx = y * x**(y-1). For floats, as in PyTorch, an x**(y-1) too large for a float
    is infinity rather than an error (5e-324 ** 5e-324 is 1.0, but its slope overflows), and
    y = 0 gives slope 0 for every x."""
    if isinstance(x, Value) or isinstance(y, Value):
        return y * x ** (y - 1.0)
    if y == 0.0:
        return 0.0
    try:
        return y * float(x ** (y - 1.0))
    except OverflowError:
        return y * (-math.inf if x < 0.0 and (y - 1.0) % 2.0 == 1.0 else math.inf)


def _power_grads(x: Local, y: Local, out: Local) -> tuple[Local, Local]:
    """d(x**y)/dx = y * x**(y-1) and d(x**y)/dy = x**y * log(x), with PyTorch's values at x = 0."""
    x_, y_ = _data(x), _data(y)
    if x_ == 0.0 and y_ < 1.0:
        dx: Local = 0.0 if y_ == 0.0 else math.inf
    else:
        dx = _power_slope(x, y)
    if x_ > 0.0:
        dy: Local = out * _log(x)
    else:
        dy = 0.0 if x_ == 0.0 else math.nan  # log of a negative base: undefined, as in PyTorch
    return dx, dy


# --- the operations: name, arity, forward formula, local derivatives ---------
# Each local-derivative formula receives the inputs and the output (``out``).

ADD = Operation("+", 2, operator.add, lambda x, y, out: (1.0, 1.0))
SUBTRACT = Operation("-", 2, operator.sub, lambda x, y, out: (1.0, -1.0))
MULTIPLY = Operation("*", 2, operator.mul, lambda x, y, out: (y, x))
DIVIDE = Operation("/", 2, operator.truediv, lambda x, y, out: (1.0 / y, -out / y))
POWER = Operation(
    "**",
    2,
    _power,
    _power_grads,
    "a real result: an integer exponent for a negative base",
)
NEGATE = Operation("neg", 1, operator.neg, lambda x, out: -1.0)
ABSOLUTE = Operation("abs", 1, abs, lambda x, out: _sign(_data(x)))
EXP = Operation("exp", 1, math.exp, lambda x, out: out)
LOG = Operation("log", 1, math.log, lambda x, out: 1.0 / x, "x > 0")
SQRT = Operation("sqrt", 1, math.sqrt, lambda x, out: 0.5 / out if _data(out) else math.inf, "x >= 0")
TANH = Operation("tanh", 1, math.tanh, lambda x, out: 1.0 - out * out)
SIGMOID = Operation("sigmoid", 1, _sigmoid, lambda x, out: out * (1.0 - out))
RELU = Operation("relu", 1, lambda x: 0.0 if x <= 0.0 else x, lambda x, out: 0.0 if _data(x) <= 0.0 else 1.0)
SIN = Operation("sin", 1, math.sin, lambda x, out: _cos(x), "a finite x")
COS = Operation("cos", 1, math.cos, lambda x, out: _negative_sin(x), "a finite x")


def _unary_method(op: Operation) -> Callable[[Value], Value]:
    """The Value method that applies the unary ``op``: compute, record, return the new node."""
    if native is not None:
        return native.unary_method(op)  # these same steps, in C
    forward, local_grad = op.forward, op.local_grads

    def apply_unary(self: Value) -> Value:
        x = self.data
        try:
            out = forward(x)
            return _record(out, op, self, local_grad(x, out), None, 0.0)
        except (ArithmeticError, ValueError) as cause:
            if isinstance(cause, AutogradError):
                raise
            raise op.error(cause, x) from None

    apply_unary.__name__ = apply_unary.__qualname__ = op.name
    return apply_unary


def _binary_method(op: Operation) -> Callable[[Value, Operand], Value]:
    """The Value method that applies the binary ``op`` to a Value or a plain number."""
    if native is not None:
        return native.binary_method(op)  # these same steps, in C
    forward, local_grads, reflected = op.forward, op.local_grads, op.reflected

    def apply_binary(self: Value, other: Operand) -> Value:
        y_node: Value | None = None
        if isinstance(other, Value):
            y_node, y = other, other.data
        elif other.__class__ is float:
            y = other
        else:
            number = _as_number(other)
            if number is None:  # Python then raises TypeError naming the operator and both types
                return NotImplemented
            y = number
        x = self.data
        if reflected:  # ``2 - self``: the plain number is the left operand
            x, y = y, x
        try:
            out = forward(x, y)
            dx, dy = local_grads(x, y, out)
            if y_node is not None:
                return _record(out, op, self, dx, y_node, dy)
            # One Value input: keep the plain number in the second slot's derivative
            # field, so second derivatives can rebuild the local derivative later.
            if reflected:
                return _record(out, op, self, dy, None, x)
            return _record(out, op, self, dx, None, y)
        except (ArithmeticError, ValueError) as cause:
            if isinstance(cause, AutogradError):
                raise
            raise op.error(cause, x, y) from None

    apply_binary.__name__ = apply_binary.__qualname__ = op.name
    return apply_binary


def _as_number(other: object) -> float | None:
    """A plain-number operand as a float; None for anything else (bool included)."""
    if isinstance(other, bool) or not isinstance(other, numbers.Real):
        return None
    try:
        return float(other)
    except OverflowError:
        raise NumericOverflowError(f"{other!r} is too large to be a float operand") from None


def _record(out: float, op: Operation, x: Value, dx: float, y: Value | None, dy: float) -> Value:
    """Make the result node: its number, and (when recording) its inputs and local derivatives."""
    node = _new_node(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    node._op = op
    node._x = x
    node._dx = dx
    node._y = y
    node._dy = dy
    mode = _mode.get()
    if mode is not RECORD:
        _apply_mode(node, mode)
    return node


def _apply_mode(node: Value, mode: Mode) -> None:
    """The uncommon modes: run the active check, and cut the record under ``no_grad``."""
    if mode.check is not None:
        mode.check(node, tuple(_data(operand) for operand in node.operands()))
    if not mode.record:
        node._op = node._x = node._y = None
        node._dx = node._dy = 0.0


_new_node = object.__new__


class Value:
    """A scalar in a computation graph: its number, its gradient, and how it was made."""

    # _op: the Operation that made this node (None for a leaf).
    # _x, _y: its Value inputs (None where absent); _dx, _dy: d(self)/d(_x), d(self)/d(_y).
    # When the second operand was a plain number, _y is None and _dy keeps that number.
    __slots__ = ("data", "grad", "label", "_op", "_x", "_dx", "_y", "_dy")

    data: float
    grad: float
    label: str
    _op: Operation | None
    _x: Value | None
    _dx: float
    _y: Value | None
    _dy: float

    def __init__(self, data: float, label: str = "") -> None:
        if data.__class__ is not float:
            number = _as_number(data)
            if number is None:
                raise TypeError(f"Value data must be an int or a float, not {type(data).__name__}: {data!r}")
            data = number
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, not {type(label).__name__}: {label!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = self._x = self._y = None
        self._dx = self._dy = 0.0

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
        if self._x is None:
            return ()
        if self._y is None:
            return (self._x,)
        return (self._x, self._y)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, as recorded at forward time."""
        if self._x is None:
            return ()
        if self._y is None:
            return (_data(self._dx),)
        return (_data(self._dx), _data(self._dy))

    def operands(self) -> tuple[Value | float, ...]:
        """The node's operands in the order its operation takes them; ``()`` for a leaf.

        Value inputs come as Values, a folded plain number (the ``2`` of ``x * 2`` or
        ``2 - x``) as a float. This is the one place that decodes how a node stores them.
        """
        x = self._x
        if x is None:
            return ()
        if self._y is not None:
            return (x, self._y)
        op = self._op
        if op is None or op.arity == 1:
            return (x,)
        number = _data(self._dy)
        return (number, x) if op.reflected else (x, number)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    # --- gradients -----------------------------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node self depends on."""
        _backward.backward(self)

    def detach(self) -> Value:
        """A new leaf with the same number: gradients stop here."""
        return Value(self.data, self.label)

    def __reduce__(self) -> tuple[Any, ...]:
        """Copies and pickles of a leaf keep its number, gradient and label. As in PyTorch, a node
        an operation made is refused: its whole graph would come with it (copy ``detach()``)."""
        if self._op is not None:
            raise GraphError(
                f"only a leaf Value can be copied or pickled; {self!r} was made by {self.op!r}: copy its detach()"
            )
        return (Value, (self.data, self.label), (None, {"grad": self.grad}))

    # --- operations: each is one entry of the table above ----------------------

    __add__ = __radd__ = _binary_method(ADD)
    __mul__ = __rmul__ = _binary_method(MULTIPLY)
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


def _on_the_c_node(reference: type[Value]) -> type[Value]:
    """The C accelerator's node type (``autograd/_native.c``) with this class's methods and properties.

    It keeps the same fields, unboxed, in a node the cycle collector does not track; ``__init__``
    keeps a C fast path for ``Value(1.5)`` and ``Value(1.5, "w1")`` and hands every other call to the
    Python one above.
    """
    assert native is not None
    native.configure(
        mode_var=_mode,
        record_mode=RECORD,
        apply_mode=_apply_mode,
        as_number=_as_number,
        python_init=reference.__init__,
        autograd_error=AutogradError,
    )
    storage = {"__slots__", "__init__", "__module__", "__qualname__", *reference.__slots__}
    for name, attribute in vars(reference).items():
        if name not in storage:
            setattr(native.Value, name, attribute)
    native.Value.__signature__ = inspect.signature(reference)  # type: ignore[attr-defined]  # for help()
    return native.Value


if native is not None:
    Value = _on_the_c_node(Value)  # type: ignore[misc]


def local_grads_as_values(node: Value) -> tuple[Local, ...]:
    """The node's local derivatives rebuilt as Values from its operation's formula.

    Used for second derivatives: differentiating these again is what makes
    ``grad(..., create_graph=True)`` work. Aligned with ``node.parents``.
    """
    op = node.operation
    if op is None:
        return ()
    operands = node.operands()
    if op.arity == 1:
        return (op.local_grads(*operands, node),)
    locals_ = op.local_grads(*operands, node)  # one per operand; a plain number's is dropped
    return tuple(local for operand, local in zip(operands, locals_, strict=True) if isinstance(operand, Value))
