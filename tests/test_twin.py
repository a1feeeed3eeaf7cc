"""The JavaScript twin of the engine (autograd/replay/twin.py, twin.js) against the Python engine, in Chromium.

On the random graphs tests/test_javascript.py draws from the operation table (every row, Values and folded
numbers on either side, -0.0, infinities and NaN among the numbers), each built by the twin in the browser from
its structure at two sets of numbers: the twin's topological order is the engine's node for node; its errors
are the engine's by class name and message; its values, the sweep's gradients (``None`` where the sweep does
not reach), every edge's local derivative and every ``.grad`` after ``backward()`` (added into earlier grads
of 0.0, -0.0, 1.5 and NaN: ``accumulate``'s signed zeros) are the engine's: bit for bit (every NaN alike) on
graphs of IEEE operations; on the others every operation, recomputed by the table's own formula from the
browser's inputs to it, is within test_javascript's ulps, the sweep's sums bit for bit, and the whole graph
within 1e-12 unless a last-bit difference is amplified. The expected numbers are the engine's own.
"""

import math

import pytest
from test_javascript import (
    GRAPHS,
    bits,
    build,
    close,
    draw_case,
    exact,
    kind_of,
    number,
    outcome,
)
from test_javascript import (
    test_every_operation_recomputed_from_the_browsers_inputs_is_the_tables as check_every_operation,
)
from test_stepthrough import browser  # noqa: F401  (the project's headless Chromium)

from autograd import topological_order
from autograd.backward import edges
from autograd.replay.twin import operations_javascript, twin_javascript
from autograd.value import OPERATIONS, Value

EARLIER_GRADS = [0.0, -0.0, 1.5, math.nan]

# Each case builds its graph with the twin, where every global but these throws: the twin uses nothing else.
RUN = """
const view = new DataView(new ArrayBuffer(8));
const bits = x => {
  if (x === null || x === undefined) return null;
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
};
const num = h => { view.setBigUint64(0, BigInt("0x" + h)); return view.getFloat64(0); };
const allowed = new Set(["Math", "Error", "TypeError", "Infinity", "NaN", "undefined"]);
const sandbox = new Proxy({}, {
  has: (target, key) => typeof key === "string" && !allowed.has(key),
  get: (target, key) => {
    if (key === Symbol.unscopables) return undefined;
    throw new ReferenceError("global " + String(key));
  },
});
const twin = new Function("sandbox", "with (sandbox) {" + arguments[0] + "; return twin; }")(sandbox);
return arguments[1].map(c => {
  try {
    const nodes = c.leaves.map(h => twin.leaf(num(h)));
    for (const [name, operands] of c.steps) {
      nodes.push(twin.apply(name, ...operands.map(o => typeof o === "number" ? nodes[o] : num(o))));
    }
    const output = nodes[nodes.length - 1], order = twin.topologicalOrder(output);
    const locals = [], seeded = new Array(order.length);
    seeded[order.length - 1] = 1.0;
    const gradients = twin.sweep(order, seeded, (n, i, p, local) => locals.push(local));
    c.earlier.forEach((h, k) => { nodes[k].grad = num(h); });
    twin.backward(output);
    return {
      order: order.map(n => nodes.indexOf(n)),
      values: order.map(n => bits(n.data)),
      grads: Array.from(gradients, bits),
      locals: locals.map(bits),
      after: nodes.map(n => bits(n.grad)),
    };
  } catch (e) {
    return {error: [e instanceof Error ? e.name : "not an Error: " + typeof e, String(e.message)]};
  }
});
"""


def engine(leaves, steps, numbers, earlier):
    """The engine's graph at ``numbers``: its order (as indices), values, the sweep's gradients and locals, and every
    node's ``.grad`` after ``backward()`` over the ``earlier`` grads of the leaves; or its error."""
    nodes = outcome(lambda: build(leaves, steps, numbers))
    if not isinstance(nodes, list):
        return nodes, None
    index = {node: i for i, node in enumerate(nodes)}
    order = topological_order(nodes[-1])
    gradients = {nodes[-1]: 1.0}
    locals_ = [edge.local for edge in edges(order, gradients)]
    for node, grad in zip(nodes, earlier, strict=False):
        node.grad = grad
    nodes[-1].backward()
    want = {
        "order": [index[n] for n in order],
        "values": [n.data for n in order],
        "grads": [gradients.get(n) for n in order],
        "locals": locals_,
        "after": [n.grad for n in nodes],
    }
    return want, nodes


def case(leaves, steps, numbers, earlier):
    encoded = [[op.name, [o if isinstance(o, int) else bits(o) for o in operands]] for op, operands in steps]
    return {"leaves": [bits(n) for n in numbers], "steps": encoded, "earlier": [bits(g) for g in earlier]}


@pytest.fixture(scope="module")
def graphs(browser):  # noqa: F811
    """Every random graph at its traced numbers and at fresh ones, run once by the twin, with the engine's results."""
    cases, expected = [], []
    for seed in range(GRAPHS):
        rng, leaves, steps, _, traced, numbers = draw_case(seed)
        for at in ([leaf.data for leaf in traced[:leaves]], numbers):
            earlier = [rng.choice(EARLIER_GRADS) for _ in range(leaves)]
            want, nodes = engine(leaves, steps, at, earlier)
            cases.append(case(leaves, steps, at, earlier))
            expected.append((want, nodes))
    browser.get("about:blank")
    browser.get_log("browser")
    results = browser.execute_script(RUN, twin_javascript(), cases)
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    return [(want, nodes, got) for (want, nodes), got in zip(expected, results, strict=True)]


