"""The backward sweep: the chain rule, applied node by node in reverse topological order.

``topological_order`` is the one traversal every part of the project shares
(drawing, compiling, gradcheck): iterative, so a graph a million nodes deep
needs no recursion, and linear in the graph's size.

``edges`` is the one sweep: the chain rule, edge by edge. ``backward()``
(through ``chain_rule``), ``grad()``, anomaly detection, the step-through page
and the compiled replay's writer all iterate it rather than keep their own loop.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .accelerator import native
from .grad_mode import _mode_now

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
        x, y = node._x_, node._y_  # the record's slots, read without a property (see value.py)
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


_new_edge = functools.partial(tuple.__new__, Edge)  # Edge(*fields), without a Python frame: the sweep's hot spot


def edges(
    order: Sequence[Value],
    gradients: dict[Value, Any],
    local_grads: Callable[[Value], Sequence[Any]] | None = None,
    records: bool = True,
) -> Iterator[Edge]:
    """THE chain rule, edge by edge: every reader of gradients iterates this one sweep.

    ``order`` is ``topological_order(root)``; ``gradients`` is seeded by the caller with
    ``{root: seed}`` and filled in place. Nodes go in reverse order, each passing its gradient to
    its parents in operand order. ``local_grads(node)`` gives the local derivatives, aligned with
    ``node.parents`` (default: the recorded floats; ``local_grads_as_values`` for second
    derivatives), so the sweep runs on floats, Values or symbols alike. Between yields the caller
    may replace ``gradients[parent]`` by an equal value: the dict is read afresh at every edge;
    ``local_grads(node)`` may so replace ``gradients[node]``, which is read again after it (the
    code writer names a gradient there, once the sweep has brought it all its contributions).
    ``records=False`` fills ``gradients`` without yielding an ``Edge`` (``backward()``, which wants
    only the totals: making the record is half the cost of an edge).
    """
    gradient_of = gradients.get
    for node in reversed(order):
        upstream = gradient_of(node)
        x, y = node._x_, node._y_  # node.parents, read from the record's slots without a property call
        if upstream is None or x is None:  # not reached from the seed, or a leaf: nothing to pass on
            continue
        # The recorded d(node)/d(x) and d(node)/d(y), indexed by the parent's position (one parent: 0.0 second)
        if local_grads is None:
            locals_: Sequence[Any] = (node._dx_, node._dy_)
        else:
            locals_ = local_grads(node)
            upstream = gradients[node]  # read again: local_grads may have renamed it
        position = 0
        for parent in (x,) if y is None else (x, y):
            local = locals_[position]
            contribution = local * upstream
            total = gradient_of(parent)
            first = total is None
            gradients[parent] = total = contribution if first else total + contribution
            if records:
                yield _new_edge((node, parent, position, local, upstream, contribution, total, first))
            position += 1  # noqa: SIM113  (enumerate() would cost a call per node)


def backward(root: Value) -> None:
    """Add d(root)/d(node) to ``node.grad`` for every node root depends on (gradients accumulate, as in PyTorch)."""
    order = topological_order(root)
    check = _mode_now().check_gradients
    if check is not None:  # under detect_anomaly(): a NaN or infinite gradient raises before any .grad changes
        check(order, True)
    chain_rule(order)


def chain_rule(order: list[Value]) -> None:
    """Add d(root)/d(node) to every node's ``.grad``, where ``order`` is ``topological_order(root)``.

    All or nothing: the sweep fills a dict, then one short loop writes it, undone if interrupted.
    Concurrent calls on graphs that share nodes add every contribution exactly: the writes take turns.
    """
    if not order:
        return
    gradients: dict[Value, float] = {order[-1]: 1.0}
    for _ in edges(order, gradients, records=False):  # yields nothing: fills the dict
        pass
    with _writing:
        _write(gradients)


_writing = threading.Lock()  # one backward() at a time adds to .grad: concurrent calls lose nothing


def _write(gradients: dict[Value, float]) -> None:
    """Add each gradient to its node's ``.grad``: all of them, or, if interrupted, none."""
    earlier = [node._grad for node in gradients]  # the slots themselves: every gradient is a float, unchecked
    try:
        for node, gradient in gradients.items():
            grad = node._grad
            node._grad = grad + gradient if grad else gradient  # accumulate(grad, gradient), without its call
    except BaseException:  # KeyboardInterrupt included: put every .grad back as it was
        for node, grad in zip(gradients, earlier, strict=True):
            node._grad = grad
        raise


def accumulate(grad: float, gradient: float) -> float:
    """``grad`` after adding this call's ``gradient``: a +0.0 ``grad`` means "no gradient yet"
    (PyTorch's None) and is replaced, so a -0.0 gradient keeps its sign."""
    return grad + gradient if grad else gradient  # -0.0 too is replaced: -0.0 + gradient is gradient, bit for bit


python_chain_rule = chain_rule
"""The Python sweep, the specification the C ``chain_rule`` is tested against (``tests/test_sweep.py``)."""

if native is not None:  # the same two functions, in C: see accelerator.py
    topological_order = native.topological_order
    chain_rule = native.chain_rule
