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
  call and raises GraphError the moment the graph differs from the trace.
- Everything that is not an input is a constant: plain numbers in ``f`` and
  Values that are not in ``inputs`` keep their traced numbers (``check=True``
  notices when they change).
- ``f`` may not compute from the inputs under ``no_grad()``: the result
  would be frozen at its traced number, so ``compile`` refuses it.
- Only what the output depends on is replayed: a computation in ``f`` whose
  result does not reach the output is left out (and so is any error it
  would raise).
- A call that fails (``log`` of a negative number, a division by zero) is
  rerun eagerly, so it raises the engine's own error naming the operation;
  so does any call under a checking mode (``detect_anomaly()``).
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .backward import topological_order
from .errors import GraphError
from .functional import grad
from .grad_mode import RECORD, Mode, _mode, using_mode
from .value import Value, _as_number

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
        return _combine(self, " * ", other, _PRODUCT)

    def __rmul__(self, other: object) -> _Symbol:
        return _combine(other, " * ", self, _PRODUCT)

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


def _evaluate(formula: Callable[..., Any], *operands: object) -> Any:
    """``formula`` applied to symbols, or None when it needs the numbers themselves."""
    try:
        return formula(*operands)
    except (_NeedsNumbers, TypeError, AttributeError, ValueError, ArithmeticError):
        return None


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

    def write(self) -> str:
        """The function ``replay(inputs...) -> (output, [d output/d input, ...])``, as source."""
        self.name_functions()
        self.name_nodes()
        output = self.order[-1]
        parameters = [self.names[v] for v in self.inputs]
        backward_lines, needed = self.backward(output)
        forward_lines = self.forward(output, needed)
        lines = [f"def replay({', '.join(parameters)}):"]
        lines += [f"    {line}" for line in forward_lines]
        lines.append("    # backward: d_name is d(output)/d(name), the chain rule edge by edge")
        lines += [f"    {line}" for line in backward_lines]
        gradients = [self.gradients.get(v, "0.0") for v in self.inputs]
        lines.append(f"    return {self.names[output]}, [{', '.join(gradients)}]")
        return "\n".join(lines) + "\n"

    def name_functions(self) -> None:
        """Names for the table's functions the code calls: ``relu`` and ``local_relu``, ``power``..."""
        for op in dict.fromkeys(node._op for node in self.order if node._op is not None):  # first use first
            base = op.name if op.name.isidentifier() else getattr(op.forward, "__name__", "").lstrip("_")
            if not base.isidentifier() or base == "lambda":
                base = "operation"
            for role, formula in (("", op.forward), ("local_", op.local_grads)):
                if formula in self.functions:
                    continue
                name, suffix = f"{role}{base}", 1
                while name in self.namespace:
                    suffix += 1
                    name = f"{role}{base}{suffix}"
                self.namespace[name] = formula
                self.functions[formula] = name

    def name_nodes(self) -> None:
        """Labels that are valid, unused identifiers name their nodes; the rest are t1, t2, ..."""
        taken = set(self.namespace) | set(dir(builtins)) | {"replay"}
        counter = 0
        inputs = set(self.inputs)
        for node in [*self.inputs, *(node for node in self.order if node not in inputs)]:
            label = node.label
            usable = label.isidentifier() and not keyword.iskeyword(label) and not label.startswith("d_")
            if usable and label not in taken:
                taken.add(label)
                self.names[node] = label
                continue
            counter += 1
            while f"t{counter}" in taken:
                counter += 1
            taken.add(f"t{counter}")
            self.names[node] = f"t{counter}"
        self.symbols = {node: _Symbol(name) for node, name in self.names.items()}

    def operands(self, node: Value, symbols: dict[Value, _Symbol]) -> list[object]:
        """The node's operands in the order its operation takes them: symbols, or the folded number."""
        op = node._op
        assert op is not None and node._x is not None
        x = symbols[node._x]
        if op.arity == 1:
            return [x]
        if node._y is not None:
            return [x, symbols[node._y]]
        return [node._constant, x] if op.reflected else [x, node._constant]

    def call(self, formula: Callable[..., Any], operands: Sequence[object]) -> _Symbol:
        return _Symbol(f"{self.functions[formula]}({', '.join(_symbol(o).text for o in operands)})")

    def local_grads(self, node: Value) -> list[_Symbol]:
        """d(node)/d(input) for each Value input, as source text from the table's formula."""
        op = node._op
        assert op is not None
        operands = [*self.operands(node, self.symbols), self.symbols[node]]
        formula = _evaluate(op.local_grads, *operands)
        if formula is None:  # the formula branches on its numbers: call it
            call = self.call(op.local_grads, operands)
            formula = call if op.arity == 1 else (_Symbol(f"{call.text}[0]"), _Symbol(f"{call.text}[1]"))
        if op.arity == 1:
            return [_symbol(formula)]
        dx, dy = formula
        if node._y is not None:
            return [_symbol(dx), _symbol(dy)]
        return [_symbol(dy if op.reflected else dx)]

    def forward(self, output: Value, needed: set[str]) -> list[str]:
        """One line per node; an unlabelled node used once, and by no derivative, is written into its user."""
        uses: dict[Value, int] = {}
        for node in self.order:
            for parent in node.parents:
                uses[parent] = uses.get(parent, 0) + 1
        parameters = set(self.inputs)
        symbols: dict[Value, _Symbol] = {}
        lines = []
        for node in self.order:
            name = self.names[node]
            op = node._op
            if op is None:
                symbols[node] = _Symbol(name)
                if node not in parameters:  # not an input: a constant of the replay
                    lines.append(f"{name} = {_literal(node.data).text}")
                continue
            operands = self.operands(node, symbols)
            expression = _evaluate(op.forward, *operands)
            expression = self.call(op.forward, operands) if expression is None else _symbol(expression)
            inline = node is not output and uses.get(node) == 1 and name not in needed and not node.label
            if inline and expression.depth < _MAX_INLINE_DEPTH:
                symbols[node] = expression
            else:
                lines.append(f"{name} = {expression.text}")
                symbols[node] = _Symbol(name)
        return lines

    def backward(self, output: Value) -> tuple[list[str], set[str]]:
        """The eager sweep's edges in its own order, so every sum adds up in the same order.

        Only edges towards an input are written: the rest cannot change an input's gradient.
        """
        leads_to_input = set(self.inputs)
        for node in self.order:
            if node._x in leads_to_input or node._y in leads_to_input:
                leads_to_input.add(node)
        edges_into: dict[Value, int] = {}
        for node in self.order:
            for parent in node.parents:
                edges_into[parent] = edges_into.get(parent, 0) + 1
        self.gradients = {output: "1.0"}
        received: dict[Value, int] = {}
        lines: list[str] = []
        needed: set[str] = set()
        for node in reversed(self.order):
            if node._op is None or node not in leads_to_input:
                continue
            node_grad = _Symbol(self.gradients[node])
            for parent, local in zip(node.parents, self.local_grads(node), strict=True):
                if parent not in leads_to_input:
                    continue
                needed.update(_names_in(local.text))
                contribution = _times(local, node_grad)
                count = received[parent] = received.get(parent, 0) + 1
                gradient = f"d_{self.names[parent]}"
                alias = contribution.precedence == _ATOM and not parent.label
                if count == 1 and edges_into[parent] == 1 and alias:
                    self.gradients[parent] = contribution.text  # a bare name or number: reuse it, no line
                elif count == 1:
                    self.gradients[parent] = gradient
                    lines.append(f"{gradient} = {contribution.text}")
                else:
                    lines.append(f"{gradient} += {contribution.text}")
        return lines, needed


