"""The JavaScript twin of the engine: a page builds its own graphs and runs the engine's sweep on them.

A replay (``CompiledGradient.javascript``) is one graph's code, fixed when it is traced; a page that lets a
learner change the graph (the playground's layer sizes) needs the engine itself instead. This is it, small:

- ``operations_javascript()``: one entry per row of the operation table (``autograd.value.OPERATIONS``), its
  forward value and its local derivatives as JavaScript functions. Never written by hand: each formula is
  the row's own, evaluated on symbols by the code generator and spelled by the JavaScript target
  (``javascript.py``: the same mapping the replay uses, with the engine's errors: an ``Error`` whose
  ``name`` is the engine's exception class and whose ``message`` is the engine's message).
- ``twin.js`` (beside this file): the node (its inputs and local derivatives), ``topologicalOrder``
  (iterative, node for node ``backward.topological_order``'s order) and the one sweep (``backward.edges``,
  and ``backward()``'s accumulation into ``.grad``, signed zeros included), as plain JavaScript.

``twin_javascript()`` is both, one self-contained script that defines ``const twin`` and uses nothing global
but ``Math``. tests/test_twin.py holds it to the Python engine in Chromium, bit for bit where the operations
are IEEE's (as tests/test_sweep.py holds the C twin), on the random graphs tests/test_javascript.py draws.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from ..value import OPERATIONS, Operation, Value, _binary_method, _unary_method
from .codegen import _ATOM
from .javascript import JAVASCRIPT, _JavaScriptWriter
from .tracing import _Traced

__all__ = ["operations_javascript", "twin_javascript"]

_PARAMETERS = ("x", "y")  # the operands' names in every row's functions; ``out`` is the output's


def _rows_writer() -> tuple[_JavaScriptWriter, dict[Operation, tuple[Value, ...]]]:
    """The JavaScript target's writer over a graph that applies every row once, to Values (so every operand is
    a name, never a folded number): its names for the table's functions, and each row's operands."""
    operands: dict[Operation, tuple[Value, ...]] = {}
    nodes: list[Value] = []
    for op in OPERATIONS:
        leaves = tuple(Value(0.5) for _ in range(op.arity))  # inside every row's domain
        apply = _unary_method(op) if op.arity == 1 else _binary_method(op)
        nodes += [*leaves, apply(*leaves)]
        operands[op] = leaves
    traced = _Traced(nodes[-1], [], False, nodes, nodes, {})
    writer = _JavaScriptWriter(traced, [], [], JAVASCRIPT)
    writer.name_functions()
    return writer, operands


def _row(writer: _JavaScriptWriter, op: Operation, operands: tuple[Value, ...]) -> tuple[str, list[str]]:
    """The row's forward expression and its local derivatives' (one per operand), in the operands' names."""
    names = [*_PARAMETERS[: op.arity], "out"]
    forward = writer.forward_template(op, operands, (_ATOM,) * op.arity)
    locals_ = writer.local_templates(op, operands)
    return forward.text.format(*names), [template.text.format(*names) for template in locals_]


@cache
def operations_javascript() -> str:
    """``const OPERATIONS = {...}``: per row (by its name), ``{name, arity, forward(x[, y]), locals: [d/dx(x[, y],
    out), ...]}``, after the definitions of the table's functions and the runtime they call."""
    writer, operands = _rows_writer()
    entries, texts = [], []
    for op in OPERATIONS:
        forward, locals_ = _row(writer, op, operands[op])
        parameters = ", ".join(_PARAMETERS[: op.arity])
        functions = [f"function ({parameters}, out) {{ return {local}; }}" for local in locals_]
        entries.append(
            f"  {json.dumps(op.name)}: {{name: {json.dumps(op.name)}, arity: {op.arity},\n"
            f"    forward: function ({parameters}) {{ return {forward}; }},\n"
            f"    locals: [{', '.join(functions)}]}},"
        )
        texts += [forward, *locals_]
    helpers = writer.helpers("\n".join(texts))
    return "\n".join([*helpers, "const OPERATIONS = {", *entries, "};"]) + "\n"


@cache
def _engine() -> str:
    return resources.files(__package__).joinpath("twin.js").read_text(encoding="utf-8")


@cache
def twin_javascript() -> str:
    """One script that defines ``const twin``: the engine (``twin.js``) over the generated operations."""
    body = operations_javascript() + _engine()
    indented = "\n".join("  " + line if line else line for line in body.split("\n"))
    return f'const twin = (function () {{\n  "use strict";\n{indented}\n}})();\n'
