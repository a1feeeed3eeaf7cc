"""The step-through page: one self-contained HTML file that replays a graph's forward pass,
then its backward sweep, node by node, showing the arithmetic of every step; every given number
on it can be changed, and the page recomputes everything.

Everything the page shows is computed here, from the real graph: the forward pass goes through
the operations in the order the program computed them (``notation.reading_order``), each from the
node's recorded ``data``, operation and operands, with each local derivative written from its
operation's own formula (``local_grads_as_values``: the Operation row evaluated on the node's
Values); the backward sweep is the engine's own chain rule (``backward.edges``, run on a
dictionary, so no node's ``.grad`` is touched), one step per node. Formulas are written by operator
precedence (``notation``). Given parameters and a learning rate, the page ends with the
gradient-descent update and a forward pass with the new parameters; otherwise it ends with the
backward sweep.

A step's text is a template: words, with numbers to fill in (``[kind, index, digits, wrap]``: the
value, gradient or local derivative of a node or an edge). The page fills them with the numbers
recorded here, or, after a reader changes a given number, with the numbers the graph's generated
JavaScript (``autograd.replay.javascript.graph_function``) computes: the page's script writes no
derivative of its own. ``page_data(page)`` reads a page back with the recorded numbers written in.

The page's HTML, style, script and words (one table per language, ``page/strings-LANG.json``) are
files beside this one (``page/``), filled in and inlined when the page is written, with the drawing
(from ``draw_graph`` and ``dot``): nothing is fetched when it loads. ``show(root)`` puts the same
page inline in a Jupyter notebook.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from ..backward import Edge, edges, topological_order
from ..grad_mode import enable_grad
from ..replay.javascript import graph_function
from ..value import Value, local_grads_as_values
from .draw import (
    DIGIT_WIDTH,
    LOCAL_GRAD_COLOUR,
    ROLE_STYLE,
    SMALL_FONT,
    Direction,
    GraphDrawing,
    display_text,
    draw_graph,
    parameter_list,
)
from .notation import ATOM, SIGN, Formula, apply, derivative, reading_order
from .notation import name as name_formula
from .notation import number as number_formula

NUMBER_DIGITS = 12
"""Significant digits in the page's arithmetic: enough to show the article's numbers exactly
(-0.68765, 0.1743825), few enough to hide float noise (0.30000000000000004)."""
NAME_LENGTH = 24
"""An unlabelled value is named by its expression (``w5 * h1``) up to this length, else ``v7``."""
PORT_NAME = 8
"""An operation's ∂ box names its input (``∂/∂w5``) when the input's name is at most this long."""
LEGIBLE_PX = 11
"""The page never fits the drawing smaller than this: its smallest text stays this many CSS pixels high."""
NOTEBOOK_HEIGHT = 720
"""Pixels of notebook the inline page takes (``show``)."""
LANGUAGES = ("en", "ja")
"""The languages of the page's words: one table each, ``page/strings-LANG.json``."""
PYTHON_ONLY = ("cli_", "demo_", "explain_", "network_key")
"""The tables' keys for words only Python writes (the terminal's printouts, the network drawing's key):
left out of the words the page's script is given."""

Step = dict[str, Any]
Part = Any  # a piece of text (str), or a number to fill in: [kind, index, digits, wrap]
Segment = list[Part]
Chain = list[Segment]  # segments joined by " = ", one equal to the one before it left out
Line = list[Chain]  # chains joined by "; "
Numbers = dict[str, list[Any]]
Ref = Callable[..., Formula]


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
    number is shown under the drawing. ``key``: the words under the drawing in a language (given
    ``"en"`` or ``"ja"``), so the page writes them in its own (``nn.draw.network_key``); None keeps the
    drawing's own.
    """

    name: str
    drawing: GraphDrawing
    elements: Mapping[Value, Sequence[str]]
    data: Mapping[Value, Slot]
    grads: Mapping[Value, Slot]
    precision: int = 7
    key: Callable[[str], str] | None = None


def number(x: float) -> str:
    """A number as the page's arithmetic shows it."""
    return number_formula(x, NUMBER_DIGITS).text


