"""The one sweep and how it accumulates: signed zeros as in PyTorch, all or nothing, exact under threads,
and the C ``chain_rule`` bit for bit the twin of the Python one (``edges()`` plus one accumulation).

Run on both implementations (the C accelerator when built, and ``MICRO_AUTOGRAD_PURE_PYTHON=1``).
"""

import inspect
import math
import random
import struct
import sys
import threading
from pathlib import Path

import pytest
import torch
from operators import DERIVATIVE_OPERATIONS, apply
from operators import OPERATIONS as TABLE

import autograd
import autograd.backward
from autograd import Value, grad, topological_order
from autograd.accelerator import ACCELERATED
from autograd.backward import python_chain_rule
from autograd.errors import AutogradError

OPERATIONS = [*TABLE, *DERIVATIVE_OPERATIONS]  # every row, those only derivative formulas use too
ENGINE = str(Path(autograd.__file__).resolve().parent)

# The sweeps to compare: the one in use (C when built) and the Python specification.
CHAIN_RULES = {"in use": autograd.backward.chain_rule, "python": python_chain_rule}


def bits(x: float) -> bytes:
    """The exact bit pattern: tells -0.0 from 0.0 and one NaN from another."""
    return struct.pack("<d", x)


# --- signed zeros, as in PyTorch ---------------------------------------------------------------------------


def test_a_minus_zero_gradient_is_assigned_not_added_to_zero_as_in_pytorch():
    x = Value(1.5)
    y = x * -0.0
    y.backward()
    assert bits(x.grad) == bits(-0.0)
    assert [bits(g) for g in grad(y, [x])] == [bits(-0.0)]

    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    (t * -0.0).backward()
    assert bits(t.grad.item()) == bits(-0.0), "the reference: PyTorch float64"


def test_signed_zeros_match_pytorch_through_sums_and_repeated_backward():
    def engine():
        x = Value(1.5)
        y = x * -0.0 + (x * 0.0) * -2.0  # -0.0 from both paths
        grads = []
        for _ in range(2):
            y.backward()
            grads.append(x.grad)
        return grads + grad(y, [x])

    def pytorch():
        t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
        y = t * -0.0 + (t * 0.0) * -2.0
        grads = []
        for _ in range(2):
            y.backward(retain_graph=True)
            grads.append(t.grad.item())
        return [*grads, torch.autograd.grad(y, [t])[0].item()]

    assert [bits(g) for g in engine()] == [bits(g) for g in pytorch()]
    assert [bits(g) for g in engine()] == [bits(-0.0)] * 3


def test_an_earlier_plus_zero_grad_means_no_gradient_yet_and_anything_else_is_added_to():
    cases = [(0.0, -0.0, -0.0), (-0.0, -0.0, -0.0), (-0.0, 0.0, 0.0), (2.0, -0.0, 2.0), (0.0, 3.0, 3.0)]
    for earlier, weight, expected in cases:
        x = Value(1.0)
        x.grad = earlier
        (x * weight).backward()
        assert bits(x.grad) == bits(expected), (earlier, weight)


def test_accumulate_replaces_only_a_plus_zero_grad_and_adds_to_anything_else_bit_for_bit():
    # The rule as docs/GUARANTEES.md states it (PyTorch's None is a +0.0 .grad), over every awkward pair:
    # a -0.0 grad is added to, which gives the gradient itself (-0.0 is addition's identity).
    numbers = [*AWKWARD, 1.25, -7.0]
    for earlier in numbers:
        for gradient in numbers:
            expected = gradient if bits(earlier) == bits(0.0) else earlier + gradient
            assert same_bits([bits(autograd.backward.accumulate(earlier, gradient))], [bits(expected)])


# --- all or nothing ----------------------------------------------------------------------------------------


def a_graph_with_earlier_gradients():
    leaves = [Value(0.25 * (i + 1), f"x{i}") for i in range(4)]
    a, b, c, d = leaves
    out = ((a * b + c).tanh() * d + (a / c).exp() - b * b) * 3.0
    for i, node in enumerate(topological_order(out)):
        node.grad = [0.0, -0.0, 1.25, -3.5][i % 4]  # earlier gradients, of every kind
    return leaves, out


def _with_statement_lines() -> set[int]:
    """Where backward.py enters and leaves its lock: CPython 3.11 runs no signal handler there, but a trace
    function's exception at the exit line would skip the lock's release, an artifact of this test's method."""
    source = inspect.getsource(autograd.backward).splitlines()
    return {number for number, text in enumerate(source, start=1) if text.strip().startswith("with _writing")}


