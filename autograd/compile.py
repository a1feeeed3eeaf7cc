"""Compiled replay: trace a computation once, then rerun it as straight-line Python.

``compile(f, parameters)`` calls ``f()`` once, records the graph it builds,
and writes that graph out as one Python function: a forward sweep (one line
per operation; a short result used once is written into its user) and a
backward sweep (one line per edge, in the order the eager sweep visits them).
Calling the result with new numbers for ``parameters`` returns the output and
d(output)/d(parameter) for each, without making a single ``Value``: only
floats move. The code is ``.source``.

Data. ``compile(f, parameters, data=placeholders)`` also takes leaves whose
numbers change on every call and need no gradient: a sample's inputs and
target. One trace of one sample's loss then serves every sample of its
shape, and the code does not grow with the dataset::

    x = [Value(0.0, "x1"), Value(0.0, "x2")]
    loss = compile(lambda: squared_error(model(x), 1.0), model.parameters(), data=x)
    value, grads = loss(data=[0.5, -1.2])           # the parameters' current numbers
    value, totals = loss.accumulate(totals, data=[0.5, -1.2], seed=0.25)

``accumulate`` adds ``seed`` * d(output)/d(parameter) into running totals
edge by edge, as one ``backward()`` through a sum of such outputs adds them
(``seed`` is the gradient that reaches this output from the sum, 1/B for the
mean of B samples): called sample after sample, it gives the eager engine's
gradient of a minibatch to the last bit (``nn.compiled`` does exactly that).
A data input may change every number it feeds; it may not change the graph:

- a Python branch on a data value (``if x.data > 0``) is taken once, when
  tracing, and is not re-taken (``check=True`` notices);
- a number computed from the data outside the engine's operations is frozen
  at its traced value, unless it is made by ``detached(function, values)``,
  which the replay recomputes on every call (the largest logit that a stable
  log-sum-exp subtracts is one);
- a number that picks which node to use (a class index: ``logits[target]``)
  is the graph's shape, not data: trace once per value (``nn.compiled_step``
  traces once per class);
- data get no gradient, and no operation may be recorded from them under
  ``no_grad()`` (refused, as for parameters).

For a batch of calls, ``replay.numbers()`` reads the parameters' numbers
once, already checked (pass them as ``numbers=``); ``replay.output(data=x)``
gives the output alone; with ``has_aux=True``, ``f`` returns ``(output,
values)`` and every call also returns those values' numbers (a model's
outputs, for its accuracy).

Every line comes from the operation table in ``value.py``: each operation's
own ``forward`` and ``local_grads`` are evaluated once per operand pattern on
symbols instead of numbers, so ``MULTIPLY``'s ``(y, x)`` becomes
``d_w5 += h1 * d_out``. A formula that branches on its numbers (abs, sqrt,
pow, sin, cos) cannot be written out that way; the code then calls the
table's own function, so the branch is taken afresh on every call. Two are
written out by hand because they are the hot ones, each proved equal to the
table's functions over many floats: relu (``0.0 if x <= 0.0 else x``) and
``x ** 2`` (``x ** 2.0``, slope ``2.0 * x``).

What a replay assumes, and what guards it:

- The graph's shape is the traced one. Operations whose local derivative
  depends on the numbers (relu's sign, abs, pow at 0) are recomputed every
  call and are safe. Python control flow in ``f`` that reads ``.data``
  (``if x.data > 0: ...``) is not seen by the trace: the replay keeps the
  branch taken when tracing. ``check=True`` reruns ``f`` eagerly on every
  call (at the call's numbers) and raises GraphError the moment the graph
  differs from the trace.
- Everything that is neither a parameter nor data is a constant: plain
  numbers in ``f`` and other Values keep their traced numbers (``check=True``
  notices when they change).
- ``f`` may not compute from the parameters or data under ``no_grad()``: the
  result would be frozen at its traced number, so ``compile`` refuses it.
- Only what the output (and ``has_aux``'s values) depend on is replayed: a
  computation in ``f`` whose result reaches neither is left out (and so is
  any error it would raise).

What a call does:

- Its numbers (parameters, data, running totals, seed) are converted and
  refused as ``Value(...)`` converts and refuses them (ints, numpy scalars,
  Fractions become floats; bool, arrays, strings and ints too large for a
  float are refused, naming the position), so the replay computes in floats
  and returns floats.
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

Threads: a replay reads nothing shared but the parameters' and placeholders'
``.data`` when called without their numbers, so concurrent calls are exact.
``check=True`` calls ``f``, which reads its numbers from those leaves: a call
with other numbers puts them there for its length, under a lock every
compiled function takes to read them (see ``CompiledGradient._run_f`` for
what other code may observe meanwhile).
"""

from __future__ import annotations

import builtins
import gc
import keyword
import math
import operator
import re
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from itertools import chain, compress, filterfalse
from operator import attrgetter
from typing import Any, NamedTuple

from .backward import edges, topological_order
from .errors import GraphError, NumericOverflowError
from .grad_mode import RECORD, Mode, _mode, using_mode
from .value import POWER, RELU, Operation, Value, _as_number, _binary_method, _unary_method

# --- symbols: the operation table's formulas, evaluated into source text ----

# Python's binding strengths, weakest first, as far as the formulas need them.
_CONDITIONAL, _SUM, _PRODUCT, _SIGN, _POWER, _ATOM = range(6)
_MAX_INLINE = 80  # a result is written into its user only while the expression stays this short


class _NeedsNumbers(Exception):
    """The formula looked at its numbers (a comparison, ``math.cos``): it cannot become source text."""


class _Symbol:
    """A piece of source text that does arithmetic by writing it down.

    Each operator returns a new symbol for the expression, with just the
    parentheses Python needs to evaluate it in the same order. Anything that
    asks for the number (comparison, truth, ``float()``) raises _NeedsNumbers.
    """

    __slots__ = ("precedence", "text")

    def __init__(self, text: str, precedence: int = _ATOM) -> None:
        self.text = text
        self.precedence = precedence

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
        return _Symbol(f"-{_wrap(self, self.precedence <= _SIGN)}", _SIGN)

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
    return _Symbol(text, precedence)


def _product(left: object, right: object) -> _Symbol:
    """left * right, leaving out a factor of exactly 1.0 (``x * 1.0`` is ``x``, bit for bit, NaN included)."""
    a, b = _symbol(left), _symbol(right)
    if a.text == "1.0":
        return b
    if b.text == "1.0":
        return a
    return _combine(a, " * ", b, _PRODUCT)