@cache
def strings(lang: str = "en") -> dict[str, str]:
    """The page's words in ``lang`` (one of ``LANGUAGES``): ``page/strings-LANG.json``."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    table: dict[str, str] = json.loads(_asset(f"strings-{lang}.json"))
    return table


def stepthrough_html(
    root: Value,
    *,
    parameters: Sequence[Value] = (),
    learning_rate: float | None = None,
    prediction: Value | None = None,
    title: str | None = None,
    direction: Direction = "TB",
    precision: int = 4,
    views: Sequence[View] = (),
    gradient_names: Mapping[Value, str] | None = None,
    lang: str = "en",
    quiz: bool = False,
) -> str:
    """The step-through page for the graph ``root`` depends on, as one HTML string.

    With ``parameters`` and a ``learning_rate`` the page ends with the update
    ``p <- p - learning_rate * d(root)/dp`` of each parameter in the graph and
    the forward pass that follows, reporting ``prediction`` (default: ``root``)
    before and after; otherwise it ends with the backward sweep. ``direction`` and
    ``precision`` are the drawing's (the text shows every number to 12 digits). ``views``: other
    drawings of the same steps (``nn.network_view``), a toggle away. ``gradient_names``: a name
    for the gradient of a node, as an article names it (``{out: "δ"}``). ``lang``: the page's
    language (``"en"`` or ``"ja"``). ``quiz``: the page asks before it shows: the value of each named
    value in the forward pass, and at each backward step the gradient it computes; right to 3
    significant digits, or the chain rule's arithmetic; a score at the end.
    """
    if not isinstance(root, Value):
        raise TypeError(f"stepthrough_html() walks a Value, not {type(root).__name__}: {root!r}")
    if learning_rate is not None and (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, int | float)
        or not math.isfinite(learning_rate)
    ):
        raise ValueError(f"learning_rate must be a finite number, not {learning_rate!r}")
    text = strings(lang)
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
    named = dict(gradient_names or {})
    for node, gradient_name in named.items():
        if node not in in_graph or not isinstance(gradient_name, str) or not gradient_name.strip():
            raise ValueError("gradient_names maps values of the graph to names (non-empty str)")
    views = _checked_views(views, in_graph)
    updating = bool(used) and learning_rate is not None
    walk = _Walk(order, root, used, precision, views, updating, named, text)
    drawing = draw_graph(root, direction=direction, precision=precision, parameters=used, legend=False)
    _name_ports(drawing, walk)
    svg = drawing.pipe(format="svg", encoding="utf-8")
    assert isinstance(svg, str)
    scene, size = _scene(svg)
    steps = [walk.start(), *walk.forward(), *walk.backward()]
    if updating:
        steps += walk.update(prediction or root)
    walk.light_views(steps)
    rate = float(learning_rate) if updating and learning_rate is not None else None
    page_data: dict[str, Any] = {
        "steps": steps,
        "values": [f"n{index}" for index in range(len(order))],
        "size": size,
        "legible": LEGIBLE_PX,
        "views": [],
        "leaves": [walk.index[leaf] for leaf in walk.leaves],
        "parameters": [walk.index[p] for p in used],
        "edges": [[walk.index[e.node], walk.index[e.parent]] for e in walk.sweep],
        "root": walk.index[root],
        "prediction": walk.index[prediction or root],
        "captions": [[walk.id[node], gradient_name] for node, gradient_name in named.items()],
        "numbers": _json_numbers(walk.recorded(rate, prediction or root)),
        "rootName": walk.names[root],
        "parameterNames": [walk.names[p] for p in used],
        "text": {key: words for key, words in text.items() if not key.startswith(PYTHON_ONLY)},
        "quiz": bool(quiz),
    }
    drawings = []
    for view in views:
        view_drawing = view.drawing
        if view.key is not None:  # the key in the page's language, on a copy: the view's drawing is left as given
            view_drawing = view.drawing.copy()
            view_drawing.attr(label=view.key(text["lang"]))
        view_svg = view_drawing.pipe(format="svg", encoding="utf-8")
        assert isinstance(view_svg, str)
        view_scene, view_size = _scene(view_svg, f"scene-{view.name}")
        slots = [[slot.element, slot.text, slot_id, f"{slot.prefix}·"] for slot_id, slot in walk.slots[view.name]]
        page_data["views"].append({"name": view.name, "size": view_size, "slots": slots})
        drawings.append((view.name, view_scene))
    page_title = text["default_title"] if title is None else title
    return _page(page_title, scene, page_data, walk, rate, drawings, _graph_script(root, walk.leaves))


def save_stepthrough(path: str | Path, root: Value, **options: Any) -> Path:
    """Write ``stepthrough_html(root, **options)`` to ``path`` (UTF-8); return the path."""
    target = Path(path)
    target.write_text(stepthrough_html(root, **options), encoding="utf-8")
    return target


def page_data(page: str) -> dict[str, Any]:
    """The data of a step-through page, each step's text written out with the recorded numbers,
    as the page shows it before anyone changes a number: ``lines`` and ``set`` as plain strings."""
    found = re.search(r'<script type="application/json" id="steps">(.*?)</script>', page, flags=re.S)
    if found is None:
        raise ValueError("this is not a step-through page: it has no steps")
    data: dict[str, Any] = json.loads(found.group(1))
    numbers = {
        kind: [_from_json(x) for x in values] if isinstance(values, list) else values
        for kind, values in data["numbers"].items()
    }
    failure = numbers.get("failure")
    for step in data["steps"]:
        if step["phase"] == "result" and failure:
            step["lines"] = []
            step["set"] = [entry for entry in step["set"] if entry[0] != "result"] + [["result", failure]]
            step["note"] = failure
        step["lines"] = [_written_line(line, numbers) for line in step["lines"]]
        step["set"] = [[target, _written_segment(segment, numbers)] for target, segment in step.get("set", [])]
    return data


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


# --- templates: text with numbers to fill in ------------------------------------------------------

_PLACE = re.compile("\ue000([a-z]):(-?\\d+):(\\d+):\\d+\ue001")


def _segment(make: Callable[[Ref], str]) -> Segment:
    """The text ``make(ref)`` writes, with each ``ref(kind, index, digits)`` a number to fill in.

    ``make`` runs twice: once with each number binding like a negative number, once like a positive
    one. A number that the first writes in parentheses and the second does not is one that precedence
    puts in parentheses when it is negative (``(-0.809) ** 2``, ``0.05 * (-0.68765)``): its ``wrap``."""
    written = []
    for level in (SIGN, ATOM):
        serial = itertools.count()

        def ref(
            kind: str, index: int = 0, digits: int = NUMBER_DIGITS, level: int = level, serial: Iterator[int] = serial
        ) -> Formula:
            return Formula(f"\ue000{kind}:{index}:{digits}:{next(serial)}\ue001", level)

        written.append(make(ref))
    signed, plain = written
    parts: Segment = []
    position = 0
    for match in _PLACE.finditer(plain):
        if match.start() > position:
            parts.append(plain[position : match.start()])
        place = match.group(0)
        wrap = int(f"({place})" in signed and f"({place})" not in plain)
        parts.append([match.group(1), int(match.group(2)), int(match.group(3)), wrap])
        position = match.end()
    if position < len(plain):
        parts.append(plain[position:])
    return parts


def _words(text: str) -> Segment:
    return [text]


def _written_segment(segment: Segment, numbers: Numbers) -> str:
    """A segment with its numbers written in, as the page's script writes them."""
    out = []
    for part in segment:
        if isinstance(part, str):
            out.append(part)
            continue
        kind, index, digits, wrap = part
        x = numbers[kind][index]
        shown = "·" if x is None else number_formula(x, digits).text
        out.append(f"({shown})" if wrap and shown.startswith("-") else shown)
    return "".join(out)


