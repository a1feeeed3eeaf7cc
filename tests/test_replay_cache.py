"""The replay's code cache (autograd/replay/cache.py): a graph of a structure seen before reuses its code.

Expected numbers are the eager engine's, run afresh on each graph (``backward.edges`` through the engine's
own sweep); a graph that differs from a cached one in one wire, one operation, one structural constant, one
role or one output must miss; one that differs only in constants or labels shares the code and still gives
its own numbers, and its ``.source`` is the one written for it alone.
"""

import math
import random
import struct
import threading

import pytest
from operators import OPERATIONS, apply

import autograd
from autograd import Value, detached
from autograd.replay.cache import CodeCache, code_cache, structure
from autograd.replay.codegen import _Writer
from autograd.replay.tracing import _sweep
from autograd.value import POWER
from nn import MLP, hinge_loss


def bits(values):
    return [struct.pack("<d", v).hex() for v in values]


@pytest.fixture(autouse=True)
def empty_cache():
    code_cache.clear()
    yield
    code_cache.resize(128)
    code_cache.clear()


def engine(f, parameters, seed=1.0):
    """f's output and gradients by the eager engine: the sweep from ``seed``, each gradient the sum of its
    contributions (from -0.0, the sum's identity), 0.0 for a parameter the output does not depend on (as grad())."""
    result = f()
    output = result[0] if isinstance(result, tuple) else result
    reached = set(autograd.topological_order(output))
    totals = [-0.0 if p in reached else 0.0 for p in parameters]
    return output.data, _sweep(output, parameters, seed, totals)


def same_as_engine(replay, f, parameters):
    output, gradients = replay()[:2]
    want_output, want_gradients = engine(f, parameters)
    return bits([output, *gradients]) == bits([want_output, *want_gradients])


def compiled(f, parameters, data=(), **options):
    misses = code_cache.misses
    replay = autograd.compile(f, parameters, data=data, **options)
    return replay, code_cache.misses > misses


def test_the_same_structure_hits_and_gives_its_own_numbers_and_source():
    x, y = Value(1.5, "x"), Value(-2.0, "y")
    f = lambda: (x * y + 2.0).tanh() * 3.0  # noqa: E731
    first, missed = compiled(f, [x, y])
    assert missed and same_as_engine(first, f, [x, y])
    a, b = Value(0.25, "a"), Value(4.0, "b")
    g = lambda: (a * b + -7.0).tanh() * 0.5  # noqa: E731  (other labels, other constants: the same structure)
    second, missed = compiled(g, [a, b])
    assert not missed and same_as_engine(second, g, [a, b])
    # one code, written and compiled once: each graph runs its own copy (CPython's caches then warm for its globals)
    assert second._replay.__code__ == first._replay.__code__ and second._replay.__code__ is not first._replay.__code__
    # .source reads as it did before the cache: written for this graph alone, its labels and its numbers
    assert second.source == _Writer(second._traced, [a, b], []).write()
    assert "a * b + -7.0" in second.source and "0.5" in second.source and "constants" not in second.source
    # the code that runs reads the constants as its globals, each graph's own, set once: no call unpacks them
    code = second._replay.__code__
    assert "constants" not in code.co_names + code.co_varnames + code.co_freevars and {"c1", "c2"} <= set(code.co_names)
    assert [first._replay.__globals__[c] for c in ("c1", "c2")] == [2.0, 3.0]
    assert [second._replay.__globals__[c] for c in ("c1", "c2")] == [-7.0, 0.5]


def _graph(first="b", second="b", power=2.0, operation="*", constant_leaf=False, aux=None):
    """x, y, z and a fixed chain of nodes, whose last products can be rewired one input at a time; the leaves
    are reached in the same order whatever the variant, so that only the named difference remains."""
    x, y, z = LEAVES

    def f():
        a = x * y if not constant_leaf else x * Value(-2.0)
        b, c = a.tanh(), a.exp()
        p = (b + c) if operation == "+" else (b * c)
        nodes = {"b": b, "c": c}
        out = p + nodes[first] * z + z * nodes[second] + a**power
        return out if aux is None else (out, [nodes[aux]])

    return f


