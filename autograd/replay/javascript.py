"""The JavaScript target of the code generator: the replay, and a whole graph, as JavaScript functions.

The generator (``codegen._Writer``) walks the traced graph once: each node's forward formula and each edge's
local derivative come from the operation table evaluated on symbols, the gradients from the one sweep
(``backward.edges``) run on symbols. This module only says how JavaScript spells what it writes:

- ``let`` lines ending in ``;``, ``//`` comments, and every result on a line of its own (so an error is met
  where the engine meets it: in the order the operations were made);
- the table's functions the code calls (``exp``, ``local_power``...) defined inside the function, each
  the JavaScript spelling of its Python twin in ``value.py``, with Python's own float semantics (``x ** y``
  as CPython's float power, ``/`` refusing zero) and the engine's own errors: an ``Error`` whose ``name`` is
  the engine's exception class and whose ``message`` is the engine's message for those numbers;
- ``inf`` and ``nan`` are local constants, so a number reads the same in both languages.

Numbers: ``+ - * /``, neg, relu, abs and sqrt are IEEE operations in both languages, bit for bit. JavaScript's
``**`` is glibc's ``pow`` save at the exponent 2, where V8 returns ``x * x``: glibc's ``pow(x, 2.0)`` differs
from that correctly rounded square by one ulp for about 1 x in 1,600 (tests/test_javascript.py counts
them); every other integer exponent is bit for bit. exp, log, tanh, sin, cos (and sigmoid through exp) are
the browser's, within 2 ulp of the C library's.

``CompiledGradient.javascript`` is the replay; ``graph_function(output, leaves)`` a whole graph with every
node's value and gradient and every edge's local derivative, for a page that recomputes what the engine
shows.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Sequence

from ..backward import edges, topological_order
from ..errors import GraphError
from ..value import ABSOLUTE, COS, RELU, SIN, Operation, Value, _power, _power_grads, _sigmoid, _sqrt_slope
from .codegen import _CONDITIONAL, _RESERVED, _atom, _Gradient, _Symbol, _Target, _Writer
from .tracing import _Traced

__all__ = ["graph_function", "javascript"]

# --- spelling ------------------------------------------------------------------------------------------

# What the code's names may not be in JavaScript: its words, its globals, and the names the helpers below use.
_JAVASCRIPT_WORDS = frozenset(
    [
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "await",
        "arguments",
        "eval",
        "undefined",
        "NaN",
        "Infinity",
        "Math",
        "Error",
        "Object",
        "Array",
        "Number",
        "String",
        "globalThis",
        "leaves",
        "values",
        "grads",
        "locals",
        "graph",
        "_repr",
        "_show",
        "_fail",
        "_pow",
        "_limit",
        "_integer",
        "_ZERO",
        "_OVER",
        "_COMPLEX",
    ]
)


def _relu(x: object) -> _Symbol:
    """RELU's forward, ``0.0 if x <= 0.0 else x``, in JavaScript."""
    return _Symbol(f"{_atom(x)} <= 0.0 ? 0.0 : {_atom(x)}", _CONDITIONAL)


def _relu_slope(x: object, out: object) -> _Symbol:
    """RELU's local derivative, ``0.0 if x <= 0.0 else 1.0``, in JavaScript."""
    return _Symbol(f"{_atom(x)} <= 0.0 ? 0.0 : 1.0", _CONDITIONAL)


def _comment(label: str) -> str:
    return f"  // {label!r}" if label else ""  # repr escapes every character that could end the line


JAVASCRIPT = _Target(
    "javascript",
    _RESERVED | _JAVASCRIPT_WORDS,
    {RELU: (_relu, _relu_slope)},
    called=frozenset([operator.truediv]),  # JavaScript's ``/`` gives Infinity at 0: the code calls the check
    inline=False,
    assign="let %s = %s;",
    add="%s += %s;",
    comment=_comment,
)

