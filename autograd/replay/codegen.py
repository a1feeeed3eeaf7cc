"""Writing a traced graph as the source of one Python function (``compile``'s code, ``.source``).

The operation table's formulas are evaluated on symbols (``_Symbol``), once per operation and pattern of
operands, into templates; ``_Writer`` fills them with the nodes' names, one line per node forward, and
backward, the engine's own sweep run on symbols (``_Total``): one line per gradient, the sum of its edges'
contributions. What the code means and assumes is explained in ``autograd/replay/compile.py``.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, filterfalse
from operator import attrgetter
from typing import Any, NamedTuple

from ..backward import edges
from ..value import POWER, RELU, Operation, Value
from .tracing import _Traced

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
    return _join(_symbol(left), operator, _symbol(right), precedence)


def _join(a: _Symbol, operator: str, b: _Symbol, precedence: int) -> _Symbol:
    if precedence == _POWER:  # right-associative, and binds tighter than a leading minus
        text = _wrap(a, a.precedence <= _POWER) + operator + _wrap(b, b.precedence < _SIGN)
    else:  # left-associative: a right operand of the same strength keeps its parentheses
        text = _wrap(a, a.precedence < precedence) + operator + _wrap(b, b.precedence <= precedence)
    return _Symbol(text, precedence)


def _product(left: object, right: object) -> _Symbol:
    """left * right, leaving out a factor of exactly 1.0 (``x * 1.0`` is ``x``, bit for bit, NaN included)."""
    a = left if isinstance(left, _Symbol) else _symbol(left)
    b = right if isinstance(right, _Symbol) else _symbol(right)
    if a.text == "1.0":
        return b
    if b.text == "1.0":
        return a
    return _join(a, " * ", b, _PRODUCT)


class _Gradient(_Symbol):
    """A gradient's name in the code (``d_h1``, ``seed``). Adding a contribution to it is the line
    ``d_h1 += contribution``, after which the same name holds the total: the sum is the name itself."""

    __slots__ = ()

    def __add__(self, other: object) -> _Symbol:
        return self


class _Total(_Symbol):
    """A node's gradient as the code names it (``d_h1``, ``seed``): what the sweep's own arithmetic
    (``backward.edges``) does to it is what the code will do. ``local * upstream`` along an edge makes the
    contribution, a ``_Term`` (or the gradient itself, when ``local`` is 1.0); ``total + contribution`` gathers
    a node's contributions, in the sweep's order, into ``_Terms``."""

    __slots__ = ()

    def __rmul__(self, local: Any) -> _Total:  # local * upstream: tried before _Symbol.__mul__ (a subclass)
        if local.text == "1.0":  # the user's gradient passed on as it is
            return self
        if self.text == "1.0":  # the seed of a sweep that starts as backward() does: x * 1.0 is x
            return _Term(local.text, local.precedence)
        # ``self`` is a name: the product as ``_join`` writes it, without making a symbol twice
        if local.precedence < _PRODUCT:
            return _Term(f"({local.text}) * {self.text}")
        return _Term(local.text + " * " + self.text)

    def __add__(self, other: object) -> _Total:
        return _Terms([self, other])


class _Term(_Total):
    """One contribution to a gradient, not yet named (``w5 * d_out``)."""

    __slots__ = ()

    def __init__(self, text: str, precedence: int = _PRODUCT) -> None:
        self.text = text
        self.precedence = precedence


class _Terms(_Total):
    """A gradient of several contributions, in the sweep's order: written as one sum at its node's turn."""

    __slots__ = ("terms",)

    def __init__(self, terms: list[Any]) -> None:
        self.text = ""  # (never read: the node's turn names it)
        self.precedence = _ATOM
        self.terms = terms

    def __add__(self, other: object) -> _Terms:
        self.terms.append(other)
        return self


class _Seeded(_Total):
    """A parameter's total in ``.source``: it starts at the one it came in with (``d_w1``), and each contribution
    is its own line, ``d_w1 += i1 * d_h1``, in the sweep's order."""

    __slots__ = ("lines", "add")

    def __init__(self, text: str, lines: list[str], add: str) -> None:
        self.text = text
        self.precedence = _ATOM
        self.lines = lines
        self.add = add

    def __add__(self, other: object) -> _Seeded:
        self.lines.append(self.add % (self.text, other.text))  # type: ignore[attr-defined]
        return self


