"""Compiled replay: trace a computation once, then rerun it as straight-line Python.

``compile(f, inputs)`` calls ``f()`` once, records the graph it builds, and
writes that graph out as one Python function: a forward sweep (one line per
operation) and a backward sweep (one line per edge, in the order the eager
sweep visits them). Calling the result with new numbers for ``inputs``
returns the output and d(output)/d(input) for each input, without making a
single ``Value``: only floats move. The code is ``.source``.

Every line comes from the operation table in ``value.py``: each operation's
own ``forward`` and ``local_grads`` are evaluated once on symbols instead of
numbers, so ``MULTIPLY``'s ``(y, x)`` becomes ``d_w5 = h1 * d_out``. A formula
that branches on its numbers (relu, abs, sqrt, pow, sin, cos) cannot be
written out that way; the code then calls the table's own function, so the
branch is taken afresh on every call.

What a replay assumes, and what guards it:

- The graph's shape is the traced one. Operations whose local derivative
  depends on the numbers (relu's sign, abs, pow at 0) are recomputed every
  call and are safe. Python control flow in ``f`` that reads ``.data``
  (``if x.data > 0: ...``) is not seen by the trace: the replay keeps the
  branch taken when tracing. ``check=True`` reruns ``f`` eagerly on every
  call (at the call's numbers) and raises GraphError the moment the graph
  differs from the trace.
- Everything that is not an input is a constant: plain numbers in ``f`` and
  Values that are not in ``inputs`` keep their traced numbers (``check=True``
  notices when they change).
- ``f`` may not compute from the inputs under ``no_grad()``: the result
  would be frozen at its traced number, so ``compile`` refuses it.
- Only what the output depends on is replayed: a computation in ``f`` whose
  result does not reach the output is left out (and so is any error it
  would raise).

What a call does:

- Its numbers are converted and refused as ``Value(...)`` converts and
  refuses them (ints, numpy scalars, Fractions become floats; bool, arrays,
  strings and ints too large for a float are refused, naming the input), so
  the replay computes in floats and returns floats.
- The replay needs no recording: it runs the same under ``no_grad()``, as
  ``torch.func.grad`` ignores an outer ``no_grad()``.
- A call that fails (``log`` of a negative number, a division by zero), and
  any call under ``detect_anomaly()``, is run by the engine itself: the
  traced graph is rebuilt with the engine's own operations on fresh leaves,
  in the order ``f`` made them, so the error or anomaly message is the one
  ``f`` would raise, naming the operation and the labels. ``f`` is not
  called and nothing shared is written.
- Labels name the code's variables only when they are ASCII identifiers
  that are not Python's words nor the code's own names (others are ``t1``,
  ``t2``... with the label in a comment): Python normalises non-ASCII names
  (NFKC), so no two nodes can ever share a variable, whatever their labels.

Threads: a replay reads nothing shared but the inputs' ``.data`` when called
with no numbers, so concurrent calls are exact. ``check=True`` calls ``f``,
which reads its numbers from the inputs: a call with numbers other than the
inputs' own puts them into the inputs for its length, under a lock every
compiled function takes to read the inputs (see ``CompiledGradient._run_f``
for what other code may observe meanwhile).
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from .backward import edges, topological_order
from .errors import GraphError, NumericOverflowError
from .functional import grad
from .grad_mode import RECORD, Mode, _mode, using_mode
from .value import Operation, Value, _as_number, _binary_method, _unary_method

# --- symbols: the operation table's formulas, evaluated into source text ----

# Python's binding strengths, weakest first, as far as the formulas need them.
_SUM, _PRODUCT, _SIGN, _POWER, _ATOM = range(5)
_MAX_INLINE_DEPTH = 3  # deeper expressions get a name of their own, so no line grows without bound


class _NeedsNumbers(Exception):
    """The formula looked at its numbers (a comparison, ``math.cos``): it cannot become source text."""


class _Symbol:
    """A piece of source text that does arithmetic by writing it down.

    Each operator returns a new symbol for the expression, with just the
    parentheses Python needs to evaluate it in the same order. Anything that
    asks for the number (comparison, truth, ``float()``) raises _NeedsNumbers.
    """

    __slots__ = ("depth", "precedence", "text")

    def __init__(self, text: str, precedence: int = _ATOM, depth: int = 0) -> None:
        self.text = text
        self.precedence = precedence
        self.depth = depth

    def __add__(self, other: object) -> _Symbol:
        return _combine(self, " + ", other, _SUM)

    def __radd__(self, other: object) -> _Symbol:
        return _combine(other, " + ", self, _SUM)

    def __sub__(self, other: object) -> _Symbol:
        return _combine(self, " - ", other, _SUM)

    def __rsub__(self, other: object) -> _Symbol:
        return _combine(other, " - ", self, _SUM)

    def __mul__(self, other: object) -> _Symbol:
        return _product(self, other)

    def __rmul__(self, other: object) -> _Symbol:
        return _product(other, self)

    def __truediv__(self, other: object) -> _Symbol:
        return _combine(self, " / ", other, _PRODUCT)

    def __rtruediv__(self, other: object) -> _Symbol:
        return _combine(other, " / ", self, _PRODUCT)

    def __pow__(self, other: object) -> _Symbol:
        return _combine(self, " ** ", other, _POWER)

    def __rpow__(self, other: object) -> _Symbol:
        return _combine(other, " ** ", self, _POWER)

    def __neg__(self) -> _Symbol:
        inner = _wrap(self, self.precedence <= _SIGN)
        return _Symbol(f"-{inner}", _SIGN, self.depth + 1)

    def _needs_numbers(self, *_: object) -> Any:
        raise _NeedsNumbers

    __bool__ = __float__ = __int__ = __index__ = _needs_numbers
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _needs_numbers
    __hash__ = None  # type: ignore[assignment]


def _literal(number: float) -> _Symbol:
    """A float as source text that reads back as the very same float."""
    if math.isnan(number):
        return _Symbol("nan")
    if math.isinf(number):
        return _Symbol("inf") if number > 0 else _Symbol("-inf", _SIGN)
    return _Symbol(repr(number), _SIGN if math.copysign(1.0, number) < 0 else _ATOM)


def _symbol(operand: object) -> _Symbol:
    if isinstance(operand, _Symbol):
        return operand
    if isinstance(operand, float | int) and not isinstance(operand, bool):
        return _literal(float(operand))
    raise _NeedsNumbers


def _wrap(symbol: _Symbol, parenthesise: bool) -> str:
    return f"({symbol.text})" if parenthesise else symbol.text


def _combine(left: object, operator: str, right: object, precedence: int) -> _Symbol:
    a, b = _symbol(left), _symbol(right)
    if precedence == _POWER:  # right-associative, and binds tighter than a leading minus
        text = _wrap(a, a.precedence <= _POWER) + operator + _wrap(b, b.precedence < _SIGN)
    else:  # left-associative: a right operand of the same strength keeps its parentheses
        text = _wrap(a, a.precedence < precedence) + operator + _wrap(b, b.precedence <= precedence)
    return _Symbol(text, precedence, max(a.depth, b.depth) + 1)


def _product(left: object, right: object) -> _Symbol:
    """left * right, leaving out a factor of exactly 1.0 (``x * 1.0`` is ``x``, bit for bit, NaN included)."""
    a, b = _symbol(left), _symbol(right)
    if a.text == "1.0":
        return b
    if b.text == "1.0":
        return a
    return _combine(a, " * ", b, _PRODUCT)


class _Unused:
    """The local derivative towards a node that leads to no input: its gradient is never written, so the
    sweep's arithmetic on it builds no text."""

    def _absorb(self, other: object) -> _Unused:
        return self

    __mul__ = __rmul__ = __add__ = __radd__ = _absorb