# Each table function the code may call, in JavaScript: its parameters and body. ``FAIL(kind, operands)`` makes
# the engine's error for the operation the function belongs to (``kind``: which Python exception it stands for).
_SPELLINGS: dict[object, tuple[str, str]] = {
    operator.truediv: ("x, y", 'if (y === 0) throw FAIL("zero", x, y); return x / y;'),
    abs: ("x", "return Math.abs(x);"),
    math.exp: ("x", 'const r = Math.exp(x); if (r === inf && x !== inf) throw FAIL("overflow", x); return r;'),
    math.log: ("x", 'if (x <= 0) throw FAIL("domain", x); return Math.log(x);'),
    math.sqrt: ("x", 'if (x < 0) throw FAIL("domain", x); return Math.sqrt(x);'),
    math.tanh: ("x", "return Math.tanh(x);"),
    math.sin: ("x", 'if (x === inf || x === -inf) throw FAIL("domain", x); return Math.sin(x);'),
    math.cos: ("x", 'if (x === inf || x === -inf) throw FAIL("domain", x); return Math.cos(x);'),
    _sigmoid: ("x", "if (x >= 0) return 1 / (1 + Math.exp(-x)); const z = Math.exp(x); return z / (1 + z);"),
    _power: (
        "x, y",
        'if (x < 0 && !_integer(y)) throw FAIL("domain", x, y); const r = _pow(x, y);'
        ' if (r === _ZERO) throw FAIL("zero", x, y); if (r === _OVER) throw FAIL("overflow", x, y); return r;',
    ),
    _power_grads: (
        "x, y, out",
        "const dx = y !== 0 ? y * _limit(x, y - 1) : 0;"
        " const dy = x > 0 ? out * Math.log(x) : x === 0 && !(y < 0) ? 0 : x === 0 ? out * -inf : nan;"
        " return [dx, dy];",
    ),
    _sqrt_slope: ("x, out", "return 0.5 * (out !== 0 ? 1 / out : inf);"),
    RELU.forward: ("x", "return x <= 0 ? 0 : x;"),
    RELU.local_grads: ("x, out", "return x <= 0 ? 0 : 1;"),
    ABSOLUTE.local_grads: ("x, out", "return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : nan;"),
    SIN.local_grads: ("x, out", "return Math.cos(x);"),
    COS.local_grads: ("x, out", "return -Math.sin(x);"),
    # ``detached(max, values)``: Python's max and min of a list (the first of equals; NaN as Python compares it)
    max: ("items", "let best = items[0]; for (const item of items) if (item > best) best = item; return best;"),
    min: ("items", "let best = items[0]; for (const item of items) if (item < best) best = item; return best;"),
}

# Python's float arithmetic where JavaScript's differs, and the engine's messages.
_RUNTIME = {
    "_repr": """function _repr(x) {  // Python's repr of a float
  if (x !== x) return "nan";
  if (x === inf || x === -inf) return x > 0 ? "inf" : "-inf";
  if (x === 0) return 1 / x < 0 ? "-0.0" : "0.0";
  const text = x.toExponential(), at = text.indexOf("e"), exponent = +text.slice(at + 1);
  const sign = x < 0 ? "-" : "", digits = text.slice(sign.length, at).replace(".", "");
  if (exponent < -4 || exponent >= 16) {
    const size = Math.abs(exponent);
    return sign + digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" + (exponent < 0 ? "-" : "+")
      + (size < 10 ? "0" : "") + size;
  }
  if (exponent < 0) return sign + "0." + "0".repeat(-exponent - 1) + digits;
  if (digits.length <= exponent + 1) return sign + digits + "0".repeat(exponent + 1 - digits.length) + ".0";
  return sign + digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1);
}""",
    "_show": """function _show(x) { return x < 0 ? "(" + _repr(x) + ")" : _repr(x); }""",
    "_fail": """function _fail(op, kind, x, y) {  // the engine's error: Operation.error of Operation.describe
  const call = op.parts.length === 2 ? op.parts[0] + _repr(x) + op.parts[1]
    : op.parts[0] + _show(x) + op.parts[1] + _show(y) + op.parts[2];
  const error = new Error(call + op[kind][1]);
  error.name = op[kind][0];
  return error;
}""",
    "_integer": """function _integer(y) { return y - Math.floor(y) === 0; }""",
    "_pow": """const _ZERO = {}, _OVER = {}, _COMPLEX = {};  // what CPython raises or makes complex
function _pow(x, y) {  // CPython's float power: its special cases, then the C library's pow
  if (y === 0) return 1;
  if (x !== x) return x;
  if (y !== y) return x === 1 ? 1 : y;
  if (y === inf || y === -inf) {
    const size = Math.abs(x);
    return size === 1 ? 1 : (y > 0) === (size > 1) ? inf : 0;
  }
  const odd = Math.abs(y) % 2 === 1;
  if (x === inf || x === -inf) return y > 0 ? (odd ? x : inf) : odd ? (x > 0 ? 0 : -0) : 0;
  if (x === 0) return y < 0 ? _ZERO : odd ? x : 0;
  let negate = false;
  if (x < 0) {
    if (y !== Math.floor(y)) return _COMPLEX;
    x = -x;
    negate = odd;
  }
  if (x === 1) return negate ? -1 : 1;
  const r = x ** y;
  if (r === inf) return _OVER;
  return negate ? -r : r;
}""",
    "_limit": """function _limit(x, y) {  // x ** y with the limits where Python raises (value.py's _power_or_limit)
  const r = _pow(x, y);
  if (r === _ZERO) return inf;
  if (r === _OVER) return x < 0 && Math.abs(y % 2) === 1 ? -inf : inf;
  return r === _COMPLEX ? nan : r;
}""",
}
_NEEDS = {"_show": ["_repr"], "_fail": ["_show", "_repr"], "_limit": ["_pow"]}


