"""The JavaScript target: ``CompiledGradient.javascript`` and ``graph_function``, run in headless Chromium.

Random graphs are drawn from the operation table itself (every row of ``OPERATIONS``, unary and binary, with
Values and folded numbers on either side, -0.0, infinities and NaN among the numbers), traced at one set of
numbers and run in the browser at another. The expected numbers and errors are the engine's own, computed
afresh at the new numbers by the eager operations and the sweep (``backward.edges``); the generated code is
never the reference. Every case of a test runs in one page load.

What must agree, and how closely (``javascript.py`` says why):

- a graph of + - * /, neg, relu, abs, sqrt and integer powers: bit for bit, save where glibc's ``pow(b, 2.0)``
  is not the correctly rounded square b*b that V8 returns: there the browser has the correctly rounded one
  (checked against exact rational arithmetic) and the graph is held to 1e-12 instead;
- every single operation of any graph, recomputed by the table's own formula from the browser's inputs to
  it: bit for bit for the IEEE operations, within 2 ulp for exp, log, tanh, sigmoid, sin, cos and x**y;
- whole graphs with those: within 1e-12 relative (1e-15 absolute near zero), save a graph whose formula
  amplifies a last-bit difference, which passes only if every operation in it passed the check above.
"""

import math
import random
import struct
from fractions import Fraction

import pytest
from operators import OPERATIONS, apply
from test_stepthrough import browser  # noqa: F401  (the project's headless Chromium)

import autograd
from autograd import Value, topological_order
from autograd.backward import edges
from autograd.errors import AutogradError, GraphError
from autograd.replay.javascript import graph_function
from autograd.replay.tracing import _sweep
from autograd.value import ABSOLUTE, ADD, COS, DIVIDE, MULTIPLY, NEGATE, POWER, RELU, SIN, SQRT, SUBTRACT

EXACT = {ADD, SUBTRACT, MULTIPLY, DIVIDE, NEGATE, ABSOLUTE, SQRT, RELU}
SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan]
LABELS = ["", "", "", "w1", "x", "out", "let", "Math", "exp", "new", "inf", "d_w", "t3", "naïve", "locals"]


def bits(number):
    return struct.pack(">d", number).hex()


def exact(number):
    """``number``'s bits, for "bit for bit": every NaN alike, since IEEE 754 leaves the sign and payload of an
    operation's NaN unspecified (x86 makes -NaN, V8 and CPython's math +NaN, and V8's tiers differ)."""
    return "nan" if math.isnan(number) else bits(number)


def number(text):
    return None if text is None else struct.unpack(">d", bytes.fromhex(text))[0]


# One script for every case: each source is evaluated where every global but Math and Error (and the literals
# Infinity and NaN) throws, so the code provably uses nothing else.
RUN = """
const view = new DataView(new ArrayBuffer(8));
const bits = x => {
  if (x === null) return null;
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
};
const num = h => { view.setBigUint64(0, BigInt("0x" + h)); return view.getFloat64(0); };
const allowed = new Set(["Math", "Error", "Infinity", "NaN"]);
const sandbox = new Proxy({}, {
  has: (target, key) => typeof key === "string" && !allowed.has(key),
  get: (target, key) => {
    if (key === Symbol.unscopables) return undefined;
    throw new ReferenceError("global " + String(key));
  },
});
const make = (sandbox, source, name) =>
  new Function("sandbox", "with (sandbox) {" + source + "; return " + name + "; }")(sandbox);
return arguments[0].map(c => {
  try {
    const f = make(sandbox, c.source, c.name);
    if (c.name === "graph") {
      const r = f(c.leaves.map(num));
      return {values: r.values.map(bits), grads: r.grads.map(bits), locals: r.locals.map(bits)};
    }
    const r = f(c.parameters.map(num), c.data.map(num), num(c.seed), c.gradients.map(num));
    return {output: bits(r[0]), gradients: r[1].map(bits), aux: r.length > 2 ? r[2].map(bits) : null};
  } catch (e) {
    return {error: [e instanceof Error ? e.name : "not an Error: " + typeof e, String(e.message)]};
  }
});
"""