def _evaluate(formula: Callable[..., Any], *operands: object) -> Any:
    """``formula`` applied to symbols, or None when it needs the numbers themselves."""
    try:
        return formula(*operands)
    except (_NeedsNumbers, TypeError, AttributeError, ValueError, ArithmeticError):
        return None


# --- two hot formulas written out by hand (tests/test_compile.py proves each equal to the table's) -----------


def _atom(operand: object) -> str:
    """The operand's text when it is a bare name (the written-out forms read it twice); else the call is kept."""
    if not isinstance(operand, _Symbol) or operand.precedence != _ATOM:
        raise _NeedsNumbers
    return operand.text


def _relu(x: object) -> _Symbol:
    """RELU's forward, ``0.0 if x <= 0.0 else x``, word for word."""
    return _Symbol(f"0.0 if {_atom(x)} <= 0.0 else {_atom(x)}", _CONDITIONAL)


def _relu_slope(x: object, out: object) -> _Symbol:
    """RELU's local derivative, ``0.0 if x <= 0.0 else 1.0``, word for word."""
    return _Symbol(f"0.0 if {_atom(x)} <= 0.0 else 1.0", _CONDITIONAL)


def _square(x: object, y: object) -> _Symbol:
    """POWER at the exponent 2.0: ``_power`` is then ``x ** 2.0`` itself (no complex result, no other check)."""
    if not isinstance(x, _Symbol) or type(y) is not float or y != 2.0:
        raise _NeedsNumbers
    return _combine(x, " ** ", y, _POWER)


def _square_slopes(x: object, y: object, out: object) -> tuple[_Symbol, None]:
    """POWER's slope at the exponent 2.0: ``2.0 * _power_or_limit(x, 1.0)``, and ``x ** 1.0`` is x itself."""
    if not isinstance(x, _Symbol) or type(y) is not float or y != 2.0:
        raise _NeedsNumbers
    return _product(2.0, x), None  # the exponent is a plain number: no slope towards it is written


_WRITTEN_OUT: dict[Operation, tuple[Callable[..., Any], Callable[..., Any]]] = {
    RELU: (_relu, _relu_slope),
    POWER: (_square, _square_slopes),
}


# --- names: every name the code uses is plain ASCII, so Python reads it exactly as written --------

# Names the code may not use for anything else: Python's words (``__debug__`` cannot be assigned) and its own names.
_RESERVED = frozenset(
    [
        *keyword.kwlist,
        *keyword.softkwlist,
        "__debug__",
        "replay",
        "inf",
        "nan",
        "parameters",
        "data",
        "seed",
        "gradients",
    ]
)


def _usable(label: str) -> bool:
    """A label that can name its node as it is.

    Only ASCII: Python normalises every other identifier (NFKC), so a fullwidth x would *be* ``x``, and
    the micro sign the Greek mu; an ASCII identifier is its own normal form, so two different usable labels
    are two different names. Never of the ``d_`` form the gradients' names take, nor of the ``t1`` form of the
    generated names.
    """
    return (
        label.isascii()
        and label.isidentifier()
        and not label.startswith("d_")
        and not (label.startswith("t") and label[1:].isdigit())
    )


class _Names:
    """Hands out the code's names: a usable label as it is, else a generated one; never the same name twice."""

    def __init__(self) -> None:
        self.taken: set[str] = set(_RESERVED)
        self.next: dict[str, int] = {}  # per prefix, the number to try next

    def claim(self, label: str, prefix: str, first: int) -> str:
        """``label`` itself when usable and free, else ``prefix`` numbered from ``first``: ``t1``, ``t2``..."""
        if label and _usable(label) and label not in self.taken:
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


def _listing(names: Sequence[str], indent: str) -> str:
    """Names separated by commas, wrapped into lines of about 100 characters (inside brackets)."""
    lines, start, width = [], 0, 0  # the line being filled: names[start:], ``width`` characters with ", "s
    for end, name in enumerate(names):
        if width and width + len(name) > 96:
            lines.append(", ".join(names[start:end]) + ",")
            start, width = end, 0
        width += len(name) + 2
    if len(lines) == 0:
        return ", ".join(names)
    lines.append(", ".join(names[start:]))
    return "\n" + "\n".join(f"{indent}    {text}" for text in lines) + f"\n{indent}"


def _unpack(names: Sequence[str], sequence: str) -> str:
    """``a, b, c = sequence`` (``a, = sequence`` for one name), wrapped like ``_listing``."""
    if len(names) == 1:
        return f"{names[0]}, = {sequence}"
    return f"({_listing(names, '    ')}) = {sequence}" if len(names) > 8 else f"{', '.join(names)} = {sequence}"


# --- the traced graph, written out --------------------------------------------

# Every template made so far, keyed by the operation, the pattern of its operands and the name the code calls its
# function by: a template is a pure function of these (the operation table is fixed), so no compile makes one twice.
_TEMPLATES: dict[tuple[object, ...], Any] = {}
_BUILTINS = frozenset(dir(builtins))  # a node called ``sum`` or ``print`` would mislead a reader


class _Template(NamedTuple):
    """A formula as source text: ``{0}``, ``{1}`` stand for the operands' texts, the last slot for the output."""

    text: str
    precedence: int
    reads: tuple[int, ...]  # the slots the text reads
    alone: int  # the slot the text is, when it is nothing else (``{1}``: the other factor of a product); else -1
    # The text as a %-format when it reads every slot once, in order (``{0} * {1}``: ``%s * %s``): a quarter of
    # ``str.format``'s cost, for the forward's one expression per node. Else None.
    pattern: str | None


def _template(symbol: _Symbol, slots: int) -> _Template:
    text = symbol.text
    reads = tuple(i for i in range(slots) if f"{{{i}}}" in text)
    alone = reads[0] if len(reads) == 1 and text == f"{{{reads[0]}}}" else -1
    pieces = re.split(r"\{(\d+)\}", text)  # text, slot, text, slot, ..., text
    in_order = pieces[1::2] == [str(i) for i in range(slots)]
    pattern = "%s".join(piece.replace("%", "%%") for piece in pieces[::2]) if in_order else None
    return _Template(text, symbol.precedence, reads, alone, pattern)


