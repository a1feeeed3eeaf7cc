"""Draw a computation graph with Graphviz: every value, every operation, every local derivative.

``draw_graph(root)`` reads the graph ``root`` depends on (through the shared
``topological_order``) and returns a ``graphviz.Digraph``. It never changes a
node. Each value is a box showing its label, ``data`` and ``grad``; each
operation is its own small box with its symbol, and each edge into it arrives
at a cell showing the local derivative d(result)/d(input) that the backward
sweep multiplies by. (Cells rather than edge labels: ``dot`` lays labelled long
edges out very slowly.) Colour and shape tell the roles apart: inputs,
parameters, intermediate values and the output.

The DOT text is deterministic: nodes are named ``n0, n1, ...`` in
topological order (never by ``id()``), and every piece of user text is
escaped, so a label can never inject DOT syntax.

``dot`` lays out a couple of thousand values in seconds but can take minutes,
or crash, far past that, so rendering a graph of more than
``MAX_RENDER_VALUES`` values refuses with ``GraphTooLargeError``, as do a
``dot`` that crashes or outlasts ``RENDER_TIMEOUT``. Building the DOT source
is linear, needs no Graphviz program and is allowed for any size.
"""

from __future__ import annotations

import html
import math
import subprocess
import sys
from collections.abc import Iterable
from typing import Any, Literal

import graphviz  # type: ignore[import-untyped]

from ..backward import topological_order
from ..errors import AutogradError, GraphError
from ..value import Value, not_values

MAX_RENDER_VALUES = 2_000
"""Past this many values, ``dot`` cannot usefully lay the graph out: rendering refuses.
Measured with Graphviz 2.43: 2,000 values take ``dot`` about 2 s as a chain or an MLP."""
RENDER_TIMEOUT = 60.0
"""Seconds ``pipe()`` (and so a notebook) waits for ``dot`` before giving up with a clear error."""

LABEL_LINE = 40
"""A label is wrapped into lines of this many characters..."""
LABEL_MAX = 160
"""...and cut after this many, with a note of how many characters were left out."""

Role = Literal["input", "parameter", "intermediate", "output"]
Direction = Literal["LR", "TB"]

# role: (fill colour, border colour, node style, border count). Shapes: inputs have square
# corners, parameters are rounded and bold, the output has a double border.
ROLE_STYLE: dict[Role, tuple[str, str, str, int]] = {
    "input": ("#dbeafe", "#2563eb", "filled", 1),
    "parameter": ("#fef3c7", "#b45309", "filled,rounded,bold", 1),
    "intermediate": ("#f8fafc", "#64748b", "filled,rounded", 1),
    "output": ("#dcfce7", "#15803d", "filled,rounded,bold", 2),
}
ROLE_ATTRIBUTES = {
    role: f'class={role} shape=box margin="0.05,0.03" style="{style}" fillcolor="{fill}" color="{border}" '
    f"peripheries={peripheries}"
    for role, (fill, border, style, peripheries) in ROLE_STYLE.items()
}
OPERATION_FILL, OPERATION_BORDER = "#e2e8f0", "#475569"
LOCAL_GRAD_COLOUR = "#b91c1c"
CAPTION_COLOUR = "#64748b"
FONT = "Helvetica"
DIGIT_WIDTH = 6.2
"""Width of one digit at the drawing's 11 pt, in points."""
SMALL_FONT = 10
"""Points for the drawing's smallest text (captions, local derivatives, the legend): at the 11 pt of
the numbers, a page scaled so that this is legible keeps everything legible."""


class GraphTooLargeError(GraphError):
    """The graph has more values than ``dot`` can usefully lay out."""