_UNUSED = _Unused()


def _evaluate(formula: Callable[..., Any], *operands: object) -> Any:
    """``formula`` applied to symbols, or None when it needs the numbers themselves."""
    try:
        return formula(*operands)
    except (_NeedsNumbers, TypeError, AttributeError, ValueError, ArithmeticError):
        return None


# --- names: every name the code uses is plain ASCII, so Python reads it exactly as written --------

# Names the code may not use for anything else: Python's words (``__debug__`` cannot be assigned) and its own names.
_RESERVED = frozenset([*keyword.kwlist, *keyword.softkwlist, "__debug__", "replay", "inf", "nan"])


def _usable(label: str) -> bool:
    """A label that can name its node as it is.

    Only ASCII: Python normalises every other identifier (NFKC), so a fullwidth x would *be* ``x``, and
    the micro sign the Greek mu; an ASCII identifier is its own normal form, so two different usable labels
    are two different names. Never of the ``d_`` form the gradients' names take.
    """
    return label.isascii() and label.isidentifier() and not label.startswith("d_")


class _Names:
    """Hands out the code's names: a usable label as it is, else a generated one; never the same name twice."""

    def __init__(self) -> None:
        self.taken: set[str] = set(_RESERVED)
        self.next: dict[str, int] = {}  # per prefix, the number to try next

    def claim(self, label: str, prefix: str, first: int) -> str:
        """``label`` itself when usable and free, else ``prefix`` numbered from ``first``: ``t1``, ``t2``..."""
        if _usable(label) and label not in self.taken:
            self.taken.add(label)
            return label
        number = self.next.get(prefix, first)
        while f"{prefix}{number}" in self.taken:
            number += 1
        self.next[prefix] = number + 1
        self.taken.add(f"{prefix}{number}")
        return f"{prefix}{number}"


