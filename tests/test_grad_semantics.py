"""PyTorch's semantics: accumulation, zero_grad, functional grad(), no_grad, detach."""

import asyncio
import contextlib

import pytest
import torch
from interrupts import every_interrupt, in_files, leaves_no_grad_on_only_where_a_signal_cannot

from autograd import GraphError, Value, enable_grad, grad, grad_mode, is_grad_enabled, no_grad, set_grad_enabled
from autograd.grad_mode import current_mode
from nn import MLP


def test_repeated_backward_accumulates_like_pytorch():
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    xt = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    yt = xt * xt
    yt.backward(retain_graph=True)
    yt.backward()
    assert x.grad == xt.grad.item() == 12.0


def test_accumulation_across_two_graphs_sharing_a_leaf():
    x = Value(2.0)
    (x * 3).backward()
    (x.exp()).backward()
    import math

    assert x.grad == pytest.approx(3 + math.exp(2.0), rel=1e-15)


def test_interior_nodes_accumulate_without_double_counting():
    # A second backward must pass on only its own gradient, not the one already stored.
    x = Value(2.0)
    h = x * x
    out = h * 3
    out.backward()
    out.backward()
    assert (out.grad, h.grad, x.grad) == (2.0, 6.0, 24.0)


def test_zero_grad_resets_every_parameter():
    model = MLP(3, [4, 1], seed=1)
    model([1.0, 2.0, 3.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_grad_returns_gradients_and_touches_no_grad_field():
    x, y = Value(2.0), Value(5.0)
    f = x * x * y
    assert grad(f, [x, y]) == [20.0, 4.0]
    assert grad(f, [x, y]) == [20.0, 4.0], "nothing accumulates between calls"
    assert (x.grad, y.grad, f.grad) == (0.0, 0.0, 0.0)


def test_grad_of_an_input_the_output_does_not_depend_on_is_refused_unless_allowed_as_in_pytorch():
    # Before: 0.0 without a word, as for a mistyped input.
    x, unrelated = Value(2.0), Value(7.0, "u")
    with pytest.raises(GraphError, match=r"grad\(\): input 1 \('u'\) is not in the output's graph"):
        grad(x * 3, [x, unrelated])
    assert grad(x * 3, [x, unrelated], allow_unused=True) == [3.0, 0.0]
    assert grad(x, [x]) == [1.0]  # the output itself is in its graph
    (slope,) = grad(x * unrelated, [x], create_graph=True)  # the slope is u: x is not in its graph
    with pytest.raises(GraphError, match="input 0 is not in the output's graph"):
        grad(slope, [x])
    assert grad(slope, [x], allow_unused=True, create_graph=True)[0].data == 0.0
    tx, tu = torch.tensor(2.0, requires_grad=True), torch.tensor(7.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        torch.autograd.grad(tx * 3, [tx, tu])
    assert torch.autograd.grad(tx * 3, [tx, tu], allow_unused=True)[1] is None
    with pytest.raises(TypeError, match="allow_unused must be True or False, got 'yes'"):
        grad(x * 3, [x], allow_unused="yes")


def test_grad_rejects_non_values():
    from autograd import GraphError

    with pytest.raises(GraphError, match="input 1 is float"):
        grad(Value(1.0), [Value(2.0), 3.0])
    with pytest.raises(GraphError, match="not float"):
        grad(1.0, [Value(2.0)])


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3 + 1
    assert is_grad_enabled()
    assert y.data == 7.0 and y.is_leaf and y.parents == () and y.op == ""
    y.backward()
    assert x.grad == 0.0


def test_no_grad_nests_with_enable_grad_and_works_as_a_decorator():
    x = Value(2.0)

    @no_grad()
    def frozen(v):
        return v * v

    assert frozen(x).is_leaf
    with no_grad():
        with enable_grad():
            assert not (x * x).is_leaf
        assert (x * x).is_leaf
    with set_grad_enabled(False):
        assert (x * x).is_leaf
    assert not (x * x).is_leaf


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(1.0) / 0
    assert is_grad_enabled()


def test_no_grad_in_one_async_task_does_not_leak_into_another():
    async def inside_no_grad(event):
        with no_grad():
            await event.wait()
            return is_grad_enabled()

    async def plain(event):
        enabled = is_grad_enabled()
        event.set()
        return enabled

    async def main():
        event = asyncio.Event()
        return await asyncio.gather(inside_no_grad(event), plain(event))

    assert asyncio.run(main()) == [False, True]


def test_detach_is_a_new_leaf_that_stops_gradients():
    x = Value(3.0, label="x")
    h = x * x
    d = h.detach()
    assert d is not h and d.data == h.data == 9.0 and d.is_leaf and d.label == h.label
    (d * x).backward()
    xt = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    (((xt * xt).detach()) * xt).backward()
    assert x.grad == xt.grad.item() == 9.0
    assert h.grad == 0.0, "nothing flows back through the detached value"
    assert d.grad == 3.0


# --- Ctrl-C inside no_grad's own __enter__ and __exit__ --------------------------------------------------


@pytest.mark.parametrize("nesting", ["no_grad", "enable_grad inside no_grad", "decorator"])
def test_an_interrupt_at_any_instruction_of_entering_or_leaving_no_grad_leaves_the_mode_as_before(nesting):
    # Before the fix an interrupt right after __enter__ switched the mode (before it saved its token) left
    # recording off for good: every later graph empty, every gradient 0, silently.
    @no_grad()
    def decorated():
        pass

    def block():
        if nesting == "decorator":
            decorated()
        elif nesting == "no_grad":
            with no_grad():
                pass
        else:
            with no_grad(), enable_grad():
                pass

    before = current_mode()
    where = in_files(grad_mode.__file__, __file__, contextlib.__file__)
    points = left_on = 0
    for point in every_interrupt(block, where):
        points += 1
        if current_mode() is before:
            continue
        left_on += 1
        assert leaves_no_grad_on_only_where_a_signal_cannot(point), point
        grad_mode._mode.set(before)
    assert current_mode() is before and is_grad_enabled()
    assert points > 60 and left_on < points / 5, (points, left_on)
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
