"""The backward sweep: reverse topological order, no recursion, every path summed.

The million-step chain lives in test_memory_and_cycles.py.
"""

import math
import struct

import pytest

from autograd import Value, topological_order
from autograd.backward import edges


def test_node_used_twice_gets_both_paths():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0  # d(a^2)/da = 2a
    b = Value(3.0)
    (b + b).backward()
    assert b.grad == 2.0


def test_diamond():
    # f = (x*2) * (x+1): df/dx = 2(x+1) + 2x = 4x + 2
    x = Value(1.5)
    left, right = x * 2, x + 1
    (left * right).backward()
    assert x.grad == pytest.approx(4 * 1.5 + 2, rel=1e-15)
    assert left.grad == right.data and right.grad == left.data


def test_chain_rule_through_a_composite_matches_closed_form():
    x, y = Value(0.5), Value(-1.25)
    f = (x * y).tanh() + (x / y).exp() - (y * y).log()
    f.backward()
    t = math.tanh(0.5 * -1.25)
    e = math.exp(0.5 / -1.25)
    assert x.grad == pytest.approx((1 - t * t) * -1.25 + e / -1.25, rel=1e-13)
    assert y.grad == pytest.approx((1 - t * t) * 0.5 + e * (-0.5 / 1.25**2) - 2 / -1.25, rel=1e-13)


def test_topological_order_puts_inputs_before_users_and_root_last():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order[-1] is e
    assert len(order) == len(set(order)) == 5
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_a_sum_of_a_million_products_backpropagates():
    n = 1_000_000
    a = [Value(float(i % 7)) for i in range(n)]
    b = [Value(float(i % 5)) for i in range(n)]
    total = a[0] * b[0]
    for i in range(1, n):
        total = total + a[i] * b[i]
    total.backward()
    assert total.data == sum((i % 7) * (i % 5) for i in range(n))
    assert all(a[i].grad == b[i].data and b[i].grad == a[i].data for i in range(n))


def test_backward_from_an_interior_node_only_reaches_what_it_depends_on():
    a, b = Value(2.0), Value(5.0)
    c = a * 3
    d = c + b
    c.backward()
    assert a.grad == 3.0 and b.grad == 0.0 and d.grad == 0.0


def test_edges_walk_the_chain_rule_edge_by_edge_in_the_sweeps_order():
    # f = x*x + 2 - x*y at x = 3, y = 2: df/dx = 2x - y = 4, df/dy = -x = -3 (closed form)
    x, y = Value(3.0, "x"), Value(2.0, "y")
    square, product = x * x, x * y
    shifted = square + 2
    f = shifted - product
    gradients = {f: 1.0}
    steps = [
        (e.node, e.parent, e.position, e.local, e.upstream, e.contribution, e.total, e.first)
        for e in edges(topological_order(f), gradients)
    ]
    assert steps == [
        (f, shifted, 0, 1.0, 1.0, 1.0, 1.0, True),
        (f, product, 1, -1.0, 1.0, -1.0, -1.0, True),
        (shifted, square, 0, 1.0, 1.0, 1.0, 1.0, True),
        (square, x, 0, 3.0, 1.0, 3.0, 3.0, True),
        (square, x, 1, 3.0, 1.0, 3.0, 6.0, False),
        (product, x, 0, 2.0, -1.0, -2.0, 4.0, False),
        (product, y, 1, 3.0, -1.0, -3.0, -3.0, True),
    ]
    assert [node for node in reversed(topological_order(f)) if not node.is_leaf] == [f, shifted, square, product]
    assert (gradients[x], gradients[y]) == (4.0, -3.0)
    assert x.grad == y.grad == 0.0, "edges() fills the dict it is given and touches no .grad"


def test_edges_without_records_fill_the_same_gradients_and_yield_nothing():
    # backward()'s mode: the totals of the same sweep, no Edge made. The same f as above (closed form: 4, -3).
    x, y = Value(3.0, "x"), Value(2.0, "y")
    f = (x * x + 2) - x * y
    order = topological_order(f)
    with_records, without = {f: 1.0}, {f: 1.0}
    assert len(list(edges(order, with_records))) == 7
    assert list(edges(order, without, records=False)) == []
    assert list(without.items()) == list(with_records.items())  # the same totals, filled in the same order
    assert (without[x], without[y]) == (4.0, -3.0)


def test_edges_assign_a_first_contribution_so_signed_zeros_follow_pytorch():
    x = Value(1.5)
    y = x * -0.0
    gradients = {y: 1.0}
    list(edges(topological_order(y), gradients))
    assert struct.pack("<d", gradients[x]) == struct.pack("<d", -0.0)


def test_edges_read_the_dict_afresh_so_a_consumer_can_rename_a_gradient():
    x = Value(2.0)
    y = x * x  # two edges into x
    gradients: dict[Value, object] = {y: 1.0}
    seen = []
    for edge in edges(topological_order(y), gradients):
        seen.append(edge.total)
        gradients[edge.parent] = 10.0 * edge.total  # not equal: shows the next edge reads it
    assert seen == [2.0, 20.0 + 2.0]


def test_edges_read_a_nodes_gradient_again_after_its_local_derivatives_so_they_may_rename_it():
    # The code writer names a gradient when the sweep reaches its node (autograd/replay/codegen.py): what
    # local_grads(node) puts in gradients[node] is the upstream of node's edges, and records=False alike.
    x = Value(2.0)
    h = x * 3.0
    y = h + 1.0
    for records in (True, False):
        gradients: dict[Value, float] = {y: 1.0}

        def renaming(node: Value, gradients: dict[Value, float] = gradients) -> list[float]:
            gradients[node] = 10.0 * gradients[node]  # not equal: shows which one the edges read
            return list(node.local_grads)

        list(edges(topological_order(y), gradients, renaming, records))
        # h got 1 * 10 (y's gradient as renamed), then was renamed itself (100); x got 3 * 100
        assert (gradients[y], gradients[h], gradients[x]) == (10.0, 100.0, 300.0)


def test_edges_take_any_local_derivatives_and_skip_nodes_not_reached():
    x = Value(2.0)
    y = x.exp()
    z = y * 3
    counts: dict[Value, int] = {y: 1}  # seeded below the root: z is not reached, nothing passes through it
    list(edges(topological_order(z), counts, lambda node: [2] * len(node.parents)))
    assert counts == {y: 1, x: 2}
