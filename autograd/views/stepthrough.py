"""The step-through page: one self-contained HTML file that replays a graph's forward pass,
then its backward sweep, node by node, showing the arithmetic of every step.

Everything the page shows is computed here, from the real graph: the forward pass goes through
the operations in the order the program computed them (``notation.reading_order``), each from the
node's recorded ``data``, operation and operands; the backward sweep is the engine's own chain rule
(``backward.edges``, run on a dictionary, so no node's ``.grad`` is touched), one step per node.
Formulas are written by operator precedence (``notation``). Given parameters and a learning rate,
the page ends with the gradient-descent update and a forward pass with the new parameters;
otherwise it ends with the backward sweep.

The page's HTML, style and script are files beside this one (``page/``), filled in and inlined
when the page is written, with the drawing (from ``draw_graph`` and ``dot``): nothing is fetched
when it loads. ``show(root)`` puts the same page inline in a Jupyter notebook.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from ..backward import Edge, edges, topological_order
from ..value import Value
from .draw import LOCAL_GRAD_COLOUR, ROLE_STYLE, Direction, GraphDrawing, display_text, draw_graph, parameter_list
from .notation import Formula, apply, derivative, reading_order
from .notation import name as name_formula
from .notation import number as number_formula

NUMBER_DIGITS = 12
"""Significant digits in the page's arithmetic: enough to show the article's numbers exactly
(-0.68765, 0.1743825), few enough to hide float noise (0.30000000000000004)."""
NAME_LENGTH = 24
"""An unlabelled value is named by its expression (``w5 * h1``) up to this length, else ``v7``."""
LEGIBLE_PX = 11
"""The page never fits the drawing smaller than this: its smallest text stays this many CSS pixels high."""
NOTEBOOK_HEIGHT = 720
"""Pixels of notebook the inline page takes (``show``)."""

Step = dict[str, Any]


class Slot(NamedTuple):
    """Where a drawing shows a number: its element (by id), which of the element's texts (negative:
    from the end), and the words before the number (``"grad "``)."""

    element: str
    text: int
    prefix: str = ""


class View(NamedTuple):
    """Another drawing of the same computation, lit up by the same steps; the page shows one drawing
    at a time, with a toggle. ``nn.network_view`` makes the network picture of an ``nn`` model.

    ``elements``: for a node of the graph, the ids of the drawing's elements that stand for it
    (highlighted when a step is about that node). ``data`` and ``grads``: where the drawing shows a
    node's number and its gradient, written with ``precision`` significant digits. The output's
    number is shown under the drawing.
    """

    name: str
    drawing: GraphDrawing
    elements: Mapping[Value, Sequence[str]]
    data: Mapping[Value, Slot]
    grads: Mapping[Value, Slot]
    precision: int = 7


def number(x: float) -> str:
    """A number as the page's arithmetic shows it."""
    return number_formula(x, NUMBER_DIGITS).text


def arithmetic(operation: str, *operands: float) -> str:
    """``operation`` over numbers, written by precedence: ``0.5 * (-1.618)``, ``(-0.809) ** 2``."""
    return apply(operation, [number_formula(x, NUMBER_DIGITS) for x in operands]).text