def _comment(label: str) -> str:
    """A label as a comment: ``repr`` escapes every character that could end the line or the comment."""
    return f"  # {label!r}" if label else ""


# --- the traced graph, written out --------------------------------------------


@dataclass
class _Writer:
    """Writes one traced graph as the source of a Python function."""

    inputs: Sequence[Value]
    order: list[Value]
    namespace: dict[str, object] = field(default_factory=lambda: {"inf": math.inf, "nan": math.nan})
    names: dict[Value, str] = field(default_factory=dict)
    functions: dict[object, str] = field(default_factory=dict)
    symbols: dict[Value, _Symbol] = field(default_factory=dict)
    gradients: dict[Value, str] = field(default_factory=dict)
    allocate: _Names = field(default_factory=_Names)
    parents: dict[Value, tuple[Value, ...]] = field(default_factory=dict)
    uses: dict[Value, int] = field(default_factory=dict)  # how many edges leave each node (to its users)

    def __post_init__(self) -> None:
        self.parents = {node: node.parents for node in self.order}
        for parents in self.parents.values():
            for parent in parents:
                self.uses[parent] = self.uses.get(parent, 0) + 1

    def write(self) -> str:
        """The function ``replay(inputs...) -> (output, [d output/d input, ...])``, as source."""
        self.name_functions()
        self.name_nodes()
        output = self.order[-1]
        parameters = [self.names[v] for v in self.inputs]
        backward_lines, needed = self.backward(output)
        forward_lines = self.forward(output, needed)
        lines = [f"def replay({', '.join(parameters)}):"]
        renamed = [f"{self.names[v]} is {v.label!r}" for v in self.inputs if v.label and v.label != self.names[v]]
        if renamed:
            lines.append(f"    # inputs: {', '.join(renamed)}")
        lines += [f"    {line}" for line in forward_lines]
        lines.append("    # backward: d_name is d(output)/d(name), the chain rule edge by edge")
        lines += [f"    {line}" for line in backward_lines]
        gradients = [self.gradients.get(v, "0.0") for v in self.inputs]
        lines.append(f"    return {self.names[output]}, [{', '.join(gradients)}]")
        return "\n".join(lines) + "\n"

    def name_functions(self) -> None:
        """Names for the table's functions the code calls: ``relu`` and ``local_relu``, ``power``..."""
        operations = (node.operation for node in self.order)
        for op in dict.fromkeys(op for op in operations if op is not None):  # first use first
            base = op.name if _usable(op.name) else getattr(op.forward, "__name__", "").lstrip("_")
            if not _usable(base) or base == "lambda":
                base = "operation"
            for role, formula in (("", op.forward), ("local_", op.local_grads)):
                if formula not in self.functions:
                    name = self.allocate.claim(f"{role}{base}", f"{role}{base}", 2)
                    self.namespace[name] = formula
                    self.functions[formula] = name

    def name_nodes(self) -> None:
        """Usable labels name their nodes (the first to ask gets it); the rest are t1, t2, ..."""
        self.allocate.taken.update(dir(builtins))  # a node called ``sum`` or ``print`` would mislead a reader
        inputs = set(self.inputs)
        for node in [*self.inputs, *(node for node in self.order if node not in inputs)]:
            self.names[node] = self.allocate.claim(node.label, "t", 1)
        self.symbols = {node: _Symbol(name) for node, name in self.names.items()}

    def operands(self, node: Value, symbols: dict[Value, _Symbol]) -> list[object]:
        """The node's operands in the order its operation takes them: symbols, or the folded number."""
        return [symbols[o] if isinstance(o, Value) else o for o in node.operands()]

    def call(self, formula: Callable[..., Any], operands: Sequence[object]) -> _Symbol:
        return _Symbol(f"{self.functions[formula]}({', '.join(_symbol(o).text for o in operands)})")

    def local_grads(self, node: Value) -> list[_Symbol]:
        """d(node)/d(input) for each Value input, as source text from the table's formula."""
        op = node.operation
        assert op is not None
        operands = [*self.operands(node, self.symbols), self.symbols[node]]
        formula = _evaluate(op.local_grads, *operands)
        if formula is None:  # the formula branches on its numbers: call it
            call = self.call(op.local_grads, operands)
            formula = call if op.arity == 1 else (_Symbol(f"{call.text}[0]"), _Symbol(f"{call.text}[1]"))
        if op.arity == 1:
            return [_symbol(formula)]
        # One derivative per operand; those of the Value operands are aligned with node.parents.
        return [_symbol(d) for d, operand in zip(formula, node.operands(), strict=True) if isinstance(operand, Value)]

    def forward(self, output: Value, needed: set[str]) -> list[str]:
        """One line per node; an unlabelled node used once, and by no derivative, is written into its user."""
        parameters = set(self.inputs)
        symbols: dict[Value, _Symbol] = {}
        lines = []
        for node in self.order:
            name = self.names[node]
            comment = _comment(node.label) if node.label != name else ""
            op = node.operation
            if op is None:
                symbols[node] = _Symbol(name)
                if node not in parameters:  # not an input: a constant of the replay
                    lines.append(f"{name} = {_literal(node.data).text}{comment}")
                continue
            operands = self.operands(node, symbols)
            expression = _evaluate(op.forward, *operands)
            expression = self.call(op.forward, operands) if expression is None else _symbol(expression)
            inline = node is not output and self.uses.get(node) == 1 and name not in needed and not node.label
            if inline and expression.depth < _MAX_INLINE_DEPTH:
                symbols[node] = expression
            else:
                lines.append(f"{name} = {expression.text}{comment}")
                symbols[node] = _Symbol(name)
        return lines

    def backward(self, output: Value) -> tuple[list[str], set[str]]:
        """The chain rule as code: the eager sweep itself (``edges()``), run on symbols.

        The sweep multiplies and adds the symbols, so every contribution comes out as text in the
        eager order, and every sum adds up in the same order. After each line is written, the
        gradient in the sweep's dict is replaced by its name (``d_h1``). Only edges towards an input
        are written: the rest cannot change an input's gradient.
        """
        leads_to_input = set(self.inputs)
        for node in self.order:
            if not leads_to_input.isdisjoint(self.parents[node]):
                leads_to_input.add(node)

        def local_grads(node: Value) -> list[_Symbol | _Unused]:
            if node.is_leaf:
                return []
            locals_ = self.local_grads(node)
            return [d if p in leads_to_input else _UNUSED for p, d in zip(self.parents[node], locals_, strict=True)]

        gradients: dict[Value, Any] = {output: _literal(1.0)}
        relevant = [node for node in self.order if node in leads_to_input]
        lines: list[str] = []
        needed: set[str] = set()
        for edge in edges(relevant, gradients, local_grads):
            parent = edge.parent
            if parent not in leads_to_input:
                continue
            needed.update(_names_in(edge.local.text))
            name = f"d_{self.names[parent]}"
            if not edge.first:
                lines.append(f"{name} += {edge.contribution.text}")  # the sweep's total: name + contribution
            elif self.uses[parent] == 1 and edge.contribution.precedence == _ATOM and not parent.label:
                continue  # a bare name or number, its only contribution: the code uses it as it is, no line
            else:
                lines.append(f"{name} = {edge.contribution.text}")
            gradients[parent] = _Symbol(name)
        self.gradients = {v: gradients[v].text for v in self.inputs if v in gradients}
        return lines, needed