def _text(operand: object) -> str:
    return _symbol(operand).text


def _times(local: _Symbol, node_grad: _Symbol) -> _Symbol:
    """local * grad, leaving out a factor of exactly 1 (x * 1.0 is x, bit for bit)."""
    if node_grad.text == "1.0":
        return local
    if local.text == "1.0":
        return node_grad
    if local.text == "-1.0":
        return -node_grad
    return local * node_grad


def _names_in(text: str) -> set[str]:
    """The variable names an expression reads (numbers such as ``1e-05`` are not names)."""
    return set(re.findall(r"(?<![\w.])[A-Za-z_]\w*", text))


# --- the public API --------------------------------------------------------------


class CompiledGradient:
    """``f``'s output and gradient with respect to ``inputs``, replayed from straight-line code.

    Call it with one number per input (or with none, to use the inputs'
    current ``.data``); it returns ``(output, [d output / d input, ...])``.
    """

    def __init__(
        self,
        f: Callable[[], Value],
        inputs: Sequence[Value],
        source: str,
        namespace: dict[str, object],
        trace: list[tuple[object, ...]],
        check: bool,
    ) -> None:
        self.f = f
        self.inputs = tuple(inputs)
        self.source = source
        self.check = check
        self._trace = trace
        code = builtins.compile(source, "<autograd.compile>", "exec")
        exec(code, namespace)
        self._replay: Callable[..., tuple[float, list[float]]] = namespace["replay"]  # type: ignore[assignment]

    def __call__(self, *values: float) -> tuple[float, list[float]]:
        if not values:
            values = tuple(v.data for v in self.inputs)
        elif len(values) != len(self.inputs):
            raise TypeError(f"this compiled function takes {len(self.inputs)} input numbers, got {len(values)}")
        if self.check or _mode.get() is not RECORD:
            return self._run_eagerly(values, replay_failed=None)
        try:
            return self._replay(*values)
        except (ArithmeticError, ValueError, TypeError) as failure:
            return self._run_eagerly(values, replay_failed=failure)

    def _run_eagerly(self, values: Sequence[object], replay_failed: Exception | None) -> tuple[float, list[float]]:
        """Run ``f`` on Values at ``values``: its own errors, and (checking) a comparison with the trace."""
        numbers = _numbers(values)
        saved = [v.data for v in self.inputs]
        try:
            for leaf, number in zip(self.inputs, numbers, strict=True):
                leaf.data = number
            output = _output_of(self.f)
            gradients = grad(output, self.inputs)
            trace = _fingerprint(output, self.inputs)
        finally:
            for leaf, number in zip(self.inputs, saved, strict=True):
                leaf.data = number
        if trace != self._trace:
            raise GraphError(
                "compiled function: f built a different graph than when it was compiled "
                f"({_first_difference(self._trace, trace)}); a replay would be wrong. "
                "Keep Python branches on .data out of f, or compile again."
            )
        if replay_failed is not None:
            raise GraphError(f"compiled replay failed ({replay_failed!r}) where f itself did not") from replay_failed
        return output.data, gradients