def run(driver, cases):
    driver.get("about:blank")
    driver.get_log("browser")
    results = driver.execute_script(RUN, cases)
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    return results


# --- random graphs from the operation table ------------------------------------------------------------------


def draw_number(rng):
    if rng.random() < 0.06:
        return rng.choice(SPECIAL)
    return rng.choice([rng.uniform(-3.0, 3.0), rng.uniform(-3.0, 3.0), rng.choice([0.5, -1.5, 2.0, 3.0, 0.25])])


def draw_exponent(rng):
    return rng.choice([2.0, 2.0, 3.0, -1.0, -2.0, 4.0, 0.0, 1.0, 5.0, 0.5, 1.5, -0.5])


def draw_structure(rng, exact):
    """(leaves, steps): each step an operation and its operands, an int for an earlier node, a float folded.
    ``exact``: only the IEEE operations and integer powers."""
    leaves = rng.randint(1, 4)
    steps = []
    operations = [op for op in OPERATIONS if op in EXACT or op is POWER] if exact else OPERATIONS
    for _ in range(rng.randint(1, 9)):
        op = rng.choice(operations)
        size = leaves + len(steps)
        if op.arity == 1:
            steps.append((op, (rng.randrange(size),)))
            continue
        a = rng.randrange(size)
        if exact and op is POWER:
            steps.append((op, (a, rng.choice([2.0, 3.0, -1.0, -2.0, 4.0, 0.0, 1.0, 5.0]))))
        elif rng.random() < 0.4:
            b = draw_exponent(rng) if op is POWER else draw_number(rng)
            steps.append((op, (b, a) if rng.random() < 0.3 else (a, b)))
        else:
            steps.append((op, (a, rng.randrange(size))))
    used = {o for _, operands in steps for o in operands if isinstance(o, int)}
    loose = [i for i in range(leaves + len(steps) - 1) if i not in used]  # every node reaches the output
    for i in loose:
        steps.append((ADD, (leaves + len(steps) - 1, i)))
    return leaves, steps


def build(leaves, steps, numbers, labels=None, order=None):
    """The graph made by the engine's operations at ``numbers``: every node (leaves first), in ``order``."""
    nodes = [Value(n) for n in numbers]
    nodes += [None] * len(steps)
    for index in order if order is not None else range(leaves, leaves + len(steps)):
        if index < leaves:
            continue
        op, operands = steps[index - leaves]
        nodes[index] = apply(op, *(nodes[o] if isinstance(o, int) else o for o in operands))
    if labels:
        for node, label in zip(nodes, labels, strict=True):
            node.label = label
    return nodes


def outcome(function):
    try:
        return function()
    except AutogradError as error:
        return {"error": [type(error).__name__, str(error)]}


def integer_power(node):
    """x ** n with n a folded integer: the C library's pow, which V8's ** is (save at n = 2)."""
    operands = node.operands()
    return node.operation is POWER and isinstance(operands[1], float) and operands[1].is_integer()


def misrounded_square(base):
    """Whether glibc's pow(base, 2.0) is not the correctly rounded square (exact rational arithmetic says which)."""
    if not math.isfinite(base):
        return False
    return base**2.0 != float(Fraction(base) ** 2) and base * base == float(Fraction(base) ** 2)


def kind_of(nodes):
    """'exact', 'square' (exact but for glibc's misrounded pow(b, 2.0) somewhere) or 'rounded' (a libm function)."""
    kind = "exact"
    for node in nodes:
        if node.operation is None:
            continue
        if integer_power(node):
            if node.operands()[1] in (2.0, 3.0) and misrounded_square(node.operands()[0].data):
                kind = "square"
        elif node.operation not in EXACT:
            return "rounded"
    return kind