def _failures(op: Operation) -> dict[str, object]:
    """How ``op`` names its errors, taken from the engine's own ``Operation.error`` and ``describe``: the text
    around the operands, and per kind of failure the exception's class name and the message's end."""
    sample = (1.5,) * op.arity
    call = op.describe(*sample)
    found: dict[str, object] = {"parts": call.split(repr(1.5))}
    for kind, cause in (("domain", ValueError()), ("zero", ZeroDivisionError()), ("overflow", OverflowError())):
        error = op.error(cause, *sample)
        found[kind] = [type(error).__name__, str(error)[len(call) :]]
    return found


def _runtime_for(text: str) -> list[str]:
    """The runtime helpers ``text`` calls (and those they call), in a fixed order."""
    wanted = {name for name in _RUNTIME if re.search(rf"\b{name}\b", text)}
    for name in list(wanted):
        wanted.update(_NEEDS.get(name, ()))
    return [_RUNTIME[name] for name in _RUNTIME if name in wanted]


class _JavaScriptWriter(_Writer):
    """The generator with the JavaScript target: ``function replay(parameters, data, seed, gradients)``."""

    def helpers(self, body: str) -> list[str]:
        """The definitions of the table's functions ``body`` calls, and of what they use."""
        owner: dict[object, Operation] = {}
        for node in self.traced.forward_order:
            if node._op is not None:
                owner.setdefault(node._op.forward, node._op)
                owner.setdefault(node._op.local_grads, node._op)
        definitions = ["const inf = Infinity, nan = NaN;"]
        for function, name in self.functions.items():
            if not re.search(rf"(?<![\w.]){re.escape(name)}\(", body):
                continue
            spelling = _SPELLINGS.get(function)
            if spelling is None:
                what = f"the operation {owner[function].name!r}" if function in owner else f"detached({name})"
                raise GraphError(f"javascript: {what} has no JavaScript spelling (autograd/replay/javascript.py)")
            parameters, code = spelling
            if "FAIL(" in code:
                code = f"const op = {json.dumps(_failures(owner[function]))}; " + code.replace("FAIL(", "_fail(op, ")
            definitions.append(f"function {name}({parameters}) {{ {code} }}")
        text = "\n".join(definitions)
        return [*_runtime_for(text), *definitions]

    def write(self) -> str:
        forward_lines, backward_lines = self.sweeps()
        traced, names = self.traced, self.names
        lines = [
            _unpack(names, leaves, role) for leaves, role in ((self.parameters, "parameters"), (self.data, "data"))
        ]
        lines += ["// forward: each operation's value", *forward_lines]
        lines.append("// backward: d_name is seed * d(output)/d(name), the chain rule edge by edge")
        lines.append(_unpack({p: f"d_{names[p]}" for p in self.parameters}, self.parameters, "gradients"))
        lines += backward_lines
        returned = f"{names[traced.output]}, [{', '.join(f'd_{names[p]}' for p in self.parameters)}]"
        if traced.has_aux:
            returned += f", [{', '.join(names[v] for v in traced.aux)}]"
        lines.append(f"return [{returned}];")
        return _function("replay(parameters, data, seed, gradients)", self.helpers("\n".join(lines)), lines)