def stepthrough_html(
    root: Value,
    *,
    parameters: Sequence[Value] = (),
    learning_rate: float | None = None,
    prediction: Value | None = None,
    title: str = "Backpropagation, step by step",
    direction: Direction = "TB",
    precision: int = 4,
    views: Sequence[View] = (),
) -> str:
    """The step-through page for the graph ``root`` depends on, as one HTML string.

    With ``parameters`` and a ``learning_rate`` the page ends with the update
    ``p <- p - learning_rate * d(root)/dp`` of each parameter in the graph and
    the forward pass that follows, reporting ``prediction`` (default: ``root``)
    before and after; otherwise it ends with the backward sweep. ``direction`` and
    ``precision`` are the drawing's (the text shows every number to 12 digits). ``views``: other
    drawings of the same steps (``nn.network_view``), a toggle away.
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
    given = parameter_list(parameters, "stepthrough_html()")  # leaves: an interior one's update could not be shown
    in_graph = set(order)
    # The parameters the graph uses, in the order the caller gave them (w1..w6, say).
    used = [parameter for parameter in dict.fromkeys(given) if parameter in in_graph]
    if learning_rate is not None and not used:
        raise ValueError(
            "stepthrough_html(): learning_rate is given but no parameter of the graph is: nothing to update"
        )
    if prediction is not None and learning_rate is None:  # (a learning_rate with nothing to update: refused above)
        raise ValueError(
            "stepthrough_html(): prediction is given but the page makes no update: give parameters and a learning_rate"
        )
    drawing = draw_graph(root, direction=direction, precision=precision, parameters=used, legend=False)
    svg = drawing.pipe(format="svg", encoding="utf-8")
    assert isinstance(svg, str)
    scene, size = _scene(svg)
    views = _checked_views(views, in_graph)
    updating = bool(used) and learning_rate is not None
    walk = _Walk(order, root, used, precision, views, updating)
    steps = [walk.start(), *walk.forward(), *walk.backward()]
    if updating:
        steps += walk.update(float(learning_rate or 0.0), prediction or root)
    walk.light_views(steps)
    page_data: dict[str, Any] = {
        "steps": steps,
        "values": [f"n{index}" for index in range(len(order))],
        "size": size,
        "legible": LEGIBLE_PX,
        "views": [],
    }
    drawings = []
    for view in views:
        view_svg = view.drawing.pipe(format="svg", encoding="utf-8")
        assert isinstance(view_svg, str)
        view_scene, view_size = _scene(view_svg, f"scene-{view.name}")
        slots = [[slot.element, slot.text, slot_id, f"{slot.prefix}·"] for slot_id, slot in walk.slots[view.name]]
        page_data["views"].append({"name": view.name, "size": view_size, "slots": slots})
        drawings.append((view.name, view_scene))
    return _page(title, scene, page_data, [walk.names[p] for p in used], used, updating, drawings)


def save_stepthrough(path: str | Path, root: Value, **options: Any) -> Path:
    """Write ``stepthrough_html(root, **options)`` to ``path`` (UTF-8); return the path."""
    target = Path(path)
    target.write_text(stepthrough_html(root, **options), encoding="utf-8")
    return target


class StepThrough:
    """The step-through page of a graph, shown inline by Jupyter (JupyterLab, the classic notebook,
    VS Code): the whole page inside an ``<iframe srcdoc>``, so it needs nothing from the notebook,
    its keys work once it has been clicked, and two pages in one notebook never meet."""

    def __init__(self, page: str, height: int = NOTEBOOK_HEIGHT) -> None:
        self.html = page
        self.height = height

    def __repr__(self) -> str:
        return "StepThrough(the step-through page: a notebook shows it, .save(path) writes it)"

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="Backpropagation, step by step" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #cbd5e1; border-radius: 8px" '
            'sandbox="allow-scripts"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` as a file of its own."""
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target


def show(root: Value, *, height: int = NOTEBOOK_HEIGHT, **options: Any) -> StepThrough:
    """The step-through page of ``root``'s graph, for a notebook: ``autograd.show(loss)`` as the last
    line of a cell shows it inline. ``options`` are ``stepthrough_html``'s; ``height`` in pixels."""
    if isinstance(height, bool) or not isinstance(height, int) or height < 200:
        raise ValueError(f"height must be a whole number of pixels, at least 200, not {height!r}")
    return StepThrough(stepthrough_html(root, **options), height)