def draw_case(seed):
    rng = random.Random(seed)
    while True:
        leaves, steps = draw_structure(rng, exact=seed % 3 == 0)
        traced_numbers = [draw_number(rng) for _ in range(leaves)]
        labels = [rng.choice(LABELS) for _ in range(leaves + len(steps))]
        traced = outcome(lambda: build(leaves, steps, traced_numbers, labels))  # noqa: B023
        if isinstance(traced, list):
            break
    numbers = [draw_number(rng) for _ in range(leaves)]
    return rng, leaves, steps, labels, traced, numbers


def close(a, b, relative=1e-12, absolute=1e-15):
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return bits(a) == bits(b) or (math.isnan(a) and math.isnan(b))
    return abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))


def ulps(a, b):
    if math.isnan(a) and math.isnan(b):
        return 0
    if bits(a) == bits(b) or a == b:
        return 0
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return math.inf

    def ordered(x):
        (i,) = struct.unpack(">q", struct.pack(">d", x))
        return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)

    return abs(ordered(a) - ordered(b))


GRAPHS = 320


@pytest.fixture(scope="module")
def graphs(browser):  # noqa: F811
    """Every random graph, run once in the browser: the graph function and the replay, with the engine's results."""
    cases, expected = [], []
    for seed in range(GRAPHS):
        rng, leaves, steps, _, traced, numbers = draw_case(seed)
        output = traced[-1]
        order = topological_order(output)
        source = graph_function(output, traced[:leaves])
        place = {node: i for i, node in enumerate(traced)}
        fresh = outcome(lambda: build(leaves, steps, numbers, order=[place[n] for n in order]))  # noqa: B023
        if isinstance(fresh, list):
            new_order = [fresh[place[n]] for n in order]
            gradients = {new_order[-1]: 1.0}
            locals_ = [edge.local for edge in edges(new_order, gradients)]
            graph = {
                "values": [n.data for n in new_order],
                "grads": [gradients.get(n) for n in new_order],
                "locals": locals_,
                "nodes": new_order,
            }
        else:
            graph = fresh
        # The replay: some leaves are parameters, the rest data; a quarter report aux values too.
        count = rng.randint(0, leaves)
        has_aux = rng.random() < 0.25
        aux = rng.sample(range(leaves, len(traced)), min(2, len(traced) - leaves)) if has_aux else []
        leaf_values = traced[:leaves]

        def f(leaf_values=leaf_values, steps=steps, leaves=leaves, aux=aux, has_aux=has_aux):
            nodes = build_on(leaf_values, steps, leaves)
            return (nodes[-1], [nodes[i] for i in aux]) if has_aux else nodes[-1]

        replay = autograd.compile(f, leaf_values[:count], data=leaf_values[count:], has_aux=has_aux)
        seed_number = rng.choice([1.0, 0.25, -2.0])
        totals = [rng.choice([-0.0, 0.0, 1.5]) for _ in range(count)]
        eager = outcome(lambda: build(leaves, steps, numbers))  # noqa: B023  (in the order f made them)
        if isinstance(eager, list):
            new_output = eager[-1]
            replayed = {
                "output": new_output.data,
                "gradients": _sweep(new_output, eager[:count], seed_number, totals),
                "aux": [eager[i].data for i in aux] if has_aux else None,
            }
        else:
            replayed = eager
        kind = kind_of(fresh) if isinstance(fresh, list) else "error"
        encoded = [bits(n) for n in numbers]
        cases.append({"name": "graph", "source": source, "leaves": encoded})
        cases.append(
            {
                "name": "replay",
                "source": replay.javascript,
                "parameters": encoded[:count],
                "data": encoded[count:],
                "seed": bits(seed_number),
                "gradients": [bits(t) for t in totals],
            }
        )
        expected.append((kind, graph, replayed))
    results = run(browser, cases)
    return [
        (kind, graph, got_graph, replayed, got_replay)
        for (kind, graph, replayed), got_graph, got_replay in zip(expected, results[0::2], results[1::2], strict=True)
    ]