class _GraphWriter(_JavaScriptWriter):
    """The generator with the JavaScript target, for a page: ``function graph(leaves)`` with every node's value
    and gradient and every edge's local derivative, as the engine's sweep has them."""

    reached: dict[Value, _Symbol]  # each reached node's gradient in the code (set by ``backward``)

    def backward(self) -> list[str]:
        """The one sweep on symbols, from 1.0 at the output: each local derivative kept in ``locals``, each
        gradient a name (``let`` at its first contribution, ``+=`` at the next)."""
        order = self.traced.order
        self.leads = set(order)  # every node's gradient is shown
        gradients: dict[Value, _Symbol] = {self.traced.output: _Gradient("1.0")}
        lines: list[str] = []
        kept: list[_Symbol] = []  # every edge's local derivative, in the sweep's order: locals[k]

        def keep(node: Value) -> list[_Symbol]:
            first = len(kept)
            for local in self.local_symbols(node):
                lines.append(f"locals.push({local.text});")  # type: ignore[attr-defined]
                kept.append(_Symbol(f"locals[{len(kept)}]"))
            return kept[first:]

        for edge in edges([node for node in order if node._op is not None], gradients, keep):
            if edge.first:
                total = gradients[edge.parent] = _Gradient(f"d_{self.names[edge.parent]}")
                lines.append(self.target.assign % (total.text, edge.contribution.text))
            else:
                lines.append(self.target.add % (edge.total.text, edge.contribution.text))
        self.reached = gradients
        return lines

    def write(self) -> str:
        forward_lines, backward_lines = self.sweeps()
        names, order = self.names, self.traced.order
        lines = [_unpack(names, self.data, "leaves"), "// forward: each node's value", *forward_lines]
        lines += ["// backward: d_name is d(output)/d(name), the chain rule edge by edge", "const locals = [];"]
        lines += backward_lines
        reached = self.reached
        grads = ", ".join(reached[node].text if node in reached else "null" for node in order)
        lines.append(f"return {{values: [{', '.join(names[node] for node in order)}], grads: [{grads}], locals}};")
        return _function("graph(leaves)", self.helpers("\n".join(lines)), lines)


def _unpack(names: dict[Value, str], leaves: Sequence[Value], array: str) -> str:
    """``let a = array[0], b = array[1];`` (a comment when there is nothing to read)."""
    if not leaves:
        return f"// no {array}"
    return "let " + ", ".join(f"{names[leaf]} = {array}[{i}]" for i, leaf in enumerate(leaves)) + ";"


def _function(signature: str, helpers: list[str], lines: list[str]) -> str:
    body = "\n".join(["  " + line for text in helpers for line in text.split("\n")] + ["  " + line for line in lines])
    return f"function {signature} {{\n{body}\n}}\n"


def javascript(traced: _Traced, parameters: Sequence[Value], data: Sequence[Value]) -> str:
    """The replay of a traced graph as the source of ``function replay(parameters, data, seed, gradients)``."""
    return _JavaScriptWriter(traced, parameters, data, JAVASCRIPT).write()


def graph_function(output: Value, leaves: Sequence[Value]) -> str:
    """The source of ``function graph(leaves)``: numbers for ``leaves`` in, ``{values, grads, locals}`` out.

    ``values[i]`` and ``grads[i]`` (d(output)/d(node); ``null`` where the sweep does not reach it) are the
    i-th node's of ``topological_order(output)``, ``locals[k]`` the local derivative of the k-th edge
    ``backward.edges(order, {output: 1.0})`` yields. Every other leaf keeps its number. An operation taken out
    of its domain throws the engine's error (``name``: its class, ``message``: its message).
    """
    if not isinstance(output, Value):
        raise GraphError(f"graph_function: output must be a Value, not {type(output).__name__}")
    leaves = list(leaves)
    for position, leaf in enumerate(leaves):
        if not isinstance(leaf, Value) or not leaf.is_leaf:
            raise GraphError(f"graph_function: leaf {position} must be a leaf Value, not {leaf!r}")
    if len(set(map(id, leaves))) != len(leaves):
        raise GraphError("graph_function: the same Value appears twice among the leaves")
    order = topological_order(output)
    traced = _Traced(output, [], False, order, order, {})
    return _GraphWriter(traced, [], leaves, JAVASCRIPT).write()