def _names_in(text: str) -> set[str]:
    """The variable names an expression reads (numbers such as ``1e-05`` are not names)."""
    return set(re.findall(r"(?<![\w.])[A-Za-z_]\w*", text))


# --- the eager paths: the traced graph rebuilt by the engine, or f itself -------------------------


class _Step(NamedTuple):
    """One node of the traced graph: enough to compare a new graph with it, and for the engine to make it again."""

    operation: Operation | None  # None for a leaf
    operands: tuple[int | float, ...]  # in operand order: an int is an earlier step's index, a float a folded number;
    # for a leaf, (its position among the inputs,) or () for a constant
    label: str
    data: float  # the traced number (a constant keeps it; an input gets each call's number)


def _program(order: list[Value], inputs: Sequence[Value]) -> list[_Step]:
    """The graph ``order`` (a topological order) as steps, one per node, in that order."""
    index = {node: position for position, node in enumerate(order)}
    position_of_input = {leaf: position for position, leaf in enumerate(inputs)}
    steps = []
    for node in order:
        op = node.operation
        if op is None:
            where = position_of_input.get(node)
            steps.append(_Step(None, () if where is None else (where,), node.label, node.data))
        else:
            operands = tuple(index[o] if isinstance(o, Value) else o for o in node.operands())
            steps.append(_Step(op, operands, node.label, node.data))
    return steps


