"""The step-through page: one self-contained HTML file that replays a graph's forward pass,
then its backward sweep, node by node, showing the arithmetic of every step.

Everything the page shows is computed here, from the real graph: the nodes
come from ``topological_order``, each forward step from the node's recorded
``data``, operation and operands, each backward step from ``backward()``'s own
sweep (``edges()``, run on a dictionary, so no node's ``.grad`` is touched).
The page's script only replays these numbers.
Given parameters and a learning rate, the page ends with the gradient-descent
update and a forward pass with the new parameters; otherwise it ends with the
backward sweep. Nothing is fetched when the page loads: the drawing (from
``draw_graph`` and ``dot``), the style and the script are all inline.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .backward import Edge, edges, topological_order
from .draw import Direction, display_text, draw_graph
from .value import Value

NUMBER_DIGITS = 12
"""Significant digits in the page's arithmetic: enough to show the article's numbers exactly
(-0.68765, 0.1743825), few enough to hide float noise (0.30000000000000004)."""
NAME_LENGTH = 24
"""An unlabelled value is named by its expression (``w5 * h1``) up to this length, else ``v7``."""

Step = dict[str, Any]


def number(x: float) -> str:
    """A number as the page's arithmetic shows it."""
    return "nan" if math.isnan(x) else f"{x:.{NUMBER_DIGITS}g}"


def stepthrough_html(
    root: Value,
    *,
    parameters: Sequence[Value] = (),
    learning_rate: float | None = None,
    prediction: Value | None = None,
    title: str = "Backpropagation, step by step",
    direction: Direction = "TB",
    precision: int = 6,
) -> str:
    """The step-through page for the graph ``root`` depends on, as one HTML string.

    With ``parameters`` and a ``learning_rate`` the page ends with the update
    ``p <- p - learning_rate * d(root)/dp`` of each parameter in the graph and
    the forward pass that follows, reporting ``prediction`` (default: ``root``)
    before and after; otherwise it ends with the backward sweep.
    """
    if not isinstance(root, Value):
        raise TypeError(f"stepthrough_html() walks a Value, not {type(root).__name__}: {root!r}")
    if learning_rate is not None and (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, int | float)
        or not math.isfinite(learning_rate)
    ):
        raise ValueError(f"learning_rate must be a finite number, not {learning_rate!r}")
    order = topological_order(root)
    if prediction is not None and prediction not in set(order):
        raise ValueError("prediction must be a value the root depends on")
    given = list(parameters)
    in_graph = set(order)
    # The parameters the graph uses, in the order the caller gave them (w1..w6, say).
    used = [parameter for parameter in dict.fromkeys(given) if parameter in in_graph]
    drawing = draw_graph(root, direction=direction, precision=precision, parameters=used)
    svg = drawing.pipe(format="svg", encoding="utf-8")
    assert isinstance(svg, str)
    walk = _Walk(order, root, used, precision)
    steps = [walk.start(), *walk.forward(), *walk.backward()]
    if used and learning_rate is not None:
        steps += walk.update(float(learning_rate), prediction or root)
    page_data = {"steps": steps, "values": [f"n{index}" for index in range(len(order))]}
    return _page(title, svg[svg.index("<svg") :], page_data, [walk.names[p] for p in used], used)


def save_stepthrough(path: str | Path, root: Value, **options: Any) -> Path:
    """Write ``stepthrough_html(root, **options)`` to ``path`` (UTF-8); return the path."""
    target = Path(path)
    target.write_text(stepthrough_html(root, **options), encoding="utf-8")
    return target