@dataclass
class _Writer:
    """Writes one traced graph as the source of a Python function."""

    traced: _Traced
    parameters: Sequence[Value]
    data: Sequence[Value]
    namespace: dict[str, object] = field(default_factory=lambda: {"inf": math.inf, "nan": math.nan})
    names: dict[Value, str] = field(default_factory=dict)
    functions: dict[object, str] = field(default_factory=dict)
    allocate: _Names = field(default_factory=_Names)
    operands: dict[Value, tuple[Value | float, ...]] = field(default_factory=dict)  # each operation's, read once
    uses: Counter[Value] = field(default_factory=Counter)  # how many edges leave each node (to its users)
    templates: dict[object, Any] = field(default_factory=dict)  # per operation and pattern of operands
    literals: dict[float, tuple[str, int]] = field(default_factory=dict)
    needed: set[Value] = field(default_factory=set)  # nodes the code must name: read by the backward, or returned

    def write(self) -> str:
        """The function ``replay(parameters, data, seed, gradients) -> (output, gradients[, aux])``, as source."""
        traced = self.traced
        operations = [node for node in traced.forward_order if node._op is not None]
        self.operands = dict(zip(operations, map(Value.operands, operations), strict=True))
        # How many edges leave each node (the folded numbers are counted too, and never read).
        self.uses = Counter(chain.from_iterable(self.operands.values()))  # type: ignore[arg-type]
        self.name_functions()
        self.name_nodes()
        self.needed.update([traced.output, *traced.aux])
        for _, sources in traced.detached.values():
            self.needed.update(source for source in sources if isinstance(source, Value))
        backward_lines = self.backward()
        forward_lines = self.forward()
        names = self.names
        lines = []  # the body's lines, indented when joined
        for leaves, role in ((self.parameters, "parameters"), (self.data, "data")):
            if leaves:
                lines.append(_unpack([names[v] for v in leaves], role))
        renamed = [
            f"{names[v]} is {v.label!r}" for v in [*self.parameters, *self.data] if v.label not in ("", names[v])
        ]
        if renamed:
            lines.append(f"# inputs: {', '.join(renamed)}")
        lines += forward_lines
        lines.append("# backward: d_name is seed * d(output)/d(name), the chain rule edge by edge;")
        lines.append("# a parameter's d_name starts at the total it came in with and adds every contribution")
        gradients = [f"d_{names[v]}" for v in self.parameters]
        if gradients:
            lines.append(_unpack(gradients, "gradients"))
        lines += backward_lines
        returned = f"{names[traced.output]}, [{_listing(gradients, '    ')}]"
        if traced.has_aux:
            returned += f", [{_listing([names[v] for v in traced.aux], '    ')}]"
        lines.append(f"return {returned}")
        return "def replay(parameters, data, seed, gradients):\n    " + "\n    ".join(lines) + "\n"

    def name_functions(self) -> None:
        """Names for the table's functions the code may call: ``exp``, ``local_power``..., and ``detached``'s."""
        operations = dict.fromkeys(map(attrgetter("_op"), self.traced.forward_order))  # first use first
        operations.pop(None, None)
        for op in operations:
            base = op.name if _usable(op.name) else getattr(op.forward, "__name__", "").lstrip("_")
            if not _usable(base) or base == "lambda":
                base = "operation"
            for role, formula in (("", op.forward), ("local_", op.local_grads)):
                self.name_function(formula, f"{role}{base}")
        for function, _ in self.traced.detached.values():
            base = getattr(function, "__name__", "")
            self.name_function(function, base if _usable(base) else "function")

    def name_function(self, function: object, base: str) -> None:
        if function not in self.functions:
            name = self.allocate.claim(base, base, 2)
            self.namespace[name] = function
            self.functions[function] = name

    def name_nodes(self) -> None:
        """Usable labels name their nodes (the first to ask gets it); the rest are ``t`` and their place: t1, t2..."""
        self.allocate.taken.update(_BUILTINS)  # a node called ``sum`` or ``print`` would mislead a reader
        arguments = {*self.parameters, *self.data}
        nodes = [*self.parameters, *self.data, *filterfalse(arguments.__contains__, self.traced.forward_order)]
        names = self.names = {node: f"t{place}" for place, node in enumerate(nodes, 1)}
        taken = self.allocate.taken
        for node in compress(nodes, map(attrgetter("label"), nodes)):  # the labelled ones, in order
            label = node.label
            if label not in taken and _usable(label):
                names[node] = label
                taken.add(label)

    # --- templates: each formula evaluated once per pattern of operands, on placeholders -----------------

    def call(self, formula: Callable[..., Any], operands: Sequence[object]) -> str:
        texts = ", ".join(o.text if isinstance(o, _Symbol) else _literal(o).text for o in operands)  # type: ignore[arg-type]
        return f"{self.functions[formula]}({texts})"

    def literal(self, number: float) -> tuple[str, int]:
        """A folded number's text and binding strength (remembered: a model's constants repeat)."""
        if not number:  # 0.0 == -0.0: they would share a key
            return ("0.0", _ATOM) if math.copysign(1.0, number) > 0 else ("-0.0", _SIGN)
        found = self.literals.get(number)
        if found is None:
            symbol = _literal(number)
            found = self.literals[number] = (symbol.text, symbol.precedence)
        return found

    def slots(
        self, op: Operation, operands: Sequence[object], kinds: Sequence[int]
    ) -> tuple[list[object], tuple[object, ...]]:
        """Placeholders for the operands (``{0}``, ``{1}``, of the given binding strengths), and the key of the
        templates made on them. A folded number is a placeholder too (any number has the same formula text),
        save for the forms written out by hand, which look at it (``** 2.0``): they see the number itself."""
        exact = op in _WRITTEN_OUT and any(o.__class__ is float for o in operands)
        slots: list[object] = [
            o if exact and o.__class__ is float else _Symbol(f"{{{i}}}", k)
            for i, (o, k) in enumerate(zip(operands, kinds, strict=True))
        ]
        return slots, self.key(op, operands, kinds)

    def key(self, op: Operation, operands: Sequence[object], kinds: Sequence[int]) -> tuple[object, ...]:
        """The key of the templates made on ``slots``: the binding strengths, and the numbers the forms written
        out by hand look at."""
        if op in _WRITTEN_OUT and any(o.__class__ is float for o in operands):
            return (*kinds, *(self.literal(o)[0] if o.__class__ is float else None for o in operands))
        return tuple(kinds)

    def forward_template(self, op: Operation, operands: Sequence[object], kinds: Sequence[int]) -> _Template:
        """``op``'s forward formula on placeholders for its operands, of the given binding strengths."""
        key = self.key(op, operands, kinds)
        found: _Template | None = self.templates.get((op, *key))
        if found is None:
            # Made once per process: a template depends on nothing else than its key and the function's name.
            shared = ("forward", op, self.functions[op.forward], *key)
            found = _TEMPLATES.get(shared)
            if found is None:
                slots, _ = self.slots(op, operands, kinds)
                written = _WRITTEN_OUT.get(op)
                expression = None if written is None else _evaluate(written[0], *slots)
                if expression is None:
                    expression = _evaluate(op.forward, *slots)
                symbol = _Symbol(self.call(op.forward, slots)) if expression is None else _symbol(expression)
                found = _TEMPLATES[shared] = _template(symbol, len(slots))
            self.templates[(op, *key)] = found
        return found

    def local_templates(self, op: Operation, operands: tuple[Value | float, ...]) -> list[_Template]:
        """``op``'s local derivatives towards its Value operands (aligned with ``node.parents``), on placeholders
        for the operands (names, or folded numbers) and, last, the output's name."""
        # The key: each operand's binding strength, a Value's marked apart (None), and for the forms written out
        # by hand, the folded number itself.
        kinds = tuple(self.literal(o)[1] if o.__class__ is float else None for o in operands)
        folded = kinds.count(None) != len(kinds)
        exact = folded and op in _WRITTEN_OUT
        numbers = tuple(self.literal(o)[0] for o in operands if exact and o.__class__ is float)
        shape: object = ("local", op, kinds, numbers) if folded else op
        found: list[_Template] | None = self.templates.get(shape)
        if found is None:
            shared = ("local", shape, self.functions[op.local_grads])
            found = _TEMPLATES.get(shared)
        if found is None:
            slots, _ = self.slots(op, operands, [_ATOM if k is None else k for k in kinds])
            slots.append(_Symbol(f"{{{len(operands)}}}"))
            written = _WRITTEN_OUT.get(op)
            formula: Any = None if written is None else _evaluate(written[1], *slots)
            if formula is None:
                formula = _evaluate(op.local_grads, *slots)
            if formula is None:  # the formula branches on its numbers: call it
                call = self.call(op.local_grads, slots)
                formula = _Symbol(call) if op.arity == 1 else (_Symbol(f"{call}[0]"), _Symbol(f"{call}[1]"))
            derivatives = [formula] if op.arity == 1 else list(formula)
            found = _TEMPLATES[shared] = [
                _template(_symbol(d), len(slots))
                for d, o in zip(derivatives, operands, strict=True)
                if o.__class__ is not float
            ]
        self.templates[shape] = found
        return found

    # --- the two sweeps ---------------------------------------------------------------------------------

    def backward(self) -> list[str]:
        """The chain rule as code: the eager sweep (``backward.edges``), written out edge by edge.

        Nodes in reversed topological order, each passing its gradient to its inputs in operand order;
        each contribution is the local derivative times the node's gradient, as the eager sweep computes
        it; a node's first contribution is assigned, the next ones added, and a parameter's are all added
        to the total it came in with. Only edges towards a parameter are written: the rest cannot change
        a gradient. (The loop is ``edges()`` unrolled into text, for speed; the tests compare every
        number with the eager engine's, bit for bit, on random graphs.)
        """
        traced, names, uses, needed, operands_of = self.traced, self.names, self.uses, self.needed, self.operands
        cache, literal, need = self.templates, self.literal, needed.add
        by_number: dict[tuple[object, ...], list[_Template]] = {}
        parameters = set(self.parameters)
        leads = set(parameters)  # the nodes a parameter's gradient is passed through
        lead = leads.add
        for node in traced.order:
            x = node._x
            if x is not None and (x in leads or node._y in leads):
                lead(node)
        gradient: dict[Value, str] = {p: f"d_{names[p]}" for p in parameters}  # each gradient so far: a bare name
        lines: list[str] = []
        append = lines.append
        output = traced.output
        if output in parameters:
            append(f"{gradient[output]} += seed")
        gradient[output] = "seed"
        for node in reversed(traced.order):
            if node not in leads:
                continue
            op = node._op
            if op is None:
                continue
            upstream = gradient[node]
            operands = operands_of[node]
            if len(operands) == 1 or (operands[0].__class__ is not float and operands[1].__class__ is not float):
                templates = cache.get(op) or self.local_templates(op, operands)  # no folded number: one per operation
            else:  # one folded number: remembered by the number itself (not 0.0, which equals -0.0 as a key)
                number = operands[0] if operands[0].__class__ is float else operands[1]
                key = (op, number is operands[0], number)
                templates = by_number.get(key) if number else None
                if templates is None:
                    templates = self.local_templates(op, operands)
                    if number:
                        by_number[key] = templates
            texts: list[str] | None = None
            position = -1
            for parent in operands:
                if parent.__class__ is float:
                    continue
                position += 1
                if parent not in leads:
                    continue
                template = templates[position]
                alone = template.alone
                if alone >= 0:  # one operand, or the output: the other factor of a product, say
                    read = operands[alone] if alone < len(operands) else node
                    if read.__class__ is float:
                        contribution = f"{literal(read)[0]} * {upstream}"
                    else:
                        need(read)  # type: ignore[arg-type]
                        contribution = f"{names[read]} * {upstream}"  # type: ignore[index]
                elif template.text == "1.0":
                    contribution = upstream  # 1.0 * x is x, bit for bit: the node's gradient itself, a bare name
                    if uses[parent] == 1 and parent not in gradient and not parent.label:
                        gradient[parent] = contribution  # its one contribution, a bare name: no line
                        continue
                else:
                    local = template.text
                    if template.reads:
                        if texts is None:
                            texts = [
                                literal(o)[0] if o.__class__ is float else names[o]  # type: ignore[index]
                                for o in operands
                            ]
                            texts.append(names[node])
                        local = local.format(*texts)
                        for slot in template.reads:
                            read = operands[slot] if slot < len(operands) else node
                            if read.__class__ is not float:
                                need(read)  # type: ignore[arg-type]
                    if template.precedence < _PRODUCT:
                        local = f"({local})"
                    contribution = f"{local} * {upstream}"
                total = gradient.get(parent)
                if total is not None:
                    append(f"{total} += {contribution}")
                else:
                    name = gradient[parent] = f"d_{names[parent]}"
                    append(f"{name} = {contribution}")
        return lines

    def forward(self) -> list[str]:
        """One line per node; an unlabelled node used once, and read by no derivative, is written into its user."""
        traced, names, needed, uses, operands_of = self.traced, self.names, self.needed, self.uses, self.operands
        templates, literal, known = self.templates, self.literal, self.literals.get  # (0.0 is never known)
        arguments = {*self.parameters, *self.data}
        symbols: dict[Value, tuple[str, int]] = {}  # each node's text in the code: its name, or its expression
        lines: list[str] = []
        append = lines.append
        for node in traced.forward_order:
            op = node._op
            if op is None:
                name = names[node]
                symbols[node] = (name, _ATOM)
                if node in arguments:
                    continue
                label = node.label
                comment = _comment(label) if label != name else ""
                detached = traced.detached.get(node)
                if detached is None:  # a constant of the replay
                    append(f"{name} = {_literal(node.data).text}{comment}")
                else:  # recomputed from the replayed numbers: no gradient flows through it
                    function, sources = detached
                    reads = ", ".join(symbols[s][0] if isinstance(s, Value) else _literal(s).text for s in sources)
                    append(f"{name} = {self.functions[function]}([{reads}]){comment}")
                continue
            operands = operands_of[node]
            if len(operands) == 1:
                a, a_binds = symbols[operands[0]]  # type: ignore[index]
                template = templates.get((op, a_binds)) or self.forward_template(op, operands, (a_binds,))
                pattern = template.pattern
                expression = pattern % a if pattern is not None else template.text.format(a)
            else:
                x, y = operands
                a, a_binds = (known(x) or literal(x)) if x.__class__ is float else symbols[x]  # type: ignore
                b, b_binds = (known(y) or literal(y)) if y.__class__ is float else symbols[y]  # type: ignore
                template = templates.get((op, a_binds, b_binds)) or self.forward_template(
                    op, operands, (a_binds, b_binds)
                )
                pattern = template.pattern
                expression = pattern % (a, b) if pattern is not None else template.text.format(a, b)
            label = node.label
            if not label and uses.get(node) == 1 and node not in needed and len(expression) <= _MAX_INLINE:
                symbols[node] = (expression, template.precedence)
            else:
                name = names[node]
                append(f"{name} = {expression}{_comment(label) if label != name else ''}")
                symbols[node] = (name, _ATOM)
        return lines


