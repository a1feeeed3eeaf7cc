"""The reference article's pictures as files: its computation graph, its network, its step-through page.

Each starts from the same state the article describes: the network with its
initial weights, one forward pass on inputs ``[2, 3]``, the error against
target 1, and one backward pass, so every drawing shows the article's values
and gradients.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from autograd import draw_graph, save_stepthrough
from autograd.views.draw import Direction, GraphDrawing

from . import article
from .article import article_state
from .draw import draw_network, network_view

View = Literal["graph", "network"]
Format = Literal["svg", "png", "pdf", "dot"]
VIEWS: tuple[View, ...] = ("graph", "network")
FORMATS: tuple[Format, ...] = ("svg", "png", "pdf", "dot")


def article_drawing(view: View = "graph", precision: int = 4, direction: Direction = "LR") -> GraphDrawing:
    """The article's computation graph (``view="graph"``) or its network (``view="network"``)."""
    model, inputs, _, error = article_state()
    if view == "network":
        return draw_network(model, inputs, precision=precision, direction=direction)
    return draw_graph(error, parameters=model.parameters(), precision=precision, direction=direction)


def write_drawing(drawing: GraphDrawing, path: str | Path, format: Format) -> Path:
    """Write ``drawing`` to ``path`` as SVG, PNG or PDF (through ``dot``), or as its DOT source."""
    target = Path(path)
    if format == "dot":
        target.write_text(drawing.source, encoding="utf-8")
    else:
        rendered = drawing.pipe(format=format)
        assert isinstance(rendered, bytes)
        target.write_bytes(rendered)
    return target


def write_article_stepthrough(path: str | Path, learning_rate: float = article.LEARNING_RATE) -> Path:
    """The step-through page of the article: forward, backward, one update, the new prediction;
    the computation graph and, a toggle away, the network as the article draws it."""
    model, inputs, prediction, error = article_state()
    return save_stepthrough(
        path,
        error,
        parameters=model.parameters(),
        learning_rate=learning_rate,
        prediction=prediction,
        title="Backpropagation step by step: the article's network",
        views=[network_view(model, inputs, error)],
    )