def interrupting_at(line: int):
    """A trace function that raises KeyboardInterrupt at the engine's ``line``-th executed line."""
    seen = 0
    skip = _with_statement_lines()

    def trace(frame, event, arg):
        nonlocal seen
        if not frame.f_code.co_filename.startswith(ENGINE):
            return None
        if event == "line" and not (frame.f_code.co_name == "chain_rule" and frame.f_lineno in skip):
            seen += 1
            if seen == line:
                raise KeyboardInterrupt  # a trace function's exception is raised in the traced frame
        return trace

    return trace


def test_an_interrupt_anywhere_in_backward_leaves_every_grad_as_before_or_every_one_updated():
    _, out = a_graph_with_earlier_gradients()
    order = topological_order(out)
    earlier = [node.grad for node in order]
    # Each .grad after the call: its earlier value plus this call's gradient (a +0.0 meaning "none yet").
    this_call = grad(out, order)
    updated = [bits(g if bits(e) == bits(0.0) else e + g) for e, g in zip(earlier, this_call, strict=True)]
    before = [bits(g) for g in earlier]

    outcomes = []
    line = 0
    while True:  # interrupt at the 1st line the engine runs, then at the 2nd, ...: until backward completes
        line += 1
        sys.settrace(interrupting_at(line))
        try:
            out.backward()
        except KeyboardInterrupt:
            now = [bits(node.grad) for node in order]
            assert now in (before, updated), f"interrupted at line {line}: some .grad changed, not all"
            outcomes.append("before" if now == before else "updated")
            for node, grad_ in zip(order, earlier, strict=True):
                node.grad = grad_
            continue
        finally:
            sys.settrace(None)
        break
    assert [bits(node.grad) for node in order] == updated
    # Interrupted before the write: nothing changed; after it (on the way out), everything had.
    assert outcomes == sorted(outcomes) and outcomes[0] == "before"
    # The Python sweep and its write were interrupted at each of their lines; the C sweep runs no Python
    # code, so an interrupt can come only before or after it.
    assert line > 5 * len(order) if not ACCELERATED else line < len(order)


def test_an_error_raised_while_writing_the_gradients_leaves_every_grad_as_before(monkeypatch):
    _, out = a_graph_with_earlier_gradients()
    order = topological_order(out)
    earlier = [bits(node.grad) for node in order]
    writes = 0

    class Refusing(float):  # a gradient whose addition fails on the 5th write: an error mid-write
        def __radd__(self, other):
            nonlocal writes
            writes += 1
            if writes == 5:
                raise MemoryError("injected")
            return float(other) + float(self)

    real_edges = autograd.backward.edges

    def edges_with_refusing_totals(order, gradients, local_grads=None, records=True):
        for edge in real_edges(order, gradients, local_grads):  # with records, whatever the caller asked
            gradients[edge.parent] = Refusing(edge.total)
            yield edge

    monkeypatch.setattr(autograd.backward, "edges", edges_with_refusing_totals)
    with pytest.raises(MemoryError, match="injected"):
        python_chain_rule(order)
    assert writes == 5
    assert [bits(node.grad) for node in order] == earlier