class GraphvizNotFoundError(AutogradError, graphviz.ExecutableNotFound):  # type: ignore[misc]
    """Graphviz's ``dot`` program is not installed, so the graph cannot be rendered."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


SMALLER_PART = (
    "Draw a smaller part: draw_graph(node) for a node nearer the inputs, or a smaller model. "
    "The DOT source (`.source`) is still available; draw_graph(..., render_limit=None) lifts the size limit."
)

MISSING_DOT = (
    "cannot render the graph: Graphviz's `dot` program was not found on PATH. "
    "Install Graphviz (Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install graphviz`; "
    "Windows: `winget install graphviz`) and try again. "
    "The DOT source needs no program: `.source` or `.save()` still work."
)


class GraphDrawing(graphviz.Digraph):  # type: ignore[misc]
    """A ``graphviz.Digraph`` that renders only what ``dot`` can lay out, and says so clearly
    when it cannot: too many values, ``dot`` missing, crashed or still busy after
    ``render_timeout`` seconds. Shown inline as SVG in a notebook, like any Digraph."""

    value_count = 0
    """How many values the drawing shows (the size check counts these)."""
    render_limit: int | None = MAX_RENDER_VALUES
    render_timeout: float = RENDER_TIMEOUT

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The rendered graph as bytes (or text, given ``encoding``), as ``graphviz.Digraph.pipe``."""
        self._check_size()
        output_format = ":".join(part for part in (format or self.format, renderer, formatter) if part)
        command = [engine or self.engine, f"-T{output_format}"]
        if neato_no_op:
            command.append(f"-n{int(neato_no_op)}")
        try:
            done = subprocess.run(
                command, input=self.source.encode(self.encoding), capture_output=True, timeout=self.render_timeout
            )
        except FileNotFoundError:
            raise GraphvizNotFoundError(MISSING_DOT) from None
        except subprocess.TimeoutExpired:
            raise GraphTooLargeError(
                f"`dot` did not finish laying out this graph ({self.value_count:,} values) within "
                f"{self.render_timeout:g} s. {SMALLER_PART}"
            ) from None
        self._check_exit(done.returncode, done.stderr.decode(self.encoding, "replace"))
        if not quiet and done.stderr:
            sys.stderr.write(done.stderr.decode(self.encoding, "replace"))
        output: bytes = done.stdout
        return output.decode(encoding) if encoding else output

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Save the source and render it to a file, as ``graphviz.Digraph.render`` (no time limit)."""
        self._check_size()
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(MISSING_DOT) from None
        except graphviz.CalledProcessError as failure:
            self._check_exit(failure.returncode, str(failure.stderr or ""))
            raise

    def copy(self) -> GraphDrawing:
        """An independent copy that keeps the size check and the time limit."""
        duplicate: GraphDrawing = super().copy()
        duplicate.value_count, duplicate.render_limit = self.value_count, self.render_limit
        duplicate.render_timeout = self.render_timeout
        return duplicate

    def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> Any:
        """In a notebook: the SVG, or for a graph too large or a missing ``dot``, the reason as text."""
        try:
            return super()._repr_mimebundle_(*args, **kwargs)
        except (GraphTooLargeError, GraphvizNotFoundError) as reason:
            return {"text/plain": str(reason)}

    def _check_size(self) -> None:
        if self.render_limit is not None and self.value_count > self.render_limit:
            raise GraphTooLargeError(
                f"this graph has {self.value_count:,} values; `dot` cannot usefully lay out more than "
                f"{self.render_limit:,}. {SMALLER_PART}"
            )

    def _check_exit(self, returncode: int, stderr: str) -> None:
        if returncode < 0:  # killed by a signal: dot crashes (SIGSEGV) on some large, deep graphs
            raise GraphTooLargeError(
                f"`dot` crashed (signal {-returncode}) laying out this graph ({self.value_count:,} values). "
                f"{SMALLER_PART}"
            )
        if returncode > 0:
            raise GraphError(f"`dot` failed with exit status {returncode}: {stderr.strip()}")


def draw_graph(
    root: Value,
    *,
    direction: Direction = "LR",
    precision: int = 4,
    show_grad: bool = True,
    show_local_grads: bool = True,
    parameters: Iterable[Value] = (),
    legend: bool = True,
    render_limit: int | None = MAX_RENDER_VALUES,
) -> GraphDrawing:
    """The graph of everything ``root`` depends on, as a Graphviz ``Digraph``.

    ``direction``: ``"LR"`` (left to right, the default) or ``"TB"`` (top to bottom).
    ``precision``: significant digits of every number shown.
    ``show_grad`` / ``show_local_grads``: show each value's ``grad`` / each edge's local derivative.
    ``parameters``: the leaves to mark as parameters (e.g. ``model.parameters()``); other leaves are inputs.
    ``legend``: a key to the colours and the edge labels under the drawing.
    ``render_limit``: the most values rendering accepts (None: no limit); building the source has none.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph() draws a Value, not {type(root).__name__}: {root!r}")
    check_layout(direction, precision)
    parameter_set = set(parameter_list(parameters))

    order = topological_order(root)
    name = {node: f"n{index}" for index, node in enumerate(order)}
    drawing = GraphDrawing(
        name="computation",
        # Straight segments: dot's curved splines run flat along the rank gaps and graze the boxes there.
        graph_attr={
            "rankdir": direction,
            "fontname": FONT,
            "nodesep": "0.25",
            "ranksep": "0.3",
            "splines": "polyline",
        },
        # Operations are HTML tables with shape "none" and no margin (shape "plain" makes dot 2.43
        # crawl on graphs where one value feeds many operations).
        node_attr={"fontname": FONT, "fontsize": "11", "shape": "none", "margin": "0", "width": "0.3", "height": "0.3"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#475569", "arrowsize": "0.6"},
    )
    drawing.value_count = len(order)
    drawing.render_limit = render_limit
    if legend:
        drawing.attr(label=_legend(show_local_grads, direction), labelloc="b", labeljust="l")
    # The statements are written directly (graphviz's per-attribute quoting would take most of
    # the time on large graphs). That is safe: names are n0, n1, ...; every attribute value is
    # one of the constants above; user text reaches DOT only escaped, inside HTML-like labels.
    # Every edge leaves the middle of its tail's far side and enters its head's near side, so
    # it runs in the gap between two ranks and never along the edge of a box it does not touch.
    port, tail = (":w", "e") if direction == "LR" else (":n", "s")
    lines = drawing.body
    for node in order:
        node_name = name[node]
        role = _role(node, root, parameter_set)
        label = _value_label(node, precision, show_grad)
        lines.append(f"\t{node_name} [label={label} id={node_name} {ROLE_ATTRIBUTES[role]}]\n")
        if node.is_leaf:
            continue
        operation = f"{node_name}_op"
        label = _operation_label(node, precision, direction, show_local_grads)
        lines.append(f"\t{operation} [label={label} id={operation}]\n")
        lines.append(f"\t{operation} -> {node_name}{port} [id={node_name}_out tailport={tail}]\n")
        for position, parent in enumerate(node.parents):
            head = f"{operation}:in{position}{port}" if show_local_grads else f"{operation}{port}"
            lines.append(f"\t{name[parent]} -> {head} [id={node_name}_in{position} tailport={tail}]\n")
    return drawing


def check_layout(direction: str, precision: int) -> None:
    """Refuse, by name, a direction other than LR or TB, or a precision outside 1..17 digits."""
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be 'LR' (left to right) or 'TB' (top to bottom), not {direction!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"precision must be a whole number of significant digits from 1 to 17, not {precision!r}")


def format_number(number: float, precision: int) -> str:
    """``number`` with ``precision`` significant digits: 0.191, -0.6877, 1e+20, nan, inf."""
    if math.isnan(number):
        return "nan"
    return f"{number:.{precision}g}"


def display_text(text: str) -> str:
    """User text made safe to show: no control characters, wrapped, cut when very long.

    Newlines are kept (they become line breaks); other control characters and
    lone surrogates appear as backslash escapes, so every character shows.
    """
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c == "\n" or c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    note = ""
    if len(text) > LABEL_MAX:
        note = f"… (+{len(text) - LABEL_MAX} characters)"
        text = text[:LABEL_MAX]
    lines = [chunk[i : i + LABEL_LINE] for chunk in text.split("\n") for i in range(0, max(len(chunk), 1), LABEL_LINE)]
    if note:
        lines.append(note)
    return "\n".join(lines)


def label_html(text: str) -> str:
    """User text as the inside of an HTML-like label: shown literally, never read as markup.

    ``html.escape`` stops markup; doubling each backslash stops Graphviz's own escapes
    (``\\N`` would otherwise become the node's name); ``]`` becomes a character reference:
    Graphviz hands the label to expat piece by piece, expat holds back a trailing ``]`` (it
    might begin ``]]>``), and a piece of text made only of ``]`` then reached Graphviz's
    parser late (``dot`` refused a label ``"]"``). Lines join with ``<br/>``.
    """
    lines = display_text(text).split("\n")
    return "<br/>".join(html.escape(line).replace("\\", "\\\\").replace("]", "&#93;") for line in lines)


def parameter_list(parameters: Iterable[Value], where: str = "draw_graph()") -> list[Value]:
    """The parameters as a list, each refused by name when it is not a Value (or they are not a sequence), or
    not a leaf: a parameter drawn amber, or updated on the page, is one gradient descent changes."""
    if not_values(parameters):
        raise TypeError(f"{where}: parameters {not_values(parameters)}")
    chosen = list(parameters)
    for position, parameter in enumerate(chosen):
        if not isinstance(parameter, Value):
            raise TypeError(f"parameters must be Values; item {position} is {type(parameter).__name__}")
        if not parameter.is_leaf:
            raise ValueError(
                f"{where}: parameter {position} (label {parameter.label!r}) was made by {parameter.op!r}; "
                "parameters are leaves: gradient descent changes them, the graph computes the rest"
            )
    return chosen


def _role(node: Value, root: Value, parameters: set[Value]) -> Role:
    if node is root:
        return "output"
    if not node.is_leaf:
        return "intermediate"
    return "parameter" if node in parameters else "input"


def _operation_text(node: Value, precision: int) -> str:
    """The operation as drawn: ``*``, ``exp``, or with its folded number, ``** 2`` or ``1 -``."""
    shown = [node.op]
    for position, operand in enumerate(node.operands()):
        if not isinstance(operand, Value):  # a folded plain number, on its side of the symbol
            shown.insert(position, format_number(operand, precision))
    return " ".join(shown)


def _operation_label(node: Value, precision: int, direction: Direction, show_local_grads: bool) -> str:
    """The operation's symbol in a small box; with ``show_local_grads``, one port per input
    beside it showing that input's local derivative, so each edge arrives at its own number."""
    symbol = (
        f'<td bgcolor="{OPERATION_FILL}" color="{OPERATION_BORDER}" rowspan="ROWS" colspan="COLUMNS">'
        f'<font point-size="12"><b>{html.escape(_operation_text(node, precision))}</b></font></td>'
    )
    ports = [
        f'<td port="in{position}" bgcolor="white" color="{LOCAL_GRAD_COLOUR}"><font color="{LOCAL_GRAD_COLOUR}" '
        f'point-size="{SMALL_FONT}">∂ {html.escape(format_number(local, precision))}</font></td>'
        for position, local in enumerate(node.local_grads)
    ]
    if not show_local_grads:
        rows = [symbol.replace("ROWS", "1").replace("COLUMNS", "1")]
    elif direction == "LR":  # ports stacked on the left, the symbol to their right
        rows = [ports[0] + symbol.replace("ROWS", str(len(ports))).replace("COLUMNS", "1"), *ports[1:]]
    else:  # one row, the symbol between its inputs' ports as in the formula: [∂ 2][*][∂ 0.11]
        rows = [ports[0] + symbol.replace("ROWS", "1").replace("COLUMNS", "1") + "".join(ports[1:])]
    table = "".join(f"<tr>{row}</tr>" for row in rows)
    return f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">{table}</table>>'


def _value_label(node: Value, precision: int, show_grad: bool) -> str:
    """An HTML-like label: the label (if any) on the left, ``data`` above ``grad`` on its right.

    Stacking the two numbers keeps the box narrow (it is never shorter than dot's
    minimum node height anyway), so a rank of leaves stays about half as wide."""
    rows = [_number_cells("data", node.data, precision)]
    if show_grad:
        rows.append(_number_cells("grad", node.grad, precision))
    if node.label:
        rows[0] = f'<td rowspan="{len(rows)}"><b>{label_html(node.label)}</b></td>' + rows[0]
    table = "".join(f"<tr>{row}</tr>" for row in rows)
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{table}</table>>'


def _number_cells(caption: str, number: float, precision: int) -> str:
    """A caption and a number. The number's cell fits a sign, "0.0" and ``precision`` digits,
    so numbers line up and the step-through page can swap one for another in place."""
    width = round(DIGIT_WIDTH * (precision + 4))
    return (
        f'<td align="right"><font point-size="{SMALL_FONT}" color="{CAPTION_COLOUR}">{caption}</font></td>'
        f'<td width="{width}" align="left">{html.escape(format_number(number, precision))}</td>'
    )


def _legend(show_local_grads: bool, direction: Direction) -> str:
    """The key under the drawing, in the drawing's small font, so it stays no wider than the boxes
    it explains: one swatch per role (two a row left to right, one a row top to bottom, where
    drawings are narrow), and what the small red numbers are."""
    swatches = [
        f'<td bgcolor="{fill}" color="{border}" border="1" cellpadding="2">{role}</td>'
        for role, (fill, border, _style, _peripheries) in ROLE_STYLE.items()
    ]
    per_row = 2 if direction == "LR" else 1
    rows = ["".join(swatches[k : k + per_row]) for k in range(0, len(swatches), per_row)]
    if show_local_grads:
        rows.append(
            f'<td colspan="{per_row}"><font color="{LOCAL_GRAD_COLOUR}">∂ n</font>: local<br/>derivative<br/>'
            "d(result)/d(input)</td>"
        )
    table = "".join(f"<tr>{row}</tr>" for row in rows)
    return f'<<font point-size="{SMALL_FONT}"><table border="0" cellspacing="2" cellborder="0">{table}</table></font>>'