# --- tracing: run f, recording the graph and the numbers it took from outside the engine --------------------


class _Recording:
    """What a trace sees besides the graph: the order f made its nodes, and its ``detached`` numbers."""

    def __init__(self, watched: Sequence[Value] | None) -> None:
        self.made: list[Value] = []
        self.detached: dict[Value, tuple[Callable[[list[float]], float], tuple[Value | float, ...]]] = {}
        self.watched = set(watched or ())  # the parameters and data: a result frozen from them is refused
        self.known: dict[Value, bool] = {}  # whether a value depends on them, for those asked about

    def note_detached(
        self, leaf: Value, function: Callable[[list[float]], float], sources: tuple[Value | float, ...]
    ) -> None:
        self.made.append(leaf)
        self.detached[leaf] = (function, sources)

    def depends(self, value: Value) -> bool:
        """Whether ``value`` is computed from the parameters or data (through ``detached`` numbers too)."""
        found = self.known.get(value)
        if found is None:
            found = False
            for node in topological_order(value):
                reads = self.detached.get(node, (None, ()))[1]
                if node in self.watched or any(self.depends(s) for s in reads if isinstance(s, Value)):
                    found = True
                    break
            self.known[value] = found
        return found


_recording: ContextVar[_Recording | None] = ContextVar("autograd_compile_recording", default=None)