# --- threads ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sweep", sorted(CHAIN_RULES))
def test_threads_calling_backward_on_graphs_sharing_a_leaf_lose_no_contribution(sweep, monkeypatch):
    monkeypatch.setattr(autograd.backward, "chain_rule", CHAIN_RULES[sweep])
    w, b = Value(0.5, "w"), Value(-1.0, "b")
    threads, calls = 8, 200
    barrier = threading.Barrier(threads, timeout=60)
    failures = []

    def train(k):
        try:
            barrier.wait()
            for _ in range(calls):
                # d/dw = k + 40, d/db = 2: integers, so every sum below is exact
                loss = w * float(k) + b * 2.0
                for _ in range(40):  # a longer sweep: more chances to switch threads midway
                    loss = loss + w * 1.0
                loss.backward()
        except BaseException as failure:
            failures.append(failure)
            barrier.abort()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        workers = [threading.Thread(target=train, args=(k,)) for k in range(1, threads + 1)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures
    assert w.grad == calls * sum(k + 40 for k in range(1, threads + 1))
    assert b.grad == calls * threads * 2.0


# --- the C sweep is the Python one's twin, bit for bit ------------------------------------------------------

AWKWARD = [0.0, -0.0, 0.5, -1.5, 2.0, 3.0, 1e308, -1e-320, math.inf, -math.inf, math.nan, -math.nan]


def random_graph(rng):
    """A random graph over the whole operation table and awkward numbers: leaves, then up to 30 results."""
    pool = [Value(rng.choice([*AWKWARD, rng.uniform(-3, 3)]), f"x{i}") for i in range(rng.randint(1, 4))]
    for _ in range(rng.randint(1, 30)):
        op = rng.choice(OPERATIONS)
        a = rng.choice(pool)
        if op.arity == 1:
            operands = [a]
        else:
            b = rng.choice([*pool, *pool, rng.choice(AWKWARD), rng.uniform(-2, 2)])
            operands = [b, a] if rng.random() < 0.3 else [a, b]  # a plain number on either side
        try:
            pool.append(apply(op, *operands))
        except (AutogradError, TypeError):
            continue
    return pool[-1]


def same_bits(a: list[bytes], b: list[bytes]) -> bool:
    """Equal bit patterns, but for the sign and payload of a NaN where both are NaN: IEEE 754 does not say which
    NaN a sum or product of two NaNs carries, and CPython's float arithmetic and the C sweep may pick differently."""

    def nan(x: bytes) -> bool:
        return math.isnan(struct.unpack("<d", x)[0])

    return len(a) == len(b) and all(x == y or (nan(x) and nan(y)) for x, y in zip(a, b, strict=True))


def sweep_bits(chain_rule, order, earlier):
    for node, grad_ in zip(order, earlier, strict=True):
        node.grad = grad_
    chain_rule(order)
    chain_rule(order)  # and again: accumulation
    return [bits(node.grad) for node in order]


def test_the_c_chain_rule_and_the_python_one_agree_bit_for_bit_on_random_graphs():
    rng = random.Random(20260)
    compared = exact = signed_zeros = nans = 0
    for _ in range(600):
        out = random_graph(rng)
        order = topological_order(out)
        earlier = [rng.choice([0.0, 0.0, -0.0, 1.0, math.nan, math.inf, rng.uniform(-1, 1)]) for _ in order]
        in_use = sweep_bits(autograd.backward.chain_rule, order, earlier)
        python = sweep_bits(python_chain_rule, order, earlier)
        assert same_bits(in_use, python)
        exact += in_use == python
        # From no gradient yet, backward() gives grad()'s bits: the same sweep.
        returned = [bits(g) for g in grad(out, order)]
        for chain_rule in (python_chain_rule, autograd.backward.chain_rule):
            for node in order:
                node.grad = 0.0
            chain_rule(order)
            stored = [bits(node.grad) for node in order]
            assert stored == returned if chain_rule is python_chain_rule else same_bits(stored, returned)
        compared += 1
        signed_zeros += sum(b == bits(-0.0) for b in in_use)
        nans += sum(math.isnan(struct.unpack("<d", b)[0]) for b in in_use)
    assert compared == 600 and signed_zeros > 20 and nans > 100  # the awkward cases were exercised
    assert exact > 550  # NaN meeting NaN is rare: nearly every graph agrees in every bit


def test_every_reader_of_gradients_draws_its_edges_from_the_one_sweep(monkeypatch):
    """grad(), anomaly's check, the step-through page, explain and compile's writer iterate backward.edges:
    with it replaced by a counting twin in each of them, each one's edges all come through the twin."""
    import autograd.replay.codegen
    from autograd import compile, detect_anomaly, explain
    from autograd.views.stepthrough import stepthrough_html

    seen: dict[str, int] = {}

    def counting(name):
        def twin(*arguments, records=True):  # (the writer's records=False: every edge still counted here)
            for edge in autograd.backward.edges(*arguments):
                seen[name] = seen.get(name, 0) + 1
                if records:
                    yield edge

        return twin

    readers = ("anomaly", "replay.codegen", "views.explain", "functional", "views.stepthrough")
    for name in readers:
        monkeypatch.setattr(sys.modules[f"autograd.{name}"], "edges", counting(name))
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    f = (x * w).tanh() + w * w  # 4 operations, 7 edges
    grad(f, [x, w])
    with detect_anomaly():
        f.backward()
    stepthrough_html(f)
    explain("tanh(x*w) + w*w", x=0.5, w=-1.5)
    compile(lambda: (x * w).tanh() + w * w, [w])
    # compile writes two backwards from the sweep: ``replay``'s and its own ``__call__``'s (a small graph's)
    assert seen == {**dict.fromkeys(readers, 7), "replay.codegen": 14}