class _Walk:
    """Turns the graph into the page's steps. Reads nodes; never writes them."""

    def __init__(self, order: list[Value], root: Value, parameters: list[Value], precision: int) -> None:
        self.order = order
        self.root = root
        self.parameters = parameters
        self.precision = precision
        self.id = {node: f"n{index}" for index, node in enumerate(order)}
        self.names: dict[Value, str] = {}
        for index, node in enumerate(order):
            self.names[node] = _name(node, index, self.names)
        self.grads: dict[Value, float] = {}

    def _d(self, node: Value) -> str:
        """The derivative of the root with respect to ``node``, as written: ∂E/∂w5."""
        return f"∂{_wrap(self.names[self.root])}/∂{_wrap(self.names[node])}"

    def _shown(self, x: float) -> str:
        """A number as the drawing shows it."""
        return _short(x, self.precision)

    def start(self) -> Step:
        root = self.names[self.root]
        leaves = sum(node.is_leaf for node in self.order)
        note = (
            f"This graph computes {root} from {leaves} leaves in {len(self.order)} values. "
            "First the forward pass computes every value from its inputs, in order, and each operation "
            f"notes its local derivatives. Then the backward sweep sends ∂{_wrap(root)}/∂(value) back "
            "along every edge: the chain rule, one node at a time."
        )
        return _step("start", "Ready", [], note)

    def forward(self) -> list[Step]:
        steps = []
        for node in self.order:
            name, node_id = self.names[node], self.id[node]
            show = [node_id]
            if node.is_leaf:
                kind = "a parameter: training will change it" if node in self.parameters else "an input: it is given"
                lines, note = [f"{name} = {number(node.data)}"], f"{name} is {kind}."
            else:
                show += [f"{node_id}_op", f"{node_id}_out", *(f"{node_id}_in{k}" for k in range(len(node.parents)))]
                symbolic, numeric = _formula(node, self.names)
                lines = [f"{name} = {symbolic} = {numeric} = {number(node.data)}"]
                lines += [
                    f"∂{_wrap(name)}/∂{_wrap(self.names[parent])} = {number(local)}"
                    for parent, local in zip(node.parents, node.local_grads, strict=True)
                ]
                note = "The operation also records its local derivatives, for the backward sweep."
            step = _step("forward", f"Forward: {name}", lines, note, focus=[node_id], show=show)
            step["set"] = [[f"{node_id}-data", self._shown(node.data)]]
            steps.append(step)
        return steps

    def backward(self) -> list[Step]:
        """The chain rule, node by node in reverse order: ``backward()``'s own sweep (``edges()``), recorded."""
        grads = self.grads
        grads.clear()
        grads[self.root] = 1.0
        through: dict[Value, list[Edge]] = {}  # each node's edges to its inputs, in the sweep's order
        for edge in edges(self.order, grads):
            through.setdefault(edge.node, []).append(edge)
        root_id = self.id[self.root]
        note = "The output's derivative with respect to itself is 1: the sweep starts here."
        seed = _step("backward", f"Backward: start at {self.names[self.root]}", [f"{self._d(self.root)} = 1"], note)
        seed.update(focus=[root_id], set=[[f"{root_id}-grad", self._shown(1.0)]])
        steps = [seed]
        total: dict[Value, float] = {}  # each gradient so far, as the page shows it step by step
        for node in reversed(self.order):
            node_id, name, grad = self.id[node], self.names[node], grads.get(node, 0.0)
            if node.is_leaf:
                step = _step(
                    "backward",
                    f"Backward: {name} is done",
                    [f"{self._d(node)} = {number(grad)}"],
                    f"{name} is a leaf, so its gradient is complete"
                    + (": gradient descent will use it." if node in self.parameters else "."),
                    focus=[node_id],
                )
                if node in self.parameters:
                    step["set"] = [[f"param{self.parameters.index(node)}-grad", number(grad)]]
                steps.append(step)
                continue
            lines, updates = [], []
            for edge in through.get(node, []):
                parent, local, contribution = edge.parent, edge.local, edge.contribution
                local_name = f"∂{_wrap(name)}/∂{_wrap(self.names[parent])}"
                if node.parents.count(parent) > 1:
                    local_name += f" (input {edge.position + 1})"
                line = f"{self._d(parent)} += {self._d(node)} * {local_name} = {number(grad)} * {number(local)}"
                line += f" = {number(contribution)}"
                if not edge.first:
                    before = total[parent]
                    line += (
                        f"; now {self._d(parent)} = {number(before)} + {number(contribution)} = {number(edge.total)}"
                    )
                total[parent] = edge.total
                lines.append(line)
                updates.append([f"{self.id[parent]}-grad", self._shown(edge.total)])
            note = "Each input's gradient grows by this node's gradient times the local derivative: the chain rule."
            flow = [f"{node_id}_op", *(f"{node_id}_in{k}" for k in range(len(node.parents)))]
            flow += [self.id[parent] for parent in node.parents]
            step = _step("backward", f"Backward: through {name}", lines, note, focus=[node_id], flow=flow)
            step["set"] = updates
            steps.append(step)
        return steps

    def update(self, learning_rate: float, prediction: Value) -> list[Step]:
        steps = []
        new_data: dict[Value, float] = {}
        for position, parameter in enumerate(self.parameters):
            name = self.names[parameter]
            grad = self.grads.get(parameter, 0.0)
            new_data[parameter] = new = parameter.data - learning_rate * grad
            line = (
                f"{name} ← {name} - a * {self._d(parameter)} = {number(parameter.data)} - {number(learning_rate)}"
                f" * {number(grad)} = {number(new)}"
            )
            note = f"Gradient descent: a step against the gradient, scaled by the learning rate a = {learning_rate:g}."
            step = _step("update", f"Update: {name}", [line], note, focus=[self.id[parameter]])
            step["set"] = [
                [f"{self.id[parameter]}-data", self._shown(new)],
                [f"param{position}-new", number(new)],
            ]
            steps.append(step)
        steps.append(self._new_forward(new_data, prediction))
        return steps

    def _new_forward(self, new_data: dict[Value, float], prediction: Value) -> Step:
        """The forward pass again, with the updated parameters: the new prediction."""
        values: dict[Value, float] = {}
        failure = ""
        for node in self.order:
            try:
                values[node] = new_data.get(node, node.data) if node.is_leaf else _evaluate(node, values)
            except (ArithmeticError, ValueError) as error:
                failure = f"The forward pass with the new parameters fails at {self.names[node]}: {error}."
                break
        lines = [
            f"{self.names[node]} = {number(values[node])} (was {number(node.data)})"
            for node in self.order
            if node in values and not node.is_leaf and (node.label or node is self.root or node is prediction)
        ]
        if prediction in values:
            was, now = number(prediction.data), number(values[prediction])
            result = f"New prediction: {self.names[prediction]} = {now} (was {was})"
        else:
            result = failure
        note = failure or (
            "Forward again with the updated parameters: the same graph, the new numbers. "
            "The operations fade: their local derivatives belong to the old numbers."
        )
        step = _step("result", "The new prediction", lines, note, focus=[self.id[prediction]])
        step["fade"] = [f"{self.id[node]}_op" for node in self.order if not node.is_leaf]
        step["set"] = [[f"{self.id[node]}-data", self._shown(value)] for node, value in values.items()]
        step["set"] += [[f"{self.id[node]}-grad", "·"] for node in self.order]
        step["set"].append(["result", result])
        return step