def decoded(got):
    return {key: [number(v) for v in values] for key, values in got.items() if key not in ("error", "order")}


def test_the_graphs_cover_every_operation():
    assert {op for seed in range(GRAPHS) for op, _ in draw_case(seed)[2]} == set(OPERATIONS)


def test_every_row_has_its_generated_forward_and_local_derivatives():
    source = operations_javascript()
    for op in OPERATIONS:
        assert f'"{op.name}": {{name: "{op.name}", arity: {op.arity},' in source
    assert source.count("forward: function") == len(OPERATIONS)


def test_errors_are_the_engines_by_name_and_message(graphs):
    errors = 0
    for want, _, got in graphs:
        if "error" in want:
            errors += 1
            assert got.get("error") == want["error"]
        else:
            assert "error" not in got, got["error"]
    assert errors >= 15


def test_the_order_is_the_engines_node_for_node(graphs):
    compared = 0
    for want, _, got in graphs:
        if "error" not in want:
            assert got["order"] == want["order"]
            compared += 1
    assert compared >= 2 * GRAPHS - 60


def test_graphs_of_ieee_operations_agree_bit_for_bit(graphs):
    """Values, the sweep's gradients and locals, and .grad after backward() over earlier grads (signed zeros, NaN)."""
    count = 0
    for want, nodes, got in graphs:
        if "error" in want or kind_of(nodes) != "exact":
            continue
        got = decoded(got)
        for key in ("values", "grads", "locals", "after"):
            assert [None if a is None else exact(a) for a in got[key]] == [
                None if a is None else exact(a) for a in want[key]
            ], key
        count += 1
    assert count >= 150


def test_every_operation_recomputed_from_the_browsers_inputs_is_the_tables(graphs):
    """test_javascript's check of the same name, on the twin's numbers: each node's value and local derivatives
    from the browser's own numbers for its operands (bit for bit for the IEEE operations, within 2 ulp where a
    libm function is called), and the engine's sweep on the browser's locals giving the browser's gradients."""
    as_graph_function = []  # test_javascript's cases: (kind, the engine's graph, the browser's, replayed, got)
    for want, nodes, got in graphs:
        if "error" not in want:
            browser_numbers = {key: got[key] for key in ("values", "grads", "locals")}
            as_graph_function.append((None, {"nodes": topological_order(nodes[-1])}, browser_numbers, None, None))
    check_every_operation(as_graph_function)


def test_whole_graphs_agree_with_the_engine(graphs):
    """The graphs with a libm function, or glibc's misrounded squares: within 1e-12 unless amplified."""
    counts = {"square": 0, "rounded": 0, "amplified": 0}
    for want, nodes, got in graphs:
        kind = "error" if "error" in want else kind_of(nodes)
        if kind in ("error", "exact"):
            continue
        got = decoded(got)
        keys = ("values", "grads", "locals", "after")
        pairs = [(a, b) for key in keys for a, b in zip(want[key], got[key], strict=True)]
        if all((a is None and b is None) or (a is not None and b is not None and close(a, b)) for a, b in pairs):
            counts[kind] += 1
        else:
            assert kind == "rounded", (kind, pairs)
            counts["amplified"] += 1
    assert counts["rounded"] >= 150, counts
    assert counts["amplified"] <= counts["rounded"] // 10, counts


def test_under_no_grad_every_result_is_a_leaf_with_the_recorded_number(browser):  # noqa: F811
    script = (
        twin_javascript()
        + """
const x = twin.leaf(0.75), y = twin.leaf(-2.5);
const f = () => twin.apply("/", twin.apply("tanh", twin.apply("*", x, y)), twin.apply("+", 1.5, x));
const recorded = f(), quiet = twin.noGrad(f), after = f();
return [recorded.data === quiet.data, quiet.inputs.length, quiet.op, after.inputs.length];
"""
    )
    assert browser.execute_script(script) == [True, 0, None, 2]


def test_bad_input_gets_a_clear_error(browser):  # noqa: F811
    script = (
        twin_javascript()
        + """
const attempts = [
  () => twin.leaf("1"), () => twin.apply("max", twin.leaf(1), 2), () => twin.apply("*", "2", twin.leaf(1)),
  () => twin.apply("+", 1, 2), () => twin.apply("exp", 2), () => twin.apply("log", twin.leaf(-1)),
];
return attempts.map(f => { try { f(); return null; } catch (e) { return [e.name, e.message]; } });
"""
    )
    assert browser.execute_script(script) == [
        ["TypeError", "Value data must be a number, not string: 1"],
        ["TypeError", "no operation max in the table"],
        ["TypeError", "*: an operand must be a node or a number, not string"],
        ["TypeError", "+: one operand at least must be a node"],
        ["TypeError", "exp: the operand must be a node"],
        outcome(lambda: Value(-1.0).log())["error"],  # the engine's: DomainError, "log(-1.0) is undefined: ..."
    ]