def detached(function: Callable[[list[float]], float], values: Iterable[Value | float]) -> Value | float:
    """``function`` of the values' numbers (a list): a constant to the graph, which a replay recomputes.

    No gradient flows through it, as through ``torch``'s ``.detach()``. Eagerly
    it is the plain number ``function([v.data for v in values])``, folded into
    the operations that use it like any number, so the graph is the one a plain
    ``max(...)`` would make. While ``compile`` traces ``f``, it is a leaf Value
    standing for that number, and the replay calls ``function`` on each call's
    numbers: the largest logit (``detached(max, logits)``, which a stable
    log-sum-exp subtracts) follows the data instead of being frozen. The
    arithmetic is the same either way. ``function`` must be pure.
    """
    sources: tuple[Value | float, ...] = tuple(values)
    numbers = []
    for position, source in enumerate(sources):
        number = source.data if isinstance(source, Value) else _as_number(source)
        if number is None:
            raise TypeError(f"detached: value {position} must be a Value or a number, not {type(source).__name__}")
        numbers.append(number)
    result = function(numbers)
    number = _as_number(result)
    if number is None:
        raise TypeError(f"detached: {function!r} must return a number, not {type(result).__name__}: {result!r}")
    recording = _recording.get()
    if recording is None:
        return number
    leaf = Value(number)
    recording.note_detached(leaf, function, sources)
    return leaf


@dataclass
class _Traced:
    """One run of f: its output (and aux values), the sweep's order, and every node the code computes."""

    output: Value
    aux: list[Value]
    has_aux: bool
    order: list[Value]  # topological_order(output): the eager sweep's order
    forward_order: list[Value]  # every node the replay computes, in the order f made them
    detached: dict[Value, tuple[Callable[..., float], tuple[Value | float, ...]]]


def _trace(f: Callable[[], Any], outer: Mode, watched: Sequence[Value] | None, has_aux: bool) -> _Traced:
    """Run ``f`` recording its graph, under the caller's checks.

    The forward order is the order ``f`` made its nodes (after the leaves and results it found made): a
    topological order that also puts each ``detached`` number after the values it reads, and meets the
    error ``f`` would meet first. With ``watched`` (the parameters and data), a result computed from them
    under no_grad() is refused: the replay would reuse its traced number.
    """
    recording = _Recording(watched)
    made, mode, outer_check = recording.made, _mode.get, outer.check
    note = made.append

    def check(node: Value, operands: tuple[float, ...]) -> None:
        if outer_check is not None:
            outer_check(node, operands)
        note(node)
        if not mode().record and watched is not None and any(recording.depends(p) for p in node.parents):
            raise GraphError(
                f"compile: f computes {node.op!r} from the parameters or data under no_grad(); a replay "
                "would reuse the traced number instead of recomputing it"
            )

    token = _recording.set(recording)
    try:
        with using_mode(Mode(record=True, check=check, check_gradients=outer.check_gradients)):
            result = f()
    finally:
        _recording.reset(token)
    output, aux = _returned(result, has_aux)
    order = topological_order(output)
    every, seen = list(order), set(order)
    pending: list[object] = [
        *aux,
        *(s for leaf, (_, reads) in recording.detached.items() if leaf in seen for s in reads),
    ]
    while pending:  # the aux values and the numbers detached reads, when the output does not need them itself
        root = pending.pop()
        if isinstance(root, Value) and root not in seen:
            for node in topological_order(root):
                if node not in seen:
                    seen.add(node)
                    every.append(node)
                    pending.extend(recording.detached.get(node, (None, ()))[1])
    made_by_f = set(made)
    forward_order = [*filterfalse(made_by_f.__contains__, every), *filter(seen.__contains__, made)]
    return _Traced(output, aux, has_aux, order, forward_order, recording.detached)