def _written_line(line: Line, numbers: Numbers) -> str:
    chains = []
    for chain in line:
        texts = [_written_segment(segment, numbers) for segment in chain]
        chains.append(" = ".join(t for k, t in enumerate(texts) if k == 0 or t != texts[k - 1]))
    return "; ".join(chains)


def _from_json(x: Any) -> Any:
    return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(x, x) if isinstance(x, str) else x


def _json_numbers(numbers: dict[str, Any]) -> dict[str, Any]:
    """The numbers for JSON, which has no NaN or infinities: those as the strings "nan", "inf", "-inf"."""

    def encode(x: Any) -> Any:
        if isinstance(x, float) and not math.isfinite(x):
            return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
        return x

    return {kind: [encode(x) for x in v] if isinstance(v, list) else v for kind, v in numbers.items()}


# --- the steps ----------------------------------------------------------------------------------------


class _Walk:
    """Turns the graph into the page's steps. Reads nodes; never writes them."""

    def __init__(
        self,
        order: list[Value],
        root: Value,
        parameters: list[Value],
        precision: int,
        views: Sequence[View],
        updating: bool,
        gradient_names: dict[Value, str],
        text: dict[str, str],
    ) -> None:
        self.order = order
        self.updating = updating  # the page ends with gradient descent
        self.reading = reading_order(order)
        self.root = root
        self.parameters = parameters
        self.precision = precision
        self.text = text
        self.gradient_names = gradient_names
        self.index = {node: index for index, node in enumerate(order)}
        self.id = {node: f"n{index}" for index, node in enumerate(order)}
        self.terms: dict[Value, Formula] = {}
        for index, node in enumerate(order):
            self.terms[node] = _term(node, index, self.terms)
        self.names = {node: term.text for node, term in self.terms.items()}
        # The leaves a reader may change: the given values in the order they are read, then the parameters.
        given = [node for node in self.reading if node.is_leaf and node not in parameters]
        self.leaves = given + parameters
        # The sweep, once: the engine's chain rule (``backward.edges``), edge by edge.
        self.grads: dict[Value, float] = {root: 1.0}
        self.sweep: list[Edge] = list(edges(order, self.grads))
        self.edge_of = {(e.node, e.position): k for k, e in enumerate(self.sweep)}
        last = {e.parent: k for k, e in enumerate(self.sweep)}
        self.completes = {k: parent for parent, k in last.items()}  # edge -> the leaf or node it completes
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

    def t(self, key: str, **values: object) -> str:
        return self.text[key].format(**values)

    def recorded(self, learning_rate: float | None, prediction: Value) -> dict[str, Any]:
        """The engine's numbers, in the arrays the steps' templates index: by node (``v`` values,
        ``g`` gradients, ``u`` updated parameters, ``n`` the forward pass after the update), by edge
        of the sweep (``l`` local derivative, ``c`` contribution, ``t`` total after it, ``b`` before
        it), ``r`` the learning rate; ``failure``: why the forward pass after the update failed."""
        before: list[float | None] = []
        totals: dict[Value, float] = {}
        for edge in self.sweep:
            before.append(None if edge.first else totals[edge.parent])
            totals[edge.parent] = edge.total
        updated: list[float | None] = [None] * len(self.order)
        new: list[float | None] = [None] * len(self.order)
        failure = None
        if learning_rate is not None:
            for parameter in self.parameters:
                updated[self.index[parameter]] = parameter.data - learning_rate * self.grads[parameter]
            values: dict[Value, float] = {}
            try:
                for node in self.order:
                    p = updated[self.index[node]]
                    values[node] = (node.data if p is None else p) if node.is_leaf else _evaluate(node, values)
                new = [values[node] for node in self.order]
            except (ArithmeticError, ValueError) as error:
                failure = self.t("failure", message=error)
        return {
            "v": [node.data for node in self.order],
            "g": [self.grads.get(node) for node in self.order],
            "l": [e.local for e in self.sweep],
            "c": [e.contribution for e in self.sweep],
            "t": [e.total for e in self.sweep],
            "b": before,
            "u": updated,
            "n": new,
            "r": [learning_rate],
            "failure": failure,
        }

    def _numbers(self, node: Value, kind: str, source: str | None, views_only: bool = False) -> list[list[Any]]:
        """What a step sets to show ``node``'s data or grad (``kind``) as the number ``source``
        (``"v"``, ``"n"``, ``"u"``, ``"g"``; None: not known): the text in the graph's drawing, and
        the same number in every other view that shows it."""
        index = self.index[node]

        def shown(digits: int) -> Segment:
            return ["·"] if source is None else [[source, index, digits, 0]]

        sets: list[list[Any]] = [] if views_only else [[f"{self.id[node]}-{kind}", shown(self.precision)]]
        for view in self.views:
            slot_id = self.slot_of.get((view.name, node, kind))
            if slot_id is not None:
                slot = (view.data if kind == "data" else view.grads)[node]
                prefix = slot.prefix
                if kind == "grad" and node in self.gradient_names:
                    prefix = f"{self.gradient_names[node]} "
                sets.append([slot_id, [prefix, *shown(view.precision)]])
            if node is self.root and kind == "data":
                sets.append([f"{view.name}-root", [f"{self.names[node]} = ", *shown(view.precision)]])
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
        """∂root/∂node as written (∂E/∂w5), or with ``by``, the local derivative d(node)/d(by): over
        the node's formula where the node is the root, so that it never reads as ∂root/∂by itself."""
        if by is None:
            return derivative(self.terms[self.root], self.terms[node])
        return derivative(self._local_name(node), self.terms[by])

    def _local_name(self, node: Value) -> Formula:
        if node is self.root and not node.is_leaf:
            return self._formula(node, lambda operand: self.terms[operand])
        return self.terms[node]

    def _kind(self, leaf: Value) -> str:
        return self.t("kind_parameter" if leaf in self.parameters else "kind_input")

    def start(self) -> Step:
        root = self.names[self.root]
        leaves = [node for node in self.reading if node.is_leaf]
        operations = len(self.order) - len(leaves)
        note = self.t("start_note", root=root, leaves=len(leaves), operations=operations, root_wrapped=_wrap(root))
        note += self.t("start_note_parameters") if self.parameters else ""
        lines = [[[_segment(partial(_new_text, self.names[leaf], self.index[leaf], "v"))]] for leaf in leaves]
        for line, leaf in zip(lines, leaves, strict=True):
            line[0][0].append(f"  ({self._kind(leaf)})")
        step = _step("start", self.t("start_title"), lines, note, show=[self.id[leaf] for leaf in leaves])
        step["set"] = [entry for leaf in leaves for entry in self._numbers(leaf, "data", "v")]
        step["set"] += [  # each ∂ box names its input from the start
            [f"{self.id[node]}-local{k}", [f"{self._port(parent)} ·"]]
            for node in self.order
            for k, parent in enumerate(node.parents)
        ]
        return step

    def forward(self) -> list[Step]:
        steps = []
        for node in self.reading:
            if node.is_leaf:
                continue
            name, node_id, index = self.names[node], self.id[node], self.index[node]
            symbolic = self._formula(node, lambda operand: self.terms[operand]).text
            numeric = _segment(partial(self._numeric, node))
            lines: list[Line] = [[[_words(name), _words(symbolic), numeric, [["v", index, NUMBER_DIGITS, 0]]]]]
            for position, parent in enumerate(node.parents):
                lines.append([self._local_chain(node, position, parent)])
            note = self.t("forward_note")
            show = [node_id, f"{node_id}_op", f"{node_id}_out", *(f"{node_id}_in{k}" for k in range(len(node.parents)))]
            step = _step("forward", self.t("forward_title", name=name), lines, note, focus=[node_id], show=show)
            if node.label or node is self.root:  # the quiz asks for the values a program names
                step["ask"] = ["v", index, name, "quiz_forward"]
            step["set"] = self._numbers(node, "data", "v")
            for position, parent in enumerate(node.parents):
                edge = self.edge_of[node, position]
                step["set"].append(
                    [f"{node_id}-local{position}", [f"{self._port(parent)} ", ["l", edge, self.precision, 0]]]
                )
            steps.append(step)
        return steps

    def _port(self, parent: Value) -> str:
        """What an operation's ∂ box says before its number: which input it is the derivative by."""
        name = self.names[parent]
        return f"∂/∂{name}" if len(name) <= PORT_NAME and " " not in name else "∂"

    def _local_chain(self, node: Value, position: int, parent: Value) -> Chain:
        """``∂(w5 * h1)/∂w5 = h1 = 0.85``: a local derivative, its formula from the operation's row,
        the formula over the numbers, and its value."""
        edge = self.edge_of[node, position]
        head = _words(f"{self._d(node, parent)}{self._which(node, position)}")
        value: Segment = [["l", edge, NUMBER_DIGITS, 0]]
        try:
            with enable_grad():  # the row's formula on the node's own Values: a small graph over them
                formula = local_grads_as_values(node)[position]
        except (ArithmeticError, ValueError, TypeError, RuntimeError):
            return [head, value]
        stops = {o: o for o in (*node.parents, node)}
        names = _written_formula(formula, stops, lambda o: self._local_name(o) if o is node else self.terms[o])
        numbers = _segment(lambda ref: _written_formula(formula, stops, lambda o: ref("v", self.index[o])).text)
        return [head, _words(names.text), numbers, value]

    def _numeric(self, node: Value, ref: Ref) -> str:
        """The node's operation over its operands' numbers."""
        return self._formula(node, lambda operand: ref("v", self.index[operand])).text

    def _formula(self, node: Value, term: Callable[[Value], Formula]) -> Formula:
        """The node's operation over its operands, each Value written by ``term``."""
        operands = [term(o) if isinstance(o, Value) else number_formula(o, NUMBER_DIGITS) for o in node.operands()]
        return apply(node.op, operands)

    def _which(self, node: Value, position: int) -> str:
        """For a value used twice by one operation (x * x), which use an edge is."""
        return self.t("input_n", n=position + 1) if node.parents.count(node.parents[position]) > 1 else ""

    def backward(self) -> list[Step]:
        """The backward sweep: the engine's chain rule (``backward.edges``), one step per node."""
        root_id = self.id[self.root]
        root_index = self.index[self.root]
        seed = _step(
            "backward",
            self.t("seed_title", name=self.names[self.root]),
            [[[_words(self._d(self.root)), [["g", root_index, NUMBER_DIGITS, 0]]]]],
            self.t("seed_note"),
        )
        seed.update(focus=[root_id], set=self._numbers(self.root, "grad", "g"))
        steps = [seed]
        sweep = _grouped(iter(enumerate(self.sweep)))
        for node in reversed(self.order):
            if node.is_leaf:
                steps.append(self._leaf_done(node))
            else:
                steps.append(self._through(node, next(sweep)))
        return steps

    def _leaf_done(self, node: Value) -> Step:
        note = "leaf_note_update" if node in self.parameters and self.updating else "leaf_note"
        return _step(
            "backward",
            self.t("leaf_title", name=self.names[node]),
            [[[_words(self._d(node)), [["g", self.index[node], NUMBER_DIGITS, 0]]]]],
            self.t(note, name=self.names[node]),
            focus=[self.id[node]],
        )

    def _through(self, node: Value, passed: list[tuple[int, Edge]]) -> Step:
        """The step for one node: the chain rule along each of its edges, as ``edges()`` applied it."""
        assert [edge.node for _, edge in passed] == [node] * len(node.parents), "the sweep and the steps disagree"
        lines: list[Line] = []
        updates: list[list[Any]] = []
        upstream = self.index[node]
        for k, edge in passed:
            parent = edge.parent
            total = self._d(parent)
            head = f"{total} += {self._d(node)} * {self._d(node, parent)}{self._which(node, edge.position)}"
            product = _segment(partial(_applied, "*", ("g", upstream), ("l", k)))
            line: Line = [[_words(head), product, [["c", k, NUMBER_DIGITS, 0]]]]
            if not edge.first:
                sum_ = _segment(partial(_applied, "+", ("b", k), ("c", k)))
                line.append([_words(f"{self.t('now')} {total}"), sum_, [["t", k, NUMBER_DIGITS, 0]]])
            if self.completes.get(k) is parent and parent in self.gradient_names:
                gradient_name = self.gradient_names[parent]
                line.append([_words(f"{gradient_name} = {total}"), [["t", k, NUMBER_DIGITS, 0]]])
            lines.append(line)
            updates += [[target, _retarget(shown, "t", k)] for target, shown in self._numbers(parent, "grad", "g")]
            if self.completes.get(k) is parent and parent in self.leaves:
                updates.append([f"leaf{self.leaves.index(parent)}-grad", [["t", k, NUMBER_DIGITS, 0]]])
        node_id = self.id[node]
        flow = [f"{node_id}_op", *(f"{node_id}_in{k}" for k in range(len(node.parents)))]
        flow += [self.id[parent] for parent in node.parents]
        step = _step(
            "backward",
            self.t("through_title", name=self.names[node]),
            lines,
            self.t("through_note"),
            focus=[node_id],
            flow=flow,
        )
        step["set"] = updates
        first, edge = passed[0]
        step["ask"] = ["t", first, self._d(edge.parent), "quiz_backward"]  # the gradient this step passes on
        return step

    def update(self, prediction: Value) -> list[Step]:
        steps = []
        for parameter in self.parameters:
            name, index = self.names[parameter], self.index[parameter]
            written = _segment(partial(_update_text, index))
            head = _words(f"{name} ← {name} - a * {self._d(parameter)}")
            line: Line = [[head, written, [["u", index, NUMBER_DIGITS, 0]]]]
            step = _step("update", self.t("update_title", name=name), [line], self.t("update_note"))
            step["focus"] = [self.id[parameter]]
            row = self.leaves.index(parameter)
            step["set"] = [*self._numbers(parameter, "data", "u"), [f"leaf{row}-new", [["u", index, NUMBER_DIGITS, 0]]]]
            steps.append(step)
        steps.append(self._new_forward(prediction))
        return steps

    def _was(self, index: int) -> Segment:
        return _segment(lambda ref: self.t("was", was=ref("v", index).text))

    def _new_forward(self, prediction: Value) -> Step:
        """The forward pass again, with the updated parameters: the new prediction."""
        shown = [node for node in self.reading if not node.is_leaf and (node.label or node in (self.root, prediction))]
        lines: list[Line] = [
            [
                [
                    [
                        *_segment(partial(_new_text, self.names[node], self.index[node], "n")),
                        " ",
                        *self._was(self.index[node]),
                    ]
                ]
            ]
            for node in shown
        ]
        name, index = self.names[prediction], self.index[prediction]
        result = _segment(
            lambda ref: self.t("new_prediction", name=name, now=ref("n", index).text, was=ref("v", index).text)
        )
        step = _step("result", self.t("result_title"), lines, self.t("result_note"), focus=[self.id[prediction]])
        step["fade"] = [f"{self.id[node]}_op" for node in self.order if not node.is_leaf]
        step["set"] = [entry for node in self.order for entry in self._numbers(node, "data", "n")]
        # The graph's gradients belong to the old numbers and go blank; the other views keep theirs.
        step["set"] += [[f"{self.id[node]}-grad", ["·"]] for node in self.order]
        step["set"].append(["result", result])
        return step


