"""Tracing ``f`` for ``compile``: its graph in the order f made it, its ``detached`` numbers, and that graph
as steps the engine can rebuild or compare (the eager paths: ``check=True``, ``detect_anomaly()``, a failing call).

What a replay assumes, and how these guard it, is explained in ``autograd/replay/compile.py``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import filterfalse
from operator import attrgetter
from typing import Any, NamedTuple

from ..anomaly import check_edge
from ..backward import edges, topological_order
from ..errors import GraphError
from ..grad_mode import Mode, _mode, using_mode
from ..value import Operation, Value, _as_number, _binary_method, _unary_method, not_values

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

    def check(node: Value) -> None:
        if outer_check is not None:
            outer_check(node)
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
        if not_values(aux):
            raise GraphError(
                f"compile: with has_aux=True, f must return (output, values), where values {not_values(aux)}"
            )
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
    gradients: dict[Value, Any] = dict(zip(parameters, totals, strict=True))
    gradients[output] = gradients[output] + seed if output in gradients else seed
    if _mode.get().check_gradients is None:
        for _ in edges(order, gradients):
            pass
    else:  # under detect_anomaly(): the gradients of this seed and these totals, checked edge by edge
        for edge in edges(order, gradients):
            check_edge(edge)
    return [gradients[parameter] for parameter in parameters]


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