def _shape(step: _Step) -> tuple[object, ...]:
    """What must not change between the trace and a rerun of f: operations, wiring, constants (bit for bit)."""
    if step.operation is None and not step.operands:
        return (None, _bits(step.data))
    return (step.operation, *(o if isinstance(o, int) else _bits(o) for o in step.operands))


def _describe(step: _Step) -> str:
    if step.operation is None:
        return f"input {step.operands[0]}" if step.operands else f"the constant {step.data!r}"
    operands = ", ".join(f"node {o}" if isinstance(o, int) else repr(o) for o in step.operands)
    return f"{step.operation.name} of ({operands})"


def _rebuild(program: list[_Step], numbers: Sequence[float]) -> tuple[Value, list[Value]]:
    """The traced graph made again by the engine's own operations, on fresh leaves: inputs at ``numbers``.

    Nothing the caller shares is read or written; the engine's errors and checks (``detect_anomaly()``)
    come out of its own operations, naming the operation and the labels.
    """
    inputs = [Value(number) for number in numbers]
    methods: dict[Operation, Callable[..., Value]] = {}
    nodes: list[Value] = []
    for step in program:
        op = step.operation
        if op is None:
            node = inputs[int(step.operands[0])] if step.operands else Value(step.data)
        else:
            if op not in methods:
                methods[op] = _unary_method(op) if op.arity == 1 else _binary_method(op)
            operands = [nodes[o] if isinstance(o, int) else o for o in step.operands]
            if not isinstance(operands[0], Value):  # ``2 - x`` is ``x.__rsub__(2)``: a method is called on its Value
                operands.reverse()
            node = methods[op](*operands)
        node.label = step.label
        nodes.append(node)
    return nodes[-1], inputs


_FLOATS = frozenset([float])

# One lock for every compiled function: held while a checked call has put its numbers into the inputs, and
# while any call reads the inputs' numbers, so no call ever sees another call's numbers.
_INPUTS_LOCK = threading.RLock()