def _output_of(f: Callable[[], Value]) -> Value:
    output = f()
    if not isinstance(output, Value):
        raise GraphError(f"compile: f must return a Value, not {type(output).__name__}: {output!r}")
    return output


def _numbers(values: Sequence[object]) -> list[float]:
    numbers = []
    for position, value in enumerate(values):
        number = _as_number(value)
        if number is None:
            raise TypeError(f"input {position} must be an int or a float, not {type(value).__name__}: {value!r}")
        numbers.append(number)
    return numbers


def _fingerprint(output: Value, inputs: Sequence[Value]) -> list[tuple[object, ...]]:
    """The graph's shape: each node's operation, where its operands come from, and every constant."""
    position = {leaf: ("input", i) for i, leaf in enumerate(inputs)}
    shape: list[tuple[object, ...]] = []
    for index, node in enumerate(topological_order(output)):
        if node not in position:
            position[node] = ("node", index)
        op = node._op
        if op is None:
            shape.append(position[node] if position[node][0] == "input" else ("constant", node.data))
            continue
        y = position[node._y] if node._y is not None else ("number", node._constant) if op.arity == 2 else None
        assert node._x is not None
        shape.append((op.name, op.reflected, position[node._x], y))
    return shape


def _first_difference(traced: list[tuple[object, ...]], now: list[tuple[object, ...]]) -> str:
    for index, (then, current) in enumerate(zip(traced, now, strict=False)):
        if then != current:
            return f"node {index} was {then}, now {current}"
    return f"{len(traced)} nodes traced, {len(now)} now"


def compile(f: Callable[[], Value], inputs: Sequence[Value], *, check: bool = False) -> CompiledGradient:
    """Trace ``f()`` once and return a replay of its output and its gradient with respect to ``inputs``.

    ``f`` takes no arguments and builds its result from ``inputs`` (leaf
    Values, such as a model's parameters). ``check=True`` reruns ``f``
    eagerly on every call and raises GraphError if its graph ever differs
    from the traced one (for debugging; it is as slow as the eager engine).
    """
    inputs = list(inputs)
    for position, leaf in enumerate(inputs):
        if not isinstance(leaf, Value):
            raise GraphError(f"compile: input {position} must be a Value, not {type(leaf).__name__}: {leaf!r}")
        if not leaf.is_leaf:
            raise GraphError(f"compile: input {position} ({leaf!r}) was made by {leaf.op!r}; inputs must be leaves")
    if len({id(leaf) for leaf in inputs}) != len(inputs):
        raise GraphError("compile: the same Value appears twice among the inputs")
    with using_mode(Mode(record=True, check=_refuse_frozen_results(inputs, _mode.get()))):
        output = _output_of(f)
    order = topological_order(output)
    writer = _Writer(inputs, order)
    source = writer.write()
    return CompiledGradient(f, inputs, source, writer.namespace, _fingerprint(output, inputs), check)


def _refuse_frozen_results(inputs: Sequence[Value], outer: Mode) -> Callable[[Value, tuple[float, ...]], None]:
    """A trace-time check: a result computed from the inputs under no_grad() would be frozen in the replay."""
    depends: set[Value] = set(inputs)

    def check(node: Value, operands: tuple[float, ...]) -> None:
        if outer.check is not None:
            outer.check(node, operands)
        if node._x in depends or node._y in depends:
            if not _mode.get().record:
                raise GraphError(
                    f"compile: f computes {node.op!r} from the inputs under no_grad(); a replay would "
                    "reuse the traced number instead of recomputing it"
                )
            depends.add(node)

    return check