def _update_text(index: int, ref: Ref) -> str:
    """p - a * ∂E/∂p, over the numbers."""
    return apply("-", [ref("v", index), apply("*", [ref("r"), ref("g", index)])]).text


def _new_text(name: str, index: int, kind: str, ref: Ref) -> str:
    """``name = number``: a given value (``v``) or a value after the update (``n``)."""
    return f"{name} = {ref(kind, index).text}"


def _applied(operation: str, left: tuple[str, int], right: tuple[str, int], ref: Ref) -> str:
    """``operation`` over two numbers of the page (``("g", 3)``: node 3's gradient)."""
    return apply(operation, [ref(*left), ref(*right)]).text


def _retarget(segment: Segment, kind: str, index: int) -> Segment:
    """``segment`` with its number read from ``kind[index]`` instead (a running total, say)."""
    return [part if isinstance(part, str) else [kind, index, *part[2:]] for part in segment]


def _written_formula(value: Value | float, stops: Mapping[Value, Value], term: Callable[[Value], Formula]) -> Formula:
    """A local derivative as the operation's formula built it (a small graph over the node's own
    Values, or a plain number), written with ``term`` for the node and its operands (``stops``)."""
    if not isinstance(value, Value):
        return number_formula(value, NUMBER_DIGITS)
    if value in stops:
        return term(value)
    if value.is_leaf:
        return number_formula(value.data, NUMBER_DIGITS)
    operands = [_written_formula(o, stops, term) for o in value.operands()]
    if value.op == "pow":  # the derivative-only rows, written as arithmetic
        return apply("**", operands)
    if value.op == "reciprocal":
        return apply("/", [number_formula(1.0, NUMBER_DIGITS), *operands])
    return apply(value.op, operands)