def build_on(leaf_values, steps, leaves):
    nodes = list(leaf_values)
    for op, operands in steps:
        nodes.append(apply(op, *(nodes[o] if isinstance(o, int) else o for o in operands)))
    return nodes


def decoded(result):
    return {
        key: ([number(v) for v in value] if isinstance(value, list) else number(value))
        for key, value in result.items()
        if key != "error"
    }


def test_the_graphs_cover_every_operation_and_special_number():
    seen, specials = set(), set()
    for seed in range(GRAPHS):
        _, _, steps, _, _, numbers = draw_case(seed)
        seen.update(op for op, _ in steps)
        specials.update(bits(n) for n in numbers if n in SPECIAL or math.isnan(n))
    assert seen == set(OPERATIONS)
    assert {bits(n) for n in SPECIAL} <= specials


def test_errors_are_the_engines_by_name_and_message(graphs):
    errors = 0
    for _, graph, got_graph, replayed, got_replay in graphs:
        for want, got in ((graph, got_graph), (replayed, got_replay)):
            if "error" in want:
                errors += 1
                assert got.get("error") == want["error"]
            else:
                assert "error" not in got, got["error"]
    assert errors >= 30  # the draws leave every domain often enough to test the messages


def test_every_operation_recomputed_from_the_browsers_inputs_is_the_tables(graphs):
    """Each node's value and each edge's local derivative, from the browser's own numbers for its operands:
    bit for bit for the IEEE operations, within 2 ulp where a libm function is called (1 ulp for glibc's
    pow(b, 2.0), whose misrounded squares V8 does not share); the sweep's sums and products bit for bit."""
    checked = 0
    for _, graph, got, _, _ in graphs:
        if "error" in graph:
            continue
        got = decoded(got)
        nodes = graph["nodes"]
        index = {node: i for i, node in enumerate(nodes)}
        values = got["values"]
        gradients = {nodes[-1]: 1.0}
        sweep_locals = iter(got["locals"])  # the engine's sweep on the browser's locals: the same sums, bit for bit
        for _edge in edges(nodes, gradients, lambda node: [next(sweep_locals) for _ in node.parents]):  # noqa: B023
            pass
        assert [exact(gradients[n]) if n in gradients else None for n in nodes] == [
            None if g is None else exact(g) for g in got["grads"]
        ]
        locals_at = iter(got["locals"])
        for node in reversed(nodes):
            op = node.operation
            if op is None:
                continue
            operands = [values[index[o]] if isinstance(o, Value) else o for o in node.operands()]
            out = values[index[node]]
            if integer_power(node):  # bit for bit, but glibc's misrounded squares (x**2, and x**3's slope)
                square = operands[1] in (2.0, 3.0) and misrounded_square(operands[0])
                value_ulps = slope_ulps = 1 if square else 0
            else:
                value_ulps = 0 if op in EXACT else 2
                slope_ulps = 2 if op in (SIN, COS, POWER) else 0  # their slopes call cos, sin, pow and log
            assert ulps(out, op.forward(*operands)) <= value_ulps, (op, operands, out)
            formula = op.local_grads(*operands, out)
            if op.arity == 1:
                formula = [formula]
            for expected, operand in zip(formula, node.operands(), strict=True):
                if isinstance(operand, Value):
                    local = next(locals_at)
                    assert ulps(local, expected) <= slope_ulps, (op, operands, local, expected)
                    checked += 1
        assert next(locals_at, None) is None
    assert checked > 1000