def _returned(result: object, has_aux: bool) -> tuple[Value, list[Value]]:
    """f's output (and, with ``has_aux``, the Values it reports beside it)."""
    if has_aux:
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise GraphError(
                f"compile: with has_aux=True, f must return (output, values), not {_shorten(repr(result))}"
            )
        output, aux = result
        aux = list(aux)
        for position, value in enumerate(aux):
            if not isinstance(value, Value):
                raise GraphError(f"compile: aux value {position} must be a Value, not {type(value).__name__}")
    else:
        output, aux = result, []
    if not isinstance(output, Value):
        raise GraphError(f"compile: f must return a Value, not {type(output).__name__}: {_shorten(repr(output))}")
    return output, aux


# --- the eager paths: the traced graph rebuilt by the engine, or f itself -------------------------


class _Step(NamedTuple):
    """One node of the traced graph: enough to compare a new graph with it, and for the engine to make it again."""

    operation: Operation | None  # None for a leaf
    operands: tuple[int | float, ...]  # in operand order: an int is an earlier step's index, a float a folded number;
    # for a leaf, (its position among the call's numbers,) or () for a constant; for detached, what it reads
    label: str
    data: float  # the traced number (a constant keeps it; an input gets each call's number)
    detached: Callable[..., float] | None = None  # the function of a ``detached`` number


def _program(
    traced: _Traced,
    inputs: Sequence[Value],
    labels: Sequence[str] | None = None,
    numbers: Sequence[float] | None = None,
) -> list[_Step]:
    """The graph as steps, one per node, in the forward order (the order f made them).

    ``labels`` and ``numbers``: the nodes' labels and numbers as they were when traced (default: as they are).
    """
    order = traced.forward_order
    labels = list(map(attrgetter("label"), order)) if labels is None else labels
    numbers = list(map(attrgetter("data"), order)) if numbers is None else numbers
    index = {node: position for position, node in enumerate(order)}
    position_of_input = {leaf: position for position, leaf in enumerate(inputs)}
    steps = []
    for node, label, number in zip(order, labels, numbers, strict=True):
        op = node._op
        if op is not None:
            operands = tuple(index[o] if isinstance(o, Value) else o for o in node.operands())
            steps.append(_Step(op, operands, label, number))
        elif node in traced.detached:
            function, sources = traced.detached[node]
            reads = tuple(index[s] if isinstance(s, Value) else float(s) for s in sources)
            steps.append(_Step(None, reads, label, number, function))
        else:
            where = position_of_input.get(node)
            steps.append(_Step(None, () if where is None else (where,), label, number))
    return steps


def _shape(step: _Step) -> tuple[object, ...]:
    """What must not change between the trace and a rerun of f: operations, wiring, constants (bit for bit)."""
    operands = tuple(o if isinstance(o, int) else _bits(o) for o in step.operands)
    if step.detached is not None:
        return ("detached", step.detached, *operands)
    if step.operation is None and not step.operands:
        return (None, _bits(step.data))
    return (step.operation, *operands)


def _describe(step: _Step) -> str:
    if step.detached is not None:
        return f"detached({getattr(step.detached, '__name__', step.detached)!s}) of nodes {step.operands}"
    if step.operation is None:
        return f"input {step.operands[0]}" if step.operands else f"the constant {step.data!r}"
    operands = ", ".join(f"node {o}" if isinstance(o, int) else repr(o) for o in step.operands)
    return f"{step.operation.name} of ({operands})"


def _rebuild(program: list[_Step], numbers: Sequence[float]) -> tuple[list[Value], list[Value]]:
    """The traced graph made again by the engine's own operations, on fresh leaves: inputs at ``numbers``.

    Nothing the caller shares is read or written; the engine's errors and checks (``detect_anomaly()``)
    come out of its own operations, naming the operation and the labels.
    """
    inputs = [Value(number) for number in numbers]
    methods: dict[Operation, Callable[..., Value]] = {}
    nodes: list[Value] = []
    for step in program:
        op = step.operation
        if step.detached is not None:
            node = Value(
                step.detached([nodes[o].data if isinstance(o, int) else o for o in step.operands])
            )  # a leaf, as traced
        elif op is None:
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
    return nodes, inputs


def _sweep(output: Value, parameters: Sequence[Value], seed: float, totals: Sequence[float]) -> list[float]:
    """The engine's own sweep (``edges()``), from ``seed`` at the output, adding into the running ``totals``."""
    order = topological_order(output)
    check = _mode.get().check_gradients
    if check is not None:  # under detect_anomaly(): a NaN or infinite gradient raises here
        check(order, False)
    gradients: dict[Value, Any] = dict(zip(parameters, totals, strict=True))
    gradients[output] = gradients[output] + seed if output in gradients else seed
    for _ in edges(order, gradients):
        pass
    return [gradients[parameter] for parameter in parameters]


_FLOATS = frozenset([float])
_NUMBER = attrgetter("data")

# One lock for every compiled function: held while a checked call has put its numbers into the inputs, and
# while any call reads the inputs' numbers, so no call ever sees another call's numbers.
_INPUTS_LOCK = threading.RLock()


class _Floats(tuple[float, ...]):
    """Numbers already checked to be floats (what a replay returns, or ``numbers()``): not checked again."""

    __slots__ = ()


# --- the public API --------------------------------------------------------------


