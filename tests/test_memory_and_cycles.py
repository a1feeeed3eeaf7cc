"""Graphs are freed by reference counting alone, a node costs at most 112 bytes (128 on the Python node), and
depth is no limit.

The cycle collector is switched off while graphs are built and dropped: if any
graph held a reference cycle, its nodes would stay alive (the weak reference
would not die) and ``gc.collect()`` would find them afterwards.
"""

import gc
import math
import tracemalloc
import weakref

import pytest
from operators import OPERATIONS, apply

from autograd import Value, grad, no_grad
from autograd.accelerator import ACCELERATED
from nn import MLP, SGD, article_inputs, article_network, hinge_loss, l2_penalty, squared_error


class WatchedLeaf(Value):
    """A leaf that can be weakly referenced (Value itself has no __weakref__ slot: 8 bytes a node saved)."""

    __slots__ = ("__weakref__",)


def every_operation(x: Value, y: Value) -> Value:
    """Every row of the table, between Values and with a plain number on either side (x = 0.5, y = 1.5)."""
    total = x + y
    for op in OPERATIONS:
        if op.arity == 1:
            total = total + apply(op, y)
        else:
            total = total + apply(op, x, y) + apply(op, y, 2.0) + apply(op, 2.0, x)
    return total


def test_every_operation_and_backward_leave_no_cycle(collector_off):
    x, y = WatchedLeaf(0.5), WatchedLeaf(1.5)
    watch = [weakref.ref(x), weakref.ref(y)]
    out = every_operation(x, y)
    out.backward()
    grad(out, [x, y])
    second = grad(out, [x, y], create_graph=True)
    grad(second[0], [x, y])
    with no_grad():
        every_operation(x, y)
    del x, y, out, second
    assert [ref() for ref in watch] == [None, None]
    assert gc.collect() == 0


def test_training_an_mlp_leaves_no_cycle(collector_off):
    model = MLP(2, [8, 8, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    watched = [WatchedLeaf(0.5), WatchedLeaf(-0.5)]
    watch = [weakref.ref(v) for v in watched]
    for _ in range(3):
        optimizer.zero_grad()
        loss = hinge_loss([model(watched), model([1.0, 2.0])], [1.0, -1.0]) + l2_penalty(model.parameters(), 1e-3)
        loss.backward()
        optimizer.step()
    del watched, loss
    assert [ref() for ref in watch] == [None, None]
    assert gc.collect() == 0


def test_the_article_step_leaves_no_cycle(collector_off):
    model = article_network()
    inputs = [WatchedLeaf(v.data, v.label) for v in article_inputs()]
    watch = [weakref.ref(v) for v in inputs]
    error = squared_error(model(inputs), 1.0)
    error.backward()
    SGD(model.parameters(), lr=0.05).step()
    del inputs, error
    assert [ref() for ref in watch] == [None, None]
    assert gc.collect() == 0


# The C node: 96 bytes of fields (two numbers, label, operation, two inputs, two local derivatives, the folded
# number, the traversal mark) and the cycle collector's 16-byte header. The Python node: the header, the
# collector's header and nine slots (104 bytes), and its number boxed in a float (24 bytes).
NODE_BYTES = 112 if ACCELERATED else 128


def test_a_node_costs_at_most_112_bytes_on_the_c_node_and_128_on_the_python():
    x = Value(1.0)
    y = x * 1.5  # warm up: the first node may allocate interpreter caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            y = y * 1.0001 + 0.0001
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used <= NODE_BYTES * 20_000 + 1024  # 20,000 nodes, and a kilobyte for the loop's own bookkeeping


def test_a_million_step_chain():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0001 + 0.0001
    y.backward()
    a = 1.0001**1_000_000  # y_n = a^n x + b (a^n - 1)/(a - 1) with a = 1.0001, b = 0.0001: 2a^n - 1 here
    assert y.data == pytest.approx(2.0 * a - 1.0, rel=1e-9)
    assert x.grad == pytest.approx(a, rel=1e-9)
    assert math.isfinite(x.grad)