def test_whole_graphs_agree_with_the_engine(graphs):
    """Exact graphs bit for bit; the rest within 1e-12 unless amplified (then every operation passed above)."""
    counts = {"exact": 0, "square": 0, "rounded": 0, "amplified": 0}
    for kind, graph, got_graph, replayed, got_replay in graphs:
        if "error" in graph or "error" in replayed:
            continue
        pairs = list(
            zip(
                graph["values"] + [g for g in graph["grads"]] + graph["locals"],
                [*decoded(got_graph)["values"], *decoded(got_graph)["grads"], *decoded(got_graph)["locals"]],
                strict=True,
            )
        )
        want_replay = [replayed["output"], *replayed["gradients"], *(replayed["aux"] or [])]
        got = decoded(got_replay)
        pairs += list(zip(want_replay, [got["output"], *got["gradients"], *(got["aux"] or [])], strict=True))
        if kind == "exact":
            assert [None if a is None else exact(a) for a, _ in pairs] == [
                None if b is None else exact(b) for _, b in pairs
            ]
            counts["exact"] += 1
        elif all((a is None and b is None) or (a is not None and b is not None and close(a, b)) for a, b in pairs):
            counts[kind] += 1
        else:
            assert kind == "rounded", (kind, pairs)
            counts["amplified"] += 1
    print(counts)
    assert counts["exact"] >= 60 and counts["rounded"] >= 60, counts
    assert counts["amplified"] <= counts["rounded"] // 10, counts  # amplification is the exception


def test_graph_function_refuses_what_is_not_a_graph():
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(GraphError, match="leaf 0 must be a leaf Value"):
        graph_function(y, [y])
    with pytest.raises(GraphError, match="twice"):
        graph_function(y, [x, x])
    with pytest.raises(GraphError, match="output must be a Value"):
        graph_function(1.0, [x])


def test_each_operation_alone_many_times(browser):  # noqa: F811
    """Single operations over many numbers: integer powers bit for bit with the engine (glibc's pow), save
    x**2 where glibc's result is not the correctly rounded square, which the browser gives instead; exp, log,
    tanh, sigmoid, sin, cos and x**y within 2 ulp."""
    rng = random.Random(7)
    cases, expected = [], []
    for op in OPERATIONS:
        for _ in range(300 if op is POWER else 150):
            x = Value(rng.choice([rng.uniform(-10, 10), rng.uniform(0, 3), rng.random() * 2.0 ** rng.randint(-40, 40)]))
            if op is POWER:
                y = rng.choice([2.0, 3.0, 4.0, 5.0, -1.0, -2.0, -3.0, 7.0, 0.5, 1.5, -0.5, Value(rng.uniform(-3, 3))])
                if isinstance(y, Value) or not y.is_integer():
                    x.data = abs(x.data)
                node = outcome(lambda x=x, y=y: x**y)
            elif op.arity == 2:
                node = outcome(lambda x=x, op=op: apply(op, x, Value(rng.uniform(-3, 3))))
            else:
                node = outcome(lambda x=x, op=op: apply(op, x))
            if not isinstance(node, Value):
                continue
            leaves = [leaf for leaf in topological_order(node) if leaf.is_leaf]
            cases.append(
                {"name": "graph", "source": graph_function(node, leaves), "leaves": [bits(v.data) for v in leaves]}
            )
            expected.append(node)
    misrounded = (b for b in (rng.uniform(0.1, 10) for _ in range(100_000)) if misrounded_square(b))
    for base in [next(misrounded) for _ in range(5)]:  # glibc's pow(b, 2.0) one ulp off: where V8's differs
        node = Value(base) ** 2.0
        cases.append({"name": "graph", "source": graph_function(node, [node.operands()[0]]), "leaves": [bits(base)]})
        expected.append(node)
    results = run(browser, cases)
    worst, squares = {}, 0
    for node, got in zip(expected, results, strict=True):
        value = decoded(got)["values"][-1]
        distance = ulps(value, node.data)
        op = node.operation
        if integer_power(node):
            base = node.operands()[0].data
            if node.operands()[1] == 2.0 and misrounded_square(base):
                squares += 1
                assert bits(value) == bits(float(Fraction(base) ** 2))  # the correctly rounded square
                continue
            assert distance == 0, (node.operands(), value, node.data)
        elif op in EXACT:
            assert distance == 0, (op, node.operands(), value, node.data)
        else:
            assert distance <= 2, (op, node.operands(), value, node.data)
        worst[op.name] = max(worst.get(op.name, 0), distance)
    print("largest ulp distance per operation:", worst, "misrounded glibc squares:", squares)
    assert squares >= 5


