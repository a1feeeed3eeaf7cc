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

from .errors import AnomalyError
from .grad_mode import current_mode, using_mode
from .value import Operation, Value, _operands


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``AnomalyError`` at the first NaN or infinity in a result or a gradient (also a decorator)."""
    with using_mode(replace(current_mode(), check=check_result, check_gradients=check_gradients)):
        yield


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` in this thread or task."""
    return current_mode().check is check_result


def check_result(node: Value, operands: tuple[float, ...]) -> None:
    """The forward check: a new node's number must be finite."""
    if not math.isfinite(node.data):
        inputs = ", ".join(_show(name, number, parent) for name, number, parent in _slots(node, operands))
        raise AnomalyError(f"detect_anomaly: {_op(node).name} produced {node.data!r} from {inputs}")


def check_gradients(order: list[Value]) -> None:
    """The backward check: replay the chain rule on the side; raise at the first non-finite gradient.

    It runs before the sweep, with the sweep's own arithmetic in the sweep's
    own order, so it predicts exactly the numbers the sweep would add to
    ``.grad``, and nothing has changed when it raises.
    """
    grads: dict[Value, float] = {order[-1]: 1.0}
    for node in reversed(order):
        node_grad = grads.get(node, 0.0)
        for position, (parent, local) in enumerate(zip(node.parents, node.local_grads, strict=True)):
            total = grads.get(parent, 0.0) + local * node_grad
            if not math.isfinite(total):
                raise AnomalyError(_gradient_anomaly(node, position, local, node_grad, total))
            grads[parent] = total


def _gradient_anomaly(node: Value, position: int, local: float, node_grad: float, total: float) -> str:
    operands = _operands(node)
    name, number, parent = [slot for slot in _slots(node, operands) if slot[2] is not None][position]
    return (
        f"detect_anomaly: in backward, {_op(node).describe(*operands)} ({_origin(node)}) made the gradient"
        f" of its input {_show(name, number, parent)} {total!r}:"
        f" local derivative {local!r} times incoming gradient {node_grad!r}"
    )


def _op(node: Value) -> Operation:
    op = node.operation
    assert op is not None, "only results of operations are checked"
    return op


def _slots(node: Value, operands: tuple[float, ...]) -> list[tuple[str, float, Value | None]]:
    """Each operand as (x or y, its number, its Value or None for a plain number)."""
    parents: list[Value | None] = list(node.parents)
    if len(parents) < len(operands):  # one operand was a plain number
        parents.insert(0 if _op(node).reflected else len(parents), None)
    return list(zip(("x", "y"), operands, parents, strict=False))


def _show(name: str, number: float, parent: Value | None) -> str:
    """``x = 0.0 (label 'w3')``."""
    return f"{name} = {number!r} ({'a plain number' if parent is None else _origin(parent)})"


def _origin(node: Value) -> str:
    """How a reader finds a node: its label, else what made it."""
    if node.label:
        return f"label {node.label!r}"
    if node.operation is None:
        return "an unlabelled leaf"
    return f"an unlabelled {node.operation.name} result"