# --- the public API --------------------------------------------------------------


class CompiledGradient:
    """``f``'s output and gradient with respect to ``inputs``, replayed from straight-line code.

    Call it with one number per input (or with none, to use the inputs'
    current ``.data``); it returns ``(output, [d output / d input, ...])``,
    floats, computed in floats whatever numbers it is given (ints, numpy
    scalars and Fractions are converted as ``Value(...)`` converts them).
    """

    def __init__(
        self,
        f: Callable[[], Value],
        inputs: Sequence[Value],
        source: str,
        namespace: dict[str, object],
        program: list[_Step],
        check: bool,
    ) -> None:
        self.f = f
        self.inputs = tuple(inputs)
        self.source = source
        self.check = check
        self._program = program
        code = builtins.compile(source, "<autograd.compile>", "exec")
        exec(code, namespace)
        self._replay: Callable[..., tuple[float, list[float]]] = namespace["replay"]  # type: ignore[assignment]

    def __call__(self, *values: float) -> tuple[float, list[float]]:
        given = bool(values)
        if not given:
            with _INPUTS_LOCK:
                values = tuple([v.data for v in self.inputs])
        elif len(values) != len(self.inputs):
            raise TypeError(f"this compiled function takes {len(self.inputs)} input numbers, got {len(values)}")
        numbers = values if _FLOATS.issuperset(map(type, values)) else _numbers(values)  # as Value(...) converts
        mode = _mode.get()
        if self.check:
            return self._run_f(numbers, given)
        if mode is not RECORD and (mode.check is not None or mode.check_gradients is not None):
            return self._run_engine(numbers, mode)  # detect_anomaly(): the engine's own checks
        try:
            return self._replay(*numbers)  # needs no recording: it works under no_grad() too, like torch.func.grad
        except (ArithmeticError, ValueError) as failure:  # the engine's own error, naming the operation
            self._run_engine(numbers, mode)
            raise GraphError(f"compiled replay failed ({failure!r}) where the engine did not") from failure

    def _run_engine(self, numbers: Sequence[float], mode: Mode) -> tuple[float, list[float]]:
        """The traced graph rebuilt by the engine on fresh leaves, under the caller's checks: f is not called."""
        with using_mode(replace(mode, record=True)):
            output, leaves = _rebuild(self._program, numbers)
            return output.data, grad(output, leaves)

    def _run_f(self, numbers: Sequence[float], given: bool) -> tuple[float, list[float]]:
        """``check=True``: run ``f`` itself, so its Python branches run, and compare its graph with the trace.

        ``f`` reads its numbers from the inputs. Called with no numbers, or with the inputs' own, nothing is
        written. Called with other numbers, they are put into the inputs for the length of the call and then
        put back, under the one lock every compiled function's call takes to read the inputs, so compiled
        calls never see each other's numbers. Other code in another thread meanwhile is not locked out: it
        reads the call's numbers in the inputs' ``.data``, and a number it writes there is put back over.
        """
        with _INPUTS_LOCK:
            saved = [leaf.data for leaf in self.inputs]
            write = given and any(_bits(a) != _bits(b) for a, b in zip(saved, numbers, strict=True))
            try:
                if write:
                    for leaf, number in zip(self.inputs, numbers, strict=True):
                        leaf.data = number
                order, in_order_made = _trace(self.f, _mode.get(), refuse_frozen=None)
                output = order[-1]
                with using_mode(replace(_mode.get(), record=True)):
                    gradients = grad(output, self.inputs)
            finally:
                if write:
                    for leaf, number in zip(self.inputs, saved, strict=True):
                        leaf.data = number
        difference = _first_difference(self._program, _program(in_order_made, self.inputs))
        if difference is not None:
            raise GraphError(
                f"compiled function: f built a different graph than when it was compiled ({difference}); "
                "a replay would be wrong. Keep Python branches on .data out of f, or compile again."
            )
        return output.data, gradients


def _output_of(f: Callable[[], Value]) -> Value:
    output = f()
    if not isinstance(output, Value):
        raise GraphError(f"compile: f must return a Value, not {type(output).__name__}: {output!r}")
    return output