def _step(phase: str, title: str, lines: list[str], note: str, **highlight: Any) -> Step:
    """One step of the page: its phase and title, its arithmetic (``lines``), a sentence of
    explanation (``note``), and what it highlights, shows and sets in the drawing."""
    return {"phase": phase, "title": title, "lines": lines, "note": note, **highlight}


def _short(x: float, precision: int) -> str:
    """A number as the drawing shows it (``precision`` significant digits)."""
    return "nan" if math.isnan(x) else f"{x:.{precision}g}"


def _wrap(name: str) -> str:
    """Parentheses around an expression name, so ∂(w5 * h1) reads as one thing."""
    return f"({name})" if " " in name else name


def _name(node: Value, index: int, names: dict[Value, str]) -> str:
    """The label, else the expression that made the value when it is short, else ``v<index>``."""
    if node.label:
        return display_text(node.label).replace("\n", " ")
    if not node.is_leaf:
        symbolic, _ = _formula(node, names)
        if len(symbolic) <= NAME_LENGTH:
            return symbolic
    return f"v{index}"


def _formula(node: Value, names: dict[Value, str]) -> tuple[str, str]:
    """The node's operation twice: over its inputs' names and over their numbers."""
    op = node.op
    operands = [
        (_wrap(names[operand]), number(operand.data)) if isinstance(operand, Value) else (number(operand),) * 2
        for operand in node.operands()
    ]
    if len(operands) == 1:
        (name, value) = operands[0]
        return f"{op}({name})", f"{op}({value})"
    (a, x), (b, y) = operands
    return f"{a} {op} {b}", f"{x} {op} {y}"


