"""``detect_anomaly()``: find the operation where a NaN or an infinity first appears.

A diverging training run shows NaN in the loss long after the cause. Inside
``with detect_anomaly():`` the first operation whose result is NaN or
infinite raises ``AnomalyError`` naming the operation and its inputs (label
and value), and so does the first gradient that becomes NaN or infinite in a
backward pass, before any ``.grad`` changes. The model is PyTorch's
``torch.autograd.detect_anomaly``.

The checks ride on the grad mode (``grad_mode.Mode``): per thread and per
asyncio task, and outside the block operations pay nothing for them beyond
the one identity test every operation already makes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from .backward import Edge, accumulate, edges
from .errors import AnomalyError
from .grad_mode import current_mode, using_mode
from .value import Operation, Value


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``AnomalyError`` at the first NaN or infinity in a result or a gradient (also a decorator)."""
    with using_mode(replace(current_mode(), check=check_result, check_gradients=check_gradients)):
        yield


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` in this thread or task."""
    return current_mode().check is check_result


def check_result(node: Value) -> None:
    """The forward check: a new node's number must be finite (the message reads ``node.operands()``)."""
    if not math.isfinite(node.data):
        inputs = ", ".join(_show(name, operand) for name, operand in _slots(node))
        raise AnomalyError(f"detect_anomaly: {_op(node).name} produced {node.data!r} from {inputs}")


def check_gradients(order: list[Value], into_grad: bool) -> None:
    """The backward check: run the sweep on the side; raise at the first non-finite gradient.

    It runs before the sweep, iterating the sweep's own ``edges()``, so it sees exactly the
    numbers the sweep computes, and nothing has changed when it raises. With ``into_grad``
    (``backward()``), each ``.grad`` as it would be after accumulating is checked too.
    """
    gradients: dict[Value, float] = {order[-1]: 1.0}
    for edge in edges(order, gradients):
        check_edge(edge)
    if into_grad:
        for node, gradient in gradients.items():
            total = accumulate(node.grad, gradient)
            if not math.isfinite(total):
                raise AnomalyError(
                    f"detect_anomaly: in backward, adding the gradient {gradient!r} of {_origin(node)}"
                    f" to its .grad {node.grad!r} would make it {total!r}"
                )


def check_edge(edge: Edge) -> None:
    """The backward check of one edge of a sweep: the gradient it leaves on its input must be finite.

    For a sweep from another seed than 1 or onto running totals (a compiled ``accumulate``), which
    ``check_gradients`` cannot run on the side: the sweep itself calls it at every edge.
    """
    if not math.isfinite(edge.total):
        raise AnomalyError(_gradient_anomaly(edge))


def _gradient_anomaly(edge: Edge) -> str:
    node = edge.node
    slots = _slots(node)
    name, parent = [slot for slot in slots if isinstance(slot[1], Value)][edge.position]
    call = _op(node).describe(*(_number(operand) for _, operand in slots))
    return (
        f"detect_anomaly: in backward, {call} ({_origin(node)}) made the gradient"
        f" of its input {_show(name, parent)} {edge.total!r}:"
        f" local derivative {edge.local!r} times incoming gradient {edge.upstream!r}"
    )


def _op(node: Value) -> Operation:
    op = node.operation
    assert op is not None, "only results of operations are checked"
    return op


def _slots(node: Value) -> list[tuple[str, Value | float]]:
    """Each operand with its name in messages: x, then y."""
    return list(zip(("x", "y"), node.operands(), strict=False))


def _number(operand: Value | float) -> float:
    return operand.data if isinstance(operand, Value) else operand


def _show(name: str, operand: Value | float) -> str:
    """``x = 0.0 (label 'w3')``, ``y = 2.0 (a plain number)``."""
    origin = _origin(operand) if isinstance(operand, Value) else "a plain number"
    return f"{name} = {_number(operand)!r} ({origin})"


def _origin(node: Value) -> str:
    """How a reader finds a node: its label, else what made it."""
    if node.label:
        return f"label {node.label!r}"
    if node.operation is None:
        return "an unlabelled leaf"
    return f"an unlabelled {node.operation.name} result"