def _sum(first: str, terms: Sequence[_Symbol]) -> str:
    """``first + a + b ...``, in that order: a term that binds no tighter than ``+`` in parentheses."""
    return " + ".join([first, *(_wrap(t, t.precedence <= _SUM) for t in terms)])


def _bare(symbol: _Symbol) -> bool:
    """A name alone (``c1``, ``w5``), which a gradient that is only it may read as it is."""
    return symbol.precedence == _ATOM and symbol.text.isidentifier()


class _Constant:
    """A folded number the code reads from its ``constants`` (``_Writer.take_constants``)."""

    __slots__ = ()


class _Unwritten:
    """The derivative towards a node that leads to no parameter: the sweep carries it, the code never writes it."""

    __slots__ = ()

    def _absorb(self, other: object) -> _Unwritten:
        return self

    __mul__ = __rmul__ = __add__ = __radd__ = _absorb


_UNWRITTEN = _Unwritten()


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
        "constants",
        # the names ``write_call``'s function and the bound code read besides their own
        "add",
        "self",
        "more",
        "mode",
        "RECORD",
        "general",
        "missing",
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

    def __init__(self, reserved: frozenset[str] = _RESERVED) -> None:
        self.taken: set[str] = set(reserved)
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


_PLACE_NAMES: list[str] = []  # "t1", "t2", ...: made once for every graph


def _place_names(count: int) -> list[str]:
    """The first ``count`` names of the ``t`` form (``t1``... ``t{count}``)."""
    global _PLACE_NAMES
    names = _PLACE_NAMES
    if len(names) < count:  # a new, longer list, never one grown in place: another thread may be reading it
        names = _PLACE_NAMES = [f"t{place}" for place in range(1, 2 * count + 1)]
    return names[:count]


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


def _unpack(names: Sequence[str], sequence: str, wrap: bool = True) -> str:
    """``a, b, c = sequence`` (``a, = sequence`` for one name), wrapped like ``_listing`` unless ``wrap`` is
    False: CPython's compile() reads a parenthesised target more than twice as slowly as the bare one line
    (2,410 names: 4.5 ms against 2.0), so the code that runs has the line, and ``.source`` the wrapped names."""
    if len(names) == 1:
        return f"{names[0]}, = {sequence}"
    if wrap and len(names) > 8:
        return f"({_listing(names, '    ')}) = {sequence}"
    return f"{', '.join(names)} = {sequence}"