LEAVES = [Value(1.5), Value(-2.0), Value(0.5)]


@pytest.mark.parametrize(
    "change", ["first wire", "second wire", "operation", "structural constant", "role", "output", "aux", "leaf kind"]
)
def test_one_difference_in_structure_misses(change):
    x, y, z = LEAVES
    base = _graph()
    replay, missed = compiled(base, LEAVES)
    assert missed and same_as_engine(replay, base, LEAVES)
    assert not compiled(_graph(), LEAVES)[1]  # the very same structure hits
    variants = {
        "first wire": lambda: _graph(first="c"),
        "second wire": lambda: _graph(second="c"),
        "operation": lambda: _graph(operation="+"),
        "structural constant": lambda: _graph(power=3.0),  # x ** 2.0 is written out: its exponent is its code
        "leaf kind": lambda: _graph(constant_leaf=True),
    }
    if change == "role":  # z data instead of a parameter
        replay, missed = compiled(base, [x, y], data=[z])
    elif change == "output":
        replay, missed = compiled(lambda: base() * 1.0, LEAVES)
    elif change == "aux":
        replay, missed = compiled(_graph(aux="b"), LEAVES, has_aux=True)
        assert missed  # has_aux is the structure
        assert not compiled(_graph(aux="b"), LEAVES, has_aux=True)[1]
        f = _graph(aux="c")  # the same nodes, another reported
        replay, missed = compiled(f, LEAVES, has_aux=True)
        assert replay()[2] == [f()[1][0].data]
    else:
        f = variants[change]()
        replay, missed = compiled(f, LEAVES)
        assert same_as_engine(replay, f, LEAVES)
    assert missed, change


def test_another_detached_function_misses():
    x, y = Value(1.5), Value(-2.0)
    compiled(lambda: x * detached(max, [x, y]), [x, y])
    replay, missed = compiled(lambda: x * detached(min, [x, y]), [x, y])
    assert missed and replay()[0] == 1.5 * -2.0


def test_constants_are_arguments_signed_zeros_and_nan_included():
    x = Value(-0.0)
    results = {}
    for place, constant in enumerate((0.0, -0.0, math.nan, 2.5)):
        replay, missed = compiled(lambda constant=constant: x + constant, [x])
        assert missed == (place == 0)  # the first makes the code; the rest share it
        results[struct.pack("<d", constant)] = bits([replay()[0]])
    assert results[struct.pack("<d", 0.0)] == bits([0.0])  # -0.0 + 0.0
    assert results[struct.pack("<d", -0.0)] == bits([-0.0])  # -0.0 + -0.0
    assert math.isnan(struct.unpack("<d", bytes.fromhex(results[struct.pack("<d", math.nan)][0]))[0])


def test_the_two_labels_of_a_hinge_loss_share_their_code():
    model = MLP(2, [4, 1], seed=0)
    point = [Value(0.3, "x1"), Value(-0.7, "x2")]
    for label, expect_miss in ((-1.0, True), (1.0, False)):
        f = lambda label=label: hinge_loss([model(point)], [label])  # noqa: E731
        replay, missed = compiled(f, model.parameters(), data=point)
        assert missed == expect_miss
        assert bits([replay()[0], *replay()[1]]) == bits([f().data, *engine(f, model.parameters())[1]])