def _numbers(values: Sequence[object]) -> list[float]:
    """The call's numbers as floats, converted and refused as ``Value(...)`` does, naming the input."""
    numbers = []
    for position, value in enumerate(values):
        try:
            number = _as_number(value)
        except NumericOverflowError:
            raise NumericOverflowError(f"compiled function: input {position} is too large for a float") from None
        if number is None:
            raise TypeError(
                f"compiled function: input {position} must be an int or a float, not {type(value).__name__}: "
                f"{_shorten(repr(value))}"
            )
        numbers.append(number)
    return numbers


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:57]}..."


def _bits(number: float) -> bytes:
    """A float's exact bit pattern: -0.0 differs from 0.0, and a NaN equals itself."""
    return struct.pack("<d", number)


def _first_difference(traced: list[_Step], now: list[_Step]) -> str | None:
    """Where the graph ``now`` first differs from the traced one, or None when it has the traced shape."""
    for index, (then, current) in enumerate(zip(traced, now, strict=False)):
        if _shape(then) != _shape(current):
            return f"node {index} was {_describe(then)}, now {_describe(current)}"
    return None if len(traced) == len(now) else f"{len(traced)} nodes traced, {len(now)} now"


def compile(f: Callable[[], Value], inputs: Sequence[Value], *, check: bool = False) -> CompiledGradient:
    """Trace ``f()`` once and return a replay of its output and its gradient with respect to ``inputs``.

    ``f`` takes no arguments and builds its result from ``inputs`` (leaf
    Values, such as a model's parameters). ``check=True`` reruns ``f``
    eagerly on every call, at the call's numbers, and raises GraphError if
    its graph ever differs from the traced one (for debugging; it is as slow
    as the eager engine).
    """
    inputs = list(inputs)
    for position, leaf in enumerate(inputs):
        if not isinstance(leaf, Value):
            raise GraphError(f"compile: input {position} must be a Value, not {type(leaf).__name__}: {leaf!r}")
        if not leaf.is_leaf:
            raise GraphError(f"compile: input {position} ({leaf!r}) was made by {leaf.op!r}; inputs must be leaves")
    if len({id(leaf) for leaf in inputs}) != len(inputs):
        raise GraphError("compile: the same Value appears twice among the inputs")
    order, in_order_made = _trace(f, _mode.get(), refuse_frozen=inputs)
    writer = _Writer(inputs, order)
    source = writer.write()
    return CompiledGradient(f, inputs, source, writer.namespace, _program(in_order_made, inputs), check)


def _trace(
    f: Callable[[], Value], outer: Mode, refuse_frozen: Sequence[Value] | None
) -> tuple[list[Value], list[Value]]:
    """Run ``f`` recording its graph, under the caller's checks.

    Returns the graph in ``topological_order`` (output last: the eager sweep's order, which the
    code follows), and the same nodes in the order ``f`` made them (also a topological order), so
    that a rebuild meets the error ``f`` would meet first. With ``refuse_frozen`` (the inputs), a
    result computed from them under no_grad() is refused: the replay would reuse its traced number.
    """
    made: list[Value] = []
    depends: set[Value] = set(refuse_frozen or ())

    def check(node: Value, operands: tuple[float, ...]) -> None:
        if outer.check is not None:
            outer.check(node, operands)
        made.append(node)
        if refuse_frozen is not None and not depends.isdisjoint(node.parents):
            if not _mode.get().record:
                raise GraphError(
                    f"compile: f computes {node.op!r} from the inputs under no_grad(); a replay would "
                    "reuse the traced number instead of recomputing it"
                )
            depends.add(node)

    with using_mode(Mode(record=True, check=check, check_gradients=outer.check_gradients)):
        output = _output_of(f)
    order = topological_order(output)
    in_graph, made_by_f = set(order), set(made)
    # Nodes made before f ran (leaves, and results f closes over) depend on no node f made: they go first.
    in_order_made = [node for node in order if node not in made_by_f] + [node for node in made if node in in_graph]
    return order, in_order_made