# --- targets: how a language spells what the generator writes ---------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """What differs between the languages the generator writes: spelling, never the chain rule.

    The formulas' text (``{0} * {1}``, ``1.0 - {1} * {1}``, ``-{0}``, a call ``local_power({0}, 2.0, {2})[0]``)
    reads the same in Python and JavaScript; a target says which names it may not give a node, which formulas
    it writes out by hand, which table functions it always calls (JavaScript's ``/`` does not raise at zero),
    whether a short result may be written into its user, and how a line is spelled.
    """

    name: str
    reserved: frozenset[str]
    written_out: dict[Operation, tuple[Callable[..., Any], Callable[..., Any]]]
    called: frozenset[object] = frozenset()  # table functions never written out: the code calls them
    inline: bool = True  # an unlabelled result used once may be written into its user
    assign: str = "%s = %s"  # a node's or a gradient's first line: name, expression
    add: str = "%s += %s"  # a contribution added to a gradient's total
    comment: Callable[[str], str] = _comment  # a label beside its node's line


PYTHON = _Target("python", _RESERVED, _WRITTEN_OUT)


# --- the traced graph, written out --------------------------------------------

# Every template made so far, keyed by the operation, the pattern of its operands and the name the code calls its
# function by: a template is a pure function of these (the operation table is fixed), so no compile makes one twice.
_TEMPLATES: dict[tuple[object, ...], Any] = {}
_BASE_NAMES: dict[Operation, str] = {}  # the name the code calls each operation's functions by, before numbering
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
    constant: _Symbol | None  # the formula itself when it reads no slot (``1.0``): one symbol, shared


def _action(template: _Template) -> object:
    """How ``_Writer.filled`` makes a local derivative from its template: the symbol itself when it is a number
    whatever the operands (``1.0``), the slot when it is an operand's or the output's name alone, else the template."""
    if template.constant is not None:
        return template.constant
    return template.alone if template.alone >= 0 else template


def _template(symbol: _Symbol, slots: int) -> _Template:
    text = symbol.text
    reads = tuple(i for i in range(slots) if f"{{{i}}}" in text)
    alone = reads[0] if len(reads) == 1 and text == f"{{{reads[0]}}}" else -1
    pieces = re.split(r"\{(\d+)\}", text)  # text, slot, text, slot, ..., text
    in_order = pieces[1::2] == [str(i) for i in range(slots)]
    pattern = "%s".join(piece.replace("%", "%%") for piece in pieces[::2]) if in_order else None
    return _Template(text, symbol.precedence, reads, alone, pattern, None if reads else symbol)


@dataclass
class _Writer:
    """Writes one traced graph as the source of a function, in the target's language (Python by default)."""

    traced: _Traced
    parameters: Sequence[Value]
    data: Sequence[Value]
    target: _Target = PYTHON
    namespace: dict[str, object] = field(default_factory=lambda: {"inf": math.inf, "nan": math.nan})
    names: dict[Value, str] = field(default_factory=dict)
    functions: dict[object, str] = field(default_factory=dict)
    allocate: _Names = field(init=False)
    operands: dict[Value, tuple[Value | float, ...]] = field(default_factory=dict)  # each operation's, read once
    uses: dict[Value, int] = field(default_factory=dict)  # how many edges leave each node (to its users)
    templates: dict[object, Any] = field(default_factory=dict)  # per operation and pattern of operands
    literals: dict[float, tuple[str, int]] = field(default_factory=dict)
    needed: set[Value] = field(default_factory=set)  # nodes the code must name: read by the backward, or returned
    leads: set[Value] = field(default_factory=set)  # the nodes whose gradient reaches a parameter
    by_number: dict[tuple[object, ...], list[_Template]] = field(default_factory=dict)  # templates, by folded number
    # With ``constants`` (their numbers, in ``take_constants``' order), the code reads them from its ``constants``
    # instead of writing them as numbers: ``arguments`` are what stands for them (constant leaves, _Constant).
    constants: Sequence[float] | None = None
    # With ``bound``, the functions read the constants as their globals (``constant_names``), set once per compiled
    # graph: unpacked on every call, a chain's 900 constants would cost more than its arithmetic, and as cells of a
    # closure CPython's compile() takes twice as long over them.
    bound: bool = False
    # With ``bound``, the parameters' totals are written in the list the code returns, not a line each (CPython
    # compiles that in half the time; ``.source`` keeps the lines): ``returned`` holds each parameter's new total,
    # ``list(map(add, gradients, [i1 * d_h1, ...]))`` when each gets at most one contribution (``added``), else
    # ``[d_w1 + i1 * d_h1 + ..., ...]``.
    returned: list[str] = field(default_factory=list)
    added: bool = False
    lines: list[str] = field(default_factory=list)  # the backward's lines so far
    symbols: dict[object, _Symbol] = field(default_factory=dict)  # each node's name as a symbol, once made
    # Per operation, how its nodes whose operands are all Values get their local derivatives (``plan``)
    plans: dict[Operation, tuple[Any, ...]] = field(default_factory=dict)
    gradients: dict[Value, Any] = field(default_factory=dict)  # the backward's gradients so far, as symbols
    arguments: list[Any] = field(default_factory=list)
    forward_lines: list[str] = field(default_factory=list)  # ``forward()``'s, kept for ``write_call``
    fresh: bool = False  # the backward being written starts as ``backward()`` does: seed 1.0, no totals
    totals: list[str] = field(default_factory=list)  # the last backward's parameters' totals, as the code names them

    def __post_init__(self) -> None:
        self.allocate = _Names(self.target.reserved)

    def write(self) -> str:
        """The function ``replay(parameters, data, seed, gradients) -> (output, gradients[, aux])``, as source."""
        forward_lines, backward_lines = self.sweeps()
        traced, names = self.traced, self.names
        lines = []  # the body's lines, indented when joined
        for leaves, role in ((self.parameters, "parameters"), (self.data, "data"), (self.arguments, "constants")):
            if leaves and not (role == "constants" and self.bound):
                lines.append(_unpack([names[v] for v in leaves], role, not self.bound))
        renamed = [
            f"{names[v]} is {v.label!r}" for v in [*self.parameters, *self.data] if v.label not in ("", names[v])
        ]
        if renamed:
            lines.append(f"# inputs: {', '.join(renamed)}")
        lines += forward_lines
        lines.append("# backward: d_name is seed * d(output)/d(name), the chain rule edge by edge: the sum of")
        if self.returned:
            lines.append(
                "# its users' contributions; a parameter's returned total adds its own to the one it came in with"
            )
        else:
            lines.append("# its users' contributions; a parameter's d_name starts at the total it came in with")
        gradients = [f"d_{names[v]}" for v in self.parameters]
        if gradients and not self.added:
            lines.append(_unpack(gradients, "gradients", not self.bound))
        lines += backward_lines
        totals = f"[{_listing(self.returned or gradients, '    ')}]"
        returned = f"{names[traced.output]}, {f'list(map(add, gradients, {totals}))' if self.added else totals}"
        if traced.has_aux:
            returned += f", [{_listing([names[v] for v in traced.aux], '    ')}]"
        lines.append(f"return {returned}")
        return "def replay(parameters, data, seed, gradients):\n    " + "\n    ".join(lines) + "\n"

    def write_call(self) -> str:
        """After ``write()``: this graph's own ``__call__``, ``call(self, <one name per parameter>, *more,
        data=None)``, for the commonest call: one float per parameter (checked inline), no data, seed 1.0, fresh
        totals, the plain grad mode. It replays such a call at once, without a step between; any other call, and
        one that fails, goes to ``general`` (``CompiledGradient.__call__``) with its numbers as given, which
        converts, refuses or runs the engine. Its backward is ``backward(fresh=True)``'s: the eager sweep's own
        start, with no ``* seed`` (x * 1.0 is x) and no ``-0.0 +`` (-0.0 + x is x), so its numbers are
        ``replay``'s to the bit."""
        traced, names = self.traced, self.names
        arguments = [names[v] for v in self.parameters]  # ``missing`` when not given: that call is not this one
        body = list(self.forward_lines)
        self.fresh = True
        try:
            body += self.backward()
        finally:
            self.fresh = False
        returned = f"{names[traced.output]}, [{_listing(self.totals, '    ')}]"
        if traced.has_aux:
            returned += f", [{_listing([names[v] for v in traced.aux], '    ')}]"
        body.append(f"return {returned}")
        checks = [*(f"{a}.__class__ is float" for a in arguments), "not more", "data is None", "mode() is RECORD"]
        given = f"*[n for n in ({', '.join(arguments)},) if n is not missing], " if arguments else ""
        lines = [
            f"if {' and '.join(checks)}:",
            "    try:",
            *(f"        {line}" for line in "\n".join(body).split("\n")),
            "    except (ArithmeticError, ValueError):",
            "        pass  # the general call runs the engine, whose error names the operation",
            f"return general(self, {given}*more, data=data)",
        ]
        signature = ", ".join(["self", *(f"{a}=missing" for a in arguments), "*more", "data=None"])
        return f"def call({signature}):\n    " + "\n    ".join(lines) + "\n"

    def constant_names(self) -> list[str]:
        """The names the code (written with ``constants`` and ``bound``) reads the constants by, in their order."""
        return [self.names[v] for v in self.arguments]

    def sweeps(self) -> tuple[list[str], list[str]]:
        """The forward's lines and the backward's, each node and each edge of the traced graph written once."""
        traced = self.traced
        operations = [node for node in traced.forward_order if node._op_ is not None]
        self.operands = dict(zip(operations, map(Value.operands, operations), strict=True))
        if self.constants is not None:
            self.take_constants()
        # How many edges leave each node (the folded numbers are counted too, and never read).
        self.uses = dict(Counter(chain.from_iterable(self.operands.values())))  # type: ignore[arg-type]  # (a dict
        # is read faster than a Counter, and a node used by none is never asked for)
        self.name_functions()
        self.name_nodes()
        for place, constant in enumerate(self.arguments):
            if constant.__class__ is _Constant:  # a folded number's name: after the nodes', which come first
                self.names[constant] = self.allocate.claim("", "c", place + 1)  # type: ignore[index]
        self.needed.update([traced.output, *traced.aux])
        for _, sources in traced.detached.values():
            self.needed.update(source for source in sources if isinstance(source, Value))
        backward_lines = self.backward()
        self.forward_lines = self.forward()
        return self.forward_lines, backward_lines

    def take_constants(self) -> None:
        """Constants as arguments: each constant leaf, and each folded number save those a form written out by
        hand reads (the 2.0 of ``x ** 2.0``), becomes a name the code reads from ``constants``, so that graphs
        differing only in their constants share one code (``cache.structure`` lists them in this order)."""
        written, operands_of = self.target.written_out, self.operands
        inputs = {*self.parameters, *self.data}
        detached = self.traced.detached
        arguments: list[object] = []
        for node in self.traced.forward_order:
            op = node._op
            if op is None:
                if node not in inputs and node not in detached:
                    arguments.append(node)
                continue
            if op in written:
                continue
            operands = operands_of[node]
            if len(operands) == 2:
                x, y = operands
                if x.__class__ is float:
                    constant = _Constant()
                    operands_of[node] = (constant, y)  # type: ignore[assignment]
                    arguments.append(constant)
                elif y.__class__ is float:
                    constant = _Constant()
                    operands_of[node] = (x, constant)  # type: ignore[assignment]
                    arguments.append(constant)
        if len(arguments) != len(self.constants or ()):
            raise AssertionError(f"{len(arguments)} constants written, {len(self.constants or ())} given")
        self.arguments = arguments
        if not self.bound:  # (bound, the compiled graph sets each constant's name: ``constant_names``)
            self.namespace["constants"] = tuple(self.constants or ())

    def name_functions(self) -> None:
        """Names for the table's functions the code may call: ``exp``, ``local_power``..., and ``detached``'s."""
        operations = dict.fromkeys(map(attrgetter("_op"), self.traced.forward_order))  # first use first
        operations.pop(None, None)
        for op in operations:
            base = _BASE_NAMES.get(op)
            if base is None:
                base = op.name if _usable(op.name) else getattr(op.forward, "__name__", "").lstrip("_")
                if not _usable(base) or base == "lambda":
                    base = "operation"
                _BASE_NAMES[op] = base
            self.name_function(op.forward, base)
            self.name_function(op.local_grads, f"local_{base}")
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
        names = self.names = dict(zip(nodes, _place_names(len(nodes)), strict=True))
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

    def slots(self, op: Operation, operands: Sequence[object], kinds: Sequence[int]) -> list[object]:
        """Placeholders for the operands (``{0}``, ``{1}``, of the given binding strengths). A folded number is
        a placeholder too (any number has the same formula text), save for the forms written out by hand, which
        look at it (``** 2.0``): they see the number itself."""
        exact = op in self.target.written_out and any(o.__class__ is float for o in operands)
        slots: list[object] = [
            o if exact and o.__class__ is float else _Symbol(f"{{{i}}}", k)
            for i, (o, k) in enumerate(zip(operands, kinds, strict=True))
        ]
        return slots

    def key(self, op: Operation, operands: Sequence[object], kinds: Sequence[int]) -> tuple[object, ...]:
        """The key of the templates made on ``slots``: the binding strengths, and the numbers the forms written
        out by hand look at."""
        if op in self.target.written_out and any(o.__class__ is float for o in operands):
            return (*kinds, *(self.literal(o)[0] if o.__class__ is float else None for o in operands))
        return tuple(kinds)

    def forward_template(self, op: Operation, operands: Sequence[object], kinds: Sequence[int]) -> _Template:
        """``op``'s forward formula on placeholders for its operands, of the given binding strengths."""
        key = self.key(op, operands, kinds)
        found: _Template | None = self.templates.get((op, *key))
        if found is None:
            # Made once per process: a template depends on nothing else than its key and the function's name.
            target = self.target
            shared = ("forward", target.name, op, self.functions[op.forward], *key)
            found = _TEMPLATES.get(shared)
            if found is None:
                slots = self.slots(op, operands, kinds)
                written = target.written_out.get(op)
                expression = None if written is None else _evaluate(written[0], *slots)
                if expression is None and op.forward not in target.called:
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
        target = self.target
        exact = folded and op in target.written_out
        numbers = tuple(self.literal(o)[0] for o in operands if exact and o.__class__ is float)
        shape: object = ("local", op, kinds, numbers) if folded else op
        found: list[_Template] | None = self.templates.get(shape)
        if found is None:
            shared = ("local", target.name, shape, self.functions[op.local_grads])
            found = _TEMPLATES.get(shared)
        if found is None:
            slots = self.slots(op, operands, [_ATOM if k is None else k for k in kinds])
            slots.append(_Symbol(f"{{{len(operands)}}}"))
            written = target.written_out.get(op)
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
        """The chain rule as code: the one sweep, ``backward.edges``, run on symbols (and in ``totals``, the
        parameters' totals as the code names them at the end).

        The sweep's own arithmetic writes it (``_Total``): ``local * upstream`` is an edge's contribution, and
        ``total + contribution`` gathers a node's in the sweep's order. When the sweep comes to a node, after
        all its users, its gradient is complete and written as one line, ``d_h1 = w5 * d_out + w7 * d_out2``
        (``local_symbols``): added left to right as the sweep adds them, it is the same float to the bit, and
        a line per node costs CPython's compile() less than a line per edge. An unlabelled node whose one
        contribution is its user's gradient itself (``1.0 *`` it) gets no line: it reads that name. A
        parameter's total starts at the one it came in with: ``d_w1 += i1 * d_h1`` for each contribution, or
        with ``bound``, one sum in the returned list. Only the nodes whose gradient reaches a parameter are
        swept, and only the edges towards such nodes written: the rest cannot change a gradient. With
        ``fresh``: seed 1.0 and no totals coming in, as ``backward()`` starts: the seed is the number 1.0 (a
        factor ``_Total`` leaves out) and a parameter's total is its contributions' sum (an unreached
        parameter's is 0.0).
        """
        traced, names, fresh = self.traced, self.names, self.fresh
        parameters = self.parameters
        leads = self.leads = set(parameters)  # the nodes a parameter's gradient is passed through
        lead = leads.add
        for node in traced.order:
            x = node._x_
            if x is not None and (x in leads or node._y_ in leads):
                lead(node)
        order = [node for node in traced.order if node in leads and node._op_ is not None]  # leaves pass nothing on
        bound = self.bound
        lines: list[str] = []
        self.lines = lines
        # Totals that came in, each parameter's own line adding to it (``.source``): its ``d_`` name from the start
        add = self.target.add
        gradients: dict[Value, Any] = (
            {} if fresh or bound else {p: _Seeded(f"d_{names[p]}", lines, add) for p in parameters}
        )
        output = traced.output
        if output in gradients:  # the seed is its first contribution (and its last: the output has no users)
            gradients[output] + _Total("seed")
        gradients[output] = _Total("1.0" if fresh else "seed")
        self.gradients = gradients
        for _ in edges(order, gradients, self.local_symbols, records=False):
            pass  # (it yields nothing: the symbols write the lines)
        totals = [gradients.get(p) for p in parameters]
        if bound and not fresh:  # each total written into the returned list, plus the one it came in with
            every = [[] if t is None else t.terms if t.__class__ is _Terms else [t] for t in totals]
            self.added = all(len(terms) <= 1 for terms in every)
            if self.added:  # each total plus its one contribution (-0.0 for none: d + -0.0 is d, to the bit)
                self.returned = [terms[0].text if terms else "-0.0" for terms in every]
            else:
                self.returned = [_sum(f"d_{names[p]}", terms) for p, terms in zip(parameters, every, strict=True)]
        elif fresh:
            for parameter, total in zip(parameters, totals, strict=True):
                if total is not None:
                    self.name_gradient(parameter, total)
            totals = [gradients.get(p) for p in parameters]
        self.totals = ["0.0" if t is None else t.text for t in totals]
        return lines

    def name_gradient(self, node: Value, total: _Total) -> None:
        """``node``'s gradient, complete: its line, ``d_h1 = ...``, after which the code reads it by that name.
        Not for a gradient that is a name already, its user's passed on (unless ``node`` is labelled), nor with
        ``fresh`` for one contribution that is a bare name (``c1``)."""
        kind = total.__class__
        if kind is _Terms:
            first, *rest = total.terms  # type: ignore[attr-defined]
            text = _sum(_wrap(first, first.precedence < _SUM), rest)
        elif kind is _Term:
            if self.fresh and not node.label and _bare(total):
                return
            text = total.text
        elif node.label and node is not self.traced.output and kind is _Total:
            text = total.text  # its user's gradient, under its own name
        else:
            return
        name = f"d_{self.names[node]}"
        self.lines.append(self.target.assign % (name, text))
        self.gradients[node] = _Total(name)

    def local_symbols(self, node: Value) -> Sequence[object]:
        """``node``'s local derivatives as symbols, aligned with ``node.parents``: the ``local_grads`` that
        ``edges`` reads. Each is its template filled with the operands' names (a read name is then one the
        forward must keep); towards a node that leads to no parameter, ``_UNWRITTEN``. The sweep asks when it
        comes to ``node``, after all its users: ``node``'s gradient is then complete, and its line is written
        (``name_gradient``), before the lines of the contributions that read it."""
        total = self.gradients.get(node)  # (None for the page's writer, which names its gradients itself)
        if total is not None and (total.__class__ is not _Total or node.label):
            self.name_gradient(node, total)
        op: Operation = node._op_  # type: ignore[assignment]  # (edges() passes operations only)
        x: Value = node._x_  # type: ignore[assignment]  # node.parents, from the record's slots
        y = node._y_
        if y is None and op.arity == 2:  # a folded number, or a constant as an argument
            return self.folded_symbols(node, op, x)
        plan = self.plans.get(op) or self.plan(op, node)  # every operand a Value: one plan per operation
        leads = self.leads
        if y is None:
            return (self.filled(plan[0], (x, node)) if x in leads else _UNWRITTEN,)
        if x in leads:
            if y in leads:
                return plan[2] or (self.filled(plan[0], (x, y, node)), self.filled(plan[1], (x, y, node)))
            return (self.filled(plan[0], (x, y, node)), _UNWRITTEN)
        return (_UNWRITTEN, self.filled(plan[1], (x, y, node)) if y in leads else _UNWRITTEN)

    def plan(self, op: Operation, node: Value) -> tuple[Any, ...]:
        """For ``op``'s nodes whose operands are all Values: each local derivative as ``filled`` reads it (a
        symbol that is a number whatever the operands, a slot whose name it is, or its template), and last,
        when every one is a number (``x + y``: 1.0 and 1.0), the shared pair of them (else None)."""
        templates = self.templates.get(op) or self.local_templates(op, self.operands[node])
        actions = list(map(_action, templates))
        numbers = tuple(actions) if all(t.constant is not None for t in templates) else None
        found = self.plans[op] = (*actions, numbers)
        return found

    def filled(self, action: Any, reads: tuple[Value | float, ...]) -> object:
        """A local derivative as ``_action`` says, for the node whose operands (Values, or a folded number) and
        output are ``reads``: a name it reads is one the forward must keep."""
        if action.__class__ is int:  # the name of an operand, or of the output
            read = reads[action]
            symbol = self.symbols.get(read)
            if symbol is None:
                if read.__class__ is float:
                    return _Symbol(*self.literal(read))
                self.needed.add(read)  # type: ignore[arg-type]
                symbol = self.symbols[read] = _Symbol(self.names[read])  # type: ignore[index]
            return symbol
        if action.__class__ is _Template:
            text, precedence, read_slots = action[:3]
            for slot in read_slots:
                if reads[slot].__class__ is not float:
                    self.needed.add(reads[slot])  # type: ignore[arg-type]
            texts = [self.literal(o)[0] if o.__class__ is float else self.names[o] for o in reads]  # type: ignore
            return _Symbol(text.format(*texts), precedence)
        return action

    def folded_symbols(self, node: Value, op: Operation, x: Value) -> list[object]:
        """``local_symbols`` for a binary operation with one Value operand: a folded number beside it, or a
        constant the code reads as an argument (whose slope is not written)."""
        operands = self.operands[node]
        a, b = operands
        if a.__class__ is not float and b.__class__ is not float:  # a constant as an argument
            templates = self.templates.get(op) or self.local_templates(op, operands)
            templates = templates[:1] if a is x else templates[1:]
        else:  # one folded number: remembered by the number itself (not 0.0, which equals -0.0 as a key)
            number = a if a.__class__ is float else b
            key = (op, number is a, number)
            templates = self.by_number.get(key) if number else None
            if templates is None:
                templates = self.local_templates(op, operands)
                if number:
                    self.by_number[key] = templates
        (template,) = templates
        return [self.filled(_action(template), (*operands, node)) if x in self.leads else _UNWRITTEN]

    def forward(self) -> list[str]:
        """One line per node; an unlabelled node used once, and read by no derivative, is written into its user."""
        traced, names, needed, uses, operands_of = self.traced, self.names, self.needed, self.uses, self.operands
        templates, literal, known = self.templates, self.literal, self.literals.get  # (0.0 is never known)
        assign, comment, inline = self.target.assign, self.target.comment, self.target.inline
        arguments = {*self.parameters, *self.data}
        symbols: dict[Value, tuple[str, int]] = {v: (names[v], _ATOM) for v in self.arguments}  # its name or expression
        arguments.update(self.arguments)
        lines: list[str] = []
        append = lines.append
        for node in traced.forward_order:
            op = node._op_
            if op is None:
                name = names[node]
                symbols[node] = (name, _ATOM)
                if node in arguments:
                    continue
                label = node.label
                note = comment(label) if label != name else ""
                detached = traced.detached.get(node)
                if detached is None:  # a constant of the replay
                    append(assign % (name, _literal(node.data).text) + note)
                else:  # recomputed from the replayed numbers: no gradient flows through it
                    function, sources = detached
                    reads = ", ".join(symbols[s][0] if isinstance(s, Value) else _literal(s).text for s in sources)
                    append(assign % (name, f"{self.functions[function]}([{reads}])") + note)
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
            if inline and not label and uses.get(node) == 1 and node not in needed and len(expression) <= _MAX_INLINE:
                symbols[node] = (expression, template.precedence)
            else:
                name = names[node]
                append(assign % (name, expression) + (comment(label) if label != name else ""))
                symbols[node] = (name, _ATOM)
        return lines
