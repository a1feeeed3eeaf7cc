"""The graph written down for a reader: formulas by operator precedence, in the order they were computed.

``Formula`` is a piece of text and how tightly it binds; ``apply(operation, operands)`` writes any
operation of the engine over formulas, with exactly the parentheses precedence needs, plus two for
clarity: a signed operand right of an operator (``2 * (-0.5)``, ``1 - (-x)``) and anything but a
name or an unsigned number under a power or a minus sign (``(-0.809) ** 2``, ``-(x ** 2)``). One
rule serves every operation, over names and over numbers alike.

``reading_order(order)`` puts the nodes of a graph in the order a program computed them, from the
graph alone: expression by expression, each after the named values it uses (see its docstring).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .value import Value

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


def number(x: float, digits: int = 12) -> Formula:
    """A number as a formula: ``digits`` significant digits; a negative number binds like a sign."""
    text = "nan" if math.isnan(x) else f"{x:.{digits}g}"
    return Formula(text, SIGN if text.startswith("-") else ATOM)


def name(text: str) -> Formula:
    """A name as a formula: an atom, unless it has spaces of its own."""
    return Formula(text, LOOSE if any(c.isspace() for c in text) or not text else ATOM)


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


def derivative(of: Formula, by: Formula) -> str:
    """∂of/∂by, each side parenthesised unless it is a single name or number: ∂E/∂(w5 * h1)."""
    return f"∂{of.wrapped(of.level != ATOM)}/∂{by.wrapped(by.level != ATOM)}"


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
