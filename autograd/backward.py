"""The backward sweep: the chain rule, applied node by node in reverse topological order.

``topological_order`` is the one traversal every part of the project shares
(drawing, compiling, gradcheck): iterative, so a graph a million nodes deep
needs no recursion, and linear in the graph's size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accelerator import native
from .grad_mode import _mode

if TYPE_CHECKING:
    from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its inputs; ``root`` is last."""
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    push, pop, visit, place = stack.append, stack.pop, visited.add, order.append
    while stack:
        node = pop()
        if node is None:  # the marker pushed below: this node's inputs are all placed
            place(pop())  # type: ignore[arg-type]
            continue
        if node in visited:
            continue
        visit(node)
        x, y = node._x, node._y
        if x is None:  # a leaf: nothing to wait for
            place(node)
            continue
        push(node)
        push(None)
        if x not in visited:
            push(x)
        if y is not None and y not in visited:
            push(y)
    return order


def backward(root: Value) -> None:
    """Add d(root)/d(node) to ``node.grad`` for every node root depends on.

    Gradients accumulate across calls, as in PyTorch. The sweep itself needs
    this call's gradients alone, so any earlier ones are set aside first and
    added back at the end.
    """
    order = topological_order(root)
    check = _mode.get().check_gradients
    if check is not None:  # under detect_anomaly(): a NaN or infinite gradient raises before any .grad changes
        check(order)
    chain_rule(order)


def chain_rule(order: list[Value]) -> None:
    """Add d(root)/d(node) to every node's ``.grad``, where ``order`` is ``topological_order(root)``."""
    root = order[-1]
    earlier = [node.grad for node in order]
    accumulating = any(earlier)
    if accumulating:
        for node in order:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):  # the chain rule: pass each node's gradient to its inputs
        x, y = node._x, node._y
        if x is not None:
            x.grad += node._dx * node.grad
        if y is not None:
            y.grad += node._dy * node.grad
    if accumulating:
        for node, grad in zip(order, earlier, strict=True):
            node.grad += grad


if native is not None:  # the same two functions, in C: see accelerator.py
    topological_order = native.topological_order
    chain_rule = native.chain_rule