class CompiledGradient:
    """``f``'s output and gradient with respect to ``parameters``, replayed from straight-line code.

    Call it with one number per parameter (or none, to use their current
    ``.data``) and ``data=`` one number per placeholder (or none, likewise); it
    returns ``(output, [d output / d parameter, ...])`` (and, with
    ``has_aux``, the aux values' numbers third), floats, computed in floats
    whatever numbers it is given (ints, numpy scalars and Fractions are
    converted as ``Value(...)`` converts them). ``accumulate`` adds the
    gradients into running totals instead (see the module's docstring).
    """

    def __init__(
        self,
        f: Callable[[], Any],
        parameters: Sequence[Value],
        data: Sequence[Value],
        traced: _Traced,
        source: str,
        namespace: dict[str, object],
        check: bool,
    ) -> None:
        self.f = f
        self.parameters = tuple(parameters)
        self.data = tuple(data)
        self.has_aux = traced.has_aux
        self.source = source
        self.check = check
        # The graph's steps are made when first needed (check=True, detect_anomaly(), a failing call) from the
        # traced nodes, whose records cannot change, and their labels and numbers as they were when traced.
        self._traced = traced
        self._snapshot = (
            list(map(attrgetter("label"), traced.forward_order)),
            list(map(attrgetter("data"), traced.forward_order)),
        )
        self._steps: list[_Step] | None = None
        reached = list(map(set(traced.order).__contains__, parameters))
        # A reached parameter's total starts at -0.0, the sum's identity (-0.0 + x is x, -0.0 included): a call's
        # gradients are then its contributions' sum itself; an unreached one stays 0.0, as grad() gives.
        self._identity = _Floats(map((0.0, -0.0).__getitem__, reached))
        self.unreached = frozenset(compress(range(len(reached)), map(operator.not_, reached)))
        code = builtins.compile(source, "<autograd.compile>", "exec")
        exec(code, namespace)
        self._replay: Callable[..., Any] = namespace["replay"]  # type: ignore[assignment]

    @property
    def _program(self) -> list[_Step]:
        """The traced graph as steps, for the engine to rebuild or to compare (made once, when first needed)."""
        if self._steps is None:
            self._steps = _program(self._traced, [*self.parameters, *self.data], *self._snapshot)
        return self._steps

    def _program_index(self, node: Value) -> int:
        return self._traced.forward_order.index(node)

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The parameters (the name ``compile``'s second argument had before data existed)."""
        return self.parameters

    def numbers(self) -> tuple[float, ...]:
        """The parameters' current numbers, already checked: pass them to every ``accumulate`` of a batch."""
        with _INPUTS_LOCK:
            return _Floats(map(_NUMBER, self.parameters))

    def __call__(self, *numbers: float, data: Sequence[float] | None = None) -> Any:
        if data is None and not self.data and not self.check and _mode.get() is RECORD:  # the common call, direct
            plain = numbers if numbers else self.numbers()
            if len(plain) == len(self.parameters) and (
                plain.__class__ is _Floats or _FLOATS.issuperset(map(type, plain))
            ):
                try:
                    return self._replay(plain, (), 1.0, self._identity)
                except (ArithmeticError, ValueError):
                    pass  # the full path replays again, then has the engine raise its own error
        given = bool(numbers) or data is not None
        values, data_values = self._inputs(numbers or None, data)
        return self._run(values, data_values, 1.0, self._identity, given)  # the gradients: a new list

    def accumulate(
        self,
        gradients: Sequence[float],
        *,
        numbers: Sequence[float] | None = None,
        data: Sequence[float] | None = None,
        seed: float = 1.0,
    ) -> Any:
        """``(output, totals[, aux])``: ``gradients`` plus ``seed`` * d(output)/d(parameter), added edge by edge.

        As one ``backward()`` through a sum of outputs adds them: a sample's loss that
        reaches a minibatch's mean gets ``seed`` = 1/B, and the totals of sample after
        sample are the minibatch's gradients to the last bit. Start the totals at -0.0,
        "no gradient yet" (-0.0 + g is g, bit for bit, as the sweep assigns a first
        contribution); ``backward.accumulate`` then adds them into ``.grad`` as ``backward()``
        does. ``numbers``: the parameters' (default: their ``.data``; ``numbers()`` gives
        them checked once).
        """
        result = self._direct(numbers, data, seed, gradients)
        if result is not None:
            return (result[0], _Floats(result[1]), *result[2:])
        totals = _checked(gradients, len(self.parameters), "gradient", "running totals")
        values, data_values = self._inputs(numbers, data)
        number = _as_number(seed, "seed") if seed.__class__ is not float else seed
        if number is None:
            raise TypeError(f"compiled function: seed must be an int or a float, not {type(seed).__name__}")
        given = numbers is not None or data is not None
        output, new_totals, *aux = self._run(values, data_values, number, totals, given)
        return (output, _Floats(new_totals), *aux)

    def output(self, *, numbers: Sequence[float] | None = None, data: Sequence[float] | None = None) -> Any:
        """The output's number (with ``has_aux``, ``(output, aux)``) at these numbers, as a call computes it."""
        result = self._direct(numbers, data, 1.0, self._identity)
        if result is None:
            values, data_values = self._inputs(numbers, data)
            given = numbers is not None or data is not None
            result = self._run(values, data_values, 1.0, self._identity, given)
        return (result[0], *result[2:]) if self.has_aux else result[0]

    def _direct(
        self, numbers: Sequence[float] | None, data: Sequence[float] | None, seed: object, totals: Sequence[float]
    ) -> tuple[Any, ...] | None:
        """The common call, replayed without a step between: floats for every number (the parameters' own when
        ``numbers`` is None; no data, or floats), no ``check``, no ``detect_anomaly()``. None for any other call,
        and for a call that fails: the full path (``_inputs``, ``_run``) then converts, refuses or explains."""
        if data is None:
            if self.data:
                return None  # the placeholders' numbers, read under the lock with the parameters': the full path
            data = ()
        if numbers is None:
            numbers = self.numbers()
        count = len(self.parameters)
        if (
            seed.__class__ is float
            and _plain(numbers, count)
            and _plain(data, len(self.data))
            and _plain(totals, count)
            and not self.check
            and _mode.get() is RECORD
        ):
            try:
                result: tuple[Any, ...] = self._replay(numbers, data, seed, totals)
            except (ArithmeticError, ValueError):
                return None
            return result
        return None

    def _inputs(
        self, numbers: Sequence[float] | None, data: Sequence[float] | None
    ) -> tuple[Sequence[float], Sequence[float]]:
        """The call's numbers for the parameters and the data: given, else the leaves' own (read under the lock)."""
        if numbers is None or data is None:
            with _INPUTS_LOCK:
                if numbers is None:
                    numbers = _Floats([p.data for p in self.parameters])
                if data is None:
                    data = _Floats([v.data for v in self.data])
        return (
            _checked(numbers, len(self.parameters), "input", "input numbers"),
            _checked(data, len(self.data), "data", "data numbers"),
        )

    def _run(
        self, numbers: Sequence[float], data: Sequence[float], seed: float, totals: Sequence[float], given: bool
    ) -> tuple[Any, ...]:
        if self.check:
            return self._run_f(numbers, data, seed, totals, given)
        mode = _mode.get()
        if mode is not RECORD and (mode.check is not None or mode.check_gradients is not None):
            return self._run_engine(numbers, data, seed, totals, mode)  # detect_anomaly(): the engine's own checks
        try:  # the replay needs no recording: it runs under no_grad() too, as torch.func.grad does
            result: tuple[Any, ...] = self._replay(numbers, data, seed, totals)
        except (ArithmeticError, ValueError) as failure:  # the engine's own error, naming the operation
            self._run_engine(numbers, data, seed, totals, mode)
            raise GraphError(f"compiled replay failed ({failure!r}) where the engine did not") from failure
        return result

    def _run_engine(
        self, numbers: Sequence[float], data: Sequence[float], seed: float, totals: Sequence[float], mode: Mode
    ) -> tuple[Any, ...]:
        """The traced graph rebuilt by the engine on fresh leaves, under the caller's checks: f is not called."""
        with using_mode(replace(mode, record=True)):
            nodes, leaves = _rebuild(self._program, [*numbers, *data])
            output = nodes[self._program_index(self._traced.output)]
            gradients = _sweep(output, leaves[: len(self.parameters)], seed, totals)
            return self._result(output, gradients, [nodes[self._program_index(v)] for v in self._traced.aux])

    def _result(self, output: Value, gradients: list[float], aux: list[Value]) -> tuple[Any, ...]:
        return (output.data, gradients, [v.data for v in aux]) if self.has_aux else (output.data, gradients)

    def _run_f(
        self, numbers: Sequence[float], data: Sequence[float], seed: float, totals: Sequence[float], given: bool
    ) -> tuple[Any, ...]:
        """``check=True``: run ``f`` itself, so its Python branches run, and compare its graph with the trace.

        ``f`` reads its numbers from the parameters and placeholders. Called without numbers, or with their
        own, nothing is written. Called with other numbers, they are put into those leaves for the length of
        the call and then put back, under the one lock every compiled function's call takes to read them, so
        compiled calls never see each other's numbers. Other code in another thread meanwhile is not locked
        out: it reads the call's numbers in the leaves' ``.data``, and a number it writes there is put back over.
        """
        leaves = [*self.parameters, *self.data]
        wanted = [*numbers, *data]
        with _INPUTS_LOCK:
            saved = [leaf.data for leaf in leaves]
            write = given and any(_bits(a) != _bits(b) for a, b in zip(saved, wanted, strict=True))
            try:
                if write:
                    for leaf, number in zip(leaves, wanted, strict=True):
                        leaf.data = number
                traced = _trace(self.f, _mode.get(), None, self.has_aux)
                with using_mode(replace(_mode.get(), record=True)):
                    gradients = _sweep(traced.output, self.parameters, seed, totals)
            finally:
                if write:
                    for leaf, number in zip(leaves, saved, strict=True):
                        leaf.data = number
        difference = _first_difference(self._program, _program(traced, leaves))
        if difference is not None:
            raise GraphError(
                f"compiled function: f built a different graph than when it was compiled ({difference}); "
                "a replay would be wrong. Keep Python branches on .data out of f, or compile again."
            )
        return self._result(traced.output, gradients, traced.aux)


def _plain(values: object, count: int) -> bool:
    """``values`` are ``count`` floats (exactly: a subclass is converted) in a tuple or a list: used as they are."""
    kind = values.__class__
    return (
        (kind is _Floats or ((kind is tuple or kind is list) and _FLOATS.issuperset(map(type, values))))  # type: ignore[call-overload]
        and len(values) == count  # type: ignore[arg-type]
    )


def _checked(values: Sequence[object], count: int, role: str, what: str) -> Sequence[float]:
    """``values`` as floats, converted and refused as ``Value(...)`` does, naming the position (``input 1``)."""
    if type(values) is _Floats and len(values) == count:
        return values
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"compiled function: {what} must be a sequence of numbers, not {type(values).__name__}")
    if not isinstance(values, Sequence):  # a numpy array, say: its items, once
        values = list(values)
    if len(values) != count:
        raise TypeError(f"this compiled function takes {count} {what}, got {len(values)}")
    if _FLOATS.issuperset(map(type, values)):
        return values  # type: ignore[return-value]
    return _numbers(values, role)


