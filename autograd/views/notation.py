"""The graph written down for a reader: formulas by operator precedence, in the order they were computed.

``Formula`` is a piece of text and how tightly it binds; ``apply(operation, operands)`` writes any
operation of the engine over formulas, with exactly the parentheses precedence needs, plus two for
clarity: a signed operand right of an operator (``2 * (-0.5)``, ``1 - (-x)``) and anything but a
name or an unsigned number under a power or a minus sign (``(-0.809) ** 2``, ``-(x ** 2)``). One
rule serves every operation, over names and over numbers alike, and a name that is itself a
formula (a label such as ``x * w``, which ``explain`` gives every value) binds as that formula.

``reading_order(order)`` puts the nodes of a graph in the order a program computed them, from the
graph alone: expression by expression, each after the named values it uses (see its docstring).
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from ..value import Value

LOOSE, SUM, PRODUCT, SIGN, POWER, ATOM = range(6)
"""How tightly a formula binds, loosest first. LOOSE: text with spaces of its own (a label such as
``y detached``), parenthesised wherever it is an operand."""
LEVEL = {"+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT, "**": POWER}
"""The binary operations, by the name their Operation row gives them."""
PREFIX = {"neg": "-"}
"""Unary operations written as a sign rather than a call."""

Kept = Callable[[Value], bool]


class Formula(NamedTuple):
    """A formula and how tightly it binds: the precedence of its outermost operation."""

    text: str
    level: int

    def wrapped(self, wrap: bool = True) -> str:
        return f"({self.text})" if wrap else self.text


def number(x: float, digits: int | None = 12) -> Formula:
    """A number as a formula: ``digits`` significant digits, or with ``None`` every digit (the
    shortest text that reads back as ``x``, ``2`` rather than ``2.0``); a negative number binds like a sign."""
    if math.isnan(x):
        text = "nan"
    elif digits is None:
        text = repr(float(x)).removesuffix(".0")
    else:
        text = f"{x:.{digits}g}"
    return Formula(text, SIGN if text.startswith("-") else ATOM)


FORMULA_LENGTH = 200
"""The longest name read as a formula; a longer one binds as any text that is not a formula."""
_FORMULA_CHARACTERS = re.compile(r"[\w.+\-*/() ]*")
"""What a formula of names, numbers and the engine's operations is written with: nothing that
could make Python's parser warn (quotes, backslashes) or read anything but arithmetic."""
_BINARY_LEVEL: dict[type[ast.operator], int] = {
    ast.Add: SUM,
    ast.Sub: SUM,
    ast.Mult: PRODUCT,
    ast.Div: PRODUCT,
    ast.FloorDiv: PRODUCT,
    ast.Mod: PRODUCT,
    ast.Pow: POWER,
}


def name(text: str) -> Formula:
    """A name as a formula. A name written as a formula binds as Python reads it: ``x * w`` as a
    product, ``-x`` as a sign, ``tanh(u)`` and ``w5`` as atoms. Any other text binds as an atom,
    unless it has spaces of its own (``y detached``): then it is parenthesised wherever it is an operand."""
    level = _formula_level(text)
    if level is not None:
        return Formula(text, level)
    return Formula(text, LOOSE if any(c.isspace() for c in text) or not text else ATOM)


def _formula_level(text: str) -> int | None:
    """How tightly ``text`` binds when Python reads it as arithmetic; None when it is not arithmetic."""
    if len(text) > FORMULA_LENGTH or text != text.strip() or not _FORMULA_CHARACTERS.fullmatch(text):
        return None
    for word in re.findall(r"\w+", text):  # names (no keywords: x if y else z) and decimal numbers only
        if not ((word.isidentifier() and not keyword.iskeyword(word)) or re.fullmatch(r"[0-9]+[eE]?[0-9]*", word)):
            return None
    try:
        tree = ast.parse(text, mode="eval").body  # the syntax tree only: nothing is compiled or run
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(tree, ast.BinOp):
        return _BINARY_LEVEL.get(type(tree.op))
    if isinstance(tree, ast.UnaryOp):
        return SIGN if isinstance(tree.op, ast.USub | ast.UAdd) else None
    return ATOM if isinstance(tree, ast.Name | ast.Constant | ast.Call | ast.Attribute) else None