def _grouped(sweep: Iterator[tuple[int, Edge]]) -> Iterator[list[tuple[int, Edge]]]:
    """The sweep's edges, node by node: ``edges()`` gives every node's edges together, in order."""
    group: list[tuple[int, Edge]] = []
    for item in sweep:
        if group and item[1].node is not group[0][1].node:
            yield group
            group = []
        group.append(item)
    if group:
        yield group


def _step(phase: str, title: str, lines: list[Line], note: str, **highlight: Any) -> Step:
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
    """The node's recorded operation applied to its operands' new values; the engine's error if it cannot."""
    operation = node.operation
    assert operation is not None
    operands = [values[o] if isinstance(o, Value) else o for o in node.operands()]
    try:
        return float(operation.forward(*operands))
    except (ArithmeticError, ValueError) as cause:
        raise operation.error(cause, *operands) from None


def _name_ports(drawing: GraphDrawing, walk: _Walk) -> None:
    """Each operation's ∂ boxes in the drawing say which input they are the derivative by
    (``∂/∂w5 0.85``), so the laid-out box is as wide as the text the page puts in it."""
    for k, line in enumerate(drawing.body):
        found = re.match(r"\tn(\d+)_op \[label=", line)
        if not found:
            continue
        node = walk.order[int(found.group(1))]
        for position, parent in enumerate(node.parents):
            port = walk._port(parent)
            # wide enough for the name, a sign, "0." and the drawing's digits, in the ∂ boxes' smaller type
            width = round(DIGIT_WIDTH * SMALL_FONT / 11 * (len(port) + walk.precision + 4))
            line = line.replace(f'<td port="in{position}"', f'<td port="in{position}" width="{width}"', 1)
            line = line.replace(">∂ ", f">{html.escape(port)}\x00", 1)  # \x00: this box is done
        drawing.body[k] = line.replace("\x00", " ")


