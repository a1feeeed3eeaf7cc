"""The replay's code cache: a graph traced again with the same structure reuses the code written for it.

``compile`` traces ``f`` every time (the trace is what says which graph ``f`` builds), but writing the
replay's source and CPython's ``compile()`` of it cost ten times the trace. Graphs of one structure come
again and again: each sample shape under ``compile(data=...)``, each new model of one architecture, the two
labels of a hinge loss, a notebook cell run again. So the code is kept, keyed by the graph's structure:

- each node in the order ``f`` made it: its operation (a reflected one, ``2 - x``, is its own) with where its
  inputs come from (the earlier node's position), or for a leaf its role (parameter i, data j, a constant,
  a ``detached`` number with its function and what it reads);
- where the output (and the aux values) are, and how many parameters and data there are.

The constants (a folded number such as the 2 of ``x * 2``, a constant leaf) are not in the key: the code
reads them as its globals, set for each compiled graph, so graphs that differ only in them share it. The
numbers that a form written out by hand reads (the exponent of ``x ** 2.0``) are in the key, bit for bit.
Labels are not: they only name the code's variables; ``.source``, which shows them, is written for each graph when read.

The key is compared in full on every hit (a hash is only where to look), so a graph that differs in one
wire, one operation, one structural constant or one role never gets another's code. The cache holds the
``size`` structures used most recently (least recently used out first) and is safe across threads.
"""

from __future__ import annotations

import struct
import threading
from collections import OrderedDict
from collections.abc import Sequence
from itertools import count, repeat
from types import CodeType
from typing import NamedTuple

from ..value import Value
from .codegen import PYTHON
from .tracing import _Traced

__all__ = ["CodeCache", "code_cache", "structure"]

_PARAMETER, _DATA, _CONSTANT, _DETACHED = "parameter", "data", "constant", "detached"


def _bits(number: float) -> bytes:
    return struct.pack("<d", number)


def structure(
    traced: _Traced, parameters: Sequence[Value], data: Sequence[Value]
) -> tuple[tuple[object, ...], list[float]]:
    """The traced graph's key, and its constants in the order the code reads them (``_Writer.take_constants``'s)."""
    order = traced.forward_order
    index: dict[Value | None, int] = dict(zip(order, count()))  # (made in C: no Python step per node)
    roles: dict[Value, object] = dict(zip(parameters, zip(repeat(_PARAMETER), count()), strict=False))
    roles.update(zip(data, zip(repeat(_DATA), count()), strict=False))
    detached = traced.detached
    written = PYTHON.written_out
    constants: list[float] = []
    add = constants.append
    steps: list[object] = []
    step = steps.append
    for node in order:
        op = node._op_
        if op is None:
            role = roles.get(node)
            if role is not None:
                step(role)
            elif node in detached:
                function, sources = detached[node]
                reads = tuple(index[s] if isinstance(s, Value) else _bits(s) for s in sources)
                step((_DETACHED, function, reads))
            else:
                step(_CONSTANT)
                add(node.data)
            continue
        y = node._y_
        if y is not None:
            step((op, index[node._x_], index[y]))
        elif op.arity == 1:
            step((op, index[node._x_]))
        elif op in written:  # the number is read by the form written out by hand: it is the structure
            step((op, index[node._x_], _bits(node._constant_)))
        else:
            step((op, index[node._x_]))
            add(node._constant_)
    outputs = (index[traced.output], tuple(index[v] for v in traced.aux), traced.has_aux)
    return (len(parameters), len(data), outputs, *steps), constants


class Entry(NamedTuple):
    """What a structure's code is: its source (constants as names), CPython's code of it, its namespace, and
    the names it reads the constants by (set per compiled graph, in ``structure``'s order)."""

    source: str
    code: CodeType
    namespace: dict[str, object]
    constant_names: tuple[str, ...]


class CodeCache:
    """The ``size`` most recently used structures' code: least recently used out first; safe across threads."""

    def __init__(self, size: int = 128) -> None:
        self._entries: OrderedDict[tuple[object, ...], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size
        self.hits = self.misses = 0

    def get(self, key: tuple[object, ...]) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple[object, ...], entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def resize(self, size: int) -> None:
        """Keep at most ``size`` structures (0: cache nothing)."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"the code cache's size must be an int >= 0, not {size!r}")
        with self._lock:
            self.size = size
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every structure (and the counts of hits and misses)."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


code_cache = CodeCache()
"""The cache ``autograd.compile`` uses: ``code_cache.clear()``, ``code_cache.resize(n)``, ``len(code_cache)``."""