def apply(operation: str, operands: Sequence[Formula]) -> Formula:
    """``operation`` (an Operation row's name: ``"*"``, ``"**"``, ``"neg"``, ``"exp"``...) over its operands."""
    if len(operands) == 2 and operation in LEVEL:
        left, right = operands
        level = LEVEL[operation]
        if operation == "**":  # binds tighter than a sign: (-0.809) ** 2; and written as one unit each side
            wrap_left, wrap_right = left.level <= level, right.level < ATOM
        else:
            wrap_left, wrap_right = left.level < level, right.level <= level or right.level == SIGN
        return Formula(f"{left.wrapped(wrap_left)} {operation} {right.wrapped(wrap_right)}", level)
    if len(operands) == 1 and operation in PREFIX:
        (operand,) = operands
        return Formula(PREFIX[operation] + operand.wrapped(operand.level != ATOM), SIGN)
    return Formula(f"{operation}({', '.join(operand.text for operand in operands)})", ATOM)


def derivative(of: Formula, by: Formula, d: str = "∂") -> str:
    """∂of/∂by, each side parenthesised unless it is an atom (a name, a number, a call): ∂E/∂(w5 * h1),
    ∂tanh(u)/∂u. Written with a letter ``d`` (``explain``'s plain text), a call is parenthesised too,
    since ``dtanh(u)`` would read as one word: ``d(tanh(u))/du``."""

    def side(formula: Formula) -> str:
        bare = formula.level == ATOM and (not d.isalpha() or formula.text.isidentifier())
        return formula.wrapped(not bare)

    return f"{d}{side(of)}/{d}{side(by)}"


def reading_order(order: Sequence[Value]) -> list[Value]:
    """The nodes of ``order`` (a ``topological_order``) in the order a program computed them.

    The graph does not record when each node was made, but its shape tells most of it. A value the
    program kept in a variable, because it has a label or is used more than once, is computed, with
    the whole expression that makes it, before any expression that uses it; within an expression,
    operands are computed left to right before their operation, as Python evaluates them. For the
    article's network that is ``w1 * i1, w2 * i2, h1``, then ``h2``'s, then ``out``'s and the error's;
    for an MLP, layer after layer. Leaves come at their first use. Iterative: any depth.
    """
    uses: dict[Value, int] = {}
    for node in order:
        for parent in node.parents:
            uses[parent] = uses.get(parent, 0) + 1

    def kept(node: Value) -> bool:  # a variable of the program: its expression is written first
        return not node.is_leaf and (bool(node.label) or uses.get(node, 0) > 1)

    done: set[Value] = set()
    result: list[Value] = []
    # Each entry: (node, stage). Stage 0: first compute the variables its expression uses;
    # stage 1: then the expression itself, operands left to right.
    stack: list[tuple[Value, int]] = [(order[-1], 0)] if order else []
    while stack:
        top, stage = stack.pop()
        if top in done:
            continue
        if stage == 0:
            stack.append((top, 1))
            stack.extend((variable, 0) for variable in reversed(_variables(top, kept, done)))
            continue
        for node in _expression(top, kept, done):
            done.add(node)
            result.append(node)
    return result


def _variables(top: Value, kept: Kept, done: set[Value]) -> list[Value]:
    """The kept values ``top``'s expression uses and that are not computed yet, read left to right."""
    return [node for node in _preorder(top, kept, done) if node is not top and kept(node) and node not in done]


def _preorder(top: Value, kept: Kept, done: set[Value]) -> list[Value]:
    """``top``'s expression read left to right (preorder), stopping at kept and computed values."""
    visited: list[Value] = []
    seen: set[Value] = set()
    stack = [top]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        visited.append(node)
        if node is top or not (kept(node) or node in done):
            stack.extend(parent for parent in reversed(node.parents) if parent not in seen)
    return visited


def _expression(top: Value, kept: Kept, done: set[Value]) -> list[Value]:
    """``top``'s expression in evaluation order (postorder, left operand first), ``top`` last."""
    result: list[Value] = []
    placed: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(top, False)]
    while stack:
        node, expanded = stack.pop()
        if node in placed or node in done:
            continue
        if expanded or node.is_leaf:
            placed.add(node)
            result.append(node)
            continue
        stack.append((node, True))
        for parent in reversed(node.parents):
            if parent not in placed and parent not in done and (parent.is_leaf or not kept(parent)):
                stack.append((parent, False))
    return result
