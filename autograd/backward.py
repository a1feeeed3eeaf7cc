"""The backward sweep: the chain rule, applied node by node in reverse topological order.

``topological_order`` is the one traversal every part of the project shares
(drawing, compiling, gradcheck): iterative, so a graph a million nodes deep
needs no recursion, and linear in the graph's size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

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


class Edge(NamedTuple):
    """One step of the chain rule: ``node`` passes its gradient to one of its inputs, ``parent``."""

    node: Value
    parent: Value
    position: int  # the parent's index in node.parents (and in its local derivatives)
    local: Any  # d(node)/d(parent)
    upstream: Any  # d(root)/d(node): gradients[node]
    contribution: Any  # local * upstream
    total: Any  # gradients[parent] after this edge
    first: bool  # the parent's first contribution: assigned, not added to +0.0 (signed zeros as in PyTorch)


def _recorded(node: Value) -> tuple[float, ...]:
    return node.local_grads


def edges(
    order: Sequence[Value],
    gradients: dict[Value, Any],
    local_grads: Callable[[Value], Sequence[Any]] | None = None,
) -> Iterator[Edge]:
    """THE chain rule, edge by edge: every reader of gradients iterates this one sweep.

    ``order`` is ``topological_order(root)``; ``gradients`` is seeded by the caller with
    ``{root: seed}`` and filled in place. Nodes go in reverse order, each passing its gradient to
    its parents in operand order. ``local_grads(node)`` gives the local derivatives (default: the
    recorded floats; ``local_grads_as_values`` for second derivatives), so the sweep runs on
    floats, Values or symbols alike. Between yields the caller may replace ``gradients[parent]``
    by an equal value: the dict is read afresh at every edge.
    """
    read_locals = _recorded if local_grads is None else local_grads
    for node in reversed(order):
        upstream = gradients.get(node)
        if upstream is None:  # not reached from the seed: nothing to pass on
            continue
        for position, (parent, local) in enumerate(zip(node.parents, read_locals(node), strict=True)):
            contribution = local * upstream
            first = parent not in gradients
            gradients[parent] = total = contribution if first else gradients[parent] + contribution
            yield Edge(node, parent, position, local, upstream, contribution, total, first)


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