def _numbers(values: Sequence[object], role: str) -> list[float]:
    """The call's numbers as floats, converted and refused as ``Value(...)`` does, naming the position."""
    numbers = []
    for position, value in enumerate(values):
        try:
            number = _as_number(value)
        except NumericOverflowError:
            raise NumericOverflowError(f"compiled function: {role} {position} is too large for a float") from None
        if number is None:
            raise TypeError(
                f"compiled function: {role} {position} must be an int or a float, not {type(value).__name__}: "
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


def compile(
    f: Callable[[], Any],
    parameters: Sequence[Value],
    *,
    data: Sequence[Value] = (),
    has_aux: bool = False,
    check: bool = False,
) -> CompiledGradient:
    """Trace ``f()`` once and return a replay of its output and its gradient with respect to ``parameters``.

    ``f`` takes no arguments and builds its result from ``parameters`` (leaf
    Values, such as a model's parameters) and ``data`` (leaf Values standing
    for numbers that change on every call and need no gradient: a sample).
    ``has_aux=True``: ``f`` returns ``(output, values)`` and every call also
    returns the numbers of those Values (a model's outputs, say). ``check=True``
    reruns ``f`` eagerly on every call, at the call's numbers, and raises
    GraphError if its graph ever differs from the traced one (for debugging;
    it is as slow as the eager engine).
    """
    parameters, data = list(parameters), list(data)
    _check_leaves(parameters, data)
    traced = _trace(f, _mode.get(), [*parameters, *data], has_aux)
    with _collector_paused():
        writer = _Writer(traced, parameters, data)
        source = writer.write()
        return CompiledGradient(f, parameters, data, traced, source, writer.namespace, check)


def _check_leaves(parameters: list[Value], data: list[Value]) -> None:
    """Refuse what is not a leaf Value, or appears twice, naming its role and position."""
    every = [*parameters, *data]
    if len(set(map(id, every))) != len(every):
        duplicated = True
    elif set(map(type, every)) <= {Value} and not any(map(attrgetter("_op"), every)):
        return  # the common case, checked at once
    else:
        duplicated = False
    for role, leaves in (("input", parameters), ("data", data)):
        for position, leaf in enumerate(leaves):
            if not isinstance(leaf, Value):
                raise GraphError(f"compile: {role} {position} must be a Value, not {type(leaf).__name__}: {leaf!r}")
            if not leaf.is_leaf:
                raise GraphError(
                    f"compile: {role} {position} ({leaf!r}) was made by {leaf.op!r}; parameters and data must be leaves"
                )
    if duplicated:
        raise GraphError("compile: the same Value appears twice among the parameters and data")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the code is written and compiled (``f`` has run by then).

    Writing makes millions of small tuples and strings that form no cycle: the collector would walk them,
    and every dict of the graph, again and again, for a quarter of the time on a large graph. It is
    switched back on after, unless it was off already.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
