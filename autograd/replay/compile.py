"""Compiled replay: trace a computation once, then rerun it as straight-line Python.

``compile(f, parameters)`` calls ``f()`` once, records the graph it builds,
and writes that graph out as one Python function: a forward sweep (one line
per operation; a short result used once is written into its user) and a
backward sweep (one line per gradient: its edges' contributions added in the
order the eager sweep adds them).
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

The work is in these files: ``tracing.py`` records ``f``'s graph (and
rebuilds it on the engine for the eager paths below), ``codegen.py`` writes
it as source, ``cache.py`` keeps that code for graphs of the same structure
(a second ``compile`` of such a graph only traces it; the constants are the
code's globals, set for each graph, so graphs differing only in them share
it), and this file makes the replay and calls it. ``javascript.py`` is the
generator's second target: ``.javascript``, the same replay as a JavaScript
function. A small graph without data also gets its own ``__call__``, written
beside ``replay``, for the commonest call, ``replay(w1, w2, ...)`` with
floats: it checks each number is a float itself (anything else goes the
checked way below) and starts its sweep as ``backward()`` does, from 1.0
with no totals, so its numbers are the general code's to the bit
(``.source`` shows ``replay``); no Python step stands between the call and
the arithmetic.

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
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import replace
from itertools import compress
from operator import attrgetter
from types import CodeType
from typing import Any

from ..errors import GraphError, NumericOverflowError
from ..grad_mode import RECORD, Mode, _mode, _mode_now, using_mode
from ..value import Value, _as_number, not_values
from .cache import Entry, code_cache, structure
from .codegen import _Writer
from .javascript import javascript
from .tracing import _bits, _first_difference, _program, _rebuild, _shorten, _Step, _sweep, _trace, _Traced, detached

__all__ = ["CompiledGradient", "compile", "detached"]

_FLOATS = frozenset([float])
# A graph without data and of at most this many operations also gets its own ``__call__``, the replay of a plain
# call (see ``_Writer.write_call``): it saves about 0.3 us a call, which is a step's time on such graphs, while on
# a larger one it would be a few per cent of the call for twice the code to write and compile.
_CALL_LIMIT = 32
_MISSING = object()  # a parameter's number not given to a graph's own ``__call__``
_NUMBER = attrgetter("data")

# One lock for every compiled function: held while a checked call has put its numbers into the inputs, and
# while any call reads the inputs' numbers, so no call ever sees another call's numbers.
_INPUTS_LOCK = threading.RLock()


class _Floats(tuple[float, ...]):
    """Numbers already checked to be floats (what a replay returns, or ``numbers()``): not checked again."""

    __slots__ = ()


_NO_DATA = _Floats()  # a call's data when the replay takes none


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
        replay: Callable[..., Any],
        code: str,
        check: bool,
    ) -> None:
        self.f = f
        self.parameters = tuple(parameters)
        self.data = tuple(data)
        self.has_aux = traced.has_aux
        self.check = check
        # The graph's steps are made when first needed (check=True, detect_anomaly(), a failing call) from the
        # traced nodes, whose records cannot change, and their labels and numbers as they were when traced.
        self._traced = traced
        self._snapshot = (
            list(map(attrgetter("label"), traced.forward_order)),
            list(map(attrgetter("data"), traced.forward_order)),
        )
        self._steps: list[_Step] | None = None
        self._javascript: str | None = None
        reached = list(map(set(traced.order).__contains__, parameters))
        # A reached parameter's total starts at -0.0, the sum's identity (-0.0 + x is x, -0.0 included): a call's
        # gradients are then its contributions' sum itself; an unreached one stays 0.0, as grad() gives.
        self._identity = tuple(map((0.0, -0.0).__getitem__, reached))  # (a plain tuple: the replay unpacks it fastest)
        self.unreached = frozenset(compress(range(len(reached)), map(operator.not_, reached)))
        self._replay = replay
        self._plain_count = -1 if self.data else len(self.parameters)  # a call with this many numbers may go lean
        self.code = code  # the source of the code that runs: ``.source`` with its constants read as globals
        self._source: str | None = None

    @property
    def source(self) -> str:
        """The replay as Python source, as it reads for this graph: its labels name the variables, its constants
        are numbers. (The code that runs is the same but for its constants, read from ``constants`` so that graphs
        of one structure share it: see ``autograd/replay/cache.py``.) Written when first asked for."""
        if self._source is None:
            with _collector_paused():
                self._source = _Writer(self._traced, self.parameters, self.data).write()
        return self._source

    @property
    def javascript(self) -> str:
        """The replay as JavaScript: the source of ``function replay(parameters, data, seed, gradients)``, with the
        same arguments and results as ``.source``'s (arrays for the sequences; it returns ``[output, gradients]``,
        or ``[output, gradients, aux]``). An operation out of its domain throws the engine's error: an ``Error``
        whose ``name`` is the engine's class and ``message`` its message. Written when first asked for."""
        if self._javascript is None:
            self._javascript = javascript(self._traced, self.parameters, self.data)
        return self._javascript

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
        if data is None and not self.check and _mode_now() is RECORD:  # no data, no check, no anomaly mode
            try:  # the lean path: one float per parameter, the replay at once (None for any other numbers)
                result = self._plain_call(*numbers)
            except (ArithmeticError, ValueError, TypeError):  # (too many numbers: a TypeError, named below)
                result = None  # the full path below runs the engine, whose error names the operation
            if result is not None:
                return result
        result = self._direct(numbers or None, data, 1.0, self._identity)
        if result is not None:
            return result
        given = bool(numbers) or data is not None
        values, data_values = self._inputs(numbers or None, data)
        return self._run(values, data_values, 1.0, self._identity, given)  # the gradients: a new list

    def _plain_call(self, *numbers: float) -> Any:
        """The general replay of a call of one float per parameter (no data), from fresh totals; else None."""
        if len(numbers) == self._plain_count and _FLOATS.issuperset(map(type, numbers)):
            return self._replay(numbers, _NO_DATA, 1.0, self._identity)
        return None

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
            data = _NO_DATA
        if numbers is None:
            numbers = self.numbers()
        count = len(self.parameters)
        if (
            seed.__class__ is float
            and _plain(numbers, count)
            and (data is _NO_DATA or _plain(data, len(self.data)))
            and (totals is self._identity or _plain(totals, count))  # (a call's own zeros: floats already)
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


# What a graph's own ``__call__`` reads besides its numbers and constants (see ``_Writer.write_call``).
_CALL_NAMES = {
    "general": CompiledGradient.__call__,
    "mode": _mode_now,
    "RECORD": RECORD,
    "missing": _MISSING,
    "add": operator.add,
}


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
    if _unordered(values):
        raise TypeError(f"compiled function: {what} must be a sequence of numbers, not {_unordered(values)}")
    if not isinstance(values, Sequence):  # a numpy array, say: its items, once
        values = list(values)
    if len(values) != count:
        raise TypeError(f"this compiled function takes {count} {what}, got {len(values)}")
    if _FLOATS.issuperset(map(type, values)):
        return values  # type: ignore[return-value]
    return _numbers(values, role)


def _unordered(values: object) -> str:
    """What a dict or a set is, that no sequence may be (its keys read in turn, or no order): "" for others."""
    if isinstance(values, Mapping):
        return f"a {type(values).__name__} (read in turn it gives its keys)"
    if isinstance(values, AbstractSet):
        return f"a {type(values).__name__} (it has no order to match the traced one)"
    return ""


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
    for role, given in (("parameters", parameters), ("data", data)):
        if not_values(given):
            raise GraphError(f"compile: {role} {not_values(given)}")
        if _unordered(given):
            raise GraphError(f"compile: {role} must be a sequence of Values, not {_unordered(given)}")
    parameters, data = list(parameters), list(data)
    _check_leaves(parameters, data)
    traced = _trace(f, _mode.get(), [*parameters, *data], has_aux)
    with _collector_paused():
        key, constants = structure(traced, parameters, data)
        entry = code_cache.get(key)
        if entry is None:  # a structure not seen lately: write its code, with the constants as its globals
            writer = _Writer(traced, parameters, data, constants=constants, bound=True)
            functions = [writer.write()]
            if not data and len(writer.operands) <= _CALL_LIMIT:
                functions.append(writer.write_call())
            source = "\n".join(functions)
            namespace = {**writer.namespace, **_CALL_NAMES}
            code = builtins.compile(source, "<autograd.compile>", "exec")
            entry = Entry(source, code, namespace, tuple(writer.constant_names()))
            code_cache.put(key, entry)
        namespace = dict(entry.namespace)
        namespace.update(zip(entry.constant_names, constants, strict=True))
        exec(_own_copy(entry.code), namespace)
        call: Any = namespace.get("call")
        kind = CompiledGradient if call is None or check else _with_call(call)
        return kind(f, parameters, data, traced, namespace["replay"], entry.source, check)  # type: ignore[arg-type]


def _own_copy(module: CodeType) -> CodeType:
    """``module`` with its functions' code copied: each compiled graph's functions then warm CPython's caches
    for their own globals (shared code would be re-specialised back and forth between two graphs of one structure
    called in turn, a hinge loss's two labels say, each time a constant is read)."""
    return module.replace(co_consts=tuple(c.replace() if isinstance(c, CodeType) else c for c in module.co_consts))


def _with_call(call: Callable[..., Any]) -> type[CompiledGradient]:
    """CompiledGradient, with ``call`` (``_Writer.write_call``'s function) as its ``__call__``: a plain call then
    runs the replay at once, with no Python step between (a step is a third of the call on the article's graph)."""
    namespace = {"__call__": call, "__slots__": (), "__module__": __name__, "__qualname__": "CompiledGradient"}
    return type("CompiledGradient", (CompiledGradient,), namespace)


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