def _evaluate(node: Value, values: dict[Value, float]) -> float:
    """The node's recorded operation applied to its inputs' new values."""
    operation = node.operation
    assert operation is not None
    inputs = [values[operand] if isinstance(operand, Value) else operand for operand in node.operands()]
    return float(operation.forward(*inputs))


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it early."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, svg: str, data: dict[str, Any], names: list[str], parameters: list[Value]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{html.escape(name)}</th><td>{html.escape(number(p.data))}</td>'
        f'<td id="param{k}-grad" data-blank></td><td id="param{k}-new" data-blank></td></tr>'
        for k, (name, p) in enumerate(zip(names, parameters, strict=True))
    )
    table = (
        '<table id="parameters"><caption>Parameters</caption><thead><tr><th>name</th><th>value</th>'
        f"<th>gradient</th><th>after the step</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    return (
        PAGE.replace("{{TITLE}}", html.escape(title))
        .replace("{{PARAMETERS}}", table)
        .replace("{{SVG}}", svg)
        .replace("{{DATA}}", _script_json(data))
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
  :root { --forward: #2563eb; --backward: #c2410c; --update: #7c3aed; --ink: #0f172a; --muted: #64748b; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
         color: var(--ink); background: #f1f5f9; }
  header { padding: 12px 20px; background: #0f172a; color: white; display: flex; align-items: baseline; gap: 16px; }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; }
  header p { margin: 0; color: #cbd5e1; font-size: 13px; }
  main { display: flex; gap: 16px; padding: 16px; align-items: flex-start; }
  #graph { flex: 1 1 auto; background: white; border-radius: 10px; padding: 8px; overflow: auto;
           max-height: calc(100vh - 90px); box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  #graph svg { display: block; max-width: 100%; max-height: calc(100vh - 110px); width: auto; height: auto;
               margin: auto; }
  aside { flex: 0 0 420px; display: flex; flex-direction: column; gap: 12px; }
  .card { background: white; border-radius: 10px; padding: 14px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  .controls { display: flex; gap: 8px; flex-wrap: wrap; }
  button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #cbd5e1; background: #f8fafc;
           cursor: pointer; }
  button:hover:not(:disabled) { background: #e2e8f0; }
  button:disabled { opacity: .45; cursor: default; }
  button#play { min-width: 90px; }
  #phase { display: inline-block; padding: 2px 10px; border-radius: 999px; color: white; font-size: 12px;
           font-weight: 600; text-transform: uppercase; letter-spacing: .04em; background: var(--muted); }
  #phase.forward { background: var(--forward); } #phase.backward { background: var(--backward); }
  #phase.update, #phase.result { background: var(--update); }
  #counter { color: var(--muted); font-size: 13px; margin-left: 8px; }
  #title { font-size: 17px; font-weight: 600; margin: 8px 0 6px; }
  #lines div { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13.5px;
               padding: 3px 0; overflow-wrap: anywhere; }
  #note { color: #334155; margin: 8px 0 0; }
  #progress { height: 4px; background: #e2e8f0; border-radius: 2px; margin-top: 10px; }
  #progress div { height: 100%; background: var(--forward); border-radius: 2px; width: 0; }
  table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
  caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
  th, td { padding: 3px 6px; border-bottom: 1px solid #e2e8f0; text-align: right;
           font-variant-numeric: tabular-nums; }
  th:first-child { text-align: left; }
  #result { font-weight: 600; color: var(--update); min-height: 1em; }
  .keys { color: var(--muted); font-size: 12px; }
  /* the drawing: values and operations appear as the forward pass reaches them */
  #graph g.node, #graph g.edge { transition: opacity .25s; }
  #graph .pending { opacity: .12; }
  #graph g.current > polygon, #graph g.current > path { stroke: #e11d48; stroke-width: 4px; }
  #graph g.current.edge > path { stroke-width: 3px; }
  #graph g.flow > path, #graph g.flow > polygon { stroke: var(--backward); stroke-width: 2.5px; }
  #graph g.flow.edge > polygon { fill: var(--backward); }
  #graph text.changed { fill: #e11d48; }
</style>
</head>
<body>
<header><h1>{{TITLE}}</h1>
<p>The engine's real graph and real numbers: forward pass, backward sweep, update.</p></header>
<main>
  <div id="graph">{{SVG}}</div>
  <aside>
    <div class="card">
      <div class="controls">
        <button id="reset" title="Reset (Home)">Reset</button>
        <button id="prev" title="Previous step (←)">◀ Previous</button>
        <button id="play" title="Play or pause (space)">Play ▶</button>
        <button id="next" title="Next step (→)">Next ▶</button>
      </div>
      <div id="progress"><div></div></div>
    </div>
    <div class="card" aria-live="polite">
      <span id="phase">start</span><span id="counter"></span>
      <div id="title"></div>
      <div id="lines"></div>
      <p id="note"></p>
    </div>
    <div class="card">{{PARAMETERS}}<div id="result" data-blank></div></div>
    <div class="keys">Keys: → next, ← previous, space play/pause, Home reset.
      Faded values are not computed yet; the red outline marks the current node;
      orange edges carry the gradient backwards.</div>
  </aside>
</main>
<script type="application/json" id="steps">{{DATA}}</script>
<script>
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("steps").textContent);
  const steps = data.steps;
  const svg = document.querySelector("#graph svg");
  const byId = (id) => document.getElementById(id);
  // Each value box shows ... "data" <number> "grad" <number>: name the two numbers.
  for (const id of data.values) {
    const texts = byId(id).querySelectorAll("text");
    texts[texts.length - 3].id = id + "-data";
    texts[texts.length - 1].id = id + "-grad";
  }
  const graphItems = Array.from(svg.querySelectorAll("g.node, g.edge"));
  const initial = new Map();
  for (const element of document.querySelectorAll("[data-blank]")) initial.set(element.id, "");
  for (const id of data.values) { initial.set(id + "-data", "·"); initial.set(id + "-grad", "·"); }
  let position = 0;
  let timer = null;

  function render() {
    // Replay steps 0..position from the blank start: "previous" is as exact as "next".
    const shown = new Set();
    const text = new Map(initial);
    for (let k = 0; k <= position; k++) {
      for (const id of steps[k].show || []) shown.add(id);
      for (const [id, value] of steps[k].set || []) text.set(id, value);
    }
    const step = steps[position];
    const changed = new Set((step.set || []).map(([id]) => id));
    for (const item of graphItems) {
      item.classList.toggle("pending", !shown.has(item.id) || (step.fade || []).includes(item.id));
      item.classList.toggle("current", (step.focus || []).includes(item.id));
      item.classList.toggle("flow", (step.flow || []).includes(item.id));
    }
    for (const [id, value] of text) {
      const element = byId(id);
      element.textContent = value;
      element.classList.toggle("changed", changed.has(id) && step.phase !== "result");
    }
    byId("phase").textContent = step.phase;
    byId("phase").className = step.phase;
    byId("counter").textContent = "step " + position + " of " + (steps.length - 1);
    byId("title").textContent = step.title;
    byId("lines").replaceChildren(...step.lines.map((line) => {
      const div = document.createElement("div");
      div.textContent = line;
      return div;
    }));
    byId("note").textContent = step.note;
    byId("progress").firstElementChild.style.width = (100 * position / Math.max(1, steps.length - 1)) + "%";
    byId("prev").disabled = byId("reset").disabled = position === 0;
    byId("next").disabled = position === steps.length - 1;
    if (position === steps.length - 1) pause();
  }

  function go(to) { position = Math.max(0, Math.min(steps.length - 1, to)); render(); }
  function play() {
    if (position === steps.length - 1) go(0);
    byId("play").textContent = "Pause";
    timer = setInterval(() => go(position + 1), 900);
  }
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    byId("play").textContent = "Play ▶";
  }
  byId("next").addEventListener("click", () => { pause(); go(position + 1); });
  byId("prev").addEventListener("click", () => { pause(); go(position - 1); });
  byId("reset").addEventListener("click", () => { pause(); go(0); });
  byId("play").addEventListener("click", () => (timer === null ? play() : pause()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { pause(); go(position + 1); }
    else if (event.key === "ArrowLeft") { pause(); go(position - 1); }
    else if (event.key === "Home") { pause(); go(0); }
    else if (event.key === " ") { timer === null ? play() : pause(); }
    else return;
    event.preventDefault();
  });
  render();
})();
</script>
</body>
</html>
"""