def _graph_script(root: Value, leaves: Sequence[Value]) -> str:
    """The graph's generated JavaScript ``function graph(leaves)``: the page's numbers after an edit."""
    return graph_function(root, list(leaves))


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it early."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
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
    """A file of the page (HTML, style, script, words), from the package's ``page`` folder."""
    return resources.files(__package__).joinpath("page", name).read_text(encoding="utf-8")


def _legend(text: dict[str, str]) -> str:
    """The key to the drawing, under it: the roles' colours and what the marks mean."""
    swatches = "".join(
        f'<span class="swatch" style="background: {fill}; border-color: {border}">{html.escape(text["role_" + role])}'
        "</span>"
        for role, (fill, border, _style, _peripheries) in ROLE_STYLE.items()
    )
    return (
        f'{swatches}<span><span class="local" style="color: {LOCAL_GRAD_COLOUR}">∂ n</span> '
        f"{html.escape(text['legend_local'])}</span>"
        f'<span><span class="swatch current">&nbsp;</span> {html.escape(text["legend_current"])}</span>'
        f'<span><span class="swatch flow"></span> {html.escape(text["legend_flow"])}</span>'
        f"<span>{html.escape(text['legend_pending'])}</span>"
    )


def _page(
    title: str,
    svg: str,
    data: dict[str, Any],
    walk: _Walk,
    learning_rate: float | None,
    views: Sequence[tuple[str, str]],
    graph_script: str,
) -> str:
    text = walk.text
    e = html.escape
    updating = learning_rate is not None
    editable = bool(graph_script)
    rows = "".join(  # the column "after the step" only on a page that steps
        f'<tr><th scope="row">{e(walk.names[leaf])}</th>'
        f'<td><input id="leaf{k}" class="number" type="text" inputmode="decimal" autocomplete="off" '
        f'spellcheck="false" aria-label="{e(walk.names[leaf], quote=True)}" value="{e(number(leaf.data))}"'
        f"{'' if editable else ' readonly'}></td>"
        f'<td id="leaf{k}-grad" data-blank></td>'
        + (
            f'<td id="leaf{k}-new" data-blank></td>'
            if updating and leaf in walk.parameters
            else ("<td></td>" if updating else "")
        )
        + "</tr>"
        for k, leaf in enumerate(walk.leaves)
    )
    rate = (
        f'<p class="rate"><label for="rate">{e(text["learning_rate"])} a =</label> '
        f'<input id="rate" class="number" type="text" inputmode="decimal" autocomplete="off" '
        f'aria-label="{e(text["learning_rate"], quote=True)}" value="{e(number(learning_rate))}"'
        f"{'' if editable else ' readonly'}></p>"
        if learning_rate is not None
        else ""
    )
    table = (
        f'<table id="parameters"><caption>{e(text["numbers"])}</caption><thead><tr><th>{e(text["name"])}</th>'
        f"<th>{e(text['value'])}</th><th>{e(text['gradient'])}</th>"
        f"{'<th>' + e(text['after_step']) + '</th>' if updating else ''}</tr></thead><tbody>{rows}</tbody></table>"
        f'{rate}<p id="edit-message" role="alert" data-blank></p>'
        f'<button id="recorded" type="button" hidden>{e(text["recorded"])}</button>'
    )
    training = (
        f'<div class="card" id="training"><h2>{e(text["training"])}</h2><div class="controls">'
        f'<button id="train-step" type="button">{e(text["step_once"])}</button>'
        f'<button id="train" type="button">{e(text["train"])}</button>'
        f'<label>{e(text["train_speed"])} <input id="train-speed" type="range" min="1" max="60" value="10"></label>'
        f'</div><p id="train-status" data-blank></p>'
        f'<svg id="loss-curve" role="img" aria-label="{e(text["loss_curve"], quote=True)}" viewBox="0 0 300 120" '
        'preserveAspectRatio="none"></svg></div>'
        if updating and editable
        else ""
    )
    toggle = ""
    if views:  # one button per drawing: the graph, then each view
        labels = [text["view_graph"], *(text.get(f"view_{name}", name) for name, _ in views)]
        toggle = "".join(
            f'<button id="show-{k}" class="toggle" type="button" aria-pressed="{str(k == 0).lower()}" '
            f'title="{e(text["show_view"].format(view=label), quote=True)}">{e(label.capitalize())}</button>'
            for k, label in enumerate(labels)
        )
    drawings = "".join(
        f'<div id="view-{name}" class="drawing" tabindex="0" hidden>{scene}'
        f'<p class="view-root" id="{name}-root" data-blank></p></div>'
        for name, scene in views
    )
    parts = {
        "LANG": text["lang"],
        "TITLE": e(title),
        "SUBTITLE": e(text["subtitle"].format(update=text["subtitle_update"] if updating else "")),
        "VIEWS": drawings,
        "TOGGLE": toggle,
        "CSS": _asset("stepthrough.css"),
        "SVG": svg,
        "LEGEND": _legend(text),
        "PARAMETERS": table,
        "TRAINING": training,
        "DATA": _script_json(data),
        "GRAPH": graph_script,
        "SCRIPT": _asset("stepthrough.js"),
    }
    for key in ("graph_label", "reset", "reset_title", "prev", "prev_title", "play", "play_title", "next"):
        parts[key.upper()] = e(text[key])
    for key in ("next_title", "zoom_in", "zoom_out", "fit", "fit_title", "view_toolbar", "keys", "view_keys", "speed"):
        parts[key.upper()] = e(text[key])
    # One pass: text filled in (a title, a label in the drawing) is never searched for placeholders.
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda match: parts[match.group(1)], _asset("stepthrough.html"))


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