def replay_case(replay, numbers, data, seed, totals):
    return {
        "name": "replay",
        "source": replay.javascript,
        "parameters": [bits(n) for n in numbers],
        "data": [bits(n) for n in data],
        "seed": bits(seed),
        "gradients": [bits(t) for t in totals],
    }


def engine_at(f, parameters, data_leaves, numbers, data, seed, totals):
    """The engine's output, gradients (``seed`` times, added into ``totals`` edge by edge) and aux at these numbers."""
    for leaf, n in zip([*parameters, *data_leaves], [*numbers, *data], strict=True):
        leaf.data = n
    result = f()
    output, aux = result if isinstance(result, tuple) else (result, None)
    gradients = _sweep(output, parameters, seed, totals)
    return output.data, gradients, None if aux is None else [v.data for v in aux]


def test_the_articles_step_and_nn_models_in_the_browser(browser):  # noqa: F811
    """The article's loss (bit for bit: products, sums and a square), and two nn models with data, aux values
    and cross_entropy's ``detached(max, ...)`` (within 1e-12: exp, log and tanh), sample after sample."""
    from nn import MLP, article_inputs, article_network, cross_entropy, mse_loss, squared_error

    rng = random.Random(3)
    article = article_network()
    inputs = article_inputs()
    loss = autograd.compile(lambda: squared_error(article(inputs), 1.0), article.parameters())
    weights = [p.data for p in article.parameters()]
    checks = []  # (f, parameters, data leaves, numbers, data, seed, totals, exact)
    f_article = lambda: squared_error(article(inputs), 1.0)  # noqa: E731
    for changed in (weights, [*weights[:4], 0.5, weights[5]]):
        checks.append((loss, f_article, article.parameters(), [], changed, [], 1.0, [-0.0] * 6, True))
    classifier = MLP(2, [4, 3], activation="relu", seed=1)
    x = [Value(0.0, "x1"), Value(0.0, "x2")]
    f_class = lambda: cross_entropy(classifier(x), 2)  # noqa: E731
    step = autograd.compile(f_class, classifier.parameters(), data=x)
    regression = MLP(2, [3, 2], activation="tanh", seed=2)
    f_aux = lambda: (mse_loss(regression(x), [0.5, -0.25]), regression(x))  # noqa: E731
    with_aux = autograd.compile(f_aux, regression.parameters(), data=x, has_aux=True)
    for replay, f, model in ((step, f_class, classifier), (with_aux, f_aux, regression)):
        numbers = [p.data for p in model.parameters()]
        totals = [-0.0] * len(numbers)
        for _ in range(5):  # sample after sample into the same totals, as a minibatch's mean
            data = [rng.uniform(-2, 2), rng.uniform(-2, 2)]
            checks.append((replay, f, model.parameters(), x, numbers, data, 0.2, totals, False))
            totals = engine_at(f, model.parameters(), x, numbers, data, 0.2, totals)[1]
    expected = [engine_at(f, p, d, n, v, s, t) for _, f, p, d, n, v, s, t, _ in checks]
    results = run(browser, [replay_case(r, n, v, s, t) for r, _, _, _, n, v, s, t, _ in checks])
    for check, want, got in zip(checks, expected, results, strict=True):
        assert "error" not in got, got
        got = decoded(got)
        pairs = list(
            zip(
                [want[0], *want[1], *(want[2] or [])],
                [got["output"], *got["gradients"], *(got["aux"] or [])],
                strict=True,
            )
        )
        if check[-1]:
            assert [exact(a) for a, _ in pairs] == [exact(b) for _, b in pairs]
        else:
            assert all(close(a, b) for a, b in pairs), pairs
    assert math.isclose(expected[0][1][4], -0.68765, abs_tol=5e-6)  # the article's dE/dw5