def test_random_graphs_sharing_a_structure_each_give_the_engines_numbers():
    rng = random.Random(11)
    shared = 0
    for _ in range(150):
        leaves = rng.randint(1, 3)
        steps = []
        for _ in range(rng.randint(1, 8)):
            op = rng.choice(OPERATIONS)
            size = leaves + len(steps)
            if op.arity == 1:
                steps.append((op, (rng.randrange(size),)))
            elif op is not POWER and rng.random() < 0.5:
                steps.append((op, (rng.randrange(size), None) if rng.random() < 0.5 else (None, rng.randrange(size))))
            else:
                steps.append((op, (rng.randrange(size), rng.randrange(size))))
        for _ in range(2):  # the same structure, other constants and numbers
            numbers = [rng.uniform(0.5, 1.5) for _ in range(leaves)]
            constants = [rng.choice([2.0, -0.5, 0.25, 3.0]) for _ in steps]
            inputs = [Value(n) for n in numbers]

            def f(inputs=inputs, constants=constants, steps=steps):
                nodes = list(inputs)
                for (op, operands), constant in zip(steps, constants, strict=True):
                    nodes.append(apply(op, *(constant if o is None else nodes[o] for o in operands)))
                return nodes[-1]

            try:
                f()
            except (ArithmeticError, ValueError):
                continue
            replay, missed = compiled(f, inputs[:1], data=inputs[1:])
            shared += not missed
            want = engine(f, inputs[:1])
            got = replay()
            assert bits([got[0], *got[1]]) == bits([want[0], *want[1]]) or not math.isfinite(want[0])
    assert shared >= 50


def test_the_cache_is_bounded_least_recently_used_first_out():
    code_cache.resize(2)
    x = Value(1.0)
    graphs = [lambda: x + 1.0, lambda: x * 2.0, lambda: x - 3.0]
    compiled(graphs[0], [x])
    compiled(graphs[1], [x])
    compiled(graphs[0], [x])  # used again: now the most recent
    compiled(graphs[2], [x])  # evicts graphs[1]
    assert len(code_cache) == 2
    assert not compiled(graphs[0], [x])[1]
    assert compiled(graphs[1], [x])[1]
    with pytest.raises(ValueError, match="size must be an int >= 0"):
        code_cache.resize(-1)
    code_cache.resize(0)
    assert compiled(graphs[0], [x])[1] and len(code_cache) == 0  # size 0: nothing is kept


def test_concurrent_compiles_share_the_cache_safely():
    errors, results = [], []
    cache_size = 3
    code_cache.resize(cache_size)

    def work(seed):
        rng = random.Random(seed)
        try:
            for _ in range(30):
                x, y = Value(rng.uniform(-1, 1)), Value(rng.uniform(-1, 1))
                kind = rng.randrange(5)  # five structures through a cache of three
                f = [
                    lambda x=x, y=y: x * y + 1.0,
                    lambda x=x, y=y: (x - y).tanh(),
                    lambda x=x, y=y: x * x * y,
                    lambda x=x, y=y: (x + 2.0).exp() / y,
                    lambda x=x, y=y: abs(x) + y * 3.0,
                ][kind]
                replay = autograd.compile(f, [x, y])
                results.append(bits([replay()[0], *replay()[1]]) == bits([f().data, *engine(f, [x, y])[1]]))
        except Exception as error:  # any failure in a thread fails the test below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 240 and all(results)
    assert len(code_cache) <= cache_size


def test_the_key_is_the_structure_without_labels_or_constants():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    traced = autograd.compile(lambda: x * 3.0 + y, [x, y])._traced
    a, b = Value(5.0, "a"), Value(6.0, "b")
    other = autograd.compile(lambda: a * -1.0 + b, [a, b])._traced
    key, constants = structure(traced, [x, y], [])
    other_key, other_constants = structure(other, [a, b], [])
    assert key == other_key and constants == [3.0] and other_constants == [-1.0]
    assert structure(traced, [y, x], [])[0] != key  # the parameters' order is part of it


def test_a_separate_cache_can_be_made():
    cache = CodeCache(size=1)
    assert len(cache) == 0 and cache.get(("nothing",)) is None and cache.misses == 1


def test_the_benchmark_times_the_first_trace_and_the_trace_again(capsys):
    from benchmarks import replay_cache

    assert replay_cache.main(["--turns", "1", "--workloads", "C", "--quick"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| C |")]
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert len(cells) == 7 and cells[1] == "900" and all(cells[i].endswith("]") for i in (2, 3, 5))