class _Walk:
    """Turns the graph into the page's steps. Reads nodes; never writes them."""

    def __init__(
        self,
        order: list[Value],
        root: Value,
        parameters: list[Value],
        precision: int,
        views: Sequence[View] = (),
        updating: bool = False,
    ) -> None:
        self.order = order
        self.updating = updating  # the page ends with gradient descent
        self.reading = reading_order(order)
        self.root = root
        self.parameters = parameters
        self.precision = precision
        self.id = {node: f"n{index}" for index, node in enumerate(order)}
        self.terms: dict[Value, Formula] = {}
        for index, node in enumerate(order):
            self.terms[node] = _term(node, index, self.terms)
        self.names = {node: term.text for node, term in self.terms.items()}
        self.grads: dict[Value, float] = {}  # the sweep's gradients, filled by backward.edges
        self.totals: dict[Value, float] = {}  # each gradient as the steps so far have shown it
        self.views = views
        # Each view's slots, numbered: (slot id, slot); and the slot id of (view, node, "data" or "grad").
        self.slots: dict[str, list[tuple[str, Slot]]] = {}
        self.slot_of: dict[tuple[str, Value, str], str] = {}
        for view in views:
            numbered: list[tuple[str, Slot]] = []
            for kind, where in (("data", view.data), ("grad", view.grads)):
                for node, slot in where.items():
                    slot_id = f"{view.name}-{len(numbered)}"
                    numbered.append((slot_id, slot))
                    self.slot_of[view.name, node, kind] = slot_id
            self.slots[view.name] = numbered

    def _numbers(self, node: Value, kind: str, x: float | None) -> list[list[str]]:
        """What a step sets to show ``node``'s data or grad (``kind``) as ``x`` (None: not known):
        the text in the graph's drawing, and the same number in every other view that shows it."""
        sets = [[f"{self.id[node]}-{kind}", "·" if x is None else self._shown(x)]]
        for view in self.views:
            written = "·" if x is None else number_formula(x, view.precision).text
            slot_id = self.slot_of.get((view.name, node, kind))
            if slot_id is not None:
                prefix = (view.data if kind == "data" else view.grads)[node].prefix
                sets.append([slot_id, prefix + written])
            if node is self.root and kind == "data":
                sets.append([f"{view.name}-root", f"{self.names[node]} = {written}"])
        return sets

    def light_views(self, steps: list[Step]) -> None:
        """Each step's focus and flow in the graph, carried to the elements of the other views."""
        node_of = {node_id: node for node, node_id in self.id.items()}
        for step in steps:
            for key in ("focus", "flow"):
                nodes = [node_of[i] for i in step.get(key, ()) if i in node_of]
                lit = [element for view in self.views for node in nodes for element in view.elements.get(node, ())]
                if lit:
                    step[key] = [*step.get(key, []), *dict.fromkeys(lit)]

    def _d(self, node: Value, by: Value | None = None) -> str:
        """∂root/∂node as written (∂E/∂w5), or with ``by``, ∂node/∂by."""
        if by is None:
            return derivative(self.terms[self.root], self.terms[node])
        return derivative(self.terms[node], self.terms[by])

    def _shown(self, x: float) -> str:
        """A number as the drawing shows it."""
        return "nan" if math.isnan(x) else f"{x:.{self.precision}g}"

    def start(self) -> Step:
        root = self.names[self.root]
        leaves = [node for node in self.reading if node.is_leaf]
        operations = len(self.order) - len(leaves)
        note = (
            f"This graph computes {root} from {len(leaves)} given values in {operations} operations. "
            "First the forward pass computes every operation from its inputs, in the order the program ran "
            f"them, and each notes its local derivatives. Then the backward sweep sends ∂{_wrap(root)}/∂(value) "
            "back along every edge: the chain rule, one node at a time."
        )
        lines = [f"{self.names[leaf]} = {number(leaf.data)}  ({self._kind(leaf)})" for leaf in leaves]
        note += " Inputs are given; parameters are what training changes." if self.parameters else ""
        step = _step("start", "Ready: the given values", lines, note, show=[self.id[leaf] for leaf in leaves])
        step["set"] = [entry for leaf in leaves for entry in self._numbers(leaf, "data", leaf.data)]
        return step

    def _kind(self, leaf: Value) -> str:
        return "parameter" if leaf in self.parameters else "input"

    def forward(self) -> list[Step]:
        steps = []
        for node in self.reading:
            if node.is_leaf:
                continue
            name, node_id = self.names[node], self.id[node]
            symbolic, numeric = self._formula(node)
            parts = [name, symbolic.text, numeric.text, number(node.data)]
            lines = [" = ".join(part for k, part in enumerate(parts) if k == 0 or part != parts[k - 1])]
            lines += [
                f"{self._d(node, parent)}{self._which(node, position)} = {number(local)}"
                for position, (parent, local) in enumerate(zip(node.parents, node.local_grads, strict=True))
            ]
            note = "The operation also records its local derivatives, for the backward sweep."
            show = [node_id, f"{node_id}_op", f"{node_id}_out", *(f"{node_id}_in{k}" for k in range(len(node.parents)))]
            step = _step("forward", f"Forward: {name}", lines, note, focus=[node_id], show=show)
            step["set"] = self._numbers(node, "data", node.data)
            step["set"] += [
                [f"{node_id}-local{k}", f"∂ {self._shown(local)}"] for k, local in enumerate(node.local_grads)
            ]
            steps.append(step)
        return steps

    def _formula(self, node: Value) -> tuple[Formula, Formula]:
        """The node's operation twice: over its operands' names and over their numbers."""
        operation = node.op
        names, numbers = [], []
        for operand in node.operands():
            if isinstance(operand, Value):
                names.append(self.terms[operand])
                numbers.append(number_formula(operand.data, NUMBER_DIGITS))
            else:  # a plain number folded into the operation: the 2 of x * 2
                names.append(number_formula(operand, NUMBER_DIGITS))
                numbers.append(number_formula(operand, NUMBER_DIGITS))
        return apply(operation, names), apply(operation, numbers)

    @staticmethod
    def _which(node: Value, position: int) -> str:
        """For a value used twice by one operation (x * x), which use an edge is."""
        return f" (input {position + 1})" if node.parents.count(node.parents[position]) > 1 else ""

    def backward(self) -> list[Step]:
        """The backward sweep: the engine's chain rule (``backward.edges``), one step per node."""
        grads = self.grads
        grads.clear()
        self.totals.clear()
        grads[self.root] = 1.0
        root_id = self.id[self.root]
        note = "The output's derivative with respect to itself is 1: the sweep starts here."
        seed = _step("backward", f"Backward: start at {self.names[self.root]}", [f"{self._d(self.root)} = 1"], note)
        seed.update(focus=[root_id], set=self._numbers(self.root, "grad", 1.0))
        steps = [seed]
        sweep = _grouped(edges(self.order, grads))
        for node in reversed(self.order):
            if node.is_leaf:
                steps.append(self._leaf_done(node))
            else:
                steps.append(self._through(node, next(sweep)))
        return steps

    def _leaf_done(self, node: Value) -> Step:
        grad = self.grads.get(node, 0.0)
        step = _step(
            "backward",
            f"Backward: {self.names[node]} is done",
            [f"{self._d(node)} = {number(grad)}"],
            f"{self.names[node]} is a leaf, so its gradient is complete"
            + (": gradient descent will use it." if node in self.parameters and self.updating else "."),
            focus=[self.id[node]],
        )
        if node in self.parameters:
            step["set"] = [[f"param{self.parameters.index(node)}-grad", number(grad)]]
        return step

    def _through(self, node: Value, passed: list[Edge]) -> Step:
        """The step for one node: the chain rule along each of its edges, as ``edges()`` applied it."""
        assert [edge.node for edge in passed] == [node] * len(node.parents), "the sweep and the steps disagree"
        lines, updates = [], []
        for edge in passed:
            parent = edge.parent
            line = (
                f"{self._d(parent)} += {self._d(node)} * {self._d(node, parent)}{self._which(node, edge.position)}"
                f" = {arithmetic('*', edge.upstream, edge.local)} = {number(edge.contribution)}"
            )
            if not edge.first:
                before = self.totals[parent]  # the parent's gradient before this edge added to it
                sum_ = arithmetic("+", before, edge.contribution)
                line += f"; now {self._d(parent)} = {sum_} = {number(edge.total)}"
            self.totals[parent] = edge.total
            lines.append(line)
            updates += self._numbers(parent, "grad", edge.total)
        node_id = self.id[node]
        note = "Each input's gradient grows by this node's gradient times the local derivative: the chain rule."
        flow = [f"{node_id}_op", *(f"{node_id}_in{k}" for k in range(len(node.parents)))]
        flow += [self.id[parent] for parent in node.parents]
        step = _step("backward", f"Backward: through {self.names[node]}", lines, note, focus=[node_id], flow=flow)
        step["set"] = updates
        return step

    def update(self, learning_rate: float, prediction: Value) -> list[Step]:
        steps = []
        new_data: dict[Value, float] = {}
        rate = number_formula(learning_rate, NUMBER_DIGITS)
        for position, parameter in enumerate(self.parameters):
            name = self.names[parameter]
            grad = self.grads.get(parameter, 0.0)
            new_data[parameter] = new = parameter.data - learning_rate * grad
            step_size = apply("*", [rate, number_formula(grad, NUMBER_DIGITS)])
            written = apply("-", [number_formula(parameter.data, NUMBER_DIGITS), step_size]).text
            line = f"{name} ← {name} - a * {self._d(parameter)} = {written} = {number(new)}"
            note = f"Gradient descent: a step against the gradient, scaled by the learning rate a = {learning_rate:g}."
            step = _step("update", f"Update: {name}", [line], note, focus=[self.id[parameter]])
            step["set"] = [*self._numbers(parameter, "data", new), [f"param{position}-new", number(new)]]
            steps.append(step)
        steps.append(self._new_forward(new_data, prediction))
        return steps

    def _new_forward(self, new_data: dict[Value, float], prediction: Value) -> Step:
        """The forward pass again, with the updated parameters: the new prediction."""
        values: dict[Value, float] = {}
        failure = ""
        for node in self.reading:
            try:
                values[node] = new_data.get(node, node.data) if node.is_leaf else _evaluate(node, values)
            except (ArithmeticError, ValueError) as error:
                failure = f"The forward pass with the new parameters fails at {self.names[node]}: {error}."
                break
        lines = [
            f"{self.names[node]} = {number(values[node])} (was {number(node.data)})"
            for node in self.reading
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
        step["set"] = [entry for node, value in values.items() for entry in self._numbers(node, "data", value)]
        step["set"] += [entry for node in self.order for entry in self._numbers(node, "grad", None)]
        step["set"].append(["result", result])
        return step


def _grouped(sweep: Iterator[Edge]) -> Iterator[list[Edge]]:
    """The sweep's edges, node by node: ``edges()`` gives every node's edges together, in order."""
    group: list[Edge] = []
    for edge in sweep:
        if group and edge.node is not group[0].node:
            yield group
            group = []
        group.append(edge)
    if group:
        yield group


def _step(phase: str, title: str, lines: list[str], note: str, **highlight: Any) -> Step:
    """One step of the page: its phase and title, its arithmetic (``lines``), a sentence of
    explanation (``note``), and what it highlights, shows and sets in the drawing."""
    return {"phase": phase, "title": title, "lines": lines, "note": note, **highlight}


def _wrap(name: str) -> str:
    """Parentheses around an expression name, so ∂(w5 * h1) reads as one thing."""
    return f"({name})" if " " in name else name


def _term(node: Value, index: int, terms: dict[Value, Formula]) -> Formula:
    """How the page names a value: its label, else the short formula that made it, else ``v<index>``."""
    if node.label:
        return name_formula(display_text(node.label).replace("\n", " "))
    if not node.is_leaf:
        operands = [terms[o] if isinstance(o, Value) else number_formula(o, NUMBER_DIGITS) for o in node.operands()]
        formula = apply(node.op, operands)
        if len(formula.text) <= NAME_LENGTH:
            return formula
    return name_formula(f"v{index}")


def _evaluate(node: Value, values: dict[Value, float]) -> float:
    """The node's recorded operation applied to its operands' new values."""
    operation = node.operation
    assert operation is not None
    operands = [values[o] if isinstance(o, Value) else o for o in node.operands()]
    return float(operation.forward(*operands))


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it early."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _scene(svg: str, scene_id: str = "scene") -> tuple[str, list[float]]:
    """dot's SVG made into the page's drawing: sized by the page (no fixed width and height), its
    content wrapped in ``<g id="scene">``, the group the script moves and zooms; with its size."""
    svg = svg[svg.index("<svg") :]
    opening = svg[: svg.index(">") + 1]
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', opening)
    assert box is not None, "dot's SVG has a viewBox"
    body = svg[len(opening) : svg.rindex("</svg>")]
    root = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" role="img">'
    return f'{root}<g id="{scene_id}">{body}</g></svg>', [float(box.group(3)), float(box.group(4))]


@cache
def _asset(name: str) -> str:
    """A file of the page (HTML, style, script), from the package's ``page`` folder."""
    return resources.files(__package__).joinpath("page", name).read_text(encoding="utf-8")


def _legend() -> str:
    """The key to the drawing, under it: the roles' colours and what the marks mean."""
    swatches = "".join(
        f'<span class="swatch" style="background: {fill}; border-color: {border}">{role}</span>'
        for role, (fill, border, _style, _peripheries) in ROLE_STYLE.items()
    )
    return (
        f'{swatches}<span><span class="local" style="color: {LOCAL_GRAD_COLOUR}">∂ n</span> local derivative</span>'
        '<span><span class="swatch current">&nbsp;</span> current node</span>'
        '<span><span class="swatch flow"></span> gradient flowing back</span>'
        "<span>grey: not computed yet</span>"
    )


def _page(
    title: str,
    svg: str,
    data: dict[str, Any],
    names: list[str],
    parameters: list[Value],
    updating: bool,
    views: Sequence[tuple[str, str]] = (),
) -> str:
    rows = "".join(  # the column "after the step" only on a page that steps
        f'<tr><th scope="row">{html.escape(name)}</th><td>{html.escape(number(p.data))}</td>'
        f'<td id="param{k}-grad" data-blank></td>'
        + (f'<td id="param{k}-new" data-blank></td>' if updating else "")
        + "</tr>"
        for k, (name, p) in enumerate(zip(names, parameters, strict=True))
    )
    table = (
        '<table id="parameters"><caption>Parameters</caption><thead><tr><th>name</th><th>value</th>'
        f"<th>gradient</th>{'<th>after the step</th>' if updating else ''}</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    toggle = ""
    if views:  # one button per drawing: the graph, then each view
        labels = ["graph", *(name for name, _ in views)]
        toggle = "".join(
            f'<button id="show-{k}" class="toggle" type="button" aria-pressed="{str(k == 0).lower()}" '
            f'title="Show the {label} (V switches)">{label.capitalize()}</button>'
            for k, label in enumerate(labels)
        )
    drawings = "".join(
        f'<div id="view-{name}" class="drawing" tabindex="0" hidden>{scene}'
        f'<p class="view-root" id="{name}-root" data-blank></p></div>'
        for name, scene in views
    )
    parts = {
        "TITLE": html.escape(title),
        "VIEWS": drawings,
        "TOGGLE": toggle,
        "UPDATE": ", update" if updating else "",
        "CSS": _asset("stepthrough.css"),
        "SVG": svg,
        "LEGEND": _legend(),
        "PARAMETERS": table,
        "DATA": _script_json(data),
        "SCRIPT": _asset("stepthrough.js"),
    }
    # One pass: text filled in (a title, a label in the drawing) is never searched for placeholders.
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda match: parts[match.group(1)], _asset("stepthrough.html"))


def _checked_views(views: Sequence[View], in_graph: set[Value]) -> list[View]:
    """The views, refused by name when one is not a View, is named oddly or shows a node not in the graph."""
    checked = []
    for view in views:
        if not isinstance(view, View):
            raise TypeError(f"views must be stepthrough.View objects (nn.network_view makes one), not {view!r}")
        if not re.fullmatch(r"[a-z][a-z0-9]*", view.name) or view.name in ("graph", "scene"):
            raise ValueError(f"a view's name is a short lowercase word other than 'graph', not {view.name!r}")
        strangers = [node for part in (view.elements, view.data, view.grads) for node in part if node not in in_graph]
        if strangers:
            raise ValueError(f"the view {view.name!r} shows {len(strangers)} values that are not in the graph")
        checked.append(view)
    if len({view.name for view in checked}) != len(checked):
        raise ValueError("two views have the same name")
    return checked
